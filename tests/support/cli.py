"""Running the `journey` command as a learner does: a real process, its exit code and messages.

The CLI tests import these (``pythonpath`` in pyproject puts ``tests/`` on the path).
:func:`journey_here` runs the same entry point in the test's process, for the many
bad inputs that are refused before any work (each bad-input test keeps a real process).
"""

from __future__ import annotations

import contextlib
import io
import os
import subprocess
import sys
import warnings
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


def journey_here(
    *args: str, env: dict[str, str] | None = None, cache: Path | None = None
) -> subprocess.CompletedProcess:
    """Run ``journey *args`` in this process, through the entry point a real process runs
    (:func:`nlpjourney.cli.main`), and capture its exit code and what it printed, as
    :func:`journey` does, without the ~5 s of imports a new process spends.

    For input refused before any work, and for sampling (its generator is its own): a
    command that trained would change the test process's threads and seeds. Warnings show as in a new interpreter (its default
    filters, through the command's own one-line format), not pytest's, so a warning
    still makes a second line; the environment, ``sys.argv`` and the warning settings
    are put back afterwards. What only a new process shows (a warning while importing,
    output written to the file descriptors directly) is for the :func:`journey` tests.
    """
    from nlpjourney.cli import main

    changes = {"COLUMNS": "200", "NO_COLOR": "1", **(env or {})}
    if cache is not None:
        changes["NLPJOURNEY_CACHE"] = str(cache)
    saved = {name: os.environ.get(name) for name in changes}
    argv = sys.argv
    stdout, stderr = io.StringIO(), io.StringIO()
    code: int = 0
    try:
        os.environ.update(changes)
        sys.argv = ["journey", *args]
        with (
            warnings.catch_warnings(),
            contextlib.redirect_stdout(stdout),
            contextlib.redirect_stderr(stderr),
        ):
            warnings.resetwarnings()  # a new interpreter's defaults
            for category in (DeprecationWarning, PendingDeprecationWarning, ImportWarning,
                             ResourceWarning):  # fmt: skip
                warnings.simplefilter("ignore", category)
            warnings.filterwarnings("default", category=DeprecationWarning, module="__main__")
            try:
                main()
            except SystemExit as exit_:
                if isinstance(exit_.code, str):  # as Python does: printed, status 1
                    print(exit_.code, file=sys.stderr)
                code = 1 if isinstance(exit_.code, str) else exit_.code or 0
    finally:
        sys.argv = argv
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
    return subprocess.CompletedProcess(["journey", *args], code, stdout.getvalue(),
                                       stderr.getvalue())  # fmt: skip


def assert_one_clear_line(result: subprocess.CompletedProcess, *fragments: str) -> None:
    """The command failed with exit 1 and one line on stderr holding each of ``fragments``."""
    assert result.returncode == 1, result.stdout + result.stderr
    assert "Traceback" not in result.stderr + result.stdout
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    for fragment in fragments:
        assert fragment in lines[0], lines[0]
