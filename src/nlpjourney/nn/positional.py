"""Positions for attention: sinusoidal, learned, rotary (RoPE) and linear biases (ALiBi).

Attention by itself is blind to order: permuting the keys permutes nothing in the
output. Four ways to tell it where each token is:

- :func:`sinusoidal_positions` / :class:`SinusoidalPositionalEmbedding`: fixed
  ``sin``/``cos`` waves added to the token embeddings ("Attention is all you need");
- :class:`LearnedPositionalEmbedding`: one trained vector per position (GPT-2);
- :class:`RotaryEmbedding` (RoPE): rotate each pair of query/key dims by an angle
  proportional to the position, so ``q . k`` depends only on the *difference* of the
  positions. Two layouts of the pairs exist and both are here:

  * interleaved: pairs ``(0, 1), (2, 3), ...`` (RoFormer, GPT-J, Meta's Llama code as
    complex numbers);
  * half-split: pairs ``(i, i + d/2)`` via ``rotate_half`` (GPT-NeoX, Llama in
    ``transformers``). :func:`rope_permutation` converts weights from one to the other.

  ``base`` sets the longest wavelength; :class:`RopeScaling` stretches it to longer
  contexts (``"linear"`` position interpolation, ``"llama3"`` frequency-dependent);
- :func:`alibi_slopes` / :func:`alibi_bias` (ALiBi): no embedding at all, a per-head
  penalty ``slope * (j - i)`` on the attention scores.

Reference: ``transformers``' ``LlamaRotaryEmbedding`` + ``apply_rotary_pos_emb``
(half-split, ``ROPE_INIT_FUNCTIONS["linear"]`` and ``["llama3"]`` for scaling); a
complex-number RoPE written in the tests (interleaved, as in Meta's ``llama``); BLOOM's
``build_alibi_tensor`` and the ALiBi paper's slopes; the sinusoid formula itself.

Simplifications:
    - no partial rotary (RoPE on a fraction of the head dims), no NTK/YaRN scaling.
    - angles are computed in float64 for float64 inputs and float32 otherwise.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Literal

import torch
from torch import Tensor, nn


def _check_even(dim: int, what: str) -> None:
    if not isinstance(dim, int) or dim <= 0 or dim % 2 != 0:
        raise ValueError(
            f"{what} must be a positive even int (dims come in sin/cos pairs), got {dim!r}"
        )


# --- sinusoidal and learned absolute positions ------------------------------------------


def sinusoidal_positions(num_positions: int, dim: int, base: float = 10000.0) -> Tensor:
    """The fixed position table of "Attention is all you need".

    ``PE[pos, 2i] = sin(pos / base^(2i/dim))`` and ``PE[pos, 2i+1] = cos(...)`` (sin and
    cos interleaved). Example: row 0 is ``[0, 1, 0, 1, ...]``.

    Shapes:
        returns (num_positions, dim), float32.
    """
    _check_even(dim, "dim")
    if num_positions < 0:
        raise ValueError(f"num_positions must be >= 0, got {num_positions}")
    positions = torch.arange(num_positions, dtype=torch.float64)[:, None]  # (T, 1)
    inv_freq = base ** (-torch.arange(0, dim, 2, dtype=torch.float64) / dim)  # (dim/2,)
    angles = positions * inv_freq  # (T, dim/2)
    table = torch.stack([angles.sin(), angles.cos()], dim=-1)  # (T, dim/2, 2)
    return table.reshape(num_positions, dim).float()


class SinusoidalPositionalEmbedding(nn.Module):
    """:func:`sinusoidal_positions` as a (non-trained, non-saved) buffer, looked up by position.

    Shapes:
        forward: positions (...) int -> (..., dim).
    """

    def __init__(self, max_positions: int, dim: int, base: float = 10000.0) -> None:
        super().__init__()
        self.max_positions, self.dim = max_positions, dim
        self.register_buffer(
            "table", sinusoidal_positions(max_positions, dim, base), persistent=False
        )

    def forward(self, positions: Tensor) -> Tensor:
        _check_positions(positions, self.max_positions)
        return self.table[positions]

    def span(self, start: int, length: int) -> Tensor:
        """The rows of positions ``start .. start + length - 1``, checked with plain ints
        (no tensor is read back, so a decoding step on a GPU does not wait for it).

        Shapes:
            returns (length, dim).
        """
        if start < 0 or length < 0 or start + length > self.max_positions:
            raise ValueError(
                f"positions {start}..{start + length - 1} are past the table of "
                f"{self.max_positions}; the sequence is longer than the position table"
            )
        return self.table[start : start + length]


class LearnedPositionalEmbedding(nn.Embedding):
    """One trained vector per position, as GPT-2's ``wpe``; an ``nn.Embedding`` that says
    clearly when a position is past the table.

    Shapes:
        forward: positions (...) int -> (..., dim).
    """

    def __init__(self, max_positions: int, dim: int) -> None:
        super().__init__(max_positions, dim)
        self.max_positions = max_positions

    def forward(self, positions: Tensor) -> Tensor:
        _check_positions(positions, self.max_positions)
        return super().forward(positions)


def _check_positions(positions: Tensor, max_positions: int) -> None:
    if positions.is_floating_point():
        raise TypeError(f"positions must be integers, got {positions.dtype}")
    if positions.numel() and (positions.min() < 0 or positions.max() >= max_positions):
        raise ValueError(
            f"positions must be in [0, {max_positions}), got {int(positions.min())}.."
            f"{int(positions.max())}; the sequence is longer than the position table"
        )


# --- rotary position embedding ---------------------------------------------------------


@dataclass(frozen=True)
class RopeScaling:
    """How to stretch RoPE to contexts longer than the model was trained on.

    Attributes:
        kind: ``"linear"``: position interpolation, every frequency divided by ``factor``
            (position ``p`` looks like ``p / factor``); ``"llama3"``: low frequencies
            (wavelength > ``original_max_positions / low_freq_factor``) divided by
            ``factor``, high frequencies (wavelength < ``original_max_positions /
            high_freq_factor``) kept, the band between interpolated smoothly.
        factor: the stretch, > 0 (Llama 3.1: 8).
        low_freq_factor: llama3 only (Llama 3.1: 1).
        high_freq_factor: llama3 only, > ``low_freq_factor`` (Llama 3.1: 4).
        original_max_positions: llama3 only, the trained context (Llama 3.1: 8192).
    """

    kind: Literal["linear", "llama3"] = "linear"
    factor: float = 1.0
    low_freq_factor: float = 1.0
    high_freq_factor: float = 4.0
    original_max_positions: int = 8192

    def __post_init__(self) -> None:
        if self.kind not in ("linear", "llama3"):
            raise ValueError(f"kind must be 'linear' or 'llama3', got {self.kind!r}")
        if not self.factor > 0:
            raise ValueError(f"factor must be > 0, got {self.factor}")
        if self.kind == "llama3" and not self.high_freq_factor > self.low_freq_factor > 0:
            raise ValueError(
                "llama3 scaling needs high_freq_factor > low_freq_factor > 0, got "
                f"{self.high_freq_factor} and {self.low_freq_factor}"
            )

    def apply(self, inv_freq: Tensor) -> Tensor:
        """The scaled inverse frequencies. Shapes: (d/2,) -> (d/2,)."""
        if self.kind == "linear":
            return inv_freq / self.factor
        low_wavelen = self.original_max_positions / self.low_freq_factor
        high_wavelen = self.original_max_positions / self.high_freq_factor
        wavelen = 2 * math.pi / inv_freq
        # smooth = 0 at the low-frequency edge (fully scaled), 1 at the high edge (kept).
        smooth = (self.original_max_positions / wavelen - self.low_freq_factor) / (
            self.high_freq_factor - self.low_freq_factor
        )
        blended = (1 - smooth) * inv_freq / self.factor + smooth * inv_freq
        scaled = torch.where(wavelen > low_wavelen, inv_freq / self.factor, blended)
        return torch.where(wavelen < high_wavelen, inv_freq, scaled)


def rope_inv_freq(
    head_dim: int, base: float = 10000.0, scaling: RopeScaling | None = None
) -> Tensor:
    """RoPE's angular frequencies ``base^(-2i/head_dim)``, ``i = 0 .. head_dim/2 - 1``.

    Computed as ``transformers`` does (float32 powers), so the angles agree bit for bit.
    Example: ``rope_inv_freq(4, base=100)`` is ``[1.0, 0.1]``.

    Shapes:
        returns (head_dim/2,), float32.
    """
    _check_even(head_dim, "head_dim")
    if not base > 1:
        raise ValueError(f"base must be > 1, got {base}")
    inv_freq = 1.0 / (base ** (torch.arange(0, head_dim, 2, dtype=torch.float32) / head_dim))
    return inv_freq if scaling is None else scaling.apply(inv_freq)


def rotate_half(x: Tensor) -> Tensor:
    """``[x1, x2] -> [-x2, x1]`` on the halves of the last dim (half-split convention).

    Example: ``[1, 2, 3, 4] -> [-3, -4, 1, 2]``.
    """
    x1, x2 = x[..., : x.shape[-1] // 2], x[..., x.shape[-1] // 2 :]
    return torch.cat([-x2, x1], dim=-1)


def rotate_pairs(x: Tensor) -> Tensor:
    """``(x0, x1), (x2, x3), ... -> (-x1, x0), (-x3, x2), ...`` (interleaved convention).

    Example: ``[1, 2, 3, 4] -> [-2, 1, -4, 3]``.
    """
    pairs = x.unflatten(-1, (-1, 2))  # (..., d/2, 2)
    return torch.stack([-pairs[..., 1], pairs[..., 0]], dim=-1).flatten(-2)


def rope_permutation(head_dim: int) -> Tensor:
    """Dim order taking interleaved pairs to half-split: ``[0, 2, 4, ..., 1, 3, 5, ...]``.

    Pair ``(2i, 2i+1)`` of the interleaved layout becomes ``(i, i + d/2)``. Permute the
    rows of each head of the q/k projection weights with it (as Hugging Face's Llama
    weight conversion does) and half-split RoPE gives the same attention scores as
    interleaved RoPE on the original weights. Example: ``rope_permutation(4)`` is
    ``[0, 2, 1, 3]``.
    """
    _check_even(head_dim, "head_dim")
    return torch.cat([torch.arange(0, head_dim, 2), torch.arange(1, head_dim, 2)])


def apply_rope(x: Tensor, cos: Tensor, sin: Tensor, *, interleaved: bool = False) -> Tensor:
    """Rotate each pair of dims of ``x`` by the angles whose cosines and sines are given.

    ``x * cos + rotate(x) * sin`` with ``cos``/``sin`` laid out to match the pairs:
    repeated ``[c0, c0, c1, c1, ...]`` when interleaved, ``[c0, c1, ..., c0, c1, ...]``
    when half-split.

    Shapes:
        x (..., T, d); cos, sin (T, d/2) or broadcastable (..., T, d/2) -> (..., T, d).
    """
    if cos.shape[-1] * 2 != x.shape[-1]:
        raise ValueError(
            f"cos {tuple(cos.shape)} must have half the last dim of x {tuple(x.shape)}"
        )
    cos, sin = _widen(cos, sin, interleaved)
    return x * cos + (rotate_pairs(x) if interleaved else rotate_half(x)) * sin


def _widen(cos: Tensor, sin: Tensor, interleaved: bool) -> tuple[Tensor, Tensor]:
    """Half-width cos/sin (..., d/2) laid out over the pairs of ``d`` dims, as apply_rope does."""
    if interleaved:
        return cos.repeat_interleave(2, dim=-1), sin.repeat_interleave(2, dim=-1)
    return torch.cat([cos, cos], dim=-1), torch.cat([sin, sin], dim=-1)


class RotaryEmbedding(nn.Module):
    """RoPE as a module: ``rope(x, positions)`` rotates queries or keys by their positions.

    Args:
        head_dim: dims per head, even.
        base: ``theta`` (10 000 in RoFormer/Llama 2, 500 000 in Llama 3).
        interleaved: pairs ``(2i, 2i+1)`` (GPT-J, Meta) if True; ``(i, i + d/2)``
            (GPT-NeoX, ``transformers``' Llama) if False.
        scaling: optional :class:`RopeScaling` for longer contexts.

    Shapes:
        forward: x (..., T, head_dim), positions (T,) or broadcastable (..., T) int
        -> (..., T, head_dim).
    """

    def __init__(
        self,
        head_dim: int,
        base: float = 10000.0,
        *,
        interleaved: bool = False,
        scaling: RopeScaling | None = None,
    ) -> None:
        super().__init__()
        self.head_dim, self.base, self.interleaved, self.scaling = (
            head_dim,
            base,
            interleaved,
            scaling,
        )
        # Not persistent: derived from the hyper-parameters, like transformers' buffer.
        self.register_buffer("inv_freq", rope_inv_freq(head_dim, base, scaling), persistent=False)
        # The last angles :meth:`rotate` laid out, by (start, length, dtype, device): one
        # module serves every layer of a model, so a forward pass computes them once.
        self._last: tuple[tuple[Any, ...], Tensor, Tensor] | None = None

    def cos_sin(
        self, positions: Tensor, dtype: torch.dtype = torch.float32
    ) -> tuple[Tensor, Tensor]:
        """Cosines and sines of ``position * inv_freq``. Shapes: (..., T) -> 2 x (..., T, d/2)."""
        if positions.is_floating_point():
            raise TypeError(f"positions must be integers, got {positions.dtype}")
        # subtle: positions reach 1e5+, so angles in float16/bfloat16 would be useless;
        # compute in float32 (float64 for float64 inputs) and cast the cos/sin at the end.
        work = torch.float64 if dtype == torch.float64 else torch.float32
        angles = positions.to(work)[..., None] * self.inv_freq.to(work)  # (..., T, d/2)
        return angles.cos().to(dtype), angles.sin().to(dtype)

    def forward(self, x: Tensor, positions: Tensor) -> Tensor:
        if x.shape[-1] != self.head_dim:
            raise ValueError(f"x {tuple(x.shape)} must end in head_dim={self.head_dim}")
        cos, sin = self.cos_sin(positions.to(x.device), x.dtype)
        return apply_rope(x, cos, sin, interleaved=self.interleaved)

    def rotate(self, x: Tensor, start: int = 0) -> Tensor:
        """``self(x, arange(start, start + T))``: rotate T consecutive positions.

        What attention calls: the angles of the last (start, T, dtype, device) are kept,
        so the layers of one forward pass, which share this module, compute them once.

        Shapes:
            x (..., T, head_dim) -> (..., T, head_dim).
        """
        if x.shape[-1] != self.head_dim:
            raise ValueError(f"x {tuple(x.shape)} must end in head_dim={self.head_dim}")
        key = (start, x.shape[-2], x.dtype, x.device, self.inv_freq.data_ptr())
        last = self._last  # one read: a model shared by threads may replace it meanwhile
        if last is None or last[0] != key:
            positions = torch.arange(start, start + x.shape[-2], device=x.device)
            cos, sin = self.cos_sin(positions, x.dtype)
            last = self._last = (key, *_widen(cos, sin, self.interleaved))
        _, cos, sin = last
        return x * cos + (rotate_pairs(x) if self.interleaved else rotate_half(x)) * sin


# --- ALiBi --------------------------------------------------------------------------------


def alibi_slopes(num_heads: int) -> Tensor:
    """ALiBi's per-head slopes: a geometric sequence from ``2^(-8/n)``.

    For ``n`` a power of two, head ``h`` (1-based) gets ``2^(-8h/n)``: for 8 heads
    ``1/2, 1/4, ..., 1/256``. Otherwise, as in the paper's code and BLOOM: the slopes of
    the largest power of two ``m < n``, then every other slope of ``2m`` heads
    (``2^(-4/m), 2^(-12/m), ...``) for the remaining ``n - m`` heads.

    Shapes:
        returns (num_heads,), float32.
    """
    if not isinstance(num_heads, int) or num_heads < 1:
        raise ValueError(f"num_heads must be a positive int, got {num_heads!r}")

    def power_of_two_slopes(n: int) -> list[float]:
        start = 2.0 ** (-8.0 / n)
        return [start ** (h + 1) for h in range(n)]

    closest = 2 ** math.floor(math.log2(num_heads))
    slopes = power_of_two_slopes(closest)
    if closest < num_heads:
        slopes += power_of_two_slopes(2 * closest)[0::2][: num_heads - closest]
    return torch.tensor(slopes, dtype=torch.float32)


def alibi_bias(slopes: Tensor, query_len: int, key_len: int) -> Tensor:
    """The ALiBi score bias ``slope_h * (j - i)``: 0 on the diagonal, more negative with distance.

    Queries are taken as the *last* ``query_len`` of the ``key_len`` positions (so it is
    right for decoding with a cache). Future keys get a positive bias: combine it with a
    causal mask, as ALiBi models do. Added to the scores it equals BLOOM's ``slope * j``
    bias up to a per-row constant, which softmax ignores.

    Shapes:
        slopes (H,) -> (H, query_len, key_len).
    """
    offset = key_len - query_len
    rows = torch.arange(query_len, device=slopes.device)[:, None] + offset  # (L, 1)
    cols = torch.arange(key_len, device=slopes.device)[None, :]  # (1, S)
    distance = (cols - rows).to(slopes.dtype)  # (L, S), <= 0 for past keys
    return slopes[:, None, None] * distance
