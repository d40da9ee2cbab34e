"""How good is a ranking? Precision@k, recall@k, MAP, MRR and nDCG@k, as trec_eval counts.

A *ranking* is the list of retrieved document ids, best first; *qrels* (query
relevance judgements) map a document id to its graded relevance for one query. A
document counts as **relevant** when its relevance is at least 1; documents missing from
the qrels are unjudged and count as not relevant.

- ``precision_at_k``: relevant documents in the top ``k``, divided by ``k`` (always
  ``k``, even when fewer than ``k`` were retrieved);
- ``recall_at_k``: relevant documents in the top ``k``, divided by all relevant ones;
- ``average_precision``: the mean, over all relevant documents, of the precision at the
  rank where each is found (0 for one never retrieved); its mean over queries is MAP;
- ``reciprocal_rank``: 1 / the rank of the first relevant document; mean: MRR;
- ``ndcg_at_k``: the discounted cumulative gain of the top ``k``, ``sum rel_i /
  log2(i + 1)`` over ranks ``i`` from 1, divided by the same sum for the ideal ranking
  of all judged documents. Gains are the relevance values themselves (linear, not
  ``2^rel - 1``); negative relevance counts as gain 0.

:func:`evaluate` takes a whole run in ``pytrec_eval``'s shapes (``run = {qid: {docid:
score}}``, ``qrels = {qid: {docid: relevance}}``) and trec_eval's metric names
(``"map"``, ``"recip_rank"``, ``"P_10"``, ``"recall_100"``, ``"ndcg_cut_10"``,
``"ndcg"``), and :func:`mean` averages its per-query results for a table.

>>> qrels = {"d1": 2, "d3": 1, "d9": 0}
>>> precision_at_k(["d3", "d2", "d1"], qrels, k=2)
0.5
>>> average_precision(["d3", "d2", "d1"], qrels)  # (1/1 + 2/3) / 2
0.8333333333333333
>>> round(ndcg_at_k(["d3", "d2", "d1"], qrels, k=3), 4)  # (1 + 2/2) / (2 + 1/log2 3)
0.7602

Reference: trec_eval 9 through ``pytrec_eval.RelevanceEvaluator``: the same numbers for
the same run and qrels, ties and all (``tests/evaluate/test_ir.py`` compares them to
1e-12).

Simplifications: the measures above and the counts ``num_ret``, ``num_rel`` and
``num_rel_ret`` only; relevance threshold fixed at 1 (trec_eval's default ``-l 1``).
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping, Sequence

import numpy as np

__all__ = [
    "average_precision",
    "dcg_at_k",
    "evaluate",
    "mean",
    "ndcg_at_k",
    "precision_at_k",
    "rank_run",
    "recall_at_k",
    "reciprocal_rank",
]

#: The cut-offs trec_eval reports for a measure named without one (``"P"``, ``"recall"``,
#: ``"ndcg_cut"``).
DEFAULT_CUTOFFS = (5, 10, 15, 20, 30, 100, 200, 500, 1000)

#: Measures without a cut-off.
PLAIN_MEASURES = ("map", "recip_rank", "ndcg", "num_ret", "num_rel", "num_rel_ret")
#: Measures with a cut-off, written ``P_10`` (trec_eval's ``P.10`` is accepted too).
CUT_MEASURES = ("P", "recall", "ndcg_cut")

_CUT_NAME = re.compile(r"^(P|recall|ndcg_cut)(?:[_.](\d+))?$")


def _check_k(k: int) -> None:
    if isinstance(k, bool) or not isinstance(k, int) or k < 1:
        raise ValueError(f"k must be a positive whole number of ranks, got {k!r}")


def _relevant(qrels: Mapping[str, int]) -> set[str]:
    return {doc for doc, rel in qrels.items() if rel >= 1}


def dcg_at_k(gains: Sequence[float], k: int) -> float:
    """Discounted cumulative gain of the first ``k`` gains: ``sum g_i / log2(i + 1)``.

    Args:
        gains: the gain of each retrieved document, in rank order (rank 1 first).
        k: how many ranks count.

    Returns:
        The DCG; 0.0 for no gains.

    >>> dcg_at_k([3, 2, 0, 1], k=2)  # 3/log2(2) + 2/log2(3)
    4.2618595071429155
    """
    _check_k(k)
    return sum(gain / math.log2(rank + 1) for rank, gain in enumerate(gains[:k], start=1))


def ndcg_at_k(ranking: Sequence[str], qrels: Mapping[str, int], k: int = 10) -> float:
    """Normalised DCG of the top ``k`` of one query's ranking, as trec_eval's ``ndcg_cut_k``.

    Args:
        ranking: retrieved document ids, best first.
        qrels: document id -> graded relevance for this query; unjudged documents have
            gain 0 and so, as trec_eval has it, do negative judgements.
        k: how many ranks count, in the ranking and in the ideal one.

    Returns:
        DCG@k / ideal DCG@k, where the ideal ranks all judged documents by relevance;
        0.0 when the query has no document of positive relevance.
    """
    _check_k(k)
    ideal = sorted((rel for rel in qrels.values() if rel > 0), reverse=True)
    best = dcg_at_k(ideal, k) if ideal else 0.0
    if best == 0.0:
        return 0.0
    gains = [max(qrels.get(doc, 0), 0) for doc in ranking[:k]]
    return dcg_at_k(gains, k) / best


def precision_at_k(ranking: Sequence[str], qrels: Mapping[str, int], k: int = 10) -> float:
    """Relevant documents among the top ``k``, divided by ``k`` (trec_eval's ``P_k``).

    The denominator is ``k`` even when fewer than ``k`` documents were retrieved.
    """
    _check_k(k)
    relevant = _relevant(qrels)
    return sum(doc in relevant for doc in ranking[:k]) / k


def recall_at_k(ranking: Sequence[str], qrels: Mapping[str, int], k: int = 100) -> float:
    """Relevant documents among the top ``k``, divided by all relevant documents of the
    query (trec_eval's ``recall_k``); 0.0 when the query has none."""
    _check_k(k)
    relevant = _relevant(qrels)
    if not relevant:
        return 0.0
    return sum(doc in relevant for doc in ranking[:k]) / len(relevant)


def average_precision(ranking: Sequence[str], qrels: Mapping[str, int]) -> float:
    """Average precision (trec_eval's ``map`` for one query).

    The precision at the rank of each relevant document retrieved, summed and divided by
    the number of relevant documents (retrieved or not); 0.0 when there are none.
    """
    relevant = _relevant(qrels)
    if not relevant:
        return 0.0
    found = 0
    total = 0.0
    for rank, doc in enumerate(ranking, start=1):
        if doc in relevant:
            found += 1
            total += found / rank
    return total / len(relevant)


def reciprocal_rank(ranking: Sequence[str], qrels: Mapping[str, int]) -> float:
    """1 / the rank of the first relevant document (trec_eval's ``recip_rank``); 0.0 if
    none was retrieved."""
    relevant = _relevant(qrels)
    for rank, doc in enumerate(ranking, start=1):
        if doc in relevant:
            return 1.0 / rank
    return 0.0


def rank_run(scores: Mapping[str, float]) -> list[str]:
    """One query's retrieved documents in trec_eval's order.

    trec_eval ignores the rank column of a run: it sorts by score, highest first, and
    breaks ties by document id in *reverse* string order (``"d9"`` before ``"d10"``
    before ``"d1"``), not by the order the run lists them. It keeps scores as 32-bit
    floats, so scores equal after rounding to float32 (``1.0`` and ``1.0 + 1e-9``) tie.

    >>> rank_run({"a": 1.0, "b": 2.0, "c": 1.0, "d": 1.0 + 1e-9})
    ['b', 'd', 'c', 'a']
    """
    docs = list(scores)
    # subtle: trec_eval stores a score in a C float; rounding here makes the same ties.
    with np.errstate(over="ignore"):
        rounded = np.asarray([scores[doc] for doc in docs], dtype=np.float64).astype(np.float32)
    key = dict(zip(docs, rounded.tolist(), strict=True))
    # Two stable sorts, the secondary key first. Python compares str by code point, the
    # order C's strcmp gives their UTF-8 bytes.
    by_id = sorted(docs, reverse=True)
    return sorted(by_id, key=key.__getitem__, reverse=True)


def _parse_metrics(metrics: Iterable[str]) -> list[tuple[str, str, int | None]]:
    """``(output name, measure, cut-off)`` for each requested metric name.

    As pytrec_eval: a bare family name (``"P"``) gives trec_eval's default cut-offs only
    when no cut-off of that family is named (``{"P", "P_1"}`` gives ``P_1`` alone).
    """
    if isinstance(metrics, str):
        metrics = [metrics]
    parsed: list[tuple[str, str, int | None]] = []
    bare: list[str] = []
    explicit: set[str] = set()
    for name in metrics:
        if name in PLAIN_MEASURES:
            parsed.append((name, name, None))
            continue
        match = _CUT_NAME.match(name) if isinstance(name, str) else None
        if match is None:
            raise ValueError(
                f"unknown metric {name!r}: use one of {', '.join(PLAIN_MEASURES)}, or "
                f"{', '.join(m + '_K' for m in CUT_MEASURES)} with a cut-off K (e.g. 'P_10')"
            )
        measure, cut = match.group(1), match.group(2)
        if cut is None:
            bare.append(measure)
            continue
        _check_k(int(cut))
        explicit.add(measure)
        parsed.append((f"{measure}_{int(cut)}", measure, int(cut)))
    for measure in bare:
        if measure not in explicit:
            parsed.extend((f"{measure}_{k}", measure, k) for k in DEFAULT_CUTOFFS)
    return list(dict.fromkeys(parsed))


def _measure(measure: str, k: int | None, ranking: list[str], qrels: Mapping[str, int]) -> float:
    if measure == "map":
        return average_precision(ranking, qrels)
    if measure == "recip_rank":
        return reciprocal_rank(ranking, qrels)
    if measure == "ndcg":
        # trec_eval's plain ndcg: the whole ranking against the whole ideal ranking.
        return ndcg_at_k(ranking, qrels, k=max(len(ranking), len(qrels), 1))
    if measure == "num_ret":
        return float(len(ranking))
    if measure == "num_rel":
        # subtle: for a query with an empty ranking pytrec_eval's num_rel depends on the
        # run's other queries and their order (0 or the true count); ours is the count.
        return float(len(_relevant(qrels)))
    if measure == "num_rel_ret":
        relevant = _relevant(qrels)
        return float(sum(doc in relevant for doc in ranking))
    assert k is not None, measure
    if measure == "P":
        return precision_at_k(ranking, qrels, k)
    if measure == "recall":
        return recall_at_k(ranking, qrels, k)
    return ndcg_at_k(ranking, qrels, k)


def evaluate(
    run: Mapping[str, Mapping[str, float]],
    qrels: Mapping[str, Mapping[str, int]],
    metrics: Iterable[str] = ("map", "recip_rank", "P_10", "ndcg_cut_10"),
) -> dict[str, dict[str, float]]:
    """Per-query scores of a run, as ``pytrec_eval.RelevanceEvaluator(qrels,
    metrics).evaluate(run)`` gives them.

    Args:
        run: query id -> {document id -> retrieval score}; higher scores rank first,
            ties (equal as float32) as :func:`rank_run` breaks them.
        qrels: query id -> {document id -> graded relevance}.
        metrics: trec_eval measure names: ``"map"``, ``"recip_rank"``, ``"ndcg"``,
            ``"num_ret"``, ``"num_rel"``, ``"num_rel_ret"``, and ``"P_K"``,
            ``"recall_K"``, ``"ndcg_cut_K"`` for a cut-off ``K`` (a bare ``"P"``,
            ``"recall"`` or ``"ndcg_cut"`` gives trec_eval's cut-offs 5, 10, ..., 1000,
            unless a cut-off of the same family is named too, as pytrec_eval has it).

    Returns:
        query id -> {metric name -> value}, for each query that is both in the run and
        judged (has at least one entry in ``qrels``), as trec_eval without ``-c``: a query
        the run leaves out is not scored (an empty ``{}`` in the run scores 0), a query
        without judgements is skipped.

    Raises:
        ValueError: for an unknown metric name or a cut-off below 1.
        TypeError: when run or qrels is not a mapping of mappings.

    >>> evaluate({"q1": {"d1": 0.2, "d2": 0.9}}, {"q1": {"d1": 1}}, ["map", "P_1"])
    {'q1': {'map': 0.5, 'P_1': 0.0}}
    """
    for name, value in (("run", run), ("qrels", qrels)):
        if not isinstance(value, Mapping) or not all(
            isinstance(v, Mapping) for v in value.values()
        ):
            raise TypeError(
                f"{name} must map each query id to a dict of document id -> "
                f"{'score' if name == 'run' else 'relevance'} (pytrec_eval's shape), "
                f"got {type(value).__name__}"
            )
    parsed = _parse_metrics(metrics)
    results: dict[str, dict[str, float]] = {}
    for qid, scores in run.items():
        judged = qrels.get(qid)
        if not judged:
            continue
        ranking = rank_run(scores)
        results[qid] = {name: _measure(measure, k, ranking, judged) for name, measure, k in parsed}
    return results


def mean(results: Mapping[str, Mapping[str, float]]) -> dict[str, float]:
    """The mean of each metric over the queries of :func:`evaluate`'s result (MAP is the
    mean of ``"map"``, MRR of ``"recip_rank"``); ``{}`` for no queries.

    >>> mean({"q1": {"map": 0.5}, "q2": {"map": 1.0}})
    {'map': 0.75}
    """
    if not results:
        return {}
    names = list(next(iter(results.values())))
    return {
        name: math.fsum(scores[name] for scores in results.values()) / len(results)
        for name in names
    }
