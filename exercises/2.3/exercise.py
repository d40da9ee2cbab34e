"""Exercise 2.3: one sweep of collapsed Gibbs sampling for LDA.

Collapsed Gibbs sampling fits LDA by visiting the tokens of a corpus one at a time and
drawing a new topic for each, given the topics of all the others. Everything it needs is
held in four count tables, kept equal to the topic assignments ``z`` at every moment:

- ``n_dk[d, k]``: how many tokens of document ``d`` have topic ``k``;
- ``n_kw[k, w]``: how many tokens of word ``w`` have topic ``k``, over the whole corpus;
- ``n_k[k]``: how many tokens have topic ``k`` (the row sums of ``n_kw``).

Write ``gibbs_sweep``, one pass over every token in order, with NumPy only:
``journey check`` refuses a file that uses ``nlpjourney`` (the model answer),
scikit-learn or gensim. Then run ``journey check 2.3``: every check names what it tests
and, when it fails, gives a hint (``--hint`` shows more). The checks draw fresh corpora
and states on every run, and run a few sweeps on real State of the Union tokens.

The lesson ``lessons/2.3-topic-modelling.py`` runs the same sweep by hand on a toy corpus,
one token at a time.
"""

from __future__ import annotations

import numpy as np  # noqa: F401  (yours to use)


def gibbs_sweep(doc_ids, word_ids, z, n_dk, n_kw, n_k, alpha, eta, uniforms):
    """One collapsed Gibbs sweep over the tokens, in order; returns ``z``.

    Args:
        doc_ids: int array ``(N,)``; token ``i`` belongs to document ``doc_ids[i]``.
        word_ids: int array ``(N,)``; token ``i`` is word ``word_ids[i]``.
        z: int array ``(N,)``; the current topic of each token. Updated in place.
        n_dk: int array ``(D, K)``, tokens of each document per topic. Updated in place.
        n_kw: int array ``(K, V)``, tokens of each word per topic. Updated in place.
            ``V`` is its number of columns, words that occur in no token included.
        n_k: int array ``(K,)``, tokens per topic. Updated in place.
        alpha: float, the document-topic prior (added to every ``n_dk`` count).
        eta: float, the topic-word prior (added to every ``n_kw`` count).
        uniforms: float array ``(N,)`` of numbers in ``[0, 1]``; ``uniforms[i]`` makes
            the random draw of token ``i``, so that the sweep is reproducible.

    Returns:
        ``z`` after the sweep.

    For ``i = 0, 1, ..., N - 1``, with ``d = doc_ids[i]``, ``w = word_ids[i]``:

    1. take token ``i`` out: subtract 1 from ``n_dk[d, z[i]]``, ``n_kw[z[i], w]`` and
       ``n_k[z[i]]``;
    2. for every topic ``k``, its unnormalised probability
       ``p[k] = (n_dk[d, k] + alpha) * (n_kw[k, w] + eta) / (n_k[k] + V * eta)``:
       how much the document likes the topic, times how much the topic likes the word;
    3. draw the new topic by the inverse of the cumulative distribution: the smallest
       ``k`` whose running total ``p[0] + ... + p[k]`` is strictly greater than
       ``uniforms[i] * (p[0] + ... + p[K - 1])``, or ``K - 1`` when there is none
       (``uniforms[i] == 1``, or rounding at the top);
    4. put the token back under its new topic ``k``: set ``z[i] = k`` and add 1 to
       ``n_dk[d, k]``, ``n_kw[k, w]`` and ``n_k[k]``.

    Each token sees the new topics of the tokens before it: step 1 of token ``i + 1``
    starts from the counts that step 4 of token ``i`` left.

    Example: two documents, three words, two topics, ``alpha = 0.5``, ``eta = 0.1``::

        doc_ids  = [0, 0, 0, 1, 1]
        word_ids = [0, 0, 1, 2, 1]
        z        = [0, 1, 0, 1, 1]      # so n_dk = [[2, 1], [0, 2]], n_k = [2, 3]
        n_kw     = [[1, 1, 0], [1, 1, 1]]
        uniforms = [0.9, 0.1, 0.5, 0.3, 0.7]

    Token 0 (document 0, word 0, topic 0) is taken out, leaving ``n_dk[0] = [1, 1]``,
    ``n_kw[:, 0] = [0, 1]`` and ``n_k = [1, 3]``, so ``p = [1.5 * 0.1 / 1.3,
    1.5 * 1.1 / 3.3] = [0.1154, 0.5]``. ``0.9 * 0.6154 = 0.5538`` is past the first
    running total, so token 0 moves to topic 1. After all five tokens ``z`` is
    ``[1, 0, 1, 0, 1]``, ``n_dk = [[1, 2], [1, 1]]``, ``n_kw = [[1, 0, 1], [1, 2, 0]]``
    and ``n_k = [2, 3]``.
    """
    raise NotImplementedError("write gibbs_sweep: out, score every topic, draw, back in")
