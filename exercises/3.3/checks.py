"""Checks for exercise 3.3, run by ``journey check 3.3``.

Each check calls the learner's functions through the ``ex`` fixture. The expected values
come from ``torch.nn.LSTMCell`` holding the same weights (values) and from torch's
autograd through it (gradients), in float64, on cells and batches of random sizes drawn
fresh each run (``rng``), beside small cases worked out by hand and the central
difference formula written here. With ``--exercise reference`` the same checks grade the
library, ``nlpjourney.rnn.numpy_lstm``.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch

REFERENCE = "nlpjourney.rnn.numpy_lstm"
# What the learner may not use: the model answer, and the library that answers it.
FORBIDDEN = ("nlpjourney", "torch", "jax", "autograd", "scipy")

NAMES = ("x", "h", "c", "W_ih", "W_hh", "b_ih", "b_hh")


def random_cell(rng, batch=None, input_size=None, hidden=None):
    """A cell's inputs and weights, sizes drawn from ``rng`` unless given; ``batch=0``
    gives one example (x, h and c without the batch axis)."""
    batch = int(rng.integers(1, 6)) if batch is None else batch
    input_size = int(rng.integers(1, 6)) if input_size is None else input_size
    hidden = int(rng.integers(1, 5)) if hidden is None else hidden
    lead = (batch,) if batch else ()
    return {
        "x": rng.normal(size=(*lead, input_size)),
        "h": rng.normal(size=(*lead, hidden)),
        "c": rng.normal(size=(*lead, hidden)) * 1.5,
        "W_ih": rng.normal(size=(4 * hidden, input_size)),
        "W_hh": rng.normal(size=(4 * hidden, hidden)),
        "b_ih": rng.normal(size=4 * hidden),
        "b_hh": rng.normal(size=4 * hidden),
    }


def torch_cell(args, dh=None, dc=None):
    """torch.nn.LSTMCell with these weights: ``(h_new, c_new)``, and with upstream
    gradients ``dh``, ``dc`` also autograd's gradient of every input, by name."""
    hidden, input_size = args["W_hh"].shape[1], args["W_ih"].shape[1]
    cell = torch.nn.LSTMCell(input_size, hidden, dtype=torch.float64)
    with torch.no_grad():
        cell.weight_ih.copy_(torch.tensor(args["W_ih"]))
        cell.weight_hh.copy_(torch.tensor(args["W_hh"]))
        cell.bias_ih.copy_(torch.tensor(args["b_ih"]))
        cell.bias_hh.copy_(torch.tensor(args["b_hh"]))
    x, h, c = (torch.tensor(args[k], requires_grad=True) for k in ("x", "h", "c"))
    h_new, c_new = cell(x, (h, c))
    values = h_new.detach().numpy(), c_new.detach().numpy()
    if dh is None:
        return values
    loss = (h_new * torch.tensor(dh)).sum() + (c_new * torch.tensor(dc)).sum()
    leaves = [x, h, c, cell.weight_ih, cell.weight_hh, cell.bias_ih, cell.bias_hh]
    grads = torch.autograd.grad(loss, leaves)
    return values, {name: g.numpy() for name, g in zip(NAMES, grads, strict=True)}


def assert_close(result, expected, name, rtol=1e-9, atol=1e-11) -> None:
    result = np.asarray(result)
    assert result.shape == np.shape(expected), (
        f"{name} should have shape {np.shape(expected)}, got {result.shape}"
    )
    np.testing.assert_allclose(result, expected, rtol=rtol, atol=atol, err_msg=name)


def learner_grads(ex, dh, dc, args):
    grads = ex.lstm_cell_backward(dh, dc, **args)
    assert len(grads) == 7, "return seven gradients: dx, dh, dc, dW_ih, dW_hh, db_ih, db_hh"
    return dict(zip(NAMES, grads, strict=True))


def test_lstm_cell_forward_worked_examples(ex) -> None:
    """lstm_cell_forward on zero weights, and on a cell whose gates are pinned open or shut.

    Hint 1: with zero weights every sigmoid gate is one half and the candidate is zero;
    the new cell is half the old one.
    Hint 2: if the pinned cell fails, check the gate order: the rows of the weights are
    stacked input, forget, candidate, output; a huge positive bias drives a sigmoid to one.
    """
    c = np.array([[0.8, -2.0, 0.0]])
    zeros = {"x": np.ones((1, 2)), "h": np.ones((1, 3)), "c": c, "W_ih": np.zeros((12, 2)),
             "W_hh": np.zeros((12, 3)), "b_ih": np.zeros(12), "b_hh": np.zeros(12)}  # fmt: skip
    h_new, c_new = ex.lstm_cell_forward(**zeros)
    assert_close(c_new, c / 2, "c_new with zero weights")
    assert_close(h_new, np.tanh(c / 2) / 2, "h_new with zero weights")
    # input gate shut, forget gate open, output gate open: the cell keeps its memory
    pinned = dict(zeros, b_ih=np.repeat([-40.0, 40.0, 0.0, 40.0], 3), b_hh=np.full(12, 0.5))
    h_new, c_new = ex.lstm_cell_forward(**pinned)
    assert_close(c_new, c, "c_new with the input gate shut and the forget gate open")
    assert_close(h_new, np.tanh(c), "h_new with the output gate open")


