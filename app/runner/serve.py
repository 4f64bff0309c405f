"""``streamwright serve``: the project on uvicorn, loopback only unless told otherwise.

Prints one line ``Serving <project> on <url>`` once the socket is bound (the
editor's runner process reads the port from it), then the token if it made
one. Ctrl+C or SIGTERM ends open streams and exits within about a second; with
``--exit-with-stdin`` (how the editor starts it) so does the end of stdin.

``--workers N`` binds the socket here and runs N processes of
``app.runner.asgi:create_app`` on it (uvicorn's supervisor, which also
restarts a worker that dies), with the settings and the one token of this
start in their environment. Several workers need ``--store redis://...``:
each worker's memory holds only its own runs, so a client resuming or
stopping a run on another worker would not find it; ``serve`` refuses.
"""

from __future__ import annotations

import asyncio
import gc
import os
import socket
import sys
import threading
from collections.abc import Callable
from pathlib import Path

import uvicorn
from uvicorn.supervisors import Multiprocess

from app.core.project_file import load_project
from app.core.upstream_client import preload
from app.runner.asgi import settings_to_env
from app.runner.server import ServeSettings, create_app
from app.runner.store import is_shared_store, store_url_problem

GRACEFUL_SHUTDOWN_S = 1
EXIT_FAILED = 1
EXIT_USAGE = 2
FACTORY = "app.runner.asgi:create_app"
WORKER_HEALTHCHECK_S = 30
"""A worker busy with many streams on a loaded machine may answer the supervisor's ping late: it gets this long,
rather than uvicorn's 5 s, before it is killed (with every stream it serves) and restarted."""
WORKER_START_S = 120.0
"""Longest wait for a worker to start before announcing anyway (a loaded machine imports slowly)."""


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


async def _serve(server: uvicorn.Server, settings: ServeSettings, name: str, announce_token: bool, exit_with_stdin: bool) -> None:
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
        _print_started(name, _url(server, settings.bound_host), settings, announce_token)
        await task  # the application ends its open streams when the server starts to stop (app.runner.shutdown)
        return
    await task


def _store_problem(settings: ServeSettings, workers: int) -> tuple[int, str] | None:
    """Why this start cannot go ahead with its store and worker count: ``(exit code, message)``, or None."""
    problem = store_url_problem(settings.store_url)
    if problem is not None:
        return EXIT_USAGE, problem
    shared = is_shared_store(settings.store_url)
    if workers > 1 and not shared:
        return EXIT_USAGE, (
            f"--workers {workers} needs a shared run store (--store redis://HOST:PORT/DB): with the memory store each worker "
            "keeps its runs to itself, so a client that resumes or stops a run on another worker would not find it"
        )
    if shared:
        import redis
        from redis.exceptions import RedisError

        from app.runner.store.redis_store import CONNECT_TIMEOUT_S, safe_url

        try:
            with redis.Redis.from_url(settings.store_url, socket_connect_timeout=CONNECT_TIMEOUT_S, socket_timeout=CONNECT_TIMEOUT_S) as client:
                client.ping()
        except (RedisError, OSError) as error:
            return EXIT_FAILED, f"cannot reach the run store at {safe_url(settings.store_url)}: {error}"
    return None


def _print_started(name: str, url: str, settings: ServeSettings, announce_token: bool) -> None:
    print(f"Serving {name} on {url}", flush=True)
    if announce_token:
        print(f"Token: {settings.token}  (send it as 'Authorization: Bearer <token>' or ?access_token=<token>)", flush=True)


def _serve_workers(project_path: Path, name: str, settings: ServeSettings, port: int, workers: int, announce: bool, exit_with_stdin: bool) -> int:
    """N worker processes on one socket bound here; this process only supervises them."""
    os.environ.update(settings_to_env(project_path, settings))  # the workers' environment: the same settings and token
    config = uvicorn.Config(
        FACTORY,
        factory=True,
        host=settings.bound_host,
        port=port,
        workers=workers,
        log_level="warning",
        timeout_graceful_shutdown=GRACEFUL_SHUTDOWN_S,
        lifespan="on",
    )
    if hasattr(config, "timeout_worker_healthcheck"):  # newer uvicorn: see WORKER_HEALTHCHECK_S
        config.timeout_worker_healthcheck = WORKER_HEALTHCHECK_S
    try:
        sock = config.bind_socket()
    except SystemExit:
        print(f"streamwright: could not listen on {settings.bound_host}:{port}", file=sys.stderr)
        return EXIT_FAILED
    sock.listen(config.backlog)  # connections wait in the backlog until a worker has started, rather than being refused
    shown = f"[{settings.bound_host}]" if ":" in settings.bound_host else settings.bound_host
    url = f"http://{shown}:{sock.getsockname()[1]}"
    supervisor = _Workers(config, [sock], lambda: _print_started(name, url, settings, announce))
    if exit_with_stdin:
        threading.Thread(target=_set_when_stdin_closes, args=(supervisor.should_exit,), daemon=True).start()
    supervisor.run()
    return 0


class _Workers(Multiprocess):
    """uvicorn's supervisor, announcing the start once every worker has started (as one process announces it once it has)."""

    def __init__(self, config: uvicorn.Config, sockets: list[socket.socket], announce: Callable[[], None]) -> None:
        super().__init__(config, sockets)
        self._announce = announce

    def init_processes(self) -> None:
        super().init_processes()
        for process in self.processes:
            wait = getattr(process, "wait_until_ready", None)  # newer uvicorn only; older ones announce at once
            if wait is not None:
                wait(WORKER_START_S, self.should_exit)
        self._announce()


def _set_when_stdin_closes(flag: threading.Event) -> None:
    while sys.stdin.buffer.read(4096):  # a daemon thread: blocking here holds up nothing
        pass
    flag.set()


def serve(project_path: Path, settings: ServeSettings, *, port: int, public: bool, token_given: bool, workers: int = 1, exit_with_stdin: bool = False) -> int:
    """Serve ``project_path`` with ``settings`` (whose token, unless ``public``, was made here when not ``token_given``)."""
    project = load_project(project_path)
    announce = not token_given and not public
    refusal = _store_problem(settings, workers)
    if refusal is not None:
        code, message = refusal
        print(f"streamwright: {message}", file=sys.stderr)
        return code
    if workers > 1:
        return _serve_workers(project_path, project.name, settings, port, workers, announce, exit_with_stdin)
    host = settings.bound_host
    preload(project)
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
        runner.run(_serve(server, settings, project.name, announce, exit_with_stdin))
    if not server.started:
        print(f"streamwright: could not listen on {host}:{port}", file=sys.stderr)
        return 1
    return 0
