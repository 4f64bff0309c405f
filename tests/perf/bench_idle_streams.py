"""Memory per open stream: many concurrent idle streams on one ``streamwright serve`` process.

Run: ``.venv/bin/python tests/perf/bench_idle_streams.py [--streams 10000] [--steps 1000,5000]``
(``--quick`` for 1,000). Prints figures; never fails on time or size.

Each stream is a real SSE request to an endpoint that sends one message and then waits
(a Wait of 10 minutes): a run in progress, its buffer and its follower, an open socket,
the way a page waiting on a slow job holds a stream. The client opens the connections
with plain asyncio sockets (HTTP/1.1 written by hand, so the client stays small) and
keeps each one until it has read the first message. Figures: the server's RSS before,
at each step and with all streams open, (RSS delta) / streams, and the server's CPU
while all of them sit idle (each follower writes a heartbeat every 5 s).

File descriptors: each stream takes one on each side. The benchmark raises its soft
``RLIMIT_NOFILE`` to the hard limit before starting the server, which inherits it;
with a hard limit under about streams + 100 it says so and exits. (A deployment
serving this many streams raises the limit for ``serve`` the same way: ``ulimit -n``
in the shell or ``LimitNOFILE=`` in a systemd unit.)
"""

from __future__ import annotations

import argparse
import asyncio
import json
import resource
import secrets
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
from tests.perf._serve_procs import Server, cpu_s, rss_mb, server_process  # noqa: E402

OPEN_AT_ONCE = 200
"""Connections being opened at the same time (the listen backlog is finite)."""
IDLE_S = 10.0
"""How long the server's CPU is watched with every stream open and idle."""


def project_document() -> dict[str, Any]:
    hold = {"id": "hold", "type": "flow.wait", "params": {"milliseconds": {"$formula": "inputs.ms"}}}
    send = {"id": "waiting", "type": "stream.send", "params": {"eventData": {"status": "waiting", "label": "Queued"}}}
    ms = {"name": "ms", "type": "integer", "required": False, "default": 600_000, "description": ""}
    return {
        "$schema": "https://streamwright.dev/schema/project-v1.json", "formatVersion": 1, "name": "bench-idle", "description": "",
        "endpoints": [{"name": "idle", "method": "POST", "path": "/idle", "description": "", "inputs": [ms], "workflow": [send, hold]}],
    }  # fmt: skip


class Stream:
    """One open SSE request, kept until closed."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader = reader
        self.writer = writer

    def close(self) -> None:
        self.writer.close()


async def open_stream(host: str, port: int, token: str) -> Stream:
    reader, writer = await asyncio.open_connection(host, port)
    request = (
        f"POST /idle HTTP/1.1\r\nHost: {host}:{port}\r\nAuthorization: Bearer {token}\r\n"
        "Accept: text/event-stream\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}"
    )
    writer.write(request.encode())
    head = await reader.readuntil(b"\r\n\r\n")
    if not head.startswith(b"HTTP/1.1 200"):
        raise RuntimeError(f"stream refused: {head[:80]!r}")
    first = await reader.readuntil(b"\n\n")  # inside the first chunk: the first message
    if b'"status":"waiting"' not in first:
        raise RuntimeError(f"unexpected first bytes: {first[:120]!r}")
    return Stream(reader, writer)


async def open_many(count: int, host: str, port: int, token: str, streams: list[Stream]) -> None:
    semaphore = asyncio.Semaphore(OPEN_AT_ONCE)

    async def one() -> None:
        async with semaphore:
            streams.append(await open_stream(host, port, token))

    await asyncio.gather(*(one() for _ in range(count)))


def raise_fd_limit(needed: int) -> int:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard != resource.RLIM_INFINITY and hard < needed:
        sys.exit(f"bench_idle_streams: needs about {needed} file descriptors, the hard limit is {hard} (ulimit -Hn)")
    target = needed if hard == resource.RLIM_INFINITY else hard
    if soft == resource.RLIM_INFINITY or soft < target:
        resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
    return target


async def measure(server: Server, token: str, total: int, steps: list[int]) -> None:
    host, port = server.url.removeprefix("http://").rsplit(":", 1)
    streams: list[Stream] = []
    # one stream first: imports, the compiled workflow and the first request's allocations are not per stream
    await open_many(1, host, int(port), token, streams)
    base = rss_mb(server.pid)
    print(f"  server RSS with 1 stream open: {base:.1f} MB")
    started = time.perf_counter()
    for step in [*steps, total]:
        await open_many(step - len(streams), host, int(port), token, streams)
        rss = rss_mb(server.pid)
        per_stream_kb = (rss - base) * 1024 / (len(streams) - 1)
        print(f"  {len(streams):>6,} streams open: RSS {rss:7.1f} MB, +{rss - base:6.1f} MB, {per_stream_kb:5.1f} KB per stream ({time.perf_counter() - started:.1f} s)")
    cpu_before, idle_started = cpu_s(server.pid), time.perf_counter()
    await asyncio.sleep(IDLE_S)  # the measurement itself: what idle streams cost over time
    idle_cpu = (cpu_s(server.pid) - cpu_before) / (time.perf_counter() - idle_started)
    print(f"  server CPU with {len(streams):,} idle streams (heartbeat every 5 s): {idle_cpu:.1%} of one core")
    for stream in streams:
        stream.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--streams", type=int, default=10_000)
    parser.add_argument("--steps", default="1000,5000", help="stream counts to report on the way (comma-separated)")
    parser.add_argument("--quick", action="store_true", help="1,000 streams")
    args = parser.parse_args()
    total = 1_000 if args.quick else args.streams
    steps = [n for n in (int(s) for s in args.steps.split(",") if s) if 1 < n < total]
    limit = raise_fd_limit(total + 200)
    token = secrets.token_urlsafe(16)
    with tempfile.TemporaryDirectory() as folder:
        project = Path(folder) / "bench.streamwright.json"
        project.write_text(json.dumps(project_document()), encoding="utf-8")
        serve = ["-m", "app", "serve", str(project), "--port", "0", "--output", str(Path(folder) / "out")]
        with server_process(serve, {"STREAMWRIGHT_TOKEN": token}) as server:
            print(f"{total:,} concurrent idle streams on one serve process (pid {server.pid}, RLIMIT_NOFILE {limit})")
            print(f"  server RSS idle, no stream: {rss_mb(server.pid):.1f} MB")
            asyncio.run(measure(server, token, total, steps))


if __name__ == "__main__":
    main()
