"""Checks for exercise 4.2, run by ``journey check 4.2``.

Each check calls the learner's ``train_step`` through the ``ex`` fixture, on a tiny
bigram model (an embedding and a linear layer) in float64, so that only rounding can
tell two ways of computing the same step apart. The step is compared with a hand-made
torch step on one big batch, with plain SGD where the change of the weights is the
gradient itself, and with our AdamW and torch's. The micro-batches and initial weights are drawn fresh
each run from the run's seed. With ``--exercise reference`` the same
checks grade the library, ``nlpjourney.train.loop``.
"""

from __future__ import annotations

import math

import pytest
import torch
import torch.nn.functional as F
from torch import nn
from torch.testing import assert_close

from nlpjourney.optim import AdamW

REFERENCE = "nlpjourney.train.loop"
# What the learner may not use: the model answer (and the rest of the library), and
# training loops that would take the step for them.
FORBIDDEN = ("nlpjourney", "lightning", "pytorch_lightning", "accelerate", "transformers")

F64 = torch.float64
VOCAB = 7


class Bigram(nn.Module):
    """Next-token logits (B, T, V) from the current token alone."""

    def __init__(self, seed: int = 0) -> None:
        super().__init__()
        torch.manual_seed(RUN_SEED + seed)
        self.embed = nn.Embedding(VOCAB, 5)
        self.head = nn.Linear(5, VOCAB)
        self.double()

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.head(self.embed(x))


RUN_SEED = 0


@pytest.fixture(autouse=True)
def fresh_batches(seed: int) -> None:
    """Every run draws new micro-batches and initial weights (--seed replays them)."""
    global RUN_SEED
    RUN_SEED = seed * 1_000


def micro_batches(k: int, size: int = 2, seq_len: int = 6, seed: int = 0):
    generator = torch.Generator().manual_seed(RUN_SEED + seed)
    xs = [torch.randint(VOCAB, (size, seq_len), generator=generator) for _ in range(k)]
    return [(x, torch.roll(x, -1, dims=1)) for x in xs]


def joined(batches):
    return torch.cat([x for x, _ in batches]), torch.cat([y for _, y in batches])


def loss_of(model, x, y):
    logits = model(x)
    return F.cross_entropy(logits.reshape(-1, VOCAB), y.reshape(-1))


def flat(model) -> torch.Tensor:
    return torch.cat([p.detach().reshape(-1) for p in model.parameters()])


def hand_made_step(model, batches, grad_clip: float, lr: float = 0.05) -> None:
    """The reference: one batch of everything, torch's AdamW, torch's clipping."""
    optimizer = torch.optim.AdamW(model.parameters(), lr=lr)
    loss_of(model, *joined(batches)).backward()
    if grad_clip > 0:
        torch.nn.utils.clip_grad_norm_(model.parameters(), grad_clip)
    optimizer.step()


def sgd_change(ex, batches, grad_clip: float) -> torch.Tensor:
    """With SGD at lr=1 the weights move by minus the (clipped) gradient."""
    model = Bigram()
    before = flat(model)
    ex.train_step(model, torch.optim.SGD(model.parameters(), lr=1.0), batches, grad_clip)
    return before - flat(model)


def full_gradient(batches) -> torch.Tensor:
    model = Bigram()
    loss_of(model, *joined(batches)).backward()
    return torch.cat([p.grad.reshape(-1) for p in model.parameters()])


def test_one_batch_equals_a_hand_made_step(ex) -> None:
    """With one micro-batch and no clipping, train_step is forward, loss, backward, step.

    Hint 1: forward, the loss, backward, and one optimizer step.
    Hint 2: the loss is the mean cross-entropy over every position of every sequence:
    flatten the batch and time axes of the logits and of the targets together.
    """
    batches = micro_batches(1)
    ours, theirs = Bigram(), Bigram()
    ex.train_step(ours, torch.optim.AdamW(ours.parameters(), lr=0.05), batches, 0.0)
    hand_made_step(theirs, batches, 0.0)
    assert_close(flat(ours), flat(theirs), rtol=1e-10, atol=1e-12)


def test_returns_the_mean_loss(ex) -> None:
    """The float returned is the mean of the micro-batch losses, measured before the step.

    Hint 1: the mean over the micro-batches, as a plain Python float.
    Hint 2: add up each divided loss, detached from the graph, over the micro-batches;
    not the last micro-batch's loss alone, and not the undivided sum.
    """
    batches = micro_batches(3, seed=1)
    model = Bigram()
    with torch.no_grad():
        expected = sum(loss_of(model, x, y).item() for x, y in batches) / len(batches)
    got = ex.train_step(model, torch.optim.SGD(model.parameters(), lr=0.1), batches, 1.0)
    assert isinstance(got, float), f"return a float, got {type(got).__name__}"
    assert math.isclose(got, expected, rel_tol=1e-10), f"returned {got}, the mean is {expected}"


