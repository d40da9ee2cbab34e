"""Attention for recurrent encoder-decoders: Bahdanau's additive score, Luong's dot and general.

At each output step the decoder holds a query (its hidden state, ``Hq`` wide) and the
encoder has left one key and one value per source position (its outputs). Attention
scores every position, turns the scores into weights that sum to 1 over the real
(unpadded) positions, and returns the weighted mean of the values, the *context*::

    additive (Bahdanau et al. 2015):   score_s = v . tanh(W_q q + W_k k_s)
    dot      (Luong et al. 2015):      score_s = q . k_s                 (Hq == Hk)
    general  (Luong et al. 2015):      score_s = q . (W k_s)

    weights = softmax over s of score_s   (padding scored -inf: weight 0)
    context = sum_s weights_s v_s

:func:`additive_attention` is the additive step as a function of its weights (exercise
3.5's reference answer); :class:`BahdanauAttention` holds those weights as parameters
and projects the keys once per sentence rather than once per step;
:class:`LuongAttention` scores by ``"dot"`` or ``"general"``. Each returns the weights
beside the context, so a decoder can hand them out for alignment pictures.

Reference: the formulas of Bahdanau, Cho and Bengio 2015 (eq. A.1.2) and Luong, Pham and
Manning 2015 (section 3.1), checked written out by hand in
``tests/seq2seq/test_attention.py``; ``torch.softmax`` for the normalisation.

Simplifications: one query per call (a decoder step); Luong's ``"concat"`` score is the
additive one and is not repeated; no location-based score.
"""

from __future__ import annotations

import torch
from torch import Tensor, nn

__all__ = [
    "BahdanauAttention",
    "LUONG_SCORES",
    "LuongAttention",
    "additive_attention",
    "attend",
]

#: The score functions :class:`LuongAttention` knows.
LUONG_SCORES = ("dot", "general")


def _check_mask(mask: Tensor | None, scores: Tensor) -> None:
    if mask is None:
        return
    if not isinstance(mask, Tensor) or mask.dtype != torch.bool:
        raise TypeError("mask must be a bool tensor (True = a real position to attend to)")
    if mask.shape != (scores.shape[0], scores.shape[-1]):
        raise ValueError(
            f"mask has shape {tuple(mask.shape)} but the scores {tuple(scores.shape)}; "
            "give one flag per (sentence, source position)"
        )


def attend(scores: Tensor, values: Tensor, mask: Tensor | None = None) -> tuple[Tensor, Tensor]:
    """Softmax the scores over the source (padding excluded) and average the values.

    A row whose mask is all False gets all-zero weights and a zero context, rather than
    the NaNs a softmax over only ``-inf`` gives.

    Args:
        scores: one score per source position.
        values: one vector per source position.
        mask: True where a position is real.

    Returns:
        ``(context, weights)``.

    Shapes:
        scores (B, S), values (B, S, Hv), mask (B, S) -> context (B, Hv), weights (B, S);
        or scores (B, T, S) for T queries at once -> context (B, T, Hv), weights (B, T, S).
    """
    _check_mask(mask, scores)
    if mask is not None:
        keep = mask if scores.ndim == 2 else mask[:, None, :]  # the same mask at every step
        scores = scores.masked_fill(~keep, float("-inf"))
    weights = torch.softmax(scores, dim=-1)
    if mask is not None:
        # subtle: softmax of an all -inf row is NaN; such a row attends to nothing.
        weights = weights.masked_fill(~keep, 0.0)
    if scores.ndim == 2:
        context = torch.bmm(weights.unsqueeze(1), values).squeeze(1)  # (B, 1, S) @ (B, S, Hv)
    else:
        context = torch.bmm(weights, values)  # (B, T, S) @ (B, S, Hv)
    return context, weights


def _check_3d(name: str, x: Tensor, batch: int) -> None:
    if not isinstance(x, Tensor) or x.ndim != 3 or x.shape[0] != batch:
        shape = tuple(x.shape) if isinstance(x, Tensor) else type(x).__name__
        raise ValueError(f"{name} must be (B={batch}, S, H), got {shape}")


def additive_attention(
    query: Tensor,
    keys: Tensor,
    values: Tensor,
    w_query: Tensor,
    w_key: Tensor,
    v: Tensor,
    mask: Tensor | None = None,
) -> tuple[Tensor, Tensor]:
    """One step of Bahdanau's additive attention, from its weights.

    ``scores = tanh(query @ w_query.T [:, None] + keys @ w_key.T) @ v``, padding
    scored ``-inf``, softmax over the source, and the weighted mean of the values.

    Args:
        query: the decoder's state.
        keys: the encoder's outputs to score.
        values: the vectors to average (usually the keys again).
        w_query: projects the query into the attention space.
        w_key: projects each key into the attention space.
        v: scores a projected vector.
        mask: True where a source position is real (None: all are).

    Returns:
        ``(context, weights)``: each row of ``weights`` sums to 1 over the real positions.

    Shapes:
        query (B, Hq), keys (B, S, Hk), values (B, S, Hv), w_query (A, Hq), w_key (A, Hk),
        v (A,), mask (B, S) -> context (B, Hv), weights (B, S).

    Example:
        >>> q, k = torch.zeros(1, 2), torch.tensor([[[1.0, 0.0], [0.0, 1.0]]])
        >>> context, weights = additive_attention(q, k, k, torch.eye(2), torch.eye(2),
        ...                                       torch.tensor([1.0, 0.0]))
        >>> weights.argmax(dim=-1).item()  # tanh(1) > tanh(0): the first key wins
        0
    """
    if not isinstance(query, Tensor) or query.ndim != 2:
        raise ValueError(f"query must be (B, Hq), got {getattr(query, 'shape', query)!r}")
    _check_3d("keys", keys, query.shape[0])
    _check_3d("values", values, query.shape[0])
    if w_query.shape[1] != query.shape[1] or w_key.shape[1] != keys.shape[2]:
        raise ValueError(
            f"w_query {tuple(w_query.shape)} must be (A, Hq={query.shape[1]}) and w_key "
            f"{tuple(w_key.shape)} (A, Hk={keys.shape[2]})"
        )
    if v.shape != (w_query.shape[0],) or w_key.shape[0] != w_query.shape[0]:
        raise ValueError(
            f"v must be (A={w_query.shape[0]},) like w_key's rows, got {tuple(v.shape)}"
        )
    projected = keys @ w_key.T  # (B, S, A)
    scores = torch.tanh((query @ w_query.T)[:, None, :] + projected) @ v  # (B, S)
    return attend(scores, values, mask)


