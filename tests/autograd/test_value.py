"""Tests for nlpjourney.autograd.value and graph: the scalar engine against PyTorch, and pictures.

Each expression is written once as a function of its inputs and run on our Values and on
0-dimensional float64 torch tensors; the output and every input's gradient must agree.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import matplotlib
import pytest
import torch

from nlpjourney.autograd import Tensor, Value, draw_graph
from nlpjourney.autograd.graph import graphviz_available, node_label

matplotlib.use("Agg")

EXPRESSIONS: dict[str, tuple[Callable, tuple[float, ...]]] = {
    "reuse": (lambda a, b: a * b + a, (2.0, -3.0)),
    "polynomial": (lambda a, b: a**3 - 2 * a * b + b**2 / 4 + 1, (1.5, -0.5)),
    "division": (lambda a, b: (a + 1) / (b - 2) - 3 / a, (1.5, -0.5)),
    "numbers_left": (lambda a, b: 2 - a + 3 * b - 1 / b, (0.7, 1.3)),
    "tanh_neuron": (lambda a, b: (a * 0.5 + b * -1.5 + 0.1).tanh(), (0.3, -0.8)),
    "exp_log": (lambda a, b: (a.exp() + b * b).log(), (0.2, -1.1)),
    "relu_sigmoid": (lambda a, b: a.relu() * b.sigmoid() + b.relu(), (1.2, -0.4)),
    "power_of_values": (lambda a, b: a**b + 2**a, (1.7, 0.6)),
    "deep_reuse": (lambda a, b: _reuse_chain(a, b), (0.9, 0.4)),
}


def _reuse_chain(a, b):
    """micrograd's test expression: nodes reused many times at several depths."""
    c = a + b
    d = a * b + b**3
    c = c + c + 1
    c = c + 1 + c + (-a)
    d = d + d * 2 + (b + a).relu()
    d = d + 3 * d + (b - a).relu()
    e = c - d
    f = e**2
    g = f / 2.0
    return g + 10.0 / f


@pytest.mark.parametrize("name", sorted(EXPRESSIONS))
def test_value_matches_torch_values_and_gradients(name) -> None:
    fn, inputs = EXPRESSIONS[name]
    ours = [Value(x) for x in inputs]
    theirs = [torch.tensor(x, dtype=torch.float64, requires_grad=True) for x in inputs]
    out = fn(*ours)
    expected = fn(*theirs)
    out.backward()
    expected.backward()
    assert out.data == pytest.approx(expected.item(), rel=1e-12)
    for v, t in zip(ours, theirs, strict=True):
        assert v.grad == pytest.approx(t.grad.item(), rel=1e-10, abs=1e-12)


def test_value_reused_node_accumulates_gradient() -> None:
    a = Value(3.0)
    b = a + a  # db/da = 2
    b.backward()
    assert a.grad == 2.0


def test_value_zero_grad_resets_the_graph() -> None:
    a, b = Value(2.0), Value(5.0)
    c = a * b
    c.backward()
    c.zero_grad()
    assert (a.grad, b.grad, c.grad) == (0.0, 0.0, 0.0)
    c.backward()
    assert (a.grad, b.grad) == (5.0, 2.0)


def test_value_deep_chain_does_not_hit_recursion_limit() -> None:
    x = Value(0.0)
    y = x
    for _ in range(50_000):
        y = y + 1
    y.backward()
    assert x.grad == 1.0 and y.data == 50_000


def test_value_sigmoid_is_finite_for_huge_inputs() -> None:
    assert Value(-1000.0).sigmoid().data == 0.0
    assert Value(1000.0).sigmoid().data == 1.0


def test_value_bad_input_messages() -> None:
    with pytest.raises(TypeError, match="takes an int or float, got str"):
        Value("1")
    with pytest.raises(TypeError, match="combines with numbers and Values, not list"):
        Value(1.0) + [1]
    with pytest.raises(ValueError, match="log needs a positive number, got -1.0"):
        Value(-1.0).log()
    with pytest.raises(ValueError, match="positive number as base"):
        (-2) ** Value(1.0)


def test_value_repr_shows_label_data_and_grad() -> None:
    assert repr(Value(math.pi, label="x")) == "Value(x=3.142, grad=0)"


# --- pictures --------------------------------------------------------------------------


def test_graph_draws_value_graph_as_png(tmp_path) -> None:
    a, b = Value(2.0, label="a"), Value(-3.0, label="b")
    out = (a * b + a).tanh()
    out.backward()
    figure = draw_graph(out, backend="matplotlib")
    path = tmp_path / "graph.png"
    figure.savefig(path)
    assert path.stat().st_size > 5_000
    texts = [t.get_text() for t in figure.axes[0].texts if t.get_text()]  # not arrows
    assert len(texts) == 5  # a, b, a*b, a*b + a, tanh
    assert "a\ndata 2.0000\ngrad -0.0027" in texts  # d tanh(ab + a)/da = (1 - tanh^2)(b + 1)
    assert "b\ndata -3.0000\ngrad 0.0027" in texts
    assert "tanh\ndata -0.9993\ngrad 1.0000" in texts


def test_graph_labels_tensor_nodes_by_shape() -> None:
    x = Tensor([[1.0, 2.0]], requires_grad=True)
    y = (x * 2).sum()
    y.backward()
    assert node_label(x) == "input\nshape (1, 2)\ngrad |g| 2.83"
    assert node_label(y) == "sum\ndata 6.0000\ngrad none"
    texts = [t.get_text() for t in draw_graph(y, backend="matplotlib").axes[0].texts]
    assert sorted(filter(None, texts)) == sorted(
        node_label(n) for n in (x, y, y._parents[0], y._parents[0]._parents[1])
    )


@pytest.mark.skipif(not graphviz_available(), reason="graphviz is an optional extra")
def test_graph_graphviz_backend_makes_a_digraph() -> None:
    out = Value(2.0) * Value(3.0)
    assert "->" in draw_graph(out, backend="graphviz").source


def test_graph_rejects_other_objects() -> None:
    with pytest.raises(TypeError, match="takes a Value or a Tensor, got float"):
        draw_graph(1.0)


def test_value_negative_base_needs_whole_exponent() -> None:
    assert (Value(-2.0) ** 3).data == -8.0
    with pytest.raises(ValueError, match="negative base needs a whole exponent"):
        Value(-8.0) ** (1 / 3)


@pytest.mark.skipif(graphviz_available(), reason="checks the message shown without graphviz")
def test_graph_graphviz_backend_without_graphviz_says_what_to_install() -> None:
    with pytest.raises(ValueError, match="needs the graphviz package.*backend='matplotlib'"):
        draw_graph(Value(1.0) * 2, backend="graphviz")
