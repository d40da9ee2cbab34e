"""Tests for nlpjourney.tokenizers.bpe_trainer: the merge list equals Hugging Face
``tokenizers``' BpeTrainer's, and a slow trainer's that recounts every pair before every
merge; parallel counting equals serial counting; the work done per merge is only the
pre-tokens that hold the pair."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from tokenizers import Regex, Tokenizer, models, pre_tokenizers, trainers

from nlpjourney import data
from nlpjourney.errors import JourneyError
from nlpjourney.progress import ProgressBar, progress_enabled
from nlpjourney.tokenizers import bpe_trainer as tb
from nlpjourney.tokenizers import pretokens as tp
from nlpjourney.tokenizers.bpe_trainer import (
    TrainingFileNotFoundError,
    TrainingInputError,
    count_pretokens,
    learn_merges,
    train_bpe,
    training_texts,
    vocab_from_merges,
)
from nlpjourney.tokenizers.byte_level import PATTERNS, compile_pattern, text_to_bytes
from nlpjourney.tokenizers.unigram_trainer import train_unigram
from nlpjourney.tokenizers.wordpiece import train_wordpiece

Merges = list[tuple[bytes, bytes]]


def hf_merges(
    source: Path | list[str], vocab_size: int, pattern: str = "gpt2", special: tuple = ()
) -> Merges:
    """The merges of tokenizers' BpeTrainer, byte-level, as pairs of bytes."""
    tokenizer = Tokenizer(models.BPE())
    if pattern == "gpt2":
        tokenizer.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    else:
        tokenizer.pre_tokenizer = pre_tokenizers.Sequence(
            [
                pre_tokenizers.Split(Regex(PATTERNS.get(pattern, pattern)), "isolated"),
                pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=False),
            ]
        )
    trainer = trainers.BpeTrainer(
        vocab_size=vocab_size,
        special_tokens=list(special),
        show_progress=False,
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
    )
    if isinstance(source, Path):
        tokenizer.train([str(source)], trainer)
    else:
        tokenizer.train_from_iterator(source, trainer)
    merges = json.loads(tokenizer.to_str())["model"]["merges"]
    pairs = [m if isinstance(m, list) else m.split(" ") for m in merges]
    return [(text_to_bytes(a), text_to_bytes(b)) for a, b in pairs]


def slow_reference(pretoken_counts: Counter[str], vocab_size: int) -> tuple[Merges, list[int]]:
    """Obviously correct BPE training: recount every pair of every pre-token before each
    merge; the highest count wins, ties go to the pair smallest by tokenizers' trainer ids
    (bytes numbered by their stand-in characters' code points, new tokens in order made).

    Returns the merges and, per merge, how many distinct pre-tokens held the pair.
    """
    alphabet = sorted(pre_tokenizers.ByteLevel.alphabet())  # tokenizers' own table
    stand_in = {ch: i for i, ch in enumerate(alphabet)}
    tokens = [text_to_bytes(ch) for ch in alphabet]
    to_stand_ins = pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=False)
    words = {
        tuple(stand_in[ch] for ch in to_stand_ins.pre_tokenize_str(w)[0][0]): c
        for w, c in pretoken_counts.items()
    }
    merges, holders = [], []
    while len(set(tokens)) < vocab_size:
        pairs: Counter[tuple[int, int]] = Counter()
        for word, count in words.items():
            for pair in zip(word, word[1:], strict=False):
                pairs[pair] += count
        if not pairs:
            break
        best = min(pairs, key=lambda p: (-pairs[p], p))
        merged = tokens[best[0]] + tokens[best[1]]
        new = tokens.index(merged) if merged in tokens else len(tokens)
        if new == len(tokens):
            tokens.append(merged)
        merges.append((tokens[best[0]], tokens[best[1]]))
        holders.append(sum(1 for w in words if _holds(w, best)))
        words = {_merge(w, best, new): c for w, c in words.items()}
    return merges, holders


def _holds(word: tuple[int, ...], pair: tuple[int, int]) -> bool:
    return any(p == pair for p in zip(word, word[1:], strict=False))


