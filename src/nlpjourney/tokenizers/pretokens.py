"""Reading a training corpus and counting its pre-tokens once, on every core.

Phase 1 of :func:`~nlpjourney.tokenizers.bpe_trainer.train_bpe`, and the reader every
trainer shares. A corpus is a file path (str or Path), or an iterable of texts (str) and
files (Path); :func:`training_texts` yields its texts one at a time (WordPiece and
Unigram read it so), and :func:`count_pretokens` cuts it into pre-tokens with a split
pattern and counts them. Big inputs are cut into chunks at line (file) or document
(iterable) boundaries and counted by worker processes, one ``Counter`` each, added up
at the end. Files are read line by line, each line with its ``"\\n"``, as Hugging Face
``tokenizers``' trainers read them.

>>> count_pretokens(["Hello  world", "Hello!"])
Counter({'Hello': 2, ' ': 1, ' world': 1, '!': 1})

Reference: Hugging Face ``tokenizers``' ``BpeTrainer`` word counts (``train_bpe``'s tests
compare the merge lists that grow from them).
"""

from __future__ import annotations

import io
import multiprocessing
import os
import queue
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from itertools import chain
from pathlib import Path
from typing import Any

from nlpjourney.errors import JourneyError
from nlpjourney.progress import ProgressBar, progress_bar
from nlpjourney.tokenizers.base import special_token_pattern
from nlpjourney.tokenizers.byte_level import PATTERNS, compile_pattern

__all__ = [
    "TrainingFileNotFoundError",
    "TrainingInputError",
    "count_pretokens",
    "training_texts",
]

# Inputs smaller than this are counted in this process: starting workers costs more.
PARALLEL_MIN_BYTES = 4 << 20
CHUNK_BYTES = 1 << 20
# Each worker holds a Counter of the pre-tokens it saw (about 140 MB for 50 MB of text),
# so by default no more than this many.
MAX_WORKERS = 8


class TrainingInputError(JourneyError, ValueError):
    """The training input is missing, of the wrong type, or not UTF-8 text."""


class TrainingFileNotFoundError(TrainingInputError, FileNotFoundError):
    """A training file does not exist."""


def _sources(files_or_texts: Any, caller: str = "train_bpe") -> list[Path | str] | Iterable[Any]:
    """Paths to read and texts to split, in order; files are checked up front."""
    if isinstance(files_or_texts, str | os.PathLike):
        items: Iterable[Any] = [Path(files_or_texts)]
    elif isinstance(files_or_texts, bytes):
        raise TypeError("pass text as str (or a list of str), or a file path, not bytes")
    elif isinstance(files_or_texts, Iterable):
        items = files_or_texts
    else:
        raise TypeError(
            "train on a file path (str or Path), a list of Paths, or an iterable of "
            f"strings, not {type(files_or_texts).__name__}"
        )
    if isinstance(items, list | tuple):
        for item in items:
            if isinstance(item, os.PathLike) and not Path(item).is_file():
                raise TrainingFileNotFoundError(
                    f"no training file at {item}; check the path (to train on a text "
                    f"itself, pass it inside a list: {caller}([text], ...))"
                )
    return items


def training_texts(
    files_or_texts: str | os.PathLike[str] | Iterable[str | os.PathLike[str]],
    caller: str = "train_bpe",
) -> Iterator[str]:
    """The texts of a training input, one at a time, as every trainer takes it.

    A path (str or Path) is one file; in an iterable, a str is a text and a Path a file.
    Files are read line by line, each line with its ``"\\n"``, as ``tokenizers``' trainers
    read files. :func:`~nlpjourney.tokenizers.wordpiece.train_wordpiece` and
    :func:`~nlpjourney.tokenizers.unigram_trainer.train_unigram` read their input through it.

    ``caller`` names the function in the message for a path that is no file.

    >>> list(training_texts(["one text", "another"]))
    ['one text', 'another']
    """
    for item in _each_source(_sources(files_or_texts, caller)):
        if isinstance(item, str):
            yield item
            continue
        # subtle: newline="\n" cuts lines at "\n" only and keeps "\r\n" as it is.
        with item.open(encoding="utf-8", newline="\n") as file:
            try:
                yield from file
            except UnicodeDecodeError as error:
                raise _not_utf8(item, error) from None