class BahdanauAttention(nn.Module):
    """Additive attention with learned ``w_query`` (A, Hq), ``w_key`` (A, Hk) and ``v`` (A,).

    The keys' projection does not depend on the step, so a decoder computes it once per
    sentence with :meth:`project_keys` and passes it to each :meth:`forward`.

    Args:
        query_size: Hq, the decoder state's width.
        key_size: Hk, the encoder output's width.
        attention_size: A, the width of the space the two are added in.

    Shapes:
        forward: query (B, Hq), keys (B, S, Hk), values (B, S, Hv), mask (B, S)
        -> context (B, Hv), weights (B, S).
    """

    def __init__(self, query_size: int, key_size: int, attention_size: int) -> None:
        super().__init__()
        bound = attention_size**-0.5
        self.w_query = nn.Parameter(torch.empty(attention_size, query_size))
        self.w_key = nn.Parameter(torch.empty(attention_size, key_size))
        self.v = nn.Parameter(torch.empty(attention_size).uniform_(-bound, bound))
        nn.init.xavier_uniform_(self.w_query)
        nn.init.xavier_uniform_(self.w_key)

    def project_keys(self, keys: Tensor) -> Tensor:
        """``keys @ w_key.T``, the step-independent half of the score: (B, S, A)."""
        return keys @ self.w_key.T

    def forward(
        self,
        query: Tensor,
        keys: Tensor,
        values: Tensor | None = None,
        mask: Tensor | None = None,
        projected_keys: Tensor | None = None,
    ) -> tuple[Tensor, Tensor]:
        """Context and weights of ``query`` over ``keys`` (values: the keys if None)."""
        if projected_keys is None:
            return additive_attention(
                query, keys, keys if values is None else values, self.w_query, self.w_key,
                self.v, mask,
            )  # fmt: skip
        scores = torch.tanh((query @ self.w_query.T)[:, None, :] + projected_keys) @ self.v
        return attend(scores, keys if values is None else values, mask)


class LuongAttention(nn.Module):
    """Multiplicative attention: ``"dot"`` (``q . k``) or ``"general"`` (``q . W k``).

    Args:
        query_size: Hq, the decoder state's width.
        key_size: Hk, the encoder output's width (``"dot"`` needs Hq == Hk).
        score: ``"dot"`` or ``"general"``.

    Shapes:
        forward: query (B, Hq) or (B, T, Hq) for T steps at once, keys (B, S, Hk),
        values (B, S, Hv), mask (B, S) -> context (B, [T,] Hv), weights (B, [T,] S).
    """

    def __init__(self, query_size: int, key_size: int, score: str = "general") -> None:
        super().__init__()
        if score not in LUONG_SCORES:
            raise ValueError(f"unknown Luong score {score!r}; choose one of {LUONG_SCORES}")
        if score == "dot" and query_size != key_size:
            raise ValueError(
                f"the dot score needs the query ({query_size}) and keys ({key_size}) equally "
                "wide; use score='general'"
            )
        self.score = score
        # general: W maps a key into the query's space, so the score is q . (W k).
        self.weight = nn.Linear(key_size, query_size, bias=False) if score == "general" else None

    def project_keys(self, keys: Tensor) -> Tensor:
        """The keys in the query's space (``W k``, or ``k`` for dot): (B, S, Hq)."""
        return keys if self.weight is None else self.weight(keys)

    def scores(self, query: Tensor, projected_keys: Tensor) -> Tensor:
        """Raw scores: (B, Hq) -> (B, S), or (B, T, Hq) -> (B, T, S)."""
        if query.ndim == 2:
            return torch.bmm(projected_keys, query.unsqueeze(-1)).squeeze(-1)
        return torch.bmm(query, projected_keys.transpose(1, 2))

    def forward(
        self,
        query: Tensor,
        keys: Tensor,
        values: Tensor | None = None,
        mask: Tensor | None = None,
        projected_keys: Tensor | None = None,
    ) -> tuple[Tensor, Tensor]:
        """Context and weights of ``query`` over ``keys`` (values: the keys if None)."""
        values = keys if values is None else values
        _check_3d("keys", keys, query.shape[0])
        if projected_keys is None:
            projected_keys = self.project_keys(keys)
        return attend(self.scores(query, projected_keys), values, mask)
