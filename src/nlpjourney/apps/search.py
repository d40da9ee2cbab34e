"""A search engine over a registry corpus or a folder of text files: ``journey search``.

:func:`build_index` reads the documents, indexes them (:class:`~nlpjourney.retrieval.InvertedIndex`
with the 1.2 analyzer: lower-case, English stop words, Porter stems) and scores every
posting with :class:`~nlpjourney.retrieval.BM25`, then writes a search folder
(``runs/search-<name>`` by default):

- ``index/``: the inverted index and its BM25 scores, in the format of
  :meth:`BM25.save <nlpjourney.retrieval.BM25.save>` (memory-mapped when opened);
- ``documents.jsonl``: one ``{"title": ..., "text": ...}`` per document, in index order
  (the index keeps terms, not texts; the results show the texts);
- ``search.json``: what was indexed and how, written last (a folder without it holds no
  finished index, and may be built into again without ``--force``).

:func:`query_index` opens such a folder, ranks the documents for a query, and returns each hit
with a snippet: the stretch of the document that holds the most query terms, with the
matched words marked.

The sources (``journey search index SOURCE``): a folder (every ``.txt``, ``.md`` and
``.rst`` file under it is a document) or a dataset of :data:`DATASETS`.

Example::

    build_index(SearchIndexConfig("cranfield"), echo=print)
    hits = query_index(SearchConfig("boundary layer transition"), echo=print)
    hits[0].title, hits[0].snippet
"""

from __future__ import annotations

import json
import re
import shutil
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from nlpjourney.apps.runs import claim_output_folder
from nlpjourney.errors import JourneyError
from nlpjourney.features.analysis import DEFAULT_TOKEN_PATTERN

__all__ = [
    "DATASETS",
    "Hit",
    "SearchConfig",
    "SearchIndexConfig",
    "build_index",
    "load_source",
    "query_index",
    "snippet",
]

#: Where search folders go unless told otherwise: ``runs/search-<name>``.
RUNS = Path("runs")
PREFIX = "search-"
MARKER, DOCUMENTS, INDEX = "search.json", "documents.jsonl", "index"
TEXT_SUFFIXES = (".txt", ".md", ".rst")
MAX_K = 100
SNIPPET_WORDS = 30  # about two lines of a terminal
MIN_PARAGRAPH_WORDS = 20  # State of the Union: a paragraph, not a heading or an aside


def _cranfield() -> list[tuple[str, str]]:
    from nlpjourney.data import corpora

    # The abstracts begin with their title, so the text alone is indexed and shown.
    return [
        (f"{title} [cranfield {doc_id}]", text)
        for doc_id, title, text in corpora.cranfield().documents
    ]


def _sms_spam() -> list[tuple[str, str]]:
    from nlpjourney.data import corpora

    return [
        (f"{label} message {i + 1}", text) for i, (text, label) in enumerate(corpora.sms_spam())
    ]


def _movie_reviews() -> list[tuple[str, str]]:
    from nlpjourney.data import corpora

    rows = corpora.movie_reviews()
    return [(f"{label} review {i + 1}", text) for i, (text, label) in enumerate(rows)]


def _state_union() -> list[tuple[str, str]]:
    from nlpjourney.data import corpora

    documents = []
    for year, president, text in corpora.state_union():
        paragraphs = [p for p in re.split(r"\n+", text) if len(p.split()) >= MIN_PARAGRAPH_WORDS]
        for number, paragraph in enumerate(paragraphs, 1):
            documents.append((f"{year} {president}, paragraph {number}", paragraph))
    return documents


def _brown() -> list[tuple[str, str]]:
    from nlpjourney.data import corpora

    return [
        (f"{fileid} ({genre})", " ".join(words))
        for fileid, genre, words in corpora.brown_documents()
    ]


#: The datasets ``journey search index`` takes by name: ``[(title, text)]`` for each.
DATASETS: dict[str, Callable[[], list[tuple[str, str]]]] = {
    "cranfield": _cranfield,
    "sms_spam": _sms_spam,
    "movie_reviews": _movie_reviews,
    "state_union": _state_union,
    "brown": _brown,
}


@dataclass(frozen=True)
class SearchIndexConfig:
    """One ``journey search index``: what to index and where the search folder goes.

    Attributes:
        source: a folder of text files or a name in :data:`DATASETS` (``-`` or ``_``).
        out_dir: the search folder; None means ``runs/search-<name>``.
        force: replace the index already in ``out_dir``.
        method, k1, b: the BM25 variant and its parameters
            (:class:`~nlpjourney.retrieval.BM25`).
    """

    source: str
    out_dir: Path | None = None
    force: bool = False
    method: str = "lucene"
    k1: float = 1.5
    b: float = 0.75


