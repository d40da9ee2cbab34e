"""Test configuration shared by the whole suite.

Data is read from ``NLPJOURNEY_DATA_MIRROR`` when set, else from the ``shared/data``
folder beside the repository when there is one, else from the user cache. A test whose
data is absent fails with the one-line instruction to fetch it; it is never skipped.
"""

from __future__ import annotations

import os
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


def pytest_configure(config: pytest.Config) -> None:
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


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    # Slow tests first: run in parallel, the long ones start at once and the quick ones
    # fill the gaps, instead of one long test running alone at the end.
    items.sort(key=lambda item: item.get_closest_marker("slow") is None)
