"""Tests for nlpjourney.tagging.bert: our token classifier's logits against transformers'
``BertForTokenClassification`` with the same all-MiniLM-L6-v2 weights and head, on a
padded batch of CoNLL-2003 sentences encoded as the tagger encodes them; the case-class
token types start as the pretrained model exactly; and the tagger's contract (first-piece
labels, windows, fit, predict, save, load, errors) on a few sentences."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch
from torch.testing import assert_close

from nlpjourney import data
from nlpjourney.data import corpora
from nlpjourney.errors import ModelFormatError
from nlpjourney.ml import NotFittedError
from nlpjourney.models.bert import BertForTokenClassification
from nlpjourney.tagging import BertTagger
from nlpjourney.tagging.bert import IGNORE, _pretrained

SENTENCES = [
    ["EU", "rejects", "German", "call", "to", "boycott", "British", "lamb", "."],
    ["Peter", "Blackburn"],
    ["BRUSSELS", "1996-08-22"],
]
TAGS = [
    ["B-ORG", "O", "B-MISC", "O", "O", "O", "B-MISC", "O", "O"],
    ["B-PER", "I-PER"],
    ["B-LOC", "O"],
]


def encoder_ready(**settings: object) -> BertTagger:
    """A tagger with its tokenizer loaded, as fit leaves it (no network yet)."""
    tagger = BertTagger(**settings)  # type: ignore[arg-type]
    _, tagger.tokenizer_ = _pretrained(tagger.model)
    tagger._setup_tokenizer()
    return tagger


@pytest.fixture(scope="module")
def conll_batch() -> tuple[torch.Tensor, ...]:
    """Ten real testa sentences encoded by the tagger: ids, mask, case ids, targets."""
    rows = [s for s in corpora.conll2003("testa") if len(s) > 3][:10]
    tagger = encoder_ready()
    examples = tagger._examples([[r[0] for r in s] for s in rows], None)
    return tagger._tensors([e[3] for e in examples])


def test_bert_tagger_logits_match_transformers(conll_batch: tuple) -> None:
    import transformers

    folder = data.path("all_minilm_l6_v2")
    ours = BertForTokenClassification.from_pretrained(folder, num_labels=9).eval()
    theirs = transformers.BertForTokenClassification.from_pretrained(folder, num_labels=9).eval()
    with torch.no_grad():  # the same fresh head in both
        theirs.classifier.weight.copy_(ours.classifier.weight)
        theirs.classifier.bias.copy_(ours.classifier.bias)
    ids, mask, _, _ = conll_batch
    assert not mask.all()  # the batch is padded
    with torch.no_grad():
        expected = theirs(input_ids=ids, attention_mask=mask.long()).logits
        got = ours(ids, mask)
    assert_close(got[mask], expected[mask], atol=1e-5, rtol=1e-5)


def test_bert_tagger_case_types_start_as_the_pretrained_model(conll_batch: tuple) -> None:
    ids, mask, cases, _ = conll_batch
    assert set(cases[mask].tolist()) >= {0, 1, 2}  # lower, Title and CAPS all occur
    network = BertForTokenClassification.from_pretrained(
        data.path("all_minilm_l6_v2"), num_labels=3
    )
    with torch.no_grad():
        before = network(ids, mask)
        BertTagger()._grow_token_types(network)
        after = network.eval()(ids, mask, cases)
    assert network.config.type_vocab_size == 4
    assert_close(after, before, atol=1e-5, rtol=1e-5)


@pytest.mark.parametrize("all_subwords", [False, True])
def test_bert_tagger_labels_first_pieces(all_subwords: bool) -> None:
    tagger = encoder_ready(label_all_subwords=all_subwords)
    ids, cases, targets, firsts = tagger._encode(["Nadim", "Ladki", "said"], [3, 4, 0])
    assert ids[0] == tagger._cls and ids[-1] == tagger._sep
    assert [targets[i] for i in firsts] == [3, 4, 0]
    assert cases[firsts[0]] == 1 and cases[firsts[2]] == 0
    rest = [t for i, t in enumerate(targets[1:-1], start=1) if i not in firsts]
    assert rest and all(t == (IGNORE if not all_subwords else t) for t in rest)
    if all_subwords:
        assert set(rest) <= {3, 4}


def test_bert_tagger_windows_fit_max_length() -> None:
    tagger = encoder_ready(max_length=8)
    words = "Nadim Ladki said the European Commission would boycott British lamb".split()
    spans = tagger._windows(words)
    assert spans[0][0] == 0 and spans[-1][1] == len(words)
    assert all(a[1] == b[0] for a, b in zip(spans, spans[1:], strict=False))
    for a, b in spans:
        assert len(tagger._encode(words[a:b], None)[0]) <= 8


def test_bert_tagger_fits_three_sentences_and_round_trips(tmp_path: Path) -> None:
    torch.manual_seed(0)
    tagger = BertTagger(lr=1e-3, batch_size=3, warmup=0.0, max_length=8)  # windows, too
    tagger.fit(SENTENCES, TAGS, dev=(SENTENCES, TAGS), epochs=6, out=tmp_path)
    losses = [r["loss"] for r in tagger.history_]
    assert losses[-1] < losses[0] / 3
    assert tagger.history_[tagger.best_epoch_ - 1]["dev"] == 1.0
    assert tagger.predict(SENTENCES + [[]]) == [*TAGS, []]
    assert (tmp_path / "loss.png").stat().st_size > 0
    loaded = BertTagger.load(tagger.save(tmp_path / "model"))
    unseen = [["Peter", "visits", "BRUSSELS", "today", "with", "the", "EU", "delegation"]]
    assert loaded.predict(unseen) == tagger.predict(unseen)
    assert loaded.tags_ == tagger.tags_ and loaded.max_length == 8


def test_bert_tagger_errors_are_clear(tmp_path: Path) -> None:
    with pytest.raises(NotFittedError, match="fit"):
        BertTagger().predict([["a"]])
    with pytest.raises(ValueError, match="one tag per token"):
        BertTagger().fit([["a", "b"]], [["O"]])
    with pytest.raises(ValueError, match="max_length"):
        BertTagger(max_length=2).fit([["a"]], [["O"]])
    with pytest.raises(ModelFormatError):
        BertTagger.load(tmp_path)
    (tmp_path / "model.json").write_text(
        '{"format": "nlpjourney-model", "version": 1, "kind": "BertTagger", "config": {}}'
    )
    np.savez(tmp_path / "weights.npz", w=np.zeros(2))
    with pytest.raises(ModelFormatError, match="usable"):
        BertTagger.load(tmp_path)
