"""Readers for the registry's text corpora, straight from their archives, without NLTK.

NLTK's corpora come as zip files (``brown.zip`` holds ``brown/ca01`` ...); these readers
open the members with :mod:`zipfile`, so nothing is unpacked and NLTK is not needed at
run time. Each reader returns plain Python lists in the shapes NLTK's corpus readers use.

>>> from nlpjourney.data import corpora
>>> corpora.brown_tagged_sents()[0][:3]  # doctest: +SKIP
[('The', 'AT'), ('Fulton', 'NP-TL'), ('County', 'NN-TL')]

Reference: NLTK's corpus readers (``nltk.corpus.brown``, ``movie_reviews``, ``treebank``,
``stopwords``); ``tests/data/test_corpora.py`` checks these readers give what they give.
"""

from __future__ import annotations

import gzip
import re
import zipfile
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from nlpjourney.data.store import damaged, path

# Archives whose files are not UTF-8, with the encoding NLTK's readers use for them.
ENCODINGS: dict[str, str] = {
    "inaugural": "latin-1",
    "state_union": "iso-8859-2",
    "webtext": "iso-8859-2",
}


def _encoding(name: str, encoding: str | None) -> str:
    return encoding or ENCODINGS.get(name, "utf-8")


@contextmanager
def _reading(name: str, file: Path) -> Iterator[None]:
    """Turn a damaged archive or undecodable text into one error naming the file.

    ``path`` has checked the file's SHA-256, so this guards against what it cannot see:
    a file changed while in use, or a registry entry that pins damaged bytes.
    """
    try:
        yield
    except (zipfile.BadZipFile, gzip.BadGzipFile, EOFError, zlib.error) as error:
        raise damaged(name, file, f"not a readable archive ({error})") from None
    except UnicodeDecodeError as error:
        raise damaged(name, file, f"not {error.encoding} text (at byte {error.start})") from None


def zip_members(name: str, prefix: str = "") -> list[str]:
    """Names of the files (not folders) in dataset ``name``'s zip that start with ``prefix``."""
    file = path(name)
    with _reading(name, file), zipfile.ZipFile(file) as archive:
        return sorted(m for m in archive.namelist() if m.startswith(prefix) and not m.endswith("/"))


def read_member(name: str, member: str, encoding: str | None = None) -> str:
    """The text of one file in dataset ``name``'s zip, e.g. ``("wordnet", "wordnet/noun.exc")``.

    ``encoding`` defaults to the archive's own (see ``ENCODINGS``), else UTF-8.
    """
    file = path(name)
    with _reading(name, file), zipfile.ZipFile(file) as archive:
        try:
            raw = archive.read(member)
        except KeyError:
            raise FileNotFoundError(
                f"{member!r} is not in the {name} archive ({file}); "
                f"zip_members({name!r}) lists what is."
            ) from None
        with _reading(name, file / member):
            return raw.decode(_encoding(name, encoding))


def read_members(name: str, prefix: str = "", encoding: str | None = None) -> dict[str, str]:
    """Every file of dataset ``name``'s zip under ``prefix``, name -> text, in name order.

    ``encoding`` defaults to the archive's own (see ``ENCODINGS``), else UTF-8.
    """
    file = path(name)
    texts = {}
    with _reading(name, file), zipfile.ZipFile(file) as archive:
        members = sorted(
            m for m in archive.namelist() if m.startswith(prefix) and not m.endswith("/")
        )
        for member in members:
            raw = archive.read(member)
            with _reading(name, file / member):
                texts[member] = raw.decode(_encoding(name, encoding))
    return texts


_TREE_LEAF = re.compile(r"\(([^\s()]+) ([^\s()]+)\)")


def _split_tagged(token: str) -> tuple[str, str]:
    # subtle: split at the last slash, so "1/2/cd" is ("1/2", "CD"), as NLTK's str2tuple does.
    word, _, tag = token.rpartition("/")
    return word, tag.upper()


@lru_cache(maxsize=1)
def _brown_categories() -> dict[str, str]:
    lines = read_member("brown", "brown/cats.txt").split("\n")
    return dict(line.split() for line in lines if line.strip())


def brown_categories() -> list[str]:
    """The 15 Brown genres ("adventure", "news", ...), sorted."""
    return sorted(set(_brown_categories().values()))


