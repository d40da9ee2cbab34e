"""Tests for nlpjourney.tokenizers.wordpiece: BERT's uncased tokenizer gives the ids of
Hugging Face ``tokenizers`` on real text and any Unicode, the basic tokenizer agrees with
``BertNormalizer`` + ``BertPreTokenizer`` on every code point, decoding matches, saved
files are read back by ``tokenizers``, and the trainer learns Hugging Face's vocabulary."""

from __future__ import annotations

import json
import unicodedata
from pathlib import Path

import pytest
import regex
from hypothesis import given
from hypothesis import strategies as st
from tokenizers import Tokenizer as HFTokenizer
from tokenizers import models, normalizers, pre_tokenizers, trainers

from nlpjourney import data
from nlpjourney.data import corpora
from nlpjourney.tokenizers import load
from nlpjourney.tokenizers import wordpiece as wp
from nlpjourney.tokenizers.base import Tokenizer, TokenizerFileError
from nlpjourney.tokenizers.bpe_trainer import TrainingFileNotFoundError
from nlpjourney.tokenizers.wordpiece import WordPieceTokenizer, basic_tokenize, train_wordpiece

SPECIALS = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]


def bert_file() -> Path:
    return data.path("all_minilm_l6_v2") / "tokenizer.json"


def hf_from(path_or_spec: Path | dict) -> HFTokenizer:
    """A tokenizers Tokenizer without the file's truncation to 128 and padding."""
    if isinstance(path_or_spec, dict):
        tok = HFTokenizer.from_str(json.dumps(path_or_spec))
    else:
        tok = HFTokenizer.from_file(str(path_or_spec))
    tok.no_truncation()
    tok.no_padding()
    return tok


@pytest.fixture(scope="module")
def ours() -> Tokenizer:
    return load("bert-uncased")


@pytest.fixture(scope="module")
def theirs() -> HFTokenizer:
    return hf_from(bert_file())


def assert_same_ids(ours: Tokenizer, theirs: HFTokenizer, lines: list[str]) -> None:
    # With the special tokens on every line; without them on the first 2,000 (the words
    # between are the same ids either way, so one full pass is enough).
    for add, part in ((True, lines), (False, lines[:2000])):
        expected = [e.ids for e in theirs.encode_batch(part, add_special_tokens=add)]
        got = ours.encode_batch(part, add_special_tokens=add)
        wrong = [(line, g, e) for line, g, e in zip(part, got, expected, strict=True) if g != e]
        assert not wrong, f"{len(wrong)} of {len(part)} lines differ, first: {wrong[0]}"


def test_wordpiece_load_reads_bert_uncased(ours, theirs) -> None:
    assert isinstance(ours, WordPieceTokenizer)
    assert ours.vocab_size == theirs.get_vocab_size() == 30522
    assert ours.prefix_ids == [101] and ours.suffix_ids == [102]
    assert ours.encode("Unaffable!", add_special_tokens=True) == [101, 14477, 20961, 3468, 999, 102]


def test_wordpiece_equals_tokenizers_on_real_text_sample(ours, theirs) -> None:
    assert_same_ids(ours, theirs, corpora.mixed_lines(500))


@pytest.mark.slow
def test_wordpiece_equals_tokenizers_on_all_real_text(ours, theirs) -> None:
    assert_same_ids(ours, theirs, corpora.mixed_lines(None))


@pytest.mark.parametrize(
    "text",
    [
        "",
        "hello[SEP]world [CLS]",
        "[cls] lower-case specials are words",
        "ΟΔΟΣ Σ",  # final sigma: tokenizers lower-cases letter by letter
        "日本語🤖 한국어",
        "don't do not it's",
        "\x00\ufffd\x0b\x85 a\u200bb",
        "x" * 101,
        "naïve café Ångström",
        "$5+3=8 | a^b ~c `d`",
    ],
)
def test_wordpiece_edge_cases(ours, theirs, text: str) -> None:
    for add in (False, True):
        assert ours.encode(text, add) == theirs.encode(text, add_special_tokens=add).ids


