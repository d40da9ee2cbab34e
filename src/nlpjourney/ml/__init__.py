"""Classic machine learning from scratch (topics 0.1 to 0.3): NumPy, SciPy and numba.

- :mod:`~nlpjourney.ml.base`: the estimator contract (scikit-learn's) every model here
  keeps: :class:`Estimator` (``get_params``/``set_params``), the classifier, regressor and
  transformer mixins, and the input checks;
- :mod:`~nlpjourney.ml.linear`: :class:`LinearRegression` (normal equations or gradient
  descent), :class:`Ridge`, :class:`LogisticRegression` (binary and multinomial, L-BFGS or
  Newton-CG), its objective :func:`logistic_loss_and_grad` and one plain gradient step
  :func:`logistic_gradient_step`;
- :mod:`~nlpjourney.ml.svm`: :class:`LinearSVC` (dual coordinate descent or Pegasos);
- :mod:`~nlpjourney.ml.model_selection`: :func:`train_test_split` (optionally
  stratified), :class:`KFold`, :class:`StratifiedKFold`, :func:`cross_val_score`,
  :class:`GridSearchCV` and :func:`clone`;
- :mod:`~nlpjourney.ml.math`: the mathematics every later area leans on: vectors
  (:func:`dot`, :func:`cosine_similarity` ...), finite-difference derivatives
  (:func:`numerical_gradient`), stable :func:`softmax` and :func:`logsumexp`, sampling and
  moments;
- :mod:`~nlpjourney.ml.tree`: :class:`DecisionTreeClassifier`, a CART tree (Gini or
  entropy) whose nodes are flat arrays (:class:`Tree`) a lesson can draw;
- :mod:`~nlpjourney.ml.ensemble`: :class:`RandomForestClassifier`, bootstrap trees with
  random feature subsets, soft voting;
- :mod:`~nlpjourney.ml.neighbors`: :class:`KNeighborsClassifier`, brute-force k-NN
  (Euclidean or cosine) that keeps TF-IDF rows sparse;
- :mod:`~nlpjourney.ml.kmeans`: :class:`KMeans`, k-means++ seeding and Lloyd iterations;
- :mod:`~nlpjourney.ml.decomposition`: :class:`PCA` and :class:`TruncatedSVD` (LSA on
  sparse TF-IDF, by a randomized SVD);
- :mod:`~nlpjourney.ml.mlp`: :class:`Perceptron` and :class:`MLP`, a multilayer perceptron
  whose backward pass is written out layer by layer;
- :mod:`~nlpjourney.ml.two_layer`: the same backprop for one hidden layer as three plain
  functions of named arrays (``forward``, ``backward``, ``softmax_cross_entropy``), the
  form a reader checks line by line against the formulas. It is library API, tested
  against torch and :class:`MLP`, and also the reference answer that ``journey check 0.3``
  grades against; its generic names are reached through the module
  (``from nlpjourney.ml import two_layer``).

Every estimator keeps scikit-learn's contract and is tested against scikit-learn's
estimator of the same name on real data; nothing here imports torch or scikit-learn. Loops
that cannot be vectorised (tree growth, the SVM's coordinate descent, the nearest-k
selection) are compiled with numba.
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
from nlpjourney.ml.decomposition import PCA, TruncatedSVD
from nlpjourney.ml.ensemble import RandomForestClassifier
from nlpjourney.ml.kmeans import KMeans
from nlpjourney.ml.linear import (
    LinearRegression,
    LogisticRegression,
    Ridge,
    logistic_gradient_step,
    logistic_loss_and_grad,
)
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
from nlpjourney.ml.neighbors import KNeighborsClassifier
from nlpjourney.ml.svm import LinearSVC
from nlpjourney.ml.tree import DecisionTreeClassifier, Tree

__all__ = [
    "MLP",
    "PCA",
    "ClassifierMixin",
    "ConvergenceWarning",
    "DecisionTreeClassifier",
    "Estimator",
    "GridSearchCV",
    "KFold",
    "KMeans",
    "KNeighborsClassifier",
    "LinearRegression",
    "LinearSVC",
    "LogisticRegression",
    "NotFittedError",
    "Perceptron",
    "RandomForestClassifier",
    "RegressorMixin",
    "Ridge",
    "StratifiedKFold",
    "TransformerMixin",
    "Tree",
    "TruncatedSVD",
    "clone",
    "cosine_similarity",
    "covariance",
    "cross_entropy",
    "cross_val_score",
    "dot",
    "kurtosis",
    "log_softmax",
    "logistic_gradient_step",
    "logistic_loss_and_grad",
    "logsumexp",
    "norm",
    "numerical_gradient",
    "numerical_jacobian",
    "project",
    "r2_score",
    "relu",
    "sample_categorical",
    "sigmoid",
    "skewness",
    "softmax",
    "train_test_split",
    "two_layer",
    "variance",
]
