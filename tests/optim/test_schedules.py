"""Tests for nlpjourney.optim.schedules: every step's learning rate equals the reference.

``StepLR`` is compared with ``torch.optim.lr_scheduler.StepLR``; ``LinearWithWarmup`` and
``CosineWithWarmup`` with ``transformers``' ``get_linear_schedule_with_warmup`` and
``get_cosine_schedule_with_warmup``. Each of ours drives one of our optimizers (and a
torch optimizer, since a schedule needs only ``param_groups``) beside the reference
driving a ``torch.optim.SGD``, with the same loop: step the optimizer, then the schedule.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st
from transformers import get_cosine_schedule_with_warmup, get_linear_schedule_with_warmup

from nlpjourney import optim
from nlpjourney.optim import schedules


class StandIn:
    def __init__(self) -> None:
        self.data, self.grad = np.zeros(2), np.ones(2)


def two_group_torch_sgd() -> torch.optim.SGD:
    a, b = torch.nn.Parameter(torch.zeros(2)), torch.nn.Parameter(torch.zeros(1))
    return torch.optim.SGD([{"params": [a], "lr": 0.1}, {"params": [b], "lr": 0.03}])


def two_group_ours(kind: str):
    if kind == "ours":
        return optim.AdamW(
            [{"params": [StandIn()], "lr": 0.1}, {"params": [StandIn()], "lr": 0.03}]
        )
    return two_group_torch_sgd()  # our schedule on a torch optimizer


def assert_same_lrs(ours, reference, steps: int) -> None:
    """Same learning rates after construction and after each of ``steps`` steps."""
    for step in range(steps + 1):
        if step:
            ours.optimizer.step()
            reference.optimizer.step()
            ours.step()
            reference.step()
        expected = reference.get_last_lr()
        np.testing.assert_allclose(ours.get_last_lr(), expected, rtol=1e-12, atol=0)
        lrs = [g["lr"] for g in ours.optimizer.param_groups]
        np.testing.assert_allclose(lrs, expected, rtol=1e-12, atol=0, err_msg=f"step {step}")


@pytest.mark.parametrize("kind", ["ours", "torch optimizer"])
@pytest.mark.parametrize(("step_size", "gamma"), [(1, 0.9), (3, 0.5), (10, 0.1)])
def test_schedules_step_lr_matches_torch(kind, step_size, gamma) -> None:
    reference = torch.optim.lr_scheduler.StepLR(two_group_torch_sgd(), step_size, gamma)
    ours = optim.StepLR(two_group_ours(kind), step_size, gamma)
    assert_same_lrs(ours, reference, steps=60)


@pytest.mark.parametrize("kind", ["ours", "torch optimizer"])
@pytest.mark.parametrize(("warmup", "total"), [(0, 50), (10, 50), (7, 43), (50, 50), (1, 1)])
def test_schedules_linear_with_warmup_matches_transformers(kind, warmup, total) -> None:
    reference = get_linear_schedule_with_warmup(two_group_torch_sgd(), warmup, total)
    ours = optim.LinearWithWarmup(two_group_ours(kind), warmup, total)
    assert_same_lrs(ours, reference, steps=total + 5)  # past the end: stays at 0


@pytest.mark.parametrize("kind", ["ours", "torch optimizer"])
@pytest.mark.parametrize(
    ("warmup", "total", "cycles"),
    [(0, 50, 0.5), (10, 50, 0.5), (7, 43, 0.5), (5, 40, 1.0), (5, 40, 2.5), (20, 20, 0.5)],
)
def test_schedules_cosine_with_warmup_matches_transformers(kind, warmup, total, cycles) -> None:
    reference = get_cosine_schedule_with_warmup(two_group_torch_sgd(), warmup, total, cycles)
    ours = optim.CosineWithWarmup(two_group_ours(kind), warmup, total, cycles)
    assert_same_lrs(ours, reference, steps=total)
    final = ours.get_last_lr()
    past = []
    for _ in range(total + 5):  # past the end: held (transformers' cosine climbs again)
        ours.step()
        past.append(ours.get_last_lr())
    assert all(lrs == past[0] for lrs in past)
    if total > warmup:  # (a warm-up-only schedule has no decay: it ends at once)
        assert past[0] == final


@pytest.mark.parametrize(("warmup", "total", "min_lr"), [(0, 30, 0.01), (10, 50, 0.002)])
def test_schedules_cosine_with_min_lr_matches_transformers(warmup, total, min_lr) -> None:
    from transformers.optimization import get_cosine_with_min_lr_schedule_with_warmup

    reference = get_cosine_with_min_lr_schedule_with_warmup(
        two_group_torch_sgd(), warmup, total, min_lr_rate=min_lr / 0.1
    )
    opt = optim.SGD([{"params": [StandIn()], "lr": 0.1}])
    ours = optim.CosineWithWarmup(opt, warmup, total, min_lr=min_lr)
    for _ in range(total + 1):
        assert ours.get_last_lr()[0] == pytest.approx(reference.get_last_lr()[0], rel=1e-12)
        reference.optimizer.step()
        ours.step()
        reference.step()
    for _ in range(10):  # past the end: exactly min_lr, as nanoGPT's get_lr
        assert ours.get_last_lr() == [min_lr]
        ours.step()
    with pytest.raises(ValueError, match="min_lr .* exceeds"):
        optim.CosineWithWarmup(optim.SGD([StandIn()], lr=0.1), 0, 10, min_lr=0.2)


@given(
    step=st.integers(0, 500),
    warmup=st.integers(0, 100),
    extra=st.integers(0, 300),
    cycles=st.sampled_from([0.5, 1.0, 1.5]),
)
def test_schedules_factors_match_transformers_lambdas(step, warmup, extra, cycles) -> None:
    """The free functions equal the lambdas transformers' schedulers apply, up to the end."""
    total = warmup + extra
    if step > total:  # past the end ours hold the decay's end; transformers' cosine goes on
        end = max(0.0, 0.5 * (1.0 + math.cos(math.pi * cycles * 2.0)))  # progress = 1
        assert schedules.cosine_with_warmup(step, warmup, total, cycles) == end
        assert schedules.linear_with_warmup(step, warmup, total) == 0.0
        step = total
    param = torch.nn.Parameter(torch.zeros(1))
    for make, ours in [
        (
            lambda o: get_cosine_schedule_with_warmup(o, warmup, total, cycles),
            schedules.cosine_with_warmup(step, warmup, total, cycles),
        ),
        (
            lambda o: get_linear_schedule_with_warmup(o, warmup, total),
            schedules.linear_with_warmup(step, warmup, total),
        ),
    ]:
        factor = make(torch.optim.SGD([param], lr=1.0)).lr_lambdas[0](step)
        assert ours == pytest.approx(factor, rel=1e-12, abs=1e-15)


