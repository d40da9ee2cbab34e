"""Recurrent networks from their equations: RNN, LSTM and GRU cells and layers (topic 3.3).

Reference: ``torch.nn.RNN``, ``torch.nn.LSTM`` and ``torch.nn.GRU`` (see each module).
"""

from __future__ import annotations

from nlpjourney.rnn.cells import GRUCell, LSTMCell, RNNCell, gru_step, lstm_step, rnn_step
from nlpjourney.rnn.layers import GRU, LSTM, RNN, lengths_from_mask

__all__: list[str] = [
    "GRU",
    "GRUCell",
    "LSTM",
    "LSTMCell",
    "RNN",
    "RNNCell",
    "gru_step",
    "lengths_from_mask",
    "lstm_step",
    "rnn_step",
]
