"""Transition systems and oracles: gold trees rebuilt on real data, costs against brute force."""

from __future__ import annotations

import random
from collections.abc import Sequence

import pytest

from nlpjourney.parsing import _kernels
from nlpjourney.parsing.conllu import Sentence, ud_english
from nlpjourney.parsing.projectivity import is_projective
from nlpjourney.parsing.reachability import best_gain, gold_matrix
from nlpjourney.parsing.transitions import (
    ArcEager,
    ArcStandard,
    Configuration,
    arc_standard_oracle,
    oracle_transitions,
)

SYSTEMS = [ArcStandard, ArcEager]


@pytest.fixture(scope="module")
def lines_dev() -> list[Sentence]:
    return [s for s in ud_english("lines", "dev") if is_projective(s.heads)]


def _static_derivation(system: ArcStandard | ArcEager, sentence: Sentence) -> Configuration:
    config = system.initial(len(sentence))
    while not system.is_terminal(config):
        action, label = system.static_oracle(config, sentence.heads, sentence.deprels)
        system.apply(config, action, label)
    return config


def _random_tree(n: int, rng: random.Random, projective: bool) -> list[int]:
    """A random single-rooted tree: any tree, or a projective one (a random derivation)."""
    if projective:
        system = ArcStandard()
        config = system.initial(n)
        while not system.is_terminal(config):
            system.apply(config, rng.choice(system.legal(config)))
        return config.heads
    order = list(range(1, n + 1))
    rng.shuffle(order)
    heads = [-1] * (n + 1)
    heads[order[0]] = 0
    for i, word in enumerate(order[1:], start=1):
        heads[word] = rng.choice(order[:i])  # a word placed earlier: never a cycle
    return heads


def _best_loss(system: ArcStandard | ArcEager, config: Configuration, gold: Sequence[int]) -> int:
    """The fewest wrong heads of any terminal configuration reachable (exhaustive search)."""
    if system.is_terminal(config):
        return sum(config.heads[w] != gold[w] for w in range(1, config.n + 1))
    best = config.n
    for action in system.legal(config):
        after = config.copy()
        system.apply(after, action)
        best = min(best, _best_loss(system, after, gold))
    return best


@pytest.mark.parametrize("System", SYSTEMS)
def test_transitions_static_oracle_rebuilds_lines_dev_trees(
    System: type, lines_dev: list[Sentence]
) -> None:
    system = System()
    for sentence in lines_dev:
        config = _static_derivation(system, sentence)
        assert config.heads == sentence.heads
        assert config.labels == sentence.deprels


@pytest.mark.slow
@pytest.mark.parametrize("System", SYSTEMS)
def test_transitions_static_oracle_rebuilds_every_projective_lines_train_tree(
    System: type,
) -> None:
    system = System()
    sentences = [s for s in ud_english("lines", "train") if is_projective(s.heads)]
    assert len(sentences) == 3272  # of 3,457: 185 are not projective
    for sentence in sentences:
        config = _static_derivation(system, sentence)
        assert (config.heads, config.labels) == (sentence.heads, sentence.deprels)


@pytest.mark.parametrize(
    ("System", "longest", "count"),
    [
        (ArcEager, 200, 300),
        (ArcStandard, 20, 150),
        pytest.param(ArcEager, 200, 10_000, marks=pytest.mark.slow),
        pytest.param(ArcStandard, 60, 400, marks=pytest.mark.slow),
    ],
)
def test_transitions_zero_cost_actions_reach_the_gold_tree(
    System: type, longest: int, count: int, lines_dev: list[Sentence]
) -> None:
    # Any path of zero-cost actions, not only the static oracle's, ends on the gold tree.
    system, rng = System(), random.Random(7)
    sentences = [s for s in lines_dev if len(s) <= longest][:count]
    for sentence in sentences:
        config = system.initial(len(sentence))
        while not system.is_terminal(config):
            costs = system.costs(config, sentence.heads)
            system.apply(config, rng.choice([a for a, c in costs.items() if c == 0]))
        assert config.heads == sentence.heads


@pytest.mark.parametrize(
    ("System", "projective"), [(ArcEager, True), (ArcStandard, True), (ArcStandard, False)]
)
def test_transitions_costs_equal_brute_force_loss(System: type, projective: bool) -> None:
    # From random configurations (not on the gold path), each action's cost is the true
    # rise in the least reachable loss. Arc-standard's is exact for any gold tree.
    system, rng = System(), random.Random(2012)
    checked = 0
    for _ in range(250):
        n = rng.randint(1, 6)
        gold = _random_tree(n, rng, projective)
        config = system.initial(n)
        for _ in range(rng.randint(0, 2 * n)):
            if system.is_terminal(config):
                break
            system.apply(config, rng.choice(system.legal(config)))
        if system.is_terminal(config):
            continue
        before = _best_loss(system, config, gold)
        costs = system.costs(config, gold)
        assert set(costs) == set(system.legal(config))
        for action, cost in costs.items():
            after = config.copy()
            system.apply(after, action)
            assert cost == _best_loss(system, after, gold) - before, (gold, config, action)
            checked += 1
    assert checked > 250


