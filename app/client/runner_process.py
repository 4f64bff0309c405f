"""The preview's runner: ``streamwright serve`` as a child process, supervised from asyncio.

Workflows run in their own process so that a runaway or crashing one cannot
take the editor down. The child listens on loopback, port 0, behind a fresh
token handed over in its environment (``STREAMWRIGHT_TOKEN``; a command line
is visible to every user of the machine). Its port comes from the
``Serving ... on http://127.0.0.1:PORT`` line it prints once bound.

Before each run the project on screen is pushed (``PUT /_admin/project``), so
the preview always runs what the user sees. If the child dies, it is started
again, and the runs it cut end with :class:`RunnerCrashedError`.
"""

from __future__ import annotations

import contextlib
import os
import re
import secrets
import sys
import tempfile
from collections import deque
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Self

from app.client.stream_state import RunnerCrashedError, StreamError, StreamState
from app.core.project import Project
from app.core.project_file import to_document

if TYPE_CHECKING:
    import asyncio

    from app.client.endpoint_client import EndpointClient, ReconnectPolicy, StreamCall

__all__ = ["RunnerProcess", "RunnerStartError"]

TOKEN_ENV = "STREAMWRIGHT_TOKEN"
QUICK_CRASH_S = 5.0
MAX_QUICK_CRASHES = 3
"""A runner that dies this many times in a row, each within QUICK_CRASH_S of starting, is not restarted on its own."""
_SERVING = re.compile(r"^Serving .* on (http://127\.0\.0\.1:\d+)\s*$")


class RunnerStartError(RuntimeError):
    """The runner process could not be started (it exited, or never said where it listens)."""


@dataclass(eq=False)
class _Child:
    """One generation of the runner: the process, a client bound to its port, and the calls made through it."""

    process: asyncio.subprocess.Process
    url: str
    client: EndpointClient
    stderr_tail: deque[str]
    started_at: float
    calls: set[StreamCall] = field(default_factory=set)
    tasks: list[asyncio.Task[Any]] = field(default_factory=list)


