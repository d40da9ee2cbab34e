"""Checks for exercise 1.4, run by ``journey check 1.4``.

Each check calls the learner's function through the ``ex`` fixture and compares it with
worked examples (Wikipedia's "aaabdaaabac"), on random id sequences, Shakespeare slices
and random words drawn fresh each run (``rng``), or with a slow, plainly correct trainer
written here that recounts every pair before every merge. The last check times
``train_incremental`` against one full count of the corpus's pairs, measured in the same
process, so it judges the algorithm rather than the machine. With
``--exercise reference`` the same checks grade the library,
``nlpjourney.tokenizers.basic_bpe``.
"""

from __future__ import annotations

import math
import random
import signal
import string
import threading
import time
from collections import Counter
from collections.abc import Callable

import pytest

REFERENCE = "nlpjourney.tokenizers.basic_bpe"
# What the learner may not use: the model answer (and the library's other trainers), and
# the tokenizer libraries that train BPE.
FORBIDDEN = ("nlpjourney", "tokenizers", "tiktoken", "sentencepiece", "transformers")


def recount_trainer(word_counts: dict[str, int], n_merges: int) -> list[tuple[int, int]]:
    """The plain algorithm: recount all pairs, take the best (highest count, then the
    smallest pair), merge it everywhere, repeat."""
    words = {tuple(w.encode("utf-8")): c for w, c in word_counts.items()}
    merges: list[tuple[int, int]] = []
    for new_id in range(256, 256 + n_merges):
        counts: Counter[tuple[int, int]] = Counter()
        for word, c in words.items():
            for pair in zip(word, word[1:], strict=False):
                counts[pair] += c
        if not counts:
            break
        best = min(counts, key=lambda p: (-counts[p], p))
        merges.append(best)
        merged: dict[tuple[int, ...], int] = {}
        for word, c in words.items():
            out, i = [], 0
            while i < len(word):
                if word[i : i + 2] == best:
                    out.append(new_id)
                    i += 2
                else:
                    out.append(word[i])
                    i += 1
            merged[tuple(out)] = merged.get(tuple(out), 0) + c
        words = merged
    return merges


def random_ids(rng, n: int = 60, alphabet: int = 5) -> list[int]:
    """A fresh sequence of a few ids, so pairs repeat and overlap."""
    return [int(v) for v in rng.integers(0, alphabet, size=n)]


def count_pairs_by_hand(ids: list[int]) -> dict[tuple[int, int], int]:
    return dict(Counter(zip(ids, ids[1:], strict=False)))


def merge_by_hand(ids: list[int], pair: tuple[int, int], new_id: int) -> list[int]:
    out, i = [], 0
    while i < len(ids):
        if tuple(ids[i : i + 2]) == pair:
            out.append(new_id)
            i += 2
        else:
            out.append(ids[i])
            i += 1
    return out


def shakespeare_counts(n_lines: int, start: int = 0) -> dict[str, int]:
    """GPT-2-style pre-token counts of ``n_lines`` lines of Tiny Shakespeare."""
    from nlpjourney import data
    from nlpjourney.tokenizers.byte_level import compile_pattern

    lines = data.path("tinyshakespeare").read_text(encoding="utf-8").splitlines(True)
    split = compile_pattern("gpt2").findall
    return dict(Counter(p for line in lines[start : start + n_lines] for p in split(line)))


def many_rare_pairs(n_words: int = 20_000, seed: int = 14) -> dict[str, int]:
    """Distinct random words over 62 letters and digits: each pair is in few words, so
    an incremental trainer touches few words per merge while a recount reads them all."""
    rng = random.Random(seed)
    symbols = string.ascii_letters + string.digits
    words: dict[str, int] = {}
    while len(words) < n_words:
        word = "".join(rng.choice(symbols) for _ in range(rng.randint(5, 9)))
        words[word] = rng.randint(1, 50)
    return words


