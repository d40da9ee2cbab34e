"""The search workflow behind `journey search`: folders and datasets in, ranked snippets out,
nothing overwritten without --force, one clear error for each mistake. In process; the
command itself is tested in tests/cli/test_search.py."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from nlpjourney.apps import search as app
from nlpjourney.apps.search import (
    SearchConfig,
    SearchIndexConfig,
    build_index,
    query_index,
    snippet,
)
from nlpjourney.errors import JourneyError

DOCS = {
    "wings/lift.txt": "Lift on a swept wing.\n\nThe boundary layer on a swept wing separates early.",
    "wings/drag.md": "Skin friction drag of a flat plate in laminar flow.",
    "notes/heat.rst": "Heat transfer through the boundary layer of a cone; the layer is thin.",
    "empty.txt": "   \n",
    "image.png": "not text",
    ".git/HEAD.txt": "boundary boundary boundary",
}


@pytest.fixture()
def folder(tmp_path: Path) -> Path:
    root = tmp_path / "papers"
    for name, text in DOCS.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    return root


@pytest.fixture()
def built(folder: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return build_index(SearchIndexConfig(str(folder)), echo=lambda line: None)


def test_search_index_of_a_folder_takes_its_text_files_only(built: Path) -> None:
    assert built == Path("runs/search-papers")
    manifest = json.loads((built / app.MARKER).read_text())
    assert manifest["n_docs"] == 3 and manifest["method"] == "lucene"
    titles = [json.loads(line)["title"] for line in (built / app.DOCUMENTS).open()]
    assert titles == ["notes/heat.rst", "wings/drag.md", "wings/lift.txt"]  # sorted, no hidden


def test_search_ranks_by_bm25_and_marks_the_matched_words(built: Path) -> None:
    hits = query_index(SearchConfig("boundary layers"), echo=lambda line: None)
    # heat.rst says "layer" twice in a shorter text than lift.txt; drag.md has neither word.
    assert [hit.title for hit in hits] == ["notes/heat.rst", "wings/lift.txt"]
    assert [hit.rank for hit in hits] == [1, 2] and hits[0].score > hits[1].score > 0
    marked = [piece for piece, matched in hits[0].snippet if matched]
    assert marked == ["boundary", "layer", "layer"]
    assert "".join(piece for piece, _ in hits[0].snippet) == " ".join(
        DOCS["notes/heat.rst"].split()
    )


def test_search_folder_is_never_overwritten_without_force(
    built: Path, folder: Path, tmp_path: Path
) -> None:
    with pytest.raises(JourneyError, match="already holds a search index.*--force"):
        build_index(SearchIndexConfig(str(folder)), echo=lambda line: None)
    (folder / "wings" / "new.txt").write_text("Boundary layer suction.")
    build_index(SearchIndexConfig(str(folder), force=True, method="bm25+"), echo=print)
    assert json.loads((built / app.MARKER).read_text())["n_docs"] == 4
    hits = query_index(SearchConfig("suction", index_dir="papers"), echo=lambda line: None)
    assert [hit.title for hit in hits] == ["wings/new.txt"]  # bm25+ scores all; only matches shown


def test_search_finds_the_newest_index_or_the_one_named(
    built: Path, folder: Path, tmp_path: Path
) -> None:
    other = tmp_path / "other"
    build_index(SearchIndexConfig(str(folder), out_dir=other), echo=lambda line: None)
    lines: list[str] = []
    query_index(SearchConfig("drag"), echo=lines.append)
    assert lines[0].startswith("searching runs/search-papers (3 documents")  # newest in runs/
    query_index(SearchConfig("drag", index_dir=other), echo=lines.append)
    assert lines[1].startswith(f"searching {other} ")


def test_search_mistakes_are_clear_errors(
    built: Path, folder: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def fails(config: SearchConfig | SearchIndexConfig, message: str) -> None:
        run = query_index if isinstance(config, SearchConfig) else build_index
        with pytest.raises(JourneyError, match=message):
            run(config, echo=lambda line: None)  # type: ignore[arg-type]

    fails(SearchIndexConfig("reuters"), "neither a folder nor a dataset.*cranfield, sms_spam")
    fails(SearchIndexConfig(str(folder / "wings" / "lift.txt")), "is a file")
    fails(SearchIndexConfig(str(folder / "notes"), method="bm26"), "unknown BM25 method 'bm26'")
    fails(SearchIndexConfig(str(folder / "notes"), b=1.5), "b must be")
    (tmp_path / "blank").mkdir()
    fails(SearchIndexConfig(str(tmp_path / "blank")), "no text files")
    mine = tmp_path / "mine"
    (mine / "index").mkdir(parents=True)
    (mine / "index" / "notes.txt").write_text("the user's own")
    fails(SearchIndexConfig(str(folder), out_dir=mine), "already holds index; add --force")
    fails(SearchIndexConfig(str(folder), out_dir=mine, force=True), "is not a search index")
    assert (mine / "index" / "notes.txt").read_text() == "the user's own"
    fails(SearchConfig("the and of"), "no word to search for")
    fails(SearchConfig("drag", k=0), "--k must be from 1 to 100")
    fails(SearchConfig("drag", index_dir="nowhere"), "no search index at nowhere")
    (built / "index" / "doc_ids.npy").write_bytes(b"garbage")
    fails(SearchConfig("drag"), "doc_ids")
    (built / app.MARKER).write_text("{")
    fails(SearchConfig("drag"), "damaged")
    monkeypatch.chdir(tmp_path / "blank")
    fails(SearchConfig("drag"), "no search index in runs/ yet.*journey search index")


def test_search_snippet_picks_the_stretch_with_the_most_distinct_terms() -> None:
    words = ["filler"] * 100
    words[10] = words[12] = "lift"  # two matches of one term
    words[70], words[75] = "lift", "drag"  # two distinct terms: this stretch wins
    pieces = snippet(" ".join(words), {"lift", "drag"}, lambda w: [w], words=10)
    text = "".join(piece for piece, _ in pieces)
    assert text.startswith("... ") and text.endswith(" ...")
    assert [piece for piece, matched in pieces if matched] == ["lift", "drag"]
    assert len(text.split()) == 12  # ten words and the two ellipses


def test_search_index_of_a_dataset(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    build_index(SearchIndexConfig("sms-spam"), echo=lambda line: None)
    hits = query_index(SearchConfig("prize claim", k=3, index_dir="sms_spam"), echo=print)
    assert len(hits) == 3 and all(hit.title.startswith("spam message") for hit in hits)
