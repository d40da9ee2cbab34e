"""Tests for nlpjourney.tokenizers.bpe: byte-level BPE against tiktoken and ``tokenizers``.

- GPT-2 (``load("gpt2")``) gives tiktoken's GPT-2 ids (an ``Encoding`` built here from the
  same ``encoder.json``) on every line of Tiny Shakespeare, SMS spam, Multi30k German and
  French (slow: all lines; quick: the first 1,000 of each), on whole files, and on any
  assigned Unicode (hypothesis); ``<|endoftext|>`` written in the text is the special token for
  ``encode`` and plain text for ``encode_ordinary``, as tiktoken's
  ``encode(allowed_special="all")`` / ``encode_ordinary`` do.
- Llama 3 (``load("llama3")``, its ``tokenizer.json``: split regex read from the file,
  ``ignore_merges``) gives ``tokenizers``' ids with and without special tokens.
- ``decode(encode(s)) == s`` for any string; save / ``from_file`` round trips give the same
  ids in ``tokenizers`` and in ours; the vocabulary look-ups agree with ``tokenizers``.
- The fast paths change nothing: cutting at spaces first (and GPT-2's segments at their
  newlines) equals the plain regex split, on a fresh tokenizer and on GPT-2's warm one;
  the cut reads whitespace as the split patterns do; the heap merge equals the scan merge;
  byte ids above 255 give the same tokens; a 100,000-character piece costs n log n.
"""

from __future__ import annotations

import json
import re
import time
from functools import cache
from pathlib import Path

import pytest
import regex
import tiktoken
from hypothesis import example, given, settings
from hypothesis import strategies as st
from tokenizers import Tokenizer as HFTokenizer
from tokenizers import decoders, models, pre_tokenizers
from transformers.convert_slow_tokenizer import bytes_to_unicode

from nlpjourney import data
from nlpjourney.data import corpora
from nlpjourney.tokenizers import Tokenizer, TokenizerFileError, load
from nlpjourney.tokenizers.bpe import ByteLevelBPETokenizer, load_gpt2
from nlpjourney.tokenizers.byte_level import PATTERNS

QUICK_LINES = 1000
# Any character Python's Unicode tables (14.0) assign. The `regex` module knows newer
# Unicode versions than tiktoken's and tokenizers' regex engines: a letter assigned later
# (U+3D000...) is a letter to us and punctuation to them, and pieces differ there.
ASSIGNED = st.text(st.characters(exclude_categories=("Cs", "Cn")))
# Characters that meet every branch of the split patterns: spaces before words and
# digits, runs of blanks and newlines, contractions, accents, CJK, emoji.
TRICKY = st.text(
    alphabet=st.sampled_from(list(" \n\t\r\u00a0\u3000aZsStTdDlLvVeEmMré'’0123١!?.,-é你😀\u0301")),
    max_size=60,
)
# Line-broken text: words and punctuation across newlines, blank lines, indents, and the
# separators U+001C..U+001F, which `re` and str.isspace count as whitespace and the split
# patterns do not. Drawn a few characters at a time, so that such runs meet often.
LINES = st.lists(
    st.sampled_from(
        ["a", "Zé", "0", ".", ",", "!", "'s", " ", " ", "\n", "\n", "\r\n", "\t", "\x1c", "\x1f"]
    ),
    max_size=30,
).map("".join)


@cache
def tiktoken_gpt2() -> tiktoken.Encoding:
    """tiktoken's GPT-2 encoding, built offline from the registry's ``encoder.json``."""
    folder = data.path("gpt2_tokenizer")
    encoder = json.loads((folder / "encoder.json").read_text(encoding="utf-8"))
    byte_of = {c: b for b, c in bytes_to_unicode().items()}
    ranks = {
        bytes(byte_of[c] for c in token): i
        for token, i in encoder.items()
        if token != "<|endoftext|>"
    }
    return tiktoken.Encoding(
        "gpt2-offline",
        pat_str=r"""'(?:[sdmt]|ll|ve|re)| ?\p{L}++| ?\p{N}++| ?[^\s\p{L}\p{N}]++|\s++$|\s+(?!\S)|\s""",
        mergeable_ranks=ranks,
        special_tokens={"<|endoftext|>": 50256},
    )


