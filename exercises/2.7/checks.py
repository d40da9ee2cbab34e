"""Checks for exercise 2.7, run by ``journey check 2.7``.

Each check calls the learner's functions through the ``ex`` fixture. The transitions are
replayed by an arc-standard simulator written here (``replay``), which refuses an
illegal transition (a LEFT-ARC onto ROOT, an arc from an empty stack, a SHIFT from an
empty buffer) and returns the arcs the derivation built; they must be the gold tree. The
trees come from three places: hand-made ones, every sentence of UD English LinES dev
(read here from its CoNLL-U file, ID and HEAD columns only), and random trees drawn
fresh each run (``rng``). ``arc_standard_oracle`` is also asked at every configuration
of every derivation, against the oracle's rule written out here (``expected_action``).
With ``--exercise reference`` the same checks grade the library:
``nlpjourney.parsing.transitions``.
"""

from __future__ import annotations

import pytest

REFERENCE = "nlpjourney.parsing.transitions"
# What the learner may not use: the model answer (and the rest of the library), the
# CoNLL-U and parsing libraries, and NLTK's transition parser.
FORBIDDEN = ("nlpjourney", "conllu", "spacy", "stanza", "nltk.parse")

ACTIONS = ("SHIFT", "LEFT-ARC", "RIGHT-ARC")


# --- the arc-standard system and its oracle, written out here ---------------------------


def replay(transitions, n):
    """Apply ``transitions`` to a sentence of ``n`` words; the head array they build.

    Raises AssertionError (with what went wrong) on an illegal or unknown transition, or
    when the derivation does not end in the terminal configuration.
    """
    stack, buffer, heads = [0], list(range(1, n + 1)), [-1] * (n + 1)
    for step, action in enumerate(transitions):
        where = f"transition {step} ({action!r}), stack {stack}, buffer front {buffer[:3]}"
        if action == "SHIFT":
            assert buffer, f"{where}: SHIFT with an empty buffer"
            stack.append(buffer.pop(0))
        elif action == "LEFT-ARC":
            assert len(stack) >= 2, f"{where}: LEFT-ARC needs two items on the stack"
            assert stack[-2] != 0, f"{where}: LEFT-ARC would give ROOT a head"
            heads[stack.pop(-2)] = stack[-1]
        elif action == "RIGHT-ARC":
            assert len(stack) >= 2, f"{where}: RIGHT-ARC needs two items on the stack"
            dependent = stack.pop()
            heads[dependent] = stack[-1]
        else:
            raise AssertionError(f"{where}: not one of {ACTIONS}")
    assert stack == [0] and not buffer, (
        f"after all {len(transitions)} transitions the parse is not over: stack {stack}, "
        f"buffer {buffer[:5]}"
    )
    return heads


def expected_action(stack, gold_heads, heads):
    """The oracle's rule: LEFT-ARC, else RIGHT-ARC once s0 has all its dependents, else SHIFT."""
    if len(stack) >= 2:
        s0, s1 = stack[-1], stack[-2]
        if s1 != 0 and gold_heads[s1] == s0:
            return "LEFT-ARC"
        if gold_heads[s0] == s1 and all(
            heads[w] == s0 for w in range(1, len(gold_heads)) if gold_heads[w] == s0
        ):
            return "RIGHT-ARC"
    return "SHIFT"


def walk(ex, gold_heads):
    """Follow the oracle's rule through ``gold_heads``' derivation, asking the learner's
    ``arc_standard_oracle`` at every configuration; returns the derivation."""
    n = len(gold_heads) - 1
    stack, buffer, heads = [0], list(range(1, n + 1)), [-1] * (n + 1)
    done = []
    while buffer or len(stack) > 1:
        args = (list(stack), list(buffer), list(gold_heads), list(heads))
        got = ex.arc_standard_oracle(*args)
        want = expected_action(stack, gold_heads, heads)
        assert got == want, (
            f"gold heads {list(gold_heads)}, after {done}: stack {stack}, buffer {buffer}, "
            f"heads {heads}: arc_standard_oracle says {got!r}, the oracle's rule says {want!r}"
        )
        assert args == (stack, buffer, list(gold_heads), heads), (
            "arc_standard_oracle changed its arguments: leave the lists as they are"
        )
        if want == "SHIFT":
            stack.append(buffer.pop(0))
        elif want == "LEFT-ARC":
            heads[stack.pop(-2)] = stack[-1]
        else:
            dependent = stack.pop()
            heads[dependent] = stack[-1]
        done.append(want)
    return done


def is_projective(gold_heads):
    """No two arcs cross when drawn above the sentence (ROOT's arc included)."""
    spans = [(min(h, d), max(h, d)) for d, h in enumerate(gold_heads) if d > 0]
    return not any(a < c < b < e for a, b in spans for c, e in spans)


