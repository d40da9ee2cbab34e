"""Evaluating models: how often and how a classifier is right.

- :mod:`~nlpjourney.evaluate.classification`: accuracy, precision, recall, F1 (per
  label, micro, macro, weighted, binary), the confusion matrix and its picture, ROC
  curves and their area, and scikit-learn's ``classification_report``.

NumPy only (matplotlib for the picture); labels may be numbers or strings.
"""

from nlpjourney.evaluate.classification import (
    UndefinedMetricWarning,
    accuracy_score,
    classification_report,
    confusion_matrix,
    f1_score,
    plot_confusion_matrix,
    precision_recall_fscore_support,
    precision_score,
    recall_score,
    roc_auc_score,
    roc_curve,
)

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
