"""The baseline for bench_serve.py: plain sse-starlette streaming N progress dicts, nothing else.

Run as its own process (``python tests/perf/raw_sse_server.py``); it prints
``Serving raw on http://127.0.0.1:PORT`` once listening. ``GET /stream?n=N``
sends the same messages a Streamwright Loop x Send streaming response would;
``&label=1`` adds ``"label": "Step <done>"`` (bench_cpu_per_message.py's Event Data).
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator

import uvicorn
from sse_starlette.sse import EventSourceResponse, ServerSentEvent
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.routing import Route


async def stream(request: Request) -> EventSourceResponse:
    count = int(request.query_params.get("n", "1000"))
    label = request.query_params.get("label") == "1"

    async def events() -> AsyncIterator[ServerSentEvent]:
        for index in range(count):
            data: dict[str, object] = {"status": "progress", "done": index + 1, "total": count}
            if label:
                data["label"] = f"Step {index + 1}"
            yield ServerSentEvent(json.dumps(data, separators=(",", ":")), id=str(index + 1), sep="\n")

    return EventSourceResponse(events(), ping=24 * 3600)


async def main() -> None:
    server = uvicorn.Server(uvicorn.Config(Starlette(routes=[Route("/stream", stream)]), host="127.0.0.1", port=0, log_level="warning"))
    task = asyncio.create_task(server.serve())
    while not server.started:
        await asyncio.sleep(0.01)
    print(f"Serving raw on http://127.0.0.1:{server.servers[0].sockets[0].getsockname()[1]}", flush=True)
    await task


if __name__ == "__main__":
    asyncio.run(main())
