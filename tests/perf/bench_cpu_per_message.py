"""Server CPU per message: ``streamwright serve`` against a hand-written Node SSE server and plain Starlette + sse-starlette.

Run: ``.venv/bin/python tests/perf/bench_cpu_per_message.py [--messages 50000] [--rounds 3]``
(``--quick`` for a smoke run, ``--only serve`` to run serve alone, e.g. under a profiler:
``py-spy record --pid <printed pid>``). Prints figures and the ratio serve / Node; never fails on time.

The three servers run side by side in their own processes and send the same messages:

- ``serve``: a Loop x Send streaming response whose Event Data has three formula fields,
  ``{"status": "progress", "done": loop.count, "total": loop.total, "label": "Step " & loop.count}``;
- Node: ``node_sse_server.js``, Node's ``http`` module, one write per message;
- Starlette + sse-starlette: ``raw_sse_server.py`` (one ``ServerSentEvent`` per message).

One client reads all three over loopback the same way (httpx, raw bytes, counting the events
and checking the last one), rounds interleaved. What is measured is the *server* process's CPU
time (user + system, ``/proc/<pid>/stat``, so every thread counts) from just before the request
to just after the last byte, divided by the messages read. The client is kept cheap on purpose,
so the server is the one working: that is the strictest setting for a server that batches its writes.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import secrets
import shutil
import sys
import tempfile
import time
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
from tests.perf._serve_procs import Server, command_process, cpu_s, server_process  # noqa: E402

HERE = Path(__file__).resolve().parent
GOAL_RATIO = 3.0
"""Issue 14: serve within 3x of Node's CPU per message."""


def project_document() -> dict[str, Any]:
    event_data = {
        "status": "progress",
        "done": {"$formula": "loop.count"},
        "total": {"$formula": "loop.total"},
        "label": {"$formula": '"Step " & loop.count'},
    }
    n_input = {"name": "n", "type": "integer", "required": False, "default": 1000, "description": ""}
    send = {"id": "send_progress", "type": "stream.send", "params": {"eventData": event_data}}
    loop = {"id": "each", "type": "flow.loop", "params": {"mode": "repeat", "times": {"$formula": "inputs.n"}}, "slots": {"body": [send]}}
    return {
        "$schema": "https://streamwright.dev/schema/project-v1.json", "formatVersion": 1, "name": "bench-cpu", "description": "",
        "endpoints": [{"name": "cpu", "method": "POST", "path": "/cpu", "description": "", "inputs": [n_input], "workflow": [loop]}],
    }  # fmt: skip


@dataclass
class Target:
    """One server and how to ask it for ``n`` messages."""

    name: str
    server: Server
    method: str
    url: str
    headers: dict[str, str] = field(default_factory=dict)
    json_body: bool = False
    cpu: float = 0.0
    client_cpu: float = 0.0
    wall: float = 0.0
    messages: int = 0

    def request(self, n: int) -> dict[str, Any]:
        if self.json_body:
            return {"method": self.method, "url": self.url, "headers": self.headers, "json": {"n": n}}
        return {"method": self.method, "url": f"{self.url}?n={n}&label=1", "headers": self.headers}


async def read_stream(http: httpx.AsyncClient, target: Target, n: int) -> int:
    """Read one stream to its end: the number of events, after checking the last one is message ``n``."""
    events = 0
    previous = b""
    tail = b""
    async with http.stream(**target.request(n)) as response:
        response.raise_for_status()
        async for chunk in response.aiter_raw():
            events += chunk.count(b"\n\n") + (previous.endswith(b"\n") and chunk.startswith(b"\n"))
            previous = chunk
            tail = (tail + chunk)[-512:]
    last = json.loads(tail.rstrip(b"\n").rsplit(b"\ndata: ", 1)[1])
    expected = {"status": "progress", "done": n, "total": n, "label": f"Step {n}"}
    if last != expected:
        raise AssertionError(f"{target.name}: last message {last}, expected {expected}")
    return events


