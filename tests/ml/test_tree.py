"""DecisionTreeClassifier against scikit-learn's on its bundled datasets (nlpjourney.ml.tree).

Where no two features tie for a split, both libraries grow the same tree node for node.
Where they tie, each keeps the first feature met in a random order of its own, so trees
differ by seed; the accuracy tests therefore average over splits and seeds on both sides.
Sparse input (TF-IDF of SMS spam and movie reviews from the registry) must grow exactly
the tree its dense copy grows, and match scikit-learn's accuracy fed the same matrix.
"""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn import tree as sk_tree
from sklearn.base import clone
from sklearn.datasets import load_breast_cancer, load_digits, load_iris
from sklearn.model_selection import train_test_split
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler

from nlpjourney.data import corpora
from nlpjourney.features import TfidfVectorizer
from nlpjourney.ml import model_selection
from nlpjourney.ml.base import NotFittedError
from nlpjourney.ml.tree import DecisionTreeClassifier, Tree, n_features_per_split

LOADERS = {"iris": load_iris, "breast_cancer": load_breast_cancer, "digits": load_digits}


def same_nodes(ours: DecisionTreeClassifier, theirs: sk_tree.DecisionTreeClassifier) -> bool:
    a, b = ours.tree_, theirs.tree_
    return (
        a.node_count == b.node_count
        and np.array_equal(a.feature, b.feature)
        and np.array_equal(a.threshold, b.threshold)
        and np.array_equal(a.left, b.children_left)
        and np.array_equal(a.right, b.children_right)
    )


@pytest.mark.parametrize("criterion", ["gini", "entropy"])
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_tree_grows_sklearns_tree_where_no_features_tie(criterion: str, seed: int) -> None:
    X, y = load_digits(return_X_y=True)
    params = {"criterion": criterion, "max_depth": 3, "random_state": seed}
    ours = DecisionTreeClassifier(**params).fit(X, y)
    theirs = sk_tree.DecisionTreeClassifier(**params).fit(X, y)
    assert same_nodes(ours, theirs)
    np.testing.assert_allclose(ours.tree_.value, theirs.tree_.value[:, 0], atol=1e-12)
    np.testing.assert_allclose(ours.tree_.impurity, theirs.tree_.impurity, atol=1e-12)
    np.testing.assert_allclose(ours.feature_importances_, theirs.feature_importances_, atol=1e-12)
    assert (ours.get_depth(), ours.get_n_leaves()) == (theirs.get_depth(), theirs.get_n_leaves())
    np.testing.assert_array_equal(ours.apply(X), theirs.apply(X))
    names = [f"pixel_{i}" for i in range(64)]
    assert ours.describe(names) == sk_tree.export_text(theirs, feature_names=names).rstrip("\n")


@pytest.mark.parametrize(("name", "depth"), [("iris", 2), ("iris", 3), ("breast_cancer", 2)])
def test_tree_splits_rows_as_sklearn_even_where_features_tie(name: str, depth: int) -> None:
    # iris: petal length and width both cut setosa off perfectly, so the root's feature
    # depends on each library's random order; the partition of the rows does not.
    X, y = LOADERS[name](return_X_y=True)
    for seed in range(4):
        ours = DecisionTreeClassifier(max_depth=depth, random_state=seed).fit(X, y)
        theirs = sk_tree.DecisionTreeClassifier(max_depth=depth, random_state=seed).fit(X, y)
        np.testing.assert_array_equal(ours.tree_.n_node_samples, theirs.tree_.n_node_samples)
        np.testing.assert_allclose(ours.tree_.value, theirs.tree_.value[:, 0], atol=1e-12)
        assert ours.score(X, y) == theirs.score(X, y)


@pytest.mark.parametrize("name", list(LOADERS))
@pytest.mark.parametrize("params", [{}, {"max_depth": 4, "criterion": "entropy"}])
def test_tree_test_accuracy_matches_sklearn_on_average(name: str, params: dict) -> None:
    # Protocol: 10 train/test splits x 5 seeds (digits, larger and slower: 4 x 4), the same
    # (split, seed) pairs on both sides; mean test accuracies within 0.5 points. Tie-breaking differs by seed (see module
    # docstring), so single runs may differ by a few rows.
    X, y = LOADERS[name](return_X_y=True)
    ours, theirs = [], []
    splits, seeds = (4, 4) if name == "digits" else (10, 5)
    for split in range(splits):
        X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=split)
        for seed in range(seeds):
            args = {**params, "random_state": seed}
            ours.append(DecisionTreeClassifier(**args).fit(X_train, y_train).score(X_test, y_test))
            sk = sk_tree.DecisionTreeClassifier(**args).fit(X_train, y_train)
            theirs.append(sk.score(X_test, y_test))
    print(f"{name} {params}: ours {np.mean(ours):.4f}, sklearn {np.mean(theirs):.4f}")
    assert abs(np.mean(ours) - np.mean(theirs)) <= 0.005


