"""The script sandbox: problem scripts (``<script type="loncapa/python">``, check functions) run here.

Open edX runs them with codejail, whose confinement is an AppArmor profile and a sandbox user set up by
the server's administrator. This platform runs them in a locked-down subprocess with the same limits
(:mod:`plugins.problem.sandbox_worker`): no network, no writable file system, no new process, CPU time,
memory and wall-clock limits, bounded output, and nothing to read but Python's and the system's libraries.
Its confinement is a Landlock ruleset and a seccomp filter, so it needs Linux with Landlock (5.13 and
later) and libseccomp (the ``pyseccomp`` binding); where either is missing the sandbox is *off*:
:func:`available` says so, and scripted problems show a notice instead of running anything. Nothing
author-written ever runs in the server's own process.

:func:`run` sends jobs (code with its starting globals) to one new process and returns, per job, the
JSON-safe globals it left or its error; a process that breaks a limit, dies or answers garbage raises
:class:`SandboxError` with the reason, and the server carries on.
"""

from __future__ import annotations

import contextlib
import ctypes.util
import importlib.util
import json
import os
import select
import signal
import subprocess
import sys
import sysconfig
import time
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from plugins.problem.messages import Message, _

WORKER = Path(__file__).with_name("sandbox_worker.py")
#: Bytes of the request (code and globals) and of the answer.
MAX_REQUEST = 2 * 1024 * 1024
MAX_ANSWER = 2 * 1024 * 1024


@dataclass(frozen=True)
class Limits:
    """What one sandboxed run may use (codejail's defaults are of the same order)."""

    cpu_seconds: int = 1
    wall_seconds: float = 3.0
    memory_bytes: int = 512 * 1024 * 1024


DEFAULT_LIMITS = Limits()


class SandboxError(Message):
    """A script that could not be run to its end: a limit broken, the sandbox off, a crash."""


@dataclass(frozen=True)
class JobResult:
    """What one job left: its JSON-safe globals, or the error it raised (type, message, line)."""

    globals: dict[str, Any]
    error: dict[str, Any] | None = None

    @property
    def failed(self) -> bool:
        """Whether the code raised."""
        return self.error is not None


@cache
def available() -> bool:
    """Whether scripts can run confined here (Linux with libseccomp and its binding), and are not
    turned off by the administrator (``CYBERMASSIF_SCRIPT_SANDBOX=off``)."""
    if os.environ.get("CYBERMASSIF_SCRIPT_SANDBOX", "").strip().lower() in ("off", "0", "false", "no"):
        return False
    if not sys.platform.startswith("linux"):
        return False
    try:
        import pyseccomp  # noqa: F401 (loads libseccomp: only its presence is asked)
        from landlock.plumbing import landlock_abi_version

        return landlock_abi_version() >= 1
    except (ImportError, OSError, RuntimeError, AttributeError):
        return False


@cache
def _package_path() -> list[str]:
    """The directories holding what the worker imports (it starts without site-packages)."""
    found = []
    for name in ("pyseccomp", "landlock", "random2", "calc", "numpy", "pyparsing"):
        spec = importlib.util.find_spec(name)
        if spec is not None and spec.origin:
            origin = Path(spec.origin)
            folder = origin.parent.parent if origin.name == "__init__.py" else origin.parent
            if str(folder) not in found:
                found.append(str(folder))
    return found


@cache
def _readable() -> list[str]:
    """What the worker may read once confined: Python's library, the packages it imports (the directories
    holding them) and the system's shared libraries; none of the server's own files."""
    folders = [sysconfig.get_path("stdlib"), sysconfig.get_path("platstdlib"), *_package_path()]
    folders += ["/usr/lib", "/usr/lib64", "/lib", "/lib64", "/etc/ld.so.cache"]
    return list(dict.fromkeys(folders))


@cache
def _libraries() -> dict[str, str]:
    """The shared libraries the worker's seccomp binding loads, found once per server process."""
    found = {name: ctypes.util.find_library(name) for name in ("c", "seccomp")}
    return {name: path for name, path in found.items() if path}


def run(
    jobs: list[tuple[str, dict[str, Any]]], seed: int, limits: Limits = DEFAULT_LIMITS
) -> list[JobResult]:
    """Run each ``(code, globals)`` in a fresh namespace of one confined process, ``random`` seeded with
    ``seed``. Raises SandboxError when the sandbox is off or the process does not answer in its limits."""
    if not available():
        raise SandboxError(_("Scripts cannot run on this server: its script sandbox is off."))
    request = json.dumps(
        {
            "seed": seed,
            "jobs": [{"code": code, "globals": values} for code, values in jobs],
            "path": _package_path(),
            "libraries": _libraries(),
            "readable": _readable(),
            "limits": {"cpu_seconds": limits.cpu_seconds, "memory_bytes": limits.memory_bytes},
        },
        allow_nan=False,
    ).encode()
    if len(request) > MAX_REQUEST:
        raise SandboxError(_("This problem's script is too large to run."))
    answer = _exchange(request, limits)
    try:
        results = json.loads(answer)["results"]
        if not isinstance(results, list) or len(results) != len(jobs):
            raise ValueError
        return [JobResult(r.get("globals") or {}, r.get("error")) for r in results]
    except (ValueError, KeyError, TypeError, AttributeError):
        raise SandboxError(_("This problem's script gave an answer that cannot be read.")) from None


def _exchange(request: bytes, limits: Limits) -> bytes:
    """Start the worker, give it the request, read its answer within the limits; always reap it."""
    process = subprocess.Popen(  # noqa: S603 (our own worker, by absolute path, no shell)
        [sys.executable, "-I", "-S", "-B", str(WORKER)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        close_fds=True,
        cwd="/",
        env={"OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "LANG": "C.UTF-8"},
        start_new_session=True,
    )
    try:
        return _talk(process, request, limits)
    finally:
        if process.poll() is None:
            _kill(process)
        process.wait()
        for stream in (process.stdin, process.stdout):
            if stream is not None:
                stream.close()


def _talk(process: subprocess.Popen[bytes], request: bytes, limits: Limits) -> bytes:
    assert process.stdin is not None and process.stdout is not None
    # A worker that died at once is reported below, from its exit status.
    with contextlib.suppress(BrokenPipeError):
        process.stdin.write(request)
        process.stdin.close()
    deadline = time.monotonic() + limits.wall_seconds
    chunks: list[bytes] = []
    size = 0
    descriptor = process.stdout.fileno()
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            raise SandboxError(_("This problem's script took too long and was stopped."))
        ready, _unused, _unused2 = select.select([descriptor], [], [], left)
        if not ready:
            continue
        chunk = os.read(descriptor, 65536)
        if not chunk:
            break
        size += len(chunk)
        if size > MAX_ANSWER:
            raise SandboxError(_("This problem's script wrote too much and was stopped."))
        chunks.append(chunk)
    try:
        status = process.wait(timeout=max(deadline - time.monotonic(), 0.1))
    except subprocess.TimeoutExpired:
        raise SandboxError(_("This problem's script took too long and was stopped.")) from None
    if status in (-signal.SIGXCPU, -signal.SIGKILL):
        raise SandboxError(_("This problem's script took too long and was stopped."))
    if status != 0:
        raise SandboxError(_("This problem's script stopped with an error it could not report."))
    return b"".join(chunks)


def _kill(process: subprocess.Popen[bytes]) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