@cache
def gpt2() -> Tokenizer:
    return load("gpt2")


@cache
def llama3() -> Tokenizer:
    return load("llama3")


def llama3_file() -> Path:
    return data.path("llama3_tokenizer") / "tokenizer.json"


@cache
def hf_llama3() -> HFTokenizer:
    return HFTokenizer.from_file(str(llama3_file()))


def first_difference(got: list[list[int]], expected: list[list[int]], lines: list[str]) -> str:
    wrong = [(line, g, e) for line, g, e in zip(lines, got, expected, strict=True) if g != e]
    return f"{len(wrong)} of {len(lines)} differ" + (f", first: {wrong[0]}" if wrong else "")


# -- GPT-2 against tiktoken ----------------------------------------------------------


def assert_gpt2_equals_tiktoken(lines: list[str]) -> None:
    ours, theirs = gpt2(), tiktoken_gpt2()
    got = [ours.encode_ordinary(line) for line in lines]
    expected = theirs.encode_ordinary_batch(lines, num_threads=1)
    assert got == expected, first_difference(got, expected, lines)


def test_bpe_gpt2_equals_tiktoken_on_real_lines() -> None:
    assert_gpt2_equals_tiktoken(corpora.mixed_lines(QUICK_LINES, keepends=True))


@pytest.mark.slow
def test_bpe_gpt2_equals_tiktoken_on_every_real_line() -> None:
    assert_gpt2_equals_tiktoken(corpora.mixed_lines(None, keepends=True))


def test_bpe_gpt2_equals_tiktoken_on_a_whole_file() -> None:
    text = data.path("tinyshakespeare").read_text(encoding="utf-8")
    assert gpt2().encode(text) == tiktoken_gpt2().encode_ordinary(text)


@given(ASSIGNED)
def test_bpe_gpt2_equals_tiktoken_on_any_unicode(text: str) -> None:
    assert gpt2().encode_ordinary(text) == tiktoken_gpt2().encode_ordinary(text)
    assert gpt2().encode(text) == tiktoken_gpt2().encode(text, allowed_special="all")


@given(TRICKY)
def test_bpe_gpt2_equals_tiktoken_on_spaces_and_contractions(text: str) -> None:
    assert gpt2().encode_ordinary(text) == tiktoken_gpt2().encode_ordinary(text)


def test_bpe_gpt2_special_token_is_matched_whole() -> None:
    text = "end<|endoftext|>start"
    assert gpt2().encode(text) == [437, 50256, 9688]
    assert gpt2().encode(text) == tiktoken_gpt2().encode(text, allowed_special="all")
    # By design: encode_ordinary reads it as plain text, like tiktoken's encode_ordinary.
    assert gpt2().encode_ordinary(text) == tiktoken_gpt2().encode_ordinary(text)
    assert 50256 not in gpt2().encode_ordinary(text)
    assert gpt2().decode([50256]) == "<|endoftext|>"


# -- Llama 3 against tokenizers --------------------------------------------------------


def assert_llama3_equals_tokenizers(lines: list[str]) -> None:
    # With the special tokens on every line; without them on the first 2,000 (the words
    # between are the same ids either way, so one full pass is enough).
    for add, part in ((True, lines), (False, lines[:2000])):
        expected = [e.ids for e in hf_llama3().encode_batch(part, add_special_tokens=add)]
        got = llama3().encode_batch(part, add_special_tokens=add)
        assert got == expected, first_difference(got, expected, part)


def test_bpe_llama3_reads_the_split_regex_and_ignore_merges_from_its_file() -> None:
    spec = json.loads(llama3_file().read_text(encoding="utf-8"))
    split = spec["pre_tokenizer"]["pretokenizers"][0]["pattern"]["Regex"]
    tok = llama3()
    assert isinstance(tok, ByteLevelBPETokenizer)
    assert tok.pattern == split and tok.ignore_merges is spec["model"]["ignore_merges"] is True
    assert tok.vocab_size == hf_llama3().get_vocab_size() == 128256


def test_bpe_llama3_equals_tokenizers_on_real_lines() -> None:
    assert_llama3_equals_tokenizers(corpora.mixed_lines(QUICK_LINES, keepends=True))