@pytest.mark.slow
@pytest.mark.parametrize("lowercase", [True, False])
def test_wordpiece_basic_tokenizer_every_code_point(lowercase: bool) -> None:
    """Each code point between two letters is dropped, kept, split off or changed exactly
    as tokenizers does; a failure prints the code points that moved.

    The texts ``a?b`` go 4,096 at a time, joined by spaces (no token spans a space on
    either side); a block whose tokens differ is looked at one text at a time."""
    normalizer = normalizers.BertNormalizer(lowercase=lowercase)
    pre = pre_tokenizers.BertPreTokenizer()

    def theirs(text: str) -> list[str]:
        return [w for w, _ in pre.pre_tokenize_str(normalizer.normalize_str(text))]

    points = [cp for cp in range(0x110000) if not 0xD800 <= cp < 0xE000]
    moved = []
    for start in range(0, len(points), 4096):
        block = points[start : start + 4096]
        text = " ".join(f"a{chr(cp)}b" for cp in block)
        if basic_tokenize(text, lowercase=lowercase) != theirs(text):
            moved += [cp for cp in block
                      if basic_tokenize(f"a{chr(cp)}b", lowercase=lowercase) != theirs(f"a{chr(cp)}b")]  # fmt: skip
    assert not moved, describe(moved)


def describe(code_points: list[int]) -> str:
    """The code points as regex ranges with their categories, to update the tables."""
    ranges: list[list[int]] = []
    for cp in code_points:
        if ranges and ranges[-1][1] + 1 == cp:
            ranges[-1][1] = cp
        else:
            ranges.append([cp, cp])
    return " ".join(f"U+{a:04X}-U+{b:04X}({unicodedata.category(chr(a))})" for a, b in ranges[:200])


def test_wordpiece_basic_tokenizer_examples() -> None:
    assert basic_tokenize("Héllo, WORLD!  你好") == ["hello", ",", "world", "!", "你", "好"]
    assert basic_tokenize("Héllo", lowercase=False) == ["Héllo"]
    assert basic_tokenize("a\tb\u3000c") == ["a", "b", "c"]
    assert basic_tokenize("$1") == ["$", "1"]  # ASCII symbols count as punctuation


@given(st.text())
def test_wordpiece_equals_tokenizers_on_any_unicode(ours, theirs, text: str) -> None:
    for add in (False, True):
        assert ours.encode(text, add) == theirs.encode(text, add_special_tokens=add).ids


many_scripts = st.lists(
    st.one_of(
        st.characters(min_codepoint=0, max_codepoint=0x24F, codec="utf-8"),  # controls, accents
        st.characters(min_codepoint=0x370, max_codepoint=0x3FF, codec="utf-8"),  # Greek
        st.characters(min_codepoint=0x4E00, max_codepoint=0x9FFF),  # CJK
        st.characters(min_codepoint=0x1F300, max_codepoint=0x1FAFF),  # emoji
        st.sampled_from([" ", "\n", "\u0301", "##", "n't", "'s", " do not", *SPECIALS]),
    ),
    max_size=60,
).map("".join)


@given(many_scripts)
def test_wordpiece_equals_tokenizers_on_mixed_scripts(ours, theirs, text: str) -> None:
    for add in (False, True):
        assert ours.encode(text, add) == theirs.encode(text, add_special_tokens=add).ids


@given(many_scripts)
def test_wordpiece_decode_equals_tokenizers(ours, theirs, text: str) -> None:
    ids = theirs.encode(text, add_special_tokens=True).ids
    assert ours.decode(ids, skip_special_tokens=True) == theirs.decode(ids)
    assert ours.decode(ids, skip_special_tokens=False) == theirs.decode(
        ids, skip_special_tokens=False
    )


@given(st.lists(st.integers(0, 30521), max_size=30))
def test_wordpiece_decode_any_ids(ours, theirs, ids: list[int]) -> None:
    """``##`` pieces glue on, cleanup rules apply token by token, as in tokenizers."""
    assert ours.decode(ids, skip_special_tokens=True) == theirs.decode(ids)


def test_wordpiece_save_then_tokenizers_reads_it(ours, tmp_path: Path) -> None:
    saved = ours.save(tmp_path / "tokenizer.json")
    reread = hf_from(saved)
    lines = corpora.mixed_lines(100) + ["hello[SEP]world", "日本語 naïve"]
    assert_same_ids(ours, reread, lines)
    again = Tokenizer.from_file(saved)
    assert isinstance(again, WordPieceTokenizer)
    assert again.encode_batch(lines, True) == ours.encode_batch(lines, True)


