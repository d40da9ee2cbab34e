"""Tests for nlpjourney.features.counting: CountVectorizer against scikit-learn's.

Parity: the same count matrix (values, dtype, sparsity structure) and the same
``get_feature_names_out()`` on movie reviews and SMS spam, over a grid of analyzers,
n-gram ranges, pruning and vocabulary options. Errors: bad input is refused with
scikit-learn's messages (and a hint of what to do).
"""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.feature_extraction import text as sk

from nlpjourney.data import corpora
from nlpjourney.features import CountVectorizer
from nlpjourney.features.counting import select_columns

GRID = [
    {},
    {"ngram_range": (1, 2)},
    {"ngram_range": (2, 3)},
    {"analyzer": "char", "ngram_range": (1, 3)},
    {"analyzer": "char", "ngram_range": (2, 3)},
    {"analyzer": "char_wb", "ngram_range": (1, 1)},
    {"analyzer": "char_wb", "ngram_range": (2, 5)},
    {"min_df": 2},
    {"min_df": 0.05, "max_df": 0.5},
    {"max_df": 10, "ngram_range": (1, 2)},
    {"max_df": 0.9, "min_df": 0.0},
    {"max_features": 50},
    {"max_features": 200, "ngram_range": (1, 2), "min_df": 2},
    {"binary": True},
    {"lowercase": False},
    {"token_pattern": r"(?u)\b\w+\b"},
    {"token_pattern": r"([a-z]+)\d*"},
    {"dtype": np.float32, "binary": True},
]


def _pair(**params):
    return CountVectorizer(**params), sk.CountVectorizer(**params)


@pytest.mark.parametrize("corpus", ["movie_reviews", "sms_spam"])
@pytest.mark.parametrize("params", GRID, ids=repr)
def test_counting_matches_sklearn(corpus, params, corpus_samples, same_matrix) -> None:
    docs = corpus_samples[corpus]
    ours, theirs = _pair(**params)
    same_matrix(ours.fit_transform(docs), theirs.fit_transform(docs))
    assert list(ours.get_feature_names_out()) == list(theirs.get_feature_names_out())
    assert ours.vocabulary_ == {term: int(i) for term, i in theirs.vocabulary_.items()}


@pytest.mark.parametrize("params", [{}, {"ngram_range": (1, 2)}, {"analyzer": "char_wb"}], ids=repr)
def test_counting_transform_unseen_documents(params, sms_all, same_matrix) -> None:
    train, unseen = sms_all[:400], sms_all[-300:]
    ours, theirs = _pair(**params)
    ours.fit(train)
    theirs.fit(train)
    same_matrix(ours.transform(unseen), theirs.transform(unseen))


def test_counting_fit_then_transform_equals_fit_transform(sms_sample) -> None:
    vectorizer = CountVectorizer(ngram_range=(1, 2), min_df=2)
    together = vectorizer.fit_transform(sms_sample)
    apart = CountVectorizer(ngram_range=(1, 2), min_df=2).fit(sms_sample).transform(sms_sample)
    assert (together != apart).nnz == 0


def test_counting_explicit_stop_word_list(movie_sample, same_matrix) -> None:
    stop_words = corpora.stopword_list("english")
    ours, theirs = _pair(stop_words=stop_words, ngram_range=(1, 2))
    same_matrix(ours.fit_transform(movie_sample), theirs.fit_transform(movie_sample))
    assert "the" not in ours.vocabulary_
    assert list(ours.get_feature_names_out()) == list(theirs.get_feature_names_out())


def test_counting_english_means_nltk_list(movie_sample, same_matrix) -> None:
    """``"english"`` is NLTK's list from the registry, not scikit-learn's built-in one."""
    ours = CountVectorizer(stop_words="english").fit_transform(movie_sample)
    theirs = sk.CountVectorizer(stop_words=corpora.stopword_list("english"))
    same_matrix(ours, theirs.fit_transform(movie_sample))


@pytest.mark.parametrize(
    "vocabulary",
    [
        ["film", "movie", "the", "good", "bad", "zzz-unseen"],
        {"good": 1, "bad": 0, "plot": 2},
        {"good", "bad", "plot", "actor"},
    ],
    ids=["list", "mapping", "set"],
)
def test_counting_fixed_vocabulary(vocabulary, movie_sample, same_matrix) -> None:
    ours, theirs = _pair(vocabulary=vocabulary)
    same_matrix(ours.fit_transform(movie_sample), theirs.fit_transform(movie_sample))
    assert list(ours.get_feature_names_out()) == list(theirs.get_feature_names_out())
    # A fixed vocabulary needs no fit before transform.
    fresh, fresh_sk = _pair(vocabulary=vocabulary)
    same_matrix(fresh.transform(movie_sample[:5]), fresh_sk.transform(movie_sample[:5]))


def test_counting_callable_analyzer_tokenizer_preprocessor(sms_sample, same_matrix) -> None:
    def split_words(text: str) -> list[str]:
        return text.split()

    for params in (
        {"analyzer": split_words},
        {"tokenizer": split_words, "token_pattern": None},
        {"preprocessor": lambda text: text.upper()},
    ):
        ours, theirs = _pair(**params)
        same_matrix(ours.fit_transform(sms_sample), theirs.fit_transform(sms_sample))


