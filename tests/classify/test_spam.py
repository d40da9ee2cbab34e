"""SpamFilter on the registry's SMS spam: it filters well, its top words make sense,
it equals the hand-built vectorizer + model, and a saved filter loads back predicting
exactly the same; every broken model folder gives one ModelFormatError."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from nlpjourney.classify import ModelFormatError, MultinomialNB, SpamFilter
from nlpjourney.data import corpora
from nlpjourney.errors import JourneyError
from nlpjourney.features import TfidfVectorizer


@pytest.fixture(scope="module")
def sms() -> tuple[list[str], list[str], list[str], list[str]]:
    rows = corpora.sms_spam()
    texts, labels = [t for t, _ in rows], [label for _, label in rows]
    return texts[:4500], labels[:4500], texts[4500:], labels[4500:]


@pytest.mark.parametrize("model", ["multinomial", "bernoulli", "complement"])
@pytest.mark.parametrize("features", ["counts", "tfidf"])
def test_spam_filter_saved_and_loaded_predicts_the_same(
    sms, tmp_path: Path, model, features
) -> None:  # noqa: ANN001, E501
    train_x, train_y, test_x, test_y = sms
    spam = SpamFilter(model=model, features=features, ngram_range=(1, 2), alpha=0.5,
                      stop_words=["the", "a"], min_df=1 if features == "counts" else 2)  # fmt: skip
    spam.fit(train_x, train_y)
    assert spam.score(test_x, test_y) > 0.93
    loaded = SpamFilter.load(spam.save(tmp_path / "model"))
    assert loaded.get_params() == spam.get_params()
    np.testing.assert_array_equal(loaded.predict_proba(test_x), spam.predict_proba(test_x))
    np.testing.assert_array_equal(loaded.predict(test_x), spam.predict(test_x))
    assert loaded.top_features(5) == spam.top_features(5)


def test_spam_filter_equals_vectorizer_plus_model(sms) -> None:  # noqa: ANN001
    train_x, train_y, test_x, _ = sms
    spam = SpamFilter(features="tfidf", alpha=0.1).fit(train_x, train_y)
    vectorizer = TfidfVectorizer()
    model = MultinomialNB(alpha=0.1).fit(vectorizer.fit_transform(train_x), train_y)
    np.testing.assert_allclose(spam.predict_proba(test_x),
                               model.predict_proba(vectorizer.transform(test_x)))  # fmt: skip


def test_spam_filter_top_features_point_the_right_way(sms) -> None:  # noqa: ANN001
    train_x, train_y, _, _ = sms
    top = SpamFilter().fit(train_x, train_y).top_features(15)
    assert set(top) == {"ham", "spam"}
    spam_words = {word for word, _ in top["spam"]}
    assert {"claim", "prize"} <= spam_words
    assert all(push > 0 for _, push in top["spam"] + top["ham"])
    pushes = [push for _, push in top["ham"]]
    assert pushes == sorted(pushes, reverse=True)
    assert not spam_words & {word for word, _ in top["ham"]}


@pytest.fixture
def saved(tmp_path: Path) -> Path:
    texts = ["free prize now", "call me later", "win free cash", "see you at lunch"]
    return SpamFilter(features="tfidf").fit(texts, ["spam", "ham"] * 2).save(tmp_path / "m")


def rewrite_header(folder: Path, **changes: object) -> None:
    header = json.loads((folder / "model.json").read_text())
    header.update(changes)
    (folder / "model.json").write_text(json.dumps(header))


@pytest.mark.parametrize(
    ("damage", "message"),
    [
        (lambda f: (f / "model.json").unlink(), "holds no model.json"),
        (lambda f: (f / "weights.npz").unlink(), "but no weights.npz"),
        (lambda f: (f / "model.json").write_text("{not json"), "is damaged"),
        (lambda f: (f / "weights.npz").write_bytes((f / "weights.npz").read_bytes()[:300]),
         "damaged or truncated"),
        (lambda f: rewrite_header(f, version=99), "format version 99"),
        (lambda f: rewrite_header(f, format="pickle"), "is not a spam filter"),
        (lambda f: rewrite_header(f, vocabulary=["a", "b"]), "expected float64"),
        (lambda f: rewrite_header(f, classes=[]), "classes must be"),
        (lambda f: rewrite_header(f, params={"model": "svm"}), "params must have"),
    ],
)  # fmt: skip
def test_spam_filter_load_refuses_a_broken_folder_clearly(saved: Path, damage, message) -> None:  # noqa: ANN001
    damage(saved)
    with pytest.raises(ModelFormatError, match=message) as caught:
        SpamFilter.load(saved)
    assert isinstance(caught.value, JourneyError)
    assert "journey classify train sms-spam" in str(caught.value)


def test_spam_filter_load_of_no_folder_and_bad_params(saved: Path, tmp_path: Path) -> None:
    with pytest.raises(ModelFormatError, match="no such folder"):
        SpamFilter.load(tmp_path / "nothing")
    header = json.loads((saved / "model.json").read_text())
    header["params"]["model"] = "svm"
    (saved / "model.json").write_text(json.dumps(header))
    with pytest.raises(ModelFormatError, match="bad parameters"):
        SpamFilter.load(saved)
    header["params"].update(model="multinomial", alpha="1.0", lowercase=1)
    (saved / "model.json").write_text(json.dumps(header))
    with pytest.raises(ModelFormatError, match="params.alpha must be a number; params.lowercase"):
        SpamFilter.load(saved)


def test_spam_filter_refuses_what_it_cannot_do(tmp_path: Path) -> None:
    texts, labels = ["free prize", "see you", "win cash", "at lunch"], [1, 0, 1, 0]
    spam = SpamFilter(tokenizer=str.split).fit(texts, labels)
    assert spam.predict(["free cash"]).tolist() == [1]
    with pytest.raises(ValueError, match="custom tokenizer cannot be saved"):
        spam.save(tmp_path / "m")
    assert not (tmp_path / "m").exists()
    with pytest.raises(ValueError, match="model must be one of"):
        SpamFilter(model="svm").fit(texts, labels)
    with pytest.raises(ValueError, match="ngram_range"):
        SpamFilter(ngram_range=(2, 1)).fit(texts, labels)
    with pytest.raises(TypeError, match="wrap one text"):
        SpamFilter().fit(texts, labels).predict("free cash")
    assert SpamFilter.load(SpamFilter().fit(texts, labels).save(tmp_path / "ints")).predict(
        ["win a prize"]
    ).tolist() == [1]