class RunnerProcess:
    """Start, feed, supervise and stop the runner child process.

    ``run`` is the editor's Preview button: it makes sure the runner is up,
    pushes ``project`` and starts calling ``endpoint``. ``stop`` ends the
    child (terminate, then kill after ``stop_timeout_s``).
    """

    def __init__(
        self,
        project_path: str | Path,
        *,
        output_dir: str | Path | None = None,
        reconnect: ReconnectPolicy | None = None,
        startup_timeout_s: float = 30.0,
        stop_timeout_s: float = 2.0,
        python: str = sys.executable,
    ) -> None:
        self.project_path = Path(project_path)
        self.output_dir = Path(output_dir) if output_dir is not None else None
        self.reconnect = reconnect
        self.startup_timeout_s = startup_timeout_s
        self.stop_timeout_s = stop_timeout_s
        self.python = python
        self.token = secrets.token_urlsafe(24)
        self.restarts = 0
        self._quick_crashes = 0
        self._child: _Child | None = None
        self._made_lock: asyncio.Lock | None = None
        self._stopping = False
        self._temporary_output: tempfile.TemporaryDirectory[str] | None = None

    @property
    def _lock(self) -> asyncio.Lock:
        """Made on first use: the editor makes a runner while its window is built, before asyncio is imported.

        asyncio (with ssl, sockets, subprocesses) is a twentieth of the editor's
        start; it comes with the first coroutine, after the window shows.
        """
        if self._made_lock is None:
            import asyncio

            self._made_lock = asyncio.Lock()
        return self._made_lock

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.stop()

    # -- what callers see ----------------------------------------------------
    @property
    def running(self) -> bool:
        return self._child is not None and self._child.process.returncode is None

    @property
    def pid(self) -> int | None:
        return self._child.process.pid if self._child is not None else None

    @property
    def url(self) -> str:
        return self._current().url

    @property
    def client(self) -> EndpointClient:
        return self._current().client

    def _current(self) -> _Child:
        if self._child is None:
            raise RuntimeError("the runner is not started")
        return self._child

    @property
    def output_folder(self) -> Path:
        """Where runs write their files: ``output_dir``, or a temporary folder removed by ``stop``."""
        if self.output_dir is not None:
            return self.output_dir
        if self._temporary_output is None:
            self._temporary_output = tempfile.TemporaryDirectory(prefix="streamwright-preview-")
        return Path(self._temporary_output.name)

    async def start(self) -> None:
        self._stopping = False
        await self._ensure_running()

    async def push(self, project: Project) -> None:
        """Make the runner serve ``project`` from now on (once more on a fresh runner if this one just died)."""
        import asyncio  # here, not at the top: see _lock

        import httpx  # here, not at the top: see _start

        document = to_document(project)
        for attempt in (1, 2):
            await self._ensure_running()
            child = self._current()
            try:
                await child.client.push_project(document)
                return
            except httpx.TransportError as error:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(asyncio.shield(child.process.wait()), 1.0)
                if attempt == 2 or child.process.returncode is None:
                    raise StreamError(f"the runner did not take the project: {error}") from error

    async def run(
        self,
        project: Project,
        endpoint: str,
        inputs: Mapping[str, Any] | None = None,
        *,
        handle_stream: bool = True,
        state: StreamState | None = None,
        trace: bool = False,
    ) -> StreamCall:
        """Push ``project``, then start calling its endpoint named ``endpoint``."""
        await self.push(project)
        child = self._current()
        call = child.client.start(project.endpoint(endpoint), inputs, handle_stream=handle_stream, state=state, trace=trace)
        child.calls = {c for c in child.calls if not c.done}
        child.calls.add(call)
        return call

    async def call(self, project: Project, endpoint: str, inputs: Mapping[str, Any] | None = None) -> Any:
        """Handle stream off: push, call, and return the one final result (or raise its error)."""
        return await (await self.run(project, endpoint, inputs, handle_stream=False)).result()

    async def download(self, url: str, destination: str | Path) -> Path:
        """Save a file a run made (a ``downloadUrl`` it streamed) to ``destination``."""
        await self._ensure_running()
        return await self._current().client.download(url, destination)

    async def stop(self) -> None:
        """Cancel open calls, then end the child: SIGTERM, and SIGKILL if it is still there after the timeout."""
        import asyncio  # here, not at the top: see _lock

        self._stopping = True
        async with self._lock:
            child, self._child = self._child, None
            if child is not None:
                await child.client.aclose()
                await self._end(child.process)
                for task in child.tasks:
                    task.cancel()
                await asyncio.gather(*child.tasks, return_exceptions=True)
            if self._temporary_output is not None:
                self._temporary_output.cleanup()
                self._temporary_output = None

    # -- lifecycle -------------------------------------------------------------
    async def _ensure_running(self) -> None:
        async with self._lock:
            if self._stopping:
                raise RuntimeError("the runner is stopped")
            if self._child is None or self._child.process.returncode is not None:
                self._child = await self._launch()

    async def _launch(self) -> _Child:
        import asyncio  # here, not at the top: see _lock

        process = await asyncio.create_subprocess_exec(
            *_serve_command(self.python), str(self.project_path),
            "--host", "127.0.0.1", "--port", "0", "--output", str(self.output_folder), "--exit-with-stdin",
            stdin=asyncio.subprocess.PIPE,  # never written: if this process dies, the child sees EOF and stops
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
            env={**os.environ, TOKEN_ENV: self.token},
        )  # fmt: skip
        assert process.stdout is not None and process.stderr is not None
        stderr_tail: deque[str] = deque(maxlen=40)
        drain_stderr = asyncio.create_task(_drain(process.stderr, stderr_tail))
        try:
            url = await asyncio.wait_for(_announced_url(process.stdout), self.startup_timeout_s)
            if url is None:
                await process.wait()
                await asyncio.wait({drain_stderr}, timeout=1.0)
                raise RunnerStartError(f"the runner exited during startup (exit code {process.returncode}): " + _tail(stderr_tail))
            # httpx takes ~0.1 s to import: importing it with the first run keeps it off the editor's start-up
            from app.client.endpoint_client import EndpointClient

            client = EndpointClient(url, token=self.token, reconnect=self.reconnect)
            child = _Child(process, url, client, stderr_tail, asyncio.get_running_loop().time())
            child.tasks += [drain_stderr, asyncio.create_task(_drain(process.stdout, deque(maxlen=40)))]
            await self._until_answering(child)
        except BaseException as error:
            await self._end(process)
            drain_stderr.cancel()
            if isinstance(error, TimeoutError):
                raise RunnerStartError(f"the runner did not start within {self.startup_timeout_s:g} s: " + _tail(stderr_tail)) from None
            raise
        child.tasks.append(asyncio.create_task(self._watch(child), name=f"runner watch {process.pid}"))
        return child

    async def _until_answering(self, child: _Child) -> None:
        """``GET /`` answers 200: the routes are up and our token is accepted."""
        import asyncio  # here, not at the top: see _lock

        import httpx

        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.startup_timeout_s
        while True:
            try:
                response = await child.client.http.get("/")
                if response.status_code == 200:
                    return
                raise RunnerStartError(f"the runner answered GET / with HTTP {response.status_code}: {response.text}")
            except httpx.TransportError:
                if child.process.returncode is not None or loop.time() > deadline:
                    raise RunnerStartError(f"the runner does not answer at {child.url}: " + _tail(child.stderr_tail)) from None
                await asyncio.sleep(0.05)  # polling another process; there is nothing to await instead

    async def _watch(self, child: _Child) -> None:
        """When the child dies on its own: stop its calls, start a new child, then tell the calls why they ended."""
        import asyncio  # here, not at the top: see _lock

        code = await child.process.wait()
        if self._stopping:
            return
        cut = [call for call in child.calls if not call.done]
        await asyncio.gather(*(call.halt() for call in cut))
        quick = asyncio.get_running_loop().time() - child.started_at < QUICK_CRASH_S
        self._quick_crashes = self._quick_crashes + 1 if quick else 1
        if self._quick_crashes >= MAX_QUICK_CRASHES:
            note = f"it crashed {self._quick_crashes} times in a row, so it is started again only for the next run"
        else:
            note = "it has been restarted"
            try:
                await self._ensure_running()
                self.restarts += 1
            except Exception as error:  # noqa: BLE001 - the cut runs still need their error; the next run retries
                note = f"restarting it failed: {error}"
        crash = RunnerCrashedError(f"the runner stopped unexpectedly (exit code {code}); {note}")
        for call in cut:
            call.abort(crash)
        await child.client.aclose()

    async def _end(self, process: asyncio.subprocess.Process) -> None:
        import asyncio  # here, not at the top: see _lock

        if process.returncode is not None:
            return
        with contextlib.suppress(ProcessLookupError):
            process.terminate()
        try:
            await asyncio.wait_for(process.wait(), self.stop_timeout_s)
        except TimeoutError:
            with contextlib.suppress(ProcessLookupError):
                process.kill()
            await process.wait()


def _serve_command(python: str) -> list[str]:
    return app_command(python, "serve")


def app_command(python: str, command: str) -> list[str]:
    """``streamwright <command>`` from this install: a frozen build's executable is the app itself and takes no ``-m``."""
    if getattr(sys, "frozen", False):
        return [python, command]
    return [python, "-m", "app", command]


async def _announced_url(stdout: asyncio.StreamReader) -> str | None:
    """The URL from the ``Serving <project> on <url>`` line; None if the output ended first."""
    while line := await stdout.readline():
        found = _SERVING.match(line.decode(errors="replace"))
        if found:
            return found.group(1)
    return None


async def _drain(stream: asyncio.StreamReader, tail: deque[str]) -> None:
    """Keep reading a pipe so the child never blocks on a full one; remember its last lines."""
    while line := await stream.readline():
        tail.append(line.decode(errors="replace").rstrip())


def _tail(lines: deque[str]) -> str:
    return "\n".join(lines) if lines else "(no output)"
