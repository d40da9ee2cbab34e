"""``journey`` when an extra is missing: one clear line naming the extra, nothing made."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path


def test_extras_journey_lesson_without_jupytext_is_one_line(tmp_path: Path) -> None:
    program = (
        "import sys; sys.modules['jupytext'] = None; "
        "sys.argv = ['journey', 'lesson', '0.1']; "
        "from nlpjourney.cli import main; main()"
    )
    env = dict(os.environ, JOURNEY_WORKSPACE=str(tmp_path), NO_COLOR="1", COLUMNS="200")
    result = subprocess.run(
        [sys.executable, "-c", program], capture_output=True, text=True, env=env, timeout=300
    )
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "lessons and graded exercises need the course extra" in lines[0]
    assert "pip install 'nlpjourney[course]'" in lines[0]
    assert not (tmp_path / "0.1-math-for-ml").exists()
