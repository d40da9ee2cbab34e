"""CoNLL-U reading and writing: byte-exact round trips and parity with the ``conllu`` package."""

from __future__ import annotations

from pathlib import Path

import conllu
import pytest
from hypothesis import given
from hypothesis import strategies as st

from nlpjourney.data import path
from nlpjourney.errors import DataNotFoundError
from nlpjourney.parsing.conllu import Sentence, Token, Word, read_conllu, ud_english, write_conllu

FILES = [
    ("ud_english_lines", "en_lines-ud-train.conllu"),
    ("ud_english_lines", "en_lines-ud-dev.conllu"),
    ("ud_english_lines", "en_lines-ud-test.conllu"),
    ("ud_english_ewt", "en_ewt-ud-dev.conllu"),
    ("ud_english_ewt", "en_ewt-ud-test.conllu"),
]

SMALL = (
    "# sent_id = 1\n"
    "# text = I don't know.\n"
    "1\tI\tI\tPRON\tPRP\t_\t4\tnsubj\t_\t_\n"
    "2-3\tdon't\t_\t_\t_\t_\t_\t_\t_\t_\n"
    "2\tdo\tdo\tAUX\tVBP\t_\t4\taux\t_\t_\n"
    "3\tn't\tnot\tPART\tRB\t_\t4\tadvmod\t_\t_\n"
    "4\tknow\tknow\tVERB\tVB\t_\t0\troot\t_\tSpaceAfter=No\n"
    "4.1\tknow\tknow\tVERB\tVB\t_\t_\t_\t4:conj\t_\n"
    "5\t.\t.\tPUNCT\t.\t_\t4\tpunct\t_\t_\n"
    "\n"
)


def _words(parsed: conllu.TokenList) -> list[dict]:
    return [token for token in parsed if isinstance(token["id"], int)]


def _check_against_conllu(text: str) -> None:
    ours = read_conllu(text)
    theirs = conllu.parse(text)
    assert len(ours) == len(theirs)
    for sentence, reference in zip(ours, theirs, strict=True):
        words = _words(reference)
        assert sentence.forms == [w["form"] for w in words]
        assert sentence.upos == [w["upos"] for w in words]
        assert sentence.heads == [-1] + [w["head"] for w in words]
        assert sentence.deprels == [""] + [w["deprel"] for w in words]
        assert sentence.meta("sent_id") == reference.metadata.get("sent_id")


def test_conllu_small_text_keeps_tokens_empty_nodes_and_comments() -> None:
    [sentence] = read_conllu(SMALL)
    assert sentence.forms == ["I", "do", "n't", "know", "."]
    assert sentence.heads == [-1, 4, 4, 4, 0, 4]
    assert [token.id for token in sentence.tokens] == ["2-3"]
    assert [node.id for node in sentence.empty] == ["4.1"]
    assert sentence.comments == ["# sent_id = 1", "# text = I don't know."]
    assert sentence.meta("text") == "I don't know."
    assert sentence.meta("newdoc id") is None
    assert write_conllu([sentence]) == SMALL
    _check_against_conllu(SMALL)


def test_conllu_dev_round_trips_and_matches_the_conllu_package() -> None:
    text = (path("ud_english_lines") / "en_lines-ud-dev.conllu").read_text(encoding="utf-8")
    assert write_conllu(read_conllu(text)) == text
    _check_against_conllu(text)


@pytest.mark.slow
@pytest.mark.parametrize(("dataset", "name"), FILES)
def test_conllu_every_ud_file_round_trips_and_matches_the_conllu_package(
    dataset: str, name: str
) -> None:
    text = (path(dataset) / name).read_text(encoding="utf-8")
    assert write_conllu(read_conllu(text)) == text
    _check_against_conllu(text)


def test_conllu_reads_a_path_and_writes_a_file(tmp_path: Path) -> None:
    source = tmp_path / "in.conllu"
    source.write_text(SMALL, encoding="utf-8")
    assert read_conllu(source)[0].forms == read_conllu(str(source))[0].forms
    out = tmp_path / "out.conllu"
    assert write_conllu(read_conllu(source), out) == SMALL
    assert out.read_bytes() == SMALL.encode()