def test_counting_documents_and_analyzer_agree_with_sklearn(sms_sample) -> None:
    for params in ({"ngram_range": (1, 3)}, {"analyzer": "char", "ngram_range": (2, 4)},
                   {"analyzer": "char_wb", "ngram_range": (1, 6)}):  # fmt: skip
        ours, theirs = _pair(**params)
        analyze, analyze_sk = ours.build_analyzer(), theirs.build_analyzer()
        for doc in sms_sample[:50] + ["", "  a\n\nb  c ", "x"]:
            assert sorted(analyze(doc)) == sorted(analyze_sk(doc)), doc


def test_counting_default_dtype_and_matrix_type(sms_sample) -> None:
    counts = CountVectorizer().fit_transform(sms_sample)
    assert counts.dtype == np.int64
    assert counts.format == "csr"


def test_counting_select_columns_keeps_order() -> None:
    counts = CountVectorizer().fit_transform(["a1 b2 c3 d4", "c3 c3 e5", "b2"])
    keep = np.array([True, False, True, False, True])
    picked = select_columns(counts, keep)
    np.testing.assert_array_equal(picked.toarray(), counts.toarray()[:, keep])
    assert picked.has_sorted_indices


def test_counting_get_and_set_params() -> None:
    vectorizer = CountVectorizer(min_df=2)
    assert vectorizer.get_params()["min_df"] == 2
    assert vectorizer.set_params(max_df=0.5) is vectorizer and vectorizer.max_df == 0.5
    assert "min_df=2" in repr(vectorizer)
    with pytest.raises(ValueError, match="no parameter"):
        vectorizer.set_params(colour="red")


# --- bad input --------------------------------------------------------------------------


def test_counting_rejects_a_single_string() -> None:
    with pytest.raises(ValueError, match="Iterable over raw text documents expected"):
        CountVectorizer().fit_transform("one document, not a list")
    fitted = CountVectorizer().fit(["some words here"])
    with pytest.raises(ValueError, match="wrap a single document in a list"):
        fitted.transform("words")


def test_counting_empty_vocabulary() -> None:
    with pytest.raises(ValueError, match="empty vocabulary"):
        CountVectorizer().fit(["a b c", "? !"])  # default tokens need two word characters
    with pytest.raises(ValueError, match="empty vocabulary"):
        CountVectorizer(stop_words=["the", "of"]).fit(["the of", "of the"])


def test_counting_nothing_left_after_pruning() -> None:
    with pytest.raises(ValueError, match="After pruning, no terms remain"):
        CountVectorizer(min_df=2).fit(["only three documents", "here", "no repeats"])


def test_counting_max_df_below_min_df() -> None:
    with pytest.raises(ValueError, match="max_df corresponds to < documents than min_df"):
        CountVectorizer(max_df=1, min_df=2).fit(["aa bb", "aa cc", "aa dd"])


@pytest.mark.parametrize(
    ("params", "error", "message"),
    [
        ({"ngram_range": (2, 1)}, ValueError, "ngram_range"),
        ({"analyzer": "sentences"}, ValueError, "not a valid analyzer"),
        ({"min_df": 1.5}, ValueError, "min_df"),
        ({"max_df": -1}, ValueError, "max_df"),
        ({"max_df": "half"}, TypeError, "max_df"),
        ({"max_features": 0}, ValueError, "max_features"),
        ({"token_pattern": r"(a)(b)"}, ValueError, "capturing groups"),
        ({"stop_words": "klingon"}, ValueError, "names no stop word list"),
        ({"vocabulary": ["aa", "aa"]}, ValueError, "Duplicate term"),
        ({"vocabulary": {"aa": 0, "bb": 2}}, ValueError, "exactly once"),
        ({"input": "filename"}, ValueError, "input='content'"),
    ],
)
def test_counting_bad_parameters(params, error, message) -> None:
    with pytest.raises(error, match=message):
        CountVectorizer(**params).fit(["aa bb", "bb cc"])


def test_counting_not_fitted_and_bad_documents() -> None:
    with pytest.raises(ValueError, match="not fitted"):
        CountVectorizer().transform(["aa"])
    with pytest.raises(TypeError, match="must be a str"):
        CountVectorizer().fit(["aa bb", None])


@pytest.mark.slow
@pytest.mark.parametrize("corpus", ["movie_reviews", "sms_spam"])
@pytest.mark.parametrize(
    "params",
    [{}, {"ngram_range": (1, 2), "min_df": 2}, {"analyzer": "char_wb", "ngram_range": (2, 4)}],
    ids=repr,
)
def test_counting_full_corpus_matches_sklearn(
    corpus, params, movie_reviews_all, sms_all, same_matrix
) -> None:
    docs = movie_reviews_all if corpus == "movie_reviews" else sms_all
    ours, theirs = _pair(**params)
    same_matrix(ours.fit_transform(docs), theirs.fit_transform(docs))
    assert list(ours.get_feature_names_out()) == list(theirs.get_feature_names_out())
