"""How good is a classifier? Accuracy, precision, recall, F1, the confusion matrix, ROC.

Every metric starts from three counts per label, found with one ``np.unique`` and
three ``np.bincount`` calls however many rows there are:

- ``tp``: rows whose true label and prediction are both the label;
- ``pred``: rows predicted as the label (``tp`` + false positives);
- ``true``: rows whose true label it is (``tp`` + false negatives, the *support*).

Precision is ``tp / pred``, recall ``tp / true`` and F1 ``2 tp / (true + pred)``, their
harmonic mean. Averages over labels: ``"micro"`` pools the counts first (for single-label
data micro precision = recall = F1 = accuracy), ``"macro"`` takes the plain mean of the
per-label scores, ``"weighted"`` weighs each label by its support, and ``"binary"``
reports ``pos_label`` alone. A ratio whose denominator is zero (a label never predicted,
never true) is ``zero_division``: 0 with an :class:`UndefinedMetricWarning` by default
(``"warn"``), or 0, 1 or NaN silently.

Labels may be any sortable type (ints, strings, bools); a report lists them sorted.

Reference: ``sklearn.metrics`` (``precision_recall_fscore_support``,
``confusion_matrix``, ``roc_curve``, ``roc_auc_score``, ``classification_report``):
the same numbers, and the same report text character for character
(``tests/evaluate/test_classification.py`` compares them).

Simplifications: single-label data only (no multi-label indicator matrices, no
``average="samples"``); ``roc_auc_score`` does binary and one-vs-rest multi-class, not
one-vs-one.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Literal

import numpy as np

__all__ = [
    "UndefinedMetricWarning",
    "accuracy_score",
    "classification_report",
    "confusion_matrix",
    "f1_score",
    "plot_confusion_matrix",
    "precision_recall_fscore_support",
    "precision_score",
    "recall_score",
    "roc_auc_score",
    "roc_curve",
]

Average = Literal["micro", "macro", "weighted", "binary"] | None
ZeroDivision = Literal["warn"] | float
AVERAGES = (None, "micro", "macro", "weighted", "binary")


class UndefinedMetricWarning(UserWarning):
    """A score divided by zero (e.g. precision of a label never predicted) was set to
    ``zero_division``."""


# -- labels and counts ----------------------------------------------------------------


def _labels_1d(y: Any, name: str) -> np.ndarray:
    array = np.asarray(y)
    if array.ndim != 1:
        raise ValueError(f"{name} must be 1-D (one label per sample), got shape {array.shape}")
    if array.dtype.kind == "f" and not np.all(np.isfinite(array)):
        raise ValueError(f"{name} holds NaN or infinity; labels must be finite")
    return array


def _kind(array: np.ndarray) -> str:
    if array.dtype.kind in "USO":
        return "str" if all(isinstance(v, str) for v in array[:1000]) else "object"
    return "number"


def _check_pair(y_true: Any, y_pred: Any) -> tuple[np.ndarray, np.ndarray]:
    """Both label arrays, 1-D, as long as each other, of one kind (numbers or strings)."""
    t, p = _labels_1d(y_true, "y_true"), _labels_1d(y_pred, "y_pred")
    if len(t) != len(p):
        raise ValueError(f"y_true has {len(t)} labels but y_pred has {len(p)}; give one each")
    if len(t) and _kind(t) != _kind(p):
        raise TypeError(
            f"y_true holds {t.dtype} labels but y_pred {p.dtype}: mix of label types; "
            "give both as strings or both as numbers"
        )
    if (
        t.dtype.kind == "f"
        and np.any(t != np.round(t))
        or p.dtype.kind == "f"
        and np.any(p != np.round(p))
    ):
        raise ValueError("labels are continuous numbers; a classification metric needs "
                         "class labels (round them, or use a regression metric)")  # fmt: skip
    return t, p


def _encode(
    y_true: np.ndarray, y_pred: np.ndarray, extra: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Every label seen (sorted), and each array as indices into it."""
    parts = [y_true, y_pred] + ([extra] if extra is not None else [])
    every, codes = np.unique(np.concatenate(parts), return_inverse=True)
    n = len(y_true)
    return every, codes[:n], codes[n : 2 * n]