def random_projective_tree(rng, n):
    """A random projective tree of ``n`` words with one word on ROOT: pick a span's head,
    then build the spans to its left and right the same way, under it."""
    heads = [-1] * (n + 1)

    def build(lo, hi, parent):  # words lo..hi-1 hang below ``parent``
        if lo >= hi:
            return
        # a whole subtree spans lo..hi-1 only when it is one word's; otherwise cut it in
        # two adjacent subtrees of the same parent (projective either way)
        if parent != 0 and hi - lo > 1 and rng.random() < 0.3:
            cut = int(rng.integers(lo + 1, hi))
            build(lo, cut, parent)
            build(cut, hi, parent)
            return
        head = int(rng.integers(lo, hi))
        heads[head] = parent
        build(lo, head, head)
        build(head + 1, hi, head)

    build(1, n + 1, 0)
    return heads


def random_tree(rng, n):
    """A random tree of ``n`` words with one word on ROOT (projective or not)."""
    order = [int(w) for w in rng.permutation(n) + 1]
    heads = [-1] * (n + 1)
    heads[order[0]] = 0
    for i, word in enumerate(order[1:], start=1):
        heads[word] = order[int(rng.integers(0, i))]
    return heads


@pytest.fixture(scope="module")
def lines_dev():
    """UD English LinES dev: each sentence's head array (multiword and empty nodes out)."""
    from nlpjourney import data

    path = data.path("ud_english_lines") / "en_lines-ud-dev.conllu"
    trees, heads = [], [-1]
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line:
            if len(heads) > 1:
                trees.append(heads)
            heads = [-1]
        elif not line.startswith("#"):
            columns = line.split("\t")
            if columns[0].isdigit():
                heads.append(int(columns[6]))
    if len(heads) > 1:
        trees.append(heads)
    return trees


# --- arc_standard_oracle ------------------------------------------------------------------


def test_arc_standard_oracle_hand_made_configurations(ex) -> None:
    """The oracle picks LEFT-ARC, RIGHT-ARC and SHIFT right in hand-made configurations.

    Hint 1: look at the two top items of the stack only: s0 is the last item of the list,
    s1 the one before it; the buffer matters only through what is still unattached.
    Hint 2: LEFT-ARC when s0 is s1's gold head (and s1 is not ROOT); RIGHT-ARC when s1
    is s0's gold head and no gold dependent of s0 is still without its head; else SHIFT.
    """
    she_saw_him = [-1, 2, 0, 2]
    cases = [
        # (stack, buffer, gold_heads, heads, expected, why)
        ([0], [1, 2, 3], she_saw_him, [-1, -1, -1, -1], "SHIFT", "one item on the stack"),
        ([0, 1], [2, 3], she_saw_him, [-1, -1, -1, -1], "SHIFT", "no arc between 0 and 1"),
        ([0, 1, 2], [3], she_saw_him, [-1, -1, -1, -1], "LEFT-ARC", "saw is she's head"),
        ([0, 2], [3], she_saw_him, [-1, 2, -1, -1], "SHIFT", "saw still has him to take"),
        ([0, 2, 3], [], she_saw_him, [-1, 2, -1, -1], "RIGHT-ARC", "saw is him's head"),
        ([0, 2], [], she_saw_him, [-1, 2, -1, 2], "RIGHT-ARC", "ROOT takes saw, at the end"),
        # "big dogs bark": both adjectives... here: 1 <- 2 <- 3, the root is 3
        ([0, 1, 2], [3], [-1, 2, 3, 0], [-1, -1, -1, -1], "LEFT-ARC", "2 is 1's head"),
        ([0, 2, 3], [], [-1, 2, 3, 0], [-1, 2, -1, -1], "LEFT-ARC", "3 is 2's head"),
        # ROOT is never a dependent, even where s0 looks like its head
        ([0, 1], [2], [-1, 0, 1], [-1, -1, -1], "SHIFT", "1 has a dependent in the buffer"),
        ([0, 1, 2], [], [-1, 0, 1], [-1, -1, -1], "RIGHT-ARC", "1 is 2's head"),
    ]
    for stack, buffer, gold, heads, want, why in cases:
        got = ex.arc_standard_oracle(list(stack), list(buffer), list(gold), list(heads))
        assert got == want, (
            f"stack {stack}, buffer {buffer}, gold heads {gold}, heads so far {heads}: "
            f"got {got!r}, expected {want!r} ({why})"
        )


