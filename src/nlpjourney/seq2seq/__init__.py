"""Sequence-to-sequence models: recurrent encoder-decoders with attention (topic 3.5).

Reference: sacreBLEU for the scores (see each module).
"""

from __future__ import annotations

__all__: list[str] = []
