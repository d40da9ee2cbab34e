"""IBM Model 1: word alignment learned by expectation-maximisation (Brown et al. 1993).

Given sentence pairs (source ``e``, target ``f``), Model 1 says each target word ``f_j``
was produced by one source word ``e_{a_j}`` chosen uniformly among the ``l`` source words
and a NULL word ``e_0`` (for words with no counterpart, like French's "de"), then drawn
from a lexical table ``t(f | e)``:

    p(f | e, m) = prod_j  1/(l+1) * sum_i t(f_j | e_i)

The alignment is hidden, so the table is learned by EM from a uniform start:

- E step: each target word spreads one count over the source words, in proportion to
  ``t(f_j | e_i)`` (the posterior ``p(a_j = i | e, f)``: positions are independent);
- M step: ``t(f | e)`` = expected count of (f, e) / expected count of e.

The likelihood never decreases from one iteration to the next (EM's guarantee; a
property test checks it). The model's word-by-word view is what makes it the classic
picture of alignment beside a neural translator's attention (lesson 3.5).

Only pairs that co-occur in some sentence pair can get probability, so the table is
sparse: every (sentence, target position, source position) is one "link" in flat NumPy
arrays, and one EM iteration is a handful of gathers and ``np.bincount`` calls over them
(no Python loop over words).

Reference: NLTK's ``nltk.translate.IBMModel1``; the tests compare the translation table
after the same number of iterations on Multi30k pairs, and the Viterbi alignments.

Simplifications:
    - A target word repeated in a sentence: we count every occurrence (the EM update of
      Brown et al.); NLTK normalises per word type (its ``total_count`` is keyed by the
      word), so each repeated word type counts once per sentence. Ours on the pairs with
      repeated target words removed equals NLTK's on the original pairs, and the test
      says so.
    - No probability floor: NLTK clamps each estimate to at least 1e-12 and keeps the
      uniform start for pairs never seen together; here a pair that never co-occurred
      has probability 0 (see :meth:`IBMModel1.prob`).
    - No distortion, fertility or length model (those are Models 2 to 5).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np

from nlpjourney.progress import progress_bar

__all__ = ["IBMModel1", "Pair"]

#: One sentence pair: (source tokens, target tokens).
Pair = tuple[Sequence[str], Sequence[str]]

NULL = 0  # the source id of the NULL word; real source words are numbered from 1


def _check_pairs(pairs: object) -> list[tuple[list[str], list[str]]]:
    """The pairs as lists of token lists, or a TypeError that says what was wrong."""
    if isinstance(pairs, (str, bytes)) or not isinstance(pairs, Sequence):
        raise TypeError("pairs must be a list of (source tokens, target tokens) pairs")
    checked = []
    for n, pair in enumerate(pairs):
        if not isinstance(pair, Sequence) or isinstance(pair, str) or len(pair) != 2:
            raise TypeError(f"pair {n} is not a (source tokens, target tokens) pair: {pair!r:.80}")
        sides = []
        for side in pair:
            if isinstance(side, str) or not all(isinstance(w, str) for w in side):
                raise TypeError(
                    f"pair {n} must hold two lists of str tokens (tokenise the sentences "
                    f"first, e.g. with nlpjourney.mt.corpus.tokenize), got {side!r:.80}"
                )
            sides.append(list(side))
        checked.append((sides[0], sides[1]))
    return checked


class _Links:
    """Every (sentence, target position j, source position i) of a corpus, as flat arrays.

    Attributes:
        target: (L,) target word id of each link.
        source: (L,) source word id of each link (``NULL`` for the NULL word).
        position: (L,) which target position the link belongs to, numbered over the corpus.
        n_positions: how many target positions (target tokens) the corpus has.
        choices: (n_positions,) how many source positions each target word chooses from.

    Example: one pair with source ids ``[1, 2]`` and target ids ``[5]``, with NULL, gives
    links ``target=[5, 5, 5]``, ``source=[0, 1, 2]``, ``position=[0, 0, 0]``.
    """

    def __init__(self, sources: list[np.ndarray], targets: list[np.ndarray], null: bool):
        sources = [np.concatenate(([NULL], s)) if null else s for s in sources]
        src_len = np.array([len(s) for s in sources], dtype=np.int64)
        tgt_len = np.array([len(t) for t in targets], dtype=np.int64)
        src_flat = np.concatenate(sources + [np.zeros(0, np.int64)]).astype(np.int64)
        tgt_flat = np.concatenate(targets + [np.zeros(0, np.int64)]).astype(np.int64)
        src_start = np.cumsum(src_len) - src_len
        # Per target position: its sentence's source start and length.
        sentence = np.repeat(np.arange(len(sources)), tgt_len)
        choices = src_len[sentence]
        n_links = int(choices.sum())
        position = np.repeat(np.arange(len(tgt_flat)), choices)
        # Offset of each link inside its position's group: 0, 1, ..., choices - 1.
        group_start = np.cumsum(choices) - choices
        offset = np.arange(n_links) - np.repeat(group_start, choices)
        self.source = src_flat[np.repeat(src_start[sentence], choices) + offset]
        self.target = np.repeat(tgt_flat, choices)
        self.position = position
        self.n_positions = len(tgt_flat)
        self.choices = choices


class IBMModel1:
    """IBM Model 1, trained by EM: ``t(target word | source word)`` and alignments.

    scikit-learn style: ``__init__`` stores the settings, :meth:`fit` learns, and what was
    learned ends in ``_``.

    Args:
        n_iter: EM iterations (each one E step and one M step).
        null: give every sentence a NULL source word, so target words without a
            counterpart have somewhere to go.
        progress: show a progress bar over the iterations (None: only on a terminal).

    Attributes:
        source_vocab_: the source words; word ``source_vocab_[k]`` has id ``k + 1``.
        target_vocab_: the target words; word ``target_vocab_[k]`` has id ``k``.
        log_likelihoods_: the corpus log-likelihood (natural log, summed over target
            words, see :meth:`log_likelihood`) before the first iteration, then after each
            one: ``n_iter + 1`` numbers that never decrease.

    Example:
        >>> pairs = [(["the", "house"], ["das", "haus"]), (["the", "book"], ["das", "buch"]),
        ...          (["a", "book"], ["ein", "buch"])]
        >>> model = IBMModel1(n_iter=20, null=False).fit(pairs)
        >>> round(model.prob("haus", "house"), 2), model.align(["the", "book"], ["das", "buch"])
        (0.97, [(0, 0), (1, 1)])
    """

    def __init__(self, n_iter: int = 10, null: bool = True, progress: bool | None = None):
        self.n_iter = n_iter
        self.null = null
        self.progress = progress

    # --- learning ------------------------------------------------------------------

    def fit(self, pairs: Sequence[Pair]) -> IBMModel1:
        """Learn the translation table from sentence pairs by ``n_iter`` EM iterations.

        Args:
            pairs: (source tokens, target tokens) pairs.

        Returns:
            self.
        """
        if not isinstance(self.n_iter, int) or isinstance(self.n_iter, bool) or self.n_iter < 0:
            raise ValueError(f"n_iter must be an int >= 0, got {self.n_iter!r}")
        checked = _check_pairs(pairs)
        if not checked:
            raise ValueError("fit needs at least one sentence pair")
        self._check_sources(checked)
        source_index: dict[str, int] = {}
        target_index: dict[str, int] = {}
        sources = [self._ids(s, source_index, 1) for s, _ in checked]
        targets = [self._ids(t, target_index, 0) for _, t in checked]
        if not target_index:
            raise ValueError("the target sentences hold no words; there is nothing to align")
        self.source_vocab_ = tuple(source_index)
        self.target_vocab_ = tuple(target_index)
        self._source_index, self._target_index = source_index, target_index

        links = _Links(sources, targets, self.null)
        n_source = len(source_index) + 1
        # The distinct (target, source) pairs that co-occur; each link points at one.
        keys, link_pair = np.unique(links.target * n_source + links.source, return_inverse=True)
        pair_source = keys % n_source
        # Uniform start over the target vocabulary, as Brown et al. and NLTK start.
        prob = np.full(len(keys), 1.0 / len(target_index))
        history = []
        with progress_bar("IBM Model 1 EM", total=self.n_iter, unit="iterations",
                          enabled=self.progress) as bar:  # fmt: skip
            for _ in range(self.n_iter):
                # E step: each target position's probability mass over its source words.
                p = prob[link_pair]
                mass = np.bincount(links.position, weights=p, minlength=links.n_positions)
                history.append(self._log_likelihood(mass, links.choices))
                posterior = p / mass[links.position]
                # M step: expected counts of (f, e), normalised by those of e.
                counts = np.bincount(link_pair, weights=posterior, minlength=len(keys))
                totals = np.bincount(pair_source, weights=counts, minlength=n_source)
                prob = counts / totals[pair_source]
                bar.advance(1)
        mass = np.bincount(links.position, weights=prob[link_pair], minlength=links.n_positions)
        history.append(self._log_likelihood(mass, links.choices))
        self._keys, self._prob, self._n_source = keys, prob, n_source
        self.log_likelihoods_ = history
        return self

    def _check_sources(self, pairs: list[tuple[list[str], list[str]]]) -> None:
        """Without NULL, a target word needs a source word to come from."""
        if self.null:
            return
        for n, (source, target) in enumerate(pairs):
            if target and not source:
                raise ValueError(
                    f"pair {n} has target words but an empty source; without the NULL word "
                    "they cannot be aligned (use null=True or drop the pair)"
                )

    @staticmethod
    def _ids(words: list[str], index: dict[str, int], first: int) -> np.ndarray:
        """Word ids, adding new words to ``index`` (ids from ``first``)."""
        return np.array([index.setdefault(w, len(index) + first) for w in words], dtype=np.int64)

    @staticmethod
    def _log_likelihood(mass: np.ndarray, choices: np.ndarray) -> float:
        """sum_j log(1/(l+1) sum_i t(f_j|e_i)) from each position's mass and choice count."""
        with np.errstate(divide="ignore"):  # an unknown word has mass 0: log 0 = -inf
            return float(np.sum(np.log(mass)) - np.sum(np.log(choices)))

    # --- reading the table ---------------------------------------------------------

    def _fitted(self) -> None:
        if not hasattr(self, "_prob"):
            from nlpjourney.ml.base import NotFittedError

            raise NotFittedError("this IBMModel1 is not fitted yet; call fit(pairs) first")

    def _lookup(self, target_ids: np.ndarray, source_ids: np.ndarray) -> np.ndarray:
        """t(f|e) for arrays of ids (-1: unknown word); 0 where the pair never co-occurred."""
        keys = target_ids * self._n_source + source_ids
        found = np.searchsorted(self._keys, keys)
        found = np.minimum(found, len(self._keys) - 1)
        hit = (self._keys[found] == keys) & (target_ids >= 0) & (source_ids >= 0)
        return np.where(hit, self._prob[found], 0.0)

    def prob(self, target_word: str, source_word: str | None) -> float:
        """``t(target_word | source_word)``; ``None`` is the NULL word.

        A pair of words that never occurred in one sentence pair during training (or an
        unknown word) has probability 0.
        """
        self._fitted()
        t = np.array([self._target_index.get(target_word, -1)])
        s = np.array([NULL if source_word is None else self._source_index.get(source_word, -1)])
        return float(self._lookup(t, s)[0])

    @property
    def translation_table(self) -> dict[str, dict[str | None, float]]:
        """The table as ``table[target_word][source_word]`` (NLTK's layout; NULL is None).

        Only pairs that co-occurred in training are there. Built on each access: use
        :meth:`prob` for single look-ups.
        """
        self._fitted()
        source_words: list[str | None] = [None, *self.source_vocab_]
        table: dict[str, dict[str | None, float]] = {}
        targets = (self._keys // self._n_source).tolist()
        sources = (self._keys % self._n_source).tolist()
        for t, s, p in zip(targets, sources, self._prob.tolist(), strict=True):
            table.setdefault(self.target_vocab_[t], {})[source_words[s]] = p
        return table

    # --- using it ------------------------------------------------------------------

    def _probabilities(self, source: Sequence[str], target: Sequence[str]) -> np.ndarray:
        """(len(target), len(source) + 1) t(f_j | e_i), column 0 the NULL word.

        Without NULL, column 0 is zero.
        """
        self._fitted()
        source, target = _check_pairs([(source, target)])[0]
        s = np.array([NULL] + [self._source_index.get(w, -1) for w in source], dtype=np.int64)
        t = np.array([self._target_index.get(w, -1) for w in target], dtype=np.int64)
        table = self._lookup(t[:, None], s[None, :])
        if not self.null:
            table[:, 0] = 0.0
        return table

    def log_likelihood(self, pairs: Sequence[Pair]) -> float:
        """log p(targets | sources, lengths) = sum_j log(1/(l+1) sum_i t(f_j|e_i)).

        The natural log, summed over the pairs' target words; ``l + 1`` counts the NULL
        word when the model has it. A target word no source word of its sentence can
        produce (for example a word never seen in training) makes it ``-inf``.
        """
        total = 0.0
        for source, target in _check_pairs(pairs):
            table = self._probabilities(source, target)
            choices = len(source) + (1 if self.null else 0)
            total += self._log_likelihood(table.sum(axis=1), np.full(len(target), choices))
        return total

    def alignment_matrix(
        self, source: Sequence[str], target: Sequence[str], include_null: bool = True
    ) -> np.ndarray:
        """The posterior ``p(a_j = i | source, target)`` of every target word, for pictures.

        Args:
            source: the source tokens.
            target: the target tokens.
            include_null: keep the NULL word as column 0 (when the model has one); without
                it the rows no longer sum to 1, but the columns match ``source``.

        Returns:
            (len(target), len(source) + 1) with NULL, else (len(target), len(source)).
            A target word no source word can produce gets a uniform row.
        """
        table = self._probabilities(source, target)
        if not self.null:
            table = table[:, 1:]
        mass = table.sum(axis=1, keepdims=True)
        uniform = np.full_like(table, 1.0 / max(table.shape[1], 1))
        posterior = np.divide(table, mass, out=uniform, where=mass > 0)
        if self.null and not include_null:
            posterior = posterior[:, 1:]
        return posterior

    def align(self, source: Sequence[str], target: Sequence[str]) -> list[tuple[int, int]]:
        """The Viterbi alignment: each target word to its most probable source word or NULL.

        Model 1's positions are independent, so the best alignment picks, for each target
        word ``j``, the ``i`` with the largest ``t(f_j | e_i)``; ties go to the later source
        word, NULL coming first, as in NLTK.

        Returns:
            ``(i, j)`` links, source index and target index (0-based), in target order;
            a target word aligned to NULL, or that no source word can produce, has none.
        """
        table = self._probabilities(source, target)
        links = []
        for j, row in enumerate(table):
            if row.max() <= 0.0:
                continue
            # subtle: the last index of the maximum, so ties go to the later source word.
            i = len(row) - 1 - int(np.argmax(row[::-1]))
            if i != NULL:
                links.append((i - 1, j))
        return links

    # --- saving --------------------------------------------------------------------

    def save(self, folder: str | Path) -> Path:
        """Write the fitted model to ``folder`` (``nlpjourney.saving``'s two files)."""
        from nlpjourney.saving import save_model

        self._fitted()
        config = {
            "n_iter": self.n_iter,
            "null": self.null,
            "source_vocab": list(self.source_vocab_),
            "target_vocab": list(self.target_vocab_),
            "log_likelihoods": self.log_likelihoods_,
        }
        return save_model(folder, "IBMModel1", config, {"keys": self._keys, "prob": self._prob})

    @classmethod
    def load(cls, folder: str | Path) -> IBMModel1:
        """A model written by :meth:`save`.

        Raises:
            ModelFormatError: the folder is missing, damaged or holds another model.
        """
        from nlpjourney.errors import ModelFormatError
        from nlpjourney.saving import load_model

        config, arrays = load_model(folder, "IBMModel1", required=("keys", "prob"))
        try:
            model = cls(n_iter=int(config["n_iter"]), null=bool(config["null"]))
            model.source_vocab_ = tuple(config["source_vocab"])
            model.target_vocab_ = tuple(config["target_vocab"])
            model.log_likelihoods_ = [float(x) for x in config["log_likelihoods"]]
        except (KeyError, TypeError, ValueError) as err:
            raise ModelFormatError(
                f"{folder}'s model.json lacks or garbles {err}; save the model again"
            ) from None
        model._source_index = {w: k + 1 for k, w in enumerate(model.source_vocab_)}
        model._target_index = {w: k for k, w in enumerate(model.target_vocab_)}
        model._n_source = len(model.source_vocab_) + 1
        model._keys = arrays["keys"].astype(np.int64)
        model._prob = arrays["prob"].astype(np.float64)
        if model._keys.shape != model._prob.shape:
            raise ModelFormatError(f"{folder}'s weights do not match; save the model again")
        return model
