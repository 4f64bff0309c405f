"""Bounded formula workers: child processes that evaluate the formulas too big to run inline.

Why a process: the formula library checks its time limit between steps, not inside one
built-in (``$distinct`` of 10,000 items runs 0.6 s past a 10 ms limit, ``[1..10000000]``
allocates 250 MB before its size check), it has no bound on the total memory of an
evaluation (``[1..10000].([1..10000])`` reaches 1.2 GB), and ``Expression.evaluate`` holds
the GIL.  Only an address-space limit (``RLIMIT_AS``) bounds memory for sure, and only a
process can be stopped in the middle of a Rust call, so each worker is a child process with
``RLIMIT_AS`` set to its size at start plus the memory bound (with the allocator's up-front
reservation made small, see ``_Worker``), killed at the deadline.  A
failed allocation aborts the child: its death *is* the memory error.

The deadline counts the CPU time the child spends on the formula, not the wall clock: on a
busy machine (and the child runs at a lower priority than the server) a formula that needs
0.3 s of CPU may take seconds to get it, and it must not fail there when it passes on a quiet
machine.  A child starved for ``WALL_CAP_FACTOR`` times its limit is stopped all the same, so
no evaluation waits without bound.

Protocol (stdin/stdout of the child, one frame each way per evaluation): a 4-byte big-endian
length then UTF-8 JSON.  Request ``{"source", "input", "timeout", "max_depth", "memory"}``
where ``input`` is the scope as JSON text (cut down to what the formula reads); reply
``{"value": <JSON text or null for undefined>}`` or ``{"error": {"code", "message", "position"}}``.
The child writes one ``b"R"`` when it is ready, so its start-up never counts against a
formula's time.

Workers are reused (start-up is ~0.1 s) and kept per memory bound; at most ``MAX_WORKERS``
evaluate at once (more wait in line).  Calls block their thread while the child works, with the
GIL released, so an async caller runs them in ``executor()`` and its event loop keeps going.
"""

from __future__ import annotations

import json
import os
import resource
import select
import signal
import struct
import sys
import threading
import time
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Any, Final

if TYPE_CHECKING:
    from concurrent.futures import ThreadPoolExecutor

MAX_WORKERS: Final = max(2, min(4, os.cpu_count() or 2))
"""Formulas evaluated in workers at the same time; each may use its full memory bound."""

KILL_GRACE_S: Final = 0.25
"""Time past the deadline the child gets to report the library's own timeout before it is killed."""

WALL_CAP_FACTOR: Final = 10
"""A child's evaluation is stopped after this many times its time limit on the wall clock, however little CPU it got."""

_CLOCK_TICKS: Final = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100

_HEADER: Final = struct.Struct(">I")
_READY: Final = b"R"
_MAX_FRAME: Final = 1 << 31


@cache
def executor() -> ThreadPoolExecutor:
    """Threads that wait on workers for async callers; their count is the number of concurrent evaluations.

    Made on first use: concurrent.futures (and the logging it imports) is not
    needed to show the editor's window, nor by a run whose formulas stay inline.
    """
    from concurrent.futures import ThreadPoolExecutor

    return ThreadPoolExecutor(max_workers=MAX_WORKERS, thread_name_prefix="formula-worker")


@dataclass(frozen=True, slots=True)
class WorkerReply:
    """What a worker said: a value as JSON text (None: undefined), or the library's error."""

    value: str | None = None
    error_code: str | None = None
    error_message: str = ""
    error_position: int | None = None


class WorkerDied(Exception):
    """The child ended without answering: it ran out of its memory (or was killed)."""

    def __init__(self, returncode: int | None) -> None:
        super().__init__(f"the formula worker ended with status {returncode}")
        self.returncode = returncode


class WorkerTimeout(Exception):
    """The child was still working at the deadline and was killed."""


# -- child side -------------------------------------------------------------------------


def _read_exact(stream: Any, size: int) -> bytes | None:
    data = b""
    while len(data) < size:
        chunk = stream.read(size - len(data))
        if not chunk:
            return None
        data += chunk
    return data


def _address_space() -> int:
    """Bytes of virtual memory this process maps now (Linux: /proc; elsewhere 0)."""
    try:
        with open("/proc/self/statm", encoding="ascii") as statm:
            return int(statm.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError):
        return 0


