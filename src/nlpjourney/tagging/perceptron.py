"""The averaged perceptron tagger: Collins' structured perceptron, greedy or beam decoded.

Each token gets a bag of sparse features (its word, lower-cased form, prefixes and
suffixes, shape, the neighbouring words and their suffixes) plus the tags already
chosen for the previous one and two tokens. A tag's score is the sum of its weights
over the token's features; the tagger picks the best tag left to right. Training
walks the corpus, tags each token with the current weights, and where the guess is
wrong adds 1 to the gold tag's weights and subtracts 1 from the guess's, for every
feature of the token. The final weights are the *average* over all steps, which
keeps the last few updates from dominating (Freund & Schapire's voted perceptron,
cheaply).

Speed: a word's own features and its features as a neighbour (offset -2..+2) are
computed once per word type and kept as arrays of feature ids, so a sentence's
features are a concatenation of cached arrays; the weights are one ``(rows, K)``
NumPy array whose last rows hold the previous-tag and previous-two-tags features, and
the greedy training and tagging loops are compiled with numba
(:func:`nlpjourney.compiled.compiled`). Frequent words that almost always carry one
tag (a tag dictionary) get that tag without scoring.

``beam_size > 1`` keeps the best ``beam_size`` partial tag sequences instead of one,
both when tagging and when training (then an update compares the whole best sequence
with the gold one).

Reference: NLTK's ``nltk.tag.perceptron.PerceptronTagger`` (Honnibal's design: the
same learning rule, averaging and tag dictionary; our feature set is larger), compared
in ``tests/tagging/test_perceptron.py`` and ``benchmarks/tagging_perceptron.py``.

Simplifications: no lazy feature pruning; unseen features at tagging time are dropped.
"""

from __future__ import annotations

import random
from collections import Counter, defaultdict
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from nlpjourney.compiled import compiled
from nlpjourney.ml.base import NotFittedError
from nlpjourney.progress import progress_bar
from nlpjourney.saving import load_model, save_model
from nlpjourney.text.tagged import check_sentences, check_tagged

__all__ = ["PerceptronTagger", "word_features"]

_OFFSETS = (0, -1, 1, -2, 2)
_CACHE_LIMIT = 500_000  # cached word types (or word pairs) before a cache starts afresh
_PAD = {-2: "<s2>", -1: "<s1>", 1: "</s1>", 2: "</s2>"}


def _shape(word: str) -> str:
    """The word's letters as X/x/d with runs collapsed: ``"McDonald's" -> "XxXx'x"``."""
    out = []
    for char in word:
        kind = "X" if char.isupper() else "x" if char.isalpha() else "d" if char.isdigit() else char
        if not out or out[-1] != kind:
            out.append(kind)
    return "".join(out)


def word_features(word: str, offset: int) -> list[str]:
    """The features a word contributes to the token ``offset`` places after it... or before.

    ``offset`` 0 is the token itself (rich features); ±1 neighbours give their
    lower-cased form, 3-letter suffix and shape; ±2 their lower-cased form. The tagger
    adds the lower-cased word pairs (previous, this) and (this, next).

    Example:
        >>> word_features("Running", 1)
        ['1:l=running', '1:s3=ing', '1:sh=Xx']
    """
    if word in _PAD.values():
        return [f"{offset}:pad={word}"]
    lower = word.lower()
    if lower.isdigit():
        lower = "<num>"  # all numbers behave alike; their digits are noise
    if offset == 0:
        features = ["bias", f"w={word}", f"l={lower}", f"sh={_shape(word)}"]
        features += [f"p{k}={lower[:k]}" for k in (1, 2, 3) if len(lower) >= k]
        features += [f"s{k}={lower[-k:]}" for k in (1, 2, 3, 4) if len(lower) >= k]
        if any(char.isdigit() for char in word):
            features.append("has-digit")
        if "-" in word:
            features.append("has-hyphen")
        if word[:1].isupper():
            features.append("upper-initial")
        return features
    if abs(offset) == 1:
        return [f"{offset}:l={lower}", f"{offset}:s3={lower[-3:]}", f"{offset}:sh={_shape(word)}"]
    return [f"{offset}:l={lower}"]


