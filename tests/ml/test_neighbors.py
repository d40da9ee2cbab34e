"""KNeighborsClassifier against scikit-learn's brute-force search (nlpjourney.ml.neighbors).

Distances must agree everywhere. Neighbour sets, votes and predictions must agree on every
query whose k-th and (k+1)-th nearest distances differ: where they tie, which of the tied
rows is kept is each library's own rule (ours: the lower training index; scikit-learn's
heap does not promise one), so those queries are checked for distances only.
"""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn import neighbors as sk_neighbors
from sklearn.base import clone
from sklearn.datasets import load_digits, load_iris
from sklearn.model_selection import train_test_split
from sklearn.pipeline import Pipeline

from nlpjourney.data import corpora
from nlpjourney.features import TfidfVectorizer
from nlpjourney.ml import neighbors
from nlpjourney.ml.base import NotFittedError
from nlpjourney.ml.decomposition import TruncatedSVD
from nlpjourney.ml.neighbors import KNeighborsClassifier

K = 5


def split(name: str) -> tuple:
    X, y = {"iris": load_iris, "digits": load_digits}[name](return_X_y=True)
    return train_test_split(X, y, random_state=0)


@pytest.fixture(scope="module")
def sms_tfidf() -> tuple:
    pairs = corpora.sms_spam()
    texts, labels = [t for t, _ in pairs], np.array([label for _, label in pairs])
    train_texts, test_texts, y_train, y_test = train_test_split(texts, labels, random_state=0)
    vectorizer = TfidfVectorizer().fit(train_texts)
    # 300 queries keep the test quick; the whole training set is searched.
    return (
        vectorizer.transform(train_texts),
        vectorizer.transform(test_texts[:300]),
        y_train,
        y_test[:300],
    )


def untied(theirs: sk_neighbors.KNeighborsClassifier, X: object, k: int = K) -> np.ndarray:
    """Queries whose k-th and (k+1)-th nearest distances differ (the neighbour set is unique)."""
    distances, _ = theirs.kneighbors(X, n_neighbors=k + 1)
    return distances[:, k] - distances[:, k - 1] > 1e-9


def check_against_sklearn(X_train, X_test, y_train, metric: str, weights: str) -> None:  # noqa: ANN001
    params = {"n_neighbors": K, "metric": metric, "weights": weights}
    ours = KNeighborsClassifier(**params).fit(X_train, y_train)
    theirs = sk_neighbors.KNeighborsClassifier(algorithm="brute", **params).fit(X_train, y_train)
    d_ours, i_ours = ours.kneighbors(X_test)
    d_theirs, i_theirs = theirs.kneighbors(X_test)
    np.testing.assert_allclose(d_ours, d_theirs, atol=1e-6)
    clean = untied(theirs, X_test)
    assert clean.mean() > 0.5  # most queries are tie-free, so the checks below bite
    np.testing.assert_array_equal(np.sort(i_ours[clean], axis=1), np.sort(i_theirs[clean], axis=1))
    np.testing.assert_allclose(ours.predict_proba(X_test)[clean],
                               theirs.predict_proba(X_test)[clean], atol=1e-6)  # fmt: skip
    np.testing.assert_array_equal(ours.predict(X_test)[clean], theirs.predict(X_test)[clean])


@pytest.mark.parametrize("name", ["iris", "digits"])
@pytest.mark.parametrize("metric", ["euclidean", "cosine"])
@pytest.mark.parametrize("weights", ["uniform", "distance"])
def test_neighbors_match_sklearn_on_dense_data(name: str, metric: str, weights: str) -> None:
    X_train, X_test, y_train, _ = split(name)
    check_against_sklearn(X_train, X_test, y_train, metric, weights)


@pytest.mark.parametrize("metric", ["euclidean", "cosine"])
def test_neighbors_match_sklearn_on_sparse_tfidf_of_sms_spam(sms_tfidf: tuple, metric: str) -> None:
    X_train, X_test, y_train, y_test = sms_tfidf
    check_against_sklearn(X_train, X_test, y_train, metric, "distance")
    knn = KNeighborsClassifier(metric=metric).fit(X_train, y_train)
    assert sp.issparse(knn._fit_X)  # TF-IDF rows are never made dense
    sk = sk_neighbors.KNeighborsClassifier(metric=metric, algorithm="brute").fit(X_train, y_train)
    assert abs(knn.score(X_test, y_test) - sk.score(X_test, y_test)) <= 0.005


