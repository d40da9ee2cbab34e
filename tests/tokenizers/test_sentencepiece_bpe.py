"""Tests for nlpjourney.tokenizers.sentencepiece_bpe: Llama 2's tokenizer gives the ids of
Hugging Face ``tokenizers`` on real text and any Unicode (byte fallback, specials in the
middle of text), decodes as it does, and survives a save / ``Tokenizer.from_file`` round
trip; the decoder steps and bad files behave."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from tokenizers import Tokenizer as HFTokenizer

from nlpjourney import data
from nlpjourney.data import corpora
from nlpjourney.tokenizers import load
from nlpjourney.tokenizers.base import Tokenizer, TokenizerFileError
from nlpjourney.tokenizers.sentencepiece_bpe import SentencePieceBPETokenizer
from nlpjourney.tokenizers.sentencepiece_steps import decode_tokens, metaspace_split, normalize

SPECIALS = ["<s>", "</s>", "<unk>"]


def llama2_file() -> Path:
    return data.path("llama2_tokenizer") / "tokenizer.json"


@pytest.fixture(scope="module")
def ours() -> Tokenizer:
    return load("llama2")


@pytest.fixture(scope="module")
def theirs() -> HFTokenizer:
    return HFTokenizer.from_file(str(llama2_file()))


def assert_same_ids(ours: Tokenizer, theirs: HFTokenizer, lines: list[str]) -> None:
    # With the special tokens on every line; without them on the first 2,000 (the words
    # between are the same ids either way, so one full pass is enough).
    for add, part in ((True, lines), (False, lines[:2000])):
        expected = [e.ids for e in theirs.encode_batch(part, add_special_tokens=add)]
        got = ours.encode_batch(part, add_special_tokens=add)
        wrong = [(line, g, e) for line, g, e in zip(part, got, expected, strict=True) if g != e]
        assert not wrong, f"{len(wrong)} of {len(part)} lines differ, first: {wrong[0]}"


def test_sentencepiece_bpe_load_reads_llama2(ours: Tokenizer, theirs: HFTokenizer) -> None:
    assert isinstance(ours, SentencePieceBPETokenizer)
    assert ours.vocab_size == theirs.get_vocab_size() == 32000
    assert ours.prefix_ids == [1] and ours.suffix_ids == []
    assert ours.bos_token == "<s>" and ours.eos_token == "</s>"
    assert ours.token_to_id("<0x0A>") == theirs.token_to_id("<0x0A>")
    assert ours.id_to_token(1) == "<s>"


def test_sentencepiece_bpe_equals_tokenizers_on_real_text_sample(ours, theirs) -> None:
    assert_same_ids(ours, theirs, corpora.mixed_lines(300))


@pytest.mark.slow
def test_sentencepiece_bpe_equals_tokenizers_on_all_real_text(ours, theirs) -> None:
    assert_same_ids(ours, theirs, corpora.mixed_lines(None))


def test_sentencepiece_bpe_whole_text_is_one_word(ours, theirs) -> None:
    """No pre-tokenizer: the whole text, newlines included, is merged as one word."""
    text = data.path("tinyshakespeare").read_text(encoding="utf-8")[:20_000]
    assert ours.encode(text) == theirs.encode(text, add_special_tokens=False).ids


@pytest.mark.parametrize(
    "text",
    [
        "",
        " ",
        "  Hello",
        "a<s>b",
        "a <s> b",
        "<s>",
        "</s></s>x",
        "x<unk>",
        "▁already",
        "日本語 🤖",
        "\x00\x01\n\t",
        "tab\there",
    ],
)
def test_sentencepiece_bpe_edge_cases(ours, theirs, text: str) -> None:
    """Each stretch between special tokens gets its own leading "▁"; empty ones none."""
    for add in (False, True):
        assert ours.encode(text, add) == theirs.encode(text, add_special_tokens=add).ids


@given(st.text())
def test_sentencepiece_bpe_equals_tokenizers_on_any_unicode(ours, theirs, text: str) -> None:
    for add in (False, True):
        assert ours.encode(text, add) == theirs.encode(text, add_special_tokens=add).ids


many_scripts = st.lists(
    st.one_of(
        st.characters(min_codepoint=0, max_codepoint=0x24F, codec="utf-8"),  # controls, accents
        st.characters(min_codepoint=0x4E00, max_codepoint=0x9FFF),  # CJK
        st.characters(min_codepoint=0x1F300, max_codepoint=0x1FAFF),  # emoji
        st.sampled_from([" ", "  ", "\n", "▁", *SPECIALS]),
    ),
    max_size=60,
).map("".join)


@given(many_scripts)
def test_sentencepiece_bpe_equals_tokenizers_on_mixed_scripts(ours, theirs, text: str) -> None:
    for add in (False, True):
        assert ours.encode(text, add) == theirs.encode(text, add_special_tokens=add).ids


@given(many_scripts)
def test_sentencepiece_bpe_decode_equals_tokenizers(ours, theirs, text: str) -> None:
    ids = theirs.encode(text, add_special_tokens=True).ids
    assert ours.decode(ids, skip_special_tokens=True) == theirs.decode(ids)
    assert ours.decode(ids, skip_special_tokens=False) == theirs.decode(
        ids, skip_special_tokens=False
    )


@given(st.lists(st.integers(0, 31999), max_size=30))
def test_sentencepiece_bpe_decode_any_ids(ours, theirs, ids: list[int]) -> None:
    """Broken byte runs become one U+FFFD per byte token, as in tokenizers."""
    assert ours.decode(ids, skip_special_tokens=True) == theirs.decode(ids)


@given(st.text(st.characters(exclude_characters="<>", codec="utf-8"), max_size=80))
def test_sentencepiece_bpe_round_trips_text(ours, text: str) -> None:
    """Byte fallback spells everything, so decoding gives the text back."""
    assert ours.decode(ours.encode(text)) == text


def test_sentencepiece_bpe_save_then_tokenizers_reads_it(ours, tmp_path: Path) -> None:
    saved = ours.save(tmp_path / "tokenizer.json")
    reread = HFTokenizer.from_file(str(saved))
    lines = corpora.mixed_lines(100) + ["a<s>b </s>", "日本語 🤖"]
    assert_same_ids(ours, reread, lines)
    again = Tokenizer.from_file(saved)
    assert isinstance(again, SentencePieceBPETokenizer)
    assert again.encode_batch(lines, True) == ours.encode_batch(lines, True)


@given(many_scripts)
def test_sentencepiece_bpe_cutting_words_first_changes_no_id(ours, text: str) -> None:
    """Llama 2's words cut before each "▁" and merged apart equal the line merged whole."""
    word = normalize(ours.normalizer, text)
    assert ours._cut_words is not None
    cut = [i for segment in ours._cut_words(word) for i in ours._encode_segment(segment)]
    assert cut == ours._merge(ours._symbols(word))


