"""Evaluating models: how often and how a classifier is right.

- :mod:`~nlpjourney.evaluate.classification`: accuracy, precision, recall, F1 (per
  label, micro, macro, weighted, binary), the confusion matrix and its picture, ROC
  curves and their area, and scikit-learn's ``classification_report``.
- :mod:`~nlpjourney.evaluate.ir`: how good a ranking is, as trec_eval counts:
  precision@k, recall@k, average precision (MAP), reciprocal rank (MRR), nDCG@k with
  graded relevance, and ``evaluate`` for a whole run in ``pytrec_eval``'s shapes.
- :mod:`~nlpjourney.evaluate.sequence`: entity-level precision, recall and F1 of tag
  sequences, as seqeval counts (import from the module: its names match the
  classification ones).

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
from nlpjourney.evaluate.ir import (
    average_precision,
    dcg_at_k,
    evaluate,
    mean,
    ndcg_at_k,
    precision_at_k,
    rank_run,
    recall_at_k,
    reciprocal_rank,
)

__all__ = [
    "UndefinedMetricWarning",
    "accuracy_score",
    "average_precision",
    "classification_report",
    "confusion_matrix",
    "dcg_at_k",
    "evaluate",
    "f1_score",
    "mean",
    "ndcg_at_k",
    "plot_confusion_matrix",
    "precision_recall_fscore_support",
    "precision_at_k",
    "precision_score",
    "rank_run",
    "recall_at_k",
    "recall_score",
    "reciprocal_rank",
    "roc_auc_score",
    "roc_curve",
]
