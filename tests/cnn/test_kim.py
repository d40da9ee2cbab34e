"""Tests for nlpjourney.cnn.kim: the network equals the same network built from
``torch.nn.Conv1d`` (padding never counts), the classifier learns a tiny separable task,
starts from given vectors (static stays frozen), saves and loads to equal predictions,
finds each filter's top n-grams, and rejects bad input clearly."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch

from nlpjourney.cnn import KimCNN, KimConfig, KimNetwork, top_ngrams
from nlpjourney.cnn.kim import tokenize
from nlpjourney.embeddings import KeyedVectors
from nlpjourney.errors import ModelFormatError
from nlpjourney.ml import NotFittedError

POSITIVE = ["a good film", "a great story", "good acting and a great cast", "truly good",
            "great fun", "a good , great ride"]  # fmt: skip
NEGATIVE = ["a bad film", "an awful story", "bad acting and an awful cast", "truly bad",
            "awful mess", "a bad , awful ride"]  # fmt: skip
TEXTS, LABELS = POSITIVE + NEGATIVE, ["pos"] * 6 + ["neg"] * 6
TINY = KimConfig(embedding_dim=8, widths=(1, 2), filters=4, epochs=30, holdout=0.0, lr=0.05,
                 dropout=0.0, batch_size=4, device="cpu")  # fmt: skip


def test_kim_network_equals_torch_conv1d_network() -> None:
    """Our network's logits equal one written with torch.nn.Conv1d and a masked amax."""
    torch.manual_seed(0)
    network = KimNetwork(vocab=20, embedding_dim=6, widths=(2, 3), filters=5, classes=3,
                         dropout=0.0).double().eval()  # fmt: skip
    convs = [torch.nn.Conv1d(6, 5, w).double() for w in (2, 3)]
    for ours, theirs in zip(network.convs, convs, strict=True):
        theirs.load_state_dict(ours.state_dict())
    lengths = torch.tensor([5, 2, 1, 3])
    ids = torch.randint(2, 20, (4, 5))
    ids[torch.arange(5) >= lengths[:, None]] = 0
    logits = network(ids, lengths)
    x = network.embedding(ids).transpose(1, 2)
    pooled = []
    for width, conv in zip((2, 3), convs, strict=True):
        h = torch.relu(conv(x))
        windows = (lengths - width + 1).clamp(min=1)
        pooled.append(torch.stack([h[b, :, : windows[b]].amax(dim=1) for b in range(4)]))
    expected = network.out(torch.cat(pooled, dim=1))
    torch.testing.assert_close(logits, expected, rtol=1e-12, atol=1e-12)


def test_kim_padding_does_not_change_a_sentence_score() -> None:
    torch.manual_seed(1)
    network = KimNetwork(12, 4, (2, 3), 3, 2, dropout=0.0).eval()
    alone = network(torch.tensor([[3, 4, 5, 6]]), torch.tensor([4]))
    padded = network(torch.tensor([[3, 4, 5, 6, 0, 0, 0]]), torch.tensor([4]))
    torch.testing.assert_close(alone, padded)


def test_kim_learns_a_tiny_separable_task_and_saves(tmp_path: Path) -> None:
    model = KimCNN(TINY).fit(TEXTS, LABELS)
    assert model.predict(TEXTS).tolist() == LABELS
    unseen = ["good , great", "an awful , bad mess", "zzz unknown words"]
    assert model.predict(unseen)[:2].tolist() == ["pos", "neg"]
    probabilities = model.predict_proba(unseen)
    assert probabilities.shape == (3, 2) and np.allclose(probabilities.sum(1), 1)
    assert model.classes_.tolist() == ["neg", "pos"]
    loaded = KimCNN.load(model.save(tmp_path / "kim"), device="cpu")
    assert np.array_equal(loaded.predict_proba(unseen), probabilities)
    assert loaded.config == model.config


def test_kim_keeps_the_best_held_out_epoch() -> None:
    config = KimConfig(embedding_dim=8, widths=(1,), filters=4, epochs=6, holdout=0.25,
                       patience=2, lr=0.05, device="cpu")  # fmt: skip
    model = KimCNN(config).fit(TEXTS * 2, LABELS * 2)
    scores = [r["score"] for r in model.history_]
    assert 1 <= model.best_epoch_ <= len(scores) <= 6
    assert scores[model.best_epoch_ - 1] == max(scores)