def test_tree_respects_depth_and_leaf_limits() -> None:
    X, y = load_breast_cancer(return_X_y=True)
    tree = DecisionTreeClassifier(max_depth=3, min_samples_leaf=20).fit(X, y)
    leaves = tree.tree_.left < 0
    assert tree.get_depth() <= 3
    assert tree.tree_.n_node_samples[leaves].min() >= 20
    assert tree.get_n_leaves() == leaves.sum()
    big = DecisionTreeClassifier(min_samples_split=100).fit(X, y)
    split = ~(big.tree_.left < 0)
    assert big.tree_.n_node_samples[split].min() >= 100


def test_tree_fits_distinct_rows_perfectly_and_is_reproducible() -> None:
    X, y = load_digits(return_X_y=True)
    tree = DecisionTreeClassifier(random_state=0).fit(X, y)
    assert tree.score(X, y) == 1.0
    sub = {"max_features": "sqrt", "random_state": 5}
    a, b = DecisionTreeClassifier(**sub).fit(X, y), DecisionTreeClassifier(**sub).fit(X, y)
    np.testing.assert_array_equal(a.tree_.feature, b.tree_.feature)
    other = DecisionTreeClassifier(max_features="sqrt", random_state=6).fit(X, y)
    assert not np.array_equal(a.tree_.feature, other.tree_.feature)


def test_tree_proba_rows_are_class_proportions_with_string_labels() -> None:
    X, y = load_iris(return_X_y=True)
    names = np.array(["setosa", "versicolor", "virginica"])[y]
    tree = DecisionTreeClassifier(max_depth=2, random_state=0).fit(X, names)
    assert tree.classes_.tolist() == ["setosa", "versicolor", "virginica"]
    proba = tree.predict_proba(X)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    assert set(tree.predict(X)) <= set(names)
    assert abs(tree.feature_importances_.sum() - 1.0) < 1e-12


def test_tree_sample_weight_counts_as_repeated_rows() -> None:
    X, y = load_iris(return_X_y=True)
    weights = np.random.RandomState(0).randint(1, 4, len(y))
    weighted = DecisionTreeClassifier(max_depth=3, random_state=0).fit(X, y, sample_weight=weights)
    theirs = sk_tree.DecisionTreeClassifier(max_depth=3, random_state=0)
    theirs.fit(X, y, sample_weight=weights)
    np.testing.assert_allclose(weighted.tree_.weighted_n_node_samples,
                               theirs.tree_.weighted_n_node_samples)  # fmt: skip


def test_tree_keeps_the_estimator_contract() -> None:
    X, y = load_iris(return_X_y=True)
    tree = DecisionTreeClassifier(max_depth=2)
    with pytest.raises(NotFittedError, match="not fitted"):
        tree.predict(X)
    assert tree.fit(X, y) is tree
    with pytest.raises(ValueError, match="fitted on 4"):
        tree.predict(X[:, :3])
    copy = clone(DecisionTreeClassifier(criterion="entropy", max_depth=3))
    assert copy.get_params()["criterion"] == "entropy" and not hasattr(copy, "tree_")
    pipe = Pipeline([("scale", StandardScaler()), ("tree", DecisionTreeClassifier(random_state=0))])
    assert pipe.fit(X, y).score(X, y) == 1.0


@pytest.mark.parametrize(
    ("params", "message"),
    [({"criterion": "mse"}, "criterion"), ({"max_depth": 0}, "max_depth"),
     ({"min_samples_split": 1}, "min_samples_split"), ({"min_samples_leaf": 0}, "min_samples_leaf"),
     ({"max_features": "half"}, "max_features"), ({"max_features": 9}, "max_features")],
)  # fmt: skip
def test_tree_refuses_bad_settings_with_clear_messages(params: dict, message: str) -> None:
    X, y = load_iris(return_X_y=True)
    with pytest.raises(ValueError, match=message):
        DecisionTreeClassifier(**params).fit(X, y)


def test_tree_refuses_bad_weights() -> None:
    X, y = load_iris(return_X_y=True)
    with pytest.raises(ValueError, match="sample_weight"):
        DecisionTreeClassifier().fit(X, y, sample_weight=-np.ones(len(y)))


def test_tree_features_per_split_follow_sklearns_rule() -> None:
    assert [n_features_per_split(m, 30) for m in (None, "sqrt", "log2", 3, 0.5)] == [
        30,
        5,
        4,
        3,
        15,
    ]


def tfidf_split(name: str, split: int = 0) -> tuple:
    """TF-IDF (ours, fitted on the training texts) of a stratified 75/25 split of a corpus."""
    pairs = corpora.sms_spam() if name == "sms_spam" else corpora.movie_reviews()
    texts, labels = [t for t, _ in pairs], np.array([label for _, label in pairs])
    train, test, y_train, y_test = model_selection.train_test_split(
        texts, labels, random_state=split, stratify=labels
    )
    # Movie reviews are long: frequent words only, so a tree grows in a fraction of a second.
    settings = {} if name == "sms_spam" else {"min_df": 5, "max_features": 2000}
    vectorizer = TfidfVectorizer(**settings).fit(train)
    return vectorizer.transform(train), vectorizer.transform(test), y_train, y_test