def _merge(word: tuple[int, ...], pair: tuple[int, int], new: int) -> tuple[int, ...]:
    out, i = [], 0
    while i < len(word):
        if word[i : i + 2] == pair:
            out.append(new)
            i += 2
        else:
            out.append(word[i])
            i += 1
    return tuple(out)


def pretokens(texts: list[str], pattern: str = "gpt2") -> Counter[str]:
    """Pre-token counts made the plain way: split each text, count."""
    split = compile_pattern(pattern).findall
    return Counter(p for text in texts for p in split(text))


# -- equal to tokenizers' BpeTrainer ------------------------------------------------------


@pytest.mark.parametrize(("pattern", "vocab_size"), [("gpt2", 1000), ("gpt4", 2000)])
def test_train_bpe_merges_equal_tokenizers_on_tiny_shakespeare(pattern, vocab_size) -> None:
    path = data.path("tinyshakespeare")
    ours = learn_merges(count_pretokens(path, pattern, progress=False), vocab_size)
    assert ours == hf_merges(path, vocab_size, pattern)
    assert len(ours) == vocab_size - 256


def test_train_bpe_merges_equal_tokenizers_at_8192() -> None:
    path = data.path("tinyshakespeare")
    ours = learn_merges(count_pretokens(path), 8192)
    assert ours == hf_merges(path, 8192) and len(ours) == 8192 - 256


def test_train_bpe_merges_equal_tokenizers_on_a_tiny_file(tmp_path: Path) -> None:
    # Windows line ends, trailing spaces before a newline, runs of spaces, numbers,
    # contractions, accents and an emoji: every place where reading line by line matters.
    lines = [
        "Hello  world, it's 2024!\r\n",
        "hello world   \n",
        "\n",
        "   indented\tline with\ttabs\n",
        "café naïve café résumé — “quotes” 🙂🙂\n",
        "they'll we've I'm don't DON'T 12345 1234567\n",
        "the the the then there these those\n",
    ] * 3
    path = tmp_path / "tiny.txt"
    path.write_bytes("".join(lines).encode("utf-8"))
    for pattern in ("gpt2", "gpt4"):
        ours = learn_merges(count_pretokens(path, pattern, progress=False), 330)
        assert ours == hf_merges(path, 330, pattern), pattern
    # Special tokens count in vocab_size for both (tokenizers gives them the first ids).
    specials = ["<|endoftext|>", "<|pad|>"]
    tokenizer = train_bpe(path, 330, special_tokens=specials, progress=False)
    assert tokenizer.merges == hf_merges(path, 330, special=tuple(specials))


TINY_TEXTS = st.lists(st.text(alphabet="ab c\né'1", max_size=12), min_size=1, max_size=8)


@given(texts=TINY_TEXTS, extra=st.integers(1, 40))
def test_train_bpe_merges_equal_tokenizers_on_generated_corpora(texts, extra) -> None:
    counts = count_pretokens(texts, progress=False)
    assert learn_merges(counts, 256 + extra) == hf_merges(texts, 256 + extra)


@given(texts=TINY_TEXTS, extra=st.integers(1, 40))
def test_train_bpe_merges_equal_slow_reference(texts, extra) -> None:
    counts = pretokens(texts)
    ours = learn_merges(counts, 256 + extra)
    reference, _ = slow_reference(counts, 256 + extra)
    # subtle: after a merge that recreates an existing token (the same bytes by another
    # route), tokenizers (and we, on purpose) merge only where the new route formed the
    # pair, while a plain recount merges everywhere; compare up to there (the test above
    # holds us to tokenizers all the way).
    made = [a + b for a, b in reference]
    repeat = next((i for i, t in enumerate(made) if t in made[:i]), len(made))
    assert ours[: repeat + 1] == reference[: repeat + 1]


def test_learn_merges_ties_go_to_the_smallest_trainer_ids() -> None:
    # "e s" and "s t" both occur 9 times; "e" (68) < "s" (82). At 6, "e w" beats "n e"
    # and "Ġ n" (the space byte's stand-in "Ġ" is id 220).
    merges = learn_merges({"low": 5, " lower": 2, " newest": 6, " widest": 3}, 262)
    assert merges == [
        (b"e", b"s"),
        (b"es", b"t"),
        (b"l", b"o"),
        (b"lo", b"w"),
        (b"e", b"w"),
        (b"n", b"ew"),
    ]


