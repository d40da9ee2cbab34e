"""RNN, LSTM and GRU layers: the cells of :mod:`nlpjourney.rnn.cells` run through time.

A layer runs its cell over a sequence ``x_1 .. x_T``, carrying the state from step to
step; ``num_layers`` of them stack (each reads the outputs of the one below, with
dropout between them when training), and a bidirectional layer runs a second cell from
``x_T`` back to ``x_1`` and concatenates the two outputs at each step::

    output[t] = [h_fwd[t] ; h_bwd[t]]         (T, B, D * H)
    h_n       = the last state of each layer and direction, (num_layers * D, B, H)
                ordered layer 0 forward, layer 0 backward, layer 1 forward, ...

Variable lengths: a batch of sequences of different lengths is padded at the end to
``T`` and given by ``lengths=`` (B,), by ``mask=`` (B, T) (True on real steps, each row
a prefix) or as a torch ``PackedSequence``. Each sequence then behaves as if run alone:
its state stops changing after its last real step (so ``h_n`` is the state there), the
backward direction starts at its last real step, and outputs past its end are zero,
which is what torch gives for packed input.

The parameters are named like torch's (``weight_ih_l0``, ``bias_hh_l1_reverse``, ...)
and shaped and initialised alike, so ``load_state_dict`` from a ``torch.nn.LSTM`` of the
same arguments works unchanged. ``fused=True`` (the default) runs the same equations
through :mod:`nlpjourney.rnn.fused` (one input projection for all steps, one matmul per
step for all gates, a hand-written backward through time); ``fused=False`` runs the
readable cell step of :mod:`nlpjourney.rnn.cells` gate by gate. The two agree (tested).

Reference: ``torch.nn.RNN``, ``torch.nn.LSTM`` and ``torch.nn.GRU`` with the same
weights, checked on outputs, final states and every gradient in
``tests/rnn/test_layers.py``.

Simplifications:
    - no ``proj_size`` (LSTM with projections).
    - dropout between layers draws its own masks, so with ``dropout > 0`` in training
      the numbers differ from torch's run for run (the distribution is the same).
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence

import torch
import torch.nn.functional as F
from torch import Tensor, nn
from torch.nn.utils.rnn import PackedSequence, pack_padded_sequence, pad_packed_sequence

from nlpjourney.rnn import fused as fz
from nlpjourney.rnn.cells import NONLINEARITIES, gru_step, lstm_step, rnn_step

__all__ = ["GRU", "LSTM", "RNN", "lengths_from_mask"]

State = tuple[Tensor, ...]  # (h,) for RNN and GRU, (h, c) for LSTM


def lengths_from_mask(mask: Tensor) -> Tensor:
    """The lengths (B,) of a (B, T) mask whose rows are prefixes of True.

    Example:
        >>> lengths_from_mask(torch.tensor([[True, True, False], [True, False, False]]))
        tensor([2, 1])
    """
    if not isinstance(mask, Tensor) or mask.dim() != 2:
        raise ValueError(
            f"mask must be a (batch, time) tensor, got {getattr(mask, 'shape', type(mask))}"
        )
    mask = mask.bool()
    lengths = mask.sum(dim=1)
    steps = torch.arange(mask.shape[1], device=mask.device)
    if not torch.equal(mask, steps[None, :] < lengths[:, None]):
        raise ValueError(
            "mask must be True on each sequence's first steps and False after them "
            "(padding at the end of each row); reorder the batch or pass lengths="
        )
    return lengths


def check_lengths(lengths: Tensor | Sequence[int], batch: int, time: int) -> Tensor:
    """``lengths`` as a (B,) int64 tensor, each in ``0..time``, or a clear ValueError."""
    lengths = torch.as_tensor(lengths)
    if lengths.dim() != 1 or lengths.shape[0] != batch:
        raise ValueError(
            f"lengths must have one entry per sequence, shape ({batch},), "
            f"got {tuple(lengths.shape)}"
        )
    if lengths.is_floating_point() or lengths.is_complex() or lengths.dtype == torch.bool:
        raise ValueError(f"lengths must be integers, got dtype {lengths.dtype}")
    if batch and (int(lengths.min()) < 0 or int(lengths.max()) > time):
        raise ValueError(
            f"lengths must lie between 0 and the {time} time steps of the input, got "
            f"{lengths.tolist()}"
        )
    return lengths.long()


class _Recurrent(nn.Module):
    """What RNN, LSTM and GRU share: torch's parameters, the shape checks, the loops."""

    gates: int = 1
    mode: str = "RNN_TANH"

    def __init__(
        self,
        input_size: int,
        hidden_size: int,
        num_layers: int = 1,
        bias: bool = True,
        batch_first: bool = False,
        dropout: float = 0.0,
        bidirectional: bool = False,
        fused: bool = True,
        device: torch.device | str | None = None,
        dtype: torch.dtype | None = None,
    ) -> None:
        super().__init__()
        for name, value in (
            ("input_size", input_size),
            ("hidden_size", hidden_size),
            ("num_layers", num_layers),
        ):
            if not isinstance(value, int) or isinstance(value, bool) or value < 1:
                raise ValueError(f"{name} must be a positive int, got {value!r}")
        if isinstance(dropout, bool) or not 0.0 <= float(dropout) <= 1.0:
            raise ValueError(f"dropout must be a probability in [0, 1], got {dropout!r}")
        if dropout > 0 and num_layers == 1:
            warnings.warn(
                "dropout acts between stacked layers only; with num_layers=1 it does "
                "nothing (use num_layers > 1, or dropout on the output yourself)",
                UserWarning,
                stacklevel=2,
            )
        self.input_size, self.hidden_size, self.num_layers = input_size, hidden_size, num_layers
        self.bias, self.batch_first, self.dropout = bias, batch_first, float(dropout)
        self.bidirectional, self.fused = bidirectional, fused
        self.directions = 2 if bidirectional else 1
        factory = {"device": device, "dtype": dtype}
        rows = self.gates * hidden_size
        # Registered in torch's order, so named_parameters() and state_dict() list them
        # alike: weight_ih, weight_hh, bias_ih, bias_hh per layer and direction.
        self._weight_names: list[tuple[str, str, str | None, str | None]] = []
        for layer in range(num_layers):
            width = input_size if layer == 0 else hidden_size * self.directions
            for suffix in ("", "_reverse")[: self.directions]:
                names = [f"{kind}_l{layer}{suffix}" for kind in ("weight_ih", "weight_hh")]
                setattr(self, names[0], nn.Parameter(torch.empty(rows, width, **factory)))
                setattr(self, names[1], nn.Parameter(torch.empty(rows, hidden_size, **factory)))
                if bias:
                    names += [f"{kind}_l{layer}{suffix}" for kind in ("bias_ih", "bias_hh")]
                    for name in names[2:]:
                        setattr(self, name, nn.Parameter(torch.empty(rows, **factory)))
                else:
                    names += [None, None]
                self._weight_names.append((names[0], names[1], names[2], names[3]))
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """Every parameter uniform in ``±1/sqrt(hidden_size)``, as torch does."""
        bound = 1.0 / math.sqrt(self.hidden_size)
        for param in self.parameters():
            nn.init.uniform_(param, -bound, bound)

    def flatten_parameters(self) -> None:
        """Nothing to do (torch's cuDNN weight packing); kept so code written for torch's
        layers runs unchanged."""

    def extra_repr(self) -> str:
        text = f"{self.input_size}, {self.hidden_size}"
        for name, default in (
            ("num_layers", 1),
            ("bias", True),
            ("batch_first", False),
            ("dropout", 0.0),
            ("bidirectional", False),
            ("fused", True),
        ):
            if getattr(self, name) != default:
                text += f", {name}={getattr(self, name)}"
        return text

    # -- one cell step and one direction through time ---------------------------------

    def _step(self, x: Tensor, state: State, weights: Sequence[Tensor | None]) -> State:
        """One readable step of this layer's cell (see :mod:`nlpjourney.rnn.cells`)."""
        raise NotImplementedError

    def _direction(
        self,
        x: Tensor,
        state: State,
        weights: Sequence[Tensor | None],
        reverse: bool,
        keep: Tensor | None,
    ) -> tuple[Tensor, State]:
        """Run one direction of one layer over x (T, B, I) from ``state``.

        ``keep`` (T, B, 1) bool is True on real steps (None: all are real). Returns the
        outputs (T, B, H), zero on padding, and the state after each sequence's last step.
        """
        if self.fused:
            return fz.run_direction(self.mode, x, state, weights, reverse, keep)
        outputs: list[Tensor] = [x] * x.shape[0]  # placeholders, each overwritten
        for t in reversed(range(x.shape[0])) if reverse else range(x.shape[0]):
            new = self._step(x[t], state, weights)
            if keep is not None:
                # A finished (or not yet started, going backward) sequence keeps its
                # state, and its output there is zero.
                new = tuple(torch.where(keep[t], n, s) for n, s in zip(new, state, strict=True))
                outputs[t] = new[0].masked_fill(~keep[t], 0.0)
            else:
                outputs[t] = new[0]
            state = new
        return torch.stack(outputs), state

    # -- the layer --------------------------------------------------------------------

    def _initial_state(self, hx: Tensor | tuple[Tensor, Tensor] | None, x: Tensor) -> State:
        """The initial state(s), each (num_layers * D, B, H): zeros, or ``hx`` checked."""
        shape = (self.num_layers * self.directions, x.shape[1], self.hidden_size)
        parts = 2 if self.mode == "LSTM" else 1
        if hx is None:
            return tuple(x.new_zeros(shape) for _ in range(parts))
        name = type(self).__name__
        if parts == 2:
            if not isinstance(hx, tuple | list) or len(hx) != 2:
                raise ValueError(f"{name}'s hx must be a pair (h_0, c_0) of tensors, or None")
            states = tuple(hx)
        else:
            states = (hx,)
        for state in states:
            if not isinstance(state, Tensor) or tuple(state.shape) != shape:
                raise ValueError(
                    f"{name}'s initial state must have shape (num_layers * directions, "
                    f"batch, hidden_size) = {shape}, got {tuple(getattr(state, 'shape', ()))}"
                )
        return states

    def forward(
        self,
        input: Tensor | PackedSequence,
        hx: Tensor | tuple[Tensor, Tensor] | None = None,
        *,
        lengths: Tensor | Sequence[int] | None = None,
        mask: Tensor | None = None,
    ) -> tuple[Tensor | PackedSequence, Tensor | tuple[Tensor, Tensor]]:
        """Run the layers over a batch of sequences.

        Args:
            input: (T, B, I), or (B, T, I) with ``batch_first``, or (T, I) for one
                unbatched sequence, or a torch ``PackedSequence``.
            hx: Initial state (num_layers * D, B, H) ((num_layers * D, H) unbatched),
                a pair ``(h_0, c_0)`` for the LSTM; zeros when None.
            lengths: (B,) each sequence's number of real steps (padding at the end).
            mask: (B, T) bool, True on real steps; the other way to give ``lengths``.

        Returns:
            ``(output, h_n)`` (``(output, (h_n, c_n))`` for the LSTM): output
            (T, B, D * H) (batch first if asked, a PackedSequence for packed input),
            zero past each sequence's end; h_n (num_layers * D, B, H).
        """
        name = type(self).__name__
        packed = isinstance(input, PackedSequence)
        if packed:
            if lengths is not None or mask is not None:
                raise ValueError(f"{name}: a PackedSequence carries its lengths; drop lengths=")
            padded = input
            input, lengths = pad_packed_sequence(input)  # (T, B, I), original batch order
        elif not isinstance(input, Tensor):
            raise TypeError(f"{name} expects a tensor or PackedSequence, got {type(input)}")
        if input.dim() not in (2, 3) or input.shape[-1] != self.input_size:
            raise ValueError(
                f"{name} expects input of shape (time, batch, {self.input_size})"
                f"{' with batch_first' if self.batch_first else ''} or (time, "
                f"{self.input_size}), got {tuple(input.shape)}"
            )
        unbatched = input.dim() == 2
        if unbatched:
            if lengths is not None or mask is not None:
                raise ValueError(f"{name}: lengths and mask need a batch of sequences")
            input = input.unsqueeze(1)
            if hx is not None:
                hx = tuple(h.unsqueeze(1) for h in hx) if self.mode == "LSTM" else hx.unsqueeze(1)
        elif self.batch_first and not packed:
            input = input.transpose(0, 1)
        time, batch = input.shape[0], input.shape[1]

        if mask is not None:
            if lengths is not None:
                raise ValueError(f"{name}: give lengths= or mask=, not both")
            if tuple(mask.shape) != (batch, time):
                raise ValueError(
                    f"{name}: mask must have shape (batch, time) = {(batch, time)}, "
                    f"got {tuple(mask.shape)}"
                )
            lengths = lengths_from_mask(mask)
        keep = None
        if lengths is not None:
            lengths = check_lengths(lengths, batch, time).to(input.device)
            if bool((lengths < time).any()):
                keep = (torch.arange(time, device=input.device)[:, None] < lengths)[..., None]

        initial = self._initial_state(hx, input)
        finals: list[State] = []
        layer_input = input
        for layer in range(self.num_layers):
            outputs = []
            for direction in range(self.directions):
                index = layer * self.directions + direction
                weights = [
                    None if n is None else getattr(self, n) for n in self._weight_names[index]
                ]
                state = tuple(s[index] for s in initial)
                out, state = self._direction(layer_input, state, weights, direction == 1, keep)
                outputs.append(out)
                finals.append(state)
            layer_input = outputs[0] if len(outputs) == 1 else torch.cat(outputs, dim=2)
            if self.dropout and self.training and layer < self.num_layers - 1:
                layer_input = F.dropout(layer_input, self.dropout, training=True)
        final = tuple(torch.stack([f[k] for f in finals]) for k in range(len(initial)))

        output: Tensor | PackedSequence = layer_input
        if packed:
            output = _repack(layer_input, lengths, padded)
        elif unbatched:
            output, final = layer_input.squeeze(1), tuple(f.squeeze(1) for f in final)
        elif self.batch_first:
            output = layer_input.transpose(0, 1)
        return output, (final if self.mode == "LSTM" else final[0])


