"""``streamwright serve``: the project on uvicorn, loopback only unless told otherwise.

Prints one line ``Serving <project> on <url>`` once the socket is bound (the
editor's runner process reads the port from it), then the token if it made
one. Ctrl+C or SIGTERM ends open streams and exits within about a second; with
``--exit-with-stdin`` (how the editor starts it) so does the end of stdin.
"""

from __future__ import annotations

import asyncio
import gc
import os
import sys
from collections.abc import Callable
from pathlib import Path

import uvicorn
from starlette.applications import Starlette

from app.core.project_file import load_project
from app.core.run_context import RunLimits
from app.runner.security import new_token
from app.runner.server import SHUTDOWN_REASON, ServeSettings, create_app

GRACEFUL_SHUTDOWN_S = 1


def _loop_factory() -> Callable[[], asyncio.AbstractEventLoop] | None:
    """uvloop's event loop where it is installed (not on Windows): serving spends much of its
    time in the event loop (socket reads, writes, wake-ups), which libuv does for less CPU."""
    try:
        import uvloop
    except ImportError:
        return None
    return uvloop.new_event_loop


def _url(server: uvicorn.Server, host: str) -> str:
    port = server.servers[0].sockets[0].getsockname()[1]
    shown = f"[{host}]" if ":" in host else host
    return f"http://{shown}:{port}"


def _exit_when_stdin_closes(server: uvicorn.Server) -> None:
    """Stop when the parent's end of our stdin closes: the editor died without stopping us.

    Uses the event loop's reader (POSIX), so no thread is left blocked in a read;
    where that is not available the runner relies on being stopped explicitly.
    """
    loop = asyncio.get_running_loop()
    descriptor = sys.stdin.fileno()

    def readable() -> None:
        try:
            data = os.read(descriptor, 4096)
        except OSError:
            data = b""
        if not data:
            loop.remove_reader(descriptor)
            server.should_exit = True

    try:
        loop.add_reader(descriptor, readable)
    except (NotImplementedError, ValueError, OSError):
        pass


async def _serve(server: uvicorn.Server, app: Starlette, settings: ServeSettings, name: str, announce_token: bool, exit_with_stdin: bool) -> None:
    if exit_with_stdin:
        _exit_when_stdin_closes(server)
    task = asyncio.create_task(server.serve())
    while not server.started and not task.done():
        await asyncio.sleep(0.02)
    if server.started:
        # What start-up made (modules, the project, compiled formulas) lives as long as the server:
        # out of the collector's sight, a full collection walks only what requests made, so it
        # no longer pauses every stream for tens of milliseconds (a relayed token's p99).
        gc.freeze()
        print(f"Serving {name} on {_url(server, settings.bound_host)}", flush=True)
        if announce_token:
            print(f"Token: {settings.token}  (send it as 'Authorization: Bearer <token>' or ?access_token=<token>)", flush=True)
        watcher = asyncio.create_task(_end_streams_on_exit(server, app))
        await task
        watcher.cancel()
        return
    await task


async def _end_streams_on_exit(server: uvicorn.Server, app: Starlette) -> None:
    """When the server is told to stop, end every open stream with an error saying so (SSE and NDJSON alike).

    Uvicorn itself notices ``should_exit`` by looking every 0.1 s; so does this.
    """
    while not server.should_exit:
        await asyncio.sleep(0.05)
    state = app.state.streamwright
    for channel in state.runs.active():
        channel.cancel(SHUTDOWN_REASON)


def serve(
    project_path: Path,
    *,
    host: str,
    port: int,
    token: str | None,
    public: bool,
    cors: list[str],
    output_root: Path,
    max_body_bytes: int,
    heartbeat_s: float,
    resume_keep_s: float,
    exit_with_stdin: bool = False,
    limits: RunLimits | None = None,
) -> int:
    project = load_project(project_path)
    announce = token is None and not public
    settings = ServeSettings(
        project_dir=project_path.resolve().parent,
        output_root=output_root.resolve(),
        token=None if public else (token or new_token()),
        bound_host=host,
        cors_origins=cors,
        max_body_bytes=max_body_bytes,
        heartbeat_s=heartbeat_s,
        resume_keep_s=resume_keep_s,
        limits=limits or RunLimits(),
    )
    app = create_app(project, settings)
    config = uvicorn.Config(
        app,
        host=host,
        port=port,
        log_level="warning",
        timeout_graceful_shutdown=GRACEFUL_SHUTDOWN_S,
        lifespan="on",
    )
    server = uvicorn.Server(config)
    with asyncio.Runner(loop_factory=_loop_factory()) as runner:
        runner.run(_serve(server, app, settings, project.name, announce, exit_with_stdin))
    if not server.started:
        print(f"streamwright: could not listen on {host}:{port}", file=sys.stderr)
        return 1
    return 0
