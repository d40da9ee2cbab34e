"""Exercise 2.5: the Viterbi algorithm, the best tag path through a lattice.

A tagger that scores each tag at each position (``emissions``) and each pair of
neighbouring tags (``transitions``) wants the one tag sequence with the highest total
score. There are ``K ** n`` sequences for ``n`` words and ``K`` tags; Viterbi finds the
best one in ``n * K * K`` steps by keeping, for every position and tag, only the best
way to get there and a back-pointer to the tag before it.

Write ``viterbi``. An HMM gives it log probabilities (log P(word | tag) as emissions,
log P(tag | previous tag) as transitions, log P(first tag) as ``start``), so the best
path is the most probable tagging; a perceptron or a CRF gives it any real scores.

Use NumPy and the standard library, but not ``nlpjourney`` (the model answer), ``nltk``,
or any library's Viterbi (``torchcrf``, ``pycrfsuite``, ``hmmlearn``, ``sklearn``):
``journey check`` refuses a file that uses them. Then run ``journey check 2.5``: the
checks draw fresh random score tables every run and compare your path and score with
the best of all ``K ** n`` paths, test ties, ``start``/``end`` and one-word sentences,
and decode real sentences with an HMM estimated from the Penn Treebank sample, against
NLTK's ``HiddenMarkovModelTagger``. Each failing check gives a hint (``--hint`` shows
more).

The lesson ``lessons/2.5-pos-tagging.py`` builds the HMM and Viterbi by hand in cells.
"""

from __future__ import annotations

import numpy as np


def viterbi(
    emissions: np.ndarray,
    transitions: np.ndarray,
    start: np.ndarray | None = None,
    end: np.ndarray | None = None,
) -> tuple[np.ndarray, float]:
    """The highest-scoring tag path and its score.

    The score of a path ``y_0 .. y_{n-1}`` (tag indices) is::

        start[y_0] + sum_t emissions[t, y_t] + sum_{t >= 1} transitions[y_{t-1}, y_t]
                   + end[y_{n-1}]

    ``start`` and ``end`` left as ``None`` count as zeros.

    Ties: when several paths score the same, follow ``np.argmax``, which picks the
    first (lowest) index: choose the lowest last tag among the best ones, and at every
    back-pointer the lowest previous tag among the best ones.

    Args:
        emissions: ``(n, K)`` float scores, ``emissions[t, j]`` for tag ``j`` at word ``t``.
        transitions: ``(K, K)`` float scores, ``transitions[i, j]`` for tag ``i``
            followed by tag ``j``.
        start: ``(K,)`` scores of the first tag, or ``None``.
        end: ``(K,)`` scores of the last tag, or ``None``.

    Returns:
        ``(path, score)``: ``path`` an ``int64`` array of shape ``(n,)`` holding the
        best tag index at each position, and ``score`` its total score, a Python float.

    Raises:
        ValueError: ``emissions`` is not 2-D, has no rows (``n == 0``) or no columns
            (``K == 0``); ``transitions``, ``start`` or ``end`` do not have the shapes
            above; or any score is NaN (``-inf`` is allowed: an impossible tag).

    Example: with ``emissions = [[1, 0], [0, 1]]`` and ``transitions = [[0, -5],
    [0, 0]]`` the path ``[1, 1]`` scores 1 and ``[0, 1]`` scores -3; the best is
    ``[0, 0]`` or ``[1, 1]``, both 1: the tie goes to ``[0, 0]`` (the lower last tag).
    """
    raise NotImplementedError(
        "write viterbi: a (n, K) table of best scores, a (n, K) table of back-pointers, "
        "then follow the pointers back from the best last tag"
    )