def _positions(every: np.ndarray, labels: np.ndarray) -> np.ndarray:
    """Where each of ``labels`` sits in the sorted array ``every`` (all are in it)."""
    return np.searchsorted(every, labels)


def _weights(sample_weight: Any, n: int) -> np.ndarray | None:
    if sample_weight is None:
        return None
    w = np.asarray(sample_weight, dtype=np.float64)
    if w.shape != (n,):
        raise ValueError(f"sample_weight must have one weight per sample ({n}), got {w.shape}")
    return w


def _check_zero_division(zero_division: Any) -> float:
    if isinstance(zero_division, str) and zero_division == "warn":
        return 0.0
    if isinstance(zero_division, int | float) and not isinstance(zero_division, bool):
        if zero_division in (0, 1) or math.isnan(zero_division):
            return float(zero_division)
    raise ValueError(f"zero_division must be 'warn', 0, 1 or np.nan, got {zero_division!r}")


def _divide(
    numerator: np.ndarray, denominator: np.ndarray, zero_division: Any, what: str
) -> np.ndarray:
    """``numerator / denominator``, with ``zero_division`` where the denominator is 0."""
    empty = denominator == 0
    result = numerator / np.where(empty, 1, denominator)
    if np.any(empty):
        result[empty] = _check_zero_division(zero_division)
        if isinstance(zero_division, str):
            warnings.warn(
                f"{what} is ill-defined and set to 0.0 for {int(empty.sum())} label(s) with no "
                "samples; pass zero_division=0 or 1 to silence this",
                UndefinedMetricWarning,
                stacklevel=3,
            )
    return result


def _type_of_target(every: np.ndarray) -> str:
    return "binary" if len(every) <= 2 else "multiclass"


# -- the metrics ----------------------------------------------------------------------


def accuracy_score(
    y_true: Any, y_pred: Any, *, normalize: bool = True, sample_weight: Any = None
) -> float:
    """The share (or, without ``normalize``, the number) of samples predicted right.

    >>> accuracy_score(["ham", "spam", "ham"], ["ham", "ham", "ham"])
    0.6666666666666666
    """
    t, p = _check_pair(y_true, y_pred)
    right = (t == p).astype(np.float64)
    w = _weights(sample_weight, len(t))
    if not normalize:
        return float(right.sum() if w is None else right @ w)
    if len(t) == 0:
        raise ValueError("accuracy of no samples is undefined; give at least one label")
    return float(np.average(right, weights=w))


