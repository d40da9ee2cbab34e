"""The compiled forward-backward pass of :class:`~nlpjourney.tagging.crf.CRF` training.

Private to :mod:`nlpjourney.tagging.crf`. :func:`forward_backward` runs the log-space
forward and backward recurrences of :func:`nlpjourney.tagging.crf.forward_log_alphas` and
:func:`~nlpjourney.tagging.crf.backward_log_betas` over every sentence of a batch (the
tokens of all sentences stacked, ``offsets`` marking where each starts), and adds up what
the gradient needs: ``log Z`` of each sentence, the tag marginals of every token, and the
expected transition, start and end counts. ``tests/tagging/test_crf.py`` holds it equal
to the readable :func:`~nlpjourney.tagging.crf.marginals`.

The functions carry no type hints: numba types each argument from the first call, and the
caller always passes float64 scores and int64 offsets. No ``fastmath``: the sums must
stay as stable as the NumPy twin's.
"""

from __future__ import annotations

import math

import numpy as np

from nlpjourney.compiled import compiled


@compiled
def _logsumexp(values):
    """log(sum(exp(values))) of a 1-D array, shifted by its maximum so nothing overflows."""
    top = -np.inf
    for value in values:
        if value > top:
            top = value
    if top == -np.inf:
        return -np.inf
    total = 0.0
    for value in values:
        total += math.exp(value - top)
    return top + math.log(total)


#: Largest |transition score| for the fast path: exp of it stays far from overflow.
FAST_LIMIT = 300.0


@compiled
def forward_backward(
    emissions, offsets, transitions, start, end, unary, pair_counts, start_counts, end_counts
):
    """Marginals and expected counts of a batch of sentences; returns the summed ``log Z``.

    The fast path takes ``exp(transitions)`` once and, at each position, the exponentials
    of the K scores of the previous column shifted by their maximum, so a step costs K
    exponentials and K logarithms instead of K^2 (the shift keeps one term at 1, so no sum
    underflows while ``|transitions| <= FAST_LIMIT``). Wider transition scores take the
    plain log-space path, :func:`forward_backward_log`. Arguments as there.
    """
    widest = 0.0
    for value in transitions.ravel():
        widest = max(widest, abs(value))
    if not widest <= FAST_LIMIT:  # also catches NaN
        return forward_backward_log(
            emissions, offsets, transitions, start, end, unary, pair_counts, start_counts,
            end_counts,
        )  # fmt: skip
    k = emissions.shape[1]
    exp_transitions = np.exp(transitions)
    longest = 0
    for s in range(len(offsets) - 1):
        longest = max(longest, offsets[s + 1] - offsets[s])
    alphas = np.empty((max(longest, 1), k))
    betas = np.empty((max(longest, 1), k))
    left = np.empty(k)
    right = np.empty(k)
    total = 0.0
    for s in range(len(offsets) - 1):
        first = offsets[s]
        n = offsets[s + 1] - first
        if n == 0:
            continue
        for j in range(k):
            alphas[0, j] = start[j] + emissions[first, j]
        for t in range(1, n):
            top = _shifted_exp(alphas[t - 1], left)
            for j in range(k):
                acc = 0.0
                for i in range(k):
                    acc += left[i] * exp_transitions[i, j]
                alphas[t, j] = top + math.log(acc) + emissions[first + t, j]
        for j in range(k):
            betas[n - 1, j] = end[j]
        for t in range(n - 2, -1, -1):
            for j in range(k):
                right[j] = emissions[first + t + 1, j] + betas[t + 1, j]
            top = _shifted_exp(right, right)
            for i in range(k):
                acc = 0.0
                for j in range(k):
                    acc += exp_transitions[i, j] * right[j]
                betas[t, i] = top + math.log(acc)
        for j in range(k):
            left[j] = alphas[n - 1, j] + end[j]
        log_z = _logsumexp(left)
        total += log_z
        for t in range(n):
            for j in range(k):
                unary[first + t, j] = math.exp(alphas[t, j] + betas[t, j] - log_z)
        for j in range(k):
            start_counts[j] += unary[first, j]
            end_counts[j] += unary[first + n - 1, j]
        for t in range(1, n):
            top_left = _shifted_exp(alphas[t - 1], left)
            for j in range(k):
                right[j] = emissions[first + t, j] + betas[t, j]
            top_right = _shifted_exp(right, right)
            # p(i, j) = exp(alpha[t-1, i] + T[i, j] + E[t, j] + beta[t, j] - log Z), factored.
            scale = math.exp(top_left + top_right - log_z)
            for i in range(k):
                weight = scale * left[i]
                for j in range(k):
                    pair_counts[i, j] += weight * exp_transitions[i, j] * right[j]
    return total