async def measure(http: httpx.AsyncClient, target: Target, n: int) -> None:
    cpu_before, client_before, started = cpu_s(target.server.pid), time.process_time(), time.perf_counter()
    events = await read_stream(http, target, n)
    target.wall += time.perf_counter() - started
    target.client_cpu += time.process_time() - client_before
    target.cpu += cpu_s(target.server.pid) - cpu_before
    if events != n:
        raise AssertionError(f"{target.name}: {events} events, expected {n}")
    target.messages += n


def report(targets: list[Target]) -> None:
    print(f"  {'server':<28} {'server CPU':>12} {'client CPU':>12} {'messages/s':>11}")
    for t in targets:
        print(f"  {t.name:<28} {t.cpu / t.messages * 1e6:>9.2f} µs {t.client_cpu / t.messages * 1e6:>9.2f} µs {t.messages / t.wall:>11,.0f}")
    by_name = {t.name: t.cpu / t.messages for t in targets}
    serve = by_name.get("streamwright serve")
    node = by_name.get("node http")
    starlette = by_name.get("starlette + sse-starlette")
    if serve is not None and node is not None:
        ratio = serve / node
        print(f"  serve / node: {ratio:.2f}x  (goal <= {GOAL_RATIO:g}x: {'met' if ratio <= GOAL_RATIO else 'NOT met'})")
    if serve is not None and starlette is not None:
        print(f"  serve / starlette + sse-starlette: {serve / starlette:.2f}x")


async def run(targets: list[Target], messages: int, rounds: int) -> None:
    async with httpx.AsyncClient(timeout=httpx.Timeout(30.0, read=120.0), trust_env=False) as http:
        for target in targets:  # warm-up: imports, compiled formulas, connections
            await read_stream(http, target, 2000)
        for round_ in range(rounds):
            for target in targets if round_ % 2 == 0 else reversed(targets):
                await measure(http, target, messages)


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--messages", type=int, default=50_000, help="messages per stream (default 50,000)")
    parser.add_argument("--rounds", type=int, default=3, help="streams read from each server, interleaved (default 3)")
    parser.add_argument("--quick", action="store_true", help="5,000 messages, one round")
    parser.add_argument("--only", action="append", choices=["serve", "node", "starlette"], help="run only this server (repeatable)")
    args = parser.parse_args()
    messages, rounds = (5_000, 1) if args.quick else (args.messages, args.rounds)
    only = set(args.only or ["serve", "node", "starlette"])
    node = shutil.which("node")
    if "node" in only and node is None:
        sys.exit("bench_cpu_per_message: node is not installed (make test-deps installs it)")
    token = secrets.token_urlsafe(16)
    with tempfile.TemporaryDirectory() as folder:
        project = Path(folder) / "bench.streamwright.json"
        project.write_text(json.dumps(project_document()), encoding="utf-8")
        serve = ["-m", "app", "serve", str(project), "--port", "0", "--output", str(Path(folder) / "out")]
        with ExitStack() as stack:
            targets: list[Target] = []
            if "serve" in only:
                sw = stack.enter_context(server_process(serve, {"STREAMWRIGHT_TOKEN": token}))
                targets.append(Target("streamwright serve", sw, "POST", f"{sw.url}/cpu", {"Authorization": f"Bearer {token}"}, json_body=True))
            if "node" in only:
                js = stack.enter_context(command_process([node or "node", str(HERE / "node_sse_server.js")]))
                targets.append(Target("node http", js, "GET", f"{js.url}/stream"))
            if "starlette" in only:
                raw = stack.enter_context(server_process([str(HERE / "raw_sse_server.py")]))
                targets.append(Target("starlette + sse-starlette", raw, "GET", f"{raw.url}/stream"))
            print(f"server CPU per message: {messages:,} messages per stream, {rounds} round(s); pids " + ", ".join(f"{t.name} {t.server.pid}" for t in targets))
            asyncio.run(run(targets, messages, rounds))
            report(targets)


if __name__ == "__main__":
    main()
