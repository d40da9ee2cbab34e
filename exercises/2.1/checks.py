"""Checks for exercise 2.1, run by ``journey check 2.1``.

Each check calls the learner's functions through the ``ex`` fixture. Fresh random count
matrices and label sets (numbers and strings) are drawn every run (``rng``), and the
expected numbers are computed here from the formulas, one class and one word at a time,
without scikit-learn. Two checks use real data: counts of the registry's SMS spam
(``nlpjourney.features.CountVectorizer``), on a random split, against scikit-learn's
``MultinomialNB``. With ``--exercise reference`` the same checks grade the library,
``nlpjourney.classify.naive_bayes``.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
import scipy.sparse as sp

REFERENCE = "nlpjourney.classify.naive_bayes"
# What the learner may not use: the model answer (and the rest of the library), and the
# libraries whose naive Bayes would answer it.
FORBIDDEN = ("nlpjourney", "sklearn", "nltk")

WORKED_X = np.array([[2, 1, 0], [3, 0, 0], [0, 1, 3]])
WORKED_Y = ["ham", "ham", "spam"]


def random_problem(rng, labels=("ham", "spam", "eggs")):
    """A fresh count matrix (documents x words) and one label per row, every label used."""
    n_docs, n_words = int(rng.integers(8, 30)), int(rng.integers(3, 12))
    k = int(rng.integers(2, len(labels) + 1))
    X = rng.poisson(rng.uniform(0.3, 2.5), size=(n_docs, n_words))
    y = np.array([labels[i % k] for i in range(n_docs)])
    rng.shuffle(y)
    X[y == labels[0], int(rng.integers(n_words))] = 0  # a word class 0 never uses
    return X, y


def expected_fit(X, y, alpha):
    """The formulas, written out with loops: no library's naive Bayes."""
    X = np.asarray(X, dtype=float)
    classes = sorted(set(y.tolist()))
    prior, log_prob = [], []
    for label in classes:
        rows = [i for i in range(len(y)) if y[i] == label]
        prior.append(math.log(len(rows) / len(y)))
        totals = [sum(X[i, j] for i in rows) for j in range(X.shape[1])]
        denominator = sum(totals) + alpha * X.shape[1]
        log_prob.append([math.log((t + alpha) / denominator) for t in totals])
    return classes, np.array(prior), np.array(log_prob)


def expected_predict(X, classes, prior, log_prob):
    X = np.asarray(X.toarray() if sp.issparse(X) else X, dtype=float)
    out = []
    for row in X:
        scores = [prior[c] + sum(row[j] * log_prob[c, j] for j in range(len(row)))
                  for c in range(len(classes))]  # fmt: skip
        out.append(classes[scores.index(max(scores))])
    return out


def assert_fit_equal(got, expected, what: str) -> None:
    assert isinstance(got, tuple | list) and len(got) == 3, (
        f"{what}: return a tuple (classes, class_log_prior, feature_log_prob), got {type(got)}"
    )
    classes, prior, log_prob = got
    assert [str(c) for c in np.asarray(classes).tolist()] == [str(c) for c in expected[0]], (
        f"{what}: classes {np.asarray(classes).tolist()}, expected {list(expected[0])}"
    )
    np.testing.assert_allclose(np.asarray(prior, dtype=float), expected[1], rtol=1e-10,
                               err_msg=f"{what}: class_log_prior")  # fmt: skip
    log_prob = np.asarray(log_prob, dtype=float)
    assert log_prob.shape == expected[2].shape, (
        f"{what}: feature_log_prob has shape {log_prob.shape}, expected {expected[2].shape}"
    )
    np.testing.assert_allclose(log_prob, expected[2], rtol=1e-10,
                               err_msg=f"{what}: feature_log_prob")  # fmt: skip


@pytest.fixture(scope="module")
def sms_counts():
    """Word counts of every SMS message of the registry, and their labels."""
    from nlpjourney.data import corpora
    from nlpjourney.features import CountVectorizer

    rows = corpora.sms_spam()
    X = CountVectorizer().fit_transform([text for text, _ in rows])
    return X.tocsr(), np.array([label for _, label in rows])


def sms_split(sms_counts, rng):
    """A fresh random 80/20 split of the SMS counts, and a fresh alpha."""
    X, y = sms_counts
    order = rng.permutation(X.shape[0])
    cut = int(0.8 * len(order))
    train, test = np.sort(order[:cut]), np.sort(order[cut:])
    alpha = float(rng.choice([1.0, 0.5, 0.1, 2.0]))
    return X[train], y[train], X[test], y[test], alpha


def test_fit_multinomial_nb_worked_example(ex) -> None:
    """fit_multinomial_nb on the docstring's three documents: classes, priors, words.

    Hint 1: the classes are the distinct labels, sorted; a class's prior is its share of
    the rows, and each word's probability in a class is its smoothed share of the
    class's words.
    Hint 2: ham has two of three rows; its summed word counts are 5, 1 and 0 out of 6
    words, and Laplace smoothing adds 1 to each count and 3 (one per word) to the total.
    """
    expected = (["ham", "spam"], np.log([2 / 3, 1 / 3]),
                np.log([[6 / 9, 2 / 9, 1 / 9], [1 / 7, 2 / 7, 4 / 7]]))  # fmt: skip
    assert_fit_equal(ex.fit_multinomial_nb(WORKED_X, WORKED_Y), expected, "worked example")