@pytest.mark.slow
def test_bpe_llama3_equals_tokenizers_on_every_real_line() -> None:
    assert_llama3_equals_tokenizers(corpora.mixed_lines(None, keepends=True))


@given(ASSIGNED)
def test_bpe_llama3_equals_tokenizers_on_any_unicode(text: str) -> None:
    assert_llama3_equals_tokenizers([text])


@given(TRICKY)
def test_bpe_llama3_equals_tokenizers_on_spaces_and_digits(text: str) -> None:
    assert_llama3_equals_tokenizers([text])


def test_bpe_llama3_matches_special_tokens_in_text() -> None:
    text = "<|begin_of_text|><|start_header_id|>user<|end_header_id|>\n\nHi<|eot_id|>"
    ids = llama3().encode(text)
    assert ids[:2] == [128000, 128006] and ids[-1] == 128009
    assert ids == hf_llama3().encode(text, add_special_tokens=False).ids


def test_bpe_llama3_vocabulary_lookups_equal_tokenizers() -> None:
    ours, theirs = llama3(), hf_llama3()
    for i in [*range(0, 128256, 97), 128000, 128255]:
        token = theirs.id_to_token(i)
        assert ours.id_to_token(i) == token
        assert ours.token_to_id(token) == i
    assert ours.token_to_id("not a stand-in token ✗") is None
    assert ours.id_to_token(10**9) is None


# -- properties ---------------------------------------------------------------------


@pytest.mark.parametrize("name", ["gpt2", "llama3"])
@given(text=st.text())
def test_bpe_decode_inverts_encode(name: str, text: str) -> None:
    tok = gpt2() if name == "gpt2" else llama3()
    assert tok.decode(tok.encode(text)) == text


# Segments whose newline is, or is not, a piece boundary: "\n\t\t" keeps "\n\t" whole
# before a word, GPT-4's ".\n" is one piece.
NEWLINE_TRAPS = ["x a.\nB", "x a.\n\t\tb", "x a.\n \tb", "x a\n\nb c", "x a.\r\nb", "x a\n\x1cb"]


@pytest.mark.parametrize("name", ["gpt2", "gpt4"])
@given(text=st.one_of(st.text(), TRICKY, LINES))
@example(text="\n".join(NEWLINE_TRAPS))
def test_bpe_cutting_at_spaces_first_changes_no_piece(name: str, text: str) -> None:
    """The word-level shortcut of GPT-2's and GPT-4's patterns equals the plain split.

    The same regex in a group is not recognised as one of them, so it takes the plain path.
    Each tokenizer is fresh: every segment misses its cache. A merge for every pair of
    LINES' ASCII characters makes any piece boundary that moves change the ids.
    """
    merges = [(b"a", b"b"), (b" ", b"a"), (b"\n", b"\n"), (b"1", b"2"), (b" ", b" ")]
    ascii_bytes = [bytes([b]) for b in b" \n\r\t\x1c\x1faZ'0.,!s"]
    merges += [(x, y) for x in ascii_bytes for y in ascii_bytes if (x, y) not in merges]
    fast = ByteLevelBPETokenizer(merges, pattern=name)
    plain = ByteLevelBPETokenizer(merges, pattern=f"(?:{PATTERNS[name]})")
    assert fast._cut_at_spaces is not None and plain._cut_at_spaces is None
    assert fast.encode(text) == plain.encode(text)


@settings(max_examples=200)
@given(st.one_of(LINES, TRICKY))
@example("\n".join(NEWLINE_TRAPS))
def test_bpe_gpt2_newline_shortcut_equals_the_plain_split(text: str) -> None:
    """A segment missed by GPT-2's warm cache, cut at its newline, equals its pieces."""
    tok = gpt2()
    assert isinstance(tok, ByteLevelBPETokenizer) and tok._cut_at_newlines
    for segment in tok._cut_at_spaces(text)[1:]:
        assert tok._encode_spaced(segment) == tok._encode_run(" " + segment), segment


