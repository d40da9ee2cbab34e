"""Text clustering: k-means (spherical and mini-batch too), agglomerative clustering, and
the scores that compare clusters with known labels.

- :mod:`~nlpjourney.cluster.kmeans`: :class:`KMeans` (the same class as
  :class:`nlpjourney.ml.KMeans`), :class:`SphericalKMeans` (cosine), :class:`MiniBatchKMeans`,
  and Lloyd's two steps as plain functions, :func:`assign_clusters` and :func:`update_centres`;
- :mod:`~nlpjourney.cluster.agglomerative`: :class:`AgglomerativeClustering` (ward,
  complete, average, single; scikit-learn's labels) and :func:`plot_dendrogram`;
- :mod:`~nlpjourney.cluster.metrics`: :func:`purity`, :func:`normalized_mutual_info`,
  :func:`adjusted_rand_index`, :func:`contingency_matrix`, :func:`silhouette_score` and
  :func:`silhouette_samples`.

Reference: scikit-learn's ``sklearn.cluster`` and ``sklearn.metrics`` (clustering scores).
"""

from __future__ import annotations

from nlpjourney.cluster.agglomerative import AgglomerativeClustering, plot_dendrogram
from nlpjourney.cluster.kmeans import (
    KMeans,
    MiniBatchKMeans,
    SphericalKMeans,
    assign_clusters,
    update_centres,
)
from nlpjourney.cluster.metrics import (
    adjusted_rand_index,
    contingency_matrix,
    normalized_mutual_info,
    purity,
    silhouette_samples,
    silhouette_score,
)

__all__ = [
    "KMeans",
    "MiniBatchKMeans",
    "SphericalKMeans",
    "assign_clusters",
    "update_centres",
    "AgglomerativeClustering",
    "plot_dendrogram",
    "adjusted_rand_index",
    "contingency_matrix",
    "normalized_mutual_info",
    "purity",
    "silhouette_samples",
    "silhouette_score",
]