def test_micro_batches_equal_one_big_batch(ex) -> None:
    """k micro-batches of b sequences give the step of one batch of k * b, clipping included.

    Hint 1: gradients add up across backward calls until they are zeroed.
    Hint 2: divide each micro-batch's loss by the number of micro-batches before its
    backward, and step only after the last one.
    """
    for k, clip in [(2, 0.0), (4, 0.5), (3, 1e-3)]:
        batches = micro_batches(k, seed=k)
        ours, theirs = Bigram(), Bigram()
        ex.train_step(ours, torch.optim.AdamW(ours.parameters(), lr=0.05), batches, clip)
        hand_made_step(theirs, batches, clip)
        assert_close(
            flat(ours), flat(theirs), rtol=1e-10, atol=1e-12,
            msg=lambda m, k=k, c=clip: f"k={k}, grad_clip={c}: {m}",
        )  # fmt: skip


def test_gradients_are_averaged_not_summed(ex) -> None:
    """Two copies of one micro-batch move the weights as far as that micro-batch alone.

    Hint 1: k backward passes add k gradients.
    Hint 2: without dividing each loss by the number of micro-batches, the step is that
    many times too big.
    """
    batch = micro_batches(1, seed=5)
    assert_close(sgd_change(ex, batch * 2, 0.0), sgd_change(ex, batch, 0.0))


def test_steps_once_per_call(ex) -> None:
    """The optimizer steps once per call, not once per micro-batch.

    Hint 1: one call, one step.
    Hint 2: the optimizer step and the clipping belong after the loop over the
    micro-batches, not inside it.
    """
    model = Bigram()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    steps = []
    optimizer.register_step_post_hook(lambda *args: steps.append(1))
    ex.train_step(model, optimizer, micro_batches(3, seed=6), 1.0)
    assert len(steps) == 1, f"optimizer.step() ran {len(steps)} times for 3 micro-batches"


def test_gradients_are_zeroed_after_the_step(ex) -> None:
    """After the call no gradient is left over for the next step.

    Hint 1: the next call must start from clean gradients.
    Hint 2: end by asking the optimizer to zero its gradients; otherwise the next step
    adds its gradients to these ones.
    """
    model = Bigram()
    ex.train_step(model, torch.optim.SGD(model.parameters(), lr=0.1), micro_batches(2), 1.0)
    left = [n for n, p in model.named_parameters() if p.grad is not None and p.grad.any()]
    assert left == [], f"gradients still held by {left}"


def test_clipping_caps_the_gradient_norm(ex) -> None:
    """With grad_clip smaller than the gradient norm, the step uses a gradient of that norm.

    Hint 1: clip the global norm, over every parameter at once, after all the backward
    passes and before the step.
    Hint 2: torch's gradient-norm clipping utility does it when given all the parameters
    together; clipping one parameter at a time gives a different step.
    """
    batches = micro_batches(2, seed=7)
    grad = full_gradient(batches)
    clip = 0.25 * grad.norm().item()
    change = sgd_change(ex, batches, clip)
    assert math.isclose(change.norm().item(), clip, rel_tol=1e-5), (
        f"the step has norm {change.norm().item():.6f}, the clip is {clip:.6f}"
    )
    assert_close(change, grad * clip / grad.norm(), rtol=1e-5, atol=1e-8)


def test_no_clipping_when_grad_clip_is_zero(ex) -> None:
    """grad_clip = 0 leaves the gradients as they are.

    Hint 1: zero means no clipping at all.
    Hint 2: clip only when the limit is above zero; clipping to a norm of zero would wipe
    every gradient, and the model would never learn.
    """
    batches = micro_batches(2, seed=8)
    assert_close(sgd_change(ex, batches, 0.0), full_gradient(batches), rtol=1e-10, atol=1e-12)


def test_works_with_our_adamw_and_torchs(ex) -> None:
    """The same step with nlpjourney's AdamW and torch's AdamW gives the same weights.

    Hint 1: use only what every optimizer has: its parameter groups, its step and its
    zeroing of gradients.
    Hint 2: torch's optimizers have no parameters method; take the parameters to clip
    from the parameter groups, or from the model.
    """
    batches = micro_batches(3, seed=9)
    ours, theirs = Bigram(), Bigram()
    before = flat(ours)
    ex.train_step(ours, AdamW(ours.parameters(), lr=0.05, weight_decay=0.1), batches, 0.5)
    ex.train_step(
        theirs, torch.optim.AdamW(theirs.parameters(), lr=0.05, weight_decay=0.1), batches, 0.5
    )
    assert not torch.allclose(flat(ours), before), "the weights did not move"
    assert_close(flat(ours), flat(theirs), rtol=1e-10, atol=1e-12)
