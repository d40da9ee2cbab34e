"""What arc-standard can still build from a configuration: the loss behind its dynamic oracle.

Arc-standard is not arc-decomposable (two gold arcs each still reachable may not be
reachable together), so :meth:`ArcStandard.costs
<nlpjourney.parsing.transitions.ArcStandard.costs>` compares the best tree reachable
before and after each action. :func:`best_gain` finds that tree's number of gold arcs
with an Eisner-style pass over the words left on the stack and the buffer, the tabular
idea of Goldberg, Sartorio & Satta (2014); :func:`nlpjourney.parsing._kernels.best_gain`
is its compiled twin, which :func:`arc_standard_loss` runs.

Reference: Goldberg, Sartorio & Satta (2014) "A tabular method for dynamic oracles in
transition-based parsing"; the characterisation of reachable trees below is checked
against an exhaustive search of all derivations in ``tests/parsing/test_transitions.py``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

from nlpjourney.parsing import _kernels

if TYPE_CHECKING:
    from nlpjourney.parsing.transitions import Configuration

__all__ = ["arc_standard_loss", "best_gain", "gold_matrix"]


def arc_standard_loss(config: Configuration, gold_heads: Sequence[int]) -> int:
    """Gold arcs that no completion of ``config`` builds (the least over its completions)."""
    # Every word off the stack and the buffer has its head already, right or wrong.
    built = sum(1 for w in range(1, config.n + 1) if gold_heads[w] == config.heads[w] != -1)
    units = config.stack + config.buffer
    gain = _kernels.best_gain(gold_matrix(units, gold_heads), len(config.stack) - 1)
    return config.n - built - int(gain)


def gold_matrix(units: Sequence[int], gold_heads: Sequence[int]) -> np.ndarray:
    """``(m, m)`` int64: entry [h, d] is 1 when ``units[h]`` is the gold head of ``units[d]``."""
    words = np.asarray(units, dtype=np.int64)
    position = np.full(len(gold_heads), -1, dtype=np.int64)  # word id -> position
    position[words] = np.arange(len(words))
    heads = np.asarray(gold_heads, dtype=np.int64)[words[1:]]
    # -1 for a head no longer among the units (or no gold head at all).
    head_positions = np.where(heads >= 0, position[heads], -1)
    matrix = np.zeros((len(words), len(words)), dtype=np.int64)
    kept = head_positions >= 0
    matrix[head_positions[kept], np.flatnonzero(kept) + 1] = 1
    return matrix


def best_gain(units: Sequence[int], top: int, gold_heads: Sequence[int]) -> int:
    """The most gold arcs among ``units`` that arc-standard can still build.

    The readable model of the compiled :func:`nlpjourney.parsing._kernels.best_gain`,
    which :func:`arc_standard_loss` runs (the tests hold the two equal). ``units`` is
    the stack (ROOT first, its top at position ``top``) followed by the buffer. A stack
    word under the top can only leave the stack as the left dependent of the word just
    above it, or by coming back to the top, which it does only once every stack word
    above it is in its subtree. So the reachable trees are the projective
    trees over the units in which ROOT takes one dependent and each stack word under the
    top either is a bare left dependent (no new dependents, head to its right) or has a
    subtree that reaches the top. The best is found by Eisner's algorithm over positions
    1..m-1, scoring 1 per gold arc, with that condition folded in: ``cl`` / ``cr`` are
    complete spans headed at their right / left end, ``il`` / ``ir`` incomplete spans
    (an arc from the right / left end to the other end).
    """
    m = len(units)
    if m <= 1:
        return 0
    position = {word: i for i, word in enumerate(units)}
    gold = [[0] * m for _ in range(m)]  # gold[h][d] = 1 for a gold arc units[h] -> units[d]
    for d in range(1, m):
        h = position.get(gold_heads[units[d]])
        if h is not None:
            gold[h][d] = 1

    def pinned(p: int) -> bool:
        return 1 <= p < top  # a stack word under the top

    neg = -(10**9)
    cl = [[0] * m for _ in range(m)]
    cr = [[0] * m for _ in range(m)]
    il = [[neg] * m for _ in range(m)]
    ir = [[neg] * m for _ in range(m)]
    il_reach = [[neg] * m for _ in range(m)]  # il, the dependent's right half reaching the top
    il_bare = [[neg] * m for _ in range(m)]  # il, the dependent with no right dependents
    for length in range(1, m - 1):
        for s in range(1, m - length):
            t = s + length
            splits = [cr[s][k] + cl[k + 1][t] for k in range(s, t)]
            best = max(splits)
            il[s][t] = best + gold[t][s]
            il_reach[s][t] = max(splits[max(top, s) - s :], default=neg) + gold[t][s]
            il_bare[s][t] = splits[0] + gold[t][s]
            ir[s][t] = best + gold[s][t]
            cl[s][t] = max(
                cl[s][j]
                + (
                    il[j][t]
                    if not pinned(j)
                    else il_reach[j][t]
                    if s < j
                    else max(il_reach[j][t], il_bare[j][t])
                )
                for j in range(s, t)
            )
            cr[s][t] = max(
                (ir[s][j] if not pinned(j) or t >= top else neg) + cr[j][t]
                for j in range(s + 1, t + 1)
            )
    last = m - 1
    return max(gold[0][r] + cl[1][r] + cr[r][last] for r in range(1, m))