def brown_tagged_sents(categories: str | list[str] | None = None) -> list[list[tuple[str, str]]]:
    """Brown's sentences as ``(word, TAG)`` lists, files in order, optionally one genre or some.

    Tags are upper-cased, as NLTK gives them (``'The/at'`` -> ``('The', 'AT')``).
    """
    wanted = {categories} if isinstance(categories, str) else set(categories or [])
    if wanted - set(brown_categories()):
        raise ValueError(
            f"unknown Brown categories {sorted(wanted - set(brown_categories()))}; "
            f"choose from {brown_categories()}"
        )
    files = [f for f, c in _brown_categories().items() if not wanted or c in wanted]
    texts = read_members("brown", "brown/c")
    sents = []
    for fileid in sorted(files):
        for line in texts[f"brown/{fileid}"].split("\n"):
            tokens = line.split()
            if tokens:
                sents.append([_split_tagged(t) for t in tokens])
    return sents


def brown_sents(categories: str | list[str] | None = None) -> list[list[str]]:
    """Brown's sentences as word lists."""
    return [[w for w, _ in s] for s in brown_tagged_sents(categories)]


def brown_words(categories: str | list[str] | None = None) -> list[str]:
    """Every Brown token in order (1,161,192 of them for the whole corpus)."""
    return [w for s in brown_sents(categories) for w in s]


def brown_documents(
    categories: str | list[str] | None = None,
) -> list[tuple[str, str, list[str]]]:
    """Brown's 500 files as ``(fileid, genre, words)``, in file order, optionally some genres.

    The unit for clustering and topic models: each file is a sample of about 2,000 words
    from one text, and its genre is the label the clusters are scored against.

    Example:
        >>> docs = brown_documents("humor")  # doctest: +SKIP
        >>> docs[0][:2], len(docs)  # doctest: +SKIP
        (('cr01', 'humor'), 9)
    """
    genre_of = _brown_categories()
    wanted = {categories} if isinstance(categories, str) else set(categories or [])
    if wanted - set(brown_categories()):
        raise ValueError(
            f"unknown Brown categories {sorted(wanted - set(brown_categories()))}; "
            f"choose from {brown_categories()}"
        )
    texts = read_members("brown", "brown/c")
    documents = []
    for fileid in sorted(genre_of):
        if wanted and genre_of[fileid] not in wanted:
            continue
        words = [_split_tagged(t)[0] for t in texts[f"brown/{fileid}"].split()]
        documents.append((fileid, genre_of[fileid], words))
    return documents


def movie_reviews() -> list[tuple[str, str]]:
    """The 2,000 polarity reviews as ``(text, label)`` with label ``"neg"`` or ``"pos"``.

    The text is already tokenized and lower-cased by its authors, one sentence a line.
    """
    texts = read_members("movie_reviews", "movie_reviews/")
    return [
        (text, member.split("/")[1])
        for member, text in texts.items()
        if member.endswith(".txt") and member.split("/")[1] in ("neg", "pos")
    ]


def sms_spam() -> list[tuple[str, str]]:
    """The 5,574 SMS messages as ``(text, label)`` with label ``"ham"`` or ``"spam"``."""
    file = path("sms_spam")
    with _reading("sms_spam", file):
        lines = file.read_text(encoding="utf-8").split("\n")
    rows = []
    for number, line in enumerate(lines, 1):
        if line.strip():
            label, _, text = line.partition("\t")
            if label not in ("ham", "spam"):
                raise damaged("sms_spam", file, f"line {number} has label {label[:20]!r}")
            rows.append((text, label))
    return rows


MULTI30K_SPLITS = ("train", "val", "test_2016_flickr")
MULTI30K_LANGUAGES = ("en", "de", "fr")


def multi30k(split: str = "train", language: str = "en") -> list[str]:
    """Multi30k's image captions of one split and language, one caption a line.

    Line ``i`` of every language of a split is the same caption (29,000 in ``"train"``,
    1,014 in ``"val"``, 1,000 in ``"test_2016_flickr"``).
    """
    if split not in MULTI30K_SPLITS or language not in MULTI30K_LANGUAGES:
        raise ValueError(
            f"Multi30k has splits {MULTI30K_SPLITS} and languages {MULTI30K_LANGUAGES}; "
            f"got split={split!r}, language={language!r}"
        )
    file = path("multi30k") / f"{split}.{language}.gz"
    with _reading("multi30k", file), gzip.open(file, "rt", encoding="utf-8") as f:
        return f.read().splitlines()


