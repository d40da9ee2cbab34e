"""InvertedIndex: postings equal scikit-learn's counts, positions equal a plain loop, the
analyzer equals the 1.2 pipeline, and the saved folder round-trips or fails clearly."""

from __future__ import annotations

import json
from functools import cache

import numpy as np
import pytest
from scipy.sparse import csc_matrix
from sklearn.feature_extraction.text import CountVectorizer as SkCountVectorizer
from support.bm25_corpora import cranfield_texts

from nlpjourney.errors import DataNotFoundError, JourneyError
from nlpjourney.features import CountVectorizer
from nlpjourney.retrieval import IndexFormatError, InvertedIndex
from nlpjourney.retrieval._kernels import group_by_term
from nlpjourney.text import PorterStemmer


@cache
def cranfield_index() -> tuple[list[list[str]], InvertedIndex]:
    docs, _ = cranfield_texts()
    tokens = [doc.split() for doc in docs]  # raw tokens keep stop words: long postings
    return tokens, InvertedIndex.build(tokens)


def test_index_postings_equal_sklearn_counts_on_cranfield() -> None:
    tokens, index = cranfield_index()
    counts = SkCountVectorizer(analyzer=lambda doc: doc).fit(tokens)
    matrix = counts.transform(tokens).tocsc()
    vocabulary = counts.vocabulary_
    assert sorted(index.vocabulary) == sorted(vocabulary)
    # Our postings, term-major, are the columns of a CSC document-term matrix.
    ours = csc_matrix((index.tfs, index.doc_ids, index.term_ptr), shape=matrix.shape)
    ours = ours[:, np.argsort([vocabulary[term] for term in index.vocabulary])]
    assert (ours != matrix).nnz == 0
    np.testing.assert_array_equal(
        index.df[index.term_ids["flow"]], matrix[:, vocabulary["flow"]].nnz
    )
    np.testing.assert_array_equal(index.doc_lengths, [len(doc) for doc in tokens])
    assert index.avgdl == pytest.approx(np.mean([len(doc) for doc in tokens]))


def test_index_positions_equal_a_plain_loop() -> None:
    tokens, index = cranfield_index()
    for d in range(0, len(tokens), 37):
        where: dict[str, list[int]] = {}
        for position, token in enumerate(tokens[d]):
            where.setdefault(token, []).append(position)
        for term, positions in where.items():
            np.testing.assert_array_equal(index.positions(term, d), positions)
    assert index.positions("flow", 1).size == 0 or "flow" in tokens[1]
    assert index.positions("no-such-term", 0).size == 0


def test_index_counting_sort_equals_its_numpy_twin() -> None:
    rng = np.random.default_rng(0)
    term_ids = rng.integers(0, 50, size=5_000).astype(np.int32)
    order, term_ptr = group_by_term(term_ids, 50)
    np.testing.assert_array_equal(order, np.argsort(term_ids, kind="stable"))
    np.testing.assert_array_equal(
        term_ptr, np.append(0, np.cumsum(np.bincount(term_ids, minlength=50)))
    )


def test_index_analyzer_is_the_features_pipeline_plus_porter() -> None:
    docs, _ = cranfield_texts()
    index = InvertedIndex.from_texts(docs[:200])
    analyzer = CountVectorizer(stop_words="english").build_analyzer()
    stemmer = PorterStemmer()
    for doc in docs[:200]:
        assert index.analyze(doc) == [stemmer.stem(token) for token in analyzer(doc)]
    assert index.analyzer_settings == {
        "lowercase": True,
        "stop_words": "english",
        "stemmer": "porter",
        "token_pattern": r"(?u)\b\w\w+\b",
    }


@pytest.mark.parametrize(
    "options",
    [{}, {"stop_words": None, "stemmer": None}, {"lowercase": False, "token_pattern": r"\S+"}],
)
def test_index_from_texts_equals_build_of_analyzed_texts(options: dict) -> None:
    docs, _ = cranfield_texts()
    from_texts = InvertedIndex.from_texts(docs, **options)
    built = InvertedIndex.build([from_texts.analyze(doc) for doc in docs])
    assert from_texts.vocabulary == built.vocabulary
    for name, array in built._arrays().items():
        np.testing.assert_array_equal(from_texts._arrays()[name], array, err_msg=name)


def test_index_handles_empty_documents_and_an_empty_corpus() -> None:
    index = InvertedIndex.build([[], ["a", "b", "a"], []])
    assert index.n_docs == 3 and list(index.doc_lengths) == [0, 3, 0]
    np.testing.assert_array_equal(index.postings("a")[1], [2])
    np.testing.assert_array_equal(index.positions("a", 1), [0, 2])
    empty = InvertedIndex.build([])
    assert empty.n_docs == 0 and empty.n_terms == 0 and empty.avgdl == 0.0


