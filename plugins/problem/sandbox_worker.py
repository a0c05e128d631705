"""The program the script sandbox starts: it runs problem scripts in a process that can do nothing else.

Started by :mod:`plugins.problem.sandbox` as ``python -I -S -B sandbox_worker.py`` with the request as
JSON on standard input (``-S``: no site start-up; the request names the directories of the few packages
it imports). Before it runs any author code it confines itself, and refuses to run anything if it
cannot:

- limits (``setrlimit``): CPU seconds, address space, no file may grow (``RLIMIT_FSIZE`` 0), no core
  file, few file descriptors;
- a Landlock ruleset (the kernel's unprivileged file-system sandbox, through ``landlock``): only the
  directories the request names (Python's own library, the packages it imports, the system's shared
  libraries) can be read, nothing anywhere can be written, created or removed; the server's database,
  its secret key and the course files are out of reach;
- a seccomp filter (libseccomp, through ``pyseccomp``) that allows only the system calls a Python
  computation needs: memory, reading files (``open`` only without any write flag), writing to its
  standard output and error, clocks, signals, exit. Everything else fails with EPERM, so there is no
  socket (no network), no ``fork``/``clone``/``execve`` (no new process, no fork bomb), no ``kill``
  (it cannot signal the server), no file created, written, renamed or removed.

Each job runs in a fresh namespace that starts as Open edX starts its own (``CODE_PROLOG`` of
``xmodule/capa/safe_exec``): ``random`` is a ``random2.Random`` seeded with the job's seed (the same
draws as Open edX for the same seed), division is true division, ``math`` is there and ``numpy``/``calc``
are imported on first use. What the author's code prints is counted and dropped. The answer is one JSON
line on standard output: per job, the JSON-safe globals it left (as ``json_safe`` in codejail) or the
error it raised.
"""

from __future__ import annotations

import errno
import importlib
import json
import math
import os
import resource
import sys
import types
from typing import Any

#: Names the prolog puts in every namespace: never sent back as results.
PROLOG_NAMES = frozenset({"random", "math", "numpy", "calc", "xrange", "__builtins__"})
_OK_TYPES = (type(None), bool, int, float, str, list, tuple, dict)
_MAX_PRINTED = 64 * 1024


class _Discard:
    """Standard output for author code: what it prints is dropped (bounded, so a loop of prints costs
    only the CPU time the limit allows)."""

    def __init__(self) -> None:
        self.size = 0

    def write(self, text: str) -> int:
        self.size = min(self.size + len(text), _MAX_PRINTED)
        return len(text)

    def flush(self) -> None:
        """Nothing to flush."""


class _LazyModule(types.ModuleType):
    """A module imported the first time one of its attributes is read (numpy takes a tenth of a
    second to import; most scripts never use it)."""

    def __init__(self, name: str) -> None:
        super().__init__(name)
        self.__dict__["_real"] = None

    def __getattr__(self, attribute: str) -> Any:
        real = self.__dict__["_real"]
        if real is None:
            real = importlib.import_module(self.__name__)
            self.__dict__["_real"] = real
        return getattr(real, attribute)


def _limit(limits: dict[str, int]) -> None:
    cpu = int(limits["cpu_seconds"])
    memory = int(limits["memory_bytes"])
    resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 1))
    resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    resource.setrlimit(resource.RLIMIT_FSIZE, (0, 0))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    resource.setrlimit(resource.RLIMIT_NOFILE, (64, 64))
    resource.setrlimit(resource.RLIMIT_NPROC, (0, 0))


# System calls a Python computation needs once it has started; every other one fails with EPERM.
_ALLOWED = (
    "read", "pread64", "readv", "lseek", "close", "fstat", "newfstatat", "stat", "lstat", "statx",
    "getdents64", "readlink", "readlinkat", "getcwd", "access", "faccessat", "faccessat2",
    "mmap", "munmap", "mprotect", "mremap", "madvise", "brk",
    "rt_sigaction", "rt_sigprocmask", "rt_sigreturn", "sigaltstack",
    "futex", "getrandom", "clock_gettime", "clock_getres", "gettimeofday", "clock_nanosleep", "nanosleep",
    "getpid", "gettid", "getuid", "geteuid", "getgid", "getegid", "sched_getaffinity", "sched_yield",
    "sysinfo", "uname", "ioctl", "fcntl", "dup", "poll", "select", "pselect6",
    "exit", "exit_group",
)  # fmt: skip
_WRITE_FLAGS = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_TRUNC | os.O_APPEND