def test_fit_multinomial_nb_classes_and_priors(ex, rng) -> None:
    """Classes are the sorted distinct labels; priors the log share of rows per class.

    On fresh label sets, strings and numbers.

    Hint 1: the prior of a class is the number of its rows over the number of rows, as a
    natural log; the classes come back sorted, whatever order the labels arrive in.
    Hint 2: numbers are labels too: the classes hold the labels themselves, not their
    positions.
    """
    for labels in (("spam", "ham", "eggs"), (7, 3, 5)):
        X, y = random_problem(rng, labels)
        classes, prior, _ = ex.fit_multinomial_nb(X, y)
        expected_classes, expected_prior, _ = expected_fit(X, y, 1.0)
        assert np.asarray(classes).tolist() == expected_classes, (
            f"classes {np.asarray(classes).tolist()}, expected {expected_classes}"
        )
        np.testing.assert_allclose(np.asarray(prior, dtype=float), expected_prior, rtol=1e-10)


def test_fit_multinomial_nb_feature_log_prob(ex, rng) -> None:
    """feature_log_prob equals the smoothed formula on fresh counts, for two alphas.

    log((N_cj + alpha) / (N_c + alpha * n_features)), computed here word by word.

    Hint 1: sum the rows of each class, add alpha to every summed count, and divide by
    that class's new total; then take the natural log.
    Hint 2: the total of a class is over all words after smoothing, so it grows by alpha
    once per word (column), not once per row.
    """
    for alpha in (1.0, float(rng.uniform(0.05, 3.0))):
        X, y = random_problem(rng)
        got = ex.fit_multinomial_nb(X, y, alpha=alpha)
        assert_fit_equal(got, expected_fit(X, y, alpha), f"alpha={alpha:.3f}")


def test_fit_multinomial_nb_unseen_word_stays_possible(ex, rng) -> None:
    """A word a class never uses keeps a finite log-probability, not minus infinity.

    It is log(alpha / (N_c + alpha * n_features)).

    Hint 1: smoothing adds alpha to every count, the zero counts included.
    Hint 2: with alpha added first, the smallest probability is alpha over the class's
    smoothed total, and its log is finite.
    """
    X, y = random_problem(rng, ("ham", "spam"))
    classes, _, log_prob = ex.fit_multinomial_nb(X, y, alpha=0.5)
    log_prob = np.asarray(log_prob, dtype=float)
    assert np.all(np.isfinite(log_prob)), "a word unseen in a class got -inf or nan"
    ham = X[y == "ham"]
    unseen = np.flatnonzero(ham.sum(axis=0) == 0)
    total = ham.sum() + 0.5 * X.shape[1]
    np.testing.assert_allclose(log_prob[0, unseen], math.log(0.5 / total), rtol=1e-10)


def test_fit_multinomial_nb_sparse_input(ex, rng) -> None:
    """fit_multinomial_nb takes a CSR matrix, gives the same numbers, leaves it alone.

    Hint 1: sums over the rows of a class work on a sparse matrix as they do on an array.
    Hint 2: a sparse matrix's sum comes back as a NumPy matrix of shape (1, n): flatten
    it, or compute every class's sums at once with one matrix product.
    """
    X, y = random_problem(rng)
    matrix = sp.csr_matrix(X)
    before = matrix.copy()
    assert_fit_equal(ex.fit_multinomial_nb(matrix, y, alpha=0.7), expected_fit(X, y, 0.7),
                     "CSR input")  # fmt: skip
    assert (matrix != before).nnz == 0, "fit_multinomial_nb changed the caller's matrix"


def test_fit_multinomial_nb_rejects_bad_input(ex) -> None:
    """fit_multinomial_nb raises ValueError for negative counts, bad y or a negative alpha.

    Hint 1: check the input before counting.
    Hint 2: three checks: the smallest entry of X, the length of y against the number of
    rows, and the sign of alpha.
    """
    X = np.array([[1, 0], [0, 2]])
    for args, kwargs in (((-X, ["a", "b"]), {}), ((X, ["a", "b", "a"]), {}),
                         ((X, ["a", "b"]), {"alpha": -1.0})):  # fmt: skip
        with pytest.raises(ValueError):
            ex.fit_multinomial_nb(*args, **kwargs)


