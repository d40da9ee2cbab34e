"""GloVe: the counts by hand, the weighting and gradient by formula and autograd, and
(slow) neighbours that make sense on real text."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from nlpjourney.embeddings import GloVe, cooccurrence, english_sentences
from nlpjourney.embeddings import glove as glove_module
from nlpjourney.embeddings.glove import glove_loss_and_grads, glove_weight, vocabulary


def test_glove_cooccurrence_counts_a_hand_checked_text() -> None:
    vocab = {"a": 0, "b": 1, "c": 2}
    # "x" is not in the vocabulary: dropped before the window, so "a" and "b" are 1 apart.
    # The second sentence must not pair with the first across the boundary.
    counts = cooccurrence([["a", "x", "b", "c"], ["c", "a"]], vocab, window=2).toarray()
    expected = np.array(
        [
            [0.0, 1.0, 0.5 + 1.0],  # a-b at 1; a-c at 2 (first), at 1 (second)
            [1.0, 0.0, 1.0],  # b-c at 1
            [1.5, 1.0, 0.0],
        ]
    )
    np.testing.assert_allclose(counts, expected)
    uniform = cooccurrence([["a", "x", "b", "c"], ["c", "a"]], vocab, window=2, harmonic=False)
    np.testing.assert_allclose(uniform.toarray(), [[0, 1, 2], [1, 0, 1], [2, 1, 0]])


def test_glove_cooccurrence_counts_a_word_with_itself_and_keeps_the_window() -> None:
    counts = cooccurrence([["a", "a", "b", "a"]], {"a": 0, "b": 1}, window=1).toarray()
    # a-a adjacent once (both directions add to the diagonal), a-b twice, b-a twice.
    np.testing.assert_allclose(counts, [[2.0, 2.0], [2.0, 0.0]])


def test_glove_cooccurrence_is_the_same_in_chunks(monkeypatch: pytest.MonkeyPatch) -> None:
    rng = np.random.default_rng(0)
    words = [f"w{i}" for i in range(30)]
    text = [list(rng.choice(words, size=rng.integers(1, 15))) for _ in range(200)]
    vocab = {w: i for i, w in enumerate(words[:25])}
    whole = cooccurrence(text, vocab, window=4)
    monkeypatch.setattr(glove_module, "CHUNK_TOKENS", 7)
    chunked = cooccurrence(text, vocab, window=4)
    np.testing.assert_allclose(chunked.toarray(), whole.toarray())
    assert chunked.shape == (25, 25)
    np.testing.assert_allclose(whole.toarray(), whole.toarray().T)


def test_glove_weight_follows_the_formula_and_caps_at_one() -> None:
    counts = np.array([0.5, 10.0, 100.0, 1000.0])
    np.testing.assert_allclose(glove_weight(counts, 100, 0.75), [(0.005) ** 0.75, 0.1**0.75, 1, 1])
    as_tensor = glove_weight(torch.tensor(counts), 100, 0.75)
    np.testing.assert_allclose(as_tensor.numpy(), glove_weight(counts, 100, 0.75))


def test_glove_loss_and_grads_match_autograd() -> None:
    gen = torch.Generator().manual_seed(0)
    size, dim = 6, 4
    params = [torch.randn(size, dim, generator=gen, dtype=torch.float64) for _ in range(2)]
    params += [torch.randn(size, generator=gen, dtype=torch.float64) for _ in range(2)]
    rows = torch.tensor([0, 1, 1, 3, 5, 0])  # repeated words: their gradients add up
    cols = torch.tensor([2, 2, 4, 0, 5, 2])
    counts = torch.tensor([1.0, 3.5, 150.0, 0.25, 40.0, 7.0], dtype=torch.float64)
    loss, *grads = glove_loss_and_grads(*params, rows, cols, counts, 100.0, 0.75)

    leaves = [p.clone().requires_grad_() for p in params]
    w, c, b, bc = leaves
    diff = (w[rows] * c[cols]).sum(1) + b[rows] + bc[cols] - counts.log()
    weight = torch.clamp((counts / 100.0) ** 0.75, max=1.0)
    reference = 0.5 * (weight * diff**2).sum()
    reference.backward()
    assert loss == pytest.approx(reference.item(), rel=1e-12)
    for leaf, grad, index in zip(leaves, grads, (rows, cols, rows, cols), strict=True):
        summed = torch.zeros_like(leaf).index_add_(0, index, grad)
        torch.testing.assert_close(summed, leaf.grad)


TEXT = [["the", "cat", "sat", "on", "the", "mat"], ["the", "dog", "sat", "on", "the", "rug"]] * 30


def test_glove_is_deterministic_for_a_seed() -> None:
    first = GloVe(vector_size=8, window=3, min_count=1, epochs=3, seed=7).fit(TEXT)
    again = GloVe(vector_size=8, window=3, min_count=1, epochs=3, seed=7).fit(TEXT)
    other = GloVe(vector_size=8, window=3, min_count=1, epochs=3, seed=8).fit(TEXT)
    np.testing.assert_array_equal(first.wv.vectors, again.wv.vectors)
    assert not np.allclose(first.wv.vectors, other.wv.vectors)
    assert first.wv.index_to_key[0] == "the"  # most frequent first
    assert first.wv.vectors.dtype == np.float32


def test_glove_loss_falls_over_epochs() -> None:
    model = GloVe(vector_size=10, window=3, min_count=1, epochs=30, batch_size=8).fit(TEXT)
    assert model.losses_[-1] < 0.5 * model.losses_[0]
    assert model.counts_.shape == (len(model.wv), len(model.wv))


def test_glove_refuses_one_pass_iterators_and_bad_settings() -> None:
    with pytest.raises(TypeError, match="one-pass iterator"):
        GloVe(min_count=1).fit(iter(TEXT))
    with pytest.raises(ValueError, match="vector_size"):
        GloVe(vector_size=0)
    with pytest.raises(ValueError, match="x_max"):
        GloVe(x_max=-1.0)
    with pytest.raises(ValueError, match="no word occurs 500 times"):
        GloVe(min_count=500).fit(TEXT)


def test_glove_vocabulary_orders_by_count_then_first_seen() -> None:
    found = vocabulary([["b", "c", "a"], ["a", "c", "d"]], min_count=1)
    assert found.words == ["c", "a", "b", "d"]
    assert found.counts.tolist() == [2, 2, 1, 1]
    assert found.total == 6


class _Corpus:
    def __iter__(self):  # noqa: ANN204
        return english_sentences("inaugural+state_union")


@pytest.mark.slow
def test_glove_learns_sensible_neighbours_on_real_text() -> None:
    model = GloVe(vector_size=50, window=8, min_count=10, epochs=15, seed=1).fit(_Corpus())
    wv = model.wv
    assert model.losses_[-1] < model.losses_[0]
    months = {"february", "march", "april", "june", "july", "october", "november", "december"}
    close = {w for w, _ in wv.most_similar("january", topn=10)}
    assert len(close & months) >= 3, close
    close = {w for w, _ in wv.most_similar("tax", topn=10)}
    assert len(close & {"taxes", "cut", "cuts", "credit", "reduction", "rates"}) >= 3, close