def test_index_save_load_round_trip_memory_mapped(tmp_path) -> None:
    docs, _ = cranfield_texts()
    index = InvertedIndex.from_texts(docs)
    index.save(tmp_path / "idx")
    loaded = InvertedIndex.load(tmp_path / "idx")
    assert isinstance(loaded.doc_ids, np.memmap) and isinstance(loaded.token_positions, np.memmap)
    assert loaded.vocabulary == index.vocabulary
    for name, array in index._arrays().items():
        np.testing.assert_array_equal(loaded._arrays()[name], array, err_msg=name)
    assert loaded.analyze("Supersonic flows") == index.analyze("Supersonic flows")
    in_memory = InvertedIndex.load(tmp_path / "idx", mmap=False)
    assert not isinstance(in_memory.doc_ids, np.memmap)
    manifest = json.loads((tmp_path / "idx" / "manifest.json").read_text("utf-8"))
    assert manifest["format"] == "nlpjourney-inverted-index" and manifest["version"] == 1


def test_index_built_from_tokens_has_no_analyzer(tmp_path) -> None:
    index = InvertedIndex.build([["a", "b"]])
    with pytest.raises(ValueError, match="built from tokens"):
        index.analyze("a b")
    index.save(tmp_path / "idx")
    assert InvertedIndex.load(tmp_path / "idx").analyzer_settings is None


def _break(folder, how: str) -> None:
    if how == "no manifest":
        (folder / "manifest.json").unlink()
    elif how == "bad json":
        (folder / "manifest.json").write_text("{not json", "utf-8")
    elif how == "foreign":
        (folder / "manifest.json").write_text('{"format": "something else"}', "utf-8")
    elif how == "version":
        manifest = json.loads((folder / "manifest.json").read_text("utf-8"))
        manifest["version"] = 99
        (folder / "manifest.json").write_text(json.dumps(manifest), "utf-8")
    elif how == "missing array":
        (folder / "doc_ids.npy").unlink()
    elif how == "short array":
        np.save(folder / "tfs.npy", np.ones(3, dtype=np.int32))
    elif how == "garbage array":
        (folder / "positions.npy").write_bytes(b"not an npy file")


@pytest.mark.parametrize(
    ("how", "error", "message"),
    [
        ("no manifest", DataNotFoundError, "not a saved index"),
        ("bad json", IndexFormatError, "not valid JSON"),
        ("foreign", IndexFormatError, "not an nlpjourney inverted index"),
        ("version", IndexFormatError, "version 99"),
        ("missing array", IndexFormatError, "lacks doc_ids.npy"),
        ("short array", IndexFormatError, "expected"),
        ("garbage array", IndexFormatError, "not a readable .npy"),
    ],
)
def test_index_load_of_a_broken_folder_says_what_is_wrong(tmp_path, how, error, message) -> None:
    InvertedIndex.from_texts(["one text", "another text"]).save(tmp_path / "idx")
    _break(tmp_path / "idx", how)
    with pytest.raises(error, match=message) as raised:
        InvertedIndex.load(tmp_path / "idx")
    assert isinstance(raised.value, JourneyError)


def test_index_load_of_a_missing_folder_raises_data_not_found(tmp_path) -> None:
    with pytest.raises(DataNotFoundError, match="no index folder"):
        InvertedIndex.load(tmp_path / "nowhere")


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        (lambda: InvertedIndex.build("a text"), TypeError, "got one str"),
        (lambda: InvertedIndex.build(["a text", "another"]), TypeError, "list of tokens"),
        (lambda: InvertedIndex.build([["a", 3]]), TypeError, "tokens must be strings"),
        (lambda: InvertedIndex.from_texts("a text"), TypeError, "wrap it"),
        (lambda: InvertedIndex.from_texts([b"bytes"]), TypeError, "must be a str"),
        (lambda: InvertedIndex.from_texts(["x"], stemmer="snowball"), ValueError, "stemmer"),
        (lambda: InvertedIndex.from_texts(["x"], token_pattern="("), ValueError, "regular"),
        (lambda: InvertedIndex.from_texts(["x"], stop_words="klingon"), ValueError, "stop"),
        (lambda: InvertedIndex.build([["a"]]).positions("a", 5), IndexError, "out of range"),
    ],
)
def test_index_bad_input_says_what_is_wrong(call, error, message: str) -> None:
    with pytest.raises(error, match=message):
        call()