def test_kim_starts_from_vectors_and_static_keeps_them() -> None:
    words = ["good", "bad", "film", "great"]
    vectors = KeyedVectors(words, np.arange(20, dtype=np.float32).reshape(4, 5) / 10)
    config = KimConfig(widths=(1, 2), filters=3, epochs=2, holdout=0.0, static=True,
                       device="cpu")  # fmt: skip
    model = KimCNN(config, vectors=vectors).fit(TEXTS, LABELS)
    table = model.network_.embedding.weight.detach()
    assert table.shape[1] == 5
    for word in words:
        assert torch.equal(table[model.words_.index(word)], torch.from_numpy(vectors[word]))
    assert torch.all(table[0] == 0)
    non_static = KimCNN(KimConfig(**{**config.__dict__, "static": False}), vectors=vectors)
    moved = non_static.fit(TEXTS, LABELS).network_.embedding.weight.detach()
    assert not torch.equal(moved[model.words_.index("good")], torch.from_numpy(vectors["good"]))


def test_kim_top_ngrams_are_the_strongest_windows() -> None:
    model = KimCNN(TINY).fit(TEXTS, LABELS)
    found = top_ngrams(model, TEXTS, n=3)
    assert [(f.width, f.filter) for f in found] == [(1, f) for f in range(4)] + [
        (2, f) for f in range(4)
    ]
    network = model.network_
    for entry in found:
        k = network.widths.index(entry.width)
        conv = network.convs[k]
        grams = {" ".join(s[t : t + entry.width]) for s in map(tokenize, TEXTS)
                 for t in range(len(s) - entry.width + 1)}  # fmt: skip
        with torch.no_grad():
            value = {g: float(torch.relu(conv(network.embedding(torch.tensor(
                [[model.words_.index(w) for w in g.split()]])).transpose(1, 2)))[0, entry.filter, 0])
                for g in grams}  # fmt: skip
        best = sorted(value.values(), reverse=True)[:3]
        assert [a for _, a in entry.ngrams] == pytest.approx(best, rel=1e-5)
        assert len({g for g, _ in entry.ngrams}) == 3


def test_kim_top_ngrams_of_chosen_filters_only() -> None:
    model = KimCNN(TINY).fit(TEXTS, LABELS)
    found = top_ngrams(model, TEXTS, n=2, filters=[3])
    assert [(f.width, f.filter) for f in found] == [(1, 3), (2, 3)]
    with pytest.raises(ValueError, match="indices from 0 to 3"):
        top_ngrams(model, TEXTS, filters=[4])


def test_kim_tokenize_splits_clitics_and_punctuation() -> None:
    assert tokenize("Isn't it GREAT?!") == ["is", "n't", "it", "great", "?", "!"]


@pytest.mark.parametrize(
    ("call", "error", "words"),
    [
        (lambda: KimConfig(widths=()), ValueError, "widths"),
        (lambda: KimConfig(filters=0), ValueError, "filters must be a positive int"),
        (lambda: KimConfig(optimizer="sgd"), ValueError, "'adam' or 'adadelta'"),
        (lambda: KimCNN(TINY).fit("one text", ["pos"]), TypeError, "not one string"),
        (lambda: KimCNN(TINY).fit(["a", "b"], ["pos"]), ValueError, "2 texts but 1 labels"),
        (lambda: KimCNN(TINY).fit(["a", "b"], ["pos", "pos"]), ValueError, "two classes"),
        (lambda: KimCNN(TINY).fit([1, "b"], ["pos", "neg"]), TypeError, "text 0 is a int"),
        (lambda: KimCNN(TINY, vectors={"a": 1}).fit(["a", "b"], [0, 1]), TypeError,
         "KeyedVectors"),
        (lambda: KimCNN(TINY).predict(["a"]), NotFittedError, "not fitted"),
    ],
)  # fmt: skip
def test_kim_bad_input_raises_clear_errors(call, error: type, words: str) -> None:
    with pytest.raises(error, match=words):
        call()


def test_kim_load_refuses_a_damaged_folder(tmp_path: Path) -> None:
    with pytest.raises(ModelFormatError, match="no such folder"):
        KimCNN.load(tmp_path / "missing")
    folder = KimCNN(TINY).fit(TEXTS, LABELS).save(tmp_path / "kim")
    (folder / "weights.npz").write_bytes(b"not a zip")
    with pytest.raises(ModelFormatError, match="not readable"):
        KimCNN.load(folder)