def test_arc_standard_oracle_waits_for_dependents(ex, rng) -> None:
    """No RIGHT-ARC while s0 still has a dependent in the buffer (the classic bug).

    *He saw the man with a telescope*, the PP on *man*: when *man* is on top of the stack
    with *saw* under it, *with* is still in the buffer and must come first.

    Hint 1: a RIGHT-ARC pops s0 for good; a word that is popped cannot take dependents.
    Hint 2: before a RIGHT-ARC, count s0's gold dependents and check that each already
    has s0 as its head in ``heads``.
    """
    # 1 He  2 saw  3 the  4 man  5 with  6 a  7 telescope ; man <- with <- telescope
    gold = [-1, 2, 0, 4, 2, 7, 7, 4]
    heads = [-1, 2, -1, 4, -1, -1, -1, -1]
    got = ex.arc_standard_oracle([0, 2, 4], [5, 6, 7], list(gold), list(heads))
    assert got == "SHIFT", (
        f"He saw the man with a telescope (with -> man): stack [0, saw, man], buffer "
        f"[with, a, telescope]: got {got!r}, expected 'SHIFT' (man still has 'telescope')"
    )
    heads_done = [-1, 2, -1, 4, -1, 7, 7, 4]
    got = ex.arc_standard_oracle([0, 2, 4], [], list(gold), list(heads_done))
    assert got == "RIGHT-ARC", (
        f"stack [0, saw, man], buffer empty, man's dependents attached: got {got!r}, "
        "expected 'RIGHT-ARC'"
    )
    # Fresh: a chain 1 -> 2 -> ... -> n (each word heads the next); on stack [0, 1, 2]
    # word 2 has its dependent 3 in the buffer.
    n = int(rng.integers(3, 12))
    chain = [-1, 0] + list(range(1, n))
    got = ex.arc_standard_oracle([0, 1, 2], list(range(3, n + 1)), chain, [-1] * (n + 1))
    assert got == "SHIFT", (
        f"a right-branching chain of {n} words, gold heads {chain}, stack [0, 1, 2]: "
        f"got {got!r}, expected 'SHIFT' (word 2 heads word 3, still in the buffer)"
    )


def test_arc_standard_oracle_every_configuration_lines_dev(ex, lines_dev) -> None:
    """At every configuration of every projective LinES dev derivation, the oracle's choice.

    Hint 1: the failing configuration is printed: find s0 and s1 and each one's gold head.
    Hint 2: a word's gold dependents can lie on both sides of it; all of them, left and
    right, must be attached before it is taken off the stack.
    """
    projective = [gold for gold in lines_dev if is_projective(gold)]
    assert len(projective) > 900
    for gold in projective:
        walk(ex, gold)


# --- oracle_transitions -------------------------------------------------------------------


def test_oracle_transitions_hand_made_trees(ex) -> None:
    """Whole derivations of small trees, transition by transition.

    Hint 1: start from stack [0] and the buffer 1..n, and stop when the stack is [0]
    and the buffer is empty; apply each transition as you record it.
    Hint 2: LEFT-ARC removes the item under the top (s1), RIGHT-ARC removes the top
    (s0); both record the arc in the head array the oracle reads.
    """
    cases = [
        ([-1], []),
        ([-1, 0], ["SHIFT", "RIGHT-ARC"]),
        ([-1, 2, 0, 2], ["SHIFT", "SHIFT", "LEFT-ARC", "SHIFT", "RIGHT-ARC", "RIGHT-ARC"]),
        ([-1, 2, 3, 0], ["SHIFT", "SHIFT", "LEFT-ARC", "SHIFT", "LEFT-ARC", "RIGHT-ARC"]),
        ([-1, 0, 1, 2], ["SHIFT", "SHIFT", "SHIFT", "RIGHT-ARC", "RIGHT-ARC", "RIGHT-ARC"]),
        (
            [-1, 2, 0, 4, 2, 7, 7, 4],
            "SHIFT SHIFT LEFT-ARC SHIFT SHIFT LEFT-ARC SHIFT SHIFT SHIFT LEFT-ARC LEFT-ARC "
            "RIGHT-ARC RIGHT-ARC RIGHT-ARC".split(),
        ),
    ]
    for gold, want in cases:
        got = list(ex.oracle_transitions(list(gold)))
        assert got == want, f"gold heads {gold}: got {got}, expected {want}"


