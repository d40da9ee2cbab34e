"""Test configuration shared by the whole suite.

Data is read from ``NLPJOURNEY_DATA_MIRROR`` when set, else from the ``shared/data``
folder beside the repository when there is one, else from the user cache. A test whose
data is absent fails with the one-line instruction to fetch it; it is never skipped.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
import tempfile
from pathlib import Path

import pytest
from hypothesis import settings

from nlpjourney.errors import DataNotFoundError

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"

# No example database in the working tree, and no wall-clock deadline: a busy 2-core
# machine must not turn a correct property into a flaky failure. Under CI (CI=true) the
# examples are derandomized, as Hypothesis's own CI profile does, so a commit that passed
# passes again; runs elsewhere draw new examples each time and keep finding new cases.
settings.register_profile(
    "journey",
    database=None,
    deadline=None,
    derandomize=os.environ.get("CI", "").lower() in {"1", "true"},
)
settings.load_profile("journey")


#: Where the run's Python processes keep compiled bytecode when the environment says
#: not to write it beside the sources (see :func:`share_bytecode`).
PYCACHE_ENV = "NLPJOURNEY_TEST_PYCACHE"


def share_bytecode() -> None:
    """Let this run's processes compile each module once, into a temporary folder.

    With ``PYTHONDONTWRITEBYTECODE`` set (and no bytecode installed), every ``journey``
    subprocess, xdist worker and lesson run compiled torch, transformers and matplotlib
    from source again: about 5 s of CPU per process, most of a short CLI test's time.
    The run writes their bytecode under a ``PYTHONPYCACHEPREFIX`` of its own instead,
    outside the sources and the environment as the setting asks, and deletes it at the
    end. Python checks each file against its source, so a stale one is never used.
    """
    if not os.environ.get("PYTHONDONTWRITEBYTECODE") or os.environ.get("PYTHONPYCACHEPREFIX"):
        return
    prefix = tempfile.mkdtemp(prefix="nlpjourney-test-pycache-")
    del os.environ["PYTHONDONTWRITEBYTECODE"]
    os.environ["PYTHONPYCACHEPREFIX"] = os.environ[PYCACHE_ENV] = prefix
    sys.dont_write_bytecode, sys.pycache_prefix = False, prefix  # this process too


def pytest_unconfigure(config: pytest.Config) -> None:
    prefix = os.environ.get(PYCACHE_ENV)
    if prefix and not os.environ.get("PYTEST_XDIST_WORKER"):
        # subtle: modules imported after this (a plugin's summary) must not write the
        # folder again once it is gone, so the setting is put back first.
        sys.dont_write_bytecode, sys.pycache_prefix = True, None
        os.environ["PYTHONDONTWRITEBYTECODE"] = "1"
        for name in ("PYTHONPYCACHEPREFIX", PYCACHE_ENV):
            os.environ.pop(name, None)
        shutil.rmtree(prefix, ignore_errors=True)


def pytest_configure(config: pytest.Config) -> None:
    share_bytecode()  # xdist workers inherit it: they start after this
    if os.environ.get("PYTEST_XDIST_WORKER"):
        # One worker per core: each computes on one thread (torch reads this when it is
        # imported; lesson kernels and checks in subprocesses inherit it).
        os.environ["OMP_NUM_THREADS"] = "1"
        os.environ["MKL_NUM_THREADS"] = "1"
    if not os.environ.get("NLPJOURNEY_DATA_MIRROR") and (SHARED / "data").is_dir():
        os.environ["NLPJOURNEY_DATA_MIRROR"] = str(SHARED / "data")
    mirror = os.environ.get("NLPJOURNEY_DATA_MIRROR")
    if mirror and not os.environ.get("NLTK_DATA"):
        os.environ["NLTK_DATA"] = str(Path(mirror) / "nltk_data")
    if mirror and not os.environ.get("NLPJOURNEY_CACHE"):
        # The data layer remembers verified checksums in its cache. With the data in a
        # mirror, the tests keep that memory in a temporary folder, not the user's home;
        # without one, the data (and the memory) are the user's own fetched cache.
        os.environ["NLPJOURNEY_CACHE"] = tempfile.mkdtemp(prefix="nlpjourney-test-cache-")


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo):
    outcome = yield
    report = outcome.get_result()
    if call.excinfo is not None and call.excinfo.errisinstance(DataNotFoundError):
        report.longrepr = f"missing data: {call.excinfo.value}"


@pytest.fixture
def learner_workspace(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty learner workspace folder (not yet created) under tmp_path."""
    monkeypatch.chdir(tmp_path)
    root = tmp_path / "journey-work"
    monkeypatch.setenv("JOURNEY_WORKSPACE", str(root))
    return root


