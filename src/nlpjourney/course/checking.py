"""The pytest plugin that grades one exercise.

``journey check`` runs an exercise's ``checks.py`` with this plugin loaded
(``pytest -p nlpjourney.course.checking``). Checks never import the learner's file
themselves: they ask for the ``ex`` fixture, a thin adapter that is either the
learner's module or the library module named by ``REFERENCE`` in ``checks.py``. So the
same checks grade the learner and prove the reference solution.

Each check's docstring gives its title (first line) and, on a line starting with
``Hint:``, what to look at when it fails. Results go to the JSON file named by
``--results-json``, one object per check.

Fresh inputs: ``--seed N`` seeds the run. A check that asks for the ``rng`` fixture gets a
NumPy generator seeded by the run's seed and the check's own name, so its draws do not
depend on which other checks ran, and the same seed replays them exactly; ``seed`` is the
run's seed itself (for a ``torch.Generator``). ``journey check`` picks a new seed each
run and prints it.
"""

from __future__ import annotations

import importlib
import importlib.util
import json
import sys
import zlib
from pathlib import Path
from types import ModuleType

import numpy as np

from nlpjourney.extras import missing_extra

try:
    import pytest
except ImportError:
    raise missing_extra("course", "pytest") from None

REFERENCE = "reference"


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("journey", "NLP Journey exercise grading")
    group.addoption(
        "--exercise",
        default=REFERENCE,
        help="path of the learner's exercise file, or 'reference' for the library's solution",
    )
    group.addoption("--results-json", default=None, help="where to write the per-check results")
    group.addoption(
        "--seed", type=int, default=0, help="seeds the checks' fresh random inputs (rng, seed)"
    )


def load_learner_module(path: Path) -> ModuleType:
    """Import a learner's file under a private name, fresh each time."""
    name = f"journey_exercise_{abs(hash(str(path)))}"
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot import {path}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def ex(request: pytest.FixtureRequest) -> ModuleType:
    """The code under test: the learner's module, or the reference module."""
    target = request.config.getoption("--exercise")
    if target == REFERENCE:
        return importlib.import_module(request.module.REFERENCE)
    return load_learner_module(Path(target))


@pytest.fixture(scope="session")
def seed(request: pytest.FixtureRequest) -> int:
    """The run's seed (``--seed``), for checks that seed a ``torch.Generator``."""
    return int(request.config.getoption("--seed"))


@pytest.fixture
def rng(request: pytest.FixtureRequest, seed: int) -> np.random.Generator:
    """Fresh random inputs for one check: seeded by the run's seed and the check's name."""
    return np.random.default_rng([seed, zlib.crc32(request.node.nodeid.encode())])


def parse_docstring(doc: str | None) -> tuple[str, str]:
    """Split a check's docstring into (title, hint).

    >>> parse_docstring("Softmax sums to one.\\n\\n    Hint: divide by the sum.")
    ('Softmax sums to one.', 'divide by the sum.')
    """
    lines = [line.strip() for line in (doc or "").strip().splitlines()]
    title = lines[0] if lines else ""
    hint_lines: list[str] = []
    for line in lines[1:]:
        if line.startswith("Hint:"):
            hint_lines.append(line.removeprefix("Hint:").strip())
        elif hint_lines and line:
            hint_lines.append(line)
        elif hint_lines:
            break
    return title, " ".join(hint_lines)


class ResultRecorder:
    """Collects one result per check and writes them as JSON at the end."""

    def __init__(self, out: Path) -> None:
        self.out = out
        self.docs: dict[str, tuple[str, str]] = {}
        self.results: dict[str, dict] = {}

    def pytest_collection_modifyitems(self, items: list[pytest.Item]) -> None:
        for item in items:
            doc = getattr(getattr(item, "function", None), "__doc__", None)
            self.docs[item.nodeid] = parse_docstring(doc)

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        title, hint = self.docs.get(report.nodeid, ("", ""))
        entry = self.results.setdefault(
            report.nodeid,
            {
                "name": report.nodeid.split("::")[-1],
                "title": title,
                "hint": hint,
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
                "passed": False,
                "message": str(report.longrepr).strip().splitlines()[-1],
            }

    def pytest_sessionfinish(self) -> None:
        self.out.write_text(json.dumps(list(self.results.values()), indent=1))


def pytest_configure(config: pytest.Config) -> None:
    out = config.getoption("--results-json")
    if out:
        config.pluginmanager.register(ResultRecorder(Path(out)), "journey-results")
