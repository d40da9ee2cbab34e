"""The training objective of :class:`~nlpjourney.tagging.crf.CRF` over a whole corpus.

Private to :mod:`nlpjourney.tagging.crf`. :func:`encode_attributes` turns every token's attributes
into a row of one sparse matrix ``X`` (tokens x attributes); :class:`Layout` places the
weights in the flat vector an optimiser moves; :func:`negative_log_likelihood` computes
``sum_s log Z_s - score_s(gold)`` and its gradient for a :class:`Batch` of sentences
with two sparse products (``X @ W`` for every token's state scores, ``X.T @ (marginals -
onehot(gold))`` for the state gradient) around the compiled forward-backward pass of
:mod:`nlpjourney.tagging._crf_kernels`. ``tests/tagging/test_crf.py`` holds the gradient
to finite differences and the loss to the readable functions of
:mod:`nlpjourney.tagging.crf`.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from nlpjourney.tagging._crf_kernels import forward_backward

#: One token's attributes: names (each worth 1.0) or names with real values.
Attributes = Sequence[str] | Mapping[str, float]


@dataclass(frozen=True)
class Layout:
    """Where each weight lives in the flat parameter vector that the optimiser sees.

    ``theta = [state weights, transition weights, start, end]``. A state weight is one
    (attribute, tag) pair, a transition weight one (tag, tag) pair; ``states`` and
    ``transitions`` list the flat indices (into A*K and K*K) that are free, or are None
    when every pair is. ``boundary`` says whether start and end scores are learned.
    """

    n_attributes: int
    k: int
    states: np.ndarray | None
    transitions: np.ndarray | None
    boundary: bool

    @property
    def n_states(self) -> int:
        return self.n_attributes * self.k if self.states is None else len(self.states)

    @property
    def n_transitions(self) -> int:
        return self.k * self.k if self.transitions is None else len(self.transitions)

    @property
    def size(self) -> int:
        return self.n_states + self.n_transitions + (2 * self.k if self.boundary else 0)

    def unpack(self, theta: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """``theta`` as ``W`` (A, K), ``transitions`` (K, K), ``start`` (K,), ``end`` (K,)."""
        a, k = self.n_attributes, self.k
        cut = self.n_states
        weights = _scatter(theta[:cut], self.states, a * k).reshape(a, k)
        transitions = _scatter(theta[cut : cut + self.n_transitions], self.transitions, k * k)
        cut += self.n_transitions
        if self.boundary:
            start, end = theta[cut : cut + k], theta[cut + k : cut + 2 * k]
        else:
            start, end = np.zeros(k), np.zeros(k)
        return weights, transitions.reshape(k, k), start, end

    def pack(
        self, weights: np.ndarray, transitions: np.ndarray, start: np.ndarray, end: np.ndarray
    ) -> np.ndarray:
        """The inverse of :meth:`unpack` (entries outside the free pairs are dropped)."""
        parts = [
            _gather(weights.ravel(), self.states),
            _gather(transitions.ravel(), self.transitions),
        ]
        if self.boundary:
            parts += [start, end]
        return np.concatenate(parts)


def _scatter(values: np.ndarray, index: np.ndarray | None, size: int) -> np.ndarray:
    if index is None:
        return values
    full = np.zeros(size)
    full[index] = values
    return full


def _gather(values: np.ndarray, index: np.ndarray | None) -> np.ndarray:
    return values if index is None else values[index]


@dataclass(frozen=True)
class Batch:
    """Sentences stacked token after token: attributes ``X`` (N, A), tags ``y`` (N,)."""

    X: sp.csr_matrix
    y: np.ndarray
    offsets: np.ndarray  # (S + 1,) int64, sentence s is rows offsets[s]:offsets[s + 1]

    def rows(self, first: int, last: int) -> Batch:
        """Sentences ``first:last`` as a batch of their own."""
        lo, hi = self.offsets[first], self.offsets[last]
        return Batch(self.X[lo:hi], self.y[lo:hi], self.offsets[first : last + 1] - lo)


def negative_log_likelihood(
    layout: Layout, theta: np.ndarray, batch: Batch, Xt: sp.csr_matrix | None = None
) -> tuple[float, np.ndarray]:
    """``sum_s log Z_s - score_s(gold)`` over the batch, and its gradient in ``theta``'s layout.

    The gradient of each weight is its expected count under the model minus its count in
    the gold paths: ``X.T @ (marginals - onehot(y))`` for the state weights.
    """
    weights, transitions, start, end = layout.unpack(theta)
    emissions = np.asarray(batch.X @ weights)  # (N, K): every token's state scores at once
    unary = np.empty_like(emissions)
    pair_counts = np.zeros((layout.k, layout.k))
    start_counts = np.zeros(layout.k)
    end_counts = np.zeros(layout.k)
    log_z = forward_backward(
        emissions, batch.offsets, transitions, start, end, unary, pair_counts, start_counts,
        end_counts,
    )  # fmt: skip
    y, k = batch.y, layout.k
    tokens = np.arange(len(y))
    firsts, lasts = batch.offsets[:-1], batch.offsets[1:] - 1
    follows = np.ones(len(y), dtype=bool)  # tokens with a predecessor in their sentence
    follows[firsts] = False
    later = tokens[follows]
    gold = (
        emissions[tokens, y].sum()
        + transitions[y[later - 1], y[later]].sum()
        + start[y[firsts]].sum()
        + end[y[lasts]].sum()
    )
    unary[tokens, y] -= 1.0
    grad_weights = (batch.X.T if Xt is None else Xt) @ unary  # (A, K)
    grad_transitions = pair_counts - np.bincount(
        y[later - 1] * k + y[later], minlength=k * k
    ).reshape(k, k)
    grad_start = start_counts - np.bincount(y[firsts], minlength=k)
    grad_end = end_counts - np.bincount(y[lasts], minlength=k)
    gradient = layout.pack(np.asarray(grad_weights), grad_transitions, grad_start, grad_end)
    return float(log_z - gold), gradient


def encode_attributes(
    attribute_lists: Sequence[Sequence[Attributes]], vocabulary: dict[str, int], grow: bool
) -> sp.csr_matrix:
    """Every token's attributes as a row of a sparse (tokens, attributes) matrix.

    With ``grow`` unseen attribute names get the next id in ``vocabulary``; without it
    they are dropped (they have no weight).
    """
    tokens = [token for sentence in attribute_lists for token in sentence]
    for token in tokens:
        if isinstance(token, str):
            raise TypeError(
                f"a token's attributes must be a list of names or a name->value mapping, "
                f"got the string {token!r}: with features=None pass attribute lists"
            )
    if any(isinstance(token, Mapping) for token in tokens):
        names = [name for token in tokens for name in token]
        values = np.fromiter(
            (value for token in tokens for value in _values(token)), dtype=np.float64
        )
    else:  # names only, each worth 1.0 (the common case, kept free of per-name Python work)
        names = [name for token in tokens for name in token]
        values = np.ones(len(names))
    if grow:
        columns = np.fromiter(
            (vocabulary.setdefault(name, len(vocabulary)) for name in names),
            dtype=np.int64,
            count=len(names),
        )
    else:
        columns = np.fromiter(
            map(vocabulary.get, names, itertools.repeat(-1)), dtype=np.int64, count=len(names)
        )
    lengths = np.array([len(token) for token in tokens], dtype=np.int64)
    known = columns >= 0  # unseen names carry no weight: drop them
    # Row r's entries are the known names among its own, in order: count them per row.
    rows = np.repeat(np.arange(len(tokens)), lengths)[known]
    indptr = np.concatenate([[0], np.cumsum(np.bincount(rows, minlength=len(tokens)))])
    shape = (len(tokens), len(vocabulary))
    return sp.csr_matrix((values[known], columns[known], indptr), shape=shape)


def _values(token: Attributes) -> Iterator[float]:
    """A token's attribute values, in the order its names iterate."""
    if isinstance(token, Mapping):
        yield from (float(value) for value in token.values())
    else:
        yield from itertools.repeat(1.0, len(token))
