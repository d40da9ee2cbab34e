"""Tests for nlpjourney.tokenizers.basic_bpe: worked examples, the incremental trainer
equal to the recounting one on any corpus, and exercise 1.4's speed check failing a
trainer that recounts."""

from __future__ import annotations

import importlib.util
import types
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from nlpjourney.tokenizers.basic_bpe import (
    get_pair_counts,
    merge,
    train_incremental,
    train_simple,
)

CHECKS = Path(__file__).resolve().parents[2] / "exercises" / "1.4" / "checks.py"


def load_checks() -> types.ModuleType:
    spec = importlib.util.spec_from_file_location("checks_1_4", CHECKS)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_basic_bpe_worked_examples() -> None:
    assert get_pair_counts([1, 2, 3, 1, 2]) == {(1, 2): 2, (2, 3): 1, (3, 1): 1}
    assert merge([1, 2, 3, 1, 2], (1, 2), 4) == [4, 3, 4]
    assert merge([5, 5, 5], (5, 5), 6) == [6, 5]
    merges, vocab = train_simple("aaabdaaabac", 259)
    assert merges == [(97, 97), (97, 98), (256, 257)] and vocab[258] == b"aaab"


@given(
    words=st.dictionaries(st.text("abcé ", min_size=1, max_size=9), st.integers(1, 9)),
    n_merges=st.integers(0, 30),
)
def test_basic_bpe_incremental_equals_recounting(words, n_merges) -> None:
    expected = load_checks().recount_trainer(words, n_merges)
    merges, vocab = train_incremental(words, 256 + n_merges)
    assert merges == expected
    assert all(vocab[256 + i] == vocab[a] + vocab[b] for i, (a, b) in enumerate(merges))


@given(text=st.text("ab c\n", max_size=40), n_merges=st.integers(0, 12))
def test_basic_bpe_simple_equals_incremental_on_one_word(text, n_merges) -> None:
    simple = train_simple(text, 256 + n_merges)
    assert simple == train_incremental({text: 1} if text else {}, 256 + n_merges)


def test_basic_bpe_rejects_a_small_vocab() -> None:
    with pytest.raises(ValueError, match="at least 256"):
        train_simple("abc", 10)
    with pytest.raises(ValueError, match="at least 256"):
        train_incremental({"abc": 1}, 255)


@pytest.mark.slow
def test_exercise_speed_check_fails_a_recounting_trainer() -> None:
    checks = load_checks()

    def recounting(word_counts, vocab_size):
        return checks.recount_trainer(dict(word_counts), vocab_size - 256), {}

    with pytest.raises(AssertionError, match="each merge seems to read every word"):
        checks.test_train_incremental_does_not_recount(
            types.SimpleNamespace(train_incremental=recounting)
        )
    # ... while the incremental one passes it.
    checks.test_train_incremental_does_not_recount(
        types.SimpleNamespace(train_incremental=train_incremental)
    )
