"""Topic coherence: equal to gensim's CoherenceModel on real texts, for all three measures.

gensim is the reference: its ``get_coherence_per_topic`` on the same topics and texts,
counted by its serial accumulator (``processes=1``; the parallel one counts short
documents' windows differently). Topics are real (top words of a TruncatedSVD of the
TF-IDF matrix), frequent words, random words, and words absent from the texts.
"""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest
from gensim.corpora import Dictionary
from gensim.models.coherencemodel import CoherenceModel
from hypothesis import given, settings
from hypothesis import strategies as st

from nlpjourney.data import corpora
from nlpjourney.features import TfidfVectorizer
from nlpjourney.ml import TruncatedSVD
from nlpjourney.topics import CoherenceCounts, coherence, coherences


def _tokens(words: list[str], stop: set[str]) -> list[str]:
    return [w.lower() for w in words if w.isalpha() and w.lower() not in stop]


@pytest.fixture(scope="module")
def stop() -> set[str]:
    return set(corpora.stopword_list("english"))


@pytest.fixture(scope="module")
def brown_texts(stop: set[str]) -> list[list[str]]:
    # One genre (44 files, about 50k tokens) keeps gensim's own counting quick.
    docs = corpora.brown_documents("news")
    return [_tokens(words, stop) for _, _, words in docs]


@pytest.fixture(scope="module")
def sotu_texts(stop: set[str]) -> list[list[str]]:
    speeches = corpora.state_union()[:8]
    return [_tokens(text.split(), stop) for _, _, text in speeches]


def _svd_topics(texts: list[list[str]], n: int, top: int = 10) -> list[list[str]]:
    """Top words of the leading TruncatedSVD directions of the TF-IDF matrix."""
    vectorizer = TfidfVectorizer(analyzer=str.split, min_df=2)
    X = vectorizer.fit_transform([" ".join(t) for t in texts])
    svd = TruncatedSVD(n_components=n, random_state=0).fit(X)
    names = vectorizer.get_feature_names_out()
    return [[str(names[i]) for i in np.argsort(-np.abs(row))[:top]] for row in svd.components_]


def _topics(texts: list[list[str]], seed: int) -> list[list[str]]:
    rng = np.random.default_rng(seed)
    dictionary = Dictionary(texts)
    by_df = [dictionary[i] for i, _ in sorted(dictionary.dfs.items(), key=lambda x: -x[1])]
    topics = _svd_topics(texts, 6)
    topics.append(by_df[:10])  # the most frequent words: they co-occur everywhere
    topics.append(by_df[5:12] + by_df[5:7])  # a repeated word
    topics += [list(rng.choice(by_df[:3000], 10, replace=False)) for _ in range(3)]
    topics.append(["zzzunseen", by_df[0], "qqqnever", by_df[40], by_df[400]])
    return topics


def _gensim(
    topics: list[list[str]], texts: list[list[str]], measure: str, window: int | None = None
) -> list[float]:
    model = CoherenceModel(
        topics=topics, texts=texts, dictionary=Dictionary(texts), coherence=measure,
        window_size=window, processes=1,
    )  # fmt: skip
    return [float(v) for v in model.get_coherence_per_topic()]


@pytest.mark.parametrize(
    ("measure", "window"),
    [("u_mass", None), ("c_npmi", None), ("c_v", None), ("c_npmi", 5), ("c_v", 40)],
)
@pytest.mark.parametrize("corpus", ["brown_texts", "sotu_texts"])
def test_coherence_equals_gensim_on_real_texts(
    corpus: str, measure: str, window: int | None, request: pytest.FixtureRequest
) -> None:
    texts = request.getfixturevalue(corpus)
    topics = _topics(texts, seed=len(texts))
    ours = coherences(topics, texts, measure, window)
    theirs = _gensim(topics, texts, measure, window)
    np.testing.assert_allclose(ours, theirs, rtol=0, atol=1e-6)
    # One topic at a time gives the same as the shared counting.
    assert coherence(topics[0], texts, measure, window) == pytest.approx(ours[0], abs=1e-12)


