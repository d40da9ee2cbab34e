"""`journey search` as a learner meets it: a real process that indexes a folder, answers a
query with marked snippets, and refuses to overwrite the index in one clear line. The other
mistakes are tested in process (tests/apps/test_search.py): each process here costs seconds."""

from __future__ import annotations

from pathlib import Path

from support.cli import assert_one_clear_line, journey


def test_cli_search_indexes_a_folder_and_answers_a_query(tmp_path: Path) -> None:
    notes = tmp_path / "notes"
    notes.mkdir()
    (notes / "a.txt").write_text("Laminar flow over a flat plate.")
    (notes / "b.md").write_text("Shock waves in supersonic flow; the shock stands off the body.")
    built = journey("search", "index", str(notes), cwd=tmp_path)
    assert built.returncode == 0, built.stderr
    assert "indexed 2 documents" in built.stdout and "runs/search-notes/" in built.stdout

    found = journey("search", "query", "shocks", "--no-color", cwd=tmp_path)
    assert found.returncode == 0, found.stderr
    lines = found.stdout.strip().splitlines()
    assert lines[0].startswith("searching runs/search-notes (2 documents, BM25 lucene)")
    assert lines[1].split()[0] == "1." and lines[1].endswith("b.md") and len(lines) == 3
    assert lines[2].strip() == "[Shock] waves in supersonic flow; the [shock] stands off the body."

    again = journey("search", "index", str(notes), cwd=tmp_path)
    assert_one_clear_line(again, "already holds a search index", "--force")
