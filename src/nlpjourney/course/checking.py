"""The pytest plugin that grades one exercise.

``journey check`` runs an exercise's ``checks.py`` with this plugin loaded
(``pytest -p nlpjourney.course.checking``). Checks never import the learner's file
themselves: they ask for the ``ex`` fixture, a thin adapter that is either the
learner's module or the library module named by ``REFERENCE`` in ``checks.py``. So the
same checks grade the learner and prove the reference solution.

Each check's docstring gives its title (first line) and hints in tiers, on lines
starting ``Hint 1:``, ``Hint 2:``, ``Hint 3:`` (a plain ``Hint:`` is tier 1; a tier
goes on over the following lines up to a blank line). Tier 1 names the idea; later
tiers say more, never the answer's code (:func:`hint_problems` finds code in a hint).
Results go, as JSON, to the descriptor ``--results-fd`` (how ``journey check`` runs it:
see :mod:`nlpjourney.course.grading` for what that protects) or the file ``--results-json``.

Forbidden uses: while the learner's module is imported and the checks run, a
:class:`~nlpjourney.course.forbidden.Guard` stops the learner's file from importing or
calling what ``checks.py`` forbids (``FORBIDDEN``, and ``REFERENCE`` always); what it
stopped goes into the results, and ``journey check`` refuses the run. The reference run
is not guarded.

Fresh inputs: ``--seed N`` seeds the run. A check that asks for the ``rng`` fixture gets a
NumPy generator seeded by the run's seed and the check's own name, so its draws do not
depend on which other checks ran, and the same seed replays them exactly; ``seed`` is the
run's seed itself (for a ``torch.Generator``). ``journey check`` picks a new seed each
run and prints it.
"""

from __future__ import annotations

import dataclasses
import importlib
import importlib.util
import inspect
import json
import os
import re
import sys
import zlib
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import numpy as np

from nlpjourney.course.forbidden import Guard, Use, forbidden_of
from nlpjourney.extras import missing_extra

try:
    import pytest
except ImportError:
    raise missing_extra("course", "pytest") from None

REFERENCE = "reference"
USES = pytest.StashKey[list[Use]]()


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("journey", "NLP Journey exercise grading")
    group.addoption(
        "--exercise",
        default=REFERENCE,
        help="path of the learner's exercise file, or 'reference' for the library's solution",
    )
    group.addoption("--results-json", default=None, help="where to write the per-check results")
    group.addoption(
        "--results-fd",
        type=int,
        default=None,
        help="an inherited file descriptor to write the per-check results to, instead",
    )
    group.addoption(
        "--seed", type=int, default=0, help="seeds the checks' fresh random inputs (rng, seed)"
    )


def learner_module_name(path: Path) -> str:
    """The private name a learner's file is imported under."""
    return f"journey_exercise_{abs(hash(str(path)))}"


def load_learner_module(path: Path) -> ModuleType:
    """Import a learner's file under a private name, fresh each time."""
    name = learner_module_name(path)
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot import {path}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def ex(request: pytest.FixtureRequest) -> Iterator[ModuleType]:
    """The code under test: the learner's module, guarded, or the reference module."""
    target = request.config.getoption("--exercise")
    if target == REFERENCE:
        yield importlib.import_module(request.module.REFERENCE)
        return
    path = Path(target).resolve()
    uses = request.config.stash.setdefault(USES, [])
    # The guard lasts while this checks module runs: the learner's functions may import
    # or call lazily, from inside a check.
    with Guard(path, learner_module_name(path), forbidden_of(request.module), uses):
        yield load_learner_module(path)


@pytest.fixture(scope="session")
def seed(request: pytest.FixtureRequest) -> int:
    """The run's seed (``--seed``), for checks that seed a ``torch.Generator``."""
    return int(request.config.getoption("--seed"))


@pytest.fixture
def rng(request: pytest.FixtureRequest, seed: int) -> np.random.Generator:
    """Fresh random inputs for one check: seeded by the run's seed and the check's name."""
    # subtle: the check's name, not its nodeid: a nodeid holds the path of checks.py
    # relative to pytest's rootdir, so the same seed would draw differently elsewhere.
    return np.random.default_rng([seed, zlib.crc32(request.node.name.encode())])


HINT_LINE = re.compile(r"Hint(?:\s+(\d+))?:\s*(.*)")