class PerceptronTagger:
    """An averaged perceptron part-of-speech tagger (greedy or beam search).

    Args:
        n_iter: passes over the training data.
        beam_size: 1 for greedy left-to-right tagging, more for beam search.
        seed: seeds the shuffling of the sentences before each pass.

    Example:
        >>> tagger = PerceptronTagger(n_iter=3).fit(
        ...     [["the", "dog", "runs"], ["a", "cat", "sleeps"]], [["D", "N", "V"], ["D", "N", "V"]]
        ... )
        >>> tagger.predict([["the", "cat", "sleeps"]])
        [['D', 'N', 'V']]
    """

    def __init__(self, n_iter: int = 5, beam_size: int = 1, seed: int = 0) -> None:
        self.n_iter = n_iter
        self.beam_size = beam_size
        self.seed = seed

    # -- features ---------------------------------------------------------------------
    def _ids_of(self, word: str, offset: int, grow: bool) -> np.ndarray:
        """The feature ids of ``word`` at ``offset`` (cached per word type)."""
        cache = self._cache[offset]
        ids = cache.get(word)
        if ids is None:
            if len(cache) > _CACHE_LIMIT:
                cache.clear()  # tagging a huge text: keep memory bounded, lose a little speed
            index = self.features_
            if grow:
                ids = np.array(
                    [index.setdefault(f, len(index)) for f in word_features(word, offset)], np.int64
                )
            else:
                ids = np.array(
                    [index[f] for f in word_features(word, offset) if f in index], np.int64
                )
            cache[word] = ids
        return ids

    def _pair_ids(self, side: str, left: str, right: str, grow: bool) -> np.ndarray:
        """The id of a word-pair feature (``side`` "-1|0" or "0|+1"), cached per pair."""
        key = (side, left, right)
        ids = self._pairs.get(key)
        if ids is None:
            if len(self._pairs) > _CACHE_LIMIT:
                self._pairs.clear()
            name = f"{side}={left.lower()}|{right.lower()}"
            if grow:
                ids = np.array([self.features_.setdefault(name, len(self.features_))], np.int64)
            else:
                ids = np.array([self.features_[name]] if name in self.features_ else [], np.int64)
            self._pairs[key] = ids
        return ids

    def _sentence_ids(self, words: list[str], grow: bool = False) -> tuple[np.ndarray, np.ndarray]:
        """Every token's feature ids, concatenated, and each token's start (CSR)."""
        padded = ["<s2>", "<s1>", *words, "</s1>", "</s2>"]
        pieces = []
        for t in range(len(words)):
            pieces += [self._ids_of(padded[t + 2 + offset], offset, grow) for offset in _OFFSETS]
            pieces.append(self._pair_ids("-1|0", padded[t + 1], padded[t + 2], grow))
            pieces.append(self._pair_ids("0|+1", padded[t + 2], padded[t + 3], grow))
        width = len(_OFFSETS) + 2
        lengths = (
            np.array([len(piece) for piece in pieces], np.int64).reshape(len(words), width).sum(1)
        )
        starts = np.zeros(len(words) + 1, np.int64)
        np.cumsum(lengths, out=starts[1:])
        return np.concatenate(pieces) if pieces else np.zeros(0, np.int64), starts

    def _corpus_ids(self, sentences: list[list[str]], grow: bool = False) -> tuple[np.ndarray, ...]:
        """CSR feature ids for a whole corpus: ids, token starts, sentence starts."""
        all_ids, token_starts, sentence_starts = [], [np.zeros(1, np.int64)], [0]
        offset = 0
        for words in sentences:
            ids, starts = self._sentence_ids(words, grow)
            all_ids.append(ids)
            token_starts.append(starts[1:] + offset)
            offset += len(ids)
            sentence_starts.append(sentence_starts[-1] + len(words))
        ids = np.concatenate(all_ids) if all_ids else np.zeros(0, np.int64)
        return ids, np.concatenate(token_starts), np.array(sentence_starts, np.int64)

    # -- learning ---------------------------------------------------------------------
    def fit(
        self,
        sentences: Sequence[Sequence[str]],
        tags: Sequence[Sequence[str]],
        progress: bool | None = None,
    ) -> PerceptronTagger:
        """Learn weights from tagged sentences.

        Args:
            sentences: the training sentences, lists of tokens.
            tags: one tag per token.
            progress: show a progress bar (None: only on a terminal).

        Returns:
            ``self``.
        """
        if not isinstance(self.n_iter, int) or self.n_iter < 1:
            raise ValueError(f"n_iter must be a positive integer, got {self.n_iter!r}")
        if not isinstance(self.beam_size, int) or self.beam_size < 1:
            raise ValueError(f"beam_size must be a positive integer, got {self.beam_size!r}")
        sentences, tags = check_tagged(sentences, tags)
        self.tags_ = sorted({tag for labels in tags for tag in labels})
        tag_index = {tag: k for k, tag in enumerate(self.tags_)}
        self.tagdict_ = _tag_dictionary(sentences, tags)
        self.features_: dict[str, int] = {}
        self._cache: dict[int, dict[str, np.ndarray]] = {offset: {} for offset in _OFFSETS}
        self._pairs: dict[tuple[str, str, str], np.ndarray] = {}
        ids, token_starts, sentence_starts = self._corpus_ids(sentences, grow=True)
        gold = np.array([tag_index[tag] for labels in tags for tag in labels], np.int64)
        fixed = np.array(
            [tag_index.get(self.tagdict_.get(w, ""), -1) for s in sentences for w in s], np.int64
        )
        k = len(self.tags_)
        rows = len(self.features_) + (k + 1) + (k + 1) ** 2
        weights, totals = np.zeros((rows, k)), np.zeros((rows, k))
        stamps = np.zeros((rows, k), np.int64)
        rng = random.Random(self.seed)
        order = list(range(len(sentences)))
        clock = 0
        with progress_bar(
            "Training perceptron", total=self.n_iter * len(gold), unit="tokens", enabled=progress
        ) as bar:
            for _ in range(self.n_iter):
                rng.shuffle(order)
                if self.beam_size == 1:
                    clock = _greedy_epoch(
                        np.array(order, np.int64), sentence_starts, token_starts, ids, gold, fixed,
                        weights, totals, stamps, clock, len(self.features_), k,
                    )  # fmt: skip
                else:
                    clock = self._beam_epoch(order, sentence_starts, token_starts, ids, gold, fixed,
                                             weights, totals, stamps, clock)  # fmt: skip
                bar.advance(len(gold))
        # The average over every step: totals so far plus each weight's value since its last change.
        self.weights_ = (totals + (clock - stamps) * weights) / max(clock, 1)
        self._cache = {offset: {} for offset in _OFFSETS}  # rebuilt without unseen features
        self._pairs = {}
        return self

    def _beam_epoch(
        self, order, sentence_starts, token_starts, ids, gold, fixed, weights, totals, stamps, clock
    ):
        """One pass of the structured perceptron with beam decoding (whole-sequence updates)."""
        base = len(self.features_)
        k = len(self.tags_)
        for s in order:
            first, last = sentence_starts[s], sentence_starts[s + 1]
            if first == last:
                continue
            local = token_starts[first : last + 1]
            emissions = _static_scores(local - local[0], ids[local[0] : local[-1]], weights)
            guess = _beam_search(emissions, fixed[first:last], weights, base, k, self.beam_size)
            clock += 1
            truth = gold[first:last]
            if np.array_equal(guess, truth):
                continue
            _update_path(
                truth, 1.0, first, token_starts, ids, weights, totals, stamps, clock, base, k
            )
            _update_path(
                guess, -1.0, first, token_starts, ids, weights, totals, stamps, clock, base, k
            )
        return clock

    # -- tagging ----------------------------------------------------------------------
    def predict(self, sentences: Sequence[Sequence[str]]) -> list[list[str]]:
        """The best tags for each sentence.

        Args:
            sentences: lists of tokens.

        Returns:
            One tag per token; an empty sentence gets an empty list.
        """
        if not hasattr(self, "weights_"):
            raise NotFittedError(
                "this PerceptronTagger is not fitted yet; call fit(sentences, tags) first"
            )
        sentences = check_sentences(sentences)
        ids, token_starts, sentence_starts = self._corpus_ids(sentences)
        index = {tag: k for k, tag in enumerate(self.tags_)}
        fixed = np.array(
            [index.get(self.tagdict_.get(w, ""), -1) for s in sentences for w in s], np.int64
        )
        base, k = len(self.features_), len(self.tags_)
        if self.beam_size == 1:
            best = _greedy_tag(sentence_starts, token_starts, ids, fixed, self.weights_, base, k)
        else:
            emissions = _static_scores(token_starts, ids, self.weights_)
            best = np.concatenate(
                [np.zeros(0, np.int64)]
                + [
                    _beam_search(emissions[a:b], fixed[a:b], self.weights_, base, k, self.beam_size)
                    for a, b in zip(sentence_starts[:-1], sentence_starts[1:], strict=True)
                ]
            )
        names = self.tags_
        return [
            [names[j] for j in best[a:b]]
            for a, b in zip(sentence_starts[:-1], sentence_starts[1:], strict=True)
        ]

    # -- saving -----------------------------------------------------------------------
    def save(self, folder: str | Path) -> Path:
        """Write the tagger to ``folder`` (``model.json`` + ``weights.npz``)."""
        if not hasattr(self, "weights_"):
            raise NotFittedError(
                "this PerceptronTagger is not fitted yet; call fit(sentences, tags) first"
            )
        features = sorted(self.features_, key=self.features_.__getitem__)
        config = {"n_iter": self.n_iter, "beam_size": self.beam_size, "seed": self.seed,
                  "tags": self.tags_, "tagdict": self.tagdict_}  # fmt: skip
        return save_model(folder, "PerceptronTagger", config,
                          {"weights": self.weights_, "features": np.array(features, dtype=str)})  # fmt: skip

    @classmethod
    def load(cls, folder: str | Path) -> PerceptronTagger:
        """A tagger saved by :meth:`save`."""
        config, arrays = load_model(folder, "PerceptronTagger", required=("weights", "features"))
        tagger = cls(n_iter=config["n_iter"], beam_size=config["beam_size"], seed=config["seed"])
        tagger.tags_ = list(config["tags"])
        tagger.tagdict_ = dict(config["tagdict"])
        tagger.features_ = {str(name): i for i, name in enumerate(arrays["features"].tolist())}
        tagger.weights_ = arrays["weights"]
        tagger._cache = {offset: {} for offset in _OFFSETS}
        tagger._pairs = {}
        return tagger