def precision_recall_fscore_support(
    y_true: Any,
    y_pred: Any,
    *,
    average: Average = None,
    pos_label: Any = 1,
    labels: Sequence[Any] | np.ndarray | None = None,
    zero_division: ZeroDivision = "warn",
    sample_weight: Any = None,
) -> tuple[Any, Any, Any, Any]:
    """Precision, recall, F1 and support, per label or averaged.

    Args:
        y_true: The true labels, one per sample.
        y_pred: The predicted labels.
        average: None (one score per label), ``"micro"``, ``"macro"``, ``"weighted"`` or
            ``"binary"`` (``pos_label`` alone; the data must have at most two labels).
        pos_label: The label that counts as positive with ``average="binary"``.
        labels: Which labels to score, in this order (default: every label seen,
            sorted). Labels absent from the data score ``zero_division``.
        zero_division: What a 0/0 ratio becomes: ``"warn"`` (0 and a warning), 0, 1 or NaN.
        sample_weight: A weight per sample.

    Returns:
        ``(precision, recall, f1, support)``: arrays in ``labels`` order with
        ``average=None``; else three floats and ``None``.

    Raises:
        ValueError: Unknown ``average``, ``"binary"`` on more than two labels, or a
            ``pos_label`` that is not one of the two.

    >>> p, r, f, s = precision_recall_fscore_support(
    ...     ["a", "b", "a", "c"], ["a", "a", "a", "c"], zero_division=0)
    >>> p.round(3).tolist(), r.tolist(), f.round(3).tolist(), s.tolist()
    ([0.667, 0.0, 1.0], [1.0, 0.0, 1.0], [0.8, 0.0, 1.0], [2, 1, 1])
    """
    if average not in AVERAGES:
        raise ValueError(f"average must be one of {AVERAGES}, got {average!r}")
    _check_zero_division(zero_division)
    t, p = _check_pair(y_true, y_pred)
    w = _weights(sample_weight, len(t))
    given = None if labels is None else np.asarray(labels)
    if given is not None and given.ndim != 1:
        raise ValueError(f"labels must be a 1-D list of labels, got shape {given.shape}")
    every, ti, pi = _encode(t, p, given)
    present = np.unique(np.concatenate([t, p]))
    if average == "binary":
        if _type_of_target(present) != "binary":
            raise ValueError(
                f"average='binary' needs at most two labels, found {len(present)}: "
                f"{present.tolist()}; choose average='micro', 'macro', 'weighted' or None"
            )
        if pos_label not in present.tolist() and len(present) >= 2:
            raise ValueError(
                f"pos_label={pos_label!r} is not a label here; it must be one of {present.tolist()}"
            )
        given = np.asarray([pos_label])
        every, ti, pi = _encode(t, p, given)
    # Without labels= every label seen is scored, and ``every`` is exactly those.
    chosen = np.arange(len(every)) if given is None else _positions(every, given)
    size = len(every)
    right = ti == pi
    tp = np.bincount(ti[right], weights=None if w is None else w[right], minlength=size)
    pred = np.bincount(pi, weights=w, minlength=size)
    true = np.bincount(ti, weights=w, minlength=size)
    tp, pred, true = tp[chosen], pred[chosen], true[chosen]
    if not right.any():
        # subtle: when no prediction is right scikit-learn's counts become floats (its
        # report then prints support as "1.0"); we do the same so reports are equal.
        true = true.astype(np.float64)
    if average == "micro":
        tp, pred, true = tp.sum(keepdims=True), pred.sum(keepdims=True), true.sum(keepdims=True)
    tp, pred_f, true_f = (np.asarray(a, dtype=np.float64) for a in (tp, pred, true))
    precision = _divide(tp, pred_f, zero_division, "precision")
    recall = _divide(tp, true_f, zero_division, "recall")
    f_score = _divide(2 * tp, true_f + pred_f, zero_division, "F-score")
    if average is None:
        return precision, recall, f_score, true
    weights = true_f if average == "weighted" else None
    return (_nan_average(precision, weights), _nan_average(recall, weights),
            _nan_average(f_score, weights), None)  # fmt: skip


def _nan_average(values: np.ndarray, weights: np.ndarray | None) -> float:
    """The (weighted) mean of the values that are not NaN; equal weights if all are 0."""
    keep = ~np.isnan(values)
    if not keep.any():
        return math.nan
    if weights is None or weights[keep].sum() == 0:
        return float(np.mean(values[keep]))
    return float(np.average(values[keep], weights=weights[keep]))


def precision_score(y_true: Any, y_pred: Any, **options: Any) -> Any:
    """Precision: of the samples predicted as a label, the share that truly are.

    Takes the options of :func:`precision_recall_fscore_support`; ``average`` defaults
    to ``"binary"`` as in scikit-learn.

    >>> precision_score([0, 1, 1, 0], [1, 1, 1, 0])
    0.6666666666666666
    """
    options.setdefault("average", "binary")
    return precision_recall_fscore_support(y_true, y_pred, **options)[0]


def recall_score(y_true: Any, y_pred: Any, **options: Any) -> Any:
    """Recall: of the samples truly of a label, the share predicted as it.

    >>> recall_score([0, 1, 1, 0], [1, 1, 0, 0])
    0.5
    """
    options.setdefault("average", "binary")
    return precision_recall_fscore_support(y_true, y_pred, **options)[1]


