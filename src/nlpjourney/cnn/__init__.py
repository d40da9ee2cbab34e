"""Convolutional networks for text: classification and sequence labelling (topic 3.4).

Reference: ``torch.nn.Conv1d`` (see each module).
"""

from __future__ import annotations

__all__: list[str] = []
