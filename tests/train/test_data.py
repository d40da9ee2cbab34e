"""Tests for nlpjourney.train.data: uint16 token files, random windows."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch

from nlpjourney.errors import JourneyError
from nlpjourney.tokenizers import CharTokenizer, load, train_bpe
from nlpjourney.train import (
    BatchSampler,
    TokenDataset,
    prepare_bpe,
    prepare_char,
    sample_windows,
)
from nlpjourney.train import data as train_data

#: 2,000 distinct characters in increasing code-point order, so the sorted vocabulary
#: gives character i the id i and every id says where in the stream it sits.
POSITIONS = "".join(chr(0x4E00 + i) for i in range(2000))


def test_data_prepare_char_memmap_round_trip(tmp_path: Path) -> None:
    text = "To be, or not to be: that is the question.\n" * 30
    dataset = prepare_char(text, tmp_path / "tok", val_fraction=0.25)
    tokenizer = dataset.tokenizer()
    assert isinstance(tokenizer, CharTokenizer)
    assert isinstance(dataset.train, np.memmap) and dataset.train.dtype == np.uint16
    assert tokenizer.decode(np.concatenate([dataset.train, dataset.val])) == text
    assert len(dataset.val) == round(len(text) * 0.25)
    assert (tmp_path / "tok" / "train.bin").stat().st_size == 2 * len(dataset.train)
    assert dataset.vocab_size == len(set(text))
    reopened = TokenDataset(tmp_path / "tok")
    assert np.array_equal(reopened.val, dataset.val) and reopened.meta == dataset.meta


def test_data_prepare_is_done_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    text_file = tmp_path / "corpus.txt"
    text_file.write_text("abcabcabd" * 20, encoding="utf-8")
    monkeypatch.setenv("NLPJOURNEY_CACHE", str(tmp_path / "cache"))
    first = prepare_char(text_file)
    assert first.folder.parent == tmp_path / "cache" / "tokens"
    assert first.folder.name.startswith("corpus-char-")

    def no_encoding(self: CharTokenizer, text: str) -> list[int]:
        raise AssertionError("encoded again")

    monkeypatch.setattr(CharTokenizer, "encode", no_encoding)
    assert prepare_char(text_file).folder == first.folder  # same text: reused
    monkeypatch.undo()
    monkeypatch.setenv("NLPJOURNEY_CACHE", str(tmp_path / "cache"))
    other = prepare_char(text_file, val_fraction=0.5)  # another split: another folder
    assert other.folder != first.folder


def test_data_windows_are_contiguous_slices_and_y_is_x_shifted() -> None:
    tokens = np.arange(500, dtype=np.uint16)  # each id is its own position
    generator = np.random.default_rng(0)
    x, y = sample_windows(tokens, batch_size=64, block_size=8, generator=generator)
    assert x.shape == y.shape == (64, 8) and x.dtype == y.dtype == torch.int64
    assert x.is_contiguous() and y.is_contiguous()
    starts = x[:, 0]
    assert torch.equal(x, starts[:, None] + torch.arange(8))
    assert torch.equal(y, x + 1)
    assert int(y.max()) <= 499 and int(x.min()) >= 0
    # every start is reachable, the last one included (its target is the last token)
    many, _ = sample_windows(tokens, 20_000, 8, np.random.default_rng(1))
    assert set(many[:, 0].tolist()) == set(range(500 - 8))


def test_data_train_and_val_do_not_overlap(tmp_path: Path) -> None:
    dataset = prepare_char(POSITIONS, tmp_path / "tok", val_fraction=0.1)
    assert np.array_equal(dataset.train, np.arange(1800))
    assert np.array_equal(dataset.val, np.arange(1800, 2000))
    sampler = BatchSampler(dataset, batch_size=256, block_size=32, seed=0)
    for _ in range(5):
        x, y = sampler("train")
        assert int(torch.maximum(x, y).max()) < 1800
        x, y = sampler("val")
        assert int(torch.minimum(x, y).min()) >= 1800


def test_data_sampler_state_resumes_the_same_windows(tmp_path: Path) -> None:
    dataset = prepare_char(POSITIONS, tmp_path / "tok")
    sampler = dataset.sampler(batch_size=4, block_size=8, seed=3)
    sampler("train")
    state = sampler.state_dict()
    expected = [sampler(split) for split in ("train", "val", "train")]
    fresh = dataset.sampler(batch_size=4, block_size=8, seed=99)
    fresh.load_state_dict(state)
    for (x, y), split in zip(expected, ("train", "val", "train"), strict=True):
        got_x, got_y = fresh(split)
        assert torch.equal(got_x, x) and torch.equal(got_y, y)
    # the two splits draw from their own generators
    a, b = dataset.sampler(4, 8, seed=3), dataset.sampler(4, 8, seed=3)
    b("val")
    assert torch.equal(a("train")[0], b("train")[0])


def test_data_refuses_vocabularies_too_big_for_uint16(tmp_path: Path) -> None:
    text = "".join(chr(0x10000 + i) for i in range(70_000))
    with pytest.raises(ValueError, match="does not fit in uint16"):
        prepare_char(text, tmp_path / "chars")
    with pytest.raises(ValueError, match="more than uint16 holds"):
        prepare_bpe("hello", "llama3", tmp_path / "llama3")  # 128,256 ids
    assert not (tmp_path / "llama3" / "meta.json").exists()


def test_data_prepare_bpe_with_gpt2_equals_its_encoding(tmp_path: Path) -> None:
    text = "First Citizen:\nBefore we proceed any further, hear me speak.\n" * 5
    dataset = prepare_bpe(text, "gpt2", tmp_path / "gpt2", val_fraction=0.2)
    ids = load("gpt2").encode(text)
    assert np.concatenate([dataset.train, dataset.val]).tolist() == ids
    assert dataset.vocab_size == 50257
    assert dataset.tokenizer().decode(dataset.val.tolist()) == load("gpt2").decode(
        ids[len(dataset.train) :]
    )


def test_data_prepare_bpe_with_a_trained_tokenizer_saves_it(tmp_path: Path) -> None:
    text = "low lower lowest newer newest wider widest " * 20
    tokenizer = train_bpe([text], 300, progress=False)
    dataset = prepare_bpe(text, tokenizer, tmp_path / "mine")
    assert (tmp_path / "mine" / "tokenizer.json").is_file()
    stream = np.concatenate([dataset.train, dataset.val]).tolist()
    assert TokenDataset(tmp_path / "mine").tokenizer().decode(stream) == text


def test_data_bad_inputs_are_named(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="val_fraction"):
        prepare_char("abc", tmp_path / "a", val_fraction=1.0)
    with pytest.raises(FileNotFoundError, match="no text file"):
        prepare_char(tmp_path / "missing.txt")
    with pytest.raises(TypeError, match="tokenizer must be"):
        prepare_bpe("abc", 42, tmp_path / "b")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="too few"):
        sample_windows(np.arange(8, dtype=np.uint16), 2, 8, np.random.default_rng(0))
    with pytest.raises(JourneyError, match="no meta.json"):
        TokenDataset(tmp_path)
    dataset = prepare_char("abcdefgh" * 10, tmp_path / "c")
    with pytest.raises(ValueError, match="'train' or 'val'"):
        dataset.get_batch("test", 2, 4, np.random.default_rng(0))
    (tmp_path / "c" / "val.bin").write_bytes(b"\0")  # truncated
    with pytest.raises(JourneyError, match="prepare it again"):
        TokenDataset(tmp_path / "c")
    assert train_data.MAX_VOCAB == 65536


def test_data_damaged_cache_is_rebuilt_never_trained_on(tmp_path: Path) -> None:
    text = "abcdefgh" * 50
    good = prepare_char(text, tmp_path / "tok")
    expected = np.array(good.train)
    stream = tmp_path / "tok" / "train.bin"
    damaged = bytearray(stream.read_bytes())
    damaged[10:14] = b"\xff\xff\xff\xff"  # same size, ids far past the vocabulary
    stream.write_bytes(bytes(damaged))
    with pytest.warns(UserWarning, match="does not match the checksum.*preparing it again"):
        again = prepare_char(text, tmp_path / "tok")
    assert np.array_equal(np.array(again.train), expected)