def _tag_dictionary(
    sentences: list[list[str]], tags: list[list[str]], min_count: int = 20, min_share: float = 0.97
) -> dict[str, str]:
    """Words seen at least ``min_count`` times with one tag at least ``min_share`` of the time."""
    counts: dict[str, Counter[str]] = defaultdict(Counter)
    for words, labels in zip(sentences, tags, strict=True):
        for word, tag in zip(words, labels, strict=True):
            counts[word][tag] += 1
    fixed = {}
    for word, tag_counts in counts.items():
        tag, count = tag_counts.most_common(1)[0]
        total = sum(tag_counts.values())
        if total >= min_count and count / total >= min_share:
            fixed[word] = tag
    return fixed


def _beam_search(
    emissions: np.ndarray, fixed: np.ndarray, weights: np.ndarray, base: int, k: int, beam_size: int
) -> np.ndarray:
    """The best-scoring tag sequence kept by a beam of ``beam_size`` partial sequences."""
    previous = weights[base : base + k + 1]  # (K + 1, K): previous tag (K = start)
    pairs = weights[base + k + 1 :].reshape(k + 1, k + 1, k)  # (prev2, prev, tag)
    scores = np.zeros(1)
    prev = np.array([k], np.int64)
    prev2 = np.array([k], np.int64)
    history: list[tuple[np.ndarray, np.ndarray]] = []  # (beam item it came from, tag)
    for t in range(len(emissions)):
        table = scores[:, None] + emissions[t] + previous[prev] + pairs[prev2, prev]  # (B, K)
        if fixed[t] >= 0:
            keep = np.full_like(table, -np.inf)
            keep[:, fixed[t]] = table[:, fixed[t]]
            table = keep
        flat = table.ravel()
        size = min(beam_size, np.isfinite(flat).sum())
        chosen = np.argsort(-flat, kind="stable")[:size]
        source, tag = np.divmod(chosen, k)
        history.append((source, tag))
        scores, prev2, prev = flat[chosen], prev[source], tag
    path = np.empty(len(emissions), np.int64)
    item = 0
    for t in range(len(emissions) - 1, -1, -1):
        source, tag = history[t]
        path[t] = tag[item]
        item = source[item]
    return path