def mixed_lines(limit: int | None = None, keepends: bool = False) -> list[str]:
    """Real lines of many kinds, for parity tests and benchmarks on varied text.

    At most ``limit`` lines from each of: Tiny Shakespeare, the SMS messages, Multi30k's
    German and French training captions, and Brown's sentences (words joined by spaces):
    verse, texting, two other languages with accents, and edited prose.

    Args:
        limit: lines taken from each source; None takes them all (about 135,000).
        keepends: keep each line's newline (the SMS messages and Brown have none).
    """
    file = path("tinyshakespeare")
    with _reading("tinyshakespeare", file):
        lines = file.read_text(encoding="utf-8").splitlines(keepends)[:limit]
    lines += [text for text, _label in sms_spam()][:limit]
    end = "\n" if keepends else ""
    for language in ("de", "fr"):
        lines += [caption + end for caption in multi30k("train", language)[:limit]]
    lines += [" ".join(sentence) for sentence in brown_sents()[:limit]]
    return lines


def treebank_tagged_words() -> list[tuple[str, str]]:
    """The Penn Treebank sample's ``(word, TAG)`` leaves, read from its parse trees.

    Empty elements (traces such as ``('*-1', '-NONE-')``) are kept, as NLTK keeps them;
    100,676 leaves in all.
    """
    pairs = []
    for text in read_members("treebank", "treebank/combined/wsj_").values():
        # A leaf is "(TAG word)": neither part holds a bracket or a space.
        pairs.extend((word, tag) for tag, word in _TREE_LEAF.findall(text))
    return pairs


def _top_level_trees(text: str) -> list[str]:
    """The bracketed trees of a ``.mrg`` file, each as one string, by balancing brackets."""
    trees, depth, start = [], 0, 0
    for at, char in enumerate(text):
        if char == "(":
            if depth == 0:
                start = at
            depth += 1
        elif char == ")":
            depth -= 1
            if depth == 0:
                trees.append(text[start : at + 1])
    return trees


def treebank_tagged_sents() -> list[list[tuple[str, str]]]:
    """The Penn Treebank sample's 3,914 sentences as ``(word, TAG)`` lists, in file order.

    Each top-level tree of ``treebank/combined/wsj_*.mrg`` is one sentence, as NLTK's
    ``treebank.tagged_sents()`` reads it; empty elements (``('*-1', '-NONE-')``) are kept
    there too, so drop tag ``-NONE-`` before training a tagger on words that are read.
    """
    sentences = []
    for text in read_members("treebank", "treebank/combined/wsj_").values():
        for tree in _top_level_trees(text):
            sentences.append([(word, tag) for tag, word in _TREE_LEAF.findall(tree)])
    return sentences


def conll_sentences(text: str) -> list[list[list[str]]]:
    """The sentences of a text in CoNLL columns: for each token, its whitespace-split columns.

    A blank line ends a sentence; ``-DOCSTART-`` lines (document breaks) are skipped.

    >>> conll_sentences("EU NNP B-ORG\\nrejects VBZ O\\n\\n-DOCSTART- -X- O\\n\\nPeter NNP B-PER\\n")
    [[['EU', 'NNP', 'B-ORG'], ['rejects', 'VBZ', 'O']], [['Peter', 'NNP', 'B-PER']]]
    """
    sentences: list[list[list[str]]] = []
    rows: list[list[str]] = []
    for line in text.splitlines():
        fields = line.split()
        if not fields or fields[0] == "-DOCSTART-":
            if rows:
                sentences.append(rows)
                rows = []
            continue
        rows.append(fields)
    if rows:
        sentences.append(rows)
    return sentences


#: The CoNLL-2003 files in the registry's ``conll2003`` folder, by split name.
CONLL2003_SPLITS: dict[str, str] = {"train": "eng.train", "testa": "eng.testa"}


def conll2003(split: str = "train") -> list[list[tuple[str, str, str, str]]]:
    """CoNLL-2003 English NER sentences as ``(token, POS, chunk, NER)`` rows.

    Read from the registry folder ``conll2003``: ``split`` is ``"train"`` (14,041
    sentences) or ``"testa"`` (the development set, 3,250 sentences). The NER column
    is in IOB2 in the registry's copy (every entity opens with ``B-``; the 2003 release
    shipped IOB1, where ``I-`` opens an entity unless it follows one of the same type,
    and a test checks that no ``I-`` opens one here); ``-DOCSTART-`` lines, which mark
    document boundaries, are left out.
    """
    if split not in CONLL2003_SPLITS:
        raise ValueError(f"no CoNLL-2003 split {split!r}; choose from {sorted(CONLL2003_SPLITS)}")
    file = path("conll2003") / CONLL2003_SPLITS[split]
    with _reading("conll2003", file):
        text = file.read_text(encoding="utf-8")
    sentences = []
    for rows in conll_sentences(text):
        for fields in rows:
            if len(fields) != 4:
                line = " ".join(fields)
                raise damaged(
                    "conll2003", file, f"a line with {len(fields)} columns, not 4: {line!r}"
                )
        sentences.append([(f[0], f[1], f[2], f[3]) for f in rows])
    return sentences


