"""Tests for nlpjourney.cnn.labeller: the CNN labeller (with and without its BiLSTM) learns
a tiny tagging task, tags a sentence the same alone or in a padded batch, saves and loads
to equal tags, and rejects bad input clearly."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch

from nlpjourney.cnn import CNNLabeller
from nlpjourney.errors import ModelFormatError
from nlpjourney.ml import NotFittedError

SENTENCES = [["the", "dog", "runs"], ["a", "cat", "sleeps", "here"], ["the", "big", "dog"],
             ["dogs", "run"], ["a", "small", "cat", "runs", "away"]]  # fmt: skip
TAGS = [["DET", "NOUN", "VERB"], ["DET", "NOUN", "VERB", "ADV"], ["DET", "ADJ", "NOUN"],
        ["NOUN", "VERB"], ["DET", "ADJ", "NOUN", "VERB", "ADV"]]  # fmt: skip
TINY = {"embedding_dim": 16, "char_dim": 8, "char_filters": 8, "filters": 16, "epochs": 40,
        "lr": 0.02, "dropout": 0.0, "batch_size": 2, "device": "cpu"}  # fmt: skip


@pytest.mark.parametrize("lstm", [0, 8])
def test_labeller_learns_a_tiny_tagging_task(lstm: int) -> None:
    labeller = CNNLabeller(lstm=lstm, **TINY).fit(SENTENCES, TAGS)
    assert labeller.predict(SENTENCES) == TAGS
    assert labeller.predict([["the", "small", "dog", "sleeps"], []]) == [
        ["DET", "ADJ", "NOUN", "VERB"], []]  # fmt: skip


def test_labeller_tags_alone_as_in_a_padded_batch() -> None:
    torch.manual_seed(0)
    labeller = CNNLabeller(lstm=4, **{**TINY, "epochs": 1}).fit(SENTENCES, TAGS)
    network = labeller.network_.eval()
    short, long = ["the", "dog"], SENTENCES[4]
    alone = network(*labeller._tensors([short]))[0]
    batched = network(*labeller._tensors([long, short]))[1, :2]
    torch.testing.assert_close(alone, batched)


def test_labeller_keeps_the_best_dev_epoch_and_saves(tmp_path: Path) -> None:
    labeller = CNNLabeller(**{**TINY, "epochs": 6}, patience=10)
    labeller.fit(SENTENCES, TAGS, dev=(SENTENCES[:2], TAGS[:2]))
    scores = [r["score"] for r in labeller.history_]
    assert len(scores) == 6 and scores[labeller.best_epoch_ - 1] == max(scores)
    loaded = CNNLabeller.load(labeller.save(tmp_path / "labeller"), device="cpu")
    new = [["a", "dog", "runs", "here"], ["cats", "sleep"]]
    assert loaded.predict(new) == labeller.predict(new)
    (tmp_path / "labeller" / "model.json").write_text("{}")
    with pytest.raises(ModelFormatError, match="not an nlpjourney model"):
        CNNLabeller.load(tmp_path / "labeller")


@pytest.mark.parametrize(
    ("call", "error", "words"),
    [
        (lambda: CNNLabeller(**TINY).fit("the dog", ["DET"]), TypeError, "not one string"),
        (lambda: CNNLabeller(**TINY).fit([["a", "b"]], [["X"]]), ValueError, "2 tokens but 1"),
        (lambda: CNNLabeller(**TINY).fit([["a"]], [["X"], ["Y"]]), ValueError, "1 sentences"),
        (lambda: CNNLabeller(**TINY).fit([[]], [[]]), ValueError, "no tagged tokens"),
        (lambda: CNNLabeller(**{**TINY, "width": 4}).fit([["a"]], [["X"]]), ValueError, "odd"),
        (lambda: CNNLabeller(**{**TINY, "device": "tpu"}).fit([["a"]], [["X"]]), Exception,
         "device"),
        (lambda: CNNLabeller().predict([["a"]]), NotFittedError, "not fitted"),
    ],
)  # fmt: skip
def test_labeller_bad_input_raises_clear_errors(call, error: type, words: str) -> None:
    with pytest.raises(error, match=words):
        call()