@compiled
def _static_scores(token_starts, ids, weights):
    """Each token's score per tag from its own (context-word) features, (n, K)."""
    n, k = len(token_starts) - 1, weights.shape[1]
    out = np.zeros((n, k))
    for t in range(n):
        for j in range(token_starts[t], token_starts[t + 1]):
            row = ids[j]
            for c in range(k):
                out[t, c] += weights[row, c]
    return out


@compiled
def _score_token(t, prev, prev2, token_starts, ids, weights, base, k):
    scores = np.zeros(k)
    for j in range(token_starts[t], token_starts[t + 1]):
        row = ids[j]
        for c in range(k):
            scores[c] += weights[row, c]
    pair = base + k + 1 + prev2 * (k + 1) + prev
    for c in range(k):
        scores[c] += weights[base + prev, c] + weights[pair, c]
    return scores


@compiled
def _update(row, tag, delta, weights, totals, stamps, clock):
    totals[row, tag] += (clock - stamps[row, tag]) * weights[row, tag]
    stamps[row, tag] = clock
    weights[row, tag] += delta


@compiled
def _update_path(path, delta, first, token_starts, ids, weights, totals, stamps, clock, base, k):
    """Add ``delta`` to the weights of every feature along a whole tag path."""
    prev, prev2 = k, k
    for t in range(len(path)):
        tag = path[t]
        _update(base + prev, tag, delta, weights, totals, stamps, clock)
        _update(base + k + 1 + prev2 * (k + 1) + prev, tag, delta, weights, totals, stamps, clock)
        for j in range(token_starts[first + t], token_starts[first + t + 1]):
            _update(ids[j], tag, delta, weights, totals, stamps, clock)
        prev2, prev = prev, tag