@pytest.fixture
def roadmap_ids() -> list[str]:
    """The topic ids of ``shared/ROADMAP.md``, in order."""
    roadmap = SHARED / "ROADMAP.md"
    if not roadmap.is_file():
        pytest.fail(f"the roadmap {roadmap} is missing; clone the project beside shared/")
    ids = []
    for line in roadmap.read_text().splitlines():
        cells = [c.strip() for c in line.split("|")]
        if len(cells) > 2 and cells[1][:1].isdigit() and "." in cells[1]:
            ids.append(cells[1])
    return ids


#: The longest tests of all (tens of seconds each): an exercise's mutants, a lesson's run.
LONGEST = ("test_grader_strength_mutants_caught", "test_lesson_runs_in_quick_mode")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    # Long tests first, the longest of all before the other slow ones: run in parallel,
    # they start at once and the quick ones fill the gaps, instead of one long test
    # running alone at the end.
    def cost(item: pytest.Item) -> int:
        if item.get_closest_marker("slow") is None:
            return 2
        return 0 if getattr(item, "originalname", item.name) in LONGEST else 1

    items.sort(key=cost)


# --- the grader-strength total -----------------------------------------------------------
# Each exercise's mutant rate is a test of its own (tests/course/test_grader_strength.py),
# so that parallel workers share them out; their rates are summed here when the run ends,
# and the run fails if fewer than 90 % of all the mutants run were caught. (Here, not in
# tests/course/: pytest-xdist's controller loads only the root conftest.)

TOTAL_SHARE = 0.9
RATES = "grader-strength-rates"


@pytest.fixture(scope="session")
def grader_rates(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The folder where mutant tests write their rates, one for the whole run.

    Under pytest-xdist each worker's ``basetemp`` is a folder inside the controller's, so
    the workers write to the parent, where the controller reads.
    """
    basetemp = tmp_path_factory.getbasetemp()
    root = basetemp.parent if os.environ.get("PYTEST_XDIST_WORKER") else basetemp
    folder = root / RATES
    folder.mkdir(exist_ok=True)
    return folder


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    if hasattr(session.config, "workerinput"):  # an xdist worker: the controller sums
        return
    factory = getattr(session.config, "_tmp_path_factory", None)
    if factory is None:
        return
    folder = factory.getbasetemp() / RATES
    rates = {f.stem: json.loads(f.read_text()) for f in sorted(folder.glob("*.json"))}
    if not rates:
        return
    caught = sum(r["caught"] for r in rates.values())
    total = sum(r["total"] for r in rates.values())
    table = ", ".join(f"{i}: {r['caught']}/{r['total']}" for i, r in rates.items())
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    line = (
        f"grader strength: {caught}/{total} mutants caught in all ({caught / total:.1%}); {table}"
    )
    if reporter is not None:
        reporter.write_line("")
        reporter.write_sep("-", "grader strength")
        reporter.write_line(line)
    if caught < TOTAL_SHARE * total:
        if reporter is not None:
            reporter.write_line(
                f"FAILED: under {TOTAL_SHARE:.0%} of the mutants caught in all", red=True
            )
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
