"""Classic machine-learning foundations, in plain NumPy (topics 0.1 to 0.3).

- :mod:`~nlpjourney.ml.base`: the estimator contract (scikit-learn's) every model here
  keeps: :class:`Estimator` (``get_params``/``set_params``), the classifier, regressor and
  transformer mixins, and the input checks;
- :mod:`~nlpjourney.ml.linear`: :class:`LinearRegression` (normal equations or gradient
  descent), :class:`Ridge`, :class:`LogisticRegression` (binary and multinomial, L-BFGS or
  Newton-CG) and its objective :func:`logistic_loss_and_grad`;
- :mod:`~nlpjourney.ml.svm`: :class:`LinearSVC` (dual coordinate descent or Pegasos);
- :mod:`~nlpjourney.ml.model_selection`: :func:`train_test_split` (optionally
  stratified), :class:`KFold`, :class:`StratifiedKFold`, :func:`cross_val_score`,
  :class:`GridSearchCV` and :func:`clone`;
- :mod:`~nlpjourney.ml.math`: the mathematics every later area leans on: vectors
  (:func:`dot`, :func:`cosine_similarity` ...), finite-difference derivatives
  (:func:`numerical_gradient`), stable :func:`softmax` and :func:`logsumexp`, sampling and
  moments;
- :mod:`~nlpjourney.ml.mlp`: :class:`Perceptron` and :class:`MLP`, a multilayer perceptron
  whose backward pass is written out layer by layer;
- :mod:`~nlpjourney.ml.two_layer`: the same backprop for one hidden layer as three plain
  functions of named arrays (``forward``, ``backward``, ``softmax_cross_entropy``), the
  form a reader checks line by line against the formulas. It is library API, tested
  against torch and :class:`MLP`, and also the reference answer that ``journey check 0.3``
  grades against; its generic names are reached through the module
  (``from nlpjourney.ml import two_layer``).

Everything here can be read top to bottom and checked line by line against NumPy, SciPy
and scikit-learn; nothing imports torch.
"""

from nlpjourney.ml import two_layer
from nlpjourney.ml.base import (
    ClassifierMixin,
    ConvergenceWarning,
    Estimator,
    NotFittedError,
    RegressorMixin,
    TransformerMixin,
    r2_score,
)
from nlpjourney.ml.linear import LinearRegression, LogisticRegression, Ridge, logistic_loss_and_grad
from nlpjourney.ml.math import (
    cosine_similarity,
    covariance,
    dot,
    kurtosis,
    log_softmax,
    logsumexp,
    norm,
    numerical_gradient,
    numerical_jacobian,
    project,
    sample_categorical,
    skewness,
    softmax,
    variance,
)
from nlpjourney.ml.mlp import MLP, Perceptron, cross_entropy, relu, sigmoid
from nlpjourney.ml.model_selection import (
    GridSearchCV,
    KFold,
    StratifiedKFold,
    clone,
    cross_val_score,
    train_test_split,
)
from nlpjourney.ml.svm import LinearSVC

__all__ = [
    "MLP",
    "ClassifierMixin",
    "Estimator",
    "NotFittedError",
    "RegressorMixin",
    "TransformerMixin",
    "r2_score",
    "Perceptron",
    "cosine_similarity",
    "covariance",
    "cross_entropy",
    "dot",
    "kurtosis",
    "log_softmax",
    "logsumexp",
    "norm",
    "numerical_gradient",
    "numerical_jacobian",
    "project",
    "relu",
    "sample_categorical",
    "sigmoid",
    "skewness",
    "softmax",
    "two_layer",
    "variance",
    "LinearRegression",
    "Ridge",
    "LogisticRegression",
    "logistic_loss_and_grad",
    "LinearSVC",
    "train_test_split",
    "KFold",
    "StratifiedKFold",
    "cross_val_score",
    "GridSearchCV",
    "clone",
    "ConvergenceWarning",
]
