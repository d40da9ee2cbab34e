"""``journey check --sandbox``: grade someone else's file with what Linux lets an
unprivileged user take away from it.

A teacher grading a class runs code they did not write. Without ``--sandbox`` that code
runs with the teacher's full rights. With it, the checks' process (and every process it
starts) gets, on Linux:

- **resource limits** (``setrlimit``): an address-space (memory) limit, a CPU-time limit,
  a file-size limit, and a limit on how many more processes it may start;
- **a private temporary working folder**, also its ``HOME`` and ``TMPDIR``, deleted
  afterwards, and an environment cut down to what the checks need (no tokens or keys
  from the teacher's environment);
- **no network**: a new, empty network namespace (through an unprivileged user
  namespace). Where the kernel refuses one, Landlock (Linux 6.7+) refuses TCP connect
  and bind instead, which leaves UDP open; where neither exists, the network stays open.
  :func:`plan` finds out which, and ``journey check`` prints it before grading;
- **no writes outside the private folder**, by Landlock (Linux 5.13+): creating,
  writing, truncating, renaming or deleting any file elsewhere fails (``/dev/null``
  stays writable). Without Landlock, writes are not confined, and the run says so.
  Where the kernel has Landlock's scoping (6.12+), the code also cannot send signals to
  processes outside the sandbox.

What it does not protect: **reading is not confined**: the code can read every file the
teacher can (``~/.ssh`` included) and show it in a check's failure message, which the
teacher then sees; a Unix socket reached by its path (a Docker daemon's) is not closed
off; a kernel bug is not a boundary this can hold; and it is no help on macOS or
Windows, where ``--sandbox`` refuses to run rather than pretend. For a stranger's code
that must not read your files, grade it in a virtual machine or a container.
"""

from __future__ import annotations

import ctypes
import os
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from nlpjourney.errors import JourneyError

GIB = 1 << 30
# subtle: RLIMIT_AS counts address space, not memory in use: importing torch alone
# reserves about 3.5 GiB of it, so the limit sits well above that.
MEMORY_LIMIT = 8 * GIB
FILE_SIZE_LIMIT = 256 << 20
EXTRA_PROCESSES = 64
# Environment variables the checks may need; everything else is dropped.
KEEP_ENV = ("PATH", "LANG", "LC_", "TZ", "NLPJOURNEY_", "JOURNEY_", "NLTK_DATA", "OMP_", "MKL_")

# Linux constants (include/uapi/linux/{sched,prctl,landlock}.h); the Landlock system
# calls have the same numbers on every architecture.
CLONE_NEWUSER = 0x10000000
CLONE_NEWNET = 0x40000000
PR_SET_NO_NEW_PRIVS = 38
SYS_LANDLOCK_CREATE_RULESET = 444
SYS_LANDLOCK_ADD_RULE = 445
SYS_LANDLOCK_RESTRICT_SELF = 446
LANDLOCK_CREATE_RULESET_VERSION = 1
LANDLOCK_RULE_PATH_BENEATH = 1
FS_WRITE_FILE = 1 << 1
FS_REMOVE_DIR, FS_REMOVE_FILE = 1 << 4, 1 << 5
FS_MAKE_ALL = sum(1 << bit for bit in range(6, 13))  # char, dir, reg, sock, fifo, block, sym
FS_REFER = 1 << 13  # ABI 2
FS_TRUNCATE = 1 << 14  # ABI 3
NET_BIND_TCP, NET_CONNECT_TCP = 1 << 0, 1 << 1  # ABI 4
SCOPE_ABSTRACT_UNIX_SOCKET, SCOPE_SIGNAL = 1 << 0, 1 << 1  # ABI 6


class SandboxError(JourneyError):
    """``--sandbox`` cannot be set up here (not Linux, or the kernel refused a step)."""


class _RulesetAttr(ctypes.Structure):
    _fields_ = [
        ("handled_access_fs", ctypes.c_uint64),
        ("handled_access_net", ctypes.c_uint64),
        ("scoped", ctypes.c_uint64),
    ]


class _PathBeneathAttr(ctypes.Structure):
    _pack_ = 1  # the kernel's struct is packed: 12 bytes
    _fields_ = [("allowed_access", ctypes.c_uint64), ("parent_fd", ctypes.c_int32)]


def _libc() -> ctypes.CDLL:
    return ctypes.CDLL(None, use_errno=True)


def landlock_abi() -> int:
    """The kernel's Landlock ABI version; 0 when it has none (or this is not Linux)."""
    if not sys.platform.startswith("linux"):
        return 0
    version = _libc().syscall(SYS_LANDLOCK_CREATE_RULESET, None, 0, LANDLOCK_CREATE_RULESET_VERSION)
    return max(int(version), 0)


def network_namespace_works() -> bool:
    """Whether this user may make a new network namespace (tried in a throwaway child)."""
    if not sys.platform.startswith("linux"):
        return False
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child only reports by its exit status
        os._exit(0 if _libc().unshare(CLONE_NEWUSER | CLONE_NEWNET) == 0 else 1)
    _, status = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(status) == 0