def test_lstm_cell_forward_equals_torch(ex, rng) -> None:
    """lstm_cell_forward equals torch.nn.LSTMCell with the same weights, on random batches.

    Hint 1: all four gates come from one affine map of the input and the previous hidden
    state; both biases are added.
    Hint 2: split the map's last axis into four equal blocks, in the order input, forget,
    candidate, output; only the candidate uses tanh.
    """
    for _ in range(3):
        args = random_cell(rng)
        h_new, c_new = ex.lstm_cell_forward(**args)
        want_h, want_c = torch_cell(args)
        sizes = (
            f"batch {args['x'].shape[0]}, input {args['x'].shape[1]}, hidden {args['h'].shape[1]}"
        )
        assert_close(c_new, want_c, f"c_new ({sizes})")
        assert_close(h_new, want_h, f"h_new ({sizes})")


def test_lstm_cell_forward_one_example(ex, rng) -> None:
    """lstm_cell_forward takes one example without a batch axis, as torch's cell does.

    Hint 1: a vector times a transposed matrix is a vector; nothing needs a batch axis.
    Hint 2: split the gates along the last axis, whatever the number of axes.
    """
    args = random_cell(rng, batch=0)
    h_new, c_new = ex.lstm_cell_forward(**args)
    want_h, want_c = torch_cell(args)
    assert_close(c_new, want_c, "c_new for one example")
    assert_close(h_new, want_h, "h_new for one example")


def test_lstm_cell_forward_refuses_shapes_that_do_not_fit(ex, rng) -> None:
    """lstm_cell_forward raises ValueError for weights, biases or states of the wrong shape.

    Hint 1: read the hidden size from the input weights (a quarter of their rows), then
    compare every other shape with what that size and the input size require.
    Hint 2: a row count that is not a multiple of four, a recurrent matrix or a bias of
    another size, an input or state of another width, a cell state unlike the hidden
    state, or two batch sizes: each is a ValueError.
    """
    args = random_cell(rng, batch=2, input_size=3, hidden=2)
    bad = [{"W_ih": np.zeros((7, 3))}, {"W_hh": np.zeros((8, 3))}, {"W_hh": np.zeros((4, 2))},
           {"b_ih": np.zeros(4)}, {"b_hh": np.zeros(9)}, {"x": np.zeros((2, 4))},
           {"h": np.zeros((2, 3))}, {"c": np.zeros((3, 2))},
           {"x": np.zeros((3, 3)), "h": np.zeros((2, 2)), "c": np.zeros((2, 2))}]  # fmt: skip
    for change in bad:
        with pytest.raises(ValueError):
            ex.lstm_cell_forward(**{**args, **change})
            shapes = {k: v.shape for k, v in change.items()}
            pytest.fail(f"no ValueError for {shapes}")


def test_lstm_cell_backward_worked_example(ex) -> None:
    """lstm_cell_backward on zero weights: the gradient reaches the old cell through the forget gate.

    Hint 1: with no gradient on the hidden state, the loss sees the old cell only through
    the new cell, which keeps the forget gate's share of it.
    Hint 2: the old cell's gradient is the new cell's gradient times the forget gate.
    """
    c = np.array([[0.8, -2.0, 0.0]])
    zeros = {"x": np.ones((1, 2)), "h": np.ones((1, 3)), "c": c, "W_ih": np.zeros((12, 2)),
             "W_hh": np.zeros((12, 3)), "b_ih": np.zeros(12), "b_hh": np.zeros(12)}  # fmt: skip
    grads = learner_grads(ex, np.zeros((1, 3)), np.ones((1, 3)), zeros)
    assert_close(grads["c"], np.full((1, 3), 0.5), "dc")
    _, want = torch_cell(zeros, np.zeros((1, 3)), np.ones((1, 3)))
    for name in NAMES:
        assert_close(grads[name], want[name], f"d{name} (torch's autograd)")


def test_lstm_cell_backward_equals_autograd(ex, rng) -> None:
    """lstm_cell_backward equals torch's autograd for all seven inputs, on random batches.

    Hint 1: go through the forward's lines in reverse; the new cell gets gradient both
    from its own upstream gradient and from the new hidden state.
    Hint 2: stack the four gates' pre-activation gradients in the gate order; from that
    one block, the weight gradients are its transpose times the input (or previous hidden
    state), the biases sum it over the batch, and the input gradient multiplies it back
    through the weights.
    """
    for _ in range(3):
        args = random_cell(rng)
        dh, dc = rng.normal(size=args["h"].shape), rng.normal(size=args["h"].shape)
        grads = learner_grads(ex, dh, dc, args)
        _, want = torch_cell(args, dh, dc)
        sizes = (
            f"batch {args['x'].shape[0]}, input {args['x'].shape[1]}, hidden {args['h'].shape[1]}"
        )
        for name in NAMES:
            assert_close(grads[name], want[name], f"d{name} ({sizes})")


