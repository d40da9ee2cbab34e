"""Statistical machine translation: word alignment by IBM Model 1 (topic 3.5).

Reference: NLTK's ``IBMModel1`` (see each module).
"""

from __future__ import annotations

__all__: list[str] = []
