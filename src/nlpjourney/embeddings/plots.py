"""Pictures of word vectors: chosen words placed on a plane, labelled.

:func:`project` maps vectors to 2-D by PCA (the top two right singular vectors of the
centred vectors, computed here with NumPy's SVD) or by t-SNE (scikit-learn's, which keeps
near neighbours near but distorts distances between groups); :func:`plot_words` draws
the words there and writes a PNG.

PCA keeps straight-line structure, so analogies (*king - man + woman*) show as parallel
offsets; t-SNE shows clusters better. Neither picture is the 100-dimensional truth.

Reference: scikit-learn's ``PCA`` (same projection up to the sign of each axis;
``tests/embeddings/test_plots.py`` checks it) and ``TSNE``.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np

from nlpjourney.embeddings.keyed_vectors import KeyedVectors

__all__ = ["PROJECTIONS", "place_labels", "plot_words", "project"]

#: The projections :func:`project` knows.
PROJECTIONS = ("pca", "tsne")


def project(vectors: np.ndarray, method: str = "pca", seed: int = 1) -> np.ndarray:
    """Map ``(n, dim)`` vectors to ``(n, 2)`` points.

    Args:
        vectors: The vectors, one per row.
        method: ``"pca"`` or ``"tsne"``.
        seed: Seeds t-SNE (PCA needs none).

    Returns:
        ``(n, 2)`` coordinates. PCA's axes point so that the largest coordinate of
        each is positive, so the picture does not flip between runs.

    Raises:
        ValueError: Fewer than 3 vectors (t-SNE: fewer than 4), or an unknown method.
        MissingExtraError: t-SNE without scikit-learn installed.

    >>> points = project(np.array([[0.0, 0, 0], [1, 0, 0], [2, 0.1, 0], [3, 0, 0.2]]))
    >>> points.shape, bool(np.ptp(points[:, 0]) > np.ptp(points[:, 1]))
    ((4, 2), True)
    """
    data = np.asarray(vectors, dtype=np.float64)
    if method not in PROJECTIONS:
        raise ValueError(f"unknown projection {method!r}; choose {' or '.join(PROJECTIONS)}")
    least = 3 if method == "pca" else 4
    if data.ndim != 2 or data.shape[0] < least:
        raise ValueError(f"{method} needs at least {least} vectors (rows), got {data.shape}")
    if method == "pca":
        centred = data - data.mean(axis=0)
        _, _, axes = np.linalg.svd(centred, full_matrices=False)
        points = centred @ axes[:2].T
        if points.shape[1] < 2:  # one-dimensional vectors: a flat second axis
            points = np.pad(points, ((0, 0), (0, 2 - points.shape[1])))
        # subtle: an SVD's signs are arbitrary; fix each axis by its largest coordinate.
        signs = np.sign(points[np.abs(points).argmax(axis=0), [0, 1]])
        return points * np.where(signs == 0, 1.0, signs)
    try:
        from sklearn.manifold import TSNE
    except ImportError:
        from nlpjourney.extras import missing_extra

        raise missing_extra("course", "scikit-learn") from None
    perplexity = min(30.0, (data.shape[0] - 1) / 3)
    tsne = TSNE(n_components=2, perplexity=perplexity, init="pca", random_state=seed)
    return tsne.fit_transform(data)


#: Where a label may sit relative to its point, in points (first choice first).
_OFFSETS = ((4, 3), (4, -11), (-4, 3), (-4, -11), (0, 8), (0, -15), (8, 12), (8, -19))


def place_labels(figure, axes, points: np.ndarray, words: list[str]) -> None:  # noqa: ANN001
    """Label each point, trying a few positions around it so labels do not overlap.

    Greedy: each label takes the first offset whose box meets no label or marker placed,
    else the offset that overlaps least. Close clusters (weekdays, kin terms) stay readable.
    """
    from matplotlib.transforms import Bbox

    renderer = figure.canvas.get_renderer()
    # The markers count as placed too, so a label does not cover another word's point.
    centres = axes.transData.transform(points)
    placed: list = [Bbox.from_bounds(cx - 4, cy - 4, 8, 8) for cx, cy in centres]
    for (x, y), word in zip(points, words, strict=True):
        best, best_overlap = None, None
        for dx, dy in _OFFSETS:
            label = axes.annotate(
                word, (x, y), xytext=(dx, dy), textcoords="offset points", fontsize=10,
                ha="left" if dx >= 0 else "right",
            )  # fmt: skip
            box = label.get_window_extent(renderer).expanded(1.05, 1.1)
            overlap = sum(_area(box, other) for other in placed)
            if best is None or overlap < best_overlap:
                if best is not None:
                    best.remove()
                best, best_overlap, best_box = label, overlap, box
            else:
                label.remove()
            if overlap == 0:
                break
        placed.append(best_box)


def _area(first, second) -> float:  # noqa: ANN001
    """Area shared by two matplotlib boxes (0 when they do not meet)."""
    width = min(first.x1, second.x1) - max(first.x0, second.x0)
    height = min(first.y1, second.y1) - max(first.y0, second.y0)
    return max(width, 0.0) * max(height, 0.0)


def plot_words(
    wv: KeyedVectors,
    words: Sequence[str],
    path: str | Path,
    method: str = "pca",
    title: str | None = None,
    seed: int = 1,
) -> Path:
    """Write a PNG of ``words`` placed by a 2-D projection of their vectors, labelled.

    Args:
        wv: The vectors.
        words: The words to show (those not in the vocabulary are refused).
        path: Where to write the PNG.
        method: ``"pca"`` or ``"tsne"``.
        title: The picture's title (default: says the projection and the word count).
        seed: Seeds t-SNE.

    Returns:
        ``path``.

    Raises:
        UnknownNameError: A word is not in the vocabulary (naming close ones).
        ValueError: Too few words for the projection, or a word repeated.
    """
    chosen = list(words)
    if len(set(chosen)) != len(chosen):
        raise ValueError("each word may be shown once; remove the repeated ones")
    rows = [wv.index(w) for w in chosen]
    points = project(wv.vectors[rows], method, seed)

    import matplotlib

    matplotlib.use("Agg")  # files only: no window, works without a display
    import matplotlib.pyplot as plt

    figure, axes = plt.subplots(figsize=(8, 6.5))
    axes.scatter(points[:, 0], points[:, 1], s=18, color="tab:blue", alpha=0.7)
    axes.margins(0.12)  # room for the labels of the outermost points
    # Labels go last: their placement measures them where the final layout puts them.
    name = {"pca": "PCA", "tsne": "t-SNE"}[method]
    if method == "pca":
        axes.set_xlabel("first principal component")
        axes.set_ylabel("second principal component")
    else:
        axes.set_xlabel("t-SNE dimension 1")
        axes.set_ylabel("t-SNE dimension 2")
    axes.set_title(title or f"{len(chosen)} words, {name} projection of {wv.vector_size}-d vectors")
    axes.grid(alpha=0.3)
    figure.tight_layout()
    place_labels(figure, axes, points, chosen)
    out = Path(path)
    figure.savefig(out, dpi=120)
    plt.close(figure)
    return out
