"""The compiled inner loop of Word2Vec and FastText: one chunk of sentences, SGD in place.

Private to :mod:`~nlpjourney.embeddings.word2vec` and :mod:`~nlpjourney.embeddings.fasttext`;
the readable statement of the maths is :func:`nlpjourney.embeddings.word2vec.sgns_step`,
which ``tests/embeddings/test_word2vec.py`` holds this loop to.

One kernel serves both models. A word's *input vector* is the mean of some rows of the
input matrix ``syn0``: word ``w`` owns rows ``sub_rows[sub_starts[w]:sub_starts[w + 1]]``.
For Word2Vec that is its own row alone; for FastText, its own row and the rows of its
hashed character n-grams. Every row of the word receives the whole gradient of the
input vector, as word2vec.c does for CBOW's context words and fastText does for n-grams.

The functions are left without type hints: numba types each argument from the first
call (float32 matrices, int32 word ids, int64 offsets and tables, uint64 keep thresholds),
and the callers always pass those types, so each function is compiled once.

Random numbers come from word2vec.c's 48-bit linear congruential generator, seeded per
chunk by the caller, so a run with one worker is reproducible and no global state is shared
between threads.
"""

from __future__ import annotations

import numpy as np

from nlpjourney.compiled import compiled

# subtle: numba types a bare Python int as int64, and uint64 (op) int64 is float64; every
# constant that meets the generator's state is therefore a np.uint64.
_MULTIPLIER = np.uint64(25214903917)
_INCREMENT = np.uint64(11)
_MASK48 = np.uint64((1 << 48) - 1)
_SHIFT = np.uint64(16)
MAX_EXP = np.float32(6.0)


@compiled(fastmath=True)
def _advance(state: np.uint64) -> np.uint64:
    return (state * _MULTIPLIER + _INCREMENT) & _MASK48


@compiled(fastmath=True)
def _gather(syn0, sub_starts, sub_rows, words, lo, hi, skip, out):
    """``out`` = mean of the rows of ``words[lo:hi]`` except position ``skip``; returns the row count."""
    out[:] = 0.0
    count = 0
    for p in range(lo, hi):
        if p == skip:
            continue
        w = words[p]
        for q in range(sub_starts[w], sub_starts[w + 1]):
            row = sub_rows[q]
            for k in range(out.shape[0]):
                out[k] += syn0[row, k]
            count += 1
    if count > 1:
        scale = np.float32(1.0) / np.float32(count)
        for k in range(out.shape[0]):
            out[k] *= scale
    return count


@compiled(fastmath=True)
def _scatter(syn0, sub_starts, sub_rows, words, lo, hi, skip, grad):
    """Add ``grad`` to every row of ``words[lo:hi]`` except position ``skip``."""
    for p in range(lo, hi):
        if p == skip:
            continue
        w = words[p]
        for q in range(sub_starts[w], sub_starts[w + 1]):
            row = sub_rows[q]
            for k in range(grad.shape[0]):
                syn0[row, k] += grad[k]


@compiled(fastmath=True)
def _output_step(syn1, h, grad, target, label, alpha):
    """One logistic output: ``grad += g * syn1[target]`` then ``syn1[target] += g * h``,
    where ``g = alpha * (label - sigmoid(h . syn1[target]))``, unless ``|h . syn1[target]| >= 6``."""
    f = np.float32(0.0)
    for k in range(h.shape[0]):
        f += h[k] * syn1[target, k]
    # As gensim: an output already saturated (|f| >= 6, sigmoid within 0.25% of 0 or 1)
    # is left alone; only the unsaturated ones move the vectors.
    if f <= -MAX_EXP or f >= MAX_EXP:
        return
    sig = np.float32(1.0) / (np.float32(1.0) + np.exp(-f))
    g = (np.float32(label) - sig) * alpha
    for k in range(h.shape[0]):
        grad[k] += g * syn1[target, k]
        syn1[target, k] += g * h[k]


@compiled(fastmath=True)
def _predict(syn1, syn1hs, h, grad, target, negative, cum_table, tree, alpha, state):
    """All the outputs for one prediction of ``target`` from ``h``; returns the generator state.

    Negative sampling: ``target`` against ``negative`` words drawn from ``cum_table``
    (a draw equal to ``target`` is skipped). Hierarchical softmax (when ``syn1hs`` has
    rows): one logistic output per inner node on the path from the Huffman tree's root to
    ``target``, whose label is 1 - the branch's bit. ``tree`` is ``(starts, codes, points)``.
    """
    if syn1hs.shape[0]:
        starts, codes, points = tree
        for d in range(starts[target], starts[target + 1]):
            _output_step(syn1hs, h, grad, points[d], 1 - codes[d], alpha)
    if negative:
        bound = cum_table[cum_table.shape[0] - 1]
        _output_step(syn1, h, grad, target, 1, alpha)
        for _ in range(negative):
            state = _advance(state)
            t = np.searchsorted(cum_table, np.int64(state >> _SHIFT) % bound)
            if t != target:
                _output_step(syn1, h, grad, t, 0, alpha)
    return state


