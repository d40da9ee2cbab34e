"""How good are word vectors? Human similarity judgements and the Google analogies.

- :func:`word_similarity`: the Spearman correlation between the vectors' cosines and
  people's similarity ratings, on WordSim-353 (relatedness: *cup*–*coffee* is close) or
  SimLex-999 (similarity proper: *cup*–*coffee* is far);
- :func:`analogies`: accuracy on the Google analogy questions (*Athens : Greece ::
  Baghdad : ?*), answered by 3CosAdd (``b - a + c``, Mikolov et al. 2013) or 3CosMul
  (Levy and Goldberg 2014), searching only the ``restrict_vocab`` most frequent words, as
  is customary;
- :func:`evaluate_all`: all four numbers as one row of a results table.

The test files are the ones shipped inside the gensim wheel, read through the data
registry (dataset ``gensim_test_data``, checksummed). Pairs and questions with a word
outside the vocabulary are counted and reported (``oov_pairs``, ``oov_questions``), and
left out of the score.

The protocol is gensim's, so the numbers are comparable with its
``evaluate_word_pairs`` and ``evaluate_word_analogies`` (the tests check equality):

- words are compared case-insensitively: both the file's and the model's words are
  upper-cased, and a model word that differs only in case maps to the most frequent one;
- a pair or question is out of vocabulary if any of its words is not among the first
  ``restrict_vocab`` words of the model (300,000 for pairs, as in gensim);
- an analogy's answer is the best-scoring of the ``restrict_vocab`` words other than the
  three question words: of the top 5, the first whose upper-cased form is not a question
  word (gensim's rule, which also skips *Paris* when *paris* was asked);
- 3CosMul scores a candidate by ``cos'(x, b) cos'(x, c) / (cos'(x, a) + 1e-6)`` with
  cosines shifted to ``[0, 1]`` (``cos' = (1 + cos) / 2``), as gensim's
  ``most_similar_cosmul``. Deliberate difference: gensim's ``most_similar_cosmul``
  ignores its ``restrict_vocab`` (it searches the whole vocabulary, and
  ``evaluate_word_analogies`` in gensim 4.4 always uses 3CosAdd); here 3CosMul searches the
  same ``restrict_vocab`` words as 3CosAdd, so both methods answer from one candidate set.

Reference: gensim's ``KeyedVectors.evaluate_word_pairs``, ``evaluate_word_analogies``
and ``most_similar_cosmul``; ``tests/embeddings/test_evaluate.py`` compares with them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from nlpjourney.embeddings.keyed_vectors import KeyedVectors

__all__ = [
    "BENCHMARKS",
    "METHODS",
    "AnalogyResult",
    "SimilarityResult",
    "analogies",
    "evaluate_all",
    "read_analogies",
    "read_word_pairs",
    "word_similarity",
]

#: The registry dataset holding the test files.
DATASET = "gensim_test_data"
#: Word-similarity benchmarks by name: the file inside :data:`DATASET`.
BENCHMARKS = {"wordsim353": "wordsim353.tsv", "simlex999": "simlex999.txt"}
#: The Google analogy questions inside :data:`DATASET`.
ANALOGIES = "questions-words.txt"
#: The ways :func:`analogies` answers a question.
METHODS = ("3cosadd", "3cosmul")
#: gensim's 3CosMul guard against dividing by a zero (shifted) cosine.
COSMUL_EPSILON = 1e-6
#: gensim takes the top 5 candidates and answers with the first that is not a question word.
CANDIDATES = 5


@dataclass(frozen=True)
class SimilarityResult:
    """The score of vectors on one word-similarity benchmark.

    Attributes:
        benchmark: The benchmark's name (or file).
        spearman: Spearman's rank correlation of cosines with human ratings.
        pearson: Pearson's correlation of the same numbers.
        pairs: Pairs scored (both words in the vocabulary).
        oov_pairs: Pairs left out because a word is not in the vocabulary.
    """

    benchmark: str
    spearman: float
    pearson: float
    pairs: int
    oov_pairs: int


@dataclass(frozen=True)
class AnalogyResult:
    """The score of vectors on the analogy questions.

    Attributes:
        method: ``"3cosadd"`` or ``"3cosmul"``.
        accuracy: Share of the answered questions answered right.
        questions: Questions answered (all four words in the vocabulary).
        oov_questions: Questions left out because a word is not in the vocabulary.
        restrict_vocab: How many of the most frequent words were searched.
        sections: Per section (``"capital-common-countries"``...), (right, answered).
    """

    method: str
    accuracy: float
    questions: int
    oov_questions: int
    restrict_vocab: int
    sections: dict[str, tuple[int, int]] = field(default_factory=dict)

    def section_accuracy(self) -> dict[str, float]:
        """Accuracy per section (0.0 for a section with no answered question, as gensim)."""
        return {
            name: right / total if total else 0.0 for name, (right, total) in self.sections.items()
        }


def _test_file(name: str) -> Path:
    from nlpjourney.data.store import path  # the registry: checksummed, mirror or package

    return path(DATASET) / name


def read_word_pairs(benchmark: str | Path = "wordsim353") -> list[tuple[str, str, float]]:
    """The ``(word, word, rating)`` triples of a benchmark, or of a file laid out the same.

    A file has one tab-separated ``word<TAB>word<TAB>rating`` per line; lines starting
    with ``#`` are comments.

    Raises:
        UnknownNameError: ``benchmark`` is neither a benchmark name nor an existing file.
        ValueError: A line is not three tab-separated fields ending in a number.
    """
    file = Path(benchmark) if Path(benchmark).is_file() else None
    if file is None:
        from nlpjourney.errors import lookup

        file = _test_file(
            lookup(BENCHMARKS, str(benchmark), "benchmark", f"Choose {' or '.join(BENCHMARKS)}.")
        )
    triples = []
    for number, line in enumerate(file.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        parts = line.split("\t")
        try:
            first, second, rating = parts
            triples.append((first.strip(), second.strip(), float(rating)))
        except ValueError:
            raise ValueError(
                f"{file}, line {number}: expected 'word<TAB>word<TAB>rating', got {line!r}"
            ) from None
    return triples


def read_analogies(file: str | Path | None = None) -> list[tuple[str, list[tuple[str, ...]]]]:
    """The Google analogy questions by section: ``[(section, [(a, b, c, d), ...]), ...]``.

    Args:
        file: A file in the same layout (``: section`` lines, then ``a b c d`` lines);
            None reads the registry's ``questions-words.txt``.

    Raises:
        ValueError: A question before any section, or a line that is not four words.
    """
    path = Path(file) if file is not None else _test_file(ANALOGIES)
    sections: list[tuple[str, list[tuple[str, ...]]]] = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if line.startswith(":"):
            sections.append((line.lstrip(": ").strip(), []))
        elif line.strip():
            words = tuple(line.split())
            if not sections or len(words) != 4:
                problem = "a question before any ': section' line" if not sections else line
                raise ValueError(f"{path}, line {number}: expected 'a b c d', got {problem!r}")
            sections[-1][1].append(words)
    return sections


def _upper_vocab(wv: KeyedVectors, restrict_vocab: int | None) -> dict[str, int]:
    """Upper-cased word -> row, among the first ``restrict_vocab`` rows; of words equal
    but for case, the most frequent (earliest) row wins."""
    limit = len(wv) if restrict_vocab is None else min(restrict_vocab, len(wv))
    vocab: dict[str, int] = {}
    for row in range(limit - 1, -1, -1):  # backwards, so earlier rows overwrite later ones
        vocab[wv.index_to_key[row].upper()] = row
    return vocab


def word_similarity(
    wv: KeyedVectors, benchmark: str | Path = "wordsim353", restrict_vocab: int | None = 300_000
) -> SimilarityResult:
    """Spearman correlation of the vectors' cosines with a benchmark's human ratings.

    Args:
        wv: The vectors.
        benchmark: ``"wordsim353"``, ``"simlex999"``, or a file laid out the same.
        restrict_vocab: Only the first this-many words count as known (None: all).

    Returns:
        The correlations, with how many pairs were scored and how many were out of
        vocabulary.

    Raises:
        ValueError: No pair has both words in the vocabulary.
    """
    from scipy import stats  # slow to import: only when a score is asked for

    vocab = _upper_vocab(wv, restrict_vocab)
    unit = wv.unit_vectors()
    gold, model, oov = [], [], 0
    for first, second, rating in read_word_pairs(benchmark):
        rows = [vocab.get(first.upper()), vocab.get(second.upper())]
        if None in rows:
            oov += 1
            continue
        gold.append(rating)
        model.append(float(unit[rows[0]] @ unit[rows[1]]))
    if len(gold) < 2:
        raise ValueError(
            f"only {len(gold)} pair(s) of {benchmark} have both words in the vocabulary "
            f"({oov} out of vocabulary); train on more text or lower min_count"
        )
    return SimilarityResult(
        benchmark=str(benchmark),
        spearman=float(stats.spearmanr(gold, model).statistic),
        pearson=float(stats.pearsonr(gold, model).statistic),
        pairs=len(gold),
        oov_pairs=oov,
    )


def _scores(unit: np.ndarray, a: np.ndarray, b: np.ndarray, c: np.ndarray, method: str):
    """``(questions, candidates)`` scores of every candidate row for each question."""
    if method == "3cosadd":
        # gensim: the unit vectors weighted +1, +1, -1, averaged, then made unit again;
        # the ranking is the cosine with that direction.
        query = (unit[b] + unit[c] - unit[a]) / np.float32(3)
        query /= np.maximum(np.linalg.norm(query, axis=1, keepdims=True), np.float32(1e-12))
        return query @ unit.T
    shifted = [(1 + unit[rows] @ unit.T) / 2 for rows in (a, b, c)]
    return shifted[1] * shifted[2] / (shifted[0] + np.float32(COSMUL_EPSILON))


def analogies(
    wv: KeyedVectors,
    method: str = "3cosadd",
    restrict_vocab: int = 30_000,
    file: str | Path | None = None,
    batch_size: int = 256,
) -> AnalogyResult:
    """Accuracy on the Google analogy questions (``a : b :: c : ?``).

    Args:
        wv: The vectors, most frequent word first.
        method: ``"3cosadd"`` or ``"3cosmul"``.
        restrict_vocab: Search, and count as known, only this many most frequent words.
        file: Another question file in the same layout (None: the Google set).
        batch_size: Questions scored together (memory: ``batch_size * restrict_vocab``
            floats).

    Returns:
        Overall and per-section accuracy over the answered questions, with how many
        were answered and how many were out of vocabulary.

    Raises:
        ValueError: An unknown method, or ``restrict_vocab`` < 1.
    """
    if method not in METHODS:
        raise ValueError(f"unknown analogy method {method!r}; choose {' or '.join(METHODS)}")
    if restrict_vocab < 1:
        raise ValueError(f"restrict_vocab must be at least 1, got {restrict_vocab}")
    vocab = _upper_vocab(wv, restrict_vocab)
    limit = min(restrict_vocab, len(wv))
    keys = [w.upper() for w in wv.index_to_key[:limit]]
    unit = wv.unit_vectors()[:limit]
    sections: dict[str, tuple[int, int]] = {}
    answered = right_total = oov = 0
    for section, questions in read_analogies(file):
        known = []
        for question in questions:
            upper = tuple(w.upper() for w in question)
            if all(w in vocab for w in upper):
                known.append(upper)
            else:
                oov += 1
        right = 0
        for start in range(0, len(known), batch_size):
            batch = known[start : start + batch_size]
            a, b, c = (np.array([vocab[q[k]] for q in batch]) for k in range(3))
            scores = _scores(unit, a, b, c, method)
            lines = np.arange(len(batch))
            for rows in (a, b, c):
                scores[lines, rows] = -np.inf
            count = min(CANDIDATES, scores.shape[1])
            top = np.argpartition(-scores, count - 1, axis=1)[:, :count]
            order = np.argsort(-np.take_along_axis(scores, top, axis=1), axis=1, kind="stable")
            top = np.take_along_axis(top, order, axis=1)
            for question, candidates in zip(batch, top, strict=True):
                words = [keys[i] for i in candidates]
                answer = next((w for w in words if w not in question[:3]), words[-1])
                right += answer == question[3]
        sections[section] = (right, len(known))
        answered += len(known)
        right_total += right
    return AnalogyResult(
        method=method,
        accuracy=right_total / answered if answered else 0.0,
        questions=answered,
        oov_questions=oov,
        restrict_vocab=restrict_vocab,
        sections=sections,
    )


def evaluate_all(wv: KeyedVectors, restrict_vocab: int = 30_000) -> dict[str, float | int]:
    """One results-table row: both similarity benchmarks and both analogy methods.

    Returns:
        ``{"wordsim353": spearman, "simlex999": spearman, "analogy_3cosadd": accuracy,
        "analogy_3cosmul": accuracy, "oov_pairs": ..., "oov_questions": ..., "questions": ...}``;
        a similarity score is NaN when fewer than two pairs are in the vocabulary.
    """
    row: dict[str, float | int] = {}
    oov_pairs = 0
    for name in BENCHMARKS:
        try:
            result = word_similarity(wv, name)
            row[name], oov_pairs = result.spearman, oov_pairs + result.oov_pairs
        except ValueError:
            row[name], oov_pairs = float("nan"), oov_pairs + len(read_word_pairs(name))
    for method in METHODS:
        result = analogies(wv, method, restrict_vocab)
        row[f"analogy_{method}"] = result.accuracy
    row["oov_pairs"] = oov_pairs
    row["questions"] = result.questions
    row["oov_questions"] = result.oov_questions
    return row
