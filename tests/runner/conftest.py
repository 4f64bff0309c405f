"""A real uvicorn serving a project on 127.0.0.1, port 0, inside the test's event loop."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn

from app.core.project import Project
from app.runner.server import ServeSettings, ServerState, create_app

TOKEN = "test-token-123456"


@dataclass
class Served:
    url: str
    state: ServerState
    settings: ServeSettings
    client: httpx.AsyncClient

    @property
    def auth(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.settings.token}"} if self.settings.token else {}


@pytest.fixture
async def serve(tmp_path: Path) -> AsyncIterator[Callable[..., Any]]:
    servers: list[tuple[uvicorn.Server, asyncio.Task[None], httpx.AsyncClient]] = []

    async def start(project: Project, **overrides: Any) -> Served:
        project_dir = overrides.pop("project_dir", tmp_path / "project")
        project_dir.mkdir(exist_ok=True)
        settings = ServeSettings(project_dir=project_dir, output_root=tmp_path / "output", token=overrides.pop("token", TOKEN), **overrides)
        app = create_app(project, settings)
        server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning", lifespan="on"))
        task = asyncio.create_task(server.serve())
        while not server.started:
            if task.done():
                task.result()
            await asyncio.sleep(0.005)
        port = server.servers[0].sockets[0].getsockname()[1]
        client = httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=30)
        servers.append((server, task, client))
        return Served(f"http://127.0.0.1:{port}", app.state.streamwright, settings, client)

    yield start
    for server, task, client in servers:
        await client.aclose()
        server.should_exit = True
        await asyncio.wait_for(task, 10)


@dataclass
class SseEvent:
    event: str
    id: str | None
    data: Any
    comment: bool = False


async def read_sse(response: httpx.Response, limit: int | None = None) -> AsyncIterator[SseEvent]:
    """Parse SSE by hand, so the tests check the exact framing on the wire."""
    fields: dict[str, str] = {}
    count = 0
    async for line in response.aiter_lines():
        if line.startswith(":"):
            yield SseEvent("comment", None, line[1:].strip(), comment=True)
            continue
        if line == "":
            if fields:
                yield SseEvent(fields.get("event", "message"), fields.get("id"), json.loads(fields["data"]) if "data" in fields else None)
                fields = {}
                count += 1
                if limit is not None and count >= limit:
                    return
            continue
        name, _, value = line.partition(":")
        fields[name] = value[1:] if value.startswith(" ") else value
