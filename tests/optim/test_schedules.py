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
    assert_same_lrs(ours, reference, steps=total + 5)


@given(
    step=st.integers(0, 500),
    warmup=st.integers(0, 100),
    extra=st.integers(0, 300),
    cycles=st.sampled_from([0.5, 1.0, 1.5]),
)
def test_schedules_factors_match_transformers_lambdas(step, warmup, extra, cycles) -> None:
    """The free functions equal the lambdas transformers' schedulers apply, at any step."""
    total = warmup + extra
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
    cosine = [schedules.cosine_with_warmup(t, 0, 4) for t in range(5)]
    np.testing.assert_allclose(cosine, [1, 0.8536, 0.5, 0.1464, 0], atol=1e-4)


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
