"""MultinomialNB, BernoulliNB and ComplementNB against scikit-learn's on real text:
count and TF-IDF matrices (our vectorizers) of SMS spam and movie reviews; plus
partial_fit = fit, the estimator contract (clone, Pipeline) and clear errors."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn import naive_bayes as sk
from sklearn.base import clone
from sklearn.pipeline import Pipeline

from nlpjourney.classify import BernoulliNB, ComplementNB, MultinomialNB
from nlpjourney.classify.naive_bayes import fit_multinomial_nb, predict_multinomial_nb
from nlpjourney.data import corpora
from nlpjourney.features import CountVectorizer, TfidfVectorizer
from nlpjourney.ml.base import NotFittedError

PAIRS = [
    (MultinomialNB(), sk.MultinomialNB()),
    (MultinomialNB(alpha=0.1, fit_prior=False), sk.MultinomialNB(alpha=0.1, fit_prior=False)),
    (BernoulliNB(), sk.BernoulliNB()),
    (BernoulliNB(alpha=0.5, binarize=0.1), sk.BernoulliNB(alpha=0.5, binarize=0.1)),
    (ComplementNB(), sk.ComplementNB()),
    (ComplementNB(norm=True, alpha=0.3), sk.ComplementNB(norm=True, alpha=0.3)),
]


def matrices(rows: list[tuple[str, str]]) -> dict[str, tuple[sp.csr_matrix, np.ndarray]]:
    texts = [text for text, _ in rows]
    y = np.array([label for _, label in rows])
    return {
        "counts": (CountVectorizer().fit_transform(texts), y),
        "tfidf": (TfidfVectorizer(ngram_range=(1, 2), min_df=2).fit_transform(texts), y),
    }


@pytest.fixture(scope="module")
def sms() -> dict[str, tuple[sp.csr_matrix, np.ndarray]]:
    return matrices(corpora.sms_spam())


def assert_same_model(ours, theirs, X, y) -> None:  # noqa: ANN001
    n = X.shape[0]
    train, test = np.arange(n) % 5 != 0, np.arange(n) % 5 == 0
    ours = clone(ours).fit(X[train], y[train])
    theirs = clone(theirs).fit(X[train], y[train])
    np.testing.assert_array_equal(ours.classes_, theirs.classes_)
    np.testing.assert_allclose(ours.class_count_, theirs.class_count_)
    np.testing.assert_allclose(ours.feature_count_, theirs.feature_count_)
    np.testing.assert_allclose(ours.class_log_prior_, theirs.class_log_prior_)
    np.testing.assert_allclose(ours.feature_log_prob_, theirs.feature_log_prob_, rtol=1e-10)
    np.testing.assert_allclose(ours.predict_joint_log_proba(X[test]),
                               theirs.predict_joint_log_proba(X[test]), rtol=1e-9)  # fmt: skip
    np.testing.assert_allclose(ours.predict_proba(X[test]), theirs.predict_proba(X[test]),
                               atol=1e-9)  # fmt: skip
    np.testing.assert_array_equal(ours.predict(X[test]), theirs.predict(X[test]))
    assert ours.score(X[test], y[test]) == theirs.score(X[test], y[test])


@pytest.mark.parametrize("features", ["counts", "tfidf"])
@pytest.mark.parametrize("pair", PAIRS, ids=repr)
def test_naive_bayes_equals_sklearn_on_sms_spam(sms, features, pair) -> None:  # noqa: ANN001
    assert_same_model(*pair, *sms[features])


@pytest.mark.slow
def test_naive_bayes_equals_sklearn_on_movie_reviews() -> None:
    for X, y in matrices(corpora.movie_reviews()).values():
        for ours, theirs in PAIRS:
            assert_same_model(ours, theirs, X, y)


@pytest.mark.parametrize("model", [MultinomialNB(), BernoulliNB(), ComplementNB()], ids=repr)
def test_naive_bayes_partial_fit_equals_fit(sms, model) -> None:  # noqa: ANN001
    X, y = sms["counts"]
    whole = clone(model).fit(X, y)
    batches = clone(model)
    for start in range(0, X.shape[0], 1000):
        batches.partial_fit(
            X[start : start + 1000], y[start : start + 1000], classes=["ham", "spam"]
        )
    np.testing.assert_allclose(batches.feature_log_prob_, whole.feature_log_prob_)
    np.testing.assert_allclose(batches.predict_proba(X[:50]), whole.predict_proba(X[:50]))


def test_naive_bayes_works_in_a_sklearn_pipeline_with_weights_and_priors() -> None:
    texts = ["free prize now", "call me later", "win free cash", "see you at lunch"] * 3
    labels = ["spam", "ham", "spam", "ham"] * 3
    pipe = Pipeline([("vec", CountVectorizer()), ("nb", MultinomialNB(alpha=0.5))])
    assert pipe.fit(texts, labels).predict(["free cash prize"]).tolist() == ["spam"]
    X = CountVectorizer().fit_transform(texts)
    weights = np.arange(1, 13, dtype=float)
    for ours, theirs in [(MultinomialNB(class_prior=[0.3, 0.7]), sk.MultinomialNB(class_prior=[0.3, 0.7])),
                         (BernoulliNB(binarize=None), sk.BernoulliNB(binarize=None))]:  # fmt: skip
        ours.fit(X, labels, sample_weight=weights)
        theirs.fit(X, labels, sample_weight=weights)
        np.testing.assert_allclose(ours.predict_proba(X), theirs.predict_proba(X))
    assert repr(MultinomialNB(alpha=0.5)) == "MultinomialNB(alpha=0.5)"


def test_naive_bayes_dense_input_equals_sparse(sms) -> None:  # noqa: ANN001
    X, y = sms["counts"]
    X = X[:300]
    keep = np.asarray(X.sum(axis=0)).ravel() > 0
    X, y = X[:, keep], y[:300]
    for model in (MultinomialNB(), BernoulliNB(), ComplementNB()):
        np.testing.assert_allclose(clone(model).fit(X.toarray(), y).predict_proba(X),
                                   clone(model).fit(X, y).predict_proba(X))  # fmt: skip


def test_naive_bayes_errors_say_what_to_do() -> None:
    X = np.array([[1.0, 0.0], [0.0, 2.0]])
    with pytest.raises(NotFittedError, match="call fit"):
        MultinomialNB().predict(X)
    with pytest.raises(ValueError, match="negative values"):
        MultinomialNB().fit(-X, [0, 1])
    with pytest.raises(ValueError, match="alpha must be"):
        ComplementNB(alpha=-1).fit(X, [0, 1])
    with pytest.raises(ValueError, match="needs classes="):
        BernoulliNB().partial_fit(X, [0, 1])
    with pytest.raises(ValueError, match="labels not in classes"):
        MultinomialNB().partial_fit(X, [0, 1], classes=[0, 1]).partial_fit(X, [0, 2])
    with pytest.raises(ValueError, match="fitted on 2"):
        MultinomialNB().fit(X, [0, 1]).predict(np.ones((1, 3)))
    with pytest.raises(ValueError, match="one probability per class"):
        MultinomialNB(class_prior=[1.0]).fit(X, [0, 1])


def test_naive_bayes_functions_equal_sklearn_on_sms_spam(sms) -> None:  # noqa: ANN001
    X, y = sms["counts"]
    train, test = np.arange(X.shape[0]) % 4 != 0, np.arange(X.shape[0]) % 4 == 0
    for alpha in (1.0, 0.25):
        classes, prior, log_prob = fit_multinomial_nb(X[train], y[train], alpha=alpha)
        theirs = sk.MultinomialNB(alpha=alpha).fit(X[train], y[train])
        np.testing.assert_array_equal(classes, theirs.classes_)
        np.testing.assert_allclose(prior, theirs.class_log_prior_)
        np.testing.assert_allclose(log_prob, theirs.feature_log_prob_, rtol=1e-10)
        predicted = predict_multinomial_nb(X[test], classes, prior, log_prob)
        np.testing.assert_array_equal(predicted, theirs.predict(X[test]))


def test_naive_bayes_functions_are_the_estimators_arithmetic() -> None:
    rng = np.random.default_rng(0)
    X = rng.poisson(1.0, size=(40, 9)).astype(float)
    y = rng.choice(["a", "b", "c"], size=40)
    model = MultinomialNB(alpha=0.5).fit(X, y)
    classes, prior, log_prob = fit_multinomial_nb(sp.csr_matrix(X), y, alpha=0.5)
    np.testing.assert_array_equal(classes, model.classes_)
    np.testing.assert_allclose(prior, model.class_log_prior_)
    np.testing.assert_allclose(log_prob, model.feature_log_prob_)
    np.testing.assert_array_equal(predict_multinomial_nb(X, classes, prior, log_prob),
                                  model.predict(X))  # fmt: skip


def test_naive_bayes_functions_errors_say_what_to_do() -> None:
    X = np.array([[1.0, 0.0], [0.0, 2.0]])
    with pytest.raises(ValueError, match="negative values"):
        fit_multinomial_nb(-X, [0, 1])
    with pytest.raises(ValueError, match="alpha must be"):
        fit_multinomial_nb(X, [0, 1], alpha=-0.5)
    with pytest.raises(ValueError, match="2 rows but y has 3"):
        fit_multinomial_nb(X, [0, 1, 1])
    model = fit_multinomial_nb(X, [0, 1])
    with pytest.raises(ValueError, match="3 columns but the model has 2"):
        predict_multinomial_nb(np.ones((1, 3)), *model)
