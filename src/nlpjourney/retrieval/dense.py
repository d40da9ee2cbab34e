"""Dense retrieval: texts become vectors, and the best documents for a query are the
vectors with the highest inner product with the query's vector.

:func:`exact_search` is the exact answer. It scores the corpus one block of rows at a
time, a matrix product per block (BLAS), and keeps only each block's k best by partial
selection (``np.argpartition``), merged with the best so far, so memory stays bounded
(a block of scores, not a (queries x corpus) matrix) for a million vectors::

    queries (Q, d) @ block (B, d)^T -> (Q, B) scores -> k best of the block
                                                     -> merged with the k best so far

:class:`DenseRetriever` puts an encoder in front: ``index(texts)`` embeds the raw
documents, ``search(query_text)`` embeds the query and searches, exactly or through an
approximate index (:class:`~nlpjourney.retrieval.ann.IVFIndex`).

Note the one difference from the ranker contract of the lexical rankers (BM25 and
friends): a dense retriever reads *raw texts*, not token lists, because the encoder does
its own tokenization. ``index(texts)``, ``search(query_text, k)`` and
``search_many(query_texts, k)`` return the same (ids, scores) as theirs.

Example:
    >>> vectors = np.array([[1.0, 0.0], [0.6, 0.8], [0.0, 1.0]])
    >>> ids, scores = exact_search(np.array([[0.0, 1.0]]), vectors, k=2)
    >>> ids.tolist(), scores.round(2).tolist()
    ([[2, 1]], [[1.0, 0.8]])

Reference: sentence-transformers' ``util.semantic_search`` (same ids and scores on real
embeddings, ``tests/retrieval/test_dense.py``).

Simplifications: the corpus vectors live in memory (a NumPy array, float32 as the
encoder gives them); no GPU search (the encoder can run on a GPU).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Literal, Protocol

import numpy as np

from nlpjourney.errors import DataNotFoundError, JourneyError
from nlpjourney.progress import progress_bar
from nlpjourney.retrieval._topk import merge_top_k, top_k_rows
from nlpjourney.retrieval.index import IndexFormatError

__all__ = ["DenseRetriever", "Encoder", "exact_search"]

Metric = Literal["ip", "cosine"]

#: Scores per block of the blocked search: large enough for BLAS to run at full speed,
#: small enough (16 MB of float32) to stay far from the memory of a large corpus.
_BLOCK_ENTRIES = 1 << 22
_MANIFEST = "manifest.json"
_FORMAT = "nlpjourney-dense-retriever"
_VERSION = 1


class Encoder(Protocol):
    """What a dense retriever needs of an encoder: texts in, one vector per text out."""

    def embed(self, texts: list[str]) -> np.ndarray:  # pragma: no cover - a protocol
        """(len(texts), d) array of embeddings."""
        ...


def _as_matrix(values: Any, name: str) -> np.ndarray:
    """``values`` as a 2-D float array (float32 stays float32), or a clear error."""
    array = np.asarray(values)
    if array.ndim != 2:
        raise ValueError(f"{name} must be a 2-D array (rows, dim), got shape {array.shape}")
    if not np.issubdtype(array.dtype, np.floating):
        array = array.astype(np.float64)
    return array


def _check_k(k: object) -> int:
    if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or k < 1:
        raise ValueError(f"k must be a positive int, got {k!r}")
    return int(k)


def normalize_rows(vectors: np.ndarray) -> np.ndarray:
    """Each row divided by its L2 norm (a zero row stays zero)."""
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return vectors / np.where(norms == 0, 1, norms).astype(vectors.dtype)


def exact_search(
    queries: Any, vectors: Any, k: int = 10, metric: Metric = "ip"
) -> tuple[np.ndarray, np.ndarray]:
    """The k corpus vectors with the highest score for each query, exactly.

    Args:
        queries: (Q, d) query vectors (one query: pass ``q[None, :]``).
        vectors: (n, d) corpus vectors.
        k: how many per query; at most n are returned.
        metric: ``"ip"`` (inner product; equal to cosine for unit vectors, as the
            sentence encoder gives) or ``"cosine"`` (both sides normalised first).

    Returns:
        ids (Q, min(k, n)) int64 into ``vectors``, best first, ties lower id first, and
        their scores (Q, min(k, n)).

    Raises:
        ValueError: not 2-D arrays, different widths, k < 1, or an unknown metric.
    """
    queries, vectors = _as_matrix(queries, "queries"), _as_matrix(vectors, "vectors")
    k = _check_k(k)
    if metric not in ("ip", "cosine"):
        raise ValueError(f"metric must be 'ip' or 'cosine', got {metric!r}")
    if queries.shape[1] != vectors.shape[1]:
        raise ValueError(
            f"queries have {queries.shape[1]} dimensions but the vectors {vectors.shape[1]}; "
            "embed both with the same encoder"
        )
    if metric == "cosine":
        queries, vectors = normalize_rows(queries), normalize_rows(vectors)
    n_queries, n = queries.shape[0], vectors.shape[0]
    dtype = np.result_type(queries.dtype, vectors.dtype)
    k = min(k, n)
    ids = np.empty((n_queries, k), dtype=np.int64)
    scores = np.empty((n_queries, k), dtype=dtype)
    query_rows = max(1, min(n_queries, 1024))
    block = max(k, 1024, _BLOCK_ENTRIES // query_rows)
    for q0 in range(0, n_queries, query_rows):
        q = queries[q0 : q0 + query_rows]
        best_ids = np.empty((len(q), 0), dtype=np.int64)
        best = np.empty((len(q), 0), dtype=dtype)
        for start in range(0, n, block):
            block_scores = q @ vectors[start : start + block].T  # (q, B), BLAS
            cols, vals = top_k_rows(block_scores, k)
            best_ids, best = merge_top_k(
                np.concatenate([best_ids, cols + start], axis=1),
                np.concatenate([best, vals], axis=1),
                k,
            )
        ids[q0 : q0 + len(q)], scores[q0 : q0 + len(q)] = best_ids, best
    return ids, scores


class DenseRetriever:
    """Search raw texts by the inner product of their embeddings.

    Args:
        encoder: ``"all-minilm-l6-v2"`` (our
            :class:`~nlpjourney.models.sentence_encoder.SentenceEncoder`, loaded at first
            use) or any object with ``embed(list[str]) -> (n, d) array``.
        index: an approximate index (:class:`~nlpjourney.retrieval.ann.IVFIndex` or
            :class:`~nlpjourney.retrieval.hnsw.HNSWIndex`: has ``train``, ``add`` and
            ``search``) built on the corpus vectors at :meth:`index`, or None for
            :func:`exact_search`.
        batch_size: texts per forward pass of the encoder.
        metric: ``"ip"`` or ``"cosine"`` (see :func:`exact_search`).
        device: where a named encoder runs: ``"cpu"``, ``"cuda"`` or ``"auto"`` (the GPU
            when there is one).
        progress: show a progress bar while embedding (None: only on a terminal).

    Attributes:
        vectors: (n, d) the corpus embeddings, after :meth:`index`.

    Example:
        >>> class Letters:  # a toy encoder: counts of a and b
        ...     def embed(self, texts):
        ...         return np.array([[t.count("a"), t.count("b")] for t in texts], float)
        >>> retriever = DenseRetriever(Letters()).index(["aab", "bbb", "a"])
        >>> ids, scores = retriever.search("b", k=2)
        >>> ids.tolist(), scores.tolist()
        ([1, 0], [3.0, 1.0])
    """

    def __init__(
        self,
        encoder: str | Encoder = "all-minilm-l6-v2",
        index: Any = None,
        batch_size: int = 32,
        metric: Metric = "ip",
        device: str = "cpu",
        progress: bool | None = None,
    ) -> None:
        if not isinstance(encoder, str) and not callable(getattr(encoder, "embed", None)):
            raise TypeError(
                f"encoder must be a model name or have an embed(texts) method, "
                f"got {type(encoder).__name__}"
            )
        if index is not None and not all(
            callable(getattr(index, m, None)) for m in ("train", "add", "search")
        ):
            raise TypeError(
                f"index must have train, add and search methods (an IVFIndex), "
                f"got {type(index).__name__}"
            )
        if isinstance(batch_size, bool) or not isinstance(batch_size, int) or batch_size < 1:
            raise ValueError(f"batch_size must be a positive int, got {batch_size!r}")
        if metric not in ("ip", "cosine"):
            raise ValueError(f"metric must be 'ip' or 'cosine', got {metric!r}")
        if device not in ("cpu", "cuda", "auto"):
            raise ValueError(f"device must be 'cpu', 'cuda' or 'auto', got {device!r}")
        self.encoder = encoder
        self.ann = index
        self.batch_size, self.metric, self.device = batch_size, metric, device
        self.progress = progress
        self._model: Encoder | None = None if isinstance(encoder, str) else encoder
        self.vectors: np.ndarray | None = None

    def _encoder(self) -> Encoder:
        """The encoder, loading a named one the first time it is needed."""
        if self._model is None:
            import torch

            from nlpjourney.models.sentence_encoder import SentenceEncoder

            assert isinstance(self.encoder, str)
            model = SentenceEncoder.from_pretrained(self.encoder)
            device = self.device
            if device == "auto":
                device = "cuda" if torch.cuda.is_available() else "cpu"
            if device == "cuda" and not torch.cuda.is_available():
                raise ValueError("device='cuda' was asked for but torch sees no GPU; use 'cpu'")
            model.model.to(device)
            self._model = model
        return self._model

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """Embeddings of ``texts`` (n, d), in chunks under a progress bar with rate and ETA."""
        if isinstance(texts, str):
            raise TypeError("texts must be a list of texts; for one text pass [text]")
        texts = list(texts)
        for i, text in enumerate(texts):
            if not isinstance(text, str):
                raise TypeError(f"texts[{i}] is a {type(text).__name__}, not a str")
        encoder = self._encoder()
        named = isinstance(self.encoder, str)
        chunk = self.batch_size * 8
        parts = []
        with progress_bar(
            "Embedding", total=len(texts), unit="texts", enabled=self.progress
        ) as bar:
            for start in range(0, len(texts), chunk):
                batch = texts[start : start + chunk]
                if named:
                    out = encoder.embed(batch, batch_size=self.batch_size)  # type: ignore[call-arg]
                else:
                    out = encoder.embed(batch)
                parts.append(_as_matrix(out, "the encoder's output"))
                bar.advance(len(batch))
        if not parts:
            raise ValueError("there are no texts to embed")
        return np.concatenate(parts)

    def index(self, texts: Sequence[str]) -> DenseRetriever:
        """Embed the documents and index their vectors; returns ``self``."""
        return self.index_vectors(self.embed(texts))

    def index_vectors(self, vectors: Any) -> DenseRetriever:
        """Index ready-made document vectors (n, d) (embedded elsewhere); returns ``self``."""
        vectors = _as_matrix(vectors, "vectors")
        if len(vectors) == 0:
            raise ValueError("there are no documents to index")
        if not np.isfinite(vectors).all():
            raise ValueError("the vectors hold NaN or infinite values; check the encoder")
        self.vectors = normalize_rows(vectors) if self.metric == "cosine" else vectors
        if self.ann is not None:
            self.ann.train(self.vectors)
            self.ann.add(self.vectors)
        return self

    def search_vectors(self, queries: Any, k: int = 10) -> tuple[np.ndarray, np.ndarray]:
        """Search with query vectors embedded elsewhere (the same encoder).

        Shapes:
            queries (Q, d) -> ids (Q, min(k, n)) int64, scores (Q, min(k, n)).
        """
        queries = _as_matrix(queries, "queries")
        if self.metric == "cosine":
            queries = normalize_rows(queries)
        if self.vectors is None:
            raise JourneyError("this retriever has no documents yet; call index(texts) first")
        k = min(_check_k(k), len(self.vectors))
        if self.ann is not None:
            return self.ann.search(queries, k)
        # Both sides are already normalised for "cosine": an inner product is enough.
        return exact_search(queries, self.vectors, k, metric="ip")

    def search(self, query_text: str, k: int = 10) -> tuple[np.ndarray, np.ndarray]:
        """The k best documents for one query text.

        Returns:
            ids (min(k, n),) int64 and scores, best first; an approximate index that
            finds fewer than k in the lists it probes pads with id -1, score -inf.
        """
        if not isinstance(query_text, str):
            raise TypeError(
                f"a dense retriever searches with a query text (str), got "
                f"{type(query_text).__name__}; it embeds the text itself"
            )
        ids, scores = self.search_many([query_text], k)
        return ids[0], scores[0]

    def search_many(self, query_texts: Sequence[str], k: int = 10) -> tuple[np.ndarray, np.ndarray]:
        """The k best documents for each query text: ids (Q, min(k, n)), scores (Q, min(k, n))."""
        if self.vectors is None:
            raise JourneyError("this retriever has no documents yet; call index(texts) first")
        return self.search_vectors(self.embed(query_texts), k)

    def save(self, folder: str | Path) -> Path:
        """Write the vectors (``vectors.npy``) and a manifest (``manifest.json``: the
        encoder's name, metric, shape, and the approximate index's settings) to ``folder``.

        An approximate index is rebuilt from the vectors on :meth:`load` (its build is
        deterministic for its seed). An encoder given as an object is not saved: pass it
        again to :meth:`load`.
        """
        if self.vectors is None:
            raise JourneyError("nothing to save: call index(texts) first")
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        np.save(folder / "vectors.npy", self.vectors)
        ann = None
        if self.ann is not None:
            ann = {"type": type(self.ann).__name__, "params": self.ann.get_params()}
        manifest = {
            "format": _FORMAT,
            "version": _VERSION,
            "encoder": self.encoder if isinstance(self.encoder, str) else None,
            "metric": self.metric,
            "batch_size": self.batch_size,
            "shape": list(self.vectors.shape),
            "dtype": str(self.vectors.dtype),
            "index": ann,
        }
        (folder / _MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
        return folder

    @classmethod
    def load(
        cls, folder: str | Path, encoder: str | Encoder | None = None, device: str = "cpu"
    ) -> DenseRetriever:
        """A retriever saved by :meth:`save`.

        Args:
            folder: the folder :meth:`save` wrote.
            encoder: the encoder to embed queries with; None: the saved encoder's name.
            device: where a named encoder runs.

        Raises:
            DataNotFoundError: no such folder, or a file of it is missing.
            IndexFormatError: the folder is not a saved retriever or does not hold together.
        """
        folder = Path(folder)
        manifest_file, vectors_file = folder / _MANIFEST, folder / "vectors.npy"
        for file in (manifest_file, vectors_file):
            if not file.is_file():
                raise DataNotFoundError(
                    f"{file} is missing: {folder} is not a folder written by DenseRetriever.save"
                )
        try:
            manifest = json.loads(manifest_file.read_text(encoding="utf-8"))
        except (json.JSONDecodeError, UnicodeDecodeError) as error:
            raise IndexFormatError(
                f"{manifest_file} is not valid JSON ({error}); save again"
            ) from error
        if not isinstance(manifest, dict) or manifest.get("format") != _FORMAT:
            raise IndexFormatError(f"{manifest_file} is not a DenseRetriever manifest; save again")
        if manifest.get("version") != _VERSION:
            raise IndexFormatError(
                f"{folder} was saved in format version {manifest.get('version')!r}, "
                f"this library reads version {_VERSION}; save it again"
            )
        try:
            vectors = np.load(vectors_file, allow_pickle=False)
        except (ValueError, OSError) as error:
            raise IndexFormatError(
                f"{vectors_file} is not a readable .npy file ({error})"
            ) from error
        if list(vectors.shape) != manifest.get("shape"):
            raise IndexFormatError(
                f"{vectors_file} holds shape {list(vectors.shape)} but the manifest says "
                f"{manifest.get('shape')}; the folder is corrupt, save it again"
            )
        encoder = manifest.get("encoder") if encoder is None else encoder
        if encoder is None:
            raise ValueError(
                f"{folder} was saved with an encoder object; pass it: load(folder, encoder=...)"
            )
        index = None
        if manifest.get("index") is not None:
            from nlpjourney.retrieval.ann import IVFIndex
            from nlpjourney.retrieval.hnsw import HNSWIndex

            spec = manifest["index"]
            kinds = {"IVFIndex": IVFIndex, "HNSWIndex": HNSWIndex}
            if spec.get("type") not in kinds:
                raise IndexFormatError(
                    f"{manifest_file} names an unknown index {spec.get('type')!r}"
                )
            index = kinds[spec["type"]](**spec["params"])
        retriever = cls(
            encoder,
            index=index,
            batch_size=manifest.get("batch_size", 32),
            metric=manifest.get("metric", "ip"),
            device=device,
        )
        # The saved vectors are already normalised for "cosine"; normalising again is harmless.
        return retriever.index_vectors(vectors)
