"""Exercise 3.5: one Bahdanau attention step and one beam search step.

The two small functions at the heart of a translating encoder-decoder, the ones the
lesson ``lessons/3.5-sequence-to-sequence.py`` builds in cells:

1. ``additive_attention``: Bahdanau's attention for a whole batch at one decoder step.
   The decoder's state (the *query*) scores every encoder state (the *keys*) with a
   one-layer network, a softmax turns the scores into weights over the source
   positions, and the *context* is the weighted average of the *values*. Padding
   positions (``mask`` False) get a weight of exactly zero;
2. ``beam_search_step``: one step of beam search for one sentence. Every live
   hypothesis is extended by every token of the vocabulary, and the ``beam_size``
   best extensions survive, each remembering which hypothesis it came from.

Use torch's tensor operations (``@``, ``tanh``, ``softmax``, ``masked_fill``,
``reshape``, ``sort``, ``topk``...), but not ``nlpjourney`` (the model answer) or
``transformers`` (whose beam search does the same bookkeeping): ``journey check`` refuses
a file that uses them. Sorting is allowed: the exercise is what to sort and how to read
the winners' positions back, not a selection algorithm. Then run ``journey check 3.5``;
the checks compare your functions with the formulas written out in the checks, on
worked examples and on inputs drawn fresh each run, and each failing check gives a hint
(``--hint`` shows more).
"""

from __future__ import annotations

import torch  # noqa: F401  (yours to use)
from torch import Tensor


def additive_attention(
    query: Tensor,
    keys: Tensor,
    values: Tensor,
    w_query: Tensor,
    w_key: Tensor,
    v: Tensor,
    mask: Tensor | None = None,
) -> tuple[Tensor, Tensor]:
    """Bahdanau (additive) attention of one decoder step, for a batch of sentences.

    For sentence ``b`` and source position ``s``:

    - score ``e[b, s] = v . tanh(w_query @ query[b] + w_key @ keys[b, s])``;
    - where ``mask[b, s]`` is False (padding), the score is ``-inf``;
    - weights ``a[b] = softmax(e[b])`` over the source positions ``s``;
    - context ``c[b] = sum over s of a[b, s] * values[b, s]``.

    The weights come back too, so a caller can draw them. Everything stays a torch
    operation, so gradients reach ``w_query``, ``w_key`` and ``v`` (training learns them
    through this function). Do not change the arguments.

    Args:
        query: the decoder's state, (B, Hq).
        keys: the encoder's states that are scored, (B, S, Hk).
        values: the encoder's states that are averaged, (B, S, Hv) (often the keys).
        w_query: (A, Hq), projects the query into the attention space of size A.
        w_key: (A, Hk), projects each key into the same space.
        v: (A,), turns each tanh vector into one score.
        mask: (B, S) bool, True at real source tokens, False at padding; None means no
            padding. Every row keeps at least one True.

    Returns:
        ``(context, weights)``: context (B, Hv); weights (B, S), each row summing to 1.

    Example: one sentence of two source positions, ``A = Hq = Hk = 1``,
    ``w_query = w_key = [[1]]``, ``v = [2 ln 3]``, ``query = [[0]]``, keys
    ``[[[0], [atanh(0.5)]]]`` and values ``[[[4, 0], [0, 4]]]``: the tanh terms are
    ``0`` and ``0.5``, the scores ``0`` and ``ln 3``, the weights ``[0.25, 0.75]`` and the
    context ``[[1, 3]]``.
    """
    raise NotImplementedError("write additive_attention: score, mask, softmax, average")


def beam_search_step(
    scores: Tensor, log_probs: Tensor, beam_size: int
) -> tuple[Tensor, Tensor, Tensor]:
    """One beam search step for one sentence: the ``beam_size`` best extensions.

    Hypothesis ``k`` has the cumulative log-probability ``scores[k]``; extending it by
    token ``t`` scores ``scores[k] + log_probs[k, t]``. Of all ``K * V`` extensions, keep
    the ``beam_size`` best, best first. Number the extensions row by row
    (``flat = k * V + t``); among equal scores the lower number comes first. Each winner
    is returned as its score, its *parent* (the hypothesis ``k`` it extends) and its
    *token* ``t``.

    Args:
        scores: (K,) cumulative log-probabilities of the live hypotheses.
        log_probs: (K, V) log-probabilities of the next token for each hypothesis
            (``-inf`` for a token that may not follow).
        beam_size: how many extensions survive, ``1 <= beam_size <= K * V``.

    Returns:
        ``(new_scores, parents, tokens)``, each (beam_size,): new_scores in descending
        order (the dtype of ``scores``), parents and tokens as integer (int64) tensors.

    Example: ``scores = [-1, -2]``, ``log_probs = log([[0.5, 0.3, 0.2], [0.6, 0.3, 0.1]])``
    and ``beam_size = 3``: the six extensions score ``-1.69, -2.20, -2.61, -2.51, -3.20,
    -4.30``; the best three are flat numbers 0, 1 and 3, so parents ``[0, 0, 1]``, tokens
    ``[0, 1, 0]``, new scores ``[-1.69, -2.20, -2.51]``.
    """
    raise NotImplementedError("write beam_search_step: add, flatten, keep the best, unflatten")
