"""Checks for exercise 2.8, run by ``journey check 2.8``.

Each check calls the learner's functions through the ``ex`` fixture. The idf and tf
halves are compared with the formulas written out here on values drawn fresh each run
(``rng``), and then as a whole: a document's BM25 score, the sum over the query's terms
of ``bm25_idf * bm25_tf``, must equal the score bm25s gives the same document, on fresh
random corpora and on Cranfield's abstracts with its own queries, for every method.
``dcg_at_k`` is compared with its formula, ``ndcg_at_k`` with pytrec_eval's
``ndcg_cut`` (trec_eval's numbers) on fresh random rankings and graded judgements. With
``--exercise reference`` the same checks grade the library: ``nlpjourney.retrieval``
(whose ``bm25_idf``/``bm25_tf`` come from ``nlpjourney.retrieval.scoring`` and
``dcg_at_k``/``ndcg_at_k`` from ``nlpjourney.evaluate.ir``).
"""

from __future__ import annotations

import math
import re
from collections import Counter

import numpy as np
import pytest

REFERENCE = "nlpjourney.retrieval"
# What the learner may not use: the model answer (and the rest of the library), the BM25
# libraries, trec_eval's bindings, and scikit-learn.
FORBIDDEN = ("nlpjourney", "bm25s", "rank_bm25", "pytrec_eval", "sklearn")

METHODS = ("robertson", "lucene", "atire", "bm25l", "bm25+")
WORDS = [f"w{i}" for i in range(60)]


# --- the formulas, written out here -----------------------------------------------------


def idf_formula(df: float, n: int, method: str) -> float:
    if df == 0:
        return 0.0
    if method == "robertson":
        return max(0.0, math.log((n - df + 0.5) / (df + 0.5)))
    if method == "lucene":
        return math.log(1 + (n - df + 0.5) / (df + 0.5))
    if method == "atire":
        return math.log(n / df)
    if method == "bm25l":
        return math.log((n + 1) / (df + 0.5))
    return math.log((n + 1) / df)


def tf_formula(tf, length, avgdl, k1, b, method, delta) -> float:
    norm = 1 - b + b * length / avgdl
    if method in ("robertson", "lucene"):
        return tf / (tf + k1 * norm)
    if method == "atire":
        return tf * (k1 + 1) / (tf + k1 * norm)
    if method == "bm25l":
        c = tf / norm
        return (k1 + 1) * (c + delta) / (k1 + c + delta)
    return tf * (k1 + 1) / (tf + k1 * norm) + delta


def learner_scores(ex, corpus, query, method, k1, b, delta) -> np.ndarray:
    """Every document's BM25 score for ``query``: sum over its terms of idf * tf part.

    Each query token counts each time it occurs (as in bm25s); tokens the corpus lacks
    add nothing (their df is 0). Documents without a term still get idf * tf(0), which
    is 0 except for bm25l and bm25+.
    """
    n = len(corpus)
    lengths = np.array([len(doc) for doc in corpus], dtype=np.float64)
    counts = [Counter(doc) for doc in corpus]
    scores = np.zeros(n)
    for term in query:
        tf = np.array([c[term] for c in counts], dtype=np.float64)
        df = np.array(int((tf > 0).sum()))
        idf = np.asarray(ex.bm25_idf(df, n, method=method), dtype=np.float64)
        part = np.asarray(ex.bm25_tf(tf, lengths, float(lengths.mean()), k1=k1, b=b,
                                     method=method, delta=delta), dtype=np.float64)  # fmt: skip
        scores += idf * part
    return scores


def bm25s_scores(corpus, query, method, k1, b, delta) -> np.ndarray:
    import bm25s

    model = bm25s.BM25(method=method, k1=k1, b=b, delta=delta)
    model.index(corpus, show_progress=False)
    known = [t for t in query if any(t in doc for doc in corpus)]
    if not known:
        return np.zeros(len(corpus))
    return np.asarray(model.get_scores(known), dtype=np.float64)