@dataclass(frozen=True)
class SearchConfig:
    """One ``journey search query``: the query, the folder to search and how many hits.

    ``index_dir`` is a search folder, or a name (``cranfield`` means
    ``runs/search-cranfield``), or None for the most recently built folder in ``runs/``.
    """

    query: str
    index_dir: Path | str | None = None
    k: int = 10


@dataclass(frozen=True)
class Hit:
    """One ranked document: its rank (from 1), id, BM25 score, title and snippet.

    ``snippet`` is a list of ``(text, matched)`` pieces in order, so a caller can mark the
    matched words as it likes (bold on a terminal, brackets elsewhere).
    """

    rank: int
    doc_id: int
    score: float
    title: str
    snippet: list[tuple[str, bool]]


def load_source(source: str) -> tuple[str, list[tuple[str, str]]]:
    """The name and the ``[(title, text)]`` documents of a folder or a dataset.

    Raises:
        JourneyError: neither a folder nor a dataset, or a folder without text files.
        DataNotFoundError: a dataset not in the registry's mirror or cache.
    """
    folder = Path(source).expanduser()
    if folder.is_dir():
        return folder.resolve().name or "root", _folder_documents(folder)
    name = source.strip().lower().replace("-", "_")
    if name in DATASETS:
        return name, DATASETS[name]()
    known = ", ".join(DATASETS)
    if folder.exists():
        raise JourneyError(f"{source} is a file; give a folder of text files or a dataset: {known}")
    raise JourneyError(f"{source!r} is neither a folder nor a dataset; the datasets: {known}")


def _folder_documents(folder: Path) -> list[tuple[str, str]]:
    documents, unreadable = [], 0
    for file in sorted(_text_files(folder)):
        try:
            text = file.read_text("utf-8")
        except (UnicodeDecodeError, OSError):
            unreadable += 1
            continue
        if text.strip():
            documents.append((str(file.relative_to(folder)), text))
    if not documents:
        suffixes = ", ".join(TEXT_SUFFIXES)
        extra = f" ({unreadable} could not be read as UTF-8)" if unreadable else ""
        raise JourneyError(f"no text files ({suffixes}) with any text under {folder}{extra}")
    return documents


def _text_files(folder: Path) -> Iterator[Path]:
    """The text files under ``folder``, skipping hidden folders and files (.git, .venv)."""
    for path in folder.rglob("*"):
        parts = path.relative_to(folder).parts
        if path.suffix.lower() in TEXT_SUFFIXES and path.is_file():
            if not any(part.startswith(".") for part in parts):
                yield path


def build_index(config: SearchIndexConfig, echo: Callable[[str], Any] = print) -> Path:
    """Index the documents of ``config.source`` into a search folder; returns the folder.

    Raises:
        JourneyError: a bad source, bad BM25 parameters, or a folder that already holds
            an index (without ``force``).
    """
    from nlpjourney.retrieval import BM25, InvertedIndex
    from nlpjourney.retrieval.scoring import check_k1_b, check_method

    try:  # refuse bad parameters before any work
        check_method(config.method)
        check_k1_b(config.k1, config.b)
    except ValueError as error:
        raise JourneyError(str(error)) from None
    name, documents = load_source(config.source)
    out = config.out_dir or RUNS / f"{PREFIX}{name}"
    claim_output_folder(out, config.force, MARKER, "a search index")
    _clear_previous(out, config.force)

    echo(f"indexing {len(documents):,} documents of {name} ...")
    start = time.perf_counter()
    # Only the texts are indexed: a title is a label (a file name, "spam message 12").
    texts = [text for _, text in documents]
    ranker = BM25.from_index(InvertedIndex.from_texts(texts), config.k1, config.b, config.method)
    ranker.save(out / INDEX)
    with (out / DOCUMENTS).open("w", encoding="utf-8") as file:
        for title, text in documents:
            file.write(json.dumps({"title": title, "text": text}, ensure_ascii=False) + "\n")
    seconds = time.perf_counter() - start
    index = ranker.inverted_index_
    manifest = {
        "source": config.source,
        "name": name,
        "n_docs": index.n_docs,
        "n_terms": index.n_terms,
        "n_postings": int(len(index.doc_ids)),
        "method": config.method,
        "k1": config.k1,
        "b": config.b,
        "seconds": round(seconds, 3),
    }
    (out / MARKER).write_text(json.dumps(manifest, indent=2) + "\n", "utf-8")
    echo(
        f"indexed {index.n_docs:,} documents: {index.n_terms:,} terms, "
        f"{len(index.doc_ids):,} postings, in {seconds:.1f} s"
    )
    return out


