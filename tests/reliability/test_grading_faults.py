"""Grading under attack and fault: forged results, garbage results, raw bytes, processes
left behind, symlinks out of the workspace, out-of-range options, and ``--sandbox``.

Each test grades a small made-up exercise in ``tmp_path`` (``double`` doubles a number)
with a learner's file that misbehaves in one way.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import textwrap
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

from nlpjourney.course import grading, sandbox, workspace
from nlpjourney.course.progress import ProgressStore
from nlpjourney.course.topics import Topic, get
from nlpjourney.errors import WorkspaceError
from nlpjourney.tokenizers import load as load_tokenizer

CHECKS = '''
REFERENCE = "html"


def test_double(ex) -> None:
    """double doubles a number."""
    assert ex.double(2) == 4


def test_double_of_zero(ex) -> None:
    """double of zero is zero."""
    assert ex.double(0) == 0
'''

HONEST = "def double(x):\n    return 2 * x\n"
WRONG = "def double(x):\n    return x\n"
FORGED = (
    '{"checks": [{"name": "test_double", "title": "t", "hint": "", "hints": [], '
    '"passed": true, "message": ""}], "forbidden_uses": []}'
)


@dataclass(frozen=True)
class FolderTopic(Topic):
    """A topic whose exercise lives in a folder of the test's own."""

    folder: Path = Path()

    @property
    def exercise_dir(self) -> Path:
        return self.folder


@pytest.fixture
def topic(tmp_path: Path) -> FolderTopic:
    folder = tmp_path / "exercises" / "0.9"
    folder.mkdir(parents=True)
    (folder / "checks.py").write_text(CHECKS)
    (folder / "exercise.py").write_text("def double(x):\n    raise NotImplementedError\n")
    return FolderTopic("0.9", "made-up", "A made-up exercise", folder=folder)


def learner(tmp_path: Path, source: str) -> Path:
    file = tmp_path / "work" / "exercise.py"
    file.parent.mkdir(exist_ok=True)
    file.write_text(textwrap.dedent(source))
    return file


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie is dead too: it only waits for its parent (gone) to be reaped by init.
    status = Path(f"/proc/{pid}/status")
    return not (status.exists() and "zombie" in status.read_text())


def test_grading_faults_results_json_written_by_the_learner_changes_nothing(
    tmp_path: Path, topic: FolderTopic
) -> None:
    """The forgery of issue 15: a results.json in the working folder, the workspace and
    beside the file, and a forged report printed; the wrong answer still fails."""
    file = learner(
        tmp_path,
        f"""
        import os, sys
        from pathlib import Path
        forged = {FORGED!r}
        for folder in (Path.cwd(), Path(__file__).parent, Path(__file__).parent.parent):
            (folder / "results.json").write_text(forged)
        print(forged)
        def double(x):
            return x
        """,
    )
    report = grading.run_checks(topic, file, timeout=60, seed=1)
    assert (tmp_path / "work" / "results.json").is_file()  # the forgery was written
    assert [r.passed for r in report.results] == [False, True]
    assert not report.ok


def test_grading_faults_garbage_in_the_results_is_a_failed_run(
    tmp_path: Path, topic: FolderTopic
) -> None:
    """Code that finds the results descriptor (it runs in the checks' process) and
    writes garbage after the plugin: one clear problem, never a pass, no crash."""
    file = learner(
        tmp_path,
        """
        import atexit, os, sys
        fd = os.dup(int(sys.argv[sys.argv.index("--results-fd") + 1]))
        atexit.register(lambda: os.write(fd, b"\\xff\\x00 not json"))
        def double(x):
            return 2 * x
        """,
    )
    report = grading.run_checks(topic, file, timeout=60, seed=1)
    assert not report.ok
    assert "results could not be read" in report.problem
    assert report.results == []


def test_grading_faults_all_passed_but_pytest_failed_does_not_count(
    tmp_path: Path, topic: FolderTopic
) -> None:
    file = learner(
        tmp_path,
        """
        import atexit, os
        atexit.register(lambda: os._exit(3))
        def double(x):
            return 2 * x
        """,
    )
    report = grading.run_checks(topic, file, timeout=60, seed=1)
    assert report.passed == report.total == 2
    assert not report.ok and "exit status 3" in report.problem