def _each_source(items: Iterable[Any]) -> Iterator[Path | str]:
    """Each item as a text (str) or a file that exists (Path); anything else is an error."""
    for item in items:
        if isinstance(item, str):
            yield item
        elif isinstance(item, os.PathLike):
            path = Path(item)
            if not path.is_file():
                raise TrainingFileNotFoundError(f"no training file at {path}; check the path")
            yield path
        else:
            raise TypeError(
                f"each training item must be a str (a text) or a Path (a file), "
                f"not {type(item).__name__}"
            )


def _not_utf8(name: object, error: UnicodeDecodeError) -> TrainingInputError:
    return TrainingInputError(f"{name} is not UTF-8 text ({error}); convert it, e.g. with iconv")


def _chunks(items: Iterable[Any], chunk_bytes: int) -> Iterator[tuple[str, Any, int]]:
    """``("lines", block, n)`` for file blocks cut after a newline, ``("docs", texts, n)``
    for runs of texts; ``n`` is the size in bytes (of file) or characters (of text)."""
    texts: list[str] = []
    size = 0
    for item in _each_source(items):
        if isinstance(item, Path):
            with item.open("rb") as file:
                rest = b""
                while block := file.read(chunk_bytes):
                    block = rest + block
                    cut = block.rfind(b"\n") + 1
                    if cut == 0:  # one long line: keep reading until it ends
                        rest = block
                        continue
                    rest = block[cut:]
                    yield "lines", (block[:cut], str(item)), cut
                if rest:
                    yield "lines", (rest, str(item)), len(rest)
        else:
            texts.append(item)
            size += len(item)
            if size >= chunk_bytes:
                yield "docs", texts, size
                texts, size = [], 0
    if texts:
        yield "docs", texts, size


def _count_into(
    counts: Counter[str], kind: str, payload: Any, pattern: str, specials: tuple[str, ...]
) -> None:
    """Add the pre-tokens of one chunk to ``counts`` (in a worker process, or here)."""
    if kind == "lines":
        block, name = payload
        try:
            text = block.decode("utf-8")
        except UnicodeDecodeError as error:
            raise _not_utf8(name, error) from None
        # subtle: split on "\n" only, keeping it, as tokenizers reads files; str.splitlines
        # would also cut at "\r", "\x0b", "\u2028" and change the pre-tokens.
        documents: Iterable[str] = io.StringIO(text, newline="\n")
    else:
        documents = payload
    findall = compile_pattern(pattern).findall
    special = special_token_pattern(specials)
    if special is not None:
        documents = chain.from_iterable(special.split(d) for d in documents)
    # Counter.update on an iterable counts in C; on another Counter it loops in Python.
    counts.update(chain.from_iterable(map(findall, documents)))


def check_special_tokens(special_tokens: Sequence[str]) -> None:
    """Raise a TypeError unless ``special_tokens`` is a list of non-empty strings."""
    if isinstance(special_tokens, str):
        raise TypeError(f"special_tokens must be a list of strings: [{special_tokens!r}]")
    if any(not isinstance(t, str) or not t for t in special_tokens):
        raise TypeError(f"special_tokens must be non-empty strings, got {special_tokens!r}")