def child_main(memory_bytes: int) -> None:
    """Evaluate requests until stdin closes, under ``RLIMIT_AS`` = size at start + ``memory_bytes``."""
    from jlens import Expression, JlensError  # imported before the limit: it is part of the baseline

    stdin, stdout = sys.stdin.buffer, sys.stdout.buffer
    try:
        os.nice(10)  # a formula spinning to its limit yields the CPU to the server that serves other requests
    except OSError:
        pass
    limit = _address_space() + memory_bytes
    if limit > memory_bytes:
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    stdout.write(_READY)
    stdout.flush()
    compiled: dict[str, Any] = {}
    while True:
        header = _read_exact(stdin, _HEADER.size)
        if header is None:
            return
        body = _read_exact(stdin, _HEADER.unpack(header)[0])
        if body is None:
            return
        request = json.loads(body)
        source = request["source"]
        expr = compiled.get(source)
        if expr is None:
            if len(compiled) > 256:
                compiled.clear()
            expr = compiled[source] = Expression(source)
        memory = request["memory"]
        try:
            value = expr.evaluate_json(
                request["input"],
                timeout=request["timeout"] * WALL_CAP_FACTOR,  # the parent enforces the CPU-time limit
                max_depth=request["max_depth"],
                max_string_length=memory,
                max_array_length=max(memory // 24, 1),
                max_result_size=memory,
            )
            reply: dict[str, Any] = {"value": value}
        except JlensError as error:
            position = getattr(error, "position", None)
            reply = {"error": {"code": getattr(error, "code", None), "message": str(error), "position": position}}
        except MemoryError:
            os._exit(3)  # the memory bound: the parent reads our death as that
        out = json.dumps(reply).encode()
        stdout.write(_HEADER.pack(len(out)) + out)
        stdout.flush()


# -- parent side ------------------------------------------------------------------------


def _cpu_seconds(pid: int) -> float | None:
    """CPU time (user + system) process ``pid`` has used, from ``/proc``; None where that is not readable."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as stat:
            fields = stat.read().rsplit(b")", 1)[1].split()
    except (OSError, IndexError):
        return None
    return (int(fields[11]) + int(fields[12])) / _CLOCK_TICKS  # utime, stime: fields 14 and 15 of stat(5)


class _Budget:
    """How long a child may still take: ``timeout_s`` of its CPU time, at most ``WALL_CAP_FACTOR`` times that on the wall clock.

    Without a pid (or without ``/proc``) it is plain wall-clock time.
    """

    def __init__(self, pid: int | None, timeout_s: float) -> None:
        self._pid = pid
        self._timeout_s = timeout_s
        self._started = time.monotonic()
        self._cpu_start = None if pid is None else _cpu_seconds(pid)
        self._wall_cap = timeout_s if self._cpu_start is None else timeout_s * WALL_CAP_FACTOR

    def wait_s(self) -> float:
        """Seconds to wait before asking again (the child cannot use CPU faster than the clock runs); <= 0: time is up."""
        wall_left = self._wall_cap - (time.monotonic() - self._started)
        if self._pid is None or self._cpu_start is None:
            return wall_left
        cpu = _cpu_seconds(self._pid)
        if cpu is None:  # the child is gone: its pipe reports that
            return max(wall_left, 0.01)
        return min(self._timeout_s - (cpu - self._cpu_start), wall_left)


class _Worker:
    """One child process; used by one call at a time."""

    def __init__(self, memory_bytes: int) -> None:
        self.memory_bytes = memory_bytes
        package_root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
        path = os.pathsep.join(filter(None, [package_root, os.environ.get("PYTHONPATH")]))
        # The library's allocator (mimalloc) reserves 1 GiB of address space up front, inside which
        # RLIMIT_AS would bound nothing: a small reserve makes each allocation count.  One malloc
        # arena likewise; and no backtrace on stderr when the bound is hit.
        import subprocess  # here, not at the top: a worker is started on first need, long after start-up

        env = {**os.environ, "PYTHONPATH": path, "MIMALLOC_ARENA_RESERVE": "16MiB", "MALLOC_ARENA_MAX": "1", "RUST_BACKTRACE": "0"}
        self.process = subprocess.Popen(
            [*worker_command(), str(memory_bytes)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,  # a failed allocation's message; the parent reports the bound instead
            env=env,
        )
        self._out = self.process.stdout.fileno()  # type: ignore[union-attr]  # stdout=PIPE above
        self.ready = False

    def _read(self, size: int, budget: _Budget | None) -> bytes:
        data = b""
        while len(data) < size:
            wait = None if budget is None else budget.wait_s()
            if wait is not None and wait <= 0:
                raise WorkerTimeout()
            readable, _, _ = select.select([self._out], [], [], wait)
            if not readable:
                continue  # the budget says at the top whether time is really up
            chunk = os.read(self._out, size - len(data))
            if not chunk:
                self.process.wait()
                raise WorkerDied(self.process.returncode)
            data += chunk
        return data

    def wait_ready(self) -> None:
        if not self.ready:
            self._read(1, _Budget(None, 30.0))
            self.ready = True

    def call(self, request: dict[str, Any], timeout_s: float) -> WorkerReply:
        budget = _Budget(self.process.pid, timeout_s)
        body = json.dumps(request).encode()
        stdin = self.process.stdin
        assert stdin is not None
        try:
            stdin.write(_HEADER.pack(len(body)) + body)
            stdin.flush()
        except (BrokenPipeError, OSError):
            self.process.wait()
            raise WorkerDied(self.process.returncode) from None
        size = _HEADER.unpack(self._read(_HEADER.size, budget))[0]
        if size > _MAX_FRAME:
            raise WorkerDied(None)
        reply = json.loads(self._read(size, budget))
        error = reply.get("error")
        if error is not None:
            return WorkerReply(error_code=error.get("code"), error_message=error.get("message", ""), error_position=error.get("position"))
        return WorkerReply(value=reply.get("value"))

    def kill(self) -> None:
        if self.process.poll() is None:
            try:
                self.process.send_signal(signal.SIGKILL)
            except OSError:
                pass
        self.process.wait()
        for stream in (self.process.stdin, self.process.stdout):
            try:
                stream.close()  # type: ignore[union-attr]  # both are PIPEs
            except OSError:
                pass

    @property
    def alive(self) -> bool:
        return self.process.poll() is None


class WorkerCall:
    """One evaluation in a worker; ``cancel()`` (from any thread) kills the child at once."""

    def __init__(self, pool: WorkerPool, request: dict[str, Any], timeout_s: float, memory_bytes: int) -> None:
        self._pool = pool
        self._request = request
        self._timeout_s = timeout_s
        self._memory_bytes = memory_bytes
        self._worker: _Worker | None = None
        self._cancelled = False
        self._lock = threading.Lock()

    def run(self) -> WorkerReply:
        worker = self._pool._acquire(self._memory_bytes)
        with self._lock:
            if self._cancelled:
                self._pool._release(worker, healthy=True)
                raise WorkerDied(None)
            self._worker = worker
        healthy = False
        try:
            worker.wait_ready()
            reply = worker.call(self._request, self._timeout_s + KILL_GRACE_S)
            healthy = True
            return reply
        finally:
            with self._lock:
                self._worker = None
            self._pool._release(worker, healthy=healthy and not self._cancelled)

    def cancel(self) -> None:
        with self._lock:
            self._cancelled = True
            if self._worker is not None:
                self._worker.kill()


class WorkerPool:
    """Idle workers per memory bound; a worker that timed out, died or was cancelled is replaced."""

    def __init__(self, max_idle: int = MAX_WORKERS) -> None:
        self._idle: dict[int, list[_Worker]] = {}
        self._lock = threading.Lock()
        self._max_idle = max_idle

    def call(self, request: dict[str, Any], timeout_s: float, memory_bytes: int) -> WorkerCall:
        return WorkerCall(self, request, timeout_s, memory_bytes)

    def _acquire(self, memory_bytes: int) -> _Worker:
        with self._lock:
            idle = self._idle.get(memory_bytes, [])
            while idle:
                worker = idle.pop()
                if worker.alive:
                    return worker
        return _Worker(memory_bytes)

    def _release(self, worker: _Worker, *, healthy: bool) -> None:
        if healthy and worker.alive:
            with self._lock:
                idle = self._idle.setdefault(worker.memory_bytes, [])
                if len(idle) < self._max_idle:
                    idle.append(worker)
                    return
        worker.kill()

    def warm(self, memory_bytes: int) -> None:
        """Start one worker ahead of need (a server does this at start-up), so the first slow formula does not wait for it."""
        worker = self._acquire(memory_bytes)
        self._release(worker, healthy=True)

    def close(self) -> None:
        with self._lock:
            workers = [w for idle in self._idle.values() for w in idle]
            self._idle.clear()
        for worker in workers:
            worker.kill()


POOL: Final = WorkerPool()

WORKER_FLAG: Final = "--formula-worker"
"""How the packaged app (one executable, no ``-m``) is asked to be a worker; ``app.cli.main`` answers it."""


def worker_command() -> list[str]:
    """The command that starts a worker: this module under the same Python, or the packaged app with ``WORKER_FLAG``."""
    if getattr(sys, "frozen", False):
        return [sys.executable, WORKER_FLAG]
    return [sys.executable, "-m", "app.core.formula.worker"]


if __name__ == "__main__":
    child_main(int(sys.argv[1]))