def random_corpus(rng, n_docs=None, n_words=None):
    n_docs = n_docs or int(rng.integers(5, 60))
    words = WORDS[: n_words or int(rng.integers(5, 40))]
    # Zipf-like word choice: a few common words (high df) and many rare ones.
    p = 1 / np.arange(1, len(words) + 1)
    p /= p.sum()
    return [list(rng.choice(words, size=int(rng.integers(1, 30)), p=p)) for _ in range(n_docs)]


def random_params(rng):
    # k1 > 0: at k1 = 0 the tf part of an absent term is 0 / 0 (bm25s never computes it)
    k1 = float(rng.choice([0.9, 1.2, 1.5, 2.0, float(rng.uniform(0.05, 3.0))]))
    b = float(rng.choice([0.0, 0.75, 1.0, float(rng.uniform(0.0, 1.0))]))
    delta = float(rng.choice([0.5, 1.0, float(rng.uniform(0.1, 2.0))]))
    return k1, b, delta


@pytest.fixture(scope="module")
def cranfield_tokens():
    """Cranfield's abstracts and queries as lower-case word tokens, stop words kept."""
    from nlpjourney.data import corpora

    cran = corpora.cranfield()
    words = re.compile(r"[a-z]+")
    docs = [words.findall(text.lower()) for _, _, text in cran.documents]
    queries = [words.findall(text.lower()) for _, text in cran.queries]
    return docs, queries


# --- bm25_idf and bm25_tf ----------------------------------------------------------------


def test_bm25_idf_each_method_formula(ex, rng) -> None:
    """bm25_idf gives each method's formula on fresh document frequencies, 0 where df = 0.

    Hint 1: each method has its own idf formula (the docstring lists them); a term in no
    document gets 0 whatever the method.
    Hint 2: robertson's idf turns negative for a term in more than half the documents:
    clip it at 0; use natural logarithms, and floats, not integer division.
    """
    for _ in range(4):
        n = int(rng.integers(1, 2000))
        df = rng.integers(0, n + 1, size=int(rng.integers(1, 12)))
        df[0] = 0
        if n > 2:
            df[-1] = n  # in every document
        for method in METHODS:
            got = np.asarray(ex.bm25_idf(df, n, method=method), dtype=np.float64)
            want = np.array([idf_formula(float(x), n, method) for x in df])
            assert got.shape == want.shape, f"{method}: shape {got.shape}, expected {want.shape}"
            assert np.allclose(got, want, rtol=1e-12, atol=1e-12), (
                f"{method}, N = {n}: idf of df {df.tolist()} is {got.tolist()}, "
                f"expected {want.tolist()}"
            )
    got = np.asarray(ex.bm25_idf(np.array([1, 50]), 100), dtype=np.float64)
    assert np.allclose(got, [math.log(1 + 99.5 / 1.5), math.log(1 + 50.5 / 50.5)]), (
        "the default method is lucene"
    )


def test_bm25_tf_each_method_formula(ex, rng) -> None:
    """bm25_tf gives each method's formula on fresh tf, lengths, avgdl, k1, b and delta.

    Hint 1: compute the length factor first (1 for a document of average length, b sets
    how far it moves); every method then saturates tf against k1 times that factor.
    Hint 2: atire and bm25+ multiply by k1 + 1; bm25l divides tf by L before saturating
    and adds delta inside; bm25+ adds delta outside.
    """
    for _ in range(4):
        size = int(rng.integers(1, 15))
        tf = rng.integers(0, 12, size=size).astype(np.float64)
        lengths = rng.integers(1, 300, size=size).astype(np.float64)
        avgdl = float(rng.uniform(5, 150))
        k1, b, delta = random_params(rng)
        for method in METHODS:
            got = np.asarray(ex.bm25_tf(tf, lengths, avgdl, k1=k1, b=b, method=method,
                                        delta=delta), dtype=np.float64)  # fmt: skip
            want = np.array([tf_formula(t, n, avgdl, k1, b, method, delta)
                             for t, n in zip(tf, lengths, strict=True)])  # fmt: skip
            assert got.shape == want.shape, f"{method}: shape {got.shape}, expected {want.shape}"
            assert np.allclose(got, want, rtol=1e-12, atol=1e-12), (
                f"{method} (k1={k1:.3g}, b={b:.3g}, delta={delta:.3g}, avgdl={avgdl:.3g}): "
                f"tf {tf.tolist()}, lengths {lengths.tolist()} give {got.tolist()}, "
                f"expected {want.tolist()}"
            )