@dataclass(frozen=True)
class SandboxPlan:
    """What the sandbox will do on this machine.

    Attributes:
        folder: the private working folder (the only place writes may go).
        cpu_seconds: the CPU-time limit.
        network: "namespace" (no network at all), "landlock-tcp" (TCP refused, UDP
            open) or "open".
        landlock_abi: 0 when writes outside ``folder`` cannot be refused.
    """

    folder: Path
    cpu_seconds: int
    network: str
    landlock_abi: int

    def describe(self) -> list[str]:
        """One line per protection, saying plainly what is and is not in force."""
        network = {
            "namespace": "no network (an empty network namespace)",
            "landlock-tcp": "no TCP connections (Landlock); UDP is NOT blocked on this kernel",
            "open": "the network is NOT blocked: this kernel allows neither a network "
            "namespace nor Landlock's network rules",
        }[self.network]
        writes = (
            f"no writes outside {self.folder} (Landlock)"
            if self.landlock_abi
            else "writes outside the working folder are NOT blocked (this kernel has no Landlock)"
        )
        return [
            f"limits: {MEMORY_LIMIT // GIB} GiB address space, {self.cpu_seconds} s of CPU, "
            f"files up to {FILE_SIZE_LIMIT >> 20} MiB, {EXTRA_PROCESSES} more processes",
            f"working folder, HOME and TMPDIR: {self.folder} (deleted afterwards)",
            network,
            writes,
            "reading is NOT confined: the code can read any file you can",
        ]


def plan(folder: Path, cpu_seconds: int) -> SandboxPlan:
    """Find out what the sandbox can do here.

    Raises:
        SandboxError: not on Linux, where none of it exists.
    """
    if not sys.platform.startswith("linux"):
        raise SandboxError(
            f"--sandbox needs Linux (this is {sys.platform}); grade a stranger's file in a "
            "Linux virtual machine or container instead."
        )
    abi = landlock_abi()
    if network_namespace_works():
        network = "namespace"
    else:
        network = "landlock-tcp" if abi >= 4 else "open"
    return SandboxPlan(folder, cpu_seconds, network, abi)


def environment(folder: Path) -> dict[str, str]:
    """The checks' environment inside the sandbox: only what they need, home in ``folder``."""
    env = {k: v for k, v in os.environ.items() if k.startswith(KEEP_ENV)}
    env.update(HOME=str(folder), TMPDIR=str(folder), MPLCONFIGDIR=str(folder))
    return env


def user_processes() -> int:
    """How many processes this user runs now (RLIMIT_NPROC counts them all)."""
    uid = str(os.getuid())
    count = 0
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            for line in status.read_text().splitlines():
                if line.startswith("Uid:"):
                    count += line.split()[1] == uid
                    break
        except OSError:
            continue  # the process ended while we looked
    return count


def _check(result: int, what: str) -> int:
    if result < 0:
        raise OSError(ctypes.get_errno(), f"{what} failed: {os.strerror(ctypes.get_errno())}")
    return result


def _restrict_with_landlock(libc: ctypes.CDLL, the_plan: SandboxPlan) -> None:
    abi = the_plan.landlock_abi
    writes = FS_WRITE_FILE | FS_REMOVE_DIR | FS_REMOVE_FILE | FS_MAKE_ALL
    writes |= (FS_REFER if abi >= 2 else 0) | (FS_TRUNCATE if abi >= 3 else 0)
    attr = _RulesetAttr(handled_access_fs=writes)
    size = 8
    if the_plan.network == "landlock-tcp":
        attr.handled_access_net, size = NET_BIND_TCP | NET_CONNECT_TCP, 16
    if abi >= 6:
        attr.scoped, size = SCOPE_SIGNAL | SCOPE_ABSTRACT_UNIX_SOCKET, 24
    ruleset = _check(
        libc.syscall(SYS_LANDLOCK_CREATE_RULESET, ctypes.byref(attr), ctypes.c_size_t(size), 0),
        "landlock_create_ruleset",
    )
    file_rights = FS_WRITE_FILE | (FS_TRUNCATE if abi >= 3 else 0)
    for path, rights in ((the_plan.folder, writes), (Path(os.devnull), file_rights)):
        fd = os.open(path, os.O_PATH | os.O_CLOEXEC)
        rule = _PathBeneathAttr(allowed_access=rights, parent_fd=fd)
        _check(
            libc.syscall(SYS_LANDLOCK_ADD_RULE, ruleset, LANDLOCK_RULE_PATH_BENEATH,
                         ctypes.byref(rule), 0),
            f"landlock_add_rule({path})",
        )  # fmt: skip
        os.close(fd)
    _check(libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0), "prctl(NO_NEW_PRIVS)")
    _check(libc.syscall(SYS_LANDLOCK_RESTRICT_SELF, ruleset, 0), "landlock_restrict_self")
    os.close(ruleset)


def enter(the_plan: SandboxPlan) -> Callable[[], None]:
    """The function a subprocess calls between fork and exec to enter the sandbox.

    The process count is read here, in the parent: the limit is the user's processes now
    plus :data:`EXTRA_PROCESSES` (RLIMIT_NPROC counts every process of the user).
    """
    import resource  # Unix only: imported here so this module loads everywhere

    processes = user_processes() + EXTRA_PROCESSES

    def apply() -> None:  # pragma: no cover - runs in the child, between fork and exec
        libc = _libc()
        for limit, value in (
            (resource.RLIMIT_AS, MEMORY_LIMIT),
            (resource.RLIMIT_CPU, the_plan.cpu_seconds),
            (resource.RLIMIT_FSIZE, FILE_SIZE_LIMIT),
            (resource.RLIMIT_NPROC, processes),
            (resource.RLIMIT_CORE, 0),
        ):
            hard = resource.getrlimit(limit)[1]
            value = value if hard == resource.RLIM_INFINITY else min(value, hard)
            resource.setrlimit(limit, (value, value))
        if the_plan.network == "namespace":
            _check(libc.unshare(CLONE_NEWUSER | CLONE_NEWNET), "unshare(network)")
        if the_plan.landlock_abi:
            _restrict_with_landlock(libc, the_plan)

    return apply
