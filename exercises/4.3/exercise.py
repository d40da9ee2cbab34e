"""Exercise 4.3: from a BERT's token vectors to one sentence vector.

A BERT gives one vector per token (``token_states``, (B, T, H)). A sentence encoder such
as all-MiniLM-L6-v2 turns them into one vector per sentence in two steps, the ones the
lesson ``lessons/4.3-bert.py`` builds in cells:

1. ``mean_pool``: the mean of the sentence's real token vectors. Sentences of a batch
   have different lengths, so the short ones are padded, and the padding must count for
   nothing, neither in the sum nor in the count;
2. ``l2_normalize``: each vector divided by its length, so that the dot product of two
   sentence vectors is their cosine similarity.

Use torch's tensor operations, but not ``nlpjourney`` (the model answer),
``sentence_transformers`` or ``transformers``, nor ``torch.nn.functional.normalize``:
``journey check`` refuses a file that uses them. Then run ``journey check 4.3``; each
failing check gives a hint (``--hint`` shows more). The checks draw fresh inputs each run
and grade your two functions together on the real MiniLM's token vectors too.
"""

from __future__ import annotations

import torch  # noqa: F401  (yours to use)
from torch import Tensor


def mean_pool(token_states: Tensor, attention_mask: Tensor) -> Tensor:
    """The mean of each sequence's real token vectors; padding counts for nothing.

    Row ``b`` of the result is the sum of ``token_states[b, t]`` over the positions ``t``
    where ``attention_mask[b, t]`` is 1 (or True), divided by how many such positions
    there are. A row whose mask is all 0 returns a vector of zeros (not nan).

    Args:
        token_states: float tensor (B, T, H), the encoder's hidden states.
        attention_mask: (B, T), int (1 real, 0 padding) or bool (True real).

    Returns:
        Float tensor (B, H), the dtype of ``token_states``.

    Raises:
        ValueError: ``token_states`` is not 3-dimensional, or ``attention_mask`` is not
            the shape of its first two axes (B, T).

    Example: states ``[[[1, 2], [3, 4], [9, 9]]]`` with mask ``[[1, 1, 0]]`` give
    ``[[2, 3]]``: the mean of the first two vectors; the padded ``[9, 9]`` is ignored.
    """
    raise NotImplementedError("write mean_pool: a masked sum over T divided by a masked count")


def l2_normalize(vectors: Tensor, eps: float = 1e-12) -> Tensor:
    """Each vector (the last axis) divided by its Euclidean length.

    The length used is never smaller than ``eps``: a row of zeros stays zeros instead of
    becoming nan, and every other row comes out with length 1 in the same direction.

    Args:
        vectors: float tensor (..., H).
        eps: the smallest length to divide by.

    Returns:
        The same shape and dtype.

    Example: ``[[3, 4], [0, 0]]`` gives ``[[0.6, 0.8], [0, 0]]``.
    """
    raise NotImplementedError("write l2_normalize: divide by the length, at least eps")
