"""The hidden Markov model tagger: counted probabilities, Viterbi decoding, TnT's guesses.

A first-order HMM says a sentence was written by walking through tags, each tag chosen
from the previous one (transitions ``P(t_i | t_{i-1})``) and each word drawn from its
tag (emissions ``P(w_i | t_i)``). Supervised training only counts: how often each tag
follows each other tag, and how often each word carries each tag, smoothed by adding
``alpha`` to every count so nothing seen in tagging has probability zero. Tagging
finds the tag path of highest probability, in log space, with
:func:`nlpjourney.tagging.decode.viterbi`.

The weak point is words never seen in training: additive smoothing gives them the same
tiny emission under every tag, so only the transitions decide. Brants' TnT tagger
guesses their tag from the last letters: among the *rare* training words (seen at most
``rare_count`` times, the ones most like unseen words), it counts the tags per suffix
of length 0..``suffix_length``, separately for capitalised words, words with digits and
the rest, and blends the counts from short to long suffixes ("successive abstraction",
each step weighted by ``theta``, the spread of the tag probabilities). Bayes' rule
turns ``P(tag | suffix)`` into the emission ``P(word | tag) ∝ P(tag | suffix) / P(tag)``.

Reference: NLTK's ``nltk.tag.hmm.HiddenMarkovModelTagger`` (trained with
``HiddenMarkovModelTrainer.train_supervised``; it has no unknown-word model), compared in
``tests/tagging/test_hmm.py``; the suffix model follows Brants (2000), "TnT: a
statistical part-of-speech tagger".

Simplifications: first order (bigram transitions; TnT uses trigrams); one smoothing
constant for transitions and emissions.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from nlpjourney.ml.base import NotFittedError
from nlpjourney.saving import load_model, save_model
from nlpjourney.tagging.decode import viterbi
from nlpjourney.text.tagged import check_sentences, check_tagged

__all__ = ["HMMTagger", "word_class"]


def word_class(word: str) -> str:
    """The coarse class TnT keeps separate suffix statistics for.

    Example:
        >>> [word_class(w) for w in ["Paris", "1990s", "walked"]]
        ['cap', 'digit', 'lower']
    """
    if any(char.isdigit() for char in word):
        return "digit"
    if word[:1].isupper():
        return "cap"
    return "lower"


class HMMTagger:
    """A bigram HMM tagger with additive smoothing and a suffix model for unseen words.

    Args:
        alpha: the count added to every transition and emission count.
        suffix_length: the longest suffix the unknown-word model looks at.
        rare_count: words seen at most this often feed the suffix statistics.

    Example:
        >>> tagger = HMMTagger().fit([["the", "dog", "barked"], ["a", "cat", "walked"]],
        ...                          [["DET", "NOUN", "VERB"], ["DET", "NOUN", "VERB"]])
        >>> tagger.predict([["the", "cat", "jumped"]])
        [['DET', 'NOUN', 'VERB']]
    """

    def __init__(self, alpha: float = 0.01, suffix_length: int = 3, rare_count: int = 10) -> None:
        self.alpha = alpha
        self.suffix_length = suffix_length
        self.rare_count = rare_count

    def fit(self, sentences: Sequence[Sequence[str]], tags: Sequence[Sequence[str]]) -> HMMTagger:
        """Count transitions, emissions and suffix statistics from tagged sentences.

        Returns:
            ``self``.
        """
        if not self.alpha > 0:
            raise ValueError(
                f"alpha must be positive (it keeps unseen events possible), got {self.alpha!r}"
            )
        if not isinstance(self.suffix_length, int) or self.suffix_length < 0:
            raise ValueError(
                f"suffix_length must be a non-negative integer, got {self.suffix_length!r}"
            )
        sentences, tags = check_tagged(sentences, tags)
        self.tags_ = sorted({tag for labels in tags for tag in labels})
        index = {tag: k for k, tag in enumerate(self.tags_)}
        k = len(self.tags_)
        word_counts = Counter(word for words in sentences for word in words)
        self.vocabulary_ = {word: i for i, word in enumerate(sorted(word_counts))}
        # Row k of the transition counts is the sentence start; column k is its end.
        transitions = np.zeros((k + 1, k + 1))
        emissions = np.zeros((len(self.vocabulary_), k))
        suffixes: dict[str, np.ndarray] = {}
        for words, labels in zip(sentences, tags, strict=True):
            ids = [index[tag] for tag in labels]
            np.add.at(transitions, ([k, *ids], [*ids, k]), 1)
            np.add.at(emissions, ([self.vocabulary_[w] for w in words], ids), 1)
            for word, tag in zip(words, ids, strict=True):
                if word_counts[word] <= self.rare_count:
                    for key in self._suffix_keys(word):
                        suffixes.setdefault(key, np.zeros(k))[tag] += 1
        smoothed = transitions + self.alpha
        log_t = np.log(smoothed / smoothed.sum(axis=1, keepdims=True))
        self.start_, self.transitions_, self.end_ = log_t[k, :k], log_t[:k, :k], log_t[:k, k]
        smoothed = emissions + self.alpha
        self.emissions_ = np.log(
            smoothed / smoothed.sum(axis=0, keepdims=True)
        )  # (V, K): log P(w | t)
        tag_counts = emissions.sum(axis=0)
        self.tag_prior_ = tag_counts / tag_counts.sum()
        # TnT's theta: the standard deviation of the unconditioned tag probabilities.
        self.theta_ = float(np.std(self.tag_prior_, ddof=1)) if k > 1 else 1.0
        self.suffixes_ = suffixes
        self._unknown: dict[str, np.ndarray] = {}
        return self

    def _suffix_keys(self, word: str) -> list[str]:
        """``class|suffix`` keys for the suffixes of length 0..suffix_length of ``word``."""
        lower, kind = word.lower(), word_class(word)
        return [
            f"{kind}|{lower[len(lower) - n :] if n else ''}"
            for n in range(min(self.suffix_length, len(lower)) + 1)
        ]

    def _unknown_emission(self, word: str) -> np.ndarray:
        """log P(word | tag) up to a constant, from the word's suffix (successive abstraction)."""
        cached = self._unknown.get(word)
        if cached is not None:
            return cached
        probability = self.tag_prior_
        for key in self._suffix_keys(word):
            counts = self.suffixes_.get(key)
            if counts is None:
                break  # longer suffixes were never seen either
            probability = (counts / counts.sum() + self.theta_ * probability) / (1 + self.theta_)
        with np.errstate(divide="ignore"):
            emission = np.log(probability) - np.log(self.tag_prior_)
        self._unknown[word] = emission
        return emission

    def _emission_table(self, words: list[str]) -> np.ndarray:
        """The (n, K) log emission scores of one sentence."""
        rows = [self.vocabulary_.get(word, -1) for word in words]
        table = self.emissions_[np.maximum(rows, 0)]
        for t, row in enumerate(rows):
            if row < 0:
                table[t] = self._unknown_emission(words[t])
        return table

    def predict(self, sentences: Sequence[Sequence[str]]) -> list[list[str]]:
        """The most probable tag path of each sentence (empty sentences give empty lists)."""
        if not hasattr(self, "emissions_"):
            raise NotFittedError(
                "this HMMTagger is not fitted yet; call fit(sentences, tags) first"
            )
        out = []
        for words in check_sentences(sentences):
            if not words:
                out.append([])
                continue
            path, _ = viterbi(
                self._emission_table(words), self.transitions_, self.start_, self.end_
            )
            out.append([self.tags_[j] for j in path])
        return out

    def save(self, folder: str | Path) -> Path:
        """Write the tagger to ``folder`` (``model.json`` + ``weights.npz``)."""
        if not hasattr(self, "emissions_"):
            raise NotFittedError(
                "this HMMTagger is not fitted yet; call fit(sentences, tags) first"
            )
        keys = sorted(self.suffixes_)
        config = {"alpha": self.alpha, "suffix_length": self.suffix_length, "rare_count": self.rare_count,
                  "tags": self.tags_, "theta": self.theta_}  # fmt: skip
        arrays = {
            "start": self.start_, "transitions": self.transitions_, "end": self.end_,
            "emissions": self.emissions_, "tag_prior": self.tag_prior_,
            "vocabulary": np.array(sorted(self.vocabulary_, key=self.vocabulary_.__getitem__), dtype=str),
            "suffix_keys": np.array(keys, dtype=str),
            "suffix_counts": np.array([self.suffixes_[key] for key in keys]).reshape(len(keys), len(self.tags_)),
        }  # fmt: skip
        return save_model(folder, "HMMTagger", config, arrays)

    @classmethod
    def load(cls, folder: str | Path) -> HMMTagger:
        """A tagger saved by :meth:`save`."""
        names = (
            "start",
            "transitions",
            "end",
            "emissions",
            "tag_prior",
            "vocabulary",
            "suffix_keys",
            "suffix_counts",
        )
        config, arrays = load_model(folder, "HMMTagger", required=names)
        tagger = cls(config["alpha"], config["suffix_length"], config["rare_count"])
        tagger.tags_, tagger.theta_ = list(config["tags"]), float(config["theta"])
        tagger.start_, tagger.transitions_, tagger.end_ = (
            arrays["start"],
            arrays["transitions"],
            arrays["end"],
        )
        tagger.emissions_, tagger.tag_prior_ = arrays["emissions"], arrays["tag_prior"]
        tagger.vocabulary_ = {str(w): i for i, w in enumerate(arrays["vocabulary"].tolist())}
        tagger.suffixes_ = dict(
            zip(arrays["suffix_keys"].tolist(), arrays["suffix_counts"], strict=True)
        )
        tagger._unknown = {}
        return tagger