def f1_score(y_true: Any, y_pred: Any, **options: Any) -> Any:
    """F1: the harmonic mean of precision and recall, ``2 tp / (2 tp + fp + fn)``.

    >>> f1_score(["a", "b", "b"], ["a", "b", "a"], average="macro")
    0.6666666666666666
    """
    options.setdefault("average", "binary")
    return precision_recall_fscore_support(y_true, y_pred, **options)[2]


def confusion_matrix(
    y_true: Any,
    y_pred: Any,
    *,
    labels: Sequence[Any] | np.ndarray | None = None,
    normalize: Literal["true", "pred", "all"] | None = None,
    sample_weight: Any = None,
) -> np.ndarray:
    """Counts of (true label, predicted label) pairs: row = truth, column = prediction.

    Args:
        y_true: The true labels.
        y_pred: The predicted labels.
        labels: The rows and columns, in this order (default: every label seen, sorted);
            samples with another label are left out.
        normalize: ``"true"`` divides each row by its sum (recall on the diagonal),
            ``"pred"`` each column (precision on the diagonal), ``"all"`` everything by
            the total; an empty row or column gives zeros.
        sample_weight: A weight per sample.

    Returns:
        A ``(k, k)`` matrix: int64 counts, or float64 when normalized or weighted.

    >>> confusion_matrix(["ham", "spam", "spam", "ham"], ["ham", "spam", "ham", "ham"])
    array([[2, 0],
           [1, 1]])
    """
    if normalize not in (None, "true", "pred", "all"):
        raise ValueError(f"normalize must be None, 'true', 'pred' or 'all', got {normalize!r}")
    t, p = _check_pair(y_true, y_pred)
    w = _weights(sample_weight, len(t))
    given = None if labels is None else np.asarray(labels)
    every, ti, pi = _encode(t, p, given)
    if given is None:
        given = np.unique(np.concatenate([t, p]))
    elif given.ndim != 1 or len(given) == 0:
        raise ValueError("labels must be a non-empty 1-D list of labels")
    elif not np.isin(given, t).any():
        raise ValueError("none of the labels given is in y_true; check the labels")
    k = len(given)
    # Each seen label's row/column, -1 for labels left out.
    index = np.full(len(every), -1)
    index[_positions(every, given)] = np.arange(k)
    rows, cols = index[ti], index[pi]
    keep = (rows >= 0) & (cols >= 0)
    cells = np.bincount(rows[keep] * k + cols[keep],
                        weights=None if w is None else w[keep], minlength=k * k)  # fmt: skip
    matrix = cells.reshape(k, k)
    if w is None:
        matrix = matrix.astype(np.int64)
    if normalize is None:
        return matrix
    with np.errstate(all="ignore"):
        if normalize == "true":
            matrix = matrix / matrix.sum(axis=1, keepdims=True)
        elif normalize == "pred":
            matrix = matrix / matrix.sum(axis=0, keepdims=True)
        else:
            matrix = matrix / matrix.sum()
    return np.nan_to_num(matrix)


