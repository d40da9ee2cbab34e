"""nlpjourney.evaluate.ir against pytrec_eval (trec_eval 9): hand-made runs with the
traps (ties, negative judgements, unjudged and missing queries), hypothesis-drawn runs
and qrels, and real runs (TF-IDF and query likelihood on all 225 Cranfield queries)."""

from __future__ import annotations

import functools
import math

import pytest
import pytrec_eval
from hypothesis import given, settings
from hypothesis import strategies as st

from nlpjourney.evaluate import ir

METRICS = (
    "map",
    "recip_rank",
    "ndcg",
    "ndcg_cut_10",
    "ndcg_cut_3",
    "P_1",
    "P_10",
    "recall_5",
    "recall_100",
    "num_ret",
    "num_rel",
    "num_rel_ret",
)


def reference(run: dict, qrels: dict, metrics: tuple[str, ...] = METRICS) -> dict:
    return pytrec_eval.RelevanceEvaluator(qrels, set(metrics)).evaluate(run)


def assert_same(run: dict, qrels: dict, metrics: tuple[str, ...] = METRICS) -> None:
    expected = reference(run, qrels, metrics)
    got = ir.evaluate(run, qrels, metrics)
    assert set(got) == set(expected)
    for qid, scores in expected.items():
        assert set(got[qid]) == set(scores), qid
        for name, value in scores.items():
            if name == "num_rel" and not run[qid]:
                # pytrec_eval's num_rel of an empty ranking is 0 or the true count
                # depending on the run's other queries and their order: not compared.
                continue
            assert math.isclose(got[qid][name], value, rel_tol=0, abs_tol=1e-12), (qid, name)


def test_ir_ties_break_by_reverse_document_id() -> None:
    qrels = {"q": {"a": 2, "b": 0, "c": 1, "d": -1}}
    run = {"q": {"a": 1.0, "b": 1.0, "c": 1.0, "e": 0.5, "d": 2.0}}
    assert ir.rank_run(run["q"]) == ["d", "c", "b", "a", "e"]
    assert ir.evaluate(run, qrels, ["recip_rank"]) == {"q": {"recip_rank": 0.5}}
    assert_same(run, qrels)


def test_ir_scores_equal_as_float32_tie() -> None:
    # trec_eval keeps scores in C floats: 1 + 1e-9 ties with 1, 1e-300 with 0.
    qrels = {"q": {"a": 1}}
    for high, low in ((1.0 + 1e-9, 1.0), (1e-300, 0.0), (1.0 + 1e-6, 1.0), (1e-40, 0.0)):
        assert_same({"q": {"a": high, "b": low}}, qrels, ("map",))


def test_ir_queries_missing_from_run_or_qrels() -> None:
    qrels = {"q1": {"a": 2}, "q2": {"x": 1}, "q3": {"z": 0}, "q4": {}}
    run = {"q1": {}, "q3": {"z": 1.0}, "q4": {"x": 1.0}, "q5": {"a": 1.0}}
    got = ir.evaluate(run, qrels, ["map"])
    # q1 has an empty ranking (scored 0); q2 is not in the run, q4 has no judgement,
    # q5 is not judged: none of those three is scored.
    assert got == {"q1": {"map": 0.0}, "q3": {"map": 0.0}}
    assert_same(run, qrels)
    # num_rel counts the judged relevant documents, retrieved or not.
    assert ir.evaluate(run, qrels, ["num_rel"])["q1"] == {"num_rel": 1.0}


def test_ir_negative_relevance_is_gain_zero_and_not_relevant() -> None:
    qrels = {"q": {"a": -1, "b": 1}}
    assert ir.ndcg_at_k(["a", "b"], qrels["q"], k=2) == pytest.approx(1 / math.log2(3))
    assert ir.precision_at_k(["a", "b"], qrels["q"], k=2) == 0.5
    assert_same({"q": {"a": 2.0, "b": 1.0}}, qrels)


def test_ir_dcg_is_linear_gain_log2_discount() -> None:
    assert ir.dcg_at_k([3, 2, 3, 0, 1, 2], 6) == pytest.approx(
        3 + 2 / math.log2(3) + 3 / 2 + 0 + 1 / math.log2(6) + 2 / math.log2(7)
    )
    assert ir.dcg_at_k([3, 2, 3], 1) == 3.0
    assert ir.dcg_at_k([], 5) == 0.0


