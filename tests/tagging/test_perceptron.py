"""The averaged perceptron tagger: contract, saving, and accuracy against NLTK's."""

from __future__ import annotations

import pytest

from nlpjourney.errors import ModelFormatError
from nlpjourney.ml.base import NotFittedError
from nlpjourney.tagging import PerceptronTagger

TOY_X = [["the", "dog", "runs"], ["a", "cat", "sleeps"], ["the", "cat", "runs", "fast"]]
TOY_Y = [["D", "N", "V"], ["D", "N", "V"], ["D", "N", "V", "R"]]


@pytest.fixture(scope="module")
def treebank():
    """The Penn Treebank sample without -NONE- traces: first 3,000 sentences train, rest test."""
    from nlpjourney.data import corpora

    sentences = [[(w, t) for w, t in s if t != "-NONE-"] for s in corpora.treebank_tagged_sents()]
    return sentences[:3000], sentences[3000:]


def _split(tagged):
    return [[w for w, _ in s] for s in tagged], [[t for _, t in s] for s in tagged]


def _accuracy(predicted, gold):
    pairs = [
        (p, g) for ps, gs in zip(predicted, gold, strict=True) for p, g in zip(ps, gs, strict=True)
    ]
    return sum(p == g for p, g in pairs) / len(pairs)


def test_perceptron_learns_a_toy_language():
    tagger = PerceptronTagger(n_iter=3).fit(TOY_X, TOY_Y)
    assert tagger.tags_ == ["D", "N", "R", "V"]
    assert tagger.predict([["a", "dog", "sleeps", "fast"], []]) == [["D", "N", "V", "R"], []]


@pytest.mark.parametrize("beam_size", [1, 4])
def test_perceptron_tags_held_out_treebank(treebank, beam_size):
    train, test = treebank
    # Beam training runs in Python between compiled updates: a smaller slice for it.
    x, y = _split(train[: 300 if beam_size == 1 else 150])
    tx, ty = _split(test[:100])
    tagger = PerceptronTagger(n_iter=3, beam_size=beam_size).fit(x, y)
    assert _accuracy(tagger.predict(tx), ty) > 0.8


def test_perceptron_is_deterministic_by_seed(treebank):
    x, y = _split(treebank[0][:200])
    tx, _ = _split(treebank[1][:50])
    first = PerceptronTagger(n_iter=2, seed=3).fit(x, y)
    second = PerceptronTagger(n_iter=2, seed=3).fit(x, y)
    assert (first.weights_ == second.weights_).all()
    assert first.predict(tx) == second.predict(tx)


def test_perceptron_save_and_load_round_trip(tmp_path, treebank):
    x, y = _split(treebank[0][:200])
    tx, _ = _split(treebank[1][:50])
    tagger = PerceptronTagger(n_iter=2).fit(x, y)
    loaded = PerceptronTagger.load(tagger.save(tmp_path / "model"))
    assert loaded.tags_ == tagger.tags_
    assert loaded.predict(tx) == tagger.predict(tx)
    with pytest.raises(ModelFormatError):
        PerceptronTagger.load(tmp_path)


def test_perceptron_bad_use_raises():
    with pytest.raises(NotFittedError, match="fit"):
        PerceptronTagger().predict([["a"]])
    with pytest.raises(ValueError, match="one tag per token"):
        PerceptronTagger().fit([["a", "b"]], [["X"]])
    with pytest.raises(TypeError, match="list of tokens"):
        PerceptronTagger().fit(["a b"], [["X", "Y"]])
    with pytest.raises(ValueError, match="beam_size"):
        PerceptronTagger(beam_size=0).fit(TOY_X, TOY_Y)


@pytest.mark.slow
def test_perceptron_beats_nltk_on_the_treebank_sample(treebank):
    from nltk.tag.perceptron import PerceptronTagger as NltkPerceptron

    train, test = treebank
    x, y = _split(train)
    tx, ty = _split(test)
    ours = _accuracy(PerceptronTagger().fit(x, y).predict(tx), ty)
    reference = NltkPerceptron(load=False)
    reference.train(train, nr_iter=5)
    theirs = _accuracy([[t for _, t in s] for s in reference.tag_sents(tx)], ty)
    assert ours >= theirs


@pytest.mark.slow
def test_perceptron_reaches_95_percent_upos_on_lines():
    from nlpjourney.parsing.conllu import ud_english

    train, test = ud_english("lines", "train"), ud_english("lines", "test")
    tagger = PerceptronTagger().fit([s.forms for s in train], [s.upos for s in train])
    assert _accuracy(tagger.predict([s.forms for s in test]), [s.upos for s in test]) >= 0.95
