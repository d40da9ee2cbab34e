"""An n-gram language model with five estimators: MLE, Laplace, Lidstone, Kneser-Ney, stupid backoff.

Training follows NLTK's ``padded_everygram_pipeline``: each sentence gets ``order - 1``
``"<s>"`` on the left and ``order - 1`` ``"</s>"`` on the right (an order-1 model pads
nothing), the vocabulary counts every padded token and maps words seen fewer than
``unk_cutoff`` times to ``"<UNK>"``, and every n-gram of every length ``1..order`` is
counted (so a trigram model also holds the bigram and unigram counts).

The estimators of ``P(w | h)``, ``h`` the last ``order - 1`` words:

- ``"mle"``: ``c(h w) / c(h)``; 0 for an unseen context.
- ``"lidstone"``: ``(c(h w) + gamma) / (c(h) + gamma |V|)``, ``|V|`` counting ``<UNK>``
  (and ``<s>``, ``</s>``); ``"laplace"`` is ``gamma = 1``. These three equal NLTK's
  ``MLE``, ``Lidstone`` and ``Laplace`` scores.
- ``"kneser_ney"``: interpolated Kneser-Ney (Chen & Goodman 1998). The highest order uses
  raw counts, every lower order continuation counts ``N1+(. h w)`` (distinct words seen
  before ``h w``), each order is absolutely discounted by ``d`` and mixed with the next
  order down with weight ``d N1+(h .) / c(h)``, and the recursion ends in the uniform
  distribution. See :mod:`nlpjourney.lm.kneser_ney` for the two building blocks.
- ``"stupid_backoff"`` (Brants et al. 2007): ``c(h w) / c(h)`` when ``h w`` was seen, else
  ``alpha`` times the score with the first context word dropped. These are **scores,
  not probabilities**: they do not sum to 1, :meth:`NgramLM.prob` returns the score, and
  :meth:`NgramLM.perplexity` refuses them.

The Kneser-Ney event space is ``V`` without ``"<s>"``: every vocabulary word, ``<UNK>``
and ``</s>``. ``<s>`` is only ever context, never a next word, so n-grams that would
predict it (the all-``<s>`` lower-order n-grams that padding creates) are left out of the
Kneser-Ney tables and ``P(<s> | h) = 0``. Over that space ``P(. | h)`` sums to 1 for
every context, seen or not.

Perplexity scores, per sentence, every word and the first ``</s>``: the events a model
really predicts (the extra ``</s>`` pads only complete the last n-grams). An order-1
model has no ``</s>`` (NLTK pads nothing at order 1), so it scores the words only.

Reference: NLTK's ``nltk.lm`` (``MLE``, ``Laplace``, ``Lidstone``, ``StupidBackoff``,
``Vocabulary``, ``padded_everygram_pipeline``); ``tests/lm/test_ngram.py`` checks scores
and perplexities against them on Brown. NLTK's ``KneserNeyInterpolated`` is compared but
not matched; ``test_ngram_kneser_ney_compared_with_nltk`` checks these facts about it
(NLTK 3.10, discount 0.75, Brown news):

- its lowest order has no uniform floor, so ``<UNK>`` and every word never seen as a
  continuation get probability 0, and held-out perplexity is infinite;
- at a lower order its interpolation weight counts every raw follower of the context,
  including ``<s>`` after ``<s>``, which has no continuation count: after ``<s> <s>`` its
  trigram scores sum to more than 1 over the vocabulary (1.009 trained on 60 sentences);
  and it gives ``<s>`` itself some probability as a next word;
- at order 1 it divides by zero (there are no bigrams to take continuation counts from);
- elsewhere its scores are within 0.5% (bigram) and 5% (trigram) of ours (the tests'
  tolerances); and it rescans every n-gram on each query, which makes it thousands of
  times slower than ours (``benchmarks/lm_ngram.py`` prints the ratio).

Simplifications: one discount for every count (not modified Kneser-Ney); a context longer
than ``order - 1`` is cut to its last ``order - 1`` words (NLTK's MLE/Lidstone would score
it 0 or uniform instead); a context shorter than ``order - 1`` is scored by that lower
order alone (for Kneser-Ney, from continuation counts, as NLTK does).
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Sequence

import numpy as np

from nlpjourney.errors import JourneyError
from nlpjourney.lm.kneser_ney import continuation_counts, kneser_ney_bigram_prob

BOS, EOS, UNK = "<s>", "</s>", "<UNK>"
SMOOTHINGS = ("mle", "laplace", "lidstone", "kneser_ney", "stupid_backoff")

Context = tuple[str, ...]


class NotFittedError(JourneyError, ValueError):
    """A model was asked for scores before :meth:`NgramLM.fit` was called."""


class Vocabulary:
    """Word counts with a cutoff: rarer words are looked up as ``"<UNK>"``.

    Membership, iteration and ``len`` see only words counted at least ``cutoff`` times,
    plus the unknown label, which is always in the vocabulary (as in ``nltk.lm.Vocabulary``).

    Example: ``Vocabulary(Counter("aab"), cutoff=2)`` holds ``"a"`` and ``"<UNK>"``;
    ``lookup("b") == "<UNK>"`` and ``len(...) == 2``.
    """

    def __init__(self, counts: Counter, cutoff: int = 1, unk_label: str = UNK) -> None:
        self.counts = counts
        self.cutoff = cutoff
        self.unk_label = unk_label
        # subtle: a literal "<UNK>" in the text is the same word as the label, listed once.
        self._words = [w for w, c in counts.items() if c >= cutoff and w != unk_label]
        self._words.append(unk_label)
        self._members = frozenset(self._words)

    def __contains__(self, word: object) -> bool:
        return word in self._members

    def __iter__(self) -> Iterator[str]:
        return iter(self._words)

    def __len__(self) -> int:
        return len(self._words)

    def lookup(self, word: str) -> str:
        """``word`` itself when it is in the vocabulary, else the unknown label."""
        return word if word in self._members else self.unk_label


def _tokens(sentence: object, what: str) -> list[str]:
    if isinstance(sentence, str) or not isinstance(sentence, Iterable):
        raise TypeError(
            f"each {what} must be a sequence of tokens (a list of str), got "
            f"{type(sentence).__name__} {sentence!r:.40}; split the text into words first"
        )
    tokens = list(sentence)
    for token in tokens:
        if not isinstance(token, str):
            raise TypeError(f"tokens must be str, got {type(token).__name__} {token!r:.40}")
    return tokens


def evaluation_ngrams(sentence: Sequence[str], order: int) -> list[tuple[str, ...]]:
    """The n-grams whose last word :meth:`NgramLM.perplexity` scores, for one sentence.

    Each is ``context + (word,)`` with a full ``order - 1`` context: one per word and one
    for the first ``"</s>"`` (none at order 1, which has no padding).

    Example: ``evaluation_ngrams(["a", "b"], 2)`` is
    ``[("<s>", "a"), ("a", "b"), ("b", "</s>")]``.
    """
    tokens = _tokens(sentence, "sentence")
    pad = order - 1
    padded = [BOS] * pad + tokens + [EOS] * pad
    last = pad + len(tokens) + (1 if pad else 0)  # the first </s> is predicted, not the rest
    return [tuple(padded[i - pad : i + 1]) for i in range(pad, last)]


class NgramLM:
    """An n-gram language model; see the module docstring for the estimators.

    Args:
        order: n, at least 1 (1: unigram, 2: bigram, ...).
        smoothing: one of ``"mle"``, ``"laplace"``, ``"lidstone"``, ``"kneser_ney"``,
            ``"stupid_backoff"``.
        gamma: the pseudo-count added by ``"lidstone"`` (``"laplace"`` always adds 1).
        discount: the Kneser-Ney discount ``d``, in ``(0, 1]``.
        alpha: stupid backoff's factor per dropped context word, in ``(0, 1]``.
        unk_cutoff: words seen fewer times than this become ``"<UNK>"``; at least 1.

    Example::

        lm = NgramLM(2, "kneser_ney").fit([["the", "cat"], ["the", "dog"]])
        lm.prob("cat", ["the"])  # about 0.42
    """

    def __init__(
        self,
        order: int,
        smoothing: str = "mle",
        gamma: float = 0.1,
        discount: float = 0.75,
        alpha: float = 0.4,
        unk_cutoff: int = 1,
    ) -> None:
        if isinstance(order, bool) or not isinstance(order, int) or order < 1:
            raise ValueError(f"order must be an integer of at least 1, got {order!r}")
        if smoothing not in SMOOTHINGS:
            raise ValueError(
                f"unknown smoothing {smoothing!r}; choose one of {', '.join(SMOOTHINGS)}"
            )
        if not gamma > 0:
            raise ValueError(f"gamma must be positive, got {gamma}")
        if not 0 < discount <= 1:
            raise ValueError(f"discount must be in (0, 1], got {discount}")
        if not 0 < alpha <= 1:
            raise ValueError(f"alpha must be in (0, 1], got {alpha}")
        if isinstance(unk_cutoff, bool) or not isinstance(unk_cutoff, int) or unk_cutoff < 1:
            raise ValueError(f"unk_cutoff must be an integer of at least 1, got {unk_cutoff!r}")
        self.order = order
        self.smoothing = smoothing
        self.gamma = 1.0 if smoothing == "laplace" else gamma
        self.discount = discount
        self.alpha = alpha
        self.unk_cutoff = unk_cutoff
        self._vocab: Vocabulary | None = None

    # --- training ------------------------------------------------------------------

    def fit(self, sentences: Iterable[Sequence[str]]) -> NgramLM:
        """Count the n-grams of ``sentences`` (lists of tokens) and return ``self``."""
        if isinstance(sentences, str):
            raise TypeError("sentences must be a list of token lists, got one str")
        pad = self.order - 1
        padded = [[BOS] * pad + _tokens(s, "sentence") + [EOS] * pad for s in sentences]
        if not any(padded):
            raise ValueError("fit needs at least one non-empty sentence")
        vocab = Vocabulary(Counter(w for sent in padded for w in sent), self.unk_cutoff)

        # counts[k][context] = Counter of the words after context, for k-grams, k = 1..n.
        counts: dict[int, defaultdict[Context, Counter]] = {
            k: defaultdict(Counter) for k in range(1, self.order + 1)
        }
        for sent in padded:
            words = [vocab.lookup(w) for w in sent]
            for k in range(1, self.order + 1):
                table = counts[k]
                for i in range(len(words) - k + 1):
                    table[tuple(words[i : i + k - 1])][words[i + k - 1]] += 1
        self._vocab = vocab
        self._counts = {k: dict(table) for k, table in counts.items()}
        self._totals = {
            k: {h: sum(row.values()) for h, row in table.items()}
            for k, table in self._counts.items()
        }
        self._events = [w for w in vocab if w != BOS]
        self._event_index = {w: i for i, w in enumerate(self._events)}
        if self.smoothing == "kneser_ney":
            self._fit_kneser_ney()
        return self

    def _fit_kneser_ney(self) -> None:
        """Tables per order: raw counts at the top, continuation counts below."""
        n = self.order
        top = {
            h: Counter({w: c for w, c in row.items() if w != BOS})
            for h, row in self._counts[n].items()
        }
        tables: dict[int, dict[Context, Counter]] = {n: top}
        for k in range(n - 1, 0, -1):
            # N1+(. h w): distinct first words x of the (k+1)-grams x h w. Pairs (x, h w).
            pairs = (
                (h[0], h[1:] + (w,))
                for h, row in self._counts[k + 1].items()
                for w in row
                if w != BOS
            )
            table: defaultdict[Context, Counter] = defaultdict(Counter)
            for rest, count in continuation_counts(pairs).items():
                table[rest[:-1]][rest[-1]] = count
            tables[k] = dict(table)
        self._kn_tables = tables
        # The lowest order, for every event at once: discounted, over the uniform floor.
        uniform = np.full(len(self._events), 1.0 / len(self._events))
        self._kn_unigram = self._kn_mix(tables[1].get(()), uniform)

    def _kn_mix(self, row: Counter | None, lower: np.ndarray) -> np.ndarray:
        """One Kneser-Ney order for every event: ``max(c - d, 0) / c(h) + weight * lower``."""
        if not row:
            return lower
        total = sum(row.values())
        index = np.fromiter((self._event_index[w] for w in row), dtype=np.int64, count=len(row))
        kept = np.maximum(np.fromiter(row.values(), dtype=float, count=len(row)) - self.discount, 0)
        mixed = lower * (self.discount * len(row) / total)
        mixed[index] += kept / total
        return mixed

    # --- fitted state --------------------------------------------------------------

    def _check_fitted(self) -> None:
        if self._vocab is None:
            raise NotFittedError("this NgramLM is not fitted yet; call fit(sentences) first")

    @property
    def vocab(self) -> Vocabulary:
        """The vocabulary: padded training tokens seen ``unk_cutoff`` times, plus ``<UNK>``."""
        self._check_fitted()
        return self._vocab

    @property
    def counts(self) -> dict[int, dict[Context, Counter]]:
        """``counts[k][context][word]``: how often the k-gram ``context + (word,)`` occurred.

        ``counts[1][()]`` holds the unigram counts. Words are looked up in the vocabulary,
        so rare ones are counted as ``<UNK>``. Treat it as read-only.
        """
        self._check_fitted()
        return self._counts

    @property
    def is_probability(self) -> bool:
        """False for stupid backoff, whose scores are not probabilities."""
        return self.smoothing != "stupid_backoff"

    # --- scoring -------------------------------------------------------------------

    def _lookup_context(self, context: Sequence[str] | None) -> Context:
        if context is None:
            return ()
        words = _tokens(context, "context")
        if self.order == 1:
            return ()
        return tuple(self._vocab.lookup(w) for w in words[-(self.order - 1) :])

    def prob(self, word: str, context: Sequence[str] | None = None) -> float:
        """``P(word | context)``; for ``"stupid_backoff"`` the backoff **score** instead.

        Args:
            word: the next word; an out-of-vocabulary word is scored as ``<UNK>``.
            context: the preceding words, oldest first (a list or tuple, not a str); only
                the last ``order - 1`` are used. None or empty: the unigram estimate.

        Returns:
            A probability in [0, 1], except for stupid backoff (a score that need not sum
            to 1 over the vocabulary).
        """
        self._check_fitted()
        if not isinstance(word, str):
            raise TypeError(f"word must be a str, got {type(word).__name__}")
        context = self._lookup_context(context)
        word = self._vocab.lookup(word)
        if self.smoothing == "kneser_ney":
            return self._kneser_ney(word, context)
        if self.smoothing == "stupid_backoff":
            return self._stupid_backoff(word, context)
        k = len(context) + 1
        row = self._counts[k].get(context)
        count = row.get(word, 0) if row else 0
        total = self._totals[k].get(context, 0)
        if self.smoothing == "mle":
            return count / total if total else 0.0
        return (count + self.gamma) / (total + self.gamma * len(self._vocab))

    def _kneser_ney(self, word: str, context: Context) -> float:
        i = self._event_index.get(word)
        if i is None:  # <s>: never a next word
            return 0.0
        p = float(self._kn_unigram[i])
        for k in range(2, len(context) + 2):
            p = kneser_ney_bigram_prob(
                word, context[-(k - 1) :], self._kn_tables[k], self.discount, lower=p
            )
        return p

    def _stupid_backoff(self, word: str, context: Context) -> float:
        scale = 1.0
        while context:
            row = self._counts[len(context) + 1].get(context)
            if row and row.get(word, 0) > 0:
                return scale * row[word] / self._totals[len(context) + 1][context]
            scale *= self.alpha
            context = context[1:]
        return scale * self._counts[1][()].get(word, 0) / self._totals[1][()]

    def logprob(self, word: str, context: Sequence[str] | None = None) -> float:
        """``log2 prob(word, context)``, ``-inf`` for 0 (as NLTK's ``logscore``)."""
        p = self.prob(word, context)
        return math.log2(p) if p > 0 else -math.inf

    def perplexity(self, sentences: Iterable[Sequence[str]]) -> float:
        """``2 ** (-mean log2 P)`` over the padded events of held-out ``sentences``.

        The events are those of :func:`evaluation_ngrams`: each word and the first
        ``</s>``. Infinite when any event has probability 0 (MLE on unseen n-grams).
        """
        self._check_fitted()
        if not self.is_probability:
            raise ValueError(
                "stupid backoff gives scores, not probabilities, so its perplexity means "
                "nothing; use kneser_ney or laplace for perplexity"
            )
        if isinstance(sentences, str):
            raise TypeError("sentences must be a list of token lists, got one str")
        logs = [
            self.logprob(ngram[-1], ngram[:-1])
            for sentence in sentences
            for ngram in evaluation_ngrams(sentence, self.order)
        ]
        if not logs:
            raise ValueError("perplexity needs at least one sentence to score")
        return 2.0 ** (-math.fsum(logs) / len(logs))

    # --- distributions and sampling ------------------------------------------------

    @property
    def events(self) -> list[str]:
        """The words a model predicts: the vocabulary without ``<s>``, in vocabulary order."""
        self._check_fitted()
        return list(self._events)

    def distribution(self, context: Sequence[str] | None = None) -> np.ndarray:
        """``prob(w, context)`` for every ``w`` in :attr:`events`, as one array.

        Computed for all words at once (vectorised), and equal to calling :meth:`prob`
        per word. For Kneser-Ney it sums to 1; for MLE and Lidstone to 1 minus the share
        of ``<s>``; for stupid backoff to anything.
        """
        self._check_fitted()
        context = self._lookup_context(context)
        if self.smoothing == "kneser_ney":
            p = self._kn_unigram
            for k in range(2, len(context) + 2):
                p = self._kn_mix(self._kn_tables[k].get(context[-(k - 1) :]), p)
            return p.copy()
        if self.smoothing == "stupid_backoff":
            s = np.zeros(len(self._events))
            for k in range(1, len(context) + 2):
                h = context[len(context) - k + 1 :]
                row = self._counts[k].get(h)
                s *= self.alpha
                if row:
                    self._set_from_row(s, row, 1.0 / self._totals[k][h])
            return s
        k = len(context) + 1
        row = self._counts[k].get(context)
        total = self._totals[k].get(context, 0)
        if self.smoothing == "mle":
            p = np.zeros(len(self._events))
            if row:
                self._set_from_row(p, row, 1.0 / total)
            return p
        p = np.full(len(self._events), self.gamma / (total + self.gamma * len(self._vocab)))
        if row:
            p += self._row_vector(row) / (total + self.gamma * len(self._vocab))
        return p

    def _row_vector(self, row: Counter) -> np.ndarray:
        v = np.zeros(len(self._events))
        for w, c in row.items():
            if w in self._event_index:
                v[self._event_index[w]] = c
        return v

    def _set_from_row(self, target: np.ndarray, row: Counter, scale: float) -> None:
        for w, c in row.items():
            if c > 0 and w in self._event_index:
                target[self._event_index[w]] = c * scale

    def generate(
        self, n: int, seed: int | None = None, context: Sequence[str] | None = None
    ) -> list[str]:
        """Sample ``n`` tokens, each from :meth:`distribution` of the words before it.

        Sampling starts after ``context`` (looked up in the vocabulary) or, without one,
        at a sentence start. A sampled ``</s>`` is returned and starts a new sentence.
        Where a context gives all-zero weights (MLE, unseen context) its first word is
        dropped until some word has weight, as NLTK does. Stupid backoff samples in
        proportion to its scores.

        Args:
            n: how many tokens, at least 0.
            seed: seeds ``numpy.random.default_rng``; the same seed gives the same tokens.
            context: words to continue from.

        Returns:
            ``n`` tokens, each one of :attr:`events`.
        """
        self._check_fitted()
        if isinstance(n, bool) or not isinstance(n, int) or n < 0:
            raise ValueError(f"n must be a non-negative integer, got {n!r}")
        rng = np.random.default_rng(seed)
        start = [BOS] * (self.order - 1)
        history = start + [self._vocab.lookup(w) for w in _tokens(context or [], "context")]
        out: list[str] = []
        for _ in range(n):
            context_now = history[len(history) - self.order + 1 :] if self.order > 1 else []
            weights = self.distribution(context_now)
            while weights.sum() <= 0 and context_now:
                context_now = context_now[1:]
                weights = self.distribution(context_now)
            word = self._events[rng.choice(len(weights), p=weights / weights.sum())]
            out.append(word)
            history = list(start) if word == EOS else history + [word]
        return out