def count_pretokens(
    files_or_texts: str | os.PathLike[str] | Iterable[str | os.PathLike[str]],
    pattern: str = "gpt2",
    special_tokens: Sequence[str] = (),
    *,
    workers: int | None = None,
    progress: bool | None = None,
) -> Counter[str]:
    """How often each pre-token occurs: the only pass over the corpus.

    Args:
        files_or_texts: a file path (str or Path), or an iterable of texts (str) and
            files (Path). A file is read line by line, each line (with its newline) split
            on its own; each text is split whole.
        pattern: ``"gpt2"``, ``"gpt4"`` or a regular expression whose matches are the
            pre-tokens.
        special_tokens: strings cut out of the text first; they are never counted.
        workers: processes to count with; None uses every core (at most 8) for inputs
            over 4 MB.
        progress: show a progress bar (None: only on a terminal).

    Returns:
        A Counter from pre-token (str) to its number of occurrences.

    >>> count_pretokens(["Hello  world", "Hello!"])
    Counter({'Hello': 2, ' ': 1, ' world': 1, '!': 1})
    """
    if not isinstance(pattern, str):
        raise TypeError(f"pattern must be 'gpt2', 'gpt4' or a regex str, not {pattern!r}")
    try:
        compile_pattern(pattern)
    except Exception as error:  # regex raises its own error type
        raise ValueError(
            f"pattern {pattern!r} is neither a name in {sorted(PATTERNS)} nor a valid "
            f"regex: {error}"
        ) from None
    check_special_tokens(special_tokens)
    items = _sources(files_or_texts)
    # The bar shows bytes done of the total when the input is only files; else no ETA.
    files = (
        [Path(i) for i in items if isinstance(i, os.PathLike)]
        if isinstance(items, list | tuple)
        else []
    )
    known = isinstance(items, list | tuple) and len(files) == len(items)
    total = sum(f.stat().st_size for f in files) if known else None
    if workers is None:
        small = total is not None and total < PARALLEL_MIN_BYTES
        workers = 1 if small else min(os.cpu_count() or 1, MAX_WORKERS)
    if not isinstance(workers, int) or workers < 1:
        raise ValueError(f"workers must be an int of at least 1, got {workers!r}")
    chunks = _chunks(items, CHUNK_BYTES)
    specials = tuple(special_tokens)
    counts: Counter[str] = Counter()
    with progress_bar("Counting pre-tokens", total=total, unit="B", enabled=progress) as bar:
        first = next(chunks, None)
        second = next(chunks, None)
        # One chunk, or inside a daemon process (which may not start processes): count
        # here, as starting workers would only cost time.
        if workers == 1 or second is None or multiprocessing.current_process().daemon:
            for kind, payload, size in chain(filter(None, [first, second]), chunks):
                _count_into(counts, kind, payload, pattern, specials)
                bar.advance(size)
        else:
            _count_in_parallel(
                chain([first, second], chunks), workers, pattern, specials, counts, bar
            )
    return counts


def _count_worker(tasks: Any, results: Any, pattern: str, specials: tuple[str, ...]) -> None:
    """A counting process: count chunks into one Counter until told to stop, then send
    it. Only the chunk sizes go back meanwhile, for the progress bar."""
    counts: Counter[str] = Counter()
    try:
        while (task := tasks.get()) is not None:
            kind, payload, size = task
            _count_into(counts, kind, payload, pattern, specials)
            results.put(("progress", size))
    except BaseException as error:
        results.put(("error", error))
        return
    results.put(("done", counts))


def _count_in_parallel(
    chunks: Iterator[tuple[str, Any, int]],
    workers: int,
    pattern: str,
    specials: tuple[str, ...],
    counts: Counter[str],
    bar: ProgressBar,
) -> None:
    """Count chunks on ``workers`` processes, each keeping its own Counter.

    Why not ``Pool.imap``: a Counter per chunk, sent back and added up here, made this
    process the bottleneck (half the time on 100 MB went to adding up counters); one
    Counter per worker, sent once at the end, leaves it only the reading.
    """
    # fork starts workers at once; where there is none (Windows), spawn re-imports us.
    methods = multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("fork" if "fork" in methods else "spawn")
    tasks = context.Queue(maxsize=2 * workers)  # bounded: read ahead only a little
    results = context.Queue()
    processes = [
        context.Process(target=_count_worker, args=(tasks, results, pattern, specials))
        for _ in range(workers)
    ]
    for process in processes:
        process.daemon = True
        process.start()

    finished = 0

    def handle(message: tuple[str, Any]) -> None:
        nonlocal finished
        kind, value = message
        if kind == "error":
            raise value
        if kind == "progress":
            bar.advance(value)
        else:  # a worker's whole Counter; into an empty Counter this copies in C
            counts.update(value)
            finished += 1

    def drain() -> None:
        while True:
            try:
                handle(results.get_nowait())
            except queue.Empty:
                return

    try:
        for chunk in chunks:
            while True:
                drain()  # keeps the bar moving while the workers are busy
                try:
                    tasks.put(chunk, timeout=0.05)
                    break
                except queue.Full:
                    continue
        for _ in processes:
            tasks.put(None)
        while finished < workers:
            try:
                handle(results.get(timeout=1))
            except queue.Empty:
                if any(p.exitcode not in (None, 0) for p in processes):
                    raise RuntimeError(
                        "a counting worker died (out of memory?); try fewer workers "
                        "(workers=1 counts in this process)"
                    ) from None
    finally:
        for process in processes:
            process.join(timeout=1 if finished == workers else 0)
            if process.is_alive():
                process.terminate()