def test_bpe_space_cut_reads_whitespace_as_the_split_patterns_do() -> None:
    """The shortcuts find whitespace with `re` and str.isspace, the patterns with `regex`:
    wherever the shortcuts see a non-space, the patterns must see one too, or a cut could
    land inside a piece (every code point, lone surrogates included)."""
    every = "".join(map(chr, range(0x110000)))
    pattern_space = set(regex.findall(r"\s", every))
    assert set(re.findall(r"\s", every)) >= pattern_space
    assert set(filter(str.isspace, every)) >= pattern_space


def test_bpe_word_shortcut_reads_letters_as_the_split_patterns_do() -> None:
    """A segment missed by the cache is taken as " word" or " word," when str.isalpha says
    its characters are letters: each must be a letter (\\p{L}) to the patterns too."""
    every = "".join(map(chr, range(0x110000)))
    assert set(filter(str.isalpha, every)) <= set(regex.findall(r"\p{L}", every))


def test_bpe_byte_ids_above_255_give_the_same_tokens() -> None:
    """Byte ids that fit in a byte are looked up with bytes.translate; others per byte."""
    merges = [(b"a", b"b"), (b"ab", b"c"), (b" ", b"ab")]
    small = ByteLevelBPETokenizer(merges)
    vocab = {bytes([b]): 1000 + b for b in range(256)} | {b"ab": 1, b"abc": 2, b" ab": 3}
    large = ByteLevelBPETokenizer(merges, vocab=vocab)
    assert small._byte_table is not None and large._byte_table is None
    text = "abc cab abab\n ü😀"
    to_large = {256: 1, 257: 2, 258: 3} | {b: 1000 + b for b in range(256)}
    assert large.encode(text) == [to_large[i] for i in small.encode(text)]
    assert large.decode(large.encode(text)) == text


@settings(max_examples=200)
@given(st.binary(max_size=300))
def test_bpe_heap_merge_equals_scan_merge(data_: bytes) -> None:
    tok = gpt2()
    ids = [tok._byte_ids[b] for b in data_]
    assert tok._merge_heap(list(ids)) == tok._merge_scan(list(ids))


def test_bpe_a_100000_character_piece_encodes_and_decodes() -> None:
    text = "a" * 100_000  # one pre-token: merged by the heap, not the quadratic scan
    ids = gpt2().encode(text)
    assert gpt2().decode(ids) == text
    assert ids == tiktoken_gpt2().encode_ordinary(text[:5000]) * 20


@pytest.mark.slow
def test_bpe_long_pieces_cost_n_log_n_not_n_squared() -> None:
    """Quadratic merging would take 16 times as long at 4 times the length; n log n about
    4.5 times. Best of 3 runs on a fresh tokenizer each (an empty cache)."""

    def seconds(text: str) -> float:
        best = float("inf")
        for _ in range(3):
            tok = load_gpt2(
                data.path("gpt2_tokenizer") / "encoder.json",
                data.path("gpt2_tokenizer") / "vocab.bpe",
            )
            start = time.perf_counter()
            ids = tok.encode(text)
            best = min(best, time.perf_counter() - start)
        assert tok.decode(ids) == text
        return best

    for char in "a.":
        small, large = seconds(char * 20_000), seconds(char * 80_000)
        assert large / small < 11, (char, small, large)


def test_bpe_default_ids_follow_minbpe() -> None:
    tok = ByteLevelBPETokenizer([(b"l", b"o"), (b"lo", b"w")], special_tokens={"<e>": 258})
    assert tok.encode("low lo<e>") == [257, 32, 256, 258]
    assert tok.vocab[b"low"] == 257 and tok.vocab[bytes([200])] == 200
    assert tok.id_to_token(32) == "Ġ" and tok.token_to_id("low") == 257
    assert tok.vocab_size == 259


def test_bpe_ignore_merges_takes_a_whole_piece_as_tokenizers_does() -> None:
    vocab = {bytes([b]): b for b in range(256)} | {b"ab": 256, b"abc": 257}
    merges = [(b"a", b"b")]
    for ignore in (False, True):
        ours = ByteLevelBPETokenizer(merges, vocab=vocab, ignore_merges=ignore)
        theirs = HFTokenizer.from_str(json.dumps(ours.to_hf_dict()))
        assert ours.encode("abc abc") == theirs.encode("abc abc").ids
    assert ours.encode("abc") == [257]


