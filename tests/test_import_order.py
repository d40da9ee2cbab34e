"""Imports flow one way through the library, from foundations to applications.

Every ``import`` in ``src/nlpjourney`` is read with :mod:`ast`, the ones inside functions
(lazy imports) and under ``TYPE_CHECKING`` included, and so is every string naming one of
our modules (what ``importlib.import_module`` is given). Each edge from one package to
another must go down or stay on its floor:

    errors, progress, extras, compiled, saving, devices,        the base
    configs
    data, text, features, lm, tokenizers, autograd, ml, optim,  the foundations
    nn (and evaluate, embeddings, cluster, topics,
    rnn, cnn, classify, sentiment, mt as they land)
    models, train                                               neither imports the other
    (and retrieval, whose dense search embeds with models' encoders, and tagging and
    parsing, whose neural taggers and parsers build on models' BERT, and seq2seq,
    the recurrent encoder-decoders built on rnn)
    infer
    apps                                                        end-to-end workflows
    serve
    cli, course                                                 nothing imports these

Within a floor the package graph has no cycle. A new package must be given its floor
here before it can land.
"""

from __future__ import annotations

import ast
import re
from collections import defaultdict
from pathlib import Path

import pytest

import nlpjourney

SRC = Path(nlpjourney.__file__).parent

#: Each package's floor; an edge may only go to the same floor or a lower one.
FLOORS: dict[str, int] = {
    **dict.fromkeys(
        ["__init__", "errors", "progress", "extras", "compiled", "saving", "devices", "configs"], 0
    ),
    **dict.fromkeys(
        [
            "data",
            "text",
            "features",
            "lm",
            "tokenizers",
            "autograd",
            "ml",
            "optim",
            "nn",
            "evaluate",
            "embeddings",
            "cluster",
            "topics",
            "rnn",
            "cnn",
            "classify",
            "sentiment",
            "mt",
        ],
        1,
    ),  # fmt: skip
    **dict.fromkeys(["models", "train", "retrieval", "tagging", "parsing", "seq2seq"], 2),
    "infer": 3,
    "apps": 4,
    "serve": 5,
    **dict.fromkeys(["cli", "course"], 6),
}

#: Pairs on one floor that must not meet in either direction.
APART = {frozenset({"models", "train"})}

MODULE_NAME = re.compile(r"nlpjourney(\.[A-Za-z_][A-Za-z0-9_]*)+")


def module_of(path: Path, root: Path = SRC) -> str:
    parts = path.relative_to(root).with_suffix("").parts
    return ".".join(["nlpjourney", *parts]).removesuffix(".__init__")


def package_of(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "__init__"


def imported_modules(path: Path, root: Path = SRC) -> set[str]:
    """Every nlpjourney module ``path`` imports, anywhere in the file, or names in a string."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    here = module_of(path, root).split(".")
    is_package = path.name == "__init__.py"
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:  # relative: resolve against this module's package
                base = here if is_package else here[:-1]
                base = base[: len(base) - (node.level - 1)]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            found.add(target)
            found.update(f"{target}.{alias.name}" for alias in node.names)
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            if MODULE_NAME.fullmatch(node.value):
                found.add(node.value)
    return {name for name in found if name == "nlpjourney" or name.startswith("nlpjourney.")}


def package_edges() -> dict[tuple[str, str], list[str]]:
    """(from package, to package) -> the modules where such an import is written."""
    edges: dict[tuple[str, str], list[str]] = defaultdict(list)
    for path in sorted(SRC.rglob("*.py")):
        source = package_of(module_of(path))
        for name in imported_modules(path):
            target = package_of(name)
            if target != source and (target in FLOORS or (SRC / target).exists()):
                edges[(source, target)].append(module_of(path))
    return edges


def test_import_order_every_package_has_a_floor() -> None:
    packages = {p.stem if p.is_file() else p.name for p in SRC.iterdir()
                if (p.is_dir() and (p / "__init__.py").exists()) or p.suffix == ".py"}  # fmt: skip
    unplaced = sorted(packages - set(FLOORS))
    assert not unplaced, f"give these packages a floor in FLOORS: {unplaced}"


def test_import_order_flows_from_foundations_to_applications() -> None:
    wrong = []
    for (source, target), where in sorted(package_edges().items()):
        if FLOORS[target] > FLOORS[source] or frozenset({source, target}) in APART:
            wrong.append(f"{source} -> {target} (in {', '.join(sorted(set(where)))})")
    assert not wrong, "imports against the order:\n" + "\n".join(wrong)


def test_import_order_has_no_cycle_within_a_floor() -> None:
    graph: dict[str, set[str]] = defaultdict(set)
    for source, target in package_edges():
        graph[source].add(target)

    def path_back(start: str) -> list[str] | None:
        """A cycle through ``start``, as a list of packages, or None."""
        stack = [(start, [start])]
        seen = set()
        while stack:
            node, trail = stack.pop()
            for nxt in graph[node]:
                if nxt == start:
                    return [*trail, start]
                if nxt not in seen:
                    seen.add(nxt)
                    stack.append((nxt, [*trail, nxt]))
        return None

    cycles = {" -> ".join(c) for p in list(graph) if (c := path_back(p))}
    assert not cycles, "packages that import each other: " + "; ".join(sorted(cycles))


@pytest.mark.parametrize(
    ("code", "expected"),
    [("from nlpjourney.cli import main", {"nlpjourney.cli", "nlpjourney.cli.main"}),
     ("def f():\n    import nlpjourney.apps.gpt", {"nlpjourney.apps.gpt"}),
     ("from .. import models", {"nlpjourney", "nlpjourney.models"}),
     ("X = 'nlpjourney.serve.app'", {"nlpjourney.serve.app"}),
     ("import numpy", set())],
)  # fmt: skip
def test_import_order_reader_sees_every_kind_of_import(
    code: str, expected: set[str], tmp_path: Path
) -> None:
    """The reader itself, on a module placed at ``nlpjourney/train/loop.py``."""
    (tmp_path / "train").mkdir()
    (tmp_path / "train" / "loop.py").write_text(code)
    assert imported_modules(tmp_path / "train" / "loop.py", root=tmp_path) == expected


def test_import_order_only_the_command_line_tests_import_the_cli() -> None:
    """Lessons, benchmarks, exercises and tests use the library (``apps``), not ``cli``."""
    root = Path(__file__).parents[1]
    users = []
    for folder in ("tests", "lessons", "benchmarks", "exercises"):
        for path in sorted((root / folder).rglob("*.py")):
            if path.is_relative_to(root / "tests" / "cli") or path in (
                Path(__file__),
                root / "tests" / "support" / "cli.py",  # runs the command, for the CLI tests
            ):
                continue
            tree = ast.parse(path.read_text(encoding="utf-8"))
            for node in ast.walk(tree):
                names = (
                    [a.name for a in node.names] if isinstance(node, ast.Import)
                    else [node.module or ""] if isinstance(node, ast.ImportFrom) else []
                )  # fmt: skip
                if any(n == "nlpjourney.cli" or n.startswith("nlpjourney.cli.") for n in names):
                    users.append(str(path.relative_to(root)))
    assert not users, f"these import nlpjourney.cli; use nlpjourney.apps instead: {users}"
