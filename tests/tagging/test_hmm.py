"""The HMM tagger: contract, the suffix model for unseen words, and NLTK's HMM as reference."""

from __future__ import annotations

import numpy as np
import pytest

from nlpjourney.errors import ModelFormatError
from nlpjourney.ml.base import NotFittedError
from nlpjourney.tagging import HMMTagger, viterbi

TOY_X = [["the", "dog", "barked"], ["a", "cat", "walked"], ["the", "cat", "slept"]]
TOY_Y = [["DET", "NOUN", "VERB"], ["DET", "NOUN", "VERB"], ["DET", "NOUN", "VERB"]]


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


def test_hmm_probabilities_are_normalised_counts():
    tagger = HMMTagger(alpha=1.0).fit(TOY_X, TOY_Y)
    assert tagger.tags_ == ["DET", "NOUN", "VERB"]
    # Every sentence starts with DET: (3 + 1) / (3 + 1 * 4 outcomes incl. the end).
    assert np.exp(tagger.start_[0]) == pytest.approx(4 / 7)
    assert np.exp(tagger.emissions_).sum(axis=0) == pytest.approx(np.ones(3))
    assert tagger.predict([["the", "dog", "slept"], []]) == [["DET", "NOUN", "VERB"], []]


def test_hmm_decodes_through_viterbi_in_log_space():
    tagger = HMMTagger().fit(TOY_X, TOY_Y)
    words = ["a", "dog", "walked"]
    path, _ = viterbi(
        tagger._emission_table(words), tagger.transitions_, tagger.start_, tagger.end_
    )
    assert [tagger.tags_[j] for j in path] == tagger.predict([words])[0]


def test_hmm_guesses_unseen_words_from_their_suffix(treebank):
    x, y = _split(treebank[0][:1500])
    tagger = HMMTagger().fit(x, y)
    assert tagger.predict([["The", "company", "zorbled", "its", "shares", "."]])[0][2] == "VBD"
    assert tagger.predict([["They", "saw", "Zorbleton", "."]])[0][2] == "NNP"


def test_hmm_save_and_load_round_trip(tmp_path, treebank):
    x, y = _split(treebank[0][:300])
    tx, _ = _split(treebank[1][:50])
    tagger = HMMTagger().fit(x, y)
    loaded = HMMTagger.load(tagger.save(tmp_path / "hmm"))
    assert loaded.predict(tx) == tagger.predict(tx)
    with pytest.raises(ModelFormatError):
        HMMTagger.load(tmp_path)


def test_hmm_bad_use_raises():
    with pytest.raises(NotFittedError, match="fit"):
        HMMTagger().predict([["a"]])
    with pytest.raises(ValueError, match="alpha"):
        HMMTagger(alpha=0).fit(TOY_X, TOY_Y)
    with pytest.raises(ValueError, match="sentences but"):
        HMMTagger().fit(TOY_X, TOY_Y[:1])


@pytest.mark.slow
def test_hmm_beats_nltk_hmm_on_held_out_treebank(treebank):
    from nltk.probability import LidstoneProbDist
    from nltk.tag.hmm import HiddenMarkovModelTrainer

    train, test = treebank
    x, y = _split(train)
    tx, ty = _split(test)
    ours = _accuracy(HMMTagger().fit(x, y).predict(tx), ty)
    # NLTK's HMM with the same kind of additive smoothing; it has no unknown-word model.
    reference = HiddenMarkovModelTrainer().train_supervised(
        train, estimator=lambda counts, bins: LidstoneProbDist(counts, 0.1, bins)
    )
    theirs = _accuracy([[t for _, t in s] for s in reference.tag_sents(tx)], ty)
    assert ours > theirs + 0.03