def test_fit_multinomial_nb_sms_equals_sklearn(ex, rng, sms_counts) -> None:
    """On real SMS spam counts the fit equals scikit-learn's MultinomialNB.

    A fresh 80/20 split and alpha; classes_, class_log_prior_ and feature_log_prob_.

    Hint 1: the same formulas on a large sparse matrix: thousands of words, two classes.
    Hint 2: if the small checks pass and this one does not, look for a step that
    densifies, loses the sparse sums' shape, or smooths with the number of rows instead
    of the number of words.
    """
    from sklearn.naive_bayes import MultinomialNB

    X_train, y_train, _, _, alpha = sms_split(sms_counts, rng)
    theirs = MultinomialNB(alpha=alpha).fit(X_train, y_train)
    expected = (theirs.classes_.tolist(), theirs.class_log_prior_, theirs.feature_log_prob_)
    assert_fit_equal(ex.fit_multinomial_nb(X_train, y_train, alpha=alpha), expected,
                     f"SMS spam, alpha={alpha}")  # fmt: skip


def test_predict_multinomial_nb_worked_example(ex) -> None:
    """predict_multinomial_nb on the docstring's model, an empty row included.

    Hint 1: score each class: its log prior plus, for every word, the count times the
    word's log-probability in that class; the highest score wins.
    Hint 2: an empty row adds nothing to any class, so the prior alone decides it.
    """
    model = (np.array(["ham", "spam"]), np.log([2 / 3, 1 / 3]),
             np.log([[6 / 9, 2 / 9, 1 / 9], [1 / 7, 2 / 7, 4 / 7]]))  # fmt: skip
    got = ex.predict_multinomial_nb(np.array([[1, 0, 0], [0, 0, 1], [0, 0, 0]]), *model)
    assert np.asarray(got).tolist() == ["ham", "spam", "ham"]


def test_predict_multinomial_nb_fresh_models(ex, rng) -> None:
    """predict_multinomial_nb picks the highest-scoring class on fresh models and rows.

    The score: log prior plus counts times log-probabilities.

    Hint 1: one score per (row, class): the counts of the row times the class's
    log-probabilities, summed, plus the class's log prior.
    Hint 2: all scores at once are one matrix product of X with the transposed
    log-probabilities; then the position of each row's largest score picks from classes.
    """
    k, n_words = int(rng.integers(2, 5)), int(rng.integers(2, 10))
    classes = np.array(["eggs", "ham", "spam", "toast"][:k])
    prior = np.log(rng.dirichlet(np.ones(k)))
    log_prob = np.log(rng.dirichlet(np.ones(n_words), size=k))
    X = rng.poisson(1.5, size=(int(rng.integers(5, 20)), n_words))
    got = ex.predict_multinomial_nb(X, classes, prior, log_prob)
    assert np.asarray(got).tolist() == expected_predict(X, classes, prior, log_prob)


def test_predict_multinomial_nb_sparse_and_number_labels(ex, rng) -> None:
    """predict_multinomial_nb takes CSR rows and returns labels, not class positions.

    Hint 1: the answer is taken from classes: a model whose classes are 10 and 20 never
    predicts 0 or 1.
    Hint 2: a sparse matrix times a dense one gives a NumPy array or matrix; flatten
    or convert it before taking the largest entry of each row.
    """
    X, _ = random_problem(rng)
    classes = np.array([10, 20, 30])
    prior = np.log(rng.dirichlet(np.ones(3)))
    log_prob = np.log(rng.dirichlet(np.ones(X.shape[1]), size=3))
    got = ex.predict_multinomial_nb(sp.csr_matrix(X), classes, prior, log_prob)
    assert np.asarray(got).ravel().tolist() == expected_predict(X, classes, prior, log_prob)


def test_predict_multinomial_nb_rejects_wrong_width(ex) -> None:
    """predict_multinomial_nb raises ValueError when X has the wrong number of columns.

    Hint 1: compare the number of columns of X with the model's number of words first.
    Hint 2: the model's number of words is the second dimension of feature_log_prob.
    """
    model = (np.array(["ham", "spam"]), np.log([0.5, 0.5]), np.log(np.full((2, 3), 1 / 3)))
    with pytest.raises(ValueError):
        ex.predict_multinomial_nb(np.ones((2, 4)), *model)


def test_predict_multinomial_nb_sms_equals_sklearn(ex, rng, sms_counts) -> None:
    """On real SMS spam your fit and predict label every message as scikit-learn's.

    A fresh 80/20 split; every held-out message must get scikit-learn's label.

    Hint 1: fit on the training rows with your own fit_multinomial_nb, then predict the
    held-out rows with its three results.
    Hint 2: if the fit check passes and this one does not, the scores are added up the
    wrong way round: each row's counts go with each class's log-probabilities, word by
    word.
    """
    from sklearn.naive_bayes import MultinomialNB

    X_train, y_train, X_test, y_test, alpha = sms_split(sms_counts, rng)
    expected = MultinomialNB(alpha=alpha).fit(X_train, y_train).predict(X_test)
    model = ex.fit_multinomial_nb(X_train, y_train, alpha=alpha)
    got = np.asarray(ex.predict_multinomial_nb(X_test, *model))
    wrong = int(np.sum(got != expected))
    assert got.shape == expected.shape and wrong == 0, (
        f"{wrong} of {len(expected)} held-out messages labelled otherwise than scikit-learn"
    )