def parse_hints(doc: str | None) -> list[str]:
    """The hint tiers of a check's docstring, tier 1 first.

    >>> parse_hints("Title.\\n\\n    Hint 1: the idea.\\n    Hint 2: more,\\n      said twice.\\n")
    ['the idea.', 'more, said twice.']
    """
    tiers: dict[int, list[str]] = {}
    current: list[str] | None = None
    for line in inspect.cleandoc(doc or "").splitlines()[1:]:
        line = line.strip()
        match = HINT_LINE.match(line)
        if match:
            tier = int(match.group(1) or 1)
            current = tiers.setdefault(tier, [])
            current.append(match.group(2))
        elif current is not None and line:
            current.append(line)
        else:
            current = None  # a blank line (or prose) ends a tier
    return [" ".join(part for part in tiers[tier] if part) for tier in sorted(tiers)]


def parse_docstring(doc: str | None) -> tuple[str, str]:
    """Split a check's docstring into (title, first hint).

    >>> parse_docstring("Softmax sums to one.\\n\\n    Hint: divide by the sum.")
    ('Softmax sums to one.', 'divide by the sum.')
    """
    lines = inspect.cleandoc(doc or "").splitlines()
    hints = parse_hints(doc)
    return (lines[0].strip() if lines else ""), (hints[0] if hints else "")


CODE_IN_HINTS = {
    "`": "a backtick",
    "np.": "NumPy code (np.)",
    "torch.": "PyTorch code (torch.)",
    " = ": "an assignment ( = )",
    "**": "a power operator (**)",
    "[:": "a slice ([:)",
    "axis=": "a keyword argument (axis=)",
}
CALL = re.compile(r"[A-Za-z_][A-Za-z0-9_.]*\(")


def hint_problems(text: str) -> list[str]:
    """Why ``text`` reads as code rather than a hint; [] for a hint that gives no code.

    Hints name ideas and what to look at; they never print the answer's code.

    >>> hint_problems("count the documents where the term occurs, not its occurrences")
    []
    >>> hint_problems("use np.log(counts)")
    ['NumPy code (np.)', 'a call (np.log(...))']
    """
    problems = [what for code, what in CODE_IN_HINTS.items() if code in text]
    problems += [f"a call ({call}...))" for call in CALL.findall(text)]
    return problems


class ResultRecorder:
    """Collects one result per check and writes them, and any forbidden use, as JSON.

    ``out`` is a file's path, or an open file descriptor: that is emptied first, so
    whatever else was written into it before the end of the run is gone.
    """

    def __init__(self, out: Path | int, config: pytest.Config) -> None:
        self.out = out
        self.config = config
        self.docs: dict[str, tuple[str, list[str]]] = {}
        self.results: dict[str, dict] = {}

    def pytest_collection_modifyitems(self, items: list[pytest.Item]) -> None:
        for item in items:
            doc = getattr(getattr(item, "function", None), "__doc__", None)
            self.docs[item.nodeid] = (parse_docstring(doc)[0], parse_hints(doc))

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        title, hints = self.docs.get(report.nodeid, ("", []))
        entry = self.results.setdefault(
            report.nodeid,
            {
                "name": report.nodeid.split("::")[-1],
                "title": title,
                "hint": hints[0] if hints else "",
                "hints": hints,
                "passed": True,
                "message": "",
            },
        )
        if report.failed or report.skipped:
            entry["passed"] = False
            crash = getattr(report.longrepr, "reprcrash", None)
            entry["message"] = crash.message if crash else str(report.longrepr).strip()
            if report.skipped:
                entry["message"] = "skipped: " + entry["message"]

    def pytest_collectreport(self, report: pytest.CollectReport) -> None:
        if report.failed:  # checks.py itself could not be imported
            self.results[report.nodeid] = {
                "name": "collect",
                "title": "the checks could be loaded",
                "hint": "",
                "hints": [],
                "passed": False,
                "message": str(report.longrepr).strip().splitlines()[-1],
            }

    def pytest_sessionfinish(self) -> None:
        uses = self.config.stash.get(USES, [])
        text = json.dumps(
            {
                "checks": list(self.results.values()),
                "forbidden_uses": [dataclasses.asdict(use) for use in uses],
            },
            indent=1,
        )
        if isinstance(self.out, Path):
            self.out.write_text(text)
            return
        os.ftruncate(self.out, 0)
        os.lseek(self.out, 0, os.SEEK_SET)
        with os.fdopen(self.out, "w", encoding="utf-8") as file:
            file.write(text)


def pytest_configure(config: pytest.Config) -> None:
    fd = config.getoption("--results-fd")
    path = config.getoption("--results-json")
    if fd is not None:
        # Not passed on: processes the learner's code starts do not get the descriptor.
        os.set_inheritable(fd, False)
        config.pluginmanager.register(ResultRecorder(fd, config), "journey-results")
    elif path:
        config.pluginmanager.register(ResultRecorder(Path(path), config), "journey-results")


def pytest_sessionfinish(session: pytest.Session) -> None:
    if session.config.stash.get(USES, []):  # a refused run never exits 0
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