@pytest.mark.parametrize(
    "raw",
    [
        b"\xff\xfe not json",
        b"[1, 2]",
        b'{"checks": [{"name": 1}]}',
        b'{"checks": [{"name": "a", "title": "", "hint": "", "hints": [], '
        b'"passed": "yes", "message": ""}]}',
        b'{"checks": [], "forbidden_uses": [{"what": 1, "oops": 2}]}',
    ],
)
def test_grading_faults_read_results_refuses_malformed_json(raw: bytes) -> None:
    with pytest.raises(ValueError):
        grading.read_results(raw)


def test_grading_faults_raw_bytes_on_stdout_are_one_readable_line(
    tmp_path: Path, topic: FolderTopic
) -> None:
    """A learner's file that prints bytes that are not UTF-8 and dies while loading."""
    file = learner(
        tmp_path,
        """
        import os, sys
        sys.stdout.buffer.write(b"\\xff\\xfe\\x80 garbage\\n")
        sys.stdout.flush()
        os._exit(0)
        """,
    )
    report = grading.run_checks(topic, file, timeout=60, seed=1)
    assert not report.ok
    assert report.problem.startswith("the checks could not run")
    assert "\ufffd" in report.problem or "no output" in report.problem


SPAWNS = """
import subprocess, sys
from pathlib import Path
child = subprocess.Popen(["sleep", "300"])
Path(__file__).with_name("child.pid").write_text(str(child.pid))
def double(x):
    {body}
"""


def test_grading_faults_timeout_ends_the_learners_children(
    tmp_path: Path, topic: FolderTopic
) -> None:
    file = learner(tmp_path, SPAWNS.format(body="while True: pass"))
    started = time.monotonic()
    report = grading.run_checks(topic, file, timeout=3, seed=1)
    assert time.monotonic() - started < 30
    assert "did not finish within 3 s" in report.problem
    pid = int((tmp_path / "work" / "child.pid").read_text())
    time.sleep(0.2)
    assert not alive(pid)


def test_grading_faults_a_finished_run_ends_the_learners_children_too(
    tmp_path: Path, topic: FolderTopic
) -> None:
    """A child that holds the output open does not keep the grader waiting either."""
    file = learner(tmp_path, SPAWNS.format(body="return 2 * x"))
    started = time.monotonic()
    report = grading.run_checks(topic, file, timeout=120, seed=1)
    assert time.monotonic() - started < 60
    assert report.ok, report.problem
    pid = int((tmp_path / "work" / "child.pid").read_text())
    time.sleep(0.2)
    assert not alive(pid)


@pytest.mark.parametrize(("timeout", "seed"), [(1e10, 1), (0, 1), (-5, 1), (60, -1), (60, 2**64)])
def test_grading_faults_out_of_range_options_are_refused(
    tmp_path: Path, topic: FolderTopic, timeout: float, seed: int
) -> None:
    with pytest.raises(grading.GradingOptionError, match="out of range"):
        grading.run_checks(topic, learner(tmp_path, HONEST), timeout=timeout, seed=seed)


def journey(*args: str, cwd: Path, env: dict[str, str] | None = None, stdin: bytes = b""):
    return subprocess.run(
        [sys.executable, "-m", "nlpjourney.cli", *args],
        capture_output=True, input=stdin, cwd=cwd, timeout=300,
        env={**os.environ, "COLUMNS": "200", "NO_COLOR": "1", **(env or {})},
    )  # fmt: skip


@pytest.mark.parametrize("args", [("--timeout", "1e10"), ("--timeout", "0"), ("--seed", "-3")])
def test_grading_faults_check_bad_option_is_one_line(tmp_path: Path, args: tuple) -> None:
    stub = Path(get("0.1").exercise_dir) / "exercise.py"
    result = journey("check", "0.1", "--file", str(stub), *args, cwd=tmp_path)
    err = result.stderr.decode()
    assert result.returncode == 1, err
    assert len(err.strip().splitlines()) == 1 and "out of range" in err


