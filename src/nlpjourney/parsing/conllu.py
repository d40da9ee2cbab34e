"""CoNLL-U, the file format of Universal Dependencies: read it, write it back byte for byte.

A CoNLL-U file is a list of sentences separated by blank lines. Each sentence has
comment lines (``# sent_id = ...``, ``# text = ...``) and then one line per node with ten
tab-separated columns::

    ID  FORM  LEMMA  UPOS  XPOS  FEATS  HEAD  DEPREL  DEPS  MISC

Three kinds of node lines exist. *Syntactic words* have an integer ID (1, 2, ...): they
are the nodes of the dependency tree, and the only ones :attr:`Sentence.words` holds.
*Multiword tokens* (ID ``1-2``) name a written token split into several words ("don't"
= "do" + "n't"), and *empty nodes* (ID ``8.1``) belong to the enhanced graph; both are
kept in :attr:`Sentence.tokens` and :attr:`Sentence.empty` only so that
``write_conllu(read_conllu(text)) == text``.

Words are numbered 1..n and 0 is ROOT, so :attr:`Sentence.heads` has length n + 1 with
``heads[0] == -1``:

>>> text = (
...     "# text = Dogs bark.\\n"
...     "1\\tDogs\\tdog\\tNOUN\\tNNS\\t_\\t2\\tnsubj\\t_\\t_\\n"
...     "2\\tbark\\tbark\\tVERB\\tVBP\\t_\\t0\\troot\\t_\\tSpaceAfter=No\\n"
...     "3\\t.\\t.\\tPUNCT\\t.\\t_\\t2\\tpunct\\t_\\t_\\n\\n"
... )
>>> [sentence] = read_conllu(text)
>>> sentence.forms, sentence.heads, sentence.deprels
(['Dogs', 'bark', '.'], [-1, 2, 0, 2], ['', 'nsubj', 'root', 'punct'])
>>> write_conllu([sentence]) == text
True

Reference: the ``conllu`` package (``conllu.parse``), checked equal on forms, UPOS,
heads and relations of every sentence of UD English LinES and EWT.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from nlpjourney.data import path as data_path
from nlpjourney.errors import DataNotFoundError

__all__ = [
    "Sentence",
    "Token",
    "Word",
    "read_conllu",
    "ud_english",
    "write_conllu",
]

#: The number of tab-separated columns of every CoNLL-U node line.
COLUMNS = 10


@dataclass(frozen=True, slots=True)
class Word:
    """One syntactic word: the ten CoNLL-U columns, strings kept exactly ("_" included).

    Attributes:
        id: Position in the sentence, 1..n.
        form: The word as written.
        lemma: Its lemma.
        upos: Universal part-of-speech tag (``NOUN``, ``VERB``, ...).
        xpos: Language-specific tag (Penn Treebank tags for English).
        feats: Morphological features (``Number=Sing|Person=3`` or ``_``).
        head: The id of its head word, 0 for the root.
        deprel: The relation to its head (``nsubj``, ``acl:relcl``, ...).
        deps: The enhanced graph column, kept as text.
        misc: Anything else (``SpaceAfter=No``), kept as text.
    """

    id: int
    form: str
    lemma: str
    upos: str
    xpos: str
    feats: str
    head: int
    deprel: str
    deps: str
    misc: str

    def line(self) -> str:
        """The word as one CoNLL-U line (no newline)."""
        return "\t".join(
            (str(self.id), self.form, self.lemma, self.upos, self.xpos, self.feats)
            + (str(self.head), self.deprel, self.deps, self.misc)
        )


@dataclass(frozen=True, slots=True)
class Token:
    """A node line that is not a syntactic word, kept as its ten columns of text.

    A multiword token (``id`` like ``"1-2"``, the written form of words 1 and 2) or an
    empty node of the enhanced graph (``id`` like ``"8.1"``). Neither is part of the
    basic dependency tree; they are kept so that a file is written back unchanged.
    """

    id: str
    columns: tuple[str, ...]

    def line(self) -> str:
        """The token as one CoNLL-U line (no newline)."""
        return "\t".join(self.columns)

    def _order(self) -> tuple[int, int, int]:
        # Where the line stands among the words: a multiword token "a-b" just before
        # word a, an empty node "i.k" just after word i (UD's own ordering).
        if "-" in self.id:
            return (int(self.id.split("-")[0]), 0, 0)
        whole, part = self.id.split(".")
        return (int(whole), 2, int(part))


@dataclass
class Sentence:
    """One CoNLL-U sentence: its comments, words, multiword tokens and empty nodes.

    Attributes:
        words: The syntactic words 1..n, in order (``words[i - 1].id == i``).
        tokens: The multiword-token lines (``1-2``), kept for exact round trips.
        empty: The empty-node lines (``8.1``), kept for exact round trips.
        comments: The comment lines, whole (``"# text = Dogs bark."``).
    """

    words: list[Word]
    tokens: list[Token] = field(default_factory=list)
    empty: list[Token] = field(default_factory=list)
    comments: list[str] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.words)

    @classmethod
    def from_forms(cls, forms: Sequence[str], upos: Sequence[str] | None = None) -> Sentence:
        """A sentence to parse from its words (and UPOS tags): HEAD 0, DEPREL "_" until parsed.

        >>> sentence = Sentence.from_forms(["Dogs", "bark"], ["NOUN", "VERB"])
        >>> sentence.words[1].line()
        '2\\tbark\\t_\\tVERB\\t_\\t_\\t0\\t_\\t_\\t_'
        """
        tags = list(upos) if upos is not None else ["_"] * len(forms)
        if len(tags) != len(forms):
            raise ValueError(f"{len(forms)} forms but {len(tags)} UPOS tags; give one tag per word")
        for form in forms:
            if not isinstance(form, str) or not form or any(c in form for c in "\t\n"):
                raise ValueError(
                    f"a word form must be a non-empty str without tabs or newlines, got {form!r}"
                )
        words = [
            Word(i, form, "_", tag, "_", "_", 0, "_", "_", "_")
            for i, (form, tag) in enumerate(zip(forms, tags, strict=True), start=1)
        ]
        return cls(words)

    @property
    def forms(self) -> list[str]:
        """The words' forms, length n (word i at index i - 1)."""
        return [word.form for word in self.words]

    @property
    def upos(self) -> list[str]:
        """The words' universal POS tags, length n (word i at index i - 1)."""
        return [word.upos for word in self.words]

    @property
    def heads(self) -> list[int]:
        """Head of each word, length n + 1: ``heads[i]`` for word i, ``heads[0] == -1`` (ROOT)."""
        return [-1] + [word.head for word in self.words]

    @property
    def deprels(self) -> list[str]:
        """Relation of each word to its head, length n + 1 with ``deprels[0] == ""``."""
        return [""] + [word.deprel for word in self.words]

    def meta(self, key: str) -> str | None:
        """The value of comment ``# key = value`` (``meta("sent_id")``), or None if absent."""
        prefix = f"# {key} = "
        for comment in self.comments:
            if comment.startswith(prefix):
                return comment[len(prefix) :]
        return None

    def with_parse(self, heads: Sequence[int], deprels: Sequence[str]) -> Sentence:
        """A copy of the sentence whose HEAD and DEPREL columns are ``heads`` and ``deprels``.

        Args:
            heads: Length n + 1, as :attr:`heads` (index 0 is ignored).
            deprels: Length n + 1, as :attr:`deprels` (index 0 is ignored).

        Returns:
            A new Sentence; comments, tokens and every other column are unchanged.
        """
        n = len(self.words)
        if len(heads) != n + 1 or len(deprels) != n + 1:
            raise ValueError(
                f"with_parse needs heads and deprels of length n + 1 = {n + 1} (index 0 is ROOT), "
                f"got {len(heads)} and {len(deprels)}"
            )
        words = []
        for word in self.words:
            head = int(heads[word.id])
            if not 0 <= head <= n or head == word.id:
                raise ValueError(f"head {head} of word {word.id} is not another word 0..{n}")
            words.append(dataclasses.replace(word, head=head, deprel=str(deprels[word.id])))
        return Sentence(words, list(self.tokens), list(self.empty), list(self.comments))

    def lines(self) -> list[str]:
        """The sentence as CoNLL-U lines, without the blank line that ends it."""
        extras = sorted(self.tokens + self.empty, key=Token._order)
        out = list(self.comments)
        at = 0
        for word in self.words:
            while at < len(extras) and extras[at]._order() < (word.id, 1, 0):
                out.append(extras[at].line())
                at += 1
            out.append(word.line())
        out.extend(extra.line() for extra in extras[at:])
        return out