def assert_same_tree(a: Tree, b: Tree) -> None:
    for field in ("feature", "threshold", "left", "right", "value", "impurity", "n_node_samples",
                  "weighted_n_node_samples"):  # fmt: skip
        np.testing.assert_array_equal(getattr(a, field), getattr(b, field), err_msg=field)


@pytest.mark.parametrize(
    "params",
    [{}, {"criterion": "entropy", "max_features": "sqrt"}, {"max_depth": 5, "min_samples_leaf": 4}],
)
@pytest.mark.parametrize("shift", [0.0, 8.0])
def test_tree_sparse_input_grows_the_dense_copys_tree(params: dict, shift: float) -> None:
    # shift 8 makes a third of the values negative: the zero block then sits mid-sweep.
    X, y = load_digits(return_X_y=True)
    X = X - shift
    weights = np.random.RandomState(0).randint(0, 3, len(y))  # as a forest's bootstrap
    dense = DecisionTreeClassifier(**params, random_state=0).fit(X, y, sample_weight=weights)
    for form in (sp.csr_matrix, sp.csc_matrix):
        sparse = DecisionTreeClassifier(**params, random_state=0)
        sparse.fit(form(X), y, sample_weight=weights)
        assert_same_tree(sparse.tree_, dense.tree_)
        np.testing.assert_array_equal(sparse.apply(form(X)), dense.apply(X))
        np.testing.assert_array_equal(sparse.predict_proba(form(X)), dense.predict_proba(X))


def test_tree_sparse_input_with_duplicates_and_stored_zeros_reads_as_dense() -> None:
    # COO entries at the same place add up; a stored zero is a zero.
    rows, cols = np.array([0, 0, 1, 2, 2, 3, 3]), np.array([0, 0, 1, 0, 1, 1, 0])
    vals = np.array([1.0, 2.0, 0.0, 5.0, 1.0, 2.0, 0.0])
    X = sp.coo_matrix((vals, (rows, cols)), shape=(4, 2))
    y = np.array([0, 0, 1, 1])
    sparse = DecisionTreeClassifier(random_state=0).fit(X, y)
    dense = DecisionTreeClassifier(random_state=0).fit(X.toarray(), y)
    assert_same_tree(sparse.tree_, dense.tree_)
    assert sparse.score(X, y) == 1.0


def test_tree_sparse_input_without_nonzeros_is_one_leaf() -> None:
    tree = DecisionTreeClassifier().fit(sp.csr_matrix((5, 4)), ["a", "b", "a", "b", "b"])
    assert tree.tree_.node_count == 1
    assert tree.predict(sp.csr_matrix((2, 4))).tolist() == ["b", "b"]


def test_tree_sparse_tfidf_grows_the_dense_copys_tree() -> None:
    X_train, X_test, y_train, _ = tfidf_split("sms_spam")
    # A slice of the columns keeps the dense copy's slow search short.
    X_train, X_test = X_train[:, :1500], X_test[:, :1500]
    sparse = DecisionTreeClassifier(max_depth=8, random_state=0).fit(X_train, y_train)
    dense = DecisionTreeClassifier(max_depth=8, random_state=0).fit(X_train.toarray(), y_train)
    assert_same_tree(sparse.tree_, dense.tree_)
    np.testing.assert_array_equal(sparse.predict(X_test), dense.predict(X_test.toarray()))


@pytest.mark.slow
@pytest.mark.parametrize("name", ["sms_spam", "movie_reviews"])
def test_tree_tfidf_accuracy_matches_sklearn_on_average(name: str) -> None:
    # Protocol: 3 stratified splits (our train_test_split, seeds 0-2) x 5 seeds, both
    # libraries fed the same sparse TF-IDF matrix with default settings; mean test
    # accuracies within 0.5 points. Words seen in the same documents only give tied
    # columns, and ties are broken by each library's own random order (module docstring).
    ours, theirs = [], []
    for split in range(3):
        X_train, X_test, y_train, y_test = tfidf_split(name, split)
        for seed in range(5):
            tree = DecisionTreeClassifier(random_state=seed).fit(X_train, y_train)
            ours.append(tree.score(X_test, y_test))
            sk = sk_tree.DecisionTreeClassifier(random_state=seed).fit(X_train, y_train)
            theirs.append(sk.score(X_test, y_test))
    print(f"{name}: ours {np.mean(ours):.4f}, sklearn {np.mean(theirs):.4f}")
    assert abs(np.mean(ours) - np.mean(theirs)) <= 0.005
