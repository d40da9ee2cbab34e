"""Retrieval over the user's notes: split them into passages, index them, find the best.

A note file is too long to put whole into a small model's prompt, and most of it is
beside any one question. So each file is cut into passages (paragraphs, joined while
they stay short, long ones cut by words), the passages are indexed with BM25 (topic 2.8:
:class:`~nlpjourney.retrieval.InvertedIndex` with its analyzer, scored by
:class:`~nlpjourney.retrieval.BM25`), and a question brings back its ``k`` best
passages, each with the file it came from so the reply can cite it. Given an encoder
(``dense="all-minilm-l6-v2"``: MiniLM through our BERT), the BM25 list and a dense one
are fused (:class:`~nlpjourney.retrieval.HybridRanker`), which also finds passages that
say the same thing in other words.

>>> notes = NotesIndex().add([("paris.md", "Paris is the capital of France."),
...                           ("cats.txt", "Cats sleep most of the day.")])
>>> [passage.source for passage in notes.search("Where do cats sleep?")]
['cats.txt']
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

__all__ = ["NotesIndex", "Passage", "split_passages"]

PASSAGE_WORDS = 120  # a paragraph or two: enough context, several fit in a small prompt


@dataclass(frozen=True)
class Passage:
    """A stretch of one note: the file it comes from, its text, its score for a query."""

    source: str
    text: str
    score: float = 0.0


def split_passages(text: str, max_words: int = PASSAGE_WORDS) -> list[str]:
    """``text`` cut into passages of at most ``max_words`` words.

    Paragraphs (separated by blank lines) are joined while the passage stays within
    ``max_words``; a longer paragraph is cut into pieces of ``max_words`` words.

    >>> split_passages("one two\\n\\nthree\\n\\nfour five six", max_words=3)
    ['one two three', 'four five six']
    """
    if max_words < 1:
        raise ValueError(f"max_words must be at least 1, got {max_words}")
    passages: list[str] = []
    current: list[str] = []
    for paragraph in re.split(r"\n\s*\n", text):
        words = paragraph.split()
        if current and len(current) + len(words) > max_words:
            passages.append(" ".join(current))
            current = []
        while len(words) > max_words:
            passages.append(" ".join(words[:max_words]))
            words = words[max_words:]
        current += words
    if current:
        passages.append(" ".join(current))
    return passages


class NotesIndex:
    """The user's notes, cut into passages and searchable.

    Args:
        dense: None for BM25 alone; ``"all-minilm-l6-v2"`` or any encoder with
            ``embed(texts) -> (n, d) array`` to fuse BM25 with dense retrieval.
        max_words: the longest passage, in words.
    """

    def __init__(self, dense: str | Any | None = None, max_words: int = PASSAGE_WORDS) -> None:
        if max_words < 1:
            raise ValueError(f"max_words must be at least 1, got {max_words}")
        self.dense, self.max_words = dense, max_words
        self.passages: list[Passage] = []
        self.n_notes = 0  # notes added, passages come from them
        self._ranker: Any = None

    def __len__(self) -> int:
        return len(self.passages)

    def add(self, folder_or_texts: str | Path | Iterable[str | tuple[str, str]]) -> NotesIndex:
        """Add notes and index everything again; returns ``self``.

        Args:
            folder_or_texts: a folder (every ``.md``, ``.txt`` and ``.rst`` file under it,
                named by its path in the folder), or texts: ``(source, text)`` pairs or
                plain strings (named ``note 1``, ``note 2``, ...).

        Raises:
            JourneyError: a folder without text files, or a path that is not a folder.
            TypeError: texts of another kind.
        """
        documents = _documents(folder_or_texts, self.n_notes)
        self.n_notes += len(documents)
        self.passages += [
            Passage(source, passage)
            for source, text in documents
            for passage in split_passages(text, self.max_words)
        ]
        self._ranker = self._build() if self.passages else None
        return self

    def _build(self) -> Any:
        from nlpjourney.retrieval import BM25, DenseRetriever, HybridRanker, InvertedIndex

        texts = [passage.text for passage in self.passages]
        if self.dense is None:
            return BM25.from_index(InvertedIndex.from_texts(texts, progress=False))
        dense = DenseRetriever(self.dense, metric="cosine", progress=False)
        return HybridRanker(BM25(), dense).index(texts)

    def search(self, question: str, k: int = 3) -> list[Passage]:
        """The ``k`` passages that best answer ``question``, best first, with their scores.

        With BM25 alone, passages that share no word with the question are left out, so
        a question about something else brings back nothing rather than noise.
        """
        if k < 1:
            raise ValueError(f"k must be at least 1, got {k}")
        if self._ranker is None:
            return []
        if self.dense is None:
            ids, scores = self._ranker.search(self._ranker.analyze(question), k)
            found = [(i, s) for i, s in zip(ids.tolist(), scores.tolist(), strict=True) if s > 0]
        else:
            ids, scores = self._ranker.search(question, k)
            found = list(zip(ids.tolist(), scores.tolist(), strict=True))
        return [Passage(self.passages[i].source, self.passages[i].text, float(s)) for i, s in found]


def _documents(
    folder_or_texts: str | Path | Iterable[str | tuple[str, str]], start: int
) -> Sequence[tuple[str, str]]:
    if isinstance(folder_or_texts, str | Path):
        from nlpjourney.apps.search import load_source
        from nlpjourney.errors import JourneyError

        folder = Path(folder_or_texts).expanduser()
        if not folder.is_dir():
            raise JourneyError(f"no notes folder at {folder}; give a folder of .md or .txt files")
        return load_source(str(folder))[1]
    documents = []
    for i, item in enumerate(folder_or_texts):
        if isinstance(item, str):
            documents.append((f"note {start + i + 1}", item))
        elif isinstance(item, tuple) and len(item) == 2 and all(isinstance(x, str) for x in item):
            documents.append(item)
        else:
            raise TypeError(
                f"notes must be a folder, texts, or (source, text) pairs; got {item!r} at {i}"
            )
    return documents