def roc_curve(
    y_true: Any, y_score: Any, *, pos_label: Any = None, drop_intermediate: bool = True
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The receiver operating characteristic: false and true positive rates by threshold.

    Every distinct score is a threshold ("positive if score ≥ t"); sorting the scores
    once and counting positives cumulatively gives all the points at once.

    Args:
        y_true: Binary true labels.
        y_score: A score per sample, higher meaning more likely positive.
        pos_label: The positive label (default 1 for labels {0, 1} or {-1, 1}).
        drop_intermediate: Drop thresholds that lie on a straight segment (they add no
            corner to the curve).

    Returns:
        ``(fpr, tpr, thresholds)``, starting at (0, 0) with threshold ``inf``.

    >>> fpr, tpr, thresholds = roc_curve([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8])
    >>> fpr.tolist(), tpr.tolist()
    ([0.0, 0.0, 0.5, 0.5, 1.0], [0.0, 0.5, 0.5, 1.0, 1.0])
    """
    t = _labels_1d(y_true, "y_true")
    score = np.asarray(y_score, dtype=np.float64)
    if score.shape != t.shape:
        raise ValueError(f"y_score must have one score per sample: shapes {score.shape} "
                         f"and {t.shape}")  # fmt: skip
    if not np.all(np.isfinite(score)):
        raise ValueError("y_score holds NaN or infinity")
    classes = np.unique(t)
    if len(classes) > 2:
        raise ValueError(f"roc_curve needs binary labels, found {len(classes)}; for several "
                         "classes score each one against the rest")  # fmt: skip
    if pos_label is None:
        if _kind(classes) != "number" or not (
            set(classes.tolist()) <= {0, 1} or set(classes.tolist()) <= {-1, 1}
        ):
            raise ValueError(f"labels are {classes.tolist()}: say which is positive with "
                             "pos_label=")  # fmt: skip
        pos_label = 1
    positive = (t == pos_label).astype(np.float64)
    order = np.argsort(score, kind="mergesort")[::-1]
    score, positive = score[order], positive[order]
    last = np.r_[np.flatnonzero(np.diff(score)), len(score) - 1]  # last row of each score
    tps = np.cumsum(positive)[last]
    fps = 1 + last - tps
    thresholds = score[last]
    if drop_intermediate and len(fps) > 2:
        corner = np.flatnonzero(np.r_[True, (np.diff(fps, 2) != 0) | (np.diff(tps, 2) != 0), True])
        fps, tps, thresholds = fps[corner], tps[corner], thresholds[corner]
    fps, tps = np.r_[0.0, fps], np.r_[0.0, tps]
    thresholds = np.r_[np.inf, thresholds]
    with np.errstate(invalid="ignore", divide="ignore"):
        if fps[-1] <= 0:
            warnings.warn("no negative samples: the false positive rate is NaN",
                          UndefinedMetricWarning, stacklevel=2)  # fmt: skip
        if tps[-1] <= 0:
            warnings.warn("no positive samples: the true positive rate is NaN",
                          UndefinedMetricWarning, stacklevel=2)  # fmt: skip
        fpr = fps / fps[-1] if fps[-1] > 0 else np.full_like(fps, np.nan)
        tpr = tps / tps[-1] if tps[-1] > 0 else np.full_like(tps, np.nan)
    return fpr, tpr, thresholds


def _binary_auc(positive: np.ndarray, score: np.ndarray) -> float:
    if len(np.unique(positive)) != 2:
        raise ValueError("only one class is present in y_true; ROC AUC is undefined then")
    fpr, tpr, _ = roc_curve(positive, score)
    return float(np.trapezoid(tpr, fpr))


def roc_auc_score(
    y_true: Any,
    y_score: Any,
    *,
    average: Literal["macro", "weighted"] = "macro",
    multi_class: Literal["ovr"] = "ovr",
    labels: Sequence[Any] | np.ndarray | None = None,
) -> float:
    """The area under the ROC curve: the chance that a random positive outscores a
    random negative.

    Args:
        y_true: True labels. Two labels: the larger one (sorted) is positive.
        y_score: Binary: one score per sample, for the larger label (or an
            ``(n, 2)`` array, whose second column is used). Several labels: an
            ``(n, k)`` array of probabilities, columns in ``labels`` order.
        average: How one-vs-rest areas combine: ``"macro"`` (plain mean) or
            ``"weighted"`` (by each label's support).
        multi_class: ``"ovr"``: each label against the rest, as scikit-learn's
            ``multi_class="ovr"``.
        labels: The columns' labels for several labels (default: sorted ``y_true``).

    >>> roc_auc_score([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8])
    0.75
    """
    if multi_class != "ovr":
        raise ValueError(f"multi_class must be 'ovr' (one-vs-rest), got {multi_class!r}")
    if average not in ("macro", "weighted"):
        raise ValueError(f"average must be 'macro' or 'weighted', got {average!r}")
    t = _labels_1d(y_true, "y_true")
    score = np.asarray(y_score, dtype=np.float64)
    classes = np.unique(t) if labels is None else np.asarray(labels)
    if score.ndim == 2 and score.shape[1] == 2 and len(classes) <= 2:
        score = score[:, 1]
    if score.ndim == 1:
        if len(classes) > 2:
            raise ValueError(f"y_true has {len(classes)} labels: give an (n, {len(classes)}) "
                             "array of probabilities, one column per label")  # fmt: skip
        if len(score) != len(t):
            raise ValueError(f"{len(score)} scores for {len(t)} labels; give one each")
        return _binary_auc((t == classes[-1]).astype(np.int64), score)
    if score.shape != (len(t), len(classes)):
        raise ValueError(f"y_score has shape {score.shape}; expected ({len(t)}, "
                         f"{len(classes)}): a column per label")  # fmt: skip
    if not np.allclose(score.sum(axis=1), 1.0):
        raise ValueError("each row of y_score must be probabilities that sum to 1")
    areas = np.array([_binary_auc((t == c).astype(np.int64), score[:, j])
                      for j, c in enumerate(classes)])  # fmt: skip
    if average == "weighted":
        return float(np.average(areas, weights=[(t == c).sum() for c in classes]))
    return float(areas.mean())


# -- the report and the picture --------------------------------------------------------


def classification_report(
    y_true: Any,
    y_pred: Any,
    *,
    labels: Sequence[Any] | np.ndarray | None = None,
    target_names: Sequence[str] | None = None,
    digits: int = 2,
    output_dict: bool = False,
    zero_division: ZeroDivision = "warn",
) -> str | dict[str, Any]:
    """Precision, recall, F1 and support per label, then accuracy and the averages.

    The text is scikit-learn's, character for character: a right-aligned table with
    an ``accuracy`` row (or ``micro avg`` when ``labels`` leaves some out), then
    ``macro avg`` and ``weighted avg``.

    Args:
        y_true: The true labels.
        y_pred: The predicted labels.
        labels: Which labels get a row (default: all seen, sorted).
        target_names: A display name per label.
        digits: Decimal places of the scores in the text.
        output_dict: Return ``{name: {"precision": ..., ...}, "accuracy": float, ...}``.
        zero_division: As in :func:`precision_recall_fscore_support`.

    >>> print(classification_report(["ham", "spam", "ham", "ham"], ["ham", "spam", "spam", "ham"]))
                  precision    recall  f1-score   support
    <BLANKLINE>
             ham       1.00      0.67      0.80         3
            spam       0.50      1.00      0.67         1
    <BLANKLINE>
        accuracy                           0.75         4
       macro avg       0.75      0.83      0.73         4
    weighted avg       0.88      0.75      0.77         4
    <BLANKLINE>
    """
    t, p = _check_pair(y_true, y_pred)
    present = np.unique(np.concatenate([t, p]))
    chosen = present if labels is None else np.asarray(labels)
    micro_is_accuracy = labels is None or set(chosen.tolist()) >= set(present.tolist())
    if target_names is not None and len(target_names) != len(chosen):
        if labels is None:
            raise ValueError(f"{len(chosen)} labels but {len(target_names)} target_names; "
                             "give one name per label, or pass labels=")  # fmt: skip
        warnings.warn(f"labels size, {len(chosen)}, does not match size of target_names, "
                      f"{len(target_names)}", stacklevel=2)  # fmt: skip
    names = [str(label) for label in chosen] if target_names is None else list(target_names)
    # Labels as integer codes once, so the four score calls below sort no strings.
    every, t, p = _encode(t, p, chosen)
    options = {"labels": _positions(every, chosen), "zero_division": zero_division}
    precision, recall, f1, support = precision_recall_fscore_support(t, p, average=None, **options)
    headers = ["precision", "recall", "f1-score", "support"]
    rows = list(zip(names, precision, recall, f1, support, strict=False))
    averages = []
    for average in ("micro", "macro", "weighted"):
        heading = "accuracy" if average == "micro" and micro_is_accuracy else f"{average} avg"
        scores = precision_recall_fscore_support(t, p, average=average, **options)[:3]
        averages.append((heading, *scores, support.sum()))
    if output_dict:
        report: dict[str, Any] = {
            row[0]: dict(zip(headers, map(float, row[1:]), strict=True)) for row in rows
        }
        for heading, *values in averages:
            report[heading] = dict(zip(headers, map(float, values), strict=True))
        if "accuracy" in report:
            report["accuracy"] = report["accuracy"]["precision"]
        return report
    width = max(max((len(n) for n in names), default=0), len("weighted avg"), digits)
    text = f"{'':>{width}s} " + "".join(f" {h:>9}" for h in headers) + "\n\n"

    def line(heading: str, p_: Any, r_: Any, f_: Any, s_: Any) -> str:
        return (f"{heading:>{width}s} " + "".join(f" {v:>9.{digits}f}" for v in (p_, r_, f_))
                + f" {s_:>9}\n")  # fmt: skip

    text += "".join(line(*row) for row in rows) + "\n"
    for heading, p_, r_, f_, s_ in averages:
        if heading == "accuracy":
            text += f"{heading:>{width}s} " + f" {'':>9}" * 2 + f" {f_:>9.{digits}f} {s_:>9}\n"
        else:
            text += line(heading, p_, r_, f_, s_)
    return text


def plot_confusion_matrix(
    cm: Any,
    labels: Sequence[Any],
    path: str | Path,
    *,
    normalize: Literal["true", "pred", "all"] | None = None,
    title: str = "Confusion matrix",
) -> Path:
    """Draw a confusion matrix as a heat map with the value in each cell, and save a PNG.

    Args:
        cm: A ``(k, k)`` matrix from :func:`confusion_matrix` (counts).
        labels: The ``k`` label names, in the matrix's order.
        path: Where to write the PNG (its folder must exist).
        normalize: Colour by shares of each true row (``"true"``), predicted column
            (``"pred"``) or the total (``"all"``); the cells then show the share above
            the count.
        title: The picture's title.

    Returns:
        ``path`` as a Path.
    """
    from matplotlib.figure import Figure

    counts = np.asarray(cm)
    k = len(labels)
    if counts.ndim != 2 or counts.shape != (k, k):
        raise ValueError(f"cm must be ({k}, {k}) for {k} labels, got shape {counts.shape}")
    if normalize not in (None, "true", "pred", "all"):
        raise ValueError(f"normalize must be None, 'true', 'pred' or 'all', got {normalize!r}")
    with np.errstate(all="ignore"):
        if normalize == "true":
            shown = counts / counts.sum(axis=1, keepdims=True)
        elif normalize == "pred":
            shown = counts / counts.sum(axis=0, keepdims=True)
        elif normalize == "all":
            shown = counts / counts.sum()
        else:
            shown = counts.astype(np.float64)
    shown = np.nan_to_num(shown)
    side = min(max(4.0, 0.6 * k + 2.4), 12.0)
    figure = Figure(figsize=(side + 1.2, side), dpi=120)
    axes = figure.add_subplot()
    image = axes.imshow(shown, cmap="Blues", vmin=0)
    bar = figure.colorbar(image, ax=axes, fraction=0.046, pad=0.04)
    bar.set_label("share of " + {"true": "true row", "pred": "predicted column",
                                 "all": "all samples"}[normalize] if normalize else "samples")  # fmt: skip
    names = [str(label) for label in labels]
    axes.set_xticks(range(k), names, rotation=45 if max(map(len, names)) > 6 else 0,
                    ha="right" if max(map(len, names)) > 6 else "center")  # fmt: skip
    axes.set_yticks(range(k), names)
    axes.set_xlabel("predicted label")
    axes.set_ylabel("true label")
    axes.set_title(title)
    # Dark cells get white text so every number stays readable.
    middle = (shown.max() + shown.min()) / 2 if shown.size else 0
    small = 11 if k <= 6 else 9 if k <= 12 else 7
    for i in range(k):
        for j in range(k):
            count = counts[i, j]
            number = f"{count:,}" if float(count).is_integer() else f"{count:.2f}"
            text = f"{shown[i, j]:.1%}\n({number})" if normalize else number
            axes.text(j, i, text, ha="center", va="center", fontsize=small,
                      color="white" if shown[i, j] > middle else "black")  # fmt: skip
    figure.tight_layout()
    target = Path(path)
    figure.savefig(target)
    return target
