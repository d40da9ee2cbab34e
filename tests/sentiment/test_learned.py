"""Learned sentiment: the classifier's contract, parity with scikit-learn, the accuracy table."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.base import clone as sk_clone
from sklearn.feature_extraction.text import TfidfVectorizer as SkTfidf
from sklearn.linear_model import LogisticRegression as SkLogisticRegression
from sklearn.model_selection import StratifiedKFold as SkStratifiedKFold
from sklearn.model_selection import cross_val_score as sk_cross_val_score
from sklearn.naive_bayes import MultinomialNB as SkMultinomialNB
from sklearn.pipeline import make_pipeline

from nlpjourney.data.corpora import sentence_polarity
from nlpjourney.ml import NotFittedError, clone, train_test_split
from nlpjourney.sentiment import (
    AccuracyRow,
    SentimentClassifier,
    accuracy_table,
    format_table,
    lexicon_labels,
    lexicon_scores,
)

TOY = [
    ("a good film", "pos"),
    ("a great and lovely film", "pos"),
    ("good fun", "pos"),
    ("great acting", "pos"),
    ("a bad film", "neg"),
    ("an awful and boring film", "neg"),
    ("bad acting", "neg"),
    ("boring plot", "neg"),
]


@pytest.fixture(scope="module")
def polarity_subset() -> tuple[list[str], np.ndarray]:
    """A seeded subset of 3,000 sentence_polarity sentences (both classes)."""
    rows = sentence_polarity()
    keep = np.random.default_rng(0).choice(len(rows), size=3000, replace=False)
    return [rows[k][0] for k in keep], np.array([rows[k][1] for k in keep])


def test_learned_contract_params_and_clone() -> None:
    model = SentimentClassifier(model="logreg", C=3.0)
    assert model.get_params()["C"] == 3.0
    assert model.set_params(alpha=0.5) is model and model.alpha == 0.5
    for copy in (clone(model), sk_clone(model)):
        assert copy is not model and copy.get_params() == model.get_params()
    assert "C=3.0" in repr(model)


def test_learned_refuses_bad_input() -> None:
    texts, labels = [t for t, _ in TOY], [y for _, y in TOY]
    with pytest.raises(NotFittedError):
        SentimentClassifier().predict(["good"])
    with pytest.raises(ValueError, match="model must be"):
        SentimentClassifier(model="svm").fit(texts, labels)
    with pytest.raises(ValueError, match="features must be"):
        SentimentClassifier(features="bert").fit(texts, labels)
    with pytest.raises(TypeError, match="list of texts"):
        SentimentClassifier().fit("a good film", ["pos"])
    with pytest.raises(ValueError, match="one label per text"):
        SentimentClassifier().fit(texts, labels[:-1])
    model = SentimentClassifier().fit(texts, labels)
    with pytest.raises(TypeError, match="must be a str"):
        model.predict([3])


@pytest.mark.parametrize("model", ["nb", "logreg"])
@pytest.mark.parametrize("features", ["tfidf", "counts"])
def test_learned_tiny_fit(model: str, features: str) -> None:
    texts, labels = [t for t, _ in TOY], [y for _, y in TOY]
    fitted = SentimentClassifier(model=model, features=features, C=10.0).fit(texts, labels)
    assert fitted.classes_.tolist() == ["neg", "pos"]
    assert fitted.predict(["good and lovely acting", "boring and awful"]).tolist() == ["pos", "neg"]
    proba = fitted.predict_proba(["great", "bad"])
    assert proba.shape == (2, 2) and np.allclose(proba.sum(axis=1), 1.0)
    assert proba[0, 1] > 0.5 > proba[1, 1]
    assert fitted.score(texts, labels) == 1.0
    weights = fitted.word_weights()
    assert weights["good"] > 0 > weights["bad"]
    assert "good fun" in weights  # a word pair: ngram_range (1, 2)


def test_learned_word_weights_needs_two_classes() -> None:
    texts = ["good", "bad", "meh"]
    model = SentimentClassifier().fit(texts, ["pos", "neg", "neutral"])
    with pytest.raises(ValueError, match="two classes"):
        model.word_weights()


def test_learned_nb_equals_sklearn_pipeline(polarity_subset) -> None:
    texts, labels = polarity_subset
    train_x, test_x, train_y, test_y = train_test_split(
        texts, labels, test_size=0.2, random_state=0
    )
    ours = SentimentClassifier(model="nb").fit(train_x, train_y)
    theirs = make_pipeline(SkTfidf(ngram_range=(1, 2)), SkMultinomialNB()).fit(train_x, train_y)
    np.testing.assert_allclose(ours.predict_proba(test_x), theirs.predict_proba(test_x), rtol=1e-9)
    assert ours.predict(test_x).tolist() == theirs.predict(test_x).tolist()
    assert ours.score(test_x, test_y) == theirs.score(test_x, test_y)


def test_learned_logreg_matches_sklearn_pipeline(polarity_subset) -> None:
    texts, labels = polarity_subset
    train_x, test_x, train_y, test_y = train_test_split(
        texts, labels, test_size=0.2, random_state=0
    )
    ours = SentimentClassifier(model="logreg", C=4.0).fit(train_x, train_y)
    theirs = make_pipeline(SkTfidf(ngram_range=(1, 2)), SkLogisticRegression(C=4.0, max_iter=1000))
    theirs.fit(train_x, train_y)
    # Both minimise the same strictly convex objective to a tolerance: the probabilities
    # agree closely, the accuracy within half a point.
    np.testing.assert_allclose(ours.predict_proba(test_x), theirs.predict_proba(test_x), atol=2e-3)
    assert abs(ours.score(test_x, test_y) - theirs.score(test_x, test_y)) <= 0.005


def test_learned_lexicon_labels_tie_rule() -> None:
    assert lexicon_labels(np.array([0.3, -2.0, 0.0])).tolist() == ["pos", "neg", "neutral"]
    # VADER scores a text of several lines by its lines' mean compound score.
    two_lines = lexicon_scores("vader", ["it is good .\nit is terrible , awful ."])
    assert two_lines[0] < 0
    with pytest.raises(ValueError, match="unknown lexicon method"):
        lexicon_scores("sentiwordnet", ["good"])


def test_learned_table_shape_and_tiny_data() -> None:
    data = {"toy": TOY * 3, "toy2": TOY[::-1] * 3}
    rows = accuracy_table(data, folds=3, seed=1, C=10.0)
    assert [(r.dataset, r.method) for r in rows] == [
        (name, method)
        for name in ("toy", "toy2")
        for method in ("vader", "afinn", "opinion_lexicon", "nb", "logreg")
    ]
    assert all(len(r.scores) == 3 and 0.0 <= r.mean <= 1.0 and r.std >= 0.0 for r in rows)
    assert all(r.abstained == 0.0 for r in rows if r.method in ("nb", "logreg"))
    text = format_table(rows)
    assert text.count("\n") == len(rows) and "±" in text
    with pytest.raises(ValueError, match="unknown methods"):
        accuracy_table(data, methods=("vader", "bert"))
    with pytest.raises(ValueError, match="unknown dataset"):
        accuracy_table(("imdb",))
    with pytest.raises(TypeError, match="as a tuple"):
        accuracy_table("movie_reviews")


def test_learned_table_folds_equal_sklearn(polarity_subset) -> None:
    """Every row is scored on scikit-learn's stratified folds: the lexicon's accuracy per
    fold and naive Bayes' cross-validation scores equal those computed with sklearn."""
    texts, labels = polarity_subset
    rows = accuracy_table({"sp": list(zip(texts, labels, strict=True))}, ("afinn", "nb"), 3, seed=3)
    folds = list(SkStratifiedKFold(3, shuffle=True, random_state=3).split(texts, labels))
    right = lexicon_labels(lexicon_scores("afinn", texts)) == labels
    assert rows[0].scores == tuple(float(right[test].mean()) for _, test in folds)
    expected = sk_cross_val_score(
        make_pipeline(SkTfidf(ngram_range=(1, 2)), SkMultinomialNB()), texts, labels, cv=folds
    )
    np.testing.assert_allclose(rows[1].scores, expected)
    assert rows[0].abstained == pytest.approx(np.mean(lexicon_scores("afinn", texts) == 0))


@pytest.mark.slow
def test_learned_beats_lexicons_on_sentence_polarity() -> None:
    rows = {r.method: r for r in accuracy_table(("sentence_polarity",))}
    best_lexicon = max(rows[m].mean for m in ("vader", "afinn", "opinion_lexicon"))
    assert min(rows["nb"].mean, rows["logreg"].mean) > best_lexicon + 0.1
    assert all(len(r.scores) == 5 for r in rows.values())


def test_learned_accuracy_row_mean_std() -> None:
    row = AccuracyRow("d", "nb", (0.7, 0.9), 1.0)
    assert row.mean == pytest.approx(0.8) and row.std == pytest.approx(0.1)