def test_wordpiece_rejects_bad_input(ours) -> None:
    spec = json.loads(bert_file().read_text())
    spec["pre_tokenizer"] = {"type": "Whitespace"}
    with pytest.raises(TokenizerFileError, match="BertPreTokenizer"):
        WordPieceTokenizer.from_hf_dict(spec)
    with pytest.raises(ValueError, match="unk_token"):
        WordPieceTokenizer({"a": 0})
    with pytest.raises(ValueError, match="not in this vocabulary"):
        ours.decode([10**6])
    with pytest.raises(TrainingFileNotFoundError, match=r"train_wordpiece\(\[text\]"):
        train_wordpiece("one text", 100)  # a str alone is a file path, as for train_bpe


# -- training ----------------------------------------------------------------------------


def hf_trained(lines: list[str], vocab_size: int) -> HFTokenizer:
    tok = HFTokenizer(models.WordPiece(unk_token="[UNK]"))
    tok.normalizer = normalizers.BertNormalizer(lowercase=True)
    tok.pre_tokenizer = pre_tokenizers.BertPreTokenizer()
    trainer = trainers.WordPieceTrainer(
        vocab_size=vocab_size, special_tokens=SPECIALS, show_progress=False
    )
    tok.train_from_iterator(lines, trainer)
    return tok


# Word counts chosen so that no two pairs ever tie: the merge order is then the same in
# every run of tokenizers (on ties it depends on hash-map order; see the module notes).
TIE_FREE = ["low"] * 7 + ["lower"] * 2 + ["newest"] * 6 + ["widest"] * 3 + ["new"] * 11


def test_wordpiece_train_equals_tokenizers_trainer_without_ties() -> None:
    ours = train_wordpiece(TIE_FREE, vocab_size=40)
    theirs = hf_trained(TIE_FREE, vocab_size=40).get_vocab()
    assert set(ours.vocab) == set(theirs)
    # Merged tokens come after the alphabet, in merge order, in both.
    merged = [i for t, i in theirs.items() if len(t.removeprefix("##")) > 1 and t not in SPECIALS]
    first_merged = min(merged)
    assert len(merged) > 10
    assert {t: i for t, i in ours.vocab.items() if i >= first_merged} == {
        t: i for t, i in theirs.items() if i >= first_merged
    }


def test_wordpiece_train_on_shakespeare_overlaps_tokenizers() -> None:
    """On real text ties happen, so tokenizers' own vocabulary varies; ours is the same
    size, covers every character, and shares nearly all tokens with it."""
    lines = data.path("tinyshakespeare").read_text(encoding="utf-8").splitlines()[:3000]
    ours = train_wordpiece(lines, vocab_size=800)
    theirs = hf_trained(lines, vocab_size=800).get_vocab()
    assert len(ours.vocab) == len(theirs) == 800
    overlap = len(set(ours.vocab) & set(theirs)) / len(theirs)
    assert overlap > 0.97, overlap
    encoded = ours.encode_batch(lines[:200])
    assert all(ours.token_to_id("[UNK]") not in ids for ids in encoded)


def test_wordpiece_train_result_is_a_working_tokenizer(tmp_path: Path) -> None:
    tok = train_wordpiece(TIE_FREE + ["the newest lower widest"], vocab_size=40)
    ids = tok.encode("newest lower", add_special_tokens=True)
    assert tok.decode(ids, skip_special_tokens=True) == "newest lower"
    reread = hf_from(tok.save(tmp_path / "wp.json"))
    assert reread.encode("newest lower widest").ids == tok.encode("newest lower widest", True)


def test_wordpiece_module_tables_are_regex_classes() -> None:
    """The Unicode correction tables compile and hold what their names say."""
    assert regex.fullmatch(wp._PUNCT, "\u166d", regex.V1)  # Po in tokenizers' tables
    assert not regex.fullmatch(wp._PUNCT, "\u2e43", regex.V1)  # newer than its tables