# -- files ------------------------------------------------------------------------


def assert_round_trip(tok: Tokenizer, path: Path, lines: list[str]) -> None:
    tok.save(path)
    theirs = HFTokenizer.from_file(str(path))
    again = Tokenizer.from_file(path)
    for add in (False, True):
        expected = tok.encode_batch(lines, add_special_tokens=add)
        assert [e.ids for e in theirs.encode_batch(lines, add_special_tokens=add)] == expected
        assert again.encode_batch(lines, add_special_tokens=add) == expected
    assert again.vocab_size == tok.vocab_size == theirs.get_vocab_size()


def test_bpe_save_round_trip_small(tmp_path: Path) -> None:
    merges = [(b"h", b"e"), (b"l", b"l"), (b"he", b"ll"), (b" ", b"w"), (b"1", b"2")]
    tok = ByteLevelBPETokenizer(
        merges,
        pattern="gpt4",
        special_tokens={"<s>": 261, "</s>": 262},
        prefix_ids=[261],
        suffix_ids=[262],
    )
    lines = ["hello world", "  hello\n\n123 <s> x</s>", "héllo 😀"]
    assert_round_trip(tok, tmp_path / "small.json", lines)
    assert tok.encode("hello", add_special_tokens=True) == [261, 258, 111, 262]


def test_bpe_save_round_trip_gpt2(tmp_path: Path) -> None:
    assert_round_trip(
        gpt2(),
        tmp_path / "gpt2.json",
        corpora.mixed_lines(200, keepends=True) + ["a<|endoftext|>b"],
    )


@pytest.mark.slow
def test_bpe_save_round_trip_llama3(tmp_path: Path) -> None:
    assert_round_trip(llama3(), tmp_path / "llama3.json", corpora.mixed_lines(200, keepends=True))


def test_bpe_gpt2_file_equals_tokenizers_own_gpt2_reader() -> None:
    """``tokenizers`` reads GPT-2's two files itself; our encoding equals it."""
    folder = data.path("gpt2_tokenizer")
    theirs = HFTokenizer(
        models.BPE.from_file(str(folder / "encoder.json"), str(folder / "vocab.bpe"))
    )
    theirs.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    theirs.decoder = decoders.ByteLevel()
    lines = corpora.mixed_lines(300, keepends=True)
    assert [e.ids for e in theirs.encode_batch(lines)] == gpt2().encode_batch(lines)


# -- bad input ----------------------------------------------------------------------


def test_bpe_rejects_bad_merges_and_input() -> None:
    with pytest.raises(TypeError, match="pair of bytes"):
        ByteLevelBPETokenizer([("a", "b")])  # type: ignore[list-item]
    with pytest.raises(ValueError, match="not in the vocabulary"):
        ByteLevelBPETokenizer([(b"a", b"b")], vocab={b"a": 0, b"b": 1})
    tok = ByteLevelBPETokenizer([])
    with pytest.raises(TypeError, match="str"):
        tok.encode(b"bytes")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="not in this tokenizer"):
        tok.decode([999])


def test_bpe_unreadable_files_raise_tokenizer_file_error(tmp_path: Path) -> None:
    with pytest.raises(TokenizerFileError, match="no GPT-2 tokenizer file"):
        load_gpt2(tmp_path / "encoder.json", tmp_path / "vocab.bpe")
    spec = gpt2().to_hf_dict()
    spec["pre_tokenizer"] = {"type": "Whitespace"}
    with pytest.raises(TokenizerFileError, match="ByteLevel"):
        ByteLevelBPETokenizer.from_hf_dict(spec)
    spec = gpt2().to_hf_dict()
    spec["normalizer"] = {"type": "NFC"}
    with pytest.raises(TokenizerFileError, match="normalizer"):
        ByteLevelBPETokenizer.from_hf_dict(spec)


def test_bpe_decode_skips_special_tokens_on_request() -> None:
    gpt2 = load("gpt2")
    ids = gpt2.encode("hi<|endoftext|>there")
    assert gpt2.decode(ids) == "hi<|endoftext|>there"
    assert gpt2.decode(ids, skip_special_tokens=True) == "hithere"