def test_transitions_compiled_best_gain_equals_the_readable_one() -> None:
    rng = random.Random(5)
    system = ArcStandard()
    for _ in range(300):
        n = rng.randint(1, 14)
        gold = _random_tree(n, rng, projective=rng.random() < 0.5)
        config = system.initial(n)
        for _ in range(rng.randint(0, 2 * n - 1)):
            system.apply(config, rng.choice(system.legal(config)))
        units, top = config.stack + config.buffer, len(config.stack) - 1
        assert _kernels.best_gain(gold_matrix(units, gold), top) == best_gain(units, top, gold)


def test_transitions_configuration_items_and_children() -> None:
    config = Configuration.initial(5)
    assert (config.stack, config.next, config.buffer) == ([0], 1, [1, 2, 3, 4, 5])
    system = ArcStandard()
    for action in ["SHIFT", "SHIFT", "SHIFT", "LEFT-ARC", "LEFT-ARC", "SHIFT", "RIGHT-ARC"]:
        system.apply(config, action, "x")
    # 3 took 2 then 1 as left dependents, then 4 as a right dependent.
    assert config.heads == [-1, 3, 3, -1, 3, -1]
    assert config.stack_item(0) == 3 and config.stack_item(1) == 0 and config.stack_item(2) == -1
    assert config.buffer_item(0) == 5 and config.buffer_item(1) == -1
    assert config.leftmost_child(3) == 1 and config.leftmost_child(3, 2) == 2
    assert config.leftmost_child(3, 3) == -1 and config.leftmost_child(-1) == -1
    assert config.rightmost_child(3) == 4 and config.rightmost_child(3, 2) == -1
    assert config.labels[4] == "x" and not config.is_terminal()


def test_transitions_single_root_policy_holds_for_every_random_derivation() -> None:
    rng = random.Random(0)
    for System in SYSTEMS:
        system = System()
        for _ in range(200):
            n = rng.randint(1, 9)
            config = system.initial(n)
            while not system.is_terminal(config):
                legal = system.legal(config)
                top = config.stack[-1]
                if System is ArcStandard and len(config.stack) >= 2 and config.stack[-2] == 0:
                    assert "LEFT-ARC" not in legal  # never onto ROOT
                if System is ArcEager and config.next <= n:
                    assert ("LEFT-ARC" in legal) == (top != 0 and config.heads[top] == -1)
                    assert ("REDUCE" in legal) == (top != 0 and config.heads[top] != -1)
                elif System is ArcEager:
                    assert legal == ["REDUCE"]  # an empty buffer: pop what is left
                system.apply(config, rng.choice(legal))
            system.finish(config)
            assert -1 not in config.heads[1:] and config.heads[1:].count(0) == 1
            if System is ArcStandard:
                assert is_projective(config.heads)


def test_transitions_arc_eager_finish_attaches_leftovers_to_the_root_word() -> None:
    system = ArcEager()
    config = system.initial(3)
    for action in ["SHIFT", "RIGHT-ARC", "SHIFT", "REDUCE", "REDUCE", "REDUCE"]:
        system.apply(config, action, "rel")
    assert config.is_terminal() and config.heads == [-1, -1, 1, -1]
    system.finish(config)
    assert config.heads == [-1, 0, 1, 1] and config.labels == ["", "root", "rel", "dep"]


def test_transitions_illegal_action_and_wrong_gold_raise() -> None:
    system = ArcStandard()
    config = system.initial(2)
    with pytest.raises(ValueError, match="'LEFT-ARC' is not legal"):
        system.apply(config, "LEFT-ARC")
    with pytest.raises(ValueError, match="length n \\+ 1 = 3"):
        system.costs(config, [0, 1])
    with pytest.raises(ValueError, match="terminal"):
        ArcEager().static_oracle(Configuration([0], 2, [-1, 0], ["", "root"], 1), [-1, 0], [])


def test_transitions_exercise_oracle_functions() -> None:
    assert arc_standard_oracle([0, 1, 2], [3], [-1, 2, 0, 2], [-1] * 4) == "LEFT-ARC"
    assert arc_standard_oracle([0, 2], [3], [-1, 2, 0, 2], [-1, 2, -1, -1]) == "SHIFT"
    assert arc_standard_oracle([0, 2, 3], [], [-1, 2, 0, 2], [-1, 2, -1, -1]) == "RIGHT-ARC"
    # ROOT's arc waits for an empty buffer even when its dependent looks complete.
    assert arc_standard_oracle([0, 1], [2], [-1, 0, 1], [-1, -1, -1]) == "SHIFT"
    assert oracle_transitions([-1, 2, 0, 2]) == [
        "SHIFT", "SHIFT", "LEFT-ARC", "SHIFT", "RIGHT-ARC", "RIGHT-ARC",
    ]  # fmt: skip
    with pytest.raises(ValueError, match="not projective"):
        oracle_transitions([-1, 3, 4, 0, 3])
    with pytest.raises(ValueError, match="exactly one word headed by ROOT"):
        oracle_transitions([-1, 0, 0])
    with pytest.raises(ValueError, match="a head among 0..2"):
        oracle_transitions([-1, 0, 5])
    assert oracle_transitions([-1]) == []


def test_transitions_oracle_transitions_matches_the_system_on_lines_dev(
    lines_dev: list[Sentence],
) -> None:
    system = ArcStandard()
    for sentence in lines_dev[:200]:
        config = system.initial(len(sentence))
        for action in oracle_transitions(sentence.heads):
            system.apply(config, action)
        assert config.heads == sentence.heads