@compiled(fastmath=True)
def train_pairs(syn0, syn1, inputs, targets, negatives, alpha):
    """Plain SGNS updates for given ``(input, target, negatives)`` triples, in order
    (each input word one row): the kernel's arithmetic without its sampling, for tests."""
    dim = syn0.shape[1]
    h = np.empty(dim, np.float32)
    grad = np.empty(dim, np.float32)
    for b in range(inputs.shape[0]):
        h[:] = syn0[inputs[b]]
        grad[:] = 0.0
        _output_step(syn1, h, grad, targets[b], 1, alpha)
        for n in range(negatives.shape[1]):
            _output_step(syn1, h, grad, negatives[b, n], 0, alpha)
        syn0[inputs[b]] += grad


@compiled(fastmath=True)
def train_chunk(
    syn0,
    syn1,
    syn1hs,
    tree,
    ids,
    sent_starts,
    sub_starts,
    sub_rows,
    keep,
    cum_table,
    sg,
    window,
    negative,
    alpha_start,
    alpha_end,
    words_before,
    words_total,
    seed,
):
    """Train on one chunk of sentences; returns the number of (kept) centre words trained.

    Args (arrays are shared with other threads and updated in place, Hogwild-style):
        syn0: ``(rows, dim)`` float32 input vectors; syn1: ``(vocab, dim)`` float32 output
            vectors for negative sampling; syn1hs: ``(vocab - 1, dim)`` float32 inner-node
            vectors for hierarchical softmax, or no rows without it.
        tree: ``(starts, codes, points)``: word ``w``'s Huffman path is
            ``codes[starts[w]:starts[w + 1]]`` (bits) through inner nodes ``points[...]``.
        ids: int32 word ids of the chunk's sentences, -1 for words out of the vocabulary;
            ``sent_starts`` (int64) the start of each sentence and the end of the last.
        sub_starts, sub_rows: the rows of ``syn0`` that make each word's input vector.
        keep: uint64 keep thresholds; word ``w`` is kept when a random 32-bit number is
            at most ``keep[w]`` (``keep = probability * 2**32``).
        cum_table: int64 cumulative unigram^0.75 table for negative sampling;
            ``negative`` the words drawn per prediction (0: none).
        sg: 1 skip-gram, 0 CBOW (mean of the context). window: the largest window.
        alpha_start, alpha_end, words_before, words_total: the learning rate falls
            linearly from start to end as ``words_before`` + the words seen here reach
            ``words_total`` (raw words, all epochs).
        seed: the chunk's generator seed.
    """
    dim = syn0.shape[1]
    h = np.empty(dim, np.float32)
    grad = np.empty(dim, np.float32)
    longest = 0
    for s in range(sent_starts.shape[0] - 1):
        longest = max(longest, sent_starts[s + 1] - sent_starts[s])
    kept = np.empty(longest, np.int32)
    state = np.uint64(seed) & _MASK48
    done = words_before
    trained = 0
    for s in range(sent_starts.shape[0] - 1):
        fraction = min(done / words_total, 1.0)
        alpha = np.float32(alpha_start - (alpha_start - alpha_end) * fraction)
        # Out-of-vocabulary and subsampled words leave the sentence before windowing,
        # so the window reaches past them (as in word2vec.c and gensim).
        n = 0
        for p in range(sent_starts[s], sent_starts[s + 1]):
            w = ids[p]
            if w < 0:
                continue
            state = _advance(state)
            if keep[w] < (state >> _SHIFT):
                continue
            kept[n] = w
            n += 1
        done += sent_starts[s + 1] - sent_starts[s]
        for i in range(n):
            state = _advance(state)
            span = window - np.int64(state >> _SHIFT) % window  # reduced window: 1..window
            lo = max(0, i - span)
            hi = min(n, i + span + 1)
            if sg:
                for j in range(lo, hi):
                    if j == i:
                        continue
                    # word2vec.c's order: the context word's input vector predicts the centre.
                    _gather(syn0, sub_starts, sub_rows, kept, j, j + 1, -1, h)
                    grad[:] = 0.0
                    state = _predict(syn1, syn1hs, h, grad, kept[i], negative, cum_table, tree,
                                     alpha, state)  # fmt: skip
                    _scatter(syn0, sub_starts, sub_rows, kept, j, j + 1, -1, grad)
            else:
                if _gather(syn0, sub_starts, sub_rows, kept, lo, hi, i, h) == 0:
                    continue
                grad[:] = 0.0
                state = _predict(syn1, syn1hs, h, grad, kept[i], negative, cum_table, tree,
                                 alpha, state)  # fmt: skip
                _scatter(syn0, sub_starts, sub_rows, kept, lo, hi, i, grad)
            trained += 1
    return trained
