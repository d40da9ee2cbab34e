"""Text clustering: k-means (spherical and mini-batch too), agglomerative clustering, and
the scores that compare clusters with known labels.

Reference: scikit-learn's ``sklearn.cluster`` and ``sklearn.metrics`` (clustering scores).
"""

from __future__ import annotations

__all__: list[str] = []
