"""A real local HTTP server for the HTTP request action's tests.

uvicorn serves a small Starlette app on ``127.0.0.1`` with port 0 in a
background thread; the fixture waits on a ``threading.Event`` set when
startup has finished, so no test sleeps to synchronise with it.
"""

from __future__ import annotations

import asyncio
import socket
import threading
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"]


@dataclass
class ServerState:
    hits: Counter[str] = field(default_factory=Counter)
    release: asyncio.Event | None = None


def build_app(state: ServerState) -> Starlette:
    async def echo(request: Request) -> Response:
        raw = await request.body()
        try:
            body = await request.json() if raw else None
        except ValueError:
            body = None
        return JSONResponse(
            {
                "method": request.method,
                "path": request.url.path,
                "query": dict(request.query_params),
                "headers": dict(request.headers),
                "json": body,
                "raw": raw.decode("utf-8", "replace"),
            }
        )

    async def flaky(request: Request) -> Response:
        """500 for the first ``fails`` calls with this key, then 200 with the attempt number."""
        key = request.path_params["key"]
        state.hits[key] += 1
        if state.hits[key] <= request.path_params["fails"]:
            return PlainTextResponse("temporarily broken", status_code=500)
        return JSONResponse({"attempt": state.hits[key]})

    async def status(request: Request) -> Response:
        state.hits[request.query_params.get("key", "")] += 1
        return PlainTextResponse(f"status page {request.path_params['code']}", status_code=request.path_params["code"])

    async def slow(request: Request) -> Response:
        """Answers only when the fixture tears down, i.e. never within a test."""
        assert state.release is not None
        await state.release.wait()
        return PlainTextResponse("too late")

    async def text(request: Request) -> Response:
        return PlainTextResponse("hello, plain text")

    async def broken_json(request: Request) -> Response:
        return Response("{not json", media_type="application/json")

    return Starlette(
        routes=[
            Route("/echo", echo, methods=METHODS),
            Route("/flaky/{key}/{fails:int}", flaky, methods=METHODS),
            Route("/status/{code:int}", status, methods=METHODS),
            Route("/slow", slow),
            Route("/text", text),
            Route("/broken-json", broken_json),
        ]
    )


class _ThreadedServer(uvicorn.Server):
    """A uvicorn server that signals (thread-safely) once startup is over, successful or not."""

    def __init__(self, config: uvicorn.Config, state: ServerState) -> None:
        super().__init__(config)
        self.state = state
        self.ready = threading.Event()
        self.loop: asyncio.AbstractEventLoop | None = None

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        self.loop = asyncio.get_running_loop()
        self.state.release = asyncio.Event()
        try:
            await super().startup(sockets=sockets)
        finally:
            self.ready.set()


@dataclass
class LocalServer:
    url: str
    state: ServerState

    def hits(self, key: str) -> int:
        return self.state.hits[key]


@pytest.fixture(scope="module")
def http_server() -> Iterator[LocalServer]:
    state = ServerState()
    config = uvicorn.Config(
        build_app(state), host="127.0.0.1", port=0, log_level="warning", lifespan="off", timeout_graceful_shutdown=2
    )
    server = _ThreadedServer(config, state)
    thread = threading.Thread(target=server.run, name="test-http-server", daemon=True)
    thread.start()
    assert server.ready.wait(timeout=30), "uvicorn did not start"
    assert server.started, "uvicorn failed to start"
    host, port = server.servers[0].sockets[0].getsockname()[:2]
    try:
        yield LocalServer(f"http://{host}:{port}", state)
    finally:
        assert server.loop is not None and state.release is not None
        server.loop.call_soon_threadsafe(state.release.set)
        server.should_exit = True
        thread.join(timeout=30)


@pytest.fixture
def closed_port() -> int:
    """A port on 127.0.0.1 that nothing listens on (bound, then released)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])