def _repack(output: Tensor, lengths: Tensor, like: PackedSequence) -> PackedSequence:
    """Pack output (T, B, F) in the input's original batch order with ``like``'s order."""
    if like.sorted_indices is not None:
        output = output.index_select(1, like.sorted_indices)
        lengths = lengths.index_select(0, like.sorted_indices.to(lengths.device))
    data = pack_padded_sequence(output, lengths.cpu(), enforce_sorted=True).data
    return PackedSequence(data, like.batch_sizes, like.sorted_indices, like.unsorted_indices)


class RNN(_Recurrent):
    """Elman RNN layers over :class:`~nlpjourney.rnn.cells.RNNCell`, like ``torch.nn.RNN``.

    Args:
        input_size, hidden_size, num_layers, bias, batch_first, dropout, bidirectional:
            As torch's.
        nonlinearity: ``"tanh"`` or ``"relu"``.
        fused: Run the fast path of :mod:`nlpjourney.rnn.fused` (same numbers).

    Example:
        >>> rnn = RNN(3, 4, num_layers=2, bidirectional=True)
        >>> out, h_n = rnn(torch.zeros(5, 2, 3), lengths=torch.tensor([5, 3]))
        >>> out.shape, h_n.shape
        (torch.Size([5, 2, 8]), torch.Size([4, 2, 4]))
    """

    def __init__(
        self,
        input_size: int,
        hidden_size: int,
        num_layers: int = 1,
        nonlinearity: str = "tanh",
        bias: bool = True,
        batch_first: bool = False,
        dropout: float = 0.0,
        bidirectional: bool = False,
        fused: bool = True,
        device: torch.device | str | None = None,
        dtype: torch.dtype | None = None,
    ) -> None:
        if nonlinearity not in NONLINEARITIES:
            raise ValueError(f"nonlinearity must be 'tanh' or 'relu', got {nonlinearity!r}")
        super().__init__(
            input_size,
            hidden_size,
            num_layers,
            bias,
            batch_first,
            dropout,
            bidirectional,
            fused,
            device,
            dtype,
        )
        self.nonlinearity = nonlinearity
        self.mode = "RNN_TANH" if nonlinearity == "tanh" else "RNN_RELU"

    def _step(self, x: Tensor, state: State, weights: Sequence[Tensor | None]) -> State:
        return (rnn_step(x, state[0], *weights, nonlinearity=self.nonlinearity),)