def test_grading_faults_lesson_never_writes_through_a_symlink_out_of_the_workspace(
    tmp_path: Path,
) -> None:
    root = tmp_path / "ws"
    outside = tmp_path / "outside"
    outside.mkdir()
    topic = get("0.1")
    folder = workspace.topic_dir(topic, root)
    folder.mkdir(parents=True)
    (folder / workspace.EXERCISE_FILE).symlink_to(outside / "stolen.py")  # dangling
    with pytest.raises(WorkspaceError, match="leads out of the workspace"):
        workspace.install_topic(topic, root=root)
    assert list(outside.iterdir()) == []
    assert not (folder / workspace.LESSON_FILE).exists()  # refused before any write

    (folder / workspace.EXERCISE_FILE).unlink()
    folder.rmdir()
    folder.symlink_to(outside)  # the topic's folder itself leads out
    with pytest.raises(WorkspaceError):
        workspace.install_topic(topic, root=root)
    assert list(outside.iterdir()) == []


def test_grading_faults_a_symlink_inside_the_workspace_is_fine(tmp_path: Path) -> None:
    real = tmp_path / "real-ws"
    real.mkdir()
    root = tmp_path / "ws"
    root.symlink_to(real)  # a workspace that is itself a link
    placed = workspace.install_topic(get("0.1"), root=root)
    assert {p.action for p in placed} == {"created"}


def test_grading_faults_progress_never_writes_through_a_symlink_out(tmp_path: Path) -> None:
    root = tmp_path / "ws"
    root.mkdir()
    (root / "progress.sqlite").symlink_to(tmp_path / "elsewhere.sqlite")
    with pytest.raises(WorkspaceError, match="leads out of the workspace"):
        ProgressStore(root).record("0.1", 1, 1, clean=True)
    assert not (tmp_path / "elsewhere.sqlite").exists()


def test_grading_faults_cli_lesson_symlink_is_one_line(tmp_path: Path) -> None:
    root = tmp_path / "ws"
    folder = workspace.topic_dir(get("0.1"), root)
    folder.mkdir(parents=True)
    (folder / workspace.EXERCISE_FILE).symlink_to(tmp_path / "outside.py")
    result = journey("lesson", "0.1", cwd=tmp_path, env={"JOURNEY_WORKSPACE": str(root)})
    err = result.stderr.decode()
    assert result.returncode == 1 and len(err.strip().splitlines()) == 1, err
    assert not (tmp_path / "outside.py").exists()


# -- --sandbox ------------------------------------------------------------------------

linux_only = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="Linux only")


@linux_only
def test_grading_faults_sandbox_passes_an_honest_file(tmp_path: Path, topic: FolderTopic) -> None:
    report = grading.run_checks(topic, learner(tmp_path, HONEST), timeout=60, seed=1, sandbox=True)
    assert report.ok, report.problem
    assert any("reading is NOT confined" in line for line in report.sandbox)


@linux_only
def test_grading_faults_sandbox_refuses_writes_outside_its_folder(
    tmp_path: Path, topic: FolderTopic
) -> None:
    if not sandbox.landlock_abi():
        pytest.skip("this kernel has no Landlock: writes are not confined (and the run says so)")
    target = tmp_path / "outside.txt"
    file = learner(
        tmp_path,
        f"""
        from pathlib import Path
        Path("inside.txt").write_text("fine")  # the private working folder
        def double(x):
            Path({str(target)!r}).write_text("escaped")
            return 2 * x
        """,
    )
    report = grading.run_checks(topic, file, timeout=60, seed=1, sandbox=True)
    assert not target.exists()
    assert not report.ok
    assert "PermissionError" in report.results[0].message


@linux_only
@pytest.mark.slow
def test_grading_faults_sandbox_has_no_network(tmp_path: Path, topic: FolderTopic) -> None:
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen()
    port = server.getsockname()[1]
    file = learner(
        tmp_path,
        f"""
        import socket
        def double(x):
            socket.create_connection(("127.0.0.1", {port}), timeout=5).close()
            return 2 * x
        """,
    )
    try:
        report = grading.run_checks(topic, file, timeout=60, seed=1, sandbox=True)
        plain = grading.run_checks(topic, file, timeout=60, seed=1)
    finally:
        server.close()
    assert plain.ok, plain.problem  # the connection works outside the sandbox
    if any("network is NOT blocked" in line for line in report.sandbox):
        pytest.skip("this kernel can block no network (and the run says so)")
    assert not report.ok
    assert "Error" in report.results[0].message