def test_coherence_npmi_of_independent_and_inseparable_words() -> None:
    texts = [["a", "b", "x", "y"], ["a", "b"], ["c", "d"], ["c", "d", "x"]]
    assert coherence(["a", "b"], texts, "c_npmi", window_size=2) > 0.5
    # Words that never share a window: the epsilon keeps NPMI finite, near its floor of -1.
    assert -1 < coherence(["a", "d"], texts, "c_npmi", window_size=2) < -0.9


def test_coherence_repeated_word_inside_a_window_drops_out_as_in_gensim() -> None:
    # Windows of 3: [a x a] [x a x] [a x b] [x b x]. "a" is in three, but gensim marks it
    # absent when its first copy leaves (window 1) and the second copy never re-enters.
    texts = [["a", "x", "a", "x", "b", "x"]]
    counts = CoherenceCounts.from_texts(["a", "b"], texts, window_size=3)
    assert counts.n_units == 4
    assert counts.occurrences.tolist() == [1, 2]
    assert counts.co_occurrences[0, 1] == 0
    assert coherence(["a", "b"], texts, "c_npmi", 3) == pytest.approx(
        _gensim([["a", "b"]], texts, "c_npmi", 3)[0], abs=1e-12
    )


def test_coherence_one_known_word_is_nan_for_pair_measures() -> None:
    texts = [["a", "b"], ["b", "c"]]
    assert math.isnan(coherence(["a", "zzz"], texts, "u_mass"))
    assert math.isnan(coherence(["a"], texts, "c_npmi"))
    assert coherence(["a"], texts, "c_v") == pytest.approx(1.0)


tokens = st.sampled_from(list("abcdefgh"))


@settings(max_examples=40)
@given(
    texts=st.lists(st.lists(tokens, min_size=0, max_size=25), min_size=1, max_size=8),
    topic=st.lists(tokens, min_size=2, max_size=6),
    measure=st.sampled_from(["u_mass", "c_npmi", "c_v"]),
    window=st.integers(2, 12),
)
def test_coherence_equals_gensim_on_any_small_corpus(
    texts: list[list[str]], topic: list[str], measure: str, window: int
) -> None:
    known = set().union(*texts)
    if not known.intersection(topic):
        with pytest.raises(ValueError, match="occurs in the texts"):
            coherence(topic, texts, measure)
        return
    size = None if measure == "u_mass" else window
    # gensim divides by zero for a pair in every window and averages no pairs to nan.
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        theirs = _gensim([topic], texts, measure, size)[0]
    ours = coherence(topic, texts, measure, size)
    if math.isnan(theirs) or math.isinf(theirs):
        assert math.isnan(ours) or ours == theirs
    else:
        assert ours == pytest.approx(theirs, abs=1e-6, rel=1e-9)


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"top_words": []}, ValueError, "at least one word"),
        ({"top_words": "cat dog"}, TypeError, "not one str"),
        ({"top_words": ["cat", 3]}, TypeError, "must be str"),
        ({"measure": "c_uci"}, ValueError, "unknown coherence measure"),
        ({"measure": "c_npmi", "window_size": 1}, ValueError, "at least 2"),
        ({"measure": "c_v", "window_size": 2.5}, TypeError, "must be an int"),
        ({"measure": "u_mass", "window_size": 10}, ValueError, "window_size=None"),
        ({"texts": ["cat dog", "dog"]}, TypeError, "tokenize"),
        ({"texts": iter([["cat", "dog"]])}, TypeError, "list of tokenized documents"),
        ({"top_words": ["zebra", "lion"]}, ValueError, "occurs in the texts"),
    ],
)
def test_coherence_bad_input_says_what_to_do(
    kwargs: dict[str, object], error: type[Exception], match: str
) -> None:
    args: dict[str, object] = {
        "top_words": ["cat", "dog"],
        "texts": [["cat", "dog"], ["dog"]],
        "measure": "c_npmi",
    }
    args.update(kwargs)
    with pytest.raises(error, match=match):
        coherence(**args)  # type: ignore[arg-type]


def test_coherence_counts_refuse_the_wrong_unit() -> None:
    counts = CoherenceCounts.from_texts(["a", "b"], [["a", "b"]])
    with pytest.raises(ValueError, match="counts over documents"):
        counts.score(["a", "b"], "c_v")
    with pytest.raises(ValueError, match="not counted"):
        counts.score(["a", "c"], "u_mass")