def test_oracle_transitions_rebuild_lines_dev(ex, lines_dev) -> None:
    """Every projective LinES dev tree: 2n transitions that, replayed, rebuild its heads.

    Hint 1: the derivation must use only legal transitions and end with the stack [0]
    and an empty buffer; the message says which transition went wrong.
    Hint 2: if the arcs come out wrong, compare your derivation with the oracle's rule
    at the first configuration where they part (the next check prints it).
    """
    projective = [gold for gold in lines_dev if is_projective(gold)]
    for gold in projective:
        n = len(gold) - 1
        got = list(ex.oracle_transitions(list(gold)))
        assert len(got) == 2 * n, f"gold heads {gold}: {len(got)} transitions, expected {2 * n}"
        heads = replay(got, n)
        assert heads == list(gold), (
            f"gold heads {gold}: the derivation {got} builds the heads {heads}"
        )


def test_oracle_transitions_follow_the_oracle_lines_dev(ex, lines_dev) -> None:
    """Every projective LinES dev derivation is the oracle's own, transition by transition.

    At each configuration: LEFT-ARC first, RIGHT-ARC as soon as s0 has all its
    dependents, SHIFT otherwise.

    Hint 1: other derivations can build the same tree; this exercise asks for the one
    that tries LEFT-ARC, then RIGHT-ARC, then SHIFT at each configuration.
    Hint 2: ask arc_standard_oracle at each step, with the head array you are building.
    """
    for gold in lines_dev:
        if is_projective(gold):
            want = [expected_action(*c) for c in configurations(gold)]
            got = list(ex.oracle_transitions(list(gold)))
            first = next(
                (i for i, (a, b) in enumerate(zip(got, want, strict=False)) if a != b), None
            )
            assert got == want, (
                f"gold heads {gold}: got {got}, expected {want} (first difference at "
                f"transition {first if first is not None else min(len(got), len(want))})"
            )


def configurations(gold_heads):
    """Each configuration (stack, gold heads, heads) the oracle's derivation passes."""
    n = len(gold_heads) - 1
    stack, buffer, heads = [0], list(range(1, n + 1)), [-1] * (n + 1)
    while buffer or len(stack) > 1:
        yield list(stack), gold_heads, list(heads)
        action = expected_action(stack, gold_heads, heads)
        if action == "SHIFT":
            stack.append(buffer.pop(0))
        elif action == "LEFT-ARC":
            heads[stack.pop(-2)] = stack[-1]
        else:
            dependent = stack.pop()
            heads[dependent] = stack[-1]


def test_oracle_transitions_random_projective_trees(ex, rng) -> None:
    """Fresh random projective trees of 1 to 40 words: each derivation rebuilds its tree.

    Hint 1: random trees have shapes LinES rarely shows: long right-branching chains, a
    word with many dependents on both sides, the root word first or last.
    Hint 2: replay your derivation by hand on the smallest failing tree printed.
    """
    for _ in range(300):
        n = int(rng.integers(1, 41))
        gold = random_projective_tree(rng, n)
        assert is_projective(gold)
        got = list(ex.oracle_transitions(list(gold)))
        assert len(got) == 2 * n, f"gold heads {gold}: {len(got)} transitions, expected {2 * n}"
        heads = replay(got, n)
        assert heads == gold, f"gold heads {gold}: the derivation {got} builds {heads}"
        for stack, _, heads_now in configurations(gold):
            buffer_front = len([h for h in heads_now if h != -1]) + len(stack) - 1
            buffer = list(range(buffer_front + 1, n + 1))
            want = expected_action(stack, gold, heads_now)
            said = ex.arc_standard_oracle(list(stack), buffer, list(gold), list(heads_now))
            assert said == want, (
                f"gold heads {gold}: stack {stack}, buffer {buffer}, heads {heads_now}: "
                f"arc_standard_oracle says {said!r}, expected {want!r}"
            )


def test_oracle_transitions_non_projective_raises(ex, rng, lines_dev) -> None:
    """A non-projective tree raises ValueError: by hand, in LinES dev, and random ones.

    Hint 1: arc-standard cannot build crossing arcs: the oracle then finds no arc to make
    while the buffer is empty, or the arcs it builds are not the gold ones.
    Hint 2: when the buffer is empty and the oracle still says SHIFT, raise a ValueError
    saying the tree is not projective; never loop forever.
    """
    #   1 -> 3 and 2 -> 4 cross
    hand = [[-1, 0, 4, 1, 1], [-1, 3, 4, 0, 3], [-1, 0, 4, 1, 3, 1]]
    non_projective = [gold for gold in lines_dev if not is_projective(gold)]
    assert non_projective, "LinES dev has non-projective sentences"
    drawn = []
    while len(drawn) < 40:
        gold = random_tree(rng, int(rng.integers(4, 16)))
        if not is_projective(gold):
            drawn.append(gold)
    for gold in hand + non_projective[:40] + drawn:
        with pytest.raises(ValueError):
            got = ex.oracle_transitions(list(gold))
            pytest.fail(f"gold heads {gold} are not projective, yet got the derivation {got}")