@compiled
def _greedy_epoch(
    order, sentence_starts, token_starts, ids, gold, fixed, weights, totals, stamps, clock, base, k
):
    """One greedy training pass in the given sentence order; returns the step clock."""
    for s in order:
        prev, prev2 = k, k
        for t in range(sentence_starts[s], sentence_starts[s + 1]):
            if fixed[t] >= 0:
                guess = fixed[t]
            else:
                clock += 1
                guess = np.argmax(_score_token(t, prev, prev2, token_starts, ids, weights, base, k))
                truth = gold[t]
                if guess != truth:
                    rows = [base + prev, base + k + 1 + prev2 * (k + 1) + prev]
                    for j in range(token_starts[t], token_starts[t + 1]):
                        rows.append(ids[j])
                    for row in rows:
                        _update(row, truth, 1.0, weights, totals, stamps, clock)
                        _update(row, guess, -1.0, weights, totals, stamps, clock)
            prev2, prev = prev, guess
    return clock


@compiled
def _greedy_tag(sentence_starts, token_starts, ids, fixed, weights, base, k):
    """Greedy left-to-right tags for every token of every sentence."""
    out = np.empty(token_starts.shape[0] - 1, np.int64)
    for s in range(len(sentence_starts) - 1):
        prev, prev2 = k, k
        for t in range(sentence_starts[s], sentence_starts[s + 1]):
            if fixed[t] >= 0:
                guess = fixed[t]
            else:
                guess = np.argmax(_score_token(t, prev, prev2, token_starts, ids, weights, base, k))
            out[t] = guess
            prev2, prev = prev, guess
    return out