def test_ir_default_cutoffs_as_trec_eval() -> None:
    qrels = {"q": {f"d{i}": i % 3 for i in range(40)}}
    run = {"q": {f"d{i}": float((i * 7) % 11) for i in range(60)}}
    assert_same(run, qrels, ("P", "recall", "ndcg_cut"))
    # A named cut-off replaces the family's defaults, as pytrec_eval has it.
    assert_same(run, qrels, ("P", "P_3", "recall", "ndcg_cut_7", "ndcg_cut"))
    assert set(ir.evaluate(run, qrels, ["P", "P_3"])["q"]) == {"P_3"}


def test_ir_mean_averages_each_metric() -> None:
    results = {"q1": {"map": 0.5, "P_10": 0.1}, "q2": {"map": 0.25, "P_10": 0.3}}
    assert ir.mean(results) == pytest.approx({"map": 0.375, "P_10": 0.2})
    assert ir.mean({}) == {}


def test_ir_bad_input_says_what_to_do() -> None:
    with pytest.raises(ValueError, match="unknown metric 'mrr'"):
        ir.evaluate({}, {}, ["mrr"])
    with pytest.raises(ValueError, match="k must be a positive"):
        ir.precision_at_k(["a"], {"a": 1}, k=0)
    with pytest.raises(TypeError, match="run must map each query id"):
        ir.evaluate([("q", "a")], {}, ["map"])  # type: ignore[arg-type]


DOC_IDS = st.sampled_from([f"d{i}" for i in range(12)] + ["D", "d", "a1", "a10", "a2"])


@st.composite
def runs_and_qrels(draw: st.DrawFn) -> tuple[dict, dict]:
    queries = draw(st.lists(st.sampled_from(["q1", "q2", "q3", "q10"]), unique=True, max_size=4))
    run, qrels = {}, {}
    for qid in queries:
        if draw(st.booleans()):
            # Few distinct scores, so ties are common.
            scores = st.sampled_from([0.0, 1.0, 2.5, -1.0, 3.25]) | st.floats(
                -5, 5, allow_subnormal=False
            )
            run[qid] = draw(st.dictionaries(DOC_IDS, scores, max_size=15))
        if draw(st.booleans()):
            qrels[qid] = draw(st.dictionaries(DOC_IDS, st.integers(-1, 4), max_size=10))
    return run, qrels


# subtle: pytrec_eval 0.5 (trec_eval in C) now and then never returns from evaluate()
# on a drawn run, in a way that depends on what the process evaluated before (the same
# run alone returns at once). Drawing the same examples every time (derandomize, no
# example database) keeps this test to a sequence known to finish.
@settings(max_examples=120, deadline=None, derandomize=True, database=None)
@given(runs_and_qrels())
def test_ir_evaluate_equals_pytrec_eval_on_drawn_runs(drawn: tuple[dict, dict]) -> None:
    run, qrels = drawn
    assert_same(run, qrels)


@pytest.fixture(scope="module")
def cranfield_tokens() -> tuple[list[list[str]], list[list[str]], list[str], dict]:
    """Cranfield's documents and queries as terms, the query ids and the qrels."""
    from nlpjourney.data.corpora import cranfield
    from nlpjourney.features import CountVectorizer
    from nlpjourney.text import PorterStemmer

    collection = cranfield()
    words = CountVectorizer(stop_words="english").build_analyzer()
    stem = functools.lru_cache(maxsize=None)(PorterStemmer().stem)
    docs = [[stem(w) for w in words(text)] for _, _, text in collection.documents]
    queries = [[stem(w) for w in words(text)] for _, text in collection.queries]
    return docs, queries, [qid for qid, _ in collection.queries], collection.qrels


@pytest.mark.parametrize(
    ("name", "depth"),
    [
        ("tfidf", 100),
        pytest.param("bm25", 1000, marks=pytest.mark.slow),
        pytest.param("ql", 1000, marks=pytest.mark.slow),
    ],
)
def test_ir_evaluate_equals_pytrec_eval_on_cranfield(
    cranfield_tokens: tuple[list[list[str]], list[list[str]], list[str], dict],
    name: str,
    depth: int,
) -> None:
    from nlpjourney.retrieval import BM25, QueryLikelihood, TfidfRanker

    docs, queries, query_ids, qrels = cranfield_tokens
    ranker = {"tfidf": TfidfRanker, "bm25": BM25, "ql": QueryLikelihood}[name]()
    ids, scores = ranker.index(docs).search_many(queries, k=depth)
    run = {
        qid: {str(d + 1): float(s) for d, s in zip(ids[j], scores[j], strict=True)}
        for j, qid in enumerate(query_ids)
    }
    assert_same(run, qrels, METRICS)
    assert_same(run, qrels, ("P", "recall", "ndcg_cut"))
    assert len(ir.evaluate(run, qrels, ["map"])) == 225