def test_bm25_tf_defaults_and_broadcast(ex, rng) -> None:
    """The defaults are k1 = 1.5, b = 0.75, lucene, delta = 0.5; a scalar length broadcasts.

    Hint 1: keep the signature's default values as the docstring gives them.
    Hint 2: use NumPy arithmetic on the arrays (no Python loop over elements), so a
    single length works with an array of term frequencies.
    """
    tf = rng.integers(0, 9, size=6).astype(np.float64)
    length, avgdl = float(rng.integers(1, 200)), float(rng.uniform(10, 100))
    got = np.asarray(ex.bm25_tf(tf, np.float64(length), avgdl), dtype=np.float64)
    want = np.array([tf_formula(t, length, avgdl, 1.5, 0.75, "lucene", 0.5) for t in tf])
    assert got.shape == want.shape and np.allclose(got, want, rtol=1e-12), (
        f"bm25_tf(tf, one length, avgdl) gives {got.tolist()}, expected {want.tolist()}"
    )
    got = np.asarray(ex.bm25_tf(tf, np.float64(length), avgdl, method="bm25+"), dtype=np.float64)
    want = np.array([tf_formula(t, length, avgdl, 1.5, 0.75, "bm25+", 0.5) for t in tf])
    assert np.allclose(got, want, rtol=1e-12), "bm25+ with the default delta of 0.5"


def test_bm25_scores_equal_bm25s_random_corpora(ex, rng) -> None:
    """Summed over a query's terms, idf * tf equals bm25s's score of every document.

    Fresh random corpora and queries (repeated query words and words the corpus lacks
    included), every method, fresh k1, b and delta.

    Hint 1: if the formula checks pass, this one can only fail on how the parts are put
    together: the document frequency is the number of documents holding the term, avgdl
    the mean length of all documents.
    Hint 2: bm25l and bm25+ give a document a score for a term it does not contain;
    check that your tf part is positive at a term frequency of zero for those two.
    """
    for trial in range(5):
        corpus = random_corpus(rng)
        query = list(rng.choice(WORDS[:45], size=int(rng.integers(1, 6))))
        k1, b, delta = random_params(rng)
        for method in METHODS:
            got = learner_scores(ex, corpus, query, method, k1, b, delta)
            want = bm25s_scores(corpus, query, method, k1, b, delta)
            assert np.allclose(got, want, rtol=1e-5, atol=1e-5), (
                f"corpus {trial} ({len(corpus)} documents), query {query}, {method} "
                f"(k1={k1:.3g}, b={b:.3g}, delta={delta:.3g}): largest difference from "
                f"bm25s {np.abs(got - want).max():.3g}"
            )


def test_bm25_scores_equal_bm25s_cranfield(ex, rng, cranfield_tokens) -> None:
    """On Cranfield's 1,400 abstracts, three of its queries score as bm25s scores them.

    Hint 1: real text has documents of very different lengths, and some empty ones (length
    0): the length factor must handle both.
    Hint 2: with common words in the query (the, of), robertson's idf is clipped at 0 for
    them: a term in more than half the documents adds nothing.
    """
    docs, queries = cranfield_tokens
    picked = rng.choice(len(queries), size=3, replace=False)
    k1, b, delta = random_params(rng)
    # bm25s's index of an empty document: it needs one token, so give every one a marker
    # that no query uses; the lengths then all grow by one, for bm25s and for the learner.
    corpus = [doc + ["zzmarker"] for doc in docs]
    for method in METHODS:
        for q in picked:
            got = learner_scores(ex, corpus, queries[q], method, k1, b, delta)
            want = bm25s_scores(corpus, queries[q], method, k1, b, delta)
            assert np.allclose(got, want, rtol=1e-5, atol=1e-4), (
                f"Cranfield query {q + 1}, {method} (k1={k1:.3g}, b={b:.3g}): largest "
                f"difference from bm25s {np.abs(got - want).max():.3g}"
            )


