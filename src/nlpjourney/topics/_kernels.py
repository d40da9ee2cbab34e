"""The compiled inner loops of :class:`~nlpjourney.topics.lda.LDA`.

Private to :mod:`nlpjourney.topics.lda`. Two families:

- **variational Bayes**: :func:`e_step` runs the per-document digamma fixed point of
  online LDA over a mini-batch of CSR rows, and :func:`word_bound` the first term of the
  variational bound; :func:`psi` is the digamma function they use;
- **collapsed Gibbs sampling**: :func:`gibbs_sweep_kernel` is one sweep over the token
  list, the same arithmetic, operation for operation, as the readable
  :func:`nlpjourney.topics.lda.gibbs_sweep` (``tests/topics/test_lda.py`` holds the two
  equal); :func:`fold_in_sweep` is a sweep over new documents with the topics fixed.

The functions carry no type hints: numba types each argument from the first call, and the
callers always pass float64 arrays, int64 indices and float64 counts.

subtle: no ``fastmath`` here. The Gibbs kernel must reproduce NumPy's arithmetic bit for
bit, and fastmath lets the compiler reorder sums.
"""

from __future__ import annotations

import math

import numpy as np

from nlpjourney.compiled import compiled

_EULER = 0.577215664901532860606512090082402431


@compiled
def psi(x):
    """The digamma function by recurrence up to 6 and its asymptotic series.

    The series stops at the x⁻⁶ term (error below 3e-9 at x = 6, far less above), as
    scikit-learn's LDA does, so both compute the same expectations to the last bits.
    """
    if x <= 1e-6:
        # psi(x) ≈ -γ - 1/x near zero; the recurrence would lose everything to 1/x.
        return -_EULER - 1.0 / x
    result = 0.0
    while x < 6.0:
        result -= 1.0 / x
        x += 1.0
    r = 1.0 / x
    result += math.log(x) - 0.5 * r
    r = r * r
    result -= r * ((1.0 / 12.0) - r * ((1.0 / 120.0) - r * (1.0 / 252.0)))
    return result


@compiled
def dirichlet_expectation(arr):
    """E[log θ] for each row θ ~ Dirichlet(row): psi(a) - psi(sum of the row), (n, K) -> (n, K)."""
    n, k = arr.shape
    out = np.empty_like(arr)
    for i in range(n):
        total = 0.0
        for j in range(k):
            total += arr[i, j]
        psi_total = psi(total)
        for j in range(k):
            out[i, j] = psi(arr[i, j]) - psi_total
    return out


@compiled
def e_step(indptr, indices, data, exp_topic_word_t, gamma, alpha, max_iter, tol, sstats):
    """The variational E-step over the rows of one CSR batch, ``gamma`` updated in place.

    For each document the fixed point alternates (with ``e = exp(E[log θ_d])`` and
    ``β = exp(E[log φ])``):

        norm[j]  = Σ_k e[k] β[k, w_j] + eps           for each distinct word w_j, count c_j
        γ[k]     = α + e[k] Σ_j c_j β[k, w_j] / norm[j]
        e        = exp(psi(γ) - psi(Σ γ))

    until the mean absolute change of γ is below ``tol`` or after ``max_iter`` rounds.
    When ``sstats`` has rows it receives e[k] c_j / norm[j] at (k, w_j) (the caller
    multiplies by β afterwards, once for the whole batch).

    Args:
        indptr, indices, data: the batch's CSR arrays (document-term counts).
        exp_topic_word_t: β transposed, (V, K), so one word's K values are contiguous.
        gamma: (n, K) the starting γ of each document; overwritten with the result.
        alpha: the document-topic prior.
        max_iter, tol: the fixed point's limits.
        sstats: (K, V) zeros to accumulate into, or a (0, 0) array for none.
    """
    n, k = gamma.shape
    eps = np.finfo(np.float64).eps
    want_sstats = sstats.shape[0] > 0
    exp_theta = np.empty(k)
    last = np.empty(k)
    new = np.empty(k)
    for d in range(n):
        lo, hi = indptr[d], indptr[d + 1]
        norm = np.empty(hi - lo)
        # The starting e comes from the starting γ without the prior, as scikit-learn's.
        total = 0.0
        for t in range(k):
            total += gamma[d, t]
        psi_total = psi(total)
        for t in range(k):
            exp_theta[t] = math.exp(psi(gamma[d, t]) - psi_total)
            last[t] = gamma[d, t]
        for _ in range(max_iter):
            for j in range(lo, hi):
                s = 0.0
                w = indices[j]
                for t in range(k):
                    s += exp_theta[t] * exp_topic_word_t[w, t]
                norm[j - lo] = s + eps
            new[:] = 0.0
            for j in range(lo, hi):
                ratio = data[j] / norm[j - lo]
                w = indices[j]
                for t in range(k):
                    new[t] += ratio * exp_topic_word_t[w, t]
            total = 0.0
            for t in range(k):
                new[t] = exp_theta[t] * new[t] + alpha
                total += new[t]
            psi_total = psi(total)
            change = 0.0
            for t in range(k):
                exp_theta[t] = math.exp(psi(new[t]) - psi_total)
                change += abs(last[t] - new[t])
                last[t] = new[t]
            if change / k < tol:
                break
        for t in range(k):
            gamma[d, t] = last[t]
        if want_sstats:
            for j in range(lo, hi):
                s = 0.0
                w = indices[j]
                for t in range(k):
                    s += exp_theta[t] * exp_topic_word_t[w, t]
                ratio = data[j] / (s + eps)
                for t in range(k):
                    sstats[t, w] += exp_theta[t] * ratio


