"""The grader-strength total: each exercise's mutant rate is a test of its own (so that
parallel workers share them out); their rates are summed here when the run ends, and the
run fails if fewer than 90 % of all the mutants run were caught."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

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
