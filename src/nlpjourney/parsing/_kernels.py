"""The compiled inner loop of arc-standard's dynamic oracle.

Private to :mod:`nlpjourney.parsing.reachability`. :func:`best_gain` is the same
arithmetic, step for step, as the readable
:func:`nlpjourney.parsing.reachability.best_gain` (``tests/parsing/test_transitions.py``
holds the two equal): a constrained Eisner pass over the words left on the stack and the
buffer, called three times per parser step, which plain Python makes too slow for
training on real sentences.

The function carries no type hints: numba types each argument from the first call, and
the caller always passes an int64 matrix and an int.
"""

from __future__ import annotations

import numpy as np

from nlpjourney.compiled import compiled

_NEG = -(10**9)


@compiled
def best_gain(gold, top):
    """Most gold arcs arc-standard can still build; ``gold[h, d]`` 1 for a gold arc.

    Position 0 is ROOT, positions 1..top the stack's words (top last), the rest the
    buffer; see ``reachability.best_gain`` for the recurrences.
    """
    m = gold.shape[0]
    if m <= 1:
        return 0
    cl = np.zeros((m, m), dtype=np.int64)
    cr = np.zeros((m, m), dtype=np.int64)
    il = np.full((m, m), _NEG, dtype=np.int64)
    ir = np.full((m, m), _NEG, dtype=np.int64)
    il_reach = np.full((m, m), _NEG, dtype=np.int64)
    il_bare = np.full((m, m), _NEG, dtype=np.int64)
    for length in range(1, m - 1):
        for s in range(1, m - length):
            t = s + length
            best = _NEG
            reach = _NEG
            for k in range(s, t):
                split = cr[s, k] + cl[k + 1, t]
                best = max(best, split)
                if k >= top:
                    reach = max(reach, split)
            il[s, t] = best + gold[t, s]
            il_reach[s, t] = reach + gold[t, s]
            il_bare[s, t] = cr[s, s] + cl[s + 1, t] + gold[t, s]
            ir[s, t] = best + gold[s, t]
            left = _NEG
            for j in range(s, t):
                if 1 <= j < top:
                    inner = il_reach[j, t] if s < j else max(il_reach[j, t], il_bare[j, t])
                else:
                    inner = il[j, t]
                left = max(left, cl[s, j] + inner)
            cl[s, t] = left
            right = _NEG
            for j in range(s + 1, t + 1):
                inner = ir[s, j] if not (1 <= j < top) or t >= top else _NEG
                right = max(right, inner + cr[j, t])
            cr[s, t] = right
    total = _NEG
    for r in range(1, m):
        total = max(total, gold[0, r] + cl[1, r] + cr[r, m - 1])
    return total
