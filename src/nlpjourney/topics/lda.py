"""Latent Dirichlet allocation: topics by collapsed Gibbs sampling or by variational Bayes.

LDA tells a story of how each document was written. There are K *topics*, each a
distribution φ_k over the vocabulary, drawn from Dirichlet(η). A document first draws its
mix of topics θ_d ~ Dirichlet(α); then for every word it picks a topic z ~ θ_d and a word
w ~ φ_z. Fitting runs the story backwards: given only the counts, which φ and θ explain
them? Two ways are given, chosen by ``method``:

- ``"gibbs"``, **collapsed Gibbs sampling** (Griffiths & Steyvers 2004). θ and φ are
  integrated out; each token's topic is re-drawn in turn given every other token's:
  p(z_i = k | rest) ∝ (n_dk + α)(n_kw + η)/(n_k + Vη), with the token itself left out of
  the counts. :func:`gibbs_sweep` is one sweep, written plainly; the fit runs a compiled
  twin of it. After ``burn_in`` sweeps the counts are averaged into the estimates
  φ_k ∝ n_kw + η and θ_d ∝ n_dk + α.
- ``"online"`` and ``"batch"``, **variational Bayes** (Hoffman, Blei & Bach 2010). Each
  topic gets a Dirichlet over words with parameters λ_k (``components_``), each
  document one over topics with parameters γ_d. The E-step fits γ_d for every document
  of a mini-batch by a fixed point on exp(E[log θ]); the M-step moves λ towards what the
  batch suggests, with weight ρ_t = (τ₀ + t)^(-κ) (``learning_offset`` τ₀,
  ``learning_decay`` κ). ``"batch"`` uses all documents at every step and replaces λ.

``perplexity(X)`` is exp(-log-likelihood per word) of held-out documents, lower is better.
For variational Bayes the log-likelihood is the variational lower bound (scikit-learn's
formula, so the two are comparable); for Gibbs it is Σ c_dw log Σ_k θ_dk φ_kw with θ_d
from folding the new documents in (a Gibbs chain on them with φ fixed).

Example:
    >>> import numpy as np
    >>> X = np.array([[3, 2, 0, 0], [2, 3, 0, 0], [0, 0, 4, 1], [0, 0, 1, 4]])
    >>> lda = LDA(n_topics=2, method="gibbs", n_iter=50, burn_in=25, seed=0)
    >>> lda = lda.fit(X, feature_names=["goal", "match", "vote", "party"])
    >>> sorted(sorted(words) for words in lda.top_words(2))
    [['goal', 'match'], ['party', 'vote']]
    >>> lda.transform(X).sum(axis=1).round(6).tolist()
    [1.0, 1.0, 1.0, 1.0]

Reference: scikit-learn's ``LatentDirichletAllocation`` (variational Bayes, online and
batch): the same initial draws from the same ``RandomState``, the same batches in the
same order and the same digamma approximation, so a seeded fit reproduces its
``components_``; gensim's ``LdaModel`` for the Gibbs side's topic quality.

Simplifications: symmetric scalar priors only (no learned α), one thread, no
``partial_fit``; Gibbs draws each sweep's uniforms with NumPy and keeps one chain.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Literal, Self

import numpy as np
import scipy.sparse as sp
from scipy.special import gammaln

from nlpjourney.ml.base import (
    Estimator,
    Matrix,
    TransformerMixin,
    check_array,
    check_is_fitted,
    check_n_features,
)
from nlpjourney.progress import track
from nlpjourney.topics import _kernels

__all__ = ["LDA", "gibbs_sweep"]

_METHODS = ("gibbs", "online", "batch")


def gibbs_sweep(
    doc_ids: np.ndarray,
    word_ids: np.ndarray,
    z: np.ndarray,
    n_dk: np.ndarray,
    n_kw: np.ndarray,
    n_k: np.ndarray,
    alpha: float,
    eta: float,
    uniforms: np.ndarray,
) -> np.ndarray:
    """One sweep of collapsed Gibbs sampling for LDA, token by token, counts updated in place.

    Token ``i`` is word ``word_ids[i]`` of document ``doc_ids[i]``, now in topic ``z[i]``.
    In order i = 0..N-1 it is taken out of the counts, its topic is re-drawn from

        p_k = (n_dk[d, k] + α) (n_kw[k, w] + η) / (n_k[k] + V η)

    by the inverse CDF at ``uniforms[i]`` (the first k whose cumulative weight exceeds
    ``uniforms[i]`` times the total), and it is put back in its new topic.

    Args:
        doc_ids: (N,) the document of each token.
        word_ids: (N,) the vocabulary index of each token.
        z: (N,) the current topic of each token; overwritten.
        n_dk: (D, K) tokens of document d in topic k; updated.
        n_kw: (K, V) tokens of word w in topic k; updated.
        n_k: (K,) tokens in topic k; updated.
        alpha: the symmetric document-topic prior α.
        eta: the symmetric topic-word prior η.
        uniforms: (N,) uniform numbers in [0, 1), one per token.

    Returns:
        ``z``, the new topics (the same array).

    Example:
        >>> z = np.array([0, 1])
        >>> n_dk, n_kw, n_k = np.array([[1, 1]]), np.array([[1, 0], [0, 1]]), np.array([1, 1])
        >>> gibbs_sweep(np.array([0, 0]), np.array([0, 1]), z, n_dk, n_kw, n_k,
        ...             alpha=0.1, eta=0.01, uniforms=np.array([0.99, 0.01])).tolist()
        [1, 0]
        >>> n_dk.tolist(), n_kw.tolist()
        ([[1, 1]], [[0, 1], [1, 0]])
    """
    n_topics, vocabulary = n_kw.shape
    for i in range(len(doc_ids)):
        d, w, old = doc_ids[i], word_ids[i], z[i]
        n_dk[d, old] -= 1
        n_kw[old, w] -= 1
        n_k[old] -= 1
        p = (n_dk[d] + alpha) * (n_kw[:, w] + eta) / (n_k + vocabulary * eta)
        cumulative = np.cumsum(p)
        # subtle: the total is the cumulative's last entry, not p.sum(): NumPy sums pairwise,
        # which can differ in the last bit from the running sum the compiled kernel keeps.
        new = int(np.searchsorted(cumulative, uniforms[i] * cumulative[-1], side="right"))
        new = min(new, n_topics - 1)
        z[i] = new
        n_dk[d, new] += 1
        n_kw[new, w] += 1
        n_k[new] += 1
    return z


def _tokens(X: sp.csr_matrix) -> tuple[np.ndarray, np.ndarray]:
    """The token list of a count matrix: (doc_ids, word_ids), each count spelled out."""
    counts = X.data.astype(np.int64)
    if not np.array_equal(counts, X.data):
        raise ValueError("Gibbs sampling needs whole-number counts (a CountVectorizer's "
                         "output); use method='online' for weighted features")  # fmt: skip
    rows = np.repeat(np.arange(X.shape[0], dtype=np.int64), np.diff(X.indptr))
    return np.repeat(rows, counts), np.repeat(X.indices.astype(np.int64), counts)


class LDA(TransformerMixin, Estimator):
    """Latent Dirichlet allocation on a document-term count matrix.

    Args:
        n_topics: the number of topics K.
        method: ``"gibbs"`` (collapsed Gibbs sampling), ``"online"`` (online variational
            Bayes, mini-batches of ``batch_size``) or ``"batch"`` (variational Bayes on
            all documents at each step).
        alpha: the document-topic prior; None means 1 / n_topics, scikit-learn's default
            for ``doc_topic_prior``.
        eta: the topic-word prior; None means 1 / n_topics, scikit-learn's default for
            ``topic_word_prior``.
        seed: the seed of every random draw (a NumPy ``RandomState`` for variational
            Bayes, as scikit-learn's ``random_state``; a ``Generator`` for Gibbs).
        max_iter: variational Bayes: passes over the documents.
        batch_size: online variational Bayes: documents per mini-batch.
        learning_decay: online variational Bayes: κ in ρ_t = (τ₀ + t)^(-κ), in (0.5, 1].
        learning_offset: online variational Bayes: τ₀ (at least 1), slows early steps.
        mean_change_tol: variational E-step: stop a document's fixed point when γ moves
            less than this on average.
        max_doc_update_iter: variational E-step: at most this many fixed-point rounds.
        n_iter: Gibbs: sweeps over the tokens.
        burn_in: Gibbs: the first sweeps, not averaged into the estimates.
        fold_in_iter: Gibbs: sweeps over new documents in ``transform`` (the first half
            is burn-in).

    Attributes:
        components_: (K, V) topic-word pseudo-counts, as scikit-learn's: λ for variational
            Bayes, the mean n_kw + η for Gibbs.
        topic_word_: (K, V) ``components_`` with rows normalised to sum to 1 (φ).
        feature_names_: the words of the columns, or None.
        n_features_in_: V.
        n_iter_: passes (variational) or sweeps (Gibbs) made.
        doc_topic_: Gibbs only: (n_documents, K) θ of the fitting documents, from the
            averaged counts (``transform`` folds documents in afresh instead).
        n_batch_iter_: variational only: M-steps made, plus one (scikit-learn's count).

    Shapes:
        X: (n_documents, V) counts, CSR or dense; transform returns (n_documents, K).
    """

    def __init__(
        self,
        n_topics: int = 10,
        method: Literal["gibbs", "online", "batch"] = "online",
        alpha: float | None = None,
        eta: float | None = None,
        seed: int = 0,
        max_iter: int = 10,
        batch_size: int = 128,
        learning_decay: float = 0.7,
        learning_offset: float = 10.0,
        mean_change_tol: float = 1e-3,
        max_doc_update_iter: int = 100,
        n_iter: int = 200,
        burn_in: int = 100,
        fold_in_iter: int = 50,
    ) -> None:
        self.n_topics = n_topics
        self.method = method
        self.alpha = alpha
        self.eta = eta
        self.seed = seed
        self.max_iter = max_iter
        self.batch_size = batch_size
        self.learning_decay = learning_decay
        self.learning_offset = learning_offset
        self.mean_change_tol = mean_change_tol
        self.max_doc_update_iter = max_doc_update_iter
        self.n_iter = n_iter
        self.burn_in = burn_in
        self.fold_in_iter = fold_in_iter

    # ----------------------------------------------------------------- checks
    def _check_params(self) -> None:
        if isinstance(self.n_topics, bool) or not isinstance(self.n_topics, int | np.integer):
            raise TypeError(f"n_topics must be a whole number, got {self.n_topics!r}")
        if self.n_topics < 1:
            raise ValueError(f"n_topics must be at least 1, got {self.n_topics}")
        if self.method not in _METHODS:
            raise ValueError(f"unknown method {self.method!r}; choose one of {', '.join(_METHODS)}")
        for name in ("alpha", "eta"):
            value = getattr(self, name)
            if value is not None and not value > 0:
                raise ValueError(f"{name} must be positive (or None for 1 / n_topics), got {value}")
        positive = ["batch_size", "max_doc_update_iter", "n_iter", "fold_in_iter"]
        for name in positive:
            if getattr(self, name) < 1:
                raise ValueError(f"{name} must be at least 1, got {getattr(self, name)}")
        if self.max_iter < 0 or self.burn_in < 0:
            raise ValueError("max_iter and burn_in must not be negative")
        if self.method == "gibbs" and self.burn_in >= self.n_iter:
            raise ValueError(f"burn_in ({self.burn_in}) must be below n_iter ({self.n_iter}), "
                             "or no sweep is left to average")  # fmt: skip
        if self.learning_offset < 1.0:
            raise ValueError(f"learning_offset must be at least 1, got {self.learning_offset}")

    def _counts(self, X: Any) -> sp.csr_matrix:
        """``X`` as a CSR float64 matrix of non-negative counts (sorted column indices)."""
        X = check_array(X, sparse=True)
        X = sp.csr_matrix(X)
        if X.data.size and X.data.min() < 0:
            raise ValueError("X holds negative values; LDA needs word counts (zero or more)")
        if not X.has_sorted_indices:
            X = X.sorted_indices()
        return X

    def _checked(self, X: Any) -> sp.csr_matrix:
        check_is_fitted(self, "components_")
        X = self._counts(X)
        check_n_features(self, X)
        return X

    # -------------------------------------------------------------------- fit
    def fit(self, X: Matrix, y: Any = None, *, feature_names: Sequence[str] | None = None) -> Self:
        """Learn the topics of the documents in ``X``.

        Args:
            X: (n_documents, V) word counts, CSR or dense.
            y: ignored (scikit-learn's convention).
            feature_names: the V words of the columns, for :meth:`top_words`
                (``CountVectorizer.get_feature_names_out()``).

        Returns:
            ``self``.
        """
        self._check_params()
        X = self._counts(X)
        n_documents, vocabulary = X.shape
        if feature_names is not None:
            feature_names = [str(name) for name in feature_names]
            if len(feature_names) != vocabulary:
                raise ValueError(f"feature_names has {len(feature_names)} names but X has "
                                 f"{vocabulary} columns")  # fmt: skip
        self.feature_names_ = feature_names
        self.n_features_in_ = vocabulary
        self.alpha_ = 1.0 / self.n_topics if self.alpha is None else float(self.alpha)
        self.eta_ = 1.0 / self.n_topics if self.eta is None else float(self.eta)
        if self.method == "gibbs":
            self._fit_gibbs(X)
        else:
            self._fit_variational(X)
        self.topic_word_ = self.components_ / self.components_.sum(axis=1, keepdims=True)
        return self

    def _fit_variational(self, X: sp.csr_matrix) -> None:
        n_documents, vocabulary = X.shape
        random_state = np.random.RandomState(self.seed)
        # λ starts near 1 everywhere: Gamma(100, 1/100), scikit-learn's draw.
        self.components_ = random_state.gamma(100.0, 0.01, (self.n_topics, vocabulary))
        self._update_expectation()
        self.n_batch_iter_ = 1
        self.n_iter_ = 0
        size = self.batch_size if self.method == "online" else n_documents
        for _ in track(range(self.max_iter), "LDA passes", unit="passes"):
            for start in range(0, n_documents, size):
                stop = min(start + size, n_documents)
                self._em_step(X, start, stop, random_state)
            self.n_iter_ += 1

    def _update_expectation(self) -> None:
        # exp(E[log φ]) transposed (V, K): the E-step reads one word's K values at a time.
        elog_phi = _kernels.dirichlet_expectation(self.components_)
        self._exp_elog_phi_t = np.ascontiguousarray(np.exp(elog_phi).T)

    def _e_step(self, X: sp.csr_matrix, start: int, stop: int, gamma: np.ndarray,
                sstats: np.ndarray) -> np.ndarray:  # fmt: skip
        # The batch's row pointers still index the whole matrix's indices and data: no copy.
        _kernels.e_step(X.indptr[start : stop + 1], X.indices, X.data, self._exp_elog_phi_t,
                        gamma, self.alpha_, self.max_doc_update_iter, self.mean_change_tol,
                        sstats)  # fmt: skip
        return gamma

    def _em_step(self, X: sp.csr_matrix, start: int, stop: int,
                 random_state: np.random.RandomState) -> None:  # fmt: skip
        gamma = random_state.gamma(100.0, 0.01, (stop - start, self.n_topics))
        sstats = np.zeros_like(self.components_)
        self._e_step(X, start, stop, gamma, sstats)
        sstats *= self._exp_elog_phi_t.T
        if self.method == "batch":
            self.components_ = self.eta_ + sstats
        else:
            # Move λ a step ρ towards the batch's estimate, scaled up as if the whole corpus
            # looked like this batch.
            rho = np.power(self.learning_offset + self.n_batch_iter_, -self.learning_decay)
            scale = float(X.shape[0]) / (stop - start)
            self.components_ *= 1 - rho
            self.components_ += rho * (self.eta_ + scale * sstats)
        self._update_expectation()
        self.n_batch_iter_ += 1

    def _fit_gibbs(self, X: sp.csr_matrix) -> None:
        n_documents, vocabulary = X.shape
        doc_ids, word_ids = _tokens(X)
        rng = np.random.default_rng(self.seed)
        z = rng.integers(self.n_topics, size=len(doc_ids))
        n_dk = np.zeros((n_documents, self.n_topics), dtype=np.int64)
        n_kw = np.zeros((self.n_topics, vocabulary), dtype=np.int64)
        np.add.at(n_dk, (doc_ids, z), 1)
        np.add.at(n_kw, (z, word_ids), 1)
        n_k = n_kw.sum(axis=1)
        sum_dk = np.zeros(n_dk.shape)
        sum_kw = np.zeros(n_kw.shape)
        for sweep in track(range(self.n_iter), "Gibbs sweeps", unit="sweeps"):
            uniforms = rng.random(len(doc_ids))
            _kernels.gibbs_sweep_kernel(doc_ids, word_ids, z, n_dk, n_kw, n_k,
                                        self.alpha_, self.eta_, uniforms)  # fmt: skip
            if sweep >= self.burn_in:
                sum_dk += n_dk
                sum_kw += n_kw
        samples = self.n_iter - self.burn_in
        self.components_ = sum_kw / samples + self.eta_
        theta = sum_dk / samples + self.alpha_
        self.doc_topic_ = theta / theta.sum(axis=1, keepdims=True)
        self.n_iter_ = self.n_iter

    # -------------------------------------------------------------- inference
    def _gamma(self, X: sp.csr_matrix) -> np.ndarray:
        """Variational γ of each row of ``X`` with the topics fixed (starting from ones)."""
        gamma = np.ones((X.shape[0], self.n_topics))
        return self._e_step(X, 0, X.shape[0], gamma, np.zeros((0, 0)))

    def _fold_in(self, X: sp.csr_matrix) -> np.ndarray:
        """θ of each row of ``X`` by Gibbs sampling with φ fixed; seeded, so repeatable."""
        doc_ids, word_ids = _tokens(X)
        rng = np.random.default_rng(self.seed)
        z = rng.integers(self.n_topics, size=len(doc_ids))
        n_dk = np.zeros((X.shape[0], self.n_topics), dtype=np.int64)
        np.add.at(n_dk, (doc_ids, z), 1)
        phi_t = np.ascontiguousarray(self.topic_word_.T)
        burn_in = self.fold_in_iter // 2
        total = np.zeros(n_dk.shape)
        for sweep in range(self.fold_in_iter):
            _kernels.fold_in_sweep(doc_ids, word_ids, z, n_dk, phi_t, self.alpha_,
                                   rng.random(len(doc_ids)))  # fmt: skip
            if sweep >= burn_in:
                total += n_dk
        theta = total / (self.fold_in_iter - burn_in) + self.alpha_
        return theta / theta.sum(axis=1, keepdims=True)

    def transform(self, X: Matrix) -> np.ndarray:
        """The topic proportions of each document: (n_documents, K), rows summing to 1.

        Variational Bayes: the normalised γ of the E-step with the topics fixed
        (deterministic). Gibbs: the averaged counts of a seeded fold-in chain.
        """
        X = self._checked(X)
        if self.method == "gibbs":
            return self._fold_in(X)
        gamma = self._gamma(X)
        return gamma / gamma.sum(axis=1, keepdims=True)

    def _log_likelihood(self, X: sp.csr_matrix) -> float:
        if self.method == "gibbs":
            theta = self._fold_in(X)
            rows = np.repeat(np.arange(X.shape[0]), np.diff(X.indptr))
            # p(w | d) = Σ_k θ_dk φ_kw at each nonzero, one row of K products per nonzero.
            p = np.einsum("nk,kn->n", theta[rows], self.topic_word_[:, X.indices])
            return float(X.data @ np.log(p))
        return self._bound(X, self._gamma(X))

    def _bound(self, X: sp.csr_matrix, gamma: np.ndarray) -> float:
        """scikit-learn's variational lower bound on log p(X) (``sub_sampling=False``)."""
        lam, alpha, eta = self.components_, self.alpha_, self.eta_
        elog_theta = _kernels.dirichlet_expectation(gamma)
        elog_phi = _kernels.dirichlet_expectation(lam)
        score = _kernels.word_bound(X.indptr, X.indices, X.data, elog_theta,
                                    np.ascontiguousarray(elog_phi.T))  # fmt: skip

        def dirichlet_terms(prior: float, q: np.ndarray, elog: np.ndarray) -> float:
            # E[log p(θ | prior)] - E[log q(θ)] for Dirichlet q with parameters ``q``, per row.
            size = q.shape[1]
            return float(np.sum((prior - q) * elog) + np.sum(gammaln(q) - gammaln(prior))
                         + np.sum(gammaln(prior * size) - gammaln(q.sum(axis=1))))  # fmt: skip

        score += dirichlet_terms(alpha, gamma, elog_theta)
        score += dirichlet_terms(eta, lam, elog_phi)
        return float(score)

    def score(self, X: Matrix, y: Any = None) -> float:
        """The approximate log-likelihood of ``X`` (higher is better).

        Variational Bayes: scikit-learn's variational bound (its ``score``). Gibbs:
        Σ c_dw log Σ_k θ_dk φ_kw with θ folded in.
        """
        return self._log_likelihood(self._checked(X))

    def perplexity(self, X: Matrix) -> float:
        """exp(-log-likelihood / number of tokens) of ``X`` (lower is better); see :meth:`score`."""
        X = self._checked(X)
        tokens = X.sum()
        if tokens <= 0:
            raise ValueError("X holds no tokens; perplexity needs at least one word")
        return float(np.exp(-self._log_likelihood(X) / tokens))

    def top_words(self, n: int = 10) -> list[list[Any]]:
        """The ``n`` heaviest words of each topic, heaviest first.

        Returns:
            One list per topic: words when ``fit`` was given ``feature_names``, else
            column indices.
        """
        check_is_fitted(self, "components_")
        if n < 1:
            raise ValueError(f"n must be at least 1, got {n}")
        order = np.argsort(-self.components_, axis=1, kind="stable")[:, :n]
        if self.feature_names_ is None:
            return [[int(j) for j in row] for row in order]
        return [[self.feature_names_[j] for j in row] for row in order]
