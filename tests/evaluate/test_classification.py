"""nlpjourney.evaluate.classification against sklearn.metrics: real predictions (a
logistic regression on the breast-cancer and digits data), hypothesis-drawn label
arrays (strings and ints, labels absent from the predictions, zero divisions), and the
report text compared as strings."""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn import metrics as skm
from sklearn.datasets import load_digits
from sklearn.linear_model import LogisticRegression as SkLogistic
from sklearn.model_selection import train_test_split as sk_split

from nlpjourney.evaluate import classification as ours


@pytest.fixture(scope="module")
def digits_predictions() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    X, y = load_digits(return_X_y=True)
    X_train, X_test, y_train, y_test = sk_split(X / 16, y, test_size=0.3, random_state=0)
    model = SkLogistic(max_iter=200, C=0.05).fit(X_train, y_train)
    return y_test, model.predict(X_test), model.predict_proba(X_test)


def quiet(function, *args, **kwargs):  # noqa: ANN001, ANN002, ANN003, ANN201
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return function(*args, **kwargs)


def assert_prf_equal(y_true, y_pred, **options) -> None:  # noqa: ANN001, ANN003
    expected = quiet(skm.precision_recall_fscore_support, y_true, y_pred, **options)
    got = quiet(ours.precision_recall_fscore_support, y_true, y_pred, **options)
    for e, g in zip(expected, got, strict=True):
        if e is None:
            assert g is None
        else:
            np.testing.assert_allclose(g, e, equal_nan=True, rtol=1e-12)


def test_classification_matches_sklearn_on_real_predictions(digits_predictions) -> None:  # noqa: ANN001
    y_true, y_pred, proba = digits_predictions
    assert ours.accuracy_score(y_true, y_pred) == skm.accuracy_score(y_true, y_pred)
    for average in (None, "micro", "macro", "weighted"):
        assert_prf_equal(y_true, y_pred, average=average)
    np.testing.assert_array_equal(ours.confusion_matrix(y_true, y_pred),
                                  skm.confusion_matrix(y_true, y_pred))  # fmt: skip
    for normalize in ("true", "pred", "all"):
        np.testing.assert_allclose(ours.confusion_matrix(y_true, y_pred, normalize=normalize),
                                   skm.confusion_matrix(y_true, y_pred, normalize=normalize))  # fmt: skip
    assert ours.classification_report(y_true, y_pred, digits=4) == skm.classification_report(
        y_true, y_pred, digits=4
    )
    got = ours.classification_report(y_true, y_pred, output_dict=True)
    expected = skm.classification_report(y_true, y_pred, output_dict=True)
    assert list(got) == list(expected)
    for key, value in expected.items():
        assert got[key] == (pytest.approx(value) if isinstance(value, dict) else value)
    for average in ("macro", "weighted"):
        assert ours.roc_auc_score(y_true, proba, average=average) == pytest.approx(
            skm.roc_auc_score(y_true, proba, multi_class="ovr", average=average), abs=1e-12
        )
    positive = (y_true == 3).astype(int)
    for drop in (True, False):
        for e, g in zip(skm.roc_curve(positive, proba[:, 3], drop_intermediate=drop),
                        ours.roc_curve(positive, proba[:, 3], drop_intermediate=drop), strict=True):  # fmt: skip
            np.testing.assert_allclose(g, e)
    assert ours.roc_auc_score(positive, proba[:, 3]) == pytest.approx(
        skm.roc_auc_score(positive, proba[:, 3]), abs=1e-12
    )


def test_classification_report_text_with_names_and_subset_equals_sklearn() -> None:
    y_true = ["spam", "ham", "ham", "spam", "ham", "eggs"]
    y_pred = ["spam", "ham", "spam", "spam", "ham", "ham"]
    for kwargs in ({}, {"labels": ["ham", "spam"]},
                   {"labels": ["spam", "ham", "eggs"], "target_names": ["S", "H", "a long name"]},
                   {"digits": 3, "zero_division": 1}):  # fmt: skip
        assert quiet(ours.classification_report, y_true, y_pred, **kwargs) == quiet(
            skm.classification_report, y_true, y_pred, **kwargs
        )


labels_strategy = st.sampled_from([["a", "b"], ["a", "b", "c", "d"], [0, 1], [-1, 1, 2, 5]])


@st.composite
def label_pairs(draw: st.DrawFn) -> tuple[np.ndarray, np.ndarray]:
    classes = draw(labels_strategy)
    n = draw(st.integers(1, 40))
    y_true = draw(st.lists(st.sampled_from(classes), min_size=n, max_size=n))
    # Predictions often leave labels out, so zero divisions come up.
    y_pred = draw(st.lists(st.sampled_from(classes[: draw(st.integers(1, len(classes)))]),
                           min_size=n, max_size=n))  # fmt: skip
    return np.array(y_true), np.array(y_pred)


@settings(max_examples=60, deadline=None)
@given(label_pairs(), st.sampled_from([None, "micro", "macro", "weighted"]),
       st.sampled_from(["warn", 0, 1, np.nan]))  # fmt: skip