class LSTM(_Recurrent):
    """LSTM layers over :class:`~nlpjourney.rnn.cells.LSTMCell`, like ``torch.nn.LSTM``.

    Called as ``lstm(input, (h_0, c_0))`` and returns ``(output, (h_n, c_n))``; see
    :meth:`forward` for shapes and lengths.

    Example:
        >>> lstm = LSTM(3, 4, batch_first=True)
        >>> out, (h_n, c_n) = lstm(torch.zeros(2, 5, 3), mask=torch.ones(2, 5, dtype=bool))
        >>> out.shape, h_n.shape, c_n.shape
        (torch.Size([2, 5, 4]), torch.Size([1, 2, 4]), torch.Size([1, 2, 4]))
    """

    gates, mode = 4, "LSTM"

    def _step(self, x: Tensor, state: State, weights: Sequence[Tensor | None]) -> State:
        return lstm_step(x, state[0], state[1], *weights)


class GRU(_Recurrent):
    """GRU layers over :class:`~nlpjourney.rnn.cells.GRUCell`, like ``torch.nn.GRU``.

    Example:
        >>> gru = GRU(3, 4, num_layers=2)
        >>> out, h_n = gru(torch.zeros(5, 2, 3))
        >>> out.shape, h_n.shape
        (torch.Size([5, 2, 4]), torch.Size([2, 2, 4]))
    """

    gates, mode = 3, "GRU"

    def _step(self, x: Tensor, state: State, weights: Sequence[Tensor | None]) -> State:
        return (gru_step(x, state[0], *weights),)
