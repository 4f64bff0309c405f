"""Real peers for the client: uvicorn serving a project on 127.0.0.1, and a TCP proxy that can cut connections.

The server's socket is bound before uvicorn starts, so a client can connect at
once (the kernel queues it) and no test waits for startup by sleeping.
Waiting for a state is a condition wait on ``StreamState.on_change``.
"""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import uvicorn

from app.client import EndpointClient, ReconnectPolicy, StreamState
from app.core.project import Project
from app.core.project_file import load_project
from app.runner.server import ServerState, ServeSettings, create_app
from tests.conftest import EXAMPLE

TOKEN = "client-test-token"
FAST_RECONNECT = ReconnectPolicy(max_attempts=5, first_delay_s=0.01, max_delay_s=0.05, linger_s=15.0)


@dataclass
class Served:
    url: str
    state: ServerState
    settings: ServeSettings


@pytest.fixture
def example() -> Project:
    return load_project(EXAMPLE)


@pytest.fixture
async def serve(tmp_path: Path) -> AsyncIterator[Callable[..., Any]]:
    """``await serve(project, **ServeSettings overrides)`` -> Served, on a real uvicorn."""
    running: list[tuple[uvicorn.Server, asyncio.Task[None]]] = []

    async def start(project: Project, **overrides: Any) -> Served:
        project_dir = overrides.pop("project_dir", tmp_path / "project")
        project_dir.mkdir(exist_ok=True)
        settings = ServeSettings(project_dir=project_dir, output_root=tmp_path / "output", token=TOKEN, **overrides)
        app = create_app(project, settings)
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("127.0.0.1", 0))
        sock.listen(128)  # connections queue in the kernel until uvicorn accepts them
        config = uvicorn.Config(app, log_level="warning", lifespan="on", timeout_graceful_shutdown=1)
        server = uvicorn.Server(config)
        running.append((server, asyncio.create_task(server.serve(sockets=[sock]))))
        return Served(f"http://127.0.0.1:{sock.getsockname()[1]}", app.state.streamwright, settings)

    yield start
    for server, task in running:
        server.should_exit = True
        await asyncio.wait_for(task, 10)


@pytest.fixture
async def connect() -> AsyncIterator[Callable[..., EndpointClient]]:
    """``connect(url, **options)`` -> an EndpointClient closed after the test."""
    clients: list[EndpointClient] = []

    def make(url: str, **options: Any) -> EndpointClient:
        options.setdefault("token", TOKEN)
        options.setdefault("reconnect", FAST_RECONNECT)
        client = EndpointClient(url, **options)
        clients.append(client)
        return client

    yield make
    for client in clients:
        await client.aclose()


async def until(state: StreamState, predicate: Callable[[StreamState], bool], timeout: float = 20.0) -> None:
    """Wait until ``predicate(state)`` holds, re-checked on every change of the state."""
    if predicate(state):
        return
    reached = asyncio.Event()

    def check(changed: StreamState) -> None:
        if predicate(changed):
            reached.set()

    state.on_change.append(check)
    try:
        await asyncio.wait_for(reached.wait(), timeout)
    finally:
        state.on_change.remove(check)


async def eventually(predicate: Callable[[], bool], timeout: float = 20.0) -> None:
    """For conditions nothing announces (another process, the file system): re-check every 10 ms, bounded."""
    for _ in range(int(timeout / 0.01)):
        if predicate():
            return
        await asyncio.sleep(0.01)
    raise AssertionError("condition not reached in time")


class TcpProxy:
    """Forwards 127.0.0.1:<port> to a server; ``sever()`` cuts every open connection (both sides) at once.

    While ``gate`` is clear, new connections are accepted but held before they reach the server.
    """

    def __init__(self, target_port: int) -> None:
        self.target_port = target_port
        self.connections = 0
        self.gate = asyncio.Event()
        self.gate.set()
        self._open: set[asyncio.StreamWriter] = set()
        self._server: asyncio.Server | None = None

    async def start(self) -> str:
        self._server = await asyncio.start_server(self._handle, "127.0.0.1", 0)
        return f"http://127.0.0.1:{self._server.sockets[0].getsockname()[1]}"

    async def _handle(self, client_reader: asyncio.StreamReader, client_writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        await self.gate.wait()
        server_reader, server_writer = await asyncio.open_connection("127.0.0.1", self.target_port)
        self._open |= {client_writer, server_writer}
        await asyncio.gather(_pipe(client_reader, server_writer), _pipe(server_reader, client_writer), return_exceptions=True)
        for writer in (client_writer, server_writer):
            self._open.discard(writer)
            writer.close()

    def sever(self) -> None:
        for writer in list(self._open):
            writer.transport.abort()
        self._open.clear()

    async def close(self) -> None:
        """Stop listening and cut everything: the server is unreachable through the proxy from now on."""
        if self._server is not None:
            self._server.close()
            self.sever()
            await self._server.wait_closed()
            self._server = None


async def _pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    while data := await reader.read(65536):
        writer.write(data)
        await writer.drain()
    writer.close()


@pytest.fixture
async def proxy() -> AsyncIterator[Callable[..., Any]]:
    proxies: list[TcpProxy] = []

    async def make(url: str) -> tuple[TcpProxy, str]:
        made = TcpProxy(int(url.rsplit(":", 1)[1]))
        proxies.append(made)
        return made, await made.start()

    yield make
    for made in proxies:
        await made.close()