@compiled
def word_bound(indptr, indices, data, elog_theta, elog_phi_t):
    """Σ_d Σ_j c_j log Σ_k exp(E[log θ_dk] + E[log φ_k,w_j]), the bound's data term.

    ``elog_phi_t`` is E[log φ] transposed, (V, K); the log-sum-exp subtracts each word's
    maximum first so that no term underflows.
    """
    n, k = elog_theta.shape
    score = 0.0
    for d in range(n):
        for j in range(indptr[d], indptr[d + 1]):
            w = indices[j]
            top = -np.inf
            for t in range(k):
                v = elog_theta[d, t] + elog_phi_t[w, t]
                if v > top:
                    top = v
            s = 0.0
            for t in range(k):
                s += math.exp(elog_theta[d, t] + elog_phi_t[w, t] - top)
            score += data[j] * (top + math.log(s))
    return score


@compiled
def gibbs_sweep_kernel(doc_ids, word_ids, z, n_dk, n_kw, n_k, alpha, eta, uniforms):
    """One collapsed Gibbs sweep over the tokens in order; the compiled twin of ``gibbs_sweep``.

    The same operations in the same order as :func:`nlpjourney.topics.lda.gibbs_sweep`:
    p_k = (n_dk + α)(n_kw + η)/(n_k + Vη), a running sum for the cumulative, and the
    first k whose cumulative exceeds u · total (clipped to K - 1).
    """
    n_topics, v = n_kw.shape
    v_eta = v * eta
    cumulative = np.empty(n_topics)
    for i in range(doc_ids.shape[0]):
        d, w, old = doc_ids[i], word_ids[i], z[i]
        n_dk[d, old] -= 1
        n_kw[old, w] -= 1
        n_k[old] -= 1
        running = 0.0
        for t in range(n_topics):
            running += (n_dk[d, t] + alpha) * (n_kw[t, w] + eta) / (n_k[t] + v_eta)
            cumulative[t] = running
        target = uniforms[i] * running
        new = 0
        while new < n_topics - 1 and cumulative[new] <= target:
            new += 1
        z[i] = new
        n_dk[d, new] += 1
        n_kw[new, w] += 1
        n_k[new] += 1
    return z


@compiled
def fold_in_sweep(doc_ids, word_ids, z, n_dk, phi_t, alpha, uniforms):
    """A Gibbs sweep over new documents with the topic-word distributions ``phi`` fixed.

    p_k = (n_dk + α) φ[k, w]: only the document's own counts move. ``phi_t`` is φ
    transposed, (V, K).
    """
    n_topics = n_dk.shape[1]
    cumulative = np.empty(n_topics)
    for i in range(doc_ids.shape[0]):
        d, w, old = doc_ids[i], word_ids[i], z[i]
        n_dk[d, old] -= 1
        running = 0.0
        for t in range(n_topics):
            running += (n_dk[d, t] + alpha) * phi_t[w, t]
            cumulative[t] = running
        target = uniforms[i] * running
        new = 0
        while new < n_topics - 1 and cumulative[new] <= target:
            new += 1
        z[i] = new
        n_dk[d, new] += 1
    return z