@compiled
def _shifted_exp(values, out):
    """``out = exp(values - max(values))``; returns the maximum (``out`` may be ``values``)."""
    top = -np.inf
    for value in values:
        if value > top:
            top = value
    for i in range(len(values)):
        out[i] = math.exp(values[i] - top)
    return top


@compiled
def forward_backward_log(
    emissions, offsets, transitions, start, end, unary, pair_counts, start_counts, end_counts
):
    """Marginals and expected counts of a batch of sentences; returns the summed ``log Z``.

    Every step in log space (K^2 exponentials a step): the path for any scores.

    Args (all NumPy arrays):
        emissions: (N, K) state scores of the batch's N tokens, sentence after sentence.
        offsets: (S + 1,) int64, sentence ``s`` is tokens ``offsets[s]:offsets[s + 1]``.
        transitions, start, end: (K, K), (K,), (K,) scores.
        unary: (N, K) output, ``p(y_t = j)`` of each token.
        pair_counts: (K, K) output, expected transition counts added up over the batch.
        start_counts, end_counts: (K,) outputs, expected first and last tags.
    """
    k = emissions.shape[1]
    longest = 0
    for s in range(len(offsets) - 1):
        longest = max(longest, offsets[s + 1] - offsets[s])
    alphas = np.empty((max(longest, 1), k))
    betas = np.empty((max(longest, 1), k))
    column = np.empty(k)
    total = 0.0
    for s in range(len(offsets) - 1):
        first = offsets[s]
        n = offsets[s + 1] - first
        if n == 0:
            continue
        for j in range(k):
            alphas[0, j] = start[j] + emissions[first, j]
        for t in range(1, n):
            for j in range(k):
                for i in range(k):
                    column[i] = alphas[t - 1, i] + transitions[i, j]
                alphas[t, j] = _logsumexp(column) + emissions[first + t, j]
        for j in range(k):
            betas[n - 1, j] = end[j]
        for t in range(n - 2, -1, -1):
            for i in range(k):
                for j in range(k):
                    column[j] = transitions[i, j] + emissions[first + t + 1, j] + betas[t + 1, j]
                betas[t, i] = _logsumexp(column)
        for j in range(k):
            column[j] = alphas[n - 1, j] + end[j]
        log_z = _logsumexp(column)
        total += log_z
        for t in range(n):
            for j in range(k):
                unary[first + t, j] = math.exp(alphas[t, j] + betas[t, j] - log_z)
        for j in range(k):
            start_counts[j] += unary[first, j]
            end_counts[j] += unary[first + n - 1, j]
        for t in range(1, n):
            for i in range(k):
                for j in range(k):
                    pair_counts[i, j] += math.exp(
                        alphas[t - 1, i]
                        + transitions[i, j]
                        + emissions[first + t, j]
                        + betas[t, j]
                        - log_z
                    )
    return total


@compiled
def viterbi_batch(emissions, offsets, transitions, start, end, paths):
    """The best path of every sentence of a batch into ``paths`` (N,), ties to the lower tag.

    The same recurrence as :func:`nlpjourney.tagging.decode.viterbi`, compiled so a CRF
    tags a whole corpus without a Python loop per token.
    """
    k = emissions.shape[1]
    longest = 0
    for s in range(len(offsets) - 1):
        longest = max(longest, offsets[s + 1] - offsets[s])
    best = np.empty((max(longest, 1), k))
    back = np.zeros((max(longest, 1), k), dtype=np.int64)
    for s in range(len(offsets) - 1):
        first = offsets[s]
        n = offsets[s + 1] - first
        if n == 0:
            continue
        for j in range(k):
            best[0, j] = start[j] + emissions[first, j]
        for t in range(1, n):
            for j in range(k):
                top = -np.inf
                arg = 0
                for i in range(k):
                    value = best[t - 1, i] + transitions[i, j]
                    if value > top:
                        top = value
                        arg = i
                best[t, j] = top + emissions[first + t, j]
                back[t, j] = arg
        top = -np.inf
        arg = 0
        for j in range(k):
            value = best[n - 1, j] + end[j]
            if value > top:
                top = value
                arg = j
        paths[first + n - 1] = arg
        for t in range(n - 1, 0, -1):
            paths[first + t - 1] = back[t, paths[first + t]]