def stopword_languages() -> list[str]:
    """Languages with a stop word list ("english", "french", ...)."""
    return [m.split("/")[1] for m in zip_members("stopwords", "stopwords/") if "README" not in m]


def stopword_list(language: str = "english") -> list[str]:
    """The stop word list for ``language``: the file's non-blank lines, in order.

    Lines are kept whole, as NLTK reads them: a few lists hold phrases (Catalan "des de")
    or lines ending in a space, which splitting on whitespace would change.
    """
    languages = stopword_languages()
    if language not in languages:
        raise ValueError(f"no stop word list for {language!r}; choose from {languages}")
    text = read_member("stopwords", f"stopwords/{language}")
    return [line for line in text.splitlines() if line.rstrip()]


def plain_texts(name: str) -> dict[str, str]:
    """The documents of a plain-text archive ("inaugural", "state_union", "webtext").

    File name (without the folder) -> text, in name order; the README is left out.
    """
    texts = read_members(name, f"{name}/")
    return {m.split("/", 1)[1]: t for m, t in texts.items() if not m.endswith("README")}


def state_union() -> list[tuple[int, str, str]]:
    """The 65 State of the Union addresses of 1945-2006 as ``(year, president, text)``.

    In year order (file name order). Some years have two addresses (1963: Kennedy's and
    Johnson's; 1965, 1991 and 2001: two by one president), so years repeat. The
    president is the file name's second part ("Truman", "GWBush").
    """
    speeches = []
    for name, text in plain_texts("state_union").items():
        year, president = name.removesuffix(".txt").split("-")[:2]
        speeches.append((int(year), president, text))
    return speeches


def sentence_polarity() -> list[tuple[str, str]]:
    """Pang & Lee's 10,662 movie-review snippets as ``(sentence, label)``, "neg" then "pos".

    5,331 of each, one sentence a line, already tokenized and lower-cased by their
    authors (surrounding whitespace removed). The files are UTF-8, as NLTK reads them
    (read as Latin-1 a few accented words turn into mojibake such as "clichÃ©s").
    """
    rows = []
    for label in ("neg", "pos"):
        text = read_member("sentence_polarity", f"sentence_polarity/rt-polarity.{label}")
        rows.extend((line.strip(), label) for line in text.splitlines() if line.strip())
    return rows


def opinion_lexicon() -> tuple[list[str], list[str]]:
    """Hu & Liu's opinion lexicon: (2,006 positive words, 4,783 negative words), file order.

    The files' header comments (lines starting with ";") and blank lines are left out.
    They are read as UTF-8, which they are ("naïve"); NLTK reads them as ISO-8859-2.
    """
    lists = []
    for polarity in ("positive", "negative"):
        text = read_member("opinion_lexicon", f"opinion_lexicon/{polarity}-words.txt")
        lists.append([w for line in text.splitlines() if (w := line.strip()) and w[0] != ";"])
    return lists[0], lists[1]


@dataclass(frozen=True)
class CranfieldCollection:
    """The Cranfield test collection, as :func:`cranfield` reads it.

    Attributes:
        documents: 1,400 ``(doc_id, title, text)``, ids ``"1"`` .. ``"1400"`` in file order.
        queries: 225 ``(query_id, text)``, ids ``"1"`` .. ``"225"`` by position.
        qrels: query id -> {doc id -> graded relevance, 4 best .. 1, 0 = of no
            interest}: ``pytrec_eval``'s shape, ready for
            :func:`nlpjourney.evaluate.ir.evaluate`.
    """

    documents: list[tuple[str, str, str]]
    queries: list[tuple[str, str]]
    qrels: dict[str, dict[str, int]]


#: cranqrel's relevance codes (Cleverdon's: 1 a complete answer .. 4 of minimum
#: interest, -1 of no interest) -> gains where higher is better.
CRANFIELD_GAINS: dict[int, int] = {1: 4, 2: 3, 3: 2, 4: 1, -1: 0}

