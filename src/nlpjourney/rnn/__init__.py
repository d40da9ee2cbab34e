"""Recurrent networks from their equations: RNN, LSTM and GRU cells and layers (topic 3.3).

Reference: ``torch.nn.RNN``, ``torch.nn.LSTM`` and ``torch.nn.GRU`` (see each module).
"""

from __future__ import annotations

__all__: list[str] = []