def _clear_previous(out: Path, force: bool) -> None:
    """Remove what an earlier build left in ``out``, but nothing that is not ours.

    A build that stopped before ``search.json`` leaves ``index/`` and ``documents.jsonl``
    behind; they are replaced only with ``force``, and an ``index/`` folder is removed
    only if it holds an inverted index (``--out`` may name a folder of the user's own).
    """
    index, documents = out / INDEX, out / DOCUMENTS
    leftovers = [p for p in (index, documents) if p.exists()]
    if leftovers and not force:
        names = " and ".join(p.name for p in leftovers)
        raise JourneyError(f"{out} already holds {names}; add --force to replace them")
    if index.exists():
        try:
            ours = json.loads((index / "manifest.json").read_text("utf-8"))["format"]
        except (OSError, ValueError, KeyError, TypeError):
            ours = None
        if ours != "nlpjourney-inverted-index":
            raise JourneyError(f"{index} is not a search index; choose another --out")
        shutil.rmtree(index)
    (out / MARKER).unlink(missing_ok=True)  # until the new index is complete


def find_index(index_dir: Path | str | None) -> Path:
    """The search folder a query means: a folder, a name in ``runs/``, or the newest one.

    Raises:
        JourneyError: no such folder, or a folder without a finished index.
    """
    if index_dir is None:
        built = sorted(RUNS.glob(f"{PREFIX}*/{MARKER}"), key=lambda p: p.stat().st_mtime)
        if not built:
            raise JourneyError(
                f"no search index in {RUNS}/ yet: build one with "
                "`journey search index cranfield` (or a folder of text files)"
            )
        return built[-1].parent
    folder = Path(index_dir).expanduser()
    named = RUNS / f"{PREFIX}{str(index_dir).removeprefix(PREFIX)}"
    for candidate in (folder, named):
        if (candidate / MARKER).is_file():
            return candidate
    if folder.is_dir():
        raise JourneyError(
            f"{folder} holds no finished search index; build one with "
            f"`journey search index SOURCE --out {folder}`"
        )
    raise JourneyError(f"no search index at {index_dir}: build one with `journey search index`")


def query_index(config: SearchConfig, echo: Callable[[str], Any] = print) -> list[Hit]:
    """Rank the documents of a search folder for ``config.query``; the best first.

    Only documents that contain at least one query term are returned (BM25L and BM25+
    give every document a small score, which says nothing about it).

    Raises:
        JourneyError: no index, a damaged index, ``k`` out of range, or a query with no
            searchable word.
    """
    from nlpjourney.retrieval import BM25

    if not 1 <= config.k <= MAX_K:
        raise JourneyError(f"--k must be from 1 to {MAX_K}, got {config.k}")
    folder = find_index(config.index_dir)
    manifest = _read_manifest(folder)
    if not (folder / INDEX).is_dir():
        raise JourneyError(f"{folder} has no {INDEX}/ folder; build the index again with --force")
    ranker = BM25.load(folder / INDEX)  # a damaged index raises IndexFormatError, one line
    index = ranker.inverted_index_
    terms = list(dict.fromkeys(index.analyze(config.query)))
    if not terms:
        raise JourneyError(
            f"the query {config.query!r} has no word to search for (only stop words or "
            "one-letter words); add a content word"
        )
    known = [term for term in terms if term in index.term_ids]
    echo(
        f"searching {folder} ({manifest['n_docs']:,} documents, BM25 {manifest['method']}); "
        f"terms: {', '.join(t if t in known else t + ' (not in any document)' for t in terms)}"
    )
    matched = _matching_documents(index, known)
    ids, scores = ranker.search(terms, k=min(config.k, index.n_docs))
    ranked = [(int(d), float(s)) for d, s in zip(ids, scores, strict=True) if int(d) in matched]
    documents = _read_documents(folder, {d for d, _ in ranked}, index.n_docs)
    stems = set(known)
    pattern = (index.analyzer_settings or {}).get("token_pattern", DEFAULT_TOKEN_PATTERN)
    return [
        Hit(
            rank,
            doc_id,
            score,
            documents[doc_id][0],
            snippet(documents[doc_id][1], stems, index.analyze, pattern),
        )
        for rank, (doc_id, score) in enumerate(ranked, 1)
    ]


