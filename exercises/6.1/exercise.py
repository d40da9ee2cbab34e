"""Exercise 6.1: a decoding step with a KV cache, and the nucleus of a distribution.

Generation repeats two small steps, the two the lesson
``lessons/6.1-inference-optimisation.py`` builds in cells:

1. ``attend_with_cache``: each attention layer, given the queries, keys and values of
   the new position(s), writes the keys and values into caches allocated once for the
   whole text, and attends over every position filled so far (causally), instead of
   recomputing the keys and values of the whole prefix;
2. ``top_p_filter``: before a token is sampled, every token outside the nucleus (the
   fewest most likely tokens whose probabilities reach ``top_p``) gets the logit -inf.

Use torch (``softmax``, ``sort``, ``cumsum``, indexing), but not ``nlpjourney`` (the
model answer), torch's fused ``scaled_dot_product_attention`` or ``transformers``:
``journey check`` refuses a file that uses them. Then run ``journey check 6.1``; each
failing check gives a hint (``--hint`` shows more). The checks draw fresh tensors each
run, and the last one decodes 16 greedy tokens of SmolLM2-135M-Instruct through your
``attend_with_cache`` and compares them with ``nlpjourney.infer.generate``'s.
"""

from __future__ import annotations

import torch  # noqa: F401  (yours to use)
from torch import Tensor


def top_p_filter(logits: Tensor, top_p: float) -> Tensor:
    """``logits`` with the tokens outside the nucleus set to -inf (nucleus sampling).

    Per row (the last dim is the vocabulary): take the probabilities ``softmax(logits)``;
    going from the most likely token down, keep a token while the probabilities of the
    tokens before it sum to less than ``top_p``. So the most likely token is always kept,
    and the kept tokens are the fewest whose probabilities sum to at least ``top_p``.
    ``top_p = 1`` keeps every token.

    Args:
        logits: scores (..., V), in any order (not sorted).
        top_p: the probability mass to keep, in (0, 1].

    Returns:
        A new tensor of the same shape: kept logits unchanged, the others ``-inf``.

    Example: probabilities ``[0.2, 0.5, 0.3]`` and ``top_p = 0.7`` keep the 0.5 and the
    0.3 (0.5 alone is less than 0.7) and set the first logit to -inf.
    """
    raise NotImplementedError("sort, cumulative sum, mask, and put back in the original order")


def attend_with_cache(
    q: Tensor, k_new: Tensor, v_new: Tensor, cache_k: Tensor, cache_v: Tensor, pos: int
) -> tuple[Tensor, Tensor, Tensor]:
    """Write the new keys/values into the caches at ``pos`` and attend causally over them.

    The caches hold ``capacity`` positions; the first ``pos`` of them are filled by
    earlier steps, the rest may hold anything (never read it). This step brings ``T``
    new positions, ``pos .. pos + T - 1``:

    1. write ``k_new`` and ``v_new`` into the caches at those positions (in place:
       the caches are allocated once for the whole text and never grow);
    2. the new query ``t`` (at position ``pos + t``) attends to the cached keys at
       positions ``0 .. pos + t``: scores ``q k^T / sqrt(hs)``, the later positions
       masked out (-inf), softmax over the positions, times the values;
    3. with fewer key/value heads ``nkv`` than query heads ``nh`` (grouped-query
       attention), key/value head ``j`` serves query heads ``j * g .. j * g + g - 1``,
       ``g = nh // nkv``.

    Args:
        q: the new positions' queries (B, nh, T, hs).
        k_new, v_new: the new positions' keys and values (B, nkv, T, hs).
        cache_k, cache_v: the caches (B, nkv, capacity, hs), to write into.
        pos: how many positions the caches held before this step.

    Returns:
        ``(out, cache_k, cache_v)``: the attention output (B, nh, T, hs) and the two
        caches, still (B, nkv, capacity, hs), now holding positions ``0 .. pos + T - 1``.

    Raises:
        ValueError: the new positions do not fit the caches (``pos + T > capacity``).

    Example: with ``pos = 0`` and one position, the query sees only its own key, so
    ``out`` is that position's value (repeated over each group of query heads).
    """
    raise NotImplementedError("write the new keys/values at pos, then masked attention")