def test_schedules_docstring_examples() -> None:
    assert [schedules.step_decay(t, 3, 0.5) for t in range(7)] == [1, 1, 1, 0.5, 0.5, 0.5, 0.25]
    linear = [schedules.linear_with_warmup(t, 2, 6) for t in range(8)]
    assert linear == [0, 0.5, 1, 0.75, 0.5, 0.25, 0, 0]
    cosine = [schedules.cosine_with_warmup(t, 0, 4) for t in range(6)]
    np.testing.assert_allclose(cosine, [1, 0.8536, 0.5, 0.1464, 0, 0], atol=1e-4)


def test_schedules_cosine_peaks_after_warmup_and_decreases() -> None:
    factors = [schedules.cosine_with_warmup(t, 10, 100) for t in range(101)]
    assert factors[10] == 1.0 and factors[100] == 0.0
    assert all(a < b for a, b in zip(factors[:10], factors[1:11], strict=True))
    assert all(a >= b for a, b in zip(factors[10:], factors[11:], strict=False))


def test_schedules_drive_training_steps() -> None:
    """The optimizer's step uses the rate the schedule set: here 0 at step 0 of warm-up."""
    p = StandIn()
    opt = optim.SGD([p], lr=1.0)
    sched = optim.LinearWithWarmup(opt, num_warmup_steps=2, num_training_steps=4)
    moves = []
    for _ in range(4):
        before = p.data.copy()
        opt.step()
        sched.step()
        moves.append(float((before - p.data)[0]))
    assert moves == [0.0, 0.5, 1.0, 0.5]


def test_schedules_resume_from_last_epoch() -> None:
    opt = optim.SGD([StandIn()], lr=1.0)
    first = optim.StepLR(opt, step_size=2, gamma=0.5)
    for _ in range(5):
        first.step()
    resumed = optim.StepLR(opt, step_size=2, gamma=0.5, last_epoch=4)
    assert resumed.get_last_lr() == first.get_last_lr() == [0.25]
    assert resumed.base_lrs == [1.0]


