"""Checks for exercise 1.4, run by ``journey check 1.4``.

Each check calls the learner's function through the ``ex`` fixture and compares it with
worked examples (Wikipedia's "aaabdaaabac") or with a slow, plainly correct trainer
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


def shakespeare_counts(n_lines: int) -> dict[str, int]:
    """GPT-2-style pre-token counts of the first lines of Tiny Shakespeare."""
    from nlpjourney import data
    from nlpjourney.tokenizers.byte_level import compile_pattern

    lines = data.path("tinyshakespeare").read_text(encoding="utf-8").splitlines(True)
    split = compile_pattern("gpt2").findall
    return dict(Counter(p for line in lines[:n_lines] for p in split(line)))


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


def test_get_pair_counts_worked_example(ex) -> None:
    """get_pair_counts counts every pair of neighbours, overlapping ones included.

    Hint: for pair in zip(ids, ids[1:]): counts[pair] = counts.get(pair, 0) + 1;
    [5, 5, 5] holds (5, 5) twice, and [] or [7] hold no pair.
    """
    assert ex.get_pair_counts([1, 2, 3, 1, 2]) == {(1, 2): 2, (2, 3): 1, (3, 1): 1}
    assert ex.get_pair_counts([5, 5, 5]) == {(5, 5): 2}
    assert ex.get_pair_counts([]) == {} and ex.get_pair_counts([7]) == {}


def test_merge_left_to_right_without_overlaps(ex) -> None:
    """merge replaces each occurrence of the pair, left to right, never overlapping.

    Hint: walk with an index i; when ids[i], ids[i + 1] is the pair, append new_id and
    step 2, else append ids[i] and step 1. Build a new list; do not change ids.
    """
    ids = [1, 2, 3, 1, 2]
    assert ex.merge(ids, (1, 2), 4) == [4, 3, 4]
    assert ids == [1, 2, 3, 1, 2], "merge changed its input list"
    assert ex.merge([5, 5, 5], (5, 5), 6) == [6, 5]
    assert ex.merge([5, 5, 5, 5], (5, 5), 6) == [6, 6]
    assert ex.merge([1, 2, 1], (2, 3), 9) == [1, 2, 1]
    assert ex.merge([3, 1], (1, 2), 9) == [3, 1]


def test_train_simple_wikipedia_example(ex) -> None:
    """train_simple on "aaabdaaabac" makes "aa", then "ab", then "aa"+"ab" = "aaab".

    Hint: after merging (97, 97) into 256 the bytes read [256, 97, 98, 100, 256, 97, 98,
    97, 99]: (256, 97) and (97, 98) both occur twice, and the tie rule picks the smaller
    pair, (97, 98). vocab[256 + i] is vocab[left] + vocab[right].
    """
    merges, vocab = ex.train_simple("aaabdaaabac", 259)
    assert [tuple(m) for m in merges] == [(97, 97), (97, 98), (256, 257)]
    assert vocab[97] == b"a" and vocab[256] == b"aa" and vocab[258] == b"aaab"
    assert len(vocab) == 259


def test_train_simple_tie_rule_and_stopping(ex) -> None:
    """train_simple breaks ties by the smallest pair (not the first seen) and stops when
    no pair is left; a vocab_size under 256 raises ValueError.

    Hint: best = min(counts, key=lambda p: (-counts[p], p)); "dcba" has three pairs once
    each and (98, 97) is the smallest. Stop when get_pair_counts(ids) is empty.
    """
    assert [tuple(m) for m in ex.train_simple("dcba", 257)[0]] == [(98, 97)]
    merges, vocab = ex.train_simple("abab", 300)
    assert [tuple(m) for m in merges] == [(97, 98), (256, 256)]
    assert vocab[257] == b"abab" and len(vocab) == 258
    assert ex.train_simple("héllo", 256)[0] == []
    with pytest.raises(ValueError):
        ex.train_simple("abc", 255)


def test_train_simple_equals_recounting_on_shakespeare(ex) -> None:
    """train_simple on 2,000 characters of Tiny Shakespeare gives the recounting merges.

    Hint: the text is one sequence of UTF-8 bytes; merges may cross spaces here. Check
    that each loop counts the pairs of the current ids, after the previous merge.
    """
    from nlpjourney import data

    text = data.path("tinyshakespeare").read_text(encoding="utf-8")[:2000]
    merges, vocab = ex.train_simple(text, 256 + 40)
    assert [tuple(m) for m in merges] == recount_trainer({text: 1}, 40)
    assert b"".join(vocab[i] for i in range(97, 100)) == b"abc"


def test_train_incremental_worked_example(ex) -> None:
    """train_incremental weights each pre-token's pairs by its count.

    Hint: "pu" occurs in "pug" (5) and "pun" (12): 17, the most. After it, "pu"+"n" (12);
    then "hu" and "ug" tie at 10 and (104, 117) < (117, 103).
    """
    merges, vocab = ex.train_incremental({"hug": 10, "pug": 5, "pun": 12, "bun": 4}, 259)
    assert [tuple(m) for m in merges] == [(112, 117), (256, 110), (104, 117)]
    assert vocab[257] == b"pun" and vocab[258] == b"hu"
    with pytest.raises(ValueError):
        ex.train_incremental({"ab": 1}, 100)


def test_train_incremental_equals_recounting(ex) -> None:
    """train_incremental gives exactly the recounting merges on Shakespeare's pre-tokens
    and on random words.

    Hint: after merging in a pre-token, subtract the count of each of its old pairs and
    add each of its new pairs (times the pre-token's count), and note the pre-token under
    each new pair. A popped heap entry whose count differs from the current one is stale.
    """
    counts = shakespeare_counts(3000)
    merges, _ = ex.train_incremental(counts, 256 + 80)
    assert [tuple(m) for m in merges] == recount_trainer(counts, 80)
    words = many_rare_pairs(400, seed=3)
    merges, _ = ex.train_incremental(words, 256 + 60)
    assert [tuple(m) for m in merges] == recount_trainer(words, 60)
    tiny = {"aaaa": 3, "aaa": 2, "ab": 1}  # overlaps and lone leftovers
    assert [tuple(m) for m in ex.train_incremental(tiny, 262)[0]] == recount_trainer(tiny, 6)


def test_train_incremental_does_not_recount(ex) -> None:
    """train_incremental makes 300 merges on 20,000 words in the time of 75 counts of all
    their pairs: a trainer that recounts needs 300 counts (and 300 rewrites).

    Hint: count pairs once, before the loop. Keep pair -> set of pre-token indices, and
    per merge visit only that set; update counts with the old and new pairs of each
    visited pre-token; find the best pair with a heap, not max() over every pair.
    """
    words = many_rare_pairs()

    def count_all_pairs() -> None:
        counts: dict[tuple[int, int], int] = {}
        for word, c in words.items():
            ids = list(word.encode("utf-8"))
            for pair in zip(ids, ids[1:], strict=False):
                counts[pair] = counts.get(pair, 0) + c

    one_count = min(seconds_within(count_all_pairs, 60) for _ in range(3))
    limit = 75 * one_count
    taken = seconds_within(lambda: ex.train_incremental(words, 256 + 300), limit)
    assert taken < limit, (
        f"300 merges took more than {limit:.1f} s, the time of 75 full pair counts "
        f"({one_count * 1000:.0f} ms each): each merge seems to read every word"
    )
