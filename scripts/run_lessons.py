"""Run lessons in full and store their results under ``lessons/results/<id>/``.

    .venv/bin/python scripts/run_lessons.py            # every lesson
    .venv/bin/python scripts/run_lessons.py 4.1 4.2    # these lessons
    .venv/bin/python scripts/run_lessons.py --status   # which stored results are stale

Each lesson runs in a fresh kernel in full mode, with ``JOURNEY_RECORD`` pointing at a
temporary folder where its :class:`~nlpjourney.course.results.FullRun` keeps what the
prose quotes (``results.json``) and the pictures it describes (PNGs). Only a lesson that
ran to the end replaces its stored results; a failure leaves them as they were. Beside
them goes ``run.json``: when, on what machine, how long, and the hash of the lesson file
it ran, so ``--status`` can tell results that predate the lesson's last change.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from nlpjourney.course import topics
from nlpjourney.course.paths import repo_root
from nlpjourney.course.results import RUN_FILE, results_dir

BUDGET_KB = 600  # all lessons' results together: small enough to review and to ship


def lesson_hash(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def machine() -> dict[str, object]:
    import torch

    gpu = torch.cuda.get_device_name(0) if torch.cuda.is_available() else None
    return {
        "python": platform.python_version(),
        "torch": torch.__version__,
        "platform": platform.platform(terse=True),
        "cpus": os.cpu_count(),
        "gpu": gpu,
    }


def commit(root: Path) -> str | None:
    try:
        out = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=root, capture_output=True, text=True
        )
    except OSError:
        return None
    return out.stdout.strip() or None


def size_kb(folder: Path) -> float:
    return sum(f.stat().st_size for f in folder.rglob("*") if f.is_file()) / 1024


def run_one(topic: topics.Topic, root: Path, cell_timeout: int) -> bool:
    from nlpjourney.course.notebooks import execute_lesson

    target = results_dir(topic.id, root)
    with tempfile.TemporaryDirectory(prefix=f"lesson-{topic.id}-") as tmp:
        record, cwd = Path(tmp) / "results", Path(tmp) / "work"
        cwd.mkdir()
        started = dt.datetime.now(dt.UTC)
        start = time.perf_counter()
        print(f"lesson {topic.id}: running in full ...", flush=True)
        try:
            execute_lesson(
                topic.lesson_path, cwd=cwd, quick=False, timeout=cell_timeout, record=record
            )
        except Exception as error:  # noqa: BLE001 - report any kernel failure, keep going
            print(f"lesson {topic.id}: FAILED, stored results left as they were\n{error}")
            return False
        seconds = time.perf_counter() - start
        if not record.is_dir():
            print(f"lesson {topic.id}: ran in {seconds:.0f} s and recorded nothing")
            return True
        run = {
            "lesson": topic.lesson_path.name,
            "lesson_sha256": lesson_hash(topic.lesson_path),
            "commit": commit(root),
            "started": started.isoformat(timespec="seconds"),
            "finished": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "seconds": round(seconds),
            "machine": machine(),
        }
        (record / RUN_FILE).write_text(json.dumps(run, indent=1) + "\n", encoding="utf-8")
        if target.exists():
            shutil.rmtree(target)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copytree(record, target)
    print(f"lesson {topic.id}: done in {seconds:.0f} s, {size_kb(target):.0f} KB in {target}")
    return True


def status(lessons: list[topics.Topic], root: Path) -> None:
    for topic in lessons:
        run_file = results_dir(topic.id, root) / RUN_FILE
        if not run_file.is_file():
            print(f"{topic.id:5} no stored results")
            continue
        run = json.loads(run_file.read_text(encoding="utf-8"))
        fresh = run.get("lesson_sha256") == lesson_hash(topic.lesson_path)
        state = "current" if fresh else "stale (the lesson changed since)"
        print(f"{topic.id:5} {state}: {run['finished'][:10]}, {run['seconds']} s")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("ids", nargs="*", help="topic ids (default: every lesson)")
    parser.add_argument("--status", action="store_true", help="report, run nothing")
    parser.add_argument("--cell-timeout", type=int, default=4 * 3600, help="seconds a cell may run")
    args = parser.parse_args(argv)
    root = repo_root()
    if root is None:
        print("run this from a clone of the repository", file=sys.stderr)
        return 2
    try:
        chosen = [topics.get(i) for i in args.ids] if args.ids else list(topics.TOPICS)
    except KeyError as error:
        print(f"run_lessons: {error.args[0]}", file=sys.stderr)
        return 2
    lessons = [t for t in chosen if t.lesson_path.is_file()]
    if args.ids and len(lessons) < len(chosen):
        missing = [t.id for t in chosen if t not in lessons]
        print(f"run_lessons: no lesson yet for {', '.join(missing)}", file=sys.stderr)
        return 2
    if args.status:
        status(lessons, root)
        return 0
    failed = [t.id for t in lessons if not run_one(t, root, args.cell_timeout)]
    total = size_kb(root / "lessons" / "results") if (root / "lessons" / "results").is_dir() else 0
    print(f"stored results: {total:.0f} KB in all (budget {BUDGET_KB} KB)")
    if total > BUDGET_KB:
        print("over budget: store fewer or smaller figures", file=sys.stderr)
    if failed:
        print(f"failed: {', '.join(failed)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
