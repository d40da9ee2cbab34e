"""Count-based word vectors: positive PMI of co-occurrences, shrunk by a truncated SVD.

The oldest recipe that still competes with word2vec (Levy, Goldberg and Dagan 2015):

1. count word-context pairs in a window (:func:`~nlpjourney.embeddings.glove.cooccurrence`,
   each pair counted once whatever its distance);
2. turn counts into positive pointwise mutual information (:func:`ppmi`), with the
   context distribution smoothed by ``alpha`` so rare contexts do not get huge PMI;
3. keep the top ``vector_size`` singular directions of the PPMI matrix and use
   ``U * S ** eig`` as the word vectors (:func:`ppmi_svd`); ``eig = 0.5`` weighs the
   singular values symmetrically, which the paper found better than ``eig = 1``.

The truncated SVD is SciPy's ``scipy.sparse.linalg.svds`` (ARPACK): it works on the
sparse matrix directly, gives the exact top singular triplets, and is deterministic once
its start vector is seeded; scikit-learn's ``randomized_svd`` is faster on huge matrices
but approximate, and scikit-learn is not a dependency of the library.

>>> import scipy.sparse as sp
>>> counts = sp.csr_matrix([[0.0, 2.0], [2.0, 2.0]])
>>> ppmi(counts, alpha=1.0).toarray().round(3).tolist()
[[0.0, 0.405], [0.405, 0.0]]

Reference: Levy, Goldberg and Dagan, "Improving Distributional Similarity with Lessons
Learned from Word Embeddings" (TACL 2015) and their ``hyperwords`` code; the tests check
:func:`ppmi` against the formula computed densely.

Simplifications: no dynamic (distance-weighted) window, no subsampling, no shifted PMI
(``neg = 1``), and only the word vectors (``W``, not ``W + C``).
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import scipy.sparse as sp

from nlpjourney.embeddings.glove import cooccurrence, restartable, vocabulary
from nlpjourney.embeddings.keyed_vectors import KeyedVectors

__all__ = ["ppmi", "ppmi_svd"]


def ppmi(counts: sp.spmatrix | np.ndarray, alpha: float = 0.75) -> sp.csr_matrix:
    """Positive pointwise mutual information of a word-by-context count matrix.

    ``PMI(w, c) = log( #(w, c) / #(w) * sum_c' #(c') ** alpha / #(c) ** alpha )``, that is
    ``log P(w, c) / (P(w) P_alpha(c))`` with the context probabilities raised to
    ``alpha`` and renormalised; negative values (and the never-seen pairs, whose PMI
    is minus infinity) become 0.

    Args:
        counts: ``(V, C)`` non-negative counts, sparse or dense.
        alpha: Context-distribution smoothing (1 is plain PMI).

    Returns:
        ``(V, C)`` CSR matrix of PPMI values, zero where the count is zero.

    Raises:
        ValueError: ``alpha`` is not positive, or a count is negative.
    """
    if not alpha > 0:
        raise ValueError(f"alpha must be positive, got {alpha}")
    matrix = sp.csr_matrix(counts, dtype=np.float64)
    matrix.eliminate_zeros()
    if matrix.nnz and matrix.data.min() < 0:
        raise ValueError("counts must not be negative")
    word_totals = np.asarray(matrix.sum(axis=1)).ravel()
    smoothed = np.asarray(matrix.sum(axis=0)).ravel() ** alpha
    coo = matrix.tocoo()
    pmi = np.log(
        coo.data * smoothed.sum() / (word_totals[coo.row] * smoothed[coo.col])
    )  # only the non-zero counts: an all-zero row or column has no entry here
    keep = pmi > 0
    return sp.csr_matrix(
        (pmi[keep], (coo.row[keep], coo.col[keep])), shape=matrix.shape, dtype=np.float64
    )


def ppmi_svd(
    sentences: Iterable[list[str]],
    vector_size: int = 100,
    window: int = 5,
    min_count: int = 5,
    alpha: float = 0.75,
    eig: float = 0.5,
    seed: int = 1,
    progress: bool | None = None,
) -> KeyedVectors:
    """Word vectors from the truncated SVD of the PPMI matrix of a corpus.

    Args:
        sentences: Lists of words; read twice, so a list or a restartable corpus.
        vector_size: Dimensions kept (at most the vocabulary size minus 1).
        window: Context words counted each side, each pair once.
        min_count: Ignore words (and contexts) seen fewer times.
        alpha: Context-distribution smoothing of :func:`ppmi`.
        eig: Exponent of the singular values in ``U * S ** eig``.
        seed: Seeds ARPACK's start vector, so a run is repeatable.
        progress: Show progress bars (None: only on a terminal).

    Returns:
        The vectors, most frequent word first.

    Raises:
        TypeError: ``sentences`` is a one-pass iterator.
        ValueError: A bad setting, or a vocabulary too small for ``vector_size``.

    Example:
        >>> text = [["the", "cat", "sat"], ["the", "dog", "sat"], ["a", "cat", "ran"]] * 5
        >>> ppmi_svd(text, vector_size=2, window=2, min_count=1).vectors.shape
        (6, 2)
    """
    if isinstance(vector_size, bool) or not isinstance(vector_size, int) or vector_size < 1:
        raise ValueError(f"vector_size must be a whole number of at least 1, got {vector_size!r}")
    sentences = restartable(sentences, "ppmi_svd")
    words, _, total = vocabulary(sentences, min_count, progress)
    if vector_size >= len(words):
        raise ValueError(
            f"vector_size {vector_size} needs more than {vector_size} words, but only "
            f"{len(words)} occur {min_count} times or more; lower vector_size or min_count"
        )
    vocab = {w: i for i, w in enumerate(words)}
    counts = cooccurrence(sentences, vocab, window, False, progress, total)
    matrix = ppmi(counts, alpha)
    from scipy.sparse.linalg import svds  # slow to import: only when vectors are made

    start = np.random.default_rng(seed).uniform(-1, 1, size=min(matrix.shape))
    left, values, _ = svds(matrix, k=vector_size, v0=start)
    order = np.argsort(-values)  # svds returns the singular values in increasing order
    vectors = left[:, order] * values[order] ** eig
    return KeyedVectors(words, vectors)