def _matching_documents(index: Any, terms: list[str]) -> set[int]:
    matched: set[int] = set()
    for term in terms:
        matched.update(index.postings(term)[0].tolist())
    return matched


def _read_manifest(folder: Path) -> dict[str, Any]:
    try:
        manifest = json.loads((folder / MARKER).read_text("utf-8"))
        int(manifest["n_docs"]), str(manifest["method"])
    except (ValueError, KeyError, TypeError) as error:
        raise JourneyError(
            f"{folder / MARKER} is damaged ({error}); build the index again with --force"
        ) from None
    return manifest


def _read_documents(folder: Path, wanted: set[int], n_docs: int) -> dict[int, tuple[str, str]]:
    """The ``(title, text)`` of the documents ``wanted``, read from ``documents.jsonl``."""
    found: dict[int, tuple[str, str]] = {}
    path = folder / DOCUMENTS
    try:
        with path.open(encoding="utf-8") as file:
            for line_number, line in enumerate(file):
                if line_number in wanted:
                    row = json.loads(line)
                    found[line_number] = (str(row["title"]), str(row["text"]))
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise JourneyError(
            f"{path} is missing or damaged ({error}); build the index again"
        ) from None
    if len(found) < len(wanted):
        raise JourneyError(
            f"{path} holds fewer documents than the index ({n_docs}); build the index again"
        )
    return found


def snippet(
    text: str,
    terms: set[str],
    analyze: Callable[[str], list[str]],
    token_pattern: str = DEFAULT_TOKEN_PATTERN,
    words: int = SNIPPET_WORDS,
) -> list[tuple[str, bool]]:
    """The stretch of ``text`` of ``words`` tokens that holds the most distinct query terms.

    Args:
        text: the document.
        terms: the query's terms (analysed: lower-cased, stemmed).
        analyze: the index's analyzer, to turn each token of ``text`` into its term.
        token_pattern: what a token is, the index's own pattern (so the marked words are
            the words that matched).
        words: the length of the stretch, in tokens.

    Returns:
        ``(piece, matched)`` pairs in order; joined, the pieces are the stretch, its white
        space folded to single spaces (with "... " or " ..." where it cuts the text).
        Ties go to the earliest stretch.

    Example:
        >>> pieces = snippet("Flow in the boundary layer.", {"layer"}, lambda w: [w.lower()])
        >>> [piece for piece, matched in pieces if matched]
        ['layer']
    """
    tokens = [match.span() for match in re.finditer(token_pattern, text)]
    if not tokens:
        return [(" ".join(text.split()[:words]), False)] if text.strip() else []
    cache: dict[str, str | None] = {}

    def term_of(token: str) -> str | None:
        """The query term ``token`` stands for, or None."""
        if token not in cache:
            found = [term for term in analyze(token) if term in terms]
            cache[token] = found[0] if found else None
        return cache[token]

    hits = [term_of(text[a:b]) for a, b in tokens]
    start = _best_window(hits, words)
    end = min(len(tokens), start + words)
    pieces: list[tuple[str, bool]] = [("... ", False)] if start > 0 else []
    cursor = tokens[start][0]
    for i in range(start, end):
        a, b = tokens[i]
        pieces += [(text[cursor:a], False), (text[a:b], hits[i] is not None)]
        cursor = b
    if end < len(tokens):
        pieces.append((" ...", False))
    else:
        pieces.append((text[cursor:].rstrip(), False))
    folded = [(re.sub(r"\s+", " ", piece), matched) for piece, matched in pieces]
    return [(piece, matched) for piece, matched in folded if piece]


def _best_window(hits: list[str | None], words: int) -> int:
    """The start of the window of ``words`` words with the most distinct terms, then the
    most matches; windows start a few words before a match, so it has some context."""
    best, best_key = 0, (0, 0)
    lead = words // 4
    for position in (i for i, hit in enumerate(hits) if hit is not None):
        start = max(0, min(position - lead, len(hits) - words))
        window = [hit for hit in hits[start : start + words] if hit is not None]
        key = (len(set(window)), len(window))
        if key > best_key:
            best, best_key = start, key
    return best
