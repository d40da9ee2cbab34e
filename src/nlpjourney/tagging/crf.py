"""The linear-chain conditional random field: scores, forward-backward, training, decoding.

A linear-chain CRF scores a tag path ``y`` for a sentence of ``n`` tokens as

    score(y) = start[y_0] + sum_t emissions[t, y_t] + sum_t transitions[y_{t-1}, y_t] + end[y_{n-1}]

and defines ``p(y | x) = exp(score(y)) / Z`` where the partition function ``Z`` sums
``exp(score)`` over all ``K^n`` paths. The forward algorithm computes ``log Z`` in
``O(n K^2)`` by dynamic programming in log space:

    alpha[0, j] = start[j] + emissions[0, j]
    alpha[t, j] = logsumexp_i(alpha[t-1, i] + transitions[i, j]) + emissions[t, j]
    log Z       = logsumexp_j(alpha[n-1, j] + end[j])

and the backward algorithm the mirror image; together they give the marginals
``p(y_t = j)`` and ``p(y_{t-1} = i, y_t = j)``, which are the expected feature counts of
the log-likelihood's gradient.

The functions above are the plain, readable version (exercise 2.6's model answer).
:class:`CRF` trains on a whole corpus at once: each token's attributes are a row of a
sparse matrix ``X`` (tokens x attributes), the state scores of every token are one
product ``X @ W`` (``W`` attributes x tags), a compiled forward-backward pass
(:mod:`nlpjourney.tagging._crf_kernels`, held equal to :func:`marginals`) gives the
marginals of all sentences, and the expected attribute counts are one sparse product
``X.T @ marginals`` (:mod:`nlpjourney.tagging._crf_objective`). The negative log-likelihood plus ``c2 * ||w||^2`` is minimised by
L-BFGS (:func:`scipy.optimize.minimize`) or by AdaGrad over mini-batches.

Reference: python-crfsuite (CRFsuite's ``lbfgs`` trainer, whose objective is the same
``-log-likelihood + c2 * ||w||^2``, fitted over the same attributes in
``tests/tagging/test_crf.py`` and ``benchmarks/tagging_crf.py``); every forward-backward
function is also checked against brute-force enumeration of all paths.

Simplifications:
    - L1 (``c1``) is supported by AdaGrad only, as a proximal step; CRFsuite's OWL-QN
      (L-BFGS with L1) is out of scope.
    - AdaGrad shuffles the order of fixed mini-batches of neighbouring sentences, not the
      sentences themselves, and regularises every weight at every step.
    - Tagging runs :func:`nlpjourney.tagging.decode.viterbi`'s recurrence compiled over
      all sentences at once (``_crf_kernels.viterbi_batch``, tested equal to it).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, Self

import numpy as np
from scipy.optimize import minimize
from scipy.special import logsumexp

from nlpjourney.errors import ModelFormatError
from nlpjourney.ml.base import Estimator, NotFittedError
from nlpjourney.progress import progress_bar
from nlpjourney.saving import load_model, save_model
from nlpjourney.tagging._crf_kernels import viterbi_batch
from nlpjourney.tagging._crf_objective import (
    Attributes,
    _Batch,
    _Layout,
    encode_attributes,
    negative_log_likelihood,
)
from nlpjourney.tagging.decode import check_scores
from nlpjourney.tagging.features import FEATURES

__all__ = [
    "CRF",
    "backward_log_betas",
    "forward_log_alphas",
    "log_partition",
    "marginals",
    "sequence_score",
]


def sequence_score(
    emissions: np.ndarray,
    transitions: np.ndarray,
    tags: np.ndarray | list[int],
    start: np.ndarray | None = None,
    end: np.ndarray | None = None,
) -> float:
    """The unnormalised score of one tag path.

    Args:
        emissions: Per-token tag scores.
        transitions: ``transitions[i, j]`` scores tag ``i`` followed by tag ``j``.
        tags: The path, one tag index per token.
        start: Score of each tag opening the sentence (zeros when None).
        end: Score of each tag closing the sentence (zeros when None).

    Returns:
        ``start[y0] + sum_t emissions[t, y_t] + sum_t transitions[y_{t-1}, y_t] + end[y_{n-1}]``.

    Shapes:
        emissions (n, K), transitions (K, K), tags (n,), start and end (K,).

    Example:
        >>> emissions = np.array([[1.0, 0.0], [0.0, 2.0]])
        >>> transitions = np.array([[0.0, 0.5], [0.0, 0.0]])
        >>> sequence_score(emissions, transitions, [0, 1])
        3.5
    """
    emissions, transitions, start, end = check_scores(emissions, transitions, start, end)
    tags = np.asarray(tags, dtype=np.int64)
    n, k = emissions.shape
    if tags.shape != (n,):
        raise ValueError(f"tags must hold one tag per token ({n}), got shape {tags.shape}")
    if tags.min() < 0 or tags.max() >= k:
        raise ValueError(f"tags must be indices in [0, {k}), got {tags.tolist()}")
    score = start[tags[0]] + emissions[np.arange(n), tags].sum()
    score += transitions[tags[:-1], tags[1:]].sum() + end[tags[-1]]
    return float(score)


def forward_log_alphas(
    emissions: np.ndarray,
    transitions: np.ndarray,
    start: np.ndarray | None = None,
    end: np.ndarray | None = None,
) -> np.ndarray:
    """The forward table: ``alpha[t, j]`` = log of the summed ``exp(score)`` of every prefix ending in ``j``.

    ``alpha[0] = start + emissions[0]`` and
    ``alpha[t, j] = logsumexp_i(alpha[t-1, i] + transitions[i, j]) + emissions[t, j]``. The
    ``end`` scores are not in the table (they enter :func:`log_partition`); the argument is
    accepted so all the functions here take the same scores.

    Args:
        emissions: Per-token tag scores.
        transitions: ``transitions[i, j]`` scores tag ``i`` followed by tag ``j``.
        start: Score of each tag opening the sentence (zeros when None).
        end: Score of each tag closing the sentence (checked, unused).

    Returns:
        The log-space forward table.

    Shapes:
        emissions (n, K), transitions (K, K), start and end (K,) -> (n, K).

    Example:
        >>> forward_log_alphas(np.zeros((2, 2)), np.zeros((2, 2))).round(4).tolist()
        [[0.0, 0.0], [0.6931, 0.6931]]
    """
    emissions, transitions, start, end = check_scores(emissions, transitions, start, end)
    alphas = np.empty_like(emissions)
    alphas[0] = start + emissions[0]
    for t in range(1, len(emissions)):
        # (K, 1) + (K, K): entry [i, j] is a prefix ending in i, stepping to j.
        alphas[t] = logsumexp(alphas[t - 1][:, None] + transitions, axis=0) + emissions[t]
    return alphas


def backward_log_betas(
    emissions: np.ndarray,
    transitions: np.ndarray,
    start: np.ndarray | None = None,
    end: np.ndarray | None = None,
) -> np.ndarray:
    """The backward table: ``beta[t, i]`` = log of the summed ``exp(score)`` of every suffix after ``i`` at ``t``.

    ``beta[n-1] = end`` and
    ``beta[t, i] = logsumexp_j(transitions[i, j] + emissions[t+1, j] + beta[t+1, j])``, so
    ``alpha[t] + beta[t]`` is log of the summed score of the paths through each tag at ``t``.

    Args:
        emissions: Per-token tag scores.
        transitions: ``transitions[i, j]`` scores tag ``i`` followed by tag ``j``.
        start: Score of each tag opening the sentence (checked, unused).
        end: Score of each tag closing the sentence (zeros when None).

    Returns:
        The log-space backward table.

    Shapes:
        emissions (n, K), transitions (K, K), start and end (K,) -> (n, K).
    """
    emissions, transitions, start, end = check_scores(emissions, transitions, start, end)
    betas = np.empty_like(emissions)
    betas[-1] = end
    for t in range(len(emissions) - 2, -1, -1):
        betas[t] = logsumexp(transitions + (emissions[t + 1] + betas[t + 1])[None, :], axis=1)
    return betas


def log_partition(
    emissions: np.ndarray,
    transitions: np.ndarray,
    start: np.ndarray | None = None,
    end: np.ndarray | None = None,
) -> float:
    """``log Z``: the log of ``exp(score)`` summed over every tag path, by the forward algorithm.

    Args:
        emissions: Per-token tag scores.
        transitions: ``transitions[i, j]`` scores tag ``i`` followed by tag ``j``.
        start: Score of each tag opening the sentence (zeros when None).
        end: Score of each tag closing the sentence (zeros when None).

    Returns:
        ``logsumexp(alpha[-1] + end)``.

    Shapes:
        emissions (n, K), transitions (K, K), start and end (K,).

    Example:
        >>> round(log_partition(np.zeros((3, 2)), np.zeros((2, 2))), 4)  # log 2**3
        2.0794
    """
    emissions, transitions, start, end = check_scores(emissions, transitions, start, end)
    alphas = forward_log_alphas(emissions, transitions, start, end)
    return float(logsumexp(alphas[-1] + end))


def marginals(
    emissions: np.ndarray,
    transitions: np.ndarray,
    start: np.ndarray | None = None,
    end: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """The tag marginals ``p(y_t = j)`` and the pairwise marginals ``p(y_{t-1} = i, y_t = j)``.

    These are the expected counts of the log-likelihood's gradient: the state weights
    move by observed minus ``unary`` counts, the transition weights by observed minus
    ``pairwise.sum(0)``.

    Args:
        emissions: Per-token tag scores.
        transitions: ``transitions[i, j]`` scores tag ``i`` followed by tag ``j``.
        start: Score of each tag opening the sentence (zeros when None).
        end: Score of each tag closing the sentence (zeros when None).

    Returns:
        ``(unary, pairwise)``: each row of ``unary`` and each ``pairwise[t]`` sums to 1.

    Shapes:
        emissions (n, K), transitions (K, K), start and end (K,) -> unary (n, K),
        pairwise (n - 1, K, K) (``pairwise[t - 1]`` is the step into position ``t``).

    Example:
        >>> unary, pairwise = marginals(np.zeros((2, 2)), np.zeros((2, 2)))
        >>> unary.tolist(), pairwise.shape
        ([[0.5, 0.5], [0.5, 0.5]], (1, 2, 2))
    """
    emissions, transitions, start, end = check_scores(emissions, transitions, start, end)
    alphas = forward_log_alphas(emissions, transitions, start, end)
    betas = backward_log_betas(emissions, transitions, start, end)
    log_z = logsumexp(alphas[-1] + end)
    unary = np.exp(alphas + betas - log_z)
    # [t, i, j]: a prefix ending in i at t, the step i -> j, then j's emission and suffix.
    pairwise = np.exp(
        alphas[:-1, :, None]
        + transitions[None, :, :]
        + (emissions[1:] + betas[1:])[:, None, :]
        - log_z
    )
    return unary, pairwise


_METHODS = ("lbfgs", "adagrad")
_MEMORY = 6  # L-BFGS correction pairs, as CRFsuite's default lbfgs.num_memories


class CRF(Estimator):
    """A linear-chain CRF tagger over sparse attributes, trained by L-BFGS or AdaGrad.

    Each token is described by attributes (strings, from ``features``); the model keeps a
    weight per (attribute, tag) pair, a score per pair of neighbouring tags, and a score
    for each tag opening and closing a sentence. Training minimises
    ``-log p(gold tags) + c1 * |w|_1 + c2 * ||w||^2`` over the training sentences, as
    CRFsuite does; tagging is Viterbi decoding.

    Args:
        c1: L1 coefficient (AdaGrad only; L-BFGS with L1 needs OWL-QN, not done here).
        c2: L2 coefficient, multiplying the squared norm of all weights (CRFsuite's c2).
        method: ``"lbfgs"`` (full-batch, scipy's L-BFGS) or ``"adagrad"`` (mini-batch).
        max_iter: L-BFGS iterations, or AdaGrad epochs.
        features: How a sentence becomes attribute lists: a name in
            :data:`nlpjourney.tagging.features.FEATURES` (``"ner"``: words or CoNLL rows
            in), a function from a sentence to attribute lists, or None when the
            sentences given are already attribute lists.
        possible_states: Learn a weight for every (attribute, tag) pair; False (as
            CRFsuite's default) keeps only the pairs seen in the training data.
        possible_transitions: Learn a score for every tag pair, including pairs never
            seen (they learn to be unlikely, e.g. ``O`` -> ``I-PER``).
        boundary: Learn start and end scores (CRFsuite has none: False fits its model).
        learning_rate: AdaGrad's step size.
        batch_size: Sentences per AdaGrad step.
        seed: Seed of AdaGrad's batch order.

    Example:
        >>> crf = CRF(max_iter=50).fit([["Ann", "ran"], ["Bob", "sat"]], [["B-PER", "O"]] * 2)
        >>> crf.predict([["Ann", "sat"], []])
        [['B-PER', 'O'], []]
    """

    def __init__(
        self,
        c1: float = 0.0,
        c2: float = 1.0,
        method: str = "lbfgs",
        max_iter: int = 100,
        features: str | Callable[[Sequence[Any]], list[Attributes]] | None = "ner",
        possible_states: bool = False,
        possible_transitions: bool = True,
        boundary: bool = True,
        learning_rate: float = 0.1,
        batch_size: int = 64,
        seed: int = 0,
    ) -> None:
        self.c1 = c1
        self.c2 = c2
        self.method = method
        self.max_iter = max_iter
        self.features = features
        self.possible_states = possible_states
        self.possible_transitions = possible_transitions
        self.boundary = boundary
        self.learning_rate = learning_rate
        self.batch_size = batch_size
        self.seed = seed

    # --- fitting -------------------------------------------------------------------

    def fit(
        self,
        sentences: Sequence[Sequence[Any]],
        tags: Sequence[Sequence[str]],
        progress: bool | None = None,
    ) -> Self:
        """Learn the weights from tagged sentences.

        Args:
            sentences: The training sentences, in the form ``features`` takes.
            tags: One tag per token of each sentence.
            progress: Show a progress bar (None: only on a terminal).

        Returns:
            ``self``, fitted: ``tags_``, ``attributes_``, ``state_weights_`` (A, K),
            ``transitions_`` (K, K), ``start_``, ``end_``, ``loss_history_`` (the
            objective after each iteration or epoch).
        """
        self._check_params()
        if len(sentences) != len(tags):
            raise ValueError(f"got {len(sentences)} sentences but {len(tags)} tag sequences")
        attribute_lists = self._attribute_lists(sentences)
        for i, (attributes, sentence_tags) in enumerate(zip(attribute_lists, tags, strict=True)):
            if isinstance(sentence_tags, str) or len(attributes) != len(sentence_tags):
                raise ValueError(
                    f"sentence {i} has {len(attributes)} tokens but {len(sentence_tags)} tags; "
                    "give one tag per token"
                )
        kept = [i for i, attributes in enumerate(attribute_lists) if attributes]
        if not kept:
            raise ValueError("no training sentence has a token; give at least one tagged token")
        self.tags_ = sorted({tag for i in kept for tag in tags[i]})
        index = {tag: j for j, tag in enumerate(self.tags_)}
        vocabulary: dict[str, int] = {}
        X = encode_attributes([attribute_lists[i] for i in kept], vocabulary, grow=True)
        y = np.array([index[tag] for i in kept for tag in tags[i]], dtype=np.int64)
        lengths = [len(attribute_lists[i]) for i in kept]
        batch = _Batch(X, y, np.concatenate([[0], np.cumsum(lengths)]).astype(np.int64))
        layout = self._layout(batch, len(vocabulary))
        if self.method == "lbfgs":
            theta, history = self._fit_lbfgs(layout, batch, progress)
        else:
            theta, history = self._fit_adagrad(layout, batch, progress)
        self.attributes_ = list(vocabulary)
        self._vocabulary = vocabulary
        weights, transitions, start, end = layout.unpack(theta)
        self.state_weights_ = np.array(weights)
        self.transitions_, self.start_, self.end_ = transitions.copy(), start.copy(), end.copy()
        self.loss_history_ = history
        return self

    def _check_params(self) -> None:
        if self.method not in _METHODS:
            raise ValueError(f"method must be one of {_METHODS}, got {self.method!r}")
        if self.c1 < 0 or self.c2 < 0:
            raise ValueError(f"c1 and c2 must be >= 0, got c1={self.c1}, c2={self.c2}")
        if self.c1 > 0 and self.method == "lbfgs":
            raise ValueError(
                "L1 (c1 > 0) with L-BFGS needs OWL-QN, which this CRF does not implement: "
                "set c1=0 or use method='adagrad'"
            )
        if not isinstance(self.max_iter, int) or self.max_iter < 1:
            raise ValueError(f"max_iter must be a positive integer, got {self.max_iter!r}")
        if self.batch_size < 1 or self.learning_rate <= 0:
            raise ValueError("batch_size must be >= 1 and learning_rate > 0")
        if isinstance(self.features, str) and self.features not in FEATURES:
            raise ValueError(
                f"no feature function {self.features!r}; choose from {sorted(FEATURES)}, "
                "pass a function, or None for sentences that are attribute lists"
            )

    def _attribute_lists(self, sentences: Sequence[Sequence[Any]]) -> list[list[Attributes]]:
        if isinstance(sentences, str):
            raise TypeError("give a list of sentences (each a list of tokens), not a string")
        if self.features is None:
            return [list(sentence) for sentence in sentences]
        function = FEATURES[self.features] if isinstance(self.features, str) else self.features
        return [function(sentence) if len(sentence) else [] for sentence in sentences]

    def _layout(self, batch: _Batch, n_attributes: int) -> _Layout:
        k = len(self.tags_)
        states = transitions = None
        if not self.possible_states:
            # The (attribute, tag) pairs of the data: each stored entry of X with its row's tag.
            rows = np.repeat(batch.y, np.diff(batch.X.indptr))
            states = np.unique(batch.X.indices.astype(np.int64) * k + rows)
        if not self.possible_transitions:
            follows = np.ones(len(batch.y), dtype=bool)
            follows[batch.offsets[:-1]] = False
            later = np.flatnonzero(follows)
            transitions = np.unique(batch.y[later - 1] * k + batch.y[later])
        return _Layout(n_attributes, k, states, transitions, self.boundary)

    def _fit_lbfgs(
        self, layout: _Layout, batch: _Batch, progress: bool | None
    ) -> tuple[np.ndarray, list[float]]:
        Xt = batch.X.T.tocsr()  # the expected counts' product runs once per evaluation
        history: list[float] = []
        latest = [0.0]

        def objective(theta: np.ndarray) -> tuple[float, np.ndarray]:
            loss, gradient = negative_log_likelihood(layout, theta, batch, Xt)
            latest[0] = loss + self.c2 * float(theta @ theta)
            return latest[0], gradient + 2.0 * self.c2 * theta

        with progress_bar("CRF L-BFGS", total=self.max_iter, unit="it", enabled=progress) as bar:

            def step(_: Any) -> None:
                history.append(latest[0])
                bar.describe(f"CRF L-BFGS loss {latest[0]:.1f}")
                bar.advance()

            result = minimize(
                objective,
                np.zeros(layout.size),
                jac=True,
                method="L-BFGS-B",
                callback=step,
                options={"maxiter": self.max_iter, "maxcor": _MEMORY, "ftol": 1e-10, "gtol": 1e-6},
            )
        return result.x, history

    def _fit_adagrad(
        self, layout: _Layout, batch: _Batch, progress: bool | None
    ) -> tuple[np.ndarray, list[float]]:
        n_sentences = len(batch.offsets) - 1
        starts = list(range(0, n_sentences, self.batch_size))
        rng = np.random.default_rng(self.seed)
        theta = np.zeros(layout.size)
        squares = np.zeros(layout.size)  # AdaGrad's running sum of squared gradients
        history: list[float] = []
        with progress_bar(
            "CRF AdaGrad", total=self.max_iter * len(starts), unit="batch", enabled=progress
        ) as bar:
            for _ in range(self.max_iter):
                total = 0.0
                for first in rng.permutation(starts):
                    last = min(first + self.batch_size, n_sentences)
                    share = (last - first) / n_sentences  # this batch's part of the penalty
                    loss, gradient = negative_log_likelihood(layout, theta, batch.rows(first, last))
                    gradient += 2.0 * self.c2 * share * theta
                    squares += gradient * gradient
                    rates = self.learning_rate / (np.sqrt(squares) + 1e-8)
                    theta -= rates * gradient
                    if self.c1 > 0:  # proximal step: soft-threshold towards zero
                        theta = np.sign(theta) * np.maximum(
                            np.abs(theta) - rates * self.c1 * share, 0
                        )
                    total += loss
                    bar.advance()
                penalty = self.c1 * np.abs(theta).sum() + self.c2 * float(theta @ theta)
                history.append(total + penalty)
                bar.describe(f"CRF AdaGrad loss {history[-1]:.1f}")
        return theta, history

    # --- tagging -------------------------------------------------------------------

    def predict(self, sentences: Sequence[Sequence[Any]]) -> list[list[str]]:
        """The most likely tag sequence of each sentence (Viterbi decoding).

        Attributes never seen in training carry no weight. Empty sentences get ``[]``.
        """
        self._check_fitted()
        attribute_lists = self._attribute_lists(sentences)
        X = encode_attributes(attribute_lists, self._vocabulary, grow=False)
        offsets = np.concatenate([[0], np.cumsum([len(a) for a in attribute_lists])])
        emissions = np.asarray(X @ self.state_weights_)
        paths = np.zeros(X.shape[0], dtype=np.int64)
        viterbi_batch(
            emissions, offsets.astype(np.int64), self.transitions_, self.start_, self.end_, paths
        )
        names = np.array(self.tags_, dtype=object)[paths]
        return [names[offsets[s] : offsets[s + 1]].tolist() for s in range(len(attribute_lists))]

    def _check_fitted(self) -> None:
        if not hasattr(self, "state_weights_"):
            raise NotFittedError("this CRF is not fitted yet: call fit(sentences, tags) first")

    # --- saving --------------------------------------------------------------------

    def save(self, folder: str | Path) -> Path:
        """Write the model to ``folder`` (``model.json`` + ``weights.npz``); returns it.

        Raises:
            ValueError: The CRF uses a feature function that is not in ``FEATURES`` (a
                function cannot be saved; register it by name or pass attribute lists).
        """
        self._check_fitted()
        if callable(self.features):
            raise ValueError(
                "a CRF with a custom feature function cannot be saved: use a name from "
                "nlpjourney.tagging.features.FEATURES or features=None with attribute lists"
            )
        rows, cols = np.nonzero(self.state_weights_)  # only the weights that are set
        config = {
            **{name: getattr(self, name) for name in self._param_names()},
            "tags": self.tags_,
            "attributes": self.attributes_,
        }
        arrays = {
            "state_rows": rows.astype(np.int64),
            "state_cols": cols.astype(np.int64),
            "state_values": self.state_weights_[rows, cols],
            "transitions": self.transitions_,
            "start": self.start_,
            "end": self.end_,
        }
        return save_model(folder, "CRF", config, arrays)

    @classmethod
    def load(cls, folder: str | Path) -> CRF:
        """A CRF saved by :meth:`save`.

        Raises:
            ModelFormatError: The folder is missing, damaged or holds another model.
        """
        names = ("state_rows", "state_cols", "state_values", "transitions", "start", "end")
        config, arrays = load_model(folder, "CRF", required=names)
        try:
            crf = cls(**{name: config[name] for name in cls._param_names() if name in config})
            crf.tags_ = [str(tag) for tag in config["tags"]]
            crf.attributes_ = [str(name) for name in config["attributes"]]
            k = len(crf.tags_)
            weights = np.zeros((len(crf.attributes_), k))
            weights[arrays["state_rows"], arrays["state_cols"]] = arrays["state_values"]
            if arrays["transitions"].shape != (k, k) or arrays["start"].shape != (k,):
                raise ValueError(f"transition scores of shape {arrays['transitions'].shape}")
        except (KeyError, TypeError, ValueError, IndexError) as error:
            raise ModelFormatError(
                f"{folder} holds a damaged CRF ({error!r}): train the model again"
            ) from None
        crf._vocabulary = {name: i for i, name in enumerate(crf.attributes_)}
        crf.state_weights_ = weights
        crf.transitions_, crf.start_, crf.end_ = (
            arrays["transitions"],
            arrays["start"],
            arrays["end"],
        )
        crf.loss_history_ = []
        return crf