def test_sentencepiece_bpe_a_merge_across_words_keeps_lines_whole() -> None:
    """A merge that joins "a" to "▁b" (or ignore_merges) turns the cut off; ids stay exact."""
    vocab = {"<unk>": 0, "▁": 1, "a": 2, "b": 3, "▁b": 4, "a▁b": 5, "▁a": 6}
    merges = [("▁", "b"), ("a", "▁b"), ("▁", "a")]
    tok = SentencePieceBPETokenizer(vocab, merges, special_tokens={"<unk>": 0})
    assert tok._cut_words is None
    assert tok.encode("a b a") == [1, 5, 6]
    theirs = HFTokenizer.from_str(json.dumps(tok.to_hf_dict()))
    assert theirs.encode("a b a", add_special_tokens=False).ids == [1, 5, 6]
    apart = SentencePieceBPETokenizer(vocab, [("▁", "b"), ("▁", "a")])
    assert apart._cut_words is not None and apart.encode("a b a") == [6, 4, 6]
    assert SentencePieceBPETokenizer(vocab, merges[::2], ignore_merges=True)._cut_words is None


def test_sentencepiece_bpe_small_vocab_unk_and_fuse() -> None:
    """Without byte tokens, unknown characters become <unk>, neighbours fused."""
    vocab = {"<unk>": 0, "▁": 1, "a": 2, "▁a": 3}
    tok = SentencePieceBPETokenizer(vocab, [("▁", "a")], special_tokens={"<unk>": 0})
    assert tok.encode("a xyz a") == [3, 1, 0, 3]
    assert SentencePieceBPETokenizer(vocab, [("▁", "a")], fuse_unk=False).encode("xy") == [
        1,
        0,
        0,
    ]
    theirs = HFTokenizer.from_str(json.dumps(tok.to_hf_dict()))
    assert theirs.encode("a xyz a", add_special_tokens=False).ids == [3, 1, 0, 3]


def test_sentencepiece_bpe_decoder_steps() -> None:
    llama = SentencePieceBPETokenizer.from_hf_dict(json.loads(llama2_file().read_text()))
    assert decode_tokens(llama.decoder, ["▁Hi", "<0xE6>", "<0x97>", "<0xA5>", "▁x"]) == "Hi日 x"
    assert decode_tokens(llama.decoder, ["<0xE6>", "<0x97>", "▁x"]) == "\ufffd\ufffd x"
    assert metaspace_split("ab▁c▁▁", "▁") == ["ab", "▁c", "▁", "▁"]


def test_sentencepiece_bpe_rejects_bad_files() -> None:
    spec = json.loads(llama2_file().read_text())
    spec["model"]["merges"] = [["▁", "zzzz"]]
    with pytest.raises(TokenizerFileError, match="missing from the vocabulary"):
        SentencePieceBPETokenizer.from_hf_dict(spec)
    spec = json.loads(llama2_file().read_text())
    spec["normalizer"] = {"type": "Precompiled", "precompiled_charsmap": ""}
    with pytest.raises(TokenizerFileError, match="Precompiled"):
        SentencePieceBPETokenizer.from_hf_dict(spec)
    with pytest.raises(ValueError, match="not in this vocabulary"):
        load("llama2").decode([40000])
    with pytest.raises(TypeError):
        load("llama2").encode(b"bytes")  # type: ignore[arg-type]