def test_bm25_rejects_bad_input(ex, rng) -> None:
    """Bad arguments raise ValueError: method, k1, b, df, n_docs, tf, length, avgdl.

    An unknown method, k1 < 0, b outside [0, 1], df outside [0, n_docs], n_docs < 1, a
    negative tf or length, and avgdl <= 0.

    Hint 1: check the arguments before computing, and raise ValueError with a message
    that says what was wrong.
    Hint 2: the method must be one of the five names in both functions; df must lie
    between 0 and n_docs inclusive, and b between 0 and 1 inclusive.
    """
    n = int(rng.integers(5, 50))
    df = rng.integers(0, n + 1, size=4)
    tf, lengths = np.array([1.0, 2.0]), np.array([10.0, 20.0])
    cases = {
        "bm25_idf(method='bm25x')": lambda: ex.bm25_idf(df, n, method="bm25x"),
        "bm25_idf(df above n_docs)": lambda: ex.bm25_idf(np.array([n + 1]), n),
        "bm25_idf(negative df)": lambda: ex.bm25_idf(np.array([-1, 2]), n),
        "bm25_idf(n_docs=0)": lambda: ex.bm25_idf(np.array([0]), 0),
        "bm25_tf(method='okapi')": lambda: ex.bm25_tf(tf, lengths, 15.0, method="okapi"),
        "bm25_tf(k1=-0.5)": lambda: ex.bm25_tf(tf, lengths, 15.0, k1=-0.5),
        "bm25_tf(b=1.5)": lambda: ex.bm25_tf(tf, lengths, 15.0, b=1.5),
        "bm25_tf(b=-0.1)": lambda: ex.bm25_tf(tf, lengths, 15.0, b=-0.1),
        "bm25_tf(negative tf)": lambda: ex.bm25_tf(np.array([-1.0]), lengths[:1], 15.0),
        "bm25_tf(negative length)": lambda: ex.bm25_tf(tf[:1], np.array([-3.0]), 15.0),
        "bm25_tf(avgdl=0)": lambda: ex.bm25_tf(tf, lengths, 0.0),
    }
    for what, call in cases.items():
        with pytest.raises(ValueError):
            call()
            pytest.fail(f"{what} returned instead of raising ValueError")
    # The edges are allowed.
    assert np.all(np.isfinite(ex.bm25_idf(np.array([0, n]), n)))
    ex.bm25_tf(np.array([1.0]), np.array([0.0]), 1.0, k1=0.0, b=0.0)
    ex.bm25_tf(np.array([0.0]), np.array([2.0]), 1.0, b=1.0)


# --- dcg_at_k and ndcg_at_k ---------------------------------------------------------------


def test_dcg_at_k_formula(ex, rng) -> None:
    """dcg_at_k sums gain / log2(rank + 1) over the first k gains, ranks from 1.

    Hint 1: the gain at rank 1 is divided by the base-2 logarithm of 2, which is 1; rank 2
    by that of 3, and so on; only the first k gains count.
    Hint 2: when there are fewer than k gains, sum those there are; no gains give 0.0.
    """
    assert math.isclose(ex.dcg_at_k([3, 2, 0, 1], 2), 3 + 2 / math.log2(3), rel_tol=1e-12)
    assert ex.dcg_at_k([], 5) == 0.0
    for _ in range(6):
        gains = rng.integers(0, 5, size=int(rng.integers(1, 25))).tolist()
        k = int(rng.integers(1, 30))
        want = sum(g / math.log2(i + 2) for i, g in enumerate(gains[:k]))
        got = ex.dcg_at_k(gains, k)
        assert math.isclose(got, want, rel_tol=1e-12, abs_tol=1e-12), (
            f"dcg_at_k({gains}, k={k}) is {got}, expected {want}"
        )
    for bad in (0, -2):
        with pytest.raises(ValueError):
            ex.dcg_at_k([1, 2], bad)
            pytest.fail(f"dcg_at_k(gains, k={bad}) returned instead of raising ValueError")


