"""The Cranfield reader on the mirror's real files: counts, first and last records, the
query renumbering, the relevance-code inversion and the stray markers."""

from __future__ import annotations

from collections import Counter

from nlpjourney.data import corpora


def test_cranfield_counts_and_ends() -> None:
    collection = corpora.cranfield()
    assert len(collection.documents) == 1400
    assert [doc_id for doc_id, _, _ in collection.documents] == [str(i) for i in range(1, 1401)]
    first_id, first_title, first_text = collection.documents[0]
    assert (
        first_title == "experimental investigation of the aerodynamics of a wing in a slipstream ."
    )
    assert first_text.startswith(first_title + " an experimental study of a wing in a propeller")
    assert collection.documents[-1][2].endswith(
        "ratios of width to stiffener spacing of graphical forms ."
    )
    assert len(collection.queries) == 225
    assert collection.queries[0][1].startswith("what similarity laws must be obeyed")
    assert collection.queries[-1] == (
        "225",
        "what design factors can be used to control lift-drag ratios at mach numbers above 5 .",
    )


def test_cranfield_queries_are_numbered_by_position() -> None:
    collection = corpora.cranfield()
    # cran.qry calls the third query ".I 004"; cranqrel calls it 3.
    assert collection.queries[2] == (
        "3",
        "what problems of heat conduction in composite slabs have been solved so far .",
    )
    assert sorted(collection.qrels, key=int) == [str(i) for i in range(1, 226)]


def test_cranfield_relevance_codes_become_gains() -> None:
    qrels = corpora.cranfield().qrels
    assert sum(map(len, qrels.values())) == 1837
    # Code 1 (a complete answer, 128 pairs) -> 4 ... code 4 -> 1; -1 (no interest) -> 0.
    assert Counter(g for judged in qrels.values() for g in judged.values()) == {
        4: 128,
        3: 387,
        2: 734,
        1: 363,
        0: 225,
    }
    assert qrels["1"]["184"] == 3  # "1 184 2"
    assert qrels["1"]["13"] == 1  # "1 13 4"


def test_cranfield_stray_markers_and_empty_documents() -> None:
    documents = {doc_id: text for doc_id, _, text in corpora.cranfield().documents}
    assert ".A" not in documents["240"].split() and ".B" not in documents["240"].split()
    assert "application to turbulent separations" in documents["240"]
    assert documents["471"] == documents["995"] == ""
    assert all(text for doc_id, text in documents.items() if doc_id not in ("471", "995"))