@linux_only
def test_grading_faults_sandbox_memory_limit_stops_a_hog(
    tmp_path: Path, topic: FolderTopic
) -> None:
    file = learner(
        tmp_path,
        """
        def double(x):
            hog = bytearray(16 * 2**30)
            return 2 * x
        """,
    )
    report = grading.run_checks(topic, file, timeout=60, seed=1, sandbox=True)
    assert not report.ok
    assert "MemoryError" in report.results[0].message


@linux_only
def test_grading_faults_sandbox_environment_drops_secrets(tmp_path: Path) -> None:
    os.environ["JOURNEY_TEST_SECRET_TOKEN_X"] = "1"  # kept: JOURNEY_ is the project's
    try:
        env = sandbox.environment(tmp_path)
    finally:
        del os.environ["JOURNEY_TEST_SECRET_TOKEN_X"]
    assert env["HOME"] == env["TMPDIR"] == str(tmp_path)
    assert all(key.startswith(sandbox.KEEP_ENV) or key in {"HOME", "TMPDIR", "MPLCONFIGDIR"}
               for key in env)  # fmt: skip


def test_grading_faults_sandbox_help_says_what_it_does_not_protect(tmp_path: Path) -> None:
    result = journey("check", "--help", cwd=tmp_path)
    text = " ".join(result.stdout.decode().split())
    assert "--sandbox" in text and "NOT prevented" in text


# -- journey tokenize ------------------------------------------------------------------


@pytest.mark.slow
def test_grading_faults_tokenize_llama2_copes_with_non_utf8(tmp_path: Path) -> None:
    """Non-UTF-8 bytes on the command line (Python keeps them as lone surrogates), on
    standard input and in a file: each a U+FFFD, as the other tokenizers read them."""
    for args, stdin in [
        ((os.fsdecode(b"a\xffb"),), b""),
        (("-",), b"a\xffb"),
        (("--file", str(tmp_path / "t.txt")), b""),
    ]:
        (tmp_path / "t.txt").write_bytes(b"a\xffb")
        result = journey("tokenize", *args, "--model", "llama2", cwd=tmp_path, stdin=stdin)
        assert result.returncode == 0, result.stderr.decode()
        assert result.stdout.decode().splitlines()[1] == "264 29137 28726"


def test_grading_faults_tokenize_reads_a_megabyte_from_stdin(tmp_path: Path) -> None:
    text = ("to be or not to be " * 55_000).encode()  # over 1 MB: no command line holds it
    result = journey("tokenize", "-", "--model", "gpt2", cwd=tmp_path, stdin=text)
    assert result.returncode == 0, result.stderr.decode()
    assert result.stdout.decode().splitlines()[-1].endswith(f"{len(text)} characters (gpt2)")


@pytest.mark.parametrize("args", [(), ("hi", "--file", "x.txt"), ("--file", "missing.txt")])
def test_grading_faults_tokenize_bad_text_source_is_one_line(tmp_path: Path, args: tuple) -> None:
    result = journey("tokenize", *args, cwd=tmp_path)
    err = result.stderr.decode()
    assert result.returncode == 1 and len(err.strip().splitlines()) == 1, err


@pytest.mark.parametrize("text", ["a\udcffb", "\ud800", "x\ud83d\ude00y", "\udc80\udc81 hi\ud800"])
def test_grading_faults_llama2_reads_a_lone_surrogate_as_replacement(text: str) -> None:
    """As tiktoken does: a pair joins into its character, a lone surrogate is U+FFFD."""
    tokenizer = load_tokenizer("llama2")
    fixed = text.encode("utf-16", "surrogatepass").decode("utf-16", "replace")
    assert tokenizer.encode(text) == tokenizer.encode(fixed)