def _enclose(folders: list[str]) -> None:
    """Apply the Landlock ruleset: read (and map) files under ``folders``, nothing else at all; raises
    when the kernel refuses (then nothing runs)."""
    from landlock.plumbing import FSAccess
    from landlock.porcelain import Ruleset

    rules = Ruleset()  # handles every file-system right the kernel knows: all refused unless allowed
    for folder in folders:
        if os.path.isdir(folder):
            rules.allow(folder, rules=FSAccess.READ_FILE | FSAccess.READ_DIR | FSAccess.EXECUTE)
        elif os.path.isfile(folder):
            rules.allow(folder, rules=FSAccess.READ_FILE)
    rules.apply()


def _confine() -> None:
    """Install the seccomp filter; raises when the kernel or the library refuses (then nothing runs)."""
    import pyseccomp

    rules = pyseccomp.SyscallFilter(defaction=pyseccomp.ERRNO(errno.EPERM))
    for name in _ALLOWED:
        rules.add_rule(pyseccomp.ALLOW, name)
    for fd in (1, 2):
        rules.add_rule(pyseccomp.ALLOW, "write", pyseccomp.Arg(0, pyseccomp.EQ, fd))
        rules.add_rule(pyseccomp.ALLOW, "writev", pyseccomp.Arg(0, pyseccomp.EQ, fd))
    # open and openat only for reading: the flags carry no bit that writes or creates.
    rules.add_rule(pyseccomp.ALLOW, "openat", pyseccomp.Arg(2, pyseccomp.MASKED_EQ, _WRITE_FLAGS, 0))
    rules.add_rule(pyseccomp.ALLOW, "open", pyseccomp.Arg(1, pyseccomp.MASKED_EQ, _WRITE_FLAGS, 0))
    rules.load()


def _name_libraries(libraries: dict[str, str]) -> None:
    """Let ``ctypes.util.find_library`` answer from the names the server found once: looking them up
    starts ``ldconfig``, which would cost each run more time than the author's code."""
    import ctypes.util

    search = ctypes.util.find_library
    ctypes.util.find_library = lambda name: libraries.get(name) or search(name)


def _namespace(seed: Any, values: dict[str, Any]) -> dict[str, Any]:
    import random2

    generator = random2.Random(seed)
    generator.Random = random2.Random  # type: ignore[attr-defined]
    generator.SystemRandom = random2.SystemRandom  # type: ignore[attr-defined]
    namespace: dict[str, Any] = {
        "__builtins__": __builtins__,
        "__name__": "__main__",
        "random": generator,
        "math": math,
        "numpy": _LazyModule("numpy"),
        "calc": _LazyModule("calc"),
        "xrange": range,
    }
    namespace.update(values)
    # As Open edX: "import random" in a script gives the seeded generator.
    sys.modules["random"] = generator  # type: ignore[assignment]
    return namespace


def json_safe(namespace: dict[str, Any]) -> dict[str, Any]:
    """The globals a job leaves that JSON can carry (functions, modules and the like are dropped)."""
    kept = {}
    for name, value in namespace.items():
        if name in PROLOG_NAMES or name.startswith("__") or not isinstance(value, _OK_TYPES):
            continue
        try:
            kept[name] = json.loads(json.dumps(value, allow_nan=False))
        except (TypeError, ValueError, RecursionError):
            continue
    return kept


def _run(job: dict[str, Any], seed: Any) -> dict[str, Any]:
    namespace = _namespace(seed, job.get("globals") or {})
    try:
        code = compile(job["code"], "<script>", "exec", dont_inherit=True)
        exec(code, namespace)  # noqa: S102 (the point of this confined process)
    except (Exception, SystemExit) as error:  # any failure of author code is reported, not raised
        return {"error": _describe(error)}
    return {"globals": json_safe(namespace)}


def _describe(error: BaseException) -> dict[str, Any]:
    line = None
    import traceback  # here, not at the top: only runs whose author code failed need it

    for frame in traceback.extract_tb(error.__traceback__):
        if frame.filename == "<script>":
            line = frame.lineno
    if isinstance(error, SyntaxError) and error.filename == "<script>":
        line = error.lineno
    text = str(error)
    return {"type": type(error).__name__, "message": text[:500], "line": line}


def main() -> None:
    """Read the request, confine this process, run its jobs, write the answer."""
    request = json.loads(sys.stdin.buffer.read())
    sys.path.extend(request["path"])
    _name_libraries(request.get("libraries") or {})
    _limit(request["limits"])
    _enclose(request["readable"])
    _confine()
    sys.stdout = sys.stderr = _Discard()  # type: ignore[assignment]
    sys.setrecursionlimit(2000)
    results = [_run(job, request.get("seed")) for job in request["jobs"]]
    answer = json.dumps({"results": results}, allow_nan=False).encode()
    while answer:  # to descriptor 1 itself: the filter lets nothing write anywhere else
        answer = answer[os.write(1, answer) :]


if __name__ == "__main__":
    main()