def test_neighbors_accuracy_equals_sklearns_on_digits() -> None:
    X_train, X_test, y_train, y_test = split("digits")
    for metric in ("euclidean", "cosine"):
        ours = KNeighborsClassifier(metric=metric).fit(X_train, y_train).score(X_test, y_test)
        sk = sk_neighbors.KNeighborsClassifier(metric=metric, algorithm="brute")
        assert abs(ours - sk.fit(X_train, y_train).score(X_test, y_test)) <= 0.005


def test_neighbors_of_the_training_rows_leave_each_row_out() -> None:
    X_train, _, y_train, _ = split("digits")
    ours = KNeighborsClassifier().fit(X_train, y_train)
    theirs = sk_neighbors.KNeighborsClassifier(algorithm="brute").fit(X_train, y_train)
    d_ours, i_ours = ours.kneighbors()
    d_theirs, _ = theirs.kneighbors()
    np.testing.assert_allclose(d_ours, d_theirs, atol=1e-9)
    assert not (i_ours == np.arange(len(X_train))[:, None]).any()


def test_neighbors_chunks_do_not_change_the_answer(monkeypatch: pytest.MonkeyPatch) -> None:
    X_train, X_test, y_train, _ = split("iris")
    knn = KNeighborsClassifier(n_neighbors=7).fit(X_train, y_train)
    whole = knn.kneighbors(X_test)
    monkeypatch.setattr(neighbors, "_CHUNK_ENTRIES", 3 * len(X_train))  # 3 query rows a chunk
    chunked = knn.kneighbors(X_test)
    for a, b in zip(whole, chunked, strict=True):
        np.testing.assert_array_equal(a, b)


def test_neighbors_break_ties_by_training_index() -> None:
    X = [[0.0], [1.0], [1.0], [1.0], [3.0]]
    knn = KNeighborsClassifier(n_neighbors=2).fit(X, [0, 1, 1, 2, 2])
    assert knn.kneighbors([[1.0]], return_distance=False).tolist() == [[1, 2]]
    assert knn.kneighbors([[2.0]], n_neighbors=4, return_distance=False).tolist() == [[1, 2, 3, 4]]
    # A vote tie (one "a", one "b") goes to the class that sorts first.
    tie = KNeighborsClassifier(n_neighbors=2).fit([[0.0], [2.0]], ["b", "a"])
    assert tie.predict([[1.0]]).tolist() == ["a"]


def test_neighbors_distance_weights_let_an_exact_match_decide() -> None:
    knn = KNeighborsClassifier(n_neighbors=3, weights="distance").fit(
        [[0.0], [1.0], [1.1]], ["x", "y", "y"]
    )
    np.testing.assert_array_equal(knn.predict_proba([[0.0]]), [[1.0, 0.0]])
    assert knn.predict([[0.45]]).tolist() == ["y"]  # two near "y" votes outweigh one "x"


def test_neighbors_keep_the_estimator_contract() -> None:
    X_train, X_test, y_train, y_test = split("iris")
    knn = KNeighborsClassifier(metric="cosine")
    with pytest.raises(NotFittedError, match="not fitted"):
        knn.predict(X_test)
    assert knn.fit(X_train, y_train) is knn
    with pytest.raises(ValueError, match="fitted on 4"):
        knn.predict(X_test[:, :3])
    copy = clone(knn)
    assert copy.get_params()["metric"] == "cosine" and not hasattr(copy, "classes_")
    pipe = Pipeline([("svd", TruncatedSVD(n_components=3, random_state=0)),
                     ("knn", KNeighborsClassifier())])  # fmt: skip
    assert pipe.fit(X_train, y_train).score(X_test, y_test) > 0.9


@pytest.mark.parametrize(
    ("params", "message"),
    [({"n_neighbors": 0}, "n_neighbors"), ({"n_neighbors": 500}, "exceeds"),
     ({"metric": "manhattan"}, "metric"), ({"weights": "rank"}, "weights")],
)  # fmt: skip
def test_neighbors_refuse_bad_settings(params: dict, message: str) -> None:
    X_train, _, y_train, _ = split("iris")
    with pytest.raises(ValueError, match=message):
        KNeighborsClassifier(**params).fit(X_train, y_train)