def test_learn_merges_takes_bytes_and_skips_what_cannot_merge() -> None:
    as_text = learn_merges({"hug": 10, "pug": 5, "a": 99, "zz": 0}, 259)
    as_bytes = learn_merges({b"hug": 10, b"pug": 5, b"\xff": 3}, 259)
    assert as_text == as_bytes == [(b"u", b"g"), (b"h", b"ug"), (b"p", b"ug")]
    assert learn_merges({"ab": 2}, 300) == [(b"a", b"b")]  # stops when nothing is left


# -- the trained tokenizer ------------------------------------------------------------------


def test_train_bpe_special_tokens_take_the_ids_after_the_merges(tmp_path: Path) -> None:
    texts = ["low lower lowest<|endoftext|>newer newest", "wider widest<|pad|>"] * 5
    specials = ["<|endoftext|>", "<|pad|>"]
    tokenizer = train_bpe(texts, 270, special_tokens=specials, progress=False)
    merges = learn_merges(count_pretokens(texts, special_tokens=specials), 268)
    assert tokenizer.merges == merges
    assert tokenizer.special_tokens == {"<|endoftext|>": 268, "<|pad|>": 269}
    assert tokenizer.vocab_size == 270
    text = "the lowest<|endoftext|>widest"
    ids = tokenizer.encode(text)
    assert 268 in ids and tokenizer.decode(ids) == text
    # The special tokens were never merged: no piece of them became a token.
    assert all(b"<|" not in a + b for a, b in merges)


def test_train_bpe_reads_a_file_like_the_texts_of_its_lines(tmp_path: Path) -> None:
    text = data.path("tinyshakespeare").read_text(encoding="utf-8")[:50_000]
    path = tmp_path / "part.txt"
    path.write_text(text, encoding="utf-8", newline="")
    lines = text.splitlines(keepends=True)
    from_file = train_bpe(path, 400, progress=False)
    assert from_file.merges == train_bpe(str(path), 400, progress=False).merges
    assert from_file.merges == train_bpe(lines, 400, progress=False).merges
    assert from_file.encode(text[:500]) == train_bpe(lines, 400).encode(text[:500])


def test_vocab_from_merges_gives_bytes_their_value_and_merges_the_next_ids() -> None:
    vocab = vocab_from_merges([(b"a", b"b"), (b"ab", b"c"), (b"a", b"bc"), (b"x", b"y")])
    assert vocab[b"a"] == 97 and vocab[b"ab"] == 256 and vocab[b"abc"] == 257
    assert vocab[b"xy"] == 258 and len(vocab) == 259  # "abc" made twice keeps one id


# -- counting -------------------------------------------------------------------------------


def test_count_pretokens_parallel_equals_serial(tmp_path: Path, monkeypatch) -> None:
    text = data.path("tinyshakespeare").read_text(encoding="utf-8")[:300_000]
    path = tmp_path / "part.txt"
    path.write_text(text + "no newline at the end", encoding="utf-8", newline="")
    monkeypatch.setattr(tp, "CHUNK_BYTES", 8192)  # many chunks, so many tasks
    serial = count_pretokens(path, workers=1)
    assert count_pretokens(path, workers=2) == serial
    # ... and both equal splitting each line on its own, as tokenizers reads a file.
    lines = (text + "no newline at the end").splitlines(keepends=True)
    assert serial == pretokens(lines)
    docs = text.split("\n\n")
    assert count_pretokens(docs, workers=2) == count_pretokens(docs, workers=1)
    assert count_pretokens(docs, workers=1) == pretokens(docs)


def test_count_pretokens_a_worker_error_reaches_the_caller(tmp_path: Path, monkeypatch) -> None:
    bad = tmp_path / "mixed.txt"
    bad.write_bytes(("plain text line\n" * 2000).encode() + "café\n".encode("latin-1"))
    monkeypatch.setattr(tp, "CHUNK_BYTES", 4096)
    with pytest.raises(TrainingInputError, match="mixed.txt is not UTF-8"):
        count_pretokens(bad, workers=2)


def test_count_pretokens_cuts_out_special_tokens() -> None:
    counts = count_pretokens(["a<|e|>b <|e|>", "<|e|>"], special_tokens=["<|e|>"])
    assert counts == Counter({"a": 1, "b": 1, " ": 1})