def _parse_int(text: str, what: str, number: int) -> int:
    try:
        return int(text)
    except ValueError:
        raise ValueError(f"line {number}: {what} {text!r} is not an integer") from None


def _sentence(block: list[tuple[int, str]]) -> Sentence:
    """One sentence from its (line number, line) pairs; ValueError naming a bad line."""
    sentence = Sentence([])
    for number, line in block:
        if line.startswith("#"):
            if sentence.words or sentence.tokens or sentence.empty:
                raise ValueError(f"line {number}: a comment after the words of a sentence")
            sentence.comments.append(line)
            continue
        columns = line.split("\t")
        if len(columns) != COLUMNS:
            raise ValueError(
                f"line {number}: {len(columns)} tab-separated columns, CoNLL-U needs {COLUMNS}"
            )
        ident = columns[0]
        if "-" in ident or "." in ident:
            first, _, last = ident.replace(".", "-").partition("-")
            low = _parse_int(first, "ID part", number)
            _parse_int(last, "ID part", number)
            if "-" in ident and low != len(sentence.words) + 1:
                raise ValueError(
                    f"line {number}: multiword token {ident} out of order "
                    f"(the next word is {len(sentence.words) + 1})"
                )
            if "." in ident and low != len(sentence.words):
                raise ValueError(
                    f"line {number}: empty node {ident} out of order "
                    f"(the last word is {len(sentence.words)})"
                )
            (sentence.tokens if "-" in ident else sentence.empty).append(
                Token(ident, tuple(columns))
            )
            continue
        index = _parse_int(ident, "ID", number)
        if index != len(sentence.words) + 1:
            raise ValueError(
                f"line {number}: word ID {index} out of order (expected {len(sentence.words) + 1})"
            )
        head = _parse_int(columns[6], "HEAD", number)
        sentence.words.append(Word(index, *columns[1:6], head, *columns[7:]))  # type: ignore[arg-type]
    if not sentence.words:
        raise ValueError(f"line {block[-1][0]}: a sentence with no words")
    n = len(sentence.words)
    for word in sentence.words:
        if not 0 <= word.head <= n:
            number = next(num for num, line in block if line.startswith(f"{word.id}\t"))
            raise ValueError(
                f"line {number}: HEAD {word.head} is not a word of the sentence (0..{n})"
            )
    return sentence


