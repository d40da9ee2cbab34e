"""The perceptron parser: it learns a small real treebank with either oracle and either
system, it only ever makes trees, it saves and loads exactly, and it refuses bad input."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from nlpjourney.errors import ModelFormatError
from nlpjourney.ml import NotFittedError
from nlpjourney.parsing import PerceptronParser, read_conllu
from nlpjourney.parsing.conllu import ud_english
from nlpjourney.parsing.perceptron import configuration_features


def _short(split: str, count: int, longest: int = 12) -> list:
    return [s for s in ud_english("lines", split) if 2 <= len(s.words) <= longest][:count]


def _uas(gold: list, parsed: list) -> float:
    pairs = [(g.heads[1:], p.heads[1:]) for g, p in zip(gold, parsed, strict=True)]
    right = sum(np.sum(np.array(a) == np.array(b)) for a, b in pairs)
    return right / sum(len(a) for a, _ in pairs)


def _is_tree(heads: list[int]) -> bool:
    """One root, and every word reaches ROOT without a cycle."""
    n = len(heads) - 1
    if heads[1:].count(0) != 1:
        return False
    for word in range(1, n + 1):
        seen, at = set(), word
        while at != 0:
            if at in seen or not 0 <= heads[at] <= n:
                return False
            seen.add(at)
            at = heads[at]
    return True


@pytest.fixture(scope="module")
def train() -> list:
    return _short("train", 80)


@pytest.mark.parametrize(
    ("system", "oracle"),
    [("arc-eager", "dynamic"), ("arc-eager", "static"), ("arc-standard", "static")],
)
def test_perceptron_learns_a_small_treebank(train: list, system: str, oracle: str) -> None:
    parser = PerceptronParser(system=system, oracle=oracle, n_iter=6).fit(train, progress=False)
    parsed = parser.parse(train)
    assert _uas(train, parsed) > 0.9  # a perceptron memorises 80 short sentences
    assert all(_is_tree(s.heads) for s in parsed)
    assert [s.forms for s in parsed] == [s.forms for s in train]
    held_out = _short("dev", 40)
    assert all(_is_tree(s.heads) for s in parser.parse(held_out))


def test_perceptron_save_and_load_parse_the_same(train: list, tmp_path: Path) -> None:
    parser = PerceptronParser(n_iter=2).fit(train[:30], progress=False)
    held_out = _short("dev", 30)
    parser.save(tmp_path / "model")
    loaded = PerceptronParser.load(tmp_path / "model")
    assert [s.heads for s in loaded.parse(held_out)] == [s.heads for s in parser.parse(held_out)]
    assert [s.deprels for s in loaded.parse(held_out)] == [
        s.deprels for s in parser.parse(held_out)
    ]
    (tmp_path / "model" / "weights.npz").write_bytes(b"not a zip")
    with pytest.raises(ModelFormatError, match="weights.npz"):
        PerceptronParser.load(tmp_path / "model")


def test_perceptron_features_name_their_templates(train: list) -> None:
    from nlpjourney.parsing import ArcEager

    sentence = train[0]
    forms = ["<root>", *(f.lower() for f in sentence.forms)]
    features = configuration_features(ArcEager().initial(len(forms) - 1), forms,
                                      ["<root>", *sentence.upos])  # fmt: skip
    assert f"b0w={forms[1]}" in features and "s0w=<root>" in features
    assert len(features) == len(set(f.split("=")[0] for f in features))  # one per template


def test_perceptron_refuses_bad_input(train: list) -> None:
    with pytest.raises(NotFittedError, match="fit"):
        PerceptronParser().parse(train[:1])
    with pytest.raises(ValueError, match="oracle"):
        PerceptronParser(oracle="clairvoyant")
    with pytest.raises(ValueError, match="system"):
        PerceptronParser(system="arc-hybrid")
    with pytest.raises(TypeError, match="read_conllu"):
        PerceptronParser().fit("1\tDogs\t...")
    parser = PerceptronParser(n_iter=1).fit(train[:5], progress=False)
    empty = read_conllu("# text = \n1\tHi\t_\tINTJ\t_\t_\t0\troot\t_\t_\n\n")
    assert parser.parse(empty)[0].heads == [-1, 0]


@pytest.mark.slow
def test_perceptron_parses_held_out_lines_well() -> None:
    from nlpjourney.parsing import evaluate

    parser = PerceptronParser(n_iter=3).fit(ud_english("lines", "train")[:600], progress=False)
    dev = ud_english("lines", "dev")[:300]
    scores = evaluate(dev, parser.parse(dev))
    assert scores.las > 70 and scores.uas > 75  # 600 sentences: the full train set does better