def test_schedules_lambda_lr_takes_one_function_per_group() -> None:
    opt = optim.SGD([{"params": [StandIn()], "lr": 1.0}, {"params": [StandIn()], "lr": 2.0}])
    sched = optim.LambdaLR(opt, [lambda t: 0.5**t, lambda t: 1 / (t + 1)])
    sched.step()
    assert sched.get_last_lr() == [0.5, 1.0]


def test_schedules_reject_bad_input() -> None:
    opt = optim.SGD([StandIn()], lr=1.0)
    with pytest.raises(TypeError, match="not an optimizer"):
        optim.StepLR([StandIn()], step_size=2)
    with pytest.raises(ValueError, match="step_size must be a positive int"):
        optim.StepLR(opt, step_size=0)
    with pytest.raises(ValueError, match="expected 1 lr_lambdas"):
        optim.LambdaLR(opt, [math.cos, math.sin])
    with pytest.raises(ValueError, match="at least 0"):
        optim.CosineWithWarmup(opt, num_warmup_steps=-1, num_training_steps=10)
    fresh = optim.SGD([StandIn()], lr=1.0)
    with pytest.raises(KeyError, match="initial_lr"):
        optim.LinearWithWarmup(fresh, 2, 10, last_epoch=3)


# --- state_dict / load_state_dict ----------------------------------------------------

SCHEDULES = {
    "StepLR": lambda opt: optim.StepLR(opt, step_size=3, gamma=0.5),
    "LinearWithWarmup": lambda opt: optim.LinearWithWarmup(opt, 4, 20),
    "CosineWithWarmup": lambda opt: optim.CosineWithWarmup(opt, 4, 20, min_lr=0.001),
    "LambdaLR": lambda opt: optim.LambdaLR(opt, [lambda t: 0.9**t, lambda t: 1 / (1 + t)]),
}


@pytest.mark.parametrize("name", SCHEDULES)
def test_schedules_state_dict_resumes_exactly(name) -> None:
    """k steps, save, a fresh optimizer and schedule, load, k more == 2k steps straight."""
    make = SCHEDULES[name]
    straight = make(two_group_ours("ours"))
    lrs = [straight.get_last_lr()]
    for _ in range(12):
        straight.step()
        lrs.append(straight.get_last_lr())

    first = make(two_group_ours("ours"))
    for _ in range(6):
        first.step()
    saved = first.state_dict()
    opt = two_group_ours("ours")
    resumed = make(opt)
    resumed.load_state_dict(saved)
    assert resumed.get_last_lr() == lrs[6]
    assert [g["lr"] for g in opt.param_groups] == lrs[6]  # set at once, before any step
    for step in range(7, 13):
        resumed.step()
        assert resumed.get_last_lr() == lrs[step]
    saved["last_epoch"] = 0  # a copy: changing it does not move the schedule
    assert first.last_epoch == 6


def test_schedules_state_dict_has_torchs_layout() -> None:
    """The keys and values torch's LambdaLR and StepLR save, after the same steps."""
    ours = optim.StepLR(two_group_ours("ours"), step_size=3, gamma=0.5)
    theirs = torch.optim.lr_scheduler.StepLR(two_group_torch_sgd(), step_size=3, gamma=0.5)
    for _ in range(7):
        ours.optimizer.step()
        theirs.optimizer.step()
        ours.step()
        theirs.step()
    mine, reference = ours.state_dict(), theirs.state_dict()
    for key in ("last_epoch", "base_lrs", "_last_lr"):
        assert mine[key] == pytest.approx(reference[key], rel=1e-12), key
    # torch's own LambdaLR loads ours and continues from there
    fresh = torch.optim.lr_scheduler.LambdaLR(two_group_torch_sgd(), lambda t: 0.5 ** (t // 3))
    fresh.load_state_dict(optim.LambdaLR(two_group_ours("ours"), lambda t: 0.5).state_dict())
    assert fresh.last_epoch == 0
    # and ours loads torch's
    again = optim.StepLR(two_group_ours("ours"), step_size=3, gamma=0.5)
    again.load_state_dict(reference)
    assert again.get_last_lr() == pytest.approx(theirs.get_last_lr(), rel=1e-12)


def test_schedules_load_state_dict_rejects_a_mismatch() -> None:
    saved = optim.StepLR(optim.SGD([StandIn()], lr=1.0), step_size=2).state_dict()
    with pytest.raises(ValueError, match="1 learning rates, the optimizer has 2"):
        optim.StepLR(two_group_ours("ours"), step_size=2).load_state_dict(saved)
    with pytest.raises(TypeError, match="last_epoch"):
        optim.StepLR(two_group_ours("ours"), step_size=2).load_state_dict({"epoch": 3})