def test_classification_prf_equals_sklearn_on_any_labels(pair, average, zero_division) -> None:  # noqa: ANN001
    y_true, y_pred = pair
    assert_prf_equal(y_true, y_pred, average=average, zero_division=zero_division)
    extra = np.unique(np.concatenate([y_true, y_pred]))[::-1]  # a chosen order
    assert_prf_equal(y_true, y_pred, average=average, labels=extra, zero_division=zero_division)
    # A label in neither array, and a subset that leaves labels out.
    absent = np.append(extra, "zz" if extra.dtype.kind == "U" else 99)
    assert_prf_equal(y_true, y_pred, average=average, labels=absent, zero_division=zero_division)
    assert_prf_equal(y_true, y_pred, average=average, labels=extra[:1], zero_division=zero_division)
    weights = np.linspace(0.5, 2.0, len(y_true))
    assert_prf_equal(y_true, y_pred, average=average, sample_weight=weights,
                     zero_division=zero_division)  # fmt: skip
    for labels in (absent, extra[:1]):
        assert quiet(ours.classification_report, y_true, y_pred, labels=labels) == quiet(
            skm.classification_report, y_true, y_pred, labels=labels
        )
    np.testing.assert_array_equal(ours.confusion_matrix(y_true, y_pred),
                                  quiet(skm.confusion_matrix, y_true, y_pred))  # fmt: skip
    assert quiet(ours.classification_report, y_true, y_pred, zero_division=zero_division) == quiet(
        skm.classification_report, y_true, y_pred, zero_division=zero_division
    )


@settings(max_examples=80, deadline=None)
@given(label_pairs())
def test_classification_binary_average_equals_sklearn(pair) -> None:  # noqa: ANN001
    y_true, y_pred = pair
    present = np.unique(np.concatenate([y_true, y_pred]))
    if len(present) > 2:
        with pytest.raises(ValueError, match="at most two labels"):
            ours.f1_score(y_true, y_pred)
        return
    pos_label = present[-1]
    for function in ("precision_score", "recall_score", "f1_score"):
        expected = quiet(getattr(skm, function), y_true, y_pred, pos_label=pos_label)
        assert quiet(getattr(ours, function), y_true, y_pred, pos_label=pos_label) == expected


@settings(max_examples=80, deadline=None)
@given(st.lists(st.tuples(st.booleans(), st.integers(0, 6)), min_size=2, max_size=40))
def test_classification_roc_equals_sklearn_with_ties(rows) -> None:  # noqa: ANN001
    y = np.array([int(r[0]) for r in rows])
    score = np.array([r[1] / 6 for r in rows])
    if len(np.unique(y)) < 2:
        with pytest.raises(ValueError, match="one class"):
            ours.roc_auc_score(y, score)
        return
    for e, g in zip(skm.roc_curve(y, score), ours.roc_curve(y, score), strict=True):
        np.testing.assert_allclose(g, e)
    assert ours.roc_auc_score(y, score) == pytest.approx(skm.roc_auc_score(y, score))


def test_classification_confusion_matrix_labels_leave_rows_out() -> None:
    y_true = ["a", "b", "c", "a"]
    y_pred = ["a", "c", "c", "b"]
    np.testing.assert_array_equal(ours.confusion_matrix(y_true, y_pred, labels=["c", "a"]),
                                  skm.confusion_matrix(y_true, y_pred, labels=["c", "a"]))  # fmt: skip
    with pytest.raises(ValueError, match="none of the labels"):
        ours.confusion_matrix(y_true, y_pred, labels=["z"])


def test_classification_bad_input_says_what_is_wrong() -> None:
    with pytest.raises(ValueError, match="has 2 labels but y_pred has 1"):
        ours.accuracy_score([1, 2], [1])
    with pytest.raises(TypeError, match="mix of label types"):
        ours.accuracy_score(["a", "b"], [1, 2])
    with pytest.raises(ValueError, match="average must be one of"):
        ours.precision_recall_fscore_support([1], [1], average="mean")
    with pytest.raises(ValueError, match="zero_division"):
        ours.precision_recall_fscore_support([1], [1], zero_division=2)
    with pytest.raises(ValueError, match="pos_label='x' is not a label"):
        ours.f1_score(["a", "b"], ["a", "b"], pos_label="x")
    with pytest.raises(ValueError, match="continuous"):
        ours.accuracy_score([0.5, 1.0], [1.0, 1.0])
    with pytest.warns(ours.UndefinedMetricWarning, match="ill-defined"):
        ours.precision_score([0, 1], [0, 0])


def test_classification_plot_confusion_matrix_writes_a_png(tmp_path: Path) -> None:
    cm = ours.confusion_matrix(["ham", "spam", "spam", "ham"], ["ham", "spam", "ham", "ham"])
    for normalize in (None, "true"):
        path = ours.plot_confusion_matrix(cm, ["ham", "spam"], tmp_path / f"{normalize}.png",
                                          normalize=normalize)  # fmt: skip
        assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    with pytest.raises(ValueError, match="for 3 labels"):
        ours.plot_confusion_matrix(cm, ["a", "b", "c"], tmp_path / "x.png")