def test_lstm_cell_backward_each_output_alone(ex, rng) -> None:
    """lstm_cell_backward with a gradient on the hidden state only, then on the cell only.

    Hint 1: the two upstream gradients are separate paths; a gradient on the new cell
    alone never touches the output gate.
    Hint 2: the gradient on the new hidden state reaches the new cell through the output
    gate and the derivative of tanh; add it to the cell's own upstream gradient.
    """
    args = random_cell(rng, batch=3)
    upstream = rng.normal(size=args["h"].shape)
    zero = np.zeros_like(upstream)
    for dh, dc, which in [(upstream, zero, "only dh_new"), (zero, upstream, "only dc_new")]:
        grads = learner_grads(ex, dh, dc, args)
        _, want = torch_cell(args, dh, dc)
        for name in NAMES:
            assert_close(grads[name], want[name], f"d{name} with {which}")


def test_lstm_cell_backward_one_example(ex, rng) -> None:
    """lstm_cell_backward for one example without a batch axis: the weight gradients are outer products.

    Hint 1: with one example, a weight's gradient is the outer product of the gates'
    gradient and the input.
    Hint 2: treat one example as a batch of one when you form the weight gradients, and
    return the others without a batch axis.
    """
    args = random_cell(rng, batch=0)
    dh, dc = rng.normal(size=args["h"].shape), rng.normal(size=args["h"].shape)
    grads = learner_grads(ex, dh, dc, args)
    _, want = torch_cell(args, dh, dc)
    for name in NAMES:
        assert_close(grads[name], want[name], f"d{name} for one example")
    with pytest.raises(ValueError):
        ex.lstm_cell_backward(np.zeros(args["h"].size + 1), dc, **args)
    with pytest.raises(ValueError):
        ex.lstm_cell_backward(dh, np.zeros((2, args["h"].size)), **args)


def central_differences(f, x, eps):
    numeric = np.zeros(x.shape)
    for k in np.ndindex(x.shape):
        step = np.zeros(x.shape)
        step[k] = eps
        numeric[k] = (f(x + step) - f(x - step)) / (2 * eps)
    return numeric


def relative_error(grad, numeric):
    scale = np.linalg.norm(grad) + np.linalg.norm(numeric)
    return 0.0 if scale == 0 else np.linalg.norm(grad - numeric) / scale


def test_gradient_check_worked_examples(ex) -> None:
    """gradient_check on sums and cubes, where the central difference is known exactly.

    Hint 1: perturb one entry at a time, up and down by the step, and divide the change
    in the function by twice the step.
    Hint 2: the error is the norm of the difference over the sum of the two norms; a
    one-sided difference is off by a term proportional to the step, which the cube shows.
    """
    x = np.array([[1.0, -2.0], [0.5, 3.0]])
    kept = x.copy()

    def total(v):
        return float(np.sum(v))

    def cubes(v):
        return float(np.sum(v**3))

    assert abs(ex.gradient_check(total, x, np.ones((2, 2)))) < 1e-8, "the right gradient of sum"
    assert ex.gradient_check(total, x, -np.ones((2, 2))) == pytest.approx(1.0, abs=1e-8)
    assert ex.gradient_check(lambda v: 0.0, x, np.zeros((2, 2))) == 0.0, "both gradients zero"
    # the central difference of v**3 is 3 v**2 + eps**2 exactly: only that error remains
    for eps in (1e-2, 1e-3):
        want = relative_error(3 * x**2, 3 * x**2 + eps**2)
        got = ex.gradient_check(cubes, x, 3 * x**2, eps=eps)
        assert got == pytest.approx(want, rel=1e-3), f"x cubed with eps={eps}"
    np.testing.assert_array_equal(x, kept, err_msg="gradient_check changed the caller's x")
    with pytest.raises(ValueError):
        ex.gradient_check(total, x, np.ones(4))


def test_gradient_check_on_an_lstm_cell(ex, rng) -> None:
    """gradient_check finds autograd's LSTM gradients right and a slightly wrong one wrong.

    Hint 1: the function checked returns one number for the whole array; the error must
    be tiny for a right gradient and large for a wrong one.
    Hint 2: compare with the central differences and the relative error defined in the
    docstring, on the whole array at once rather than entry by entry.
    """
    args = random_cell(rng, batch=2)
    dh, dc = rng.normal(size=args["h"].shape), rng.normal(size=args["h"].shape)
    _, want = torch_cell(args, dh, dc)
    for name in ("W_hh", "c", "b_ih"):

        def loss(value, name=name):
            h_new, c_new = torch_cell({**args, name: value})
            return float(np.sum(dh * h_new) + np.sum(dc * c_new))

        numeric = central_differences(loss, args[name], 1e-6)
        error = ex.gradient_check(loss, args[name], want[name])
        assert error < 1e-7, f"the right gradient of {name} gave a relative error of {error:.2g}"
        wrong = want[name].copy()
        wrong.flat[0] += 0.5
        expected = relative_error(wrong, numeric)
        got = ex.gradient_check(loss, args[name], wrong)
        assert got == pytest.approx(expected, rel=1e-4), f"a wrong gradient of {name}"