def seconds_within(run: Callable[[], object], limit: float) -> float:
    """Seconds ``run`` takes, or infinity when it is stopped at ``limit`` seconds."""
    if (
        not hasattr(signal, "setitimer")
        or threading.current_thread() is not threading.main_thread()
    ):
        start = time.perf_counter()
        run()
        return time.perf_counter() - start

    def stop(signum, frame):
        raise TimeoutError

    previous = signal.signal(signal.SIGALRM, stop)
    signal.setitimer(signal.ITIMER_REAL, limit)
    start = time.perf_counter()
    try:
        run()
        return time.perf_counter() - start
    except TimeoutError:
        return math.inf
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def test_get_pair_counts_worked_example(ex, rng) -> None:
    """get_pair_counts counts every pair of neighbours, overlapping ones included.

    Hint 1: every position but the last starts one pair, with the id after it.
    Hint 2: pairs overlap: five, five, five holds the pair (5, 5) twice; an empty list or
    a single id holds none.
    """
    assert ex.get_pair_counts([1, 2, 3, 1, 2]) == {(1, 2): 2, (2, 3): 1, (3, 1): 1}
    assert ex.get_pair_counts([5, 5, 5]) == {(5, 5): 2}
    assert ex.get_pair_counts([]) == {} and ex.get_pair_counts([7]) == {}
    ids = random_ids(rng)
    assert dict(ex.get_pair_counts(ids)) == count_pairs_by_hand(ids), f"for {ids}"


def test_merge_left_to_right_without_overlaps(ex, rng) -> None:
    """merge replaces each occurrence of the pair, left to right, never overlapping.

    Hint 1: walk left to right; a match uses up both of its ids.
    Hint 2: at each position, if this id and the next form the pair, write the new id and
    move on by two; otherwise copy this id and move on by one. Build a new list.
    """
    ids = [1, 2, 3, 1, 2]
    assert ex.merge(ids, (1, 2), 4) == [4, 3, 4]
    assert ids == [1, 2, 3, 1, 2], "merge changed its input list"
    assert ex.merge([5, 5, 5], (5, 5), 6) == [6, 5]
    assert ex.merge([5, 5, 5, 5], (5, 5), 6) == [6, 6]
    assert ex.merge([1, 2, 1], (2, 3), 9) == [1, 2, 1]
    assert ex.merge([3, 1], (1, 2), 9) == [3, 1]
    for _ in range(5):
        ids = random_ids(rng, n=int(rng.integers(0, 40)), alphabet=3)
        pair = (int(rng.integers(0, 3)), int(rng.integers(0, 3)))
        assert ex.merge(ids, pair, 99) == merge_by_hand(ids, pair, 99), f"{pair} in {ids}"


def test_train_simple_wikipedia_example(ex) -> None:
    """train_simple on "aaabdaaabac" makes "aa", then "ab", then "aa"+"ab" = "aaab".

    Hint 1: after the first merge two pairs tie; the tie rule picks the smaller pair.
    Hint 2: after "aa" becomes 256, the pairs (256, 97) and (97, 98) both occur twice, and
    (97, 98) is smaller; a new id's bytes are its left part's bytes followed by its right
    part's.
    """
    merges, vocab = ex.train_simple("aaabdaaabac", 259)
    assert [tuple(m) for m in merges] == [(97, 97), (97, 98), (256, 257)]
    assert vocab[97] == b"a" and vocab[256] == b"aa" and vocab[258] == b"aaab"
    assert len(vocab) == 259


def test_train_simple_tie_rule_and_stopping(ex) -> None:
    """train_simple breaks ties by the smallest pair (not the first seen) and stops when
    no pair is left; a vocab_size under 256 raises ValueError.

    Hint 1: the highest count wins; among equal counts, the smallest pair, not the first
    one seen.
    Hint 2: "dcba" has three pairs, once each, and (98, 97) is the smallest; stop when no
    pair is left, and refuse a vocabulary size under 256 with a ValueError.
    """
    assert [tuple(m) for m in ex.train_simple("dcba", 257)[0]] == [(98, 97)]
    merges, vocab = ex.train_simple("abab", 300)
    assert [tuple(m) for m in merges] == [(97, 98), (256, 256)]
    assert vocab[257] == b"abab" and len(vocab) == 258
    assert ex.train_simple("héllo", 256)[0] == []
    with pytest.raises(ValueError):
        ex.train_simple("abc", 255)


