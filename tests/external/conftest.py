"""A real ``streamwright serve`` subprocess, and line-by-line reading of another process's output.

Nothing here synchronises with sleeps: a test waits for a line, an event or a
process exit, and every wait has a generous upper bound so a broken build
fails instead of hanging.
"""

from __future__ import annotations

import json
import os
import queue
import re
import secrets
import shutil
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import IO, Any

import pytest

from app.core.project import Endpoint, Project
from app.core.project_file import save_project
from tests.conftest import EXAMPLE, ROOT, action

STARTUP_TIMEOUT_S = 60.0
"""Upper bound for the server to print its ``Serving ... on URL`` line (a loaded 2-core machine is slow to import)."""
STOP_TIMEOUT_S = 20.0
SERVING_LINE = re.compile(r"^Serving (?P<name>.+) on (?P<url>http://127\.0\.0\.1:(?P<port>\d+))$")


def require_tool(name: str) -> str:
    """The tool's path; a missing tool fails the test (never a silent skip): ``make test`` installs it."""
    path = shutil.which(name)
    if path is None:
        pytest.fail(f"{name} is not installed; `make test` installs it (as root: apt-get install -y --no-install-recommends {name})")
    return path


class Lines:
    """The lines of a pipe, read by a thread as they come, so a test can wait for the next one with a bound."""

    _EOF = object()

    def __init__(self, stream: IO[bytes], name: str) -> None:
        self.name = name
        self.seen: list[str] = []
        self._queue: queue.Queue[object] = queue.Queue()
        self._thread = threading.Thread(target=self._pump, args=(stream,), name=f"lines-{name}", daemon=True)
        self._thread.start()

    def _pump(self, stream: IO[bytes]) -> None:
        try:
            for raw in iter(stream.readline, b""):
                self._queue.put(raw.decode("utf-8").rstrip("\r\n"))
        finally:
            self._queue.put(self._EOF)

    def next(self, timeout: float = 30.0) -> str | None:
        """The next line, or None at the end of the output."""
        try:
            item = self._queue.get(timeout=timeout)
        except queue.Empty:
            raise AssertionError(f"{self.name}: no line within {timeout} s; so far: {self.seen[-20:]}") from None
        if item is self._EOF:
            self._queue.put(item)  # stays at the end for later callers
            return None
        assert isinstance(item, str)
        self.seen.append(item)
        return item

    def until(self, predicate: Callable[[str], bool], timeout: float = 30.0) -> str:
        """Lines up to and including the first that matches; fails at the end of the output."""
        while True:
            line = self.next(timeout)
            if line is None:
                raise AssertionError(f"{self.name}: output ended before the expected line; got: {self.seen[-20:]}")
            if predicate(line):
                return line

    def rest(self, timeout: float = 60.0) -> list[str]:
        """Every line until the end of the output."""
        lines = []
        while (line := self.next(timeout)) is not None:
            lines.append(line)
        return lines


@dataclass
class Server:
    url: str
    port: int
    token: str
    process: subprocess.Popen[bytes]
    stderr_path: Path

    def stderr(self) -> str:
        return self.stderr_path.read_text(errors="replace")


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=STOP_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=STOP_TIMEOUT_S)


@pytest.fixture(scope="module")
def serve(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Callable[..., Server]]:
    """``serve(project_path_or_project, *extra_args)``: a running ``streamwright serve`` on a free port, with a random token.

    Every server started here is stopped (SIGTERM, then a bounded wait) when the module's tests are done.
    """
    started: list[subprocess.Popen[bytes]] = []

    def start(project: Path | Project, *extra: str) -> Server:
        workdir = tmp_path_factory.mktemp("serve")
        if isinstance(project, Project):
            path = workdir / "project.streamwright.json"
            save_project(project, path)
            project = path
        token = secrets.token_urlsafe(18)
        stderr_path = workdir / "stderr.txt"
        with stderr_path.open("wb") as stderr:
            process = subprocess.Popen(
                [sys.executable, "-m", "app", "serve", str(project), "--port", "0", f"--token={token}", "--output", str(workdir / "output"), *extra],
                stdout=subprocess.PIPE,
                stderr=stderr,
                stdin=subprocess.DEVNULL,
                cwd=workdir,
                env={**os.environ, "PYTHONUNBUFFERED": "1", "PYTHONPATH": str(ROOT)},
            )
        started.append(process)
        assert process.stdout is not None
        lines = Lines(process.stdout, "streamwright serve")  # keeps draining stdout for the server's lifetime
        try:
            first = lines.next(STARTUP_TIMEOUT_S)
        except AssertionError:
            raise AssertionError(f"streamwright serve printed nothing; stderr: {stderr_path.read_text(errors='replace')}") from None
        found = SERVING_LINE.match(first or "")
        assert found, f"unexpected first line {first!r}; stderr: {stderr_path.read_text(errors='replace')}"
        return Server(url=found["url"], port=int(found["port"]), token=token, process=process, stderr_path=stderr_path)

    yield start
    for process in reversed(started):
        _stop(process)


@pytest.fixture(scope="module")
def example_project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A private copy of the bundled example (project file and its SQLite database)."""
    folder = tmp_path_factory.mktemp("example")
    shutil.copytree(EXAMPLE.parent, folder, dirs_exist_ok=True)
    return folder / EXAMPLE.name


def gated_endpoint(gate_url: str, method: str, done: dict[str, Any]) -> Endpoint:
    """``/gated``: sends ``{"status": "waiting"}``, then waits on the ``gate`` server, then sends ``done``.

    The second message cannot leave before the test releases the gate, so tests of streaming need no timing.
    """
    return Endpoint(
        name="gated",
        method=method,
        path="/gated",
        workflow=[
            action("send_waiting", "stream.send", eventData={"status": "waiting"}),
            action("ask_gate", "http.request", method="GET", url=gate_url, timeoutMs=120_000, resultVariable="gate"),
            action("send_done", "stream.send", eventData=done),
        ],
    )


@pytest.fixture(scope="module")
def gate() -> Iterator[dict[str, Any]]:
    """An HTTP server whose ``GET /gate`` answers only when the test says so."""
    arrived, release = threading.Event(), threading.Event()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            arrived.set()
            released = release.wait(timeout=90)
            body = json.dumps({"released": released}).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield {"url": f"http://127.0.0.1:{server.server_address[1]}/gate", "arrived": arrived, "release": release}
    finally:
        release.set()
        server.shutdown()
        server.server_close()