@pytest.mark.parametrize("train", [train_bpe, train_wordpiece, train_unigram])
def test_training_texts_feed_every_trainer_alike(train, tmp_path: Path) -> None:
    """A file trains as its lines would ("\\r\\n" kept), alone or in a list with texts;
    a missing or non-UTF-8 file gets one clear error naming the trainer."""
    lines = [f"the {w}est {w}er {w}s\r\n" for w in ("low", "new", "wid", "old")] * 5 + ["end"]
    corpus = tmp_path / "corpus.txt"
    corpus.write_text("".join(lines), encoding="utf-8", newline="")
    assert list(training_texts(corpus)) == lines
    expected = train(lines, 270).encode("the lowest newer")
    assert train(corpus, 270).encode("the lowest newer") == expected
    assert train(str(corpus), 270).encode("the lowest newer") == expected
    assert train([corpus], 270).encode("the lowest newer") == expected
    with pytest.raises(TrainingFileNotFoundError, match=rf"{train.__name__}\(\[text\]"):
        train(str(tmp_path / "missing.txt"), 270)
    latin1 = tmp_path / "latin1.txt"
    latin1.write_bytes("café\n".encode("latin-1"))
    with pytest.raises(TrainingInputError, match="latin1.txt is not UTF-8"):
        train([latin1], 270)


def test_count_pretokens_bad_input_says_what_to_do(tmp_path: Path) -> None:
    with pytest.raises(TrainingFileNotFoundError, match="no training file") as error:
        count_pretokens(tmp_path / "missing.txt")
    assert isinstance(error.value, FileNotFoundError | JourneyError)
    with pytest.raises(TrainingFileNotFoundError, match=r"train_bpe\(\[text\]"):
        count_pretokens(str(tmp_path / "missing.txt"))
    with pytest.raises(TypeError, match="str"):
        count_pretokens([b"bytes"])
    with pytest.raises(TypeError):
        count_pretokens(42)
    with pytest.raises(ValueError, match="pattern"):
        count_pretokens(["x"], pattern="(")
    latin1 = tmp_path / "latin1.txt"
    latin1.write_bytes("café\n".encode("latin-1"))
    with pytest.raises(TrainingInputError, match="not UTF-8"):
        count_pretokens(latin1)
    with pytest.raises(ValueError, match="vocab_size"):
        train_bpe(["x"], 257, special_tokens=["<a>", "<b>"])
    with pytest.raises(ValueError, match="vocab_size"):
        learn_merges({"ab": 1}, 100)
    with pytest.raises(TypeError, match="list of strings"):
        train_bpe(["x"], 300, special_tokens="<|endoftext|>")


# -- the work done ----------------------------------------------------------------------


def test_learn_merges_visits_only_the_pretokens_holding_the_pair() -> None:
    text = data.path("tinyshakespeare").read_text(encoding="utf-8")[:100_000]
    counts = pretokens(text.splitlines(keepends=True))
    merges, rewrites = tb._learn(counts, 356, progress=False)
    reference, holders = slow_reference(counts, 356)
    assert merges == reference
    # Incremental: each merge rewrites exactly the pre-tokens that hold its pair, never
    # more. A trainer that recounts reads every pre-token on every merge.
    assert rewrites == sum(holders)
    multi = sum(1 for w in counts if len(w.encode()) > 1)
    assert rewrites < 0.05 * len(merges) * multi


# -- progress -------------------------------------------------------------------------------


def test_progress_is_off_in_tests_and_can_be_forced(monkeypatch, capsys) -> None:
    monkeypatch.delenv("NLPJOURNEY_PROGRESS", raising=False)
    assert not progress_enabled()  # stderr is not a terminal under pytest
    assert not ProgressBar("x").enabled
    monkeypatch.setenv("NLPJOURNEY_PROGRESS", "1")
    assert progress_enabled() and not progress_enabled(False)
    with ProgressBar("Counting", total=10, unit="B") as bar:
        bar.advance(4)
        bar.update(completed=10)
    assert "Counting" in capsys.readouterr().err
    monkeypatch.setenv("NLPJOURNEY_PROGRESS", "0")
    assert not progress_enabled()