def test_train_simple_equals_recounting_on_shakespeare(ex, rng) -> None:
    """train_simple on 2,000 characters of Tiny Shakespeare gives the recounting merges.

    Hint 1: the text is one sequence of UTF-8 bytes; merges may cross spaces here.
    Hint 2: each round counts the pairs of the current ids, after the previous merge.
    """
    from nlpjourney import data

    full = data.path("tinyshakespeare").read_text(encoding="utf-8")
    start = int(rng.integers(0, len(full) - 2000))
    text = full[start : start + 2000]
    merges, vocab = ex.train_simple(text, 256 + 40)
    assert [tuple(m) for m in merges] == recount_trainer({text: 1}, 40)
    assert b"".join(vocab[i] for i in range(97, 100)) == b"abc"
    for i, (left, right) in enumerate(merges):
        assert vocab[256 + i] == vocab[left] + vocab[right], f"vocab[{256 + i}]"


def test_train_incremental_worked_example(ex) -> None:
    """train_incremental weights each pre-token's pairs by its count.

    Hint 1: a pair inside a pre-token counts as often as the pre-token occurs.
    Hint 2: "pu" is in "pug" (5) and "pun" (12), 17 in all, the most; later "hu" and "ug"
    tie at 10, and "hu" is the smaller pair.
    """
    merges, vocab = ex.train_incremental({"hug": 10, "pug": 5, "pun": 12, "bun": 4}, 259)
    assert [tuple(m) for m in merges] == [(112, 117), (256, 110), (104, 117)]
    assert vocab[257] == b"pun" and vocab[258] == b"hu"
    with pytest.raises(ValueError):
        ex.train_incremental({"ab": 1}, 100)


def test_train_incremental_equals_recounting(ex, rng) -> None:
    """train_incremental gives exactly the recounting merges on Shakespeare's pre-tokens
    and on random words.

    Hint 1: after a merge in a pre-token, its old pairs go away and its new pairs come in,
    each weighted by the pre-token's count.
    Hint 2: note the pre-token under each of its new pairs; a popped heap entry whose
    count differs from the current count is stale and must be skipped.
    """
    counts = shakespeare_counts(2000, start=int(rng.integers(0, 30_000)))
    merges, _ = ex.train_incremental(counts, 256 + 80)
    assert [tuple(m) for m in merges] == recount_trainer(counts, 80)
    words = many_rare_pairs(400, seed=int(rng.integers(2**31)))
    merges, _ = ex.train_incremental(words, 256 + 60)
    assert [tuple(m) for m in merges] == recount_trainer(words, 60)
    # rare words, each seen once, merged until no pair is left: counts fall to 1 and 0
    rare = {"".join(rng.choice(list("abc"), size=rng.integers(2, 7))): 1 for _ in range(12)}
    merges, _ = ex.train_incremental(rare, 256 + 60)
    assert [tuple(m) for m in merges] == recount_trainer(rare, 60), f"on {rare}"
    tiny = {"aaaa": 3, "aaa": 2, "ab": 1}  # overlaps and lone leftovers
    assert [tuple(m) for m in ex.train_incremental(tiny, 262)[0]] == recount_trainer(tiny, 6)


def test_train_incremental_does_not_recount(ex) -> None:
    """train_incremental makes 300 merges on 20,000 words in the time of 150 counts of all
    their pairs: a trainer that recounts needs 300 counts (and 300 rewrites).

    Hint 1: count the pairs once, before the loop, and afterwards only update.
    Hint 2: keep, for each pair, the set of pre-tokens that hold it, and visit only those
    per merge; find the best pair with a heap, not by scanning every pair.
    """
    words = many_rare_pairs()

    def count_all_pairs() -> None:
        counts: dict[tuple[int, int], int] = {}
        for word, c in words.items():
            ids = list(word.encode("utf-8"))
            for pair in zip(ids, ids[1:], strict=False):
                counts[pair] = counts.get(pair, 0) + c

    one_count = min(seconds_within(count_all_pairs, 60) for _ in range(3))
    # The incremental model answer takes about 15 counts' time, a recounting trainer
    # about 950: 150 leaves the right answer ten times its time on a busy machine.
    limit = 150 * one_count
    taken = seconds_within(lambda: ex.train_incremental(words, 256 + 300), limit)
    assert taken < limit, (
        f"300 merges took more than {limit:.1f} s, the time of 150 full pair counts "
        f"({one_count * 1000:.0f} ms each): each merge seems to read every word"
    )
