"""Recurrent networks from their equations: RNN, LSTM and GRU cells and layers (topic 3.3).

Reference: ``torch.nn.RNN``, ``torch.nn.LSTM`` and ``torch.nn.GRU`` (see each module).
"""

from __future__ import annotations

__all__: list[str] = []

# Exercise 3.3's model answer: one LSTM cell in NumPy, forward, backward, gradient check.
from nlpjourney.rnn.numpy_lstm import (  # noqa: E402
    GRAD_NAMES,
    gradient_check,
    lstm_cell_backward,
    lstm_cell_forward,
)

__all__ += ["GRAD_NAMES", "gradient_check", "lstm_cell_backward", "lstm_cell_forward"]