def test_conllu_with_parse_replaces_only_head_and_deprel() -> None:
    [sentence] = read_conllu(SMALL)
    parsed = sentence.with_parse([-1, 0, 1, 1, 1, 4], ["", "root", "x", "y", "z:sub", "punct"])
    assert parsed.heads == [-1, 0, 1, 1, 1, 4]
    assert parsed.deprels == ["", "root", "x", "y", "z:sub", "punct"]
    assert parsed.forms == sentence.forms
    assert parsed.tokens == sentence.tokens and parsed.comments == sentence.comments
    assert sentence.heads == [-1, 4, 4, 4, 0, 4]  # the original is untouched
    with pytest.raises(ValueError, match="length n \\+ 1"):
        sentence.with_parse([0, 1, 1, 1, 4], ["root", "x", "y", "z", "punct"])
    with pytest.raises(ValueError, match="head 9 of word 2"):
        sentence.with_parse([-1, 0, 9, 1, 1, 4], [""] * 6)


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("1\tI\tI\tPRON\tPRP\t_\t4\tnsubj\t_", "line 3: 9 tab-separated columns"),
        ("1\tI\tI\tPRON\tPRP\t_\tfour\tnsubj\t_\t_", "line 3: HEAD 'four' is not an integer"),
        ("2\tI\tI\tPRON\tPRP\t_\t4\tnsubj\t_\t_", "line 3: word ID 2 out of order"),
        ("one\tI\tI\tPRON\tPRP\t_\t4\tnsubj\t_\t_", "line 3: ID 'one' is not an integer"),
        ("1\tI\tI\tPRON\tPRP\t_\t40\tnsubj\t_\t_", "line 3: HEAD 40 is not a word"),
    ],
)
def test_conllu_malformed_line_raises_naming_its_line(line: str, message: str) -> None:
    lines = SMALL.split("\n")
    lines[2] = line
    with pytest.raises(ValueError, match=message):
        read_conllu("\n".join(lines))


def test_conllu_missing_file_and_wrong_types_raise_clearly(tmp_path: Path) -> None:
    with pytest.raises(DataNotFoundError, match="no CoNLL-U file"):
        read_conllu(tmp_path / "absent.conllu")
    with pytest.raises(TypeError, match="path or CoNLL-U text"):
        read_conllu(42)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="Sentence objects"):
        write_conllu(["not a sentence"])  # type: ignore[list-item]


def test_conllu_ud_english_reads_the_registry_and_explains_missing_splits() -> None:
    sentences = ud_english("lines", "dev")
    assert len(sentences) == 1118 and isinstance(sentences[0], Sentence)
    with pytest.raises(ValueError, match="only EWT's dev and test"):
        ud_english("ewt", "train")
    with pytest.raises(ValueError, match="choose 'lines' or 'ewt'"):
        ud_english("gum", "dev")


# A column: any text without tab, newline or carriage return, not blank, not starting "#".
COLUMN = st.text(
    alphabet=st.characters(blacklist_characters="\t\n\r", blacklist_categories=("Cs",)),
    min_size=1,
    max_size=8,
).filter(lambda text: text.strip() != "" and not text.startswith("#"))


@st.composite
def sentences(draw: st.DrawFn) -> Sentence:
    n = draw(st.integers(1, 6))
    words = [
        Word(
            i,
            *(draw(COLUMN) for _ in range(5)),
            draw(st.integers(0, n)),
            *(draw(COLUMN) for _ in range(3)),
        )
        for i in range(1, n + 1)
    ]
    tokens = []
    if n >= 2 and draw(st.booleans()):
        first = draw(st.integers(1, n - 1))
        tokens.append(
            Token(f"{first}-{first + 1}", (f"{first}-{first + 1}", draw(COLUMN), *["_"] * 8))
        )
    empty = []
    if draw(st.booleans()):
        after = draw(st.integers(0, n))
        empty.append(Token(f"{after}.1", (f"{after}.1", *(draw(COLUMN) for _ in range(9)))))
    comments = ["# " + draw(COLUMN) for _ in range(draw(st.integers(0, 2)))]
    return Sentence(words, tokens, empty, comments)


@given(st.lists(sentences(), min_size=1, max_size=3))
def test_conllu_any_sentences_survive_write_then_read(batch: list[Sentence]) -> None:
    text = write_conllu(batch)
    assert read_conllu(text) == batch
    assert write_conllu(read_conllu(text)) == text


def test_conllu_from_forms_builds_a_sentence_to_parse() -> None:
    sentence = Sentence.from_forms(["Dogs", "bark", "."], ["NOUN", "VERB", "PUNCT"])
    assert sentence.forms == ["Dogs", "bark", "."] and sentence.upos == ["NOUN", "VERB", "PUNCT"]
    parsed = sentence.with_parse([-1, 2, 0, 2], ["", "nsubj", "root", "punct"])
    assert read_conllu(write_conllu([parsed])) == [parsed]
    assert Sentence.from_forms(["Hi"]).upos == ["_"]
    with pytest.raises(ValueError, match="2 forms but 1 UPOS"):
        Sentence.from_forms(["Dogs", "bark"], ["NOUN"])
    with pytest.raises(ValueError, match="without tabs"):
        Sentence.from_forms(["a\tb"])
