"""Tests for nlpjourney.tokenizers.unigram: Viterbi ids equal ``tokenizers.models.Unigram``
built from the same vocabulary (Metaspace pre-tokenizer) on real text and any Unicode,
with unknowns fused or spelled as bytes; decoding and the tokenizer.json round trip match;
training reaches the vocabulary size, covers every character, never lowers the likelihood
between prunings, and compares with ``UnigramTrainer`` (figures printed)."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from tokenizers import Tokenizer as HFTokenizer
from tokenizers import decoders, models, pre_tokenizers, trainers

from nlpjourney import data
from nlpjourney.data import corpora
from nlpjourney.tokenizers.base import Tokenizer, TokenizerFileError
from nlpjourney.tokenizers.bpe_trainer import TrainingFileNotFoundError
from nlpjourney.tokenizers.unigram import UnigramTokenizer, viterbi
from nlpjourney.tokenizers.unigram_trainer import UnigramTrainer, train_unigram


def shakespeare(start: int, stop: int) -> list[str]:
    return data.path("tinyshakespeare").read_text(encoding="utf-8").splitlines()[start:stop]


@pytest.fixture(scope="module")
def trainer() -> UnigramTrainer:
    return UnigramTrainer(vocab_size=600).fit(shakespeare(0, 2000))


@pytest.fixture(scope="module")
def ours(trainer: UnigramTrainer) -> UnigramTokenizer:
    return trainer.tokenizer_


def hf_unigram(tok: UnigramTokenizer) -> HFTokenizer:
    """tokenizers' own Unigram model on our pieces, with SentencePiece's Metaspace."""
    hf = HFTokenizer(models.Unigram(tok.pieces, unk_id=tok.unk_id, byte_fallback=tok.byte_fallback))
    hf.pre_tokenizer = pre_tokenizers.Metaspace(replacement="▁", prepend_scheme="always")
    hf.decoder = decoders.Metaspace(replacement="▁", prepend_scheme="always")
    hf.add_special_tokens(list(tok.special_tokens))
    return hf


@pytest.fixture(scope="module")
def theirs(ours: UnigramTokenizer) -> HFTokenizer:
    return hf_unigram(ours)


def assert_same_ids(ours: Tokenizer, theirs: HFTokenizer, lines: list[str]) -> None:
    expected = [e.ids for e in theirs.encode_batch(lines, add_special_tokens=False)]
    got = ours.encode_batch(lines)
    wrong = [(line, g, e) for line, g, e in zip(lines, got, expected, strict=True) if g != e]
    assert not wrong, f"{len(wrong)} of {len(lines)} lines differ, first: {wrong[0]}"


def test_unigram_viterbi_example() -> None:
    scores = {"▁he": -3.0, "llo": -4.0, "▁hell": -5.5, "o": -2.0, "l": -6.0}
    assert viterbi("▁hello", scores, 5, -20.0) == [(0, 3, False), (3, 6, False)]
    # a character with no piece is an unknown span of one character
    assert viterbi("x", {"a": -1.0}, 1, -11.0) == [(0, 1, True)]


def test_unigram_equals_tokenizers_on_real_text_sample(ours, theirs) -> None:
    assert_same_ids(ours, theirs, corpora.mixed_lines(300))


@pytest.mark.slow
def test_unigram_equals_tokenizers_on_all_real_text(ours, theirs) -> None:
    assert_same_ids(ours, theirs, corpora.mixed_lines(5000))


@given(st.text())
def test_unigram_equals_tokenizers_on_any_unicode(ours, theirs, text: str) -> None:
    assert ours.encode(text) == theirs.encode(text, add_special_tokens=False).ids
    ids = theirs.encode(text, add_special_tokens=False).ids
    assert ours.decode(ids, skip_special_tokens=True) == theirs.decode(ids)


@given(st.text(st.sampled_from("ab ▁xyz日🤖\n")))
def test_unigram_byte_fallback_equals_tokenizers(ours, text: str) -> None:
    """Unknown stretches become <0xNN> tokens when the vocabulary has all 256."""
    pieces = ours.pieces + [(f"<0x{b:02X}>", -30.0) for b in range(256)]
    tok = UnigramTokenizer(pieces, unk_id=0, byte_fallback=True)
    assert tok.encode(text) == hf_unigram(tok).encode(text, add_special_tokens=False).ids


def test_unigram_fuses_unknowns(ours, theirs) -> None:
    text = "☃☃ ☃x☃ <unk> a<unk>b"
    assert ours.encode(text) == theirs.encode(text, add_special_tokens=False).ids
    assert ours.encode("☃☃☃").count(0) == 1


def test_unigram_save_then_tokenizers_reads_it(ours, tmp_path: Path) -> None:
    saved = ours.save(tmp_path / "unigram.json")
    reread = HFTokenizer.from_file(str(saved))
    lines = corpora.mixed_lines(100) + ["☃ <unk>"]
    assert_same_ids(ours, reread, lines)
    ids = reread.encode(lines[0]).ids
    assert ours.decode(ids) == reread.decode(ids)
    again = Tokenizer.from_file(saved)
    assert isinstance(again, UnigramTokenizer)
    assert again.encode_batch(lines) == ours.encode_batch(lines)


def test_unigram_rejects_bad_input(ours) -> None:
    spec = ours.to_hf_dict()
    spec["model"]["vocab"] = ["no", "scores"]
    with pytest.raises(TokenizerFileError, match="pairs"):
        UnigramTokenizer.from_hf_dict(json.loads(json.dumps(spec)))
    with pytest.raises(ValueError, match="no unknown token"):
        UnigramTokenizer([("a", -1.0)], unk_id=None).encode("b")
    with pytest.raises(ValueError, match="unk_token"):
        UnigramTrainer(100, special_tokens=("<s>",)).fit(["a"])
    with pytest.raises(TrainingFileNotFoundError, match=r"train_unigram\(\[text\]"):
        train_unigram("one text", 100)  # a str alone is a file path, as for train_bpe


# -- training ----------------------------------------------------------------------------


def test_unigram_train_reaches_vocab_size_and_covers_characters(trainer, ours) -> None:
    assert ours.vocab_size == 600
    assert trainer.chars_ <= set(ours.vocab)
    assert all(math.isfinite(score) for _, score in ours.pieces)
    lines = shakespeare(0, 2000)
    assert all(0 not in ids for ids in ours.encode_batch(lines))  # nothing unknown
    assert all(ours.decode(ours.encode(line)) == " ".join(line.split()) for line in lines)


def test_unigram_train_likelihood_never_falls_between_prunings(trainer) -> None:
    rounds = trainer.log_likelihoods_
    assert len(rounds) > 3
    for history in rounds:
        for before, after in zip(history, history[1:], strict=False):
            assert after >= before - 1e-6 * abs(before), rounds


def test_unigram_train_tiny_corpus_stops_short() -> None:
    """Six word types leave no use for 30 pieces: EM gives the whole words all the mass,
    and the vocabulary comes out smaller (tokenizers' trainer keeps 14 here)."""
    tok = train_unigram(["low lower lowest"] * 5 + ["new newer newest"] * 5, 30)
    assert 10 <= tok.vocab_size < 30
    assert tok.encode("lower") == [tok.token_to_id("▁lower")]
    assert tok.decode(tok.encode("lower newest")) == "lower newest"


def hf_trained(lines: list[str], vocab_size: int) -> HFTokenizer:
    hf = HFTokenizer(models.Unigram())
    hf.pre_tokenizer = pre_tokenizers.Metaspace()
    hf.decoder = decoders.Metaspace()
    trainer = trainers.UnigramTrainer(
        vocab_size=vocab_size, special_tokens=["<unk>"], unk_token="<unk>", show_progress=False
    )
    hf.train_from_iterator(lines, trainer)
    return hf


@pytest.mark.slow
def test_unigram_train_compared_with_tokenizers_trainer() -> None:
    """Not the same algorithm in detail (seeds, M-step), so the figures are printed and
    only loosely bounded: shared pieces, and tokens per word on held-out lines."""
    train, held_out = shakespeare(0, 5000), shakespeare(5000, 10_000)
    ours = train_unigram(train, 1000)
    theirs = hf_trained(train, 1000)
    overlap = len(set(ours.vocab) & set(theirs.get_vocab())) / theirs.get_vocab_size()
    words = sum(len(line.split()) for line in held_out)
    ours_tpw = sum(len(ids) for ids in ours.encode_batch(held_out)) / words
    theirs_tpw = sum(len(e.ids) for e in theirs.encode_batch(held_out)) / words
    print(
        f"\nvocab overlap {overlap:.3f}; tokens/word ours {ours_tpw:.3f}, tokenizers {theirs_tpw:.3f}"
    )
    assert overlap > 0.6
    assert ours_tpw < 1.1 * theirs_tpw