def random_judgements(rng, n_docs):
    """A query's qrels over ids d0..d{n-1}: grades -1..4, some documents unjudged."""
    docs = [f"d{i}" for i in range(n_docs)]
    judged = rng.choice(n_docs, size=int(rng.integers(1, n_docs)), replace=False)
    return docs, {docs[i]: int(rng.choice([-1, 0, 1, 1, 2, 2, 3, 4])) for i in judged}


def test_ndcg_at_k_equals_trec_eval(ex, rng) -> None:
    """On fresh rankings and graded judgements, ndcg_at_k equals pytrec_eval's ndcg_cut.

    Unjudged documents in the ranking, negative judgements, relevant documents never
    retrieved, and cut-offs larger than the ranking all occur.

    Hint 1: the ideal DCG ranks all the query's judged documents by relevance, not only
    the retrieved ones, and stops at k as well.
    Hint 2: an unjudged document has gain 0, and so has a negative judgement: in the
    ranking's DCG and in the ideal one.
    """
    import pytrec_eval

    for trial in range(12):
        n_docs = int(rng.integers(3, 40))
        docs, qrels = random_judgements(rng, n_docs)
        if not any(g > 0 for g in qrels.values()):
            qrels[docs[0]] = 1
        retrieved = rng.permutation(n_docs)[: int(rng.integers(1, n_docs + 1))]
        ranking = [docs[i] for i in retrieved]
        k = int(rng.choice([1, 3, 5, 10, 20, int(rng.integers(1, 50))]))
        run = {"q": {doc: float(len(ranking) - r) for r, doc in enumerate(ranking)}}
        evaluator = pytrec_eval.RelevanceEvaluator({"q": qrels}, {f"ndcg_cut.{k}"})
        want = evaluator.evaluate(run)["q"][f"ndcg_cut_{k}"]
        got = ex.ndcg_at_k(ranking, qrels, k=k)
        assert math.isclose(got, want, rel_tol=1e-9, abs_tol=1e-12), (
            f"trial {trial}: ranking {ranking[:12]}{'...' if len(ranking) > 12 else ''}, "
            f"qrels {qrels}, k={k}: ndcg {got}, trec_eval {want}"
        )


def test_ndcg_at_k_edges(ex, rng) -> None:
    """The ideal ranking scores 1, no relevant document scores 0, and k defaults to 10.

    Hint 1: a query whose judgements are all 0 or negative has an ideal DCG of 0: return
    0.0 instead of dividing by it.
    Hint 2: sort the ranking by relevance and you must get exactly 1.0; the default k
    is 10 ranks.
    """
    docs, qrels = random_judgements(rng, int(rng.integers(5, 30)))
    qrels[docs[0]] = 3
    ideal = sorted(qrels, key=lambda d: -qrels[d])
    assert math.isclose(ex.ndcg_at_k(ideal, qrels, k=5), 1.0), "the ideal ranking is not 1.0"
    nothing = {doc: int(rng.choice([-1, 0])) for doc in docs[:4]}
    assert ex.ndcg_at_k(docs, nothing, k=5) == 0.0, "no relevant document: expected 0.0"
    assert ex.ndcg_at_k([], qrels, k=3) == 0.0, "an empty ranking: expected 0.0"
    # Default k: ten ranks, the 11th does not count.
    qrels = {f"x{i}": 1 for i in range(12)}
    ranking = [f"n{i}" for i in range(10)] + ["x0"]
    assert ex.ndcg_at_k(ranking, qrels) == 0.0, "with the default k = 10, rank 11 must not count"
    with pytest.raises(ValueError):
        ex.ndcg_at_k(ranking, qrels, k=0)
        pytest.fail("ndcg_at_k(k=0) returned instead of raising ValueError")
