"""Running the `journey` command as a learner does: a real process, its exit code and messages.

The CLI tests import these (``pythonpath`` in pyproject puts ``tests/`` on the path).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path


def journey(
    *args: str,
    env: dict[str, str] | None = None,
    cwd: Path | None = None,
    cache: Path | None = None,
) -> subprocess.CompletedProcess:
    """Run ``journey *args`` in a fresh Python process and capture what it prints.

    The output is 200 columns wide and uncoloured unless ``env`` says otherwise;
    ``cache`` points the data and model cache at a folder of the test's own.
    """
    full_env = dict(os.environ, COLUMNS="200", NO_COLOR="1")
    if cache is not None:
        full_env["NLPJOURNEY_CACHE"] = str(cache)
    full_env.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "nlpjourney.cli", *args],
        capture_output=True, text=True, env=full_env, cwd=cwd, timeout=300,
    )  # fmt: skip


def assert_one_clear_line(result: subprocess.CompletedProcess, *fragments: str) -> None:
    """The command failed with exit 1 and one line on stderr holding each of ``fragments``."""
    assert result.returncode == 1, result.stdout + result.stderr
    assert "Traceback" not in result.stderr + result.stdout
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    for fragment in fragments:
        assert fragment in lines[0], lines[0]