def _read_text(path_or_text: str | Path) -> str:
    # A Path, or a str without a newline, names a file; any other str is CoNLL-U text.
    if isinstance(path_or_text, Path) or (
        isinstance(path_or_text, str) and "\n" not in path_or_text and path_or_text
    ):
        file = Path(path_or_text)
        if not file.is_file():
            raise DataNotFoundError(f"no CoNLL-U file at {file}; check the path")
        return file.read_text(encoding="utf-8")
    if not isinstance(path_or_text, str):
        raise TypeError(
            f"read_conllu takes a path or CoNLL-U text, got {type(path_or_text).__name__}"
        )
    return path_or_text


def read_conllu(path_or_text: str | Path) -> list[Sentence]:
    """Read the sentences of a CoNLL-U file or text.

    Args:
        path_or_text: A ``Path``, a str path (a str without a newline), or the CoNLL-U
            text itself (a str with at least one newline).

    Returns:
        The sentences in file order.

    Raises:
        DataNotFoundError: The file does not exist.
        ValueError: A malformed line (wrong column count, a non-integer ID or HEAD, IDs
            out of order, a HEAD outside the sentence); the message names its line number.
    """
    text = _read_text(path_or_text)
    sentences: list[Sentence] = []
    block: list[tuple[int, str]] = []
    for number, line in enumerate(text.split("\n"), start=1):
        if line.strip():
            block.append((number, line))
        elif block:
            sentences.append(_sentence(block))
            block = []
    if block:
        sentences.append(_sentence(block))
    return sentences


def write_conllu(sentences: Iterable[Sentence], path: str | Path | None = None) -> str:
    """The CoNLL-U text of ``sentences`` (each ends with a blank line), also written to ``path``.

    Args:
        sentences: Sentences as :func:`read_conllu` gives them or :meth:`Sentence.with_parse`
            makes them.
        path: If given, the file to write (UTF-8, ``\\n`` line ends).

    Returns:
        The text; ``write_conllu(read_conllu(text)) == text`` for a UD file.
    """
    parts = []
    for sentence in sentences:
        if not isinstance(sentence, Sentence):
            raise TypeError(f"write_conllu takes Sentence objects, got {type(sentence).__name__}")
        parts.append("\n".join(sentence.lines()) + "\n\n")
    text = "".join(parts)
    if path is not None:
        Path(path).write_text(text, encoding="utf-8", newline="\n")
    return text


#: The UD English files in the data registry, by treebank and split.
UD_ENGLISH: dict[str, dict[str, str]] = {
    "lines": {
        "train": "en_lines-ud-train.conllu",
        "dev": "en_lines-ud-dev.conllu",
        "test": "en_lines-ud-test.conllu",
    },
    "ewt": {"dev": "en_ewt-ud-dev.conllu", "test": "en_ewt-ud-test.conllu"},
}


def ud_english(treebank: str = "lines", split: str = "train") -> list[Sentence]:
    """A UD English treebank split, read through the data registry.

    Args:
        treebank: ``"lines"`` (UD English LinES: train 3,457 / dev 1,118 / test 1,121
            sentences) or ``"ewt"`` (UD English EWT: dev and test only in the mirror).
        split: ``"train"``, ``"dev"`` or ``"test"``.

    Returns:
        The sentences of that file.
    """
    if treebank not in UD_ENGLISH:
        raise ValueError(f"no UD English treebank {treebank!r}; choose 'lines' or 'ewt'")
    files = UD_ENGLISH[treebank]
    if split not in files:
        if treebank == "ewt" and split == "train":
            raise ValueError(
                "the data mirror holds only EWT's dev and test splits; "
                "train on ud_english('lines', 'train') instead"
            )
        raise ValueError(f"no split {split!r}; choose from {sorted(files)}")
    return read_conllu(data_path(f"ud_english_{treebank}") / files[split])