_CRANFIELD_FIELD = re.compile(r"^\.([ITABW])(?:\s+(\S+))?\s*$")


def _cranfield_records(text: str) -> list[dict[str, list[str]]]:
    """Split a SMART-format file (``.I n`` then ``.T``/``.A``/``.B``/``.W`` blocks) into
    one dict of field -> lines per record, the ``.I`` number under ``"I"``."""
    records: list[dict[str, list[str]]] = []
    field = ""
    for line in text.splitlines():
        marker = _CRANFIELD_FIELD.match(line)
        if marker and marker.group(1) == "I":
            records.append({"I": [marker.group(2) or ""]})
            field = ""
        elif marker and records:
            # subtle: document 240's abstract holds stray ".A" and ".B" lines, and 576
            # and 578 a second ".W"; once in the abstract, a marker line is dropped and
            # the lines after it stay in the abstract.
            if field != "W":
                field = marker.group(1)
                records[-1].setdefault(field, [])
        elif records and field:
            records[-1][field].append(line.strip())
    return records


def _joined(lines: list[str]) -> str:
    return " ".join(line for line in lines if line)


def cranfield() -> CranfieldCollection:
    """The Cranfield collection: 1,400 aeronautics abstracts, 225 queries, graded qrels.

    Read from the registry folder ``cranfield`` (``cran.all.1400``, ``cran.qry``,
    ``cranqrel``). Each field's lines are joined with single spaces. Traps it handles:

    - **Query numbers.** ``cran.qry`` numbers its queries 1, 2, 4, 8, 9, ... 365 (``.I``),
      but ``cranqrel`` numbers them 1 .. 225 by position; the ids here are the positions,
      so ``qrels[qid]`` judges query ``qid``.
    - **Relevance codes.** ``cranqrel`` holds Cleverdon's codes, where *lower* is
      better: 1 (a complete answer), 2 (high relevance), 3 (useful background), 4 (of
      minimum interest), and -1 (of no interest; 225 pairs). They become gains
      (:data:`CRANFIELD_GAINS`): 1 -> 4, 2 -> 3, 3 -> 2, 4 -> 1, -1 -> 0, so nDCG
      rewards complete answers most and a document counts as relevant (gain >= 1) for
      codes 1-4. ir_datasets makes the same inversion but keeps -1 as -1; trec_eval
      scores -1 and 0 alike (not relevant, gain 0), so every metric is the same.
    - **Stray markers.** Document 240's abstract contains lines ".A" and ".B", and
      documents 576 and 578 a second ".W": inside an abstract these are not fields, so
      they are dropped and the text after them kept in the abstract (576 and 578 carry
      garbled text from a compressor report in the source, kept as it is).
    - **Empty documents.** A few abstracts are empty or nearly (471 and 995 have no
      text); they are kept so that ids stay positions, and simply never match.
    - **Line ends.** The files have CRLF line ends; the abstracts repeat the title.

    Returns:
        a :class:`CranfieldCollection` (documents, queries, qrels).

    >>> collection = cranfield()  # doctest: +SKIP
    >>> collection.queries[2]  # doctest: +SKIP
    ('3', 'what problems of heat conduction in composite slabs have been solved so far .')
    """
    folder = path("cranfield")
    texts = {}
    for name in ("cran.all.1400", "cran.qry", "cranqrel"):
        with _reading("cranfield", folder / name):
            texts[name] = (folder / name).read_text(encoding="utf-8")
    documents = [
        (record["I"][0], _joined(record.get("T", [])), _joined(record.get("W", [])))
        for record in _cranfield_records(texts["cran.all.1400"])
    ]
    queries = [
        (str(position), _joined(record.get("W", [])))
        for position, record in enumerate(_cranfield_records(texts["cran.qry"]), 1)
    ]
    qrels: dict[str, dict[str, int]] = {}
    for number, line in enumerate(texts["cranqrel"].splitlines(), 1):
        fields = line.split()
        if not fields:
            continue
        if len(fields) != 3 or int(fields[2]) not in CRANFIELD_GAINS:
            raise damaged("cranfield", folder / "cranqrel", f"line {number} reads {line[:40]!r}")
        qrels.setdefault(fields[0], {})[fields[1]] = CRANFIELD_GAINS[int(fields[2])]
    return CranfieldCollection(documents, queries, qrels)
