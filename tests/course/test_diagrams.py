"""The lessons' diagrams draw, carry their labels, and save as pictures."""

from __future__ import annotations

from pathlib import Path

import pytest
from matplotlib.figure import Figure

from nlpjourney.autograd import Value
from nlpjourney.course import diagrams


def texts(figure: Figure) -> str:
    """Every piece of text in a figure (axes texts, tick labels, legends, titles), joined."""
    return "\n".join(t.get_text() for t in figure.findobj(lambda a: hasattr(a, "get_text")))


def test_diagrams_transformer_block_labels_its_parts_in_pre_norm_order(tmp_path: Path) -> None:
    figure = diagrams.transformer_block()
    order = [
        t.get_text().split("\n")[0]
        for t in sorted(figure.axes[0].texts, key=lambda t: t.get_position()[0])
        if t.get_position()[1] == 0.0  # the main line, not the residual labels
    ]
    assert order == ["x", "LayerNorm", "multi-head", "+", "LayerNorm", "MLP", "+", "out"]
    assert texts(figure).count("residual") == 2
    figure.savefig(tmp_path / "block.png", dpi=60)
    assert (tmp_path / "block.png").stat().st_size > 1000


@pytest.mark.parametrize("n_layers", [1, 3])
def test_diagrams_encoder_decoder_has_a_cross_attention_per_decoder_layer(n_layers: int) -> None:
    figure = diagrams.encoder_decoder(n_layers)
    text = texts(figure)
    assert text.count("cross-attention") == n_layers
    assert text.count("keys, values") == n_layers  # one memory arrow into each of them
    assert "memory" in text and "masked self-attention" in text


def test_diagrams_encoder_decoder_refuses_a_stack_too_tall_to_read() -> None:
    with pytest.raises(ValueError, match="n_layers"):
        diagrams.encoder_decoder(9)


def test_diagrams_causal_mask_grid_marks_the_future() -> None:
    tokens = ["the", "cat", "sat", "down"]
    text = texts(diagrams.causal_mask_grid(tokens))
    assert text.count("✓") == 4 * 5 // 2  # the lower triangle, diagonal included
    assert text.count("−∞") >= 4 * 3 // 2
    assert all(token in text for token in tokens)
    with pytest.raises(ValueError, match="2 to 16"):
        diagrams.causal_mask_grid(["alone"])


def test_diagrams_bpe_merge_steps_apply_the_lowest_rank_first() -> None:
    merges = [(b"w", b"e"), (b"l", b"o"), (b"lo", b"we"), (b"e", b"r")]
    steps = diagrams.bpe_merge_steps("lower", merges)
    assert [tokens for tokens, _ in steps] == [
        [b"l", b"o", b"w", b"e", b"r"],
        [b"l", b"o", b"we", b"r"],  # rank 0 first, so "e r" never forms
        [b"lo", b"we", b"r"],
        [b"lowe", b"r"],
    ]
    assert [rule for _, rule in steps] == [
        None,
        (0, b"w", b"e"),
        (1, b"l", b"o"),
        (2, b"lo", b"we"),
    ]


def test_diagrams_bpe_merging_shows_each_rule() -> None:
    merges = [(b"a", b"a"), (b"aa", b"b")]
    text = texts(diagrams.bpe_merging(" aab", merges))
    assert "merge #0: a + a" in text and "merge #1: aa + b" in text
    assert "␣" in text  # the leading space is visible


def test_diagrams_computation_graph_draws_without_graphviz() -> None:
    a, b = Value(2.0, label="a"), Value(-3.0, label="b")
    out = (a * b).tanh()
    out.backward()
    figure = diagrams.computation_graph(out)
    text = texts(figure)
    assert isinstance(figure, Figure)
    assert "a\ndata 2.0000" in text and "tanh" in text and "backward" in text


def test_diagrams_kv_cache_growth_fills_each_layer_up_to_the_step() -> None:
    figure = diagrams.kv_cache_growth(4, capacity=7, layers=("0", "1"))
    text = texts(figure)
    for layer in ("layer 0", "layer 1"):
        assert layer in text
    # keys and values of positions 0..4 are labelled in each layer, none after
    assert text.count("k4") == 2 and text.count("v0") == 2 and "k5" not in text
    assert text.count("q4") == 2 and "written at step 4" in text
    with pytest.raises(ValueError, match="capacity"):
        diagrams.kv_cache_growth(7, capacity=7)
