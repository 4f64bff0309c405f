"""Several workers on a shared Redis run store: concurrent streams, and resuming on another worker.

Run: ``.venv/bin/python tests/perf/bench_workers.py`` (``--quick`` for a small smoke run). Starts its
own redis-server on a free loopback port (no persistence) and real ``streamwright serve`` processes.
Prints figures and ratios against a baseline measured in the same run; never fails on time.

1. concurrent: ``--streams`` streams at once (default 500), each a Loop x Send of ``--messages``
   messages, against ``serve --workers 1`` and ``serve --workers 2``, both ``--store redis://``
   (and one process with the memory store, for reference). The clients (``--clients`` processes,
   default 2) count ``data:`` lines on the raw bytes (no SSE parsing) so they cost as little CPU as
   possible; every stream must bring all its messages. Figures: wall time (the warm-up excluded;
   the slower client's), aggregate messages/s, CPU seconds of server, clients and redis-server, 2 workers / 1.
2. resume: a run started on server A (its connection dropped after 10 messages), resumed with only
   ``Last-Event-ID`` on server B (another process on the same Redis): time from sending the resume
   request to the first replayed message. Baseline: the same resume on A itself (the run in memory).
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import statistics
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from _serve_procs import cpu_s, percentile, server_process, write_project  # noqa: E402

from tests.support.redis_server import RedisServer  # noqa: E402


def tree_cpu_s(pid: int) -> float:
    """CPU seconds used so far by ``pid`` and its children (a ``--workers`` server's workers)."""
    children = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            children.append(int(stat.parent.name))
    return cpu_s(pid) + sum(cpu_s(child) for child in children)


def serve_args(project: Path, output: Path, *extra: str) -> list[str]:
    return ["-m", "app", "serve", str(project), "--port", "0", "--public", "--output", str(output), *extra]


ERRORS: list[str] = []


async def one_stream(client: httpx.AsyncClient, url: str, messages: int) -> int:
    """The messages one stream brought (a transport error is noted in ``ERRORS`` and counts what came before it)."""
    count = 0
    tail = b""
    try:
        async with client.stream("POST", f"{url}/bench", params={"n": messages}) as response:
            async for chunk in response.aiter_raw():
                data = tail + chunk
                count += data.count(b"\ndata:") + data.startswith(b"data:")
                tail = data[-6:]
                count -= tail.count(b"\ndata:")  # counted again with the next chunk
    except httpx.TransportError as error:
        ERRORS.append(f"{type(error).__name__} after {count} messages")
    return count + tail.count(b"\ndata:")


async def concurrent(url: str, streams: int, messages: int) -> tuple[float, list[int]]:
    limits = httpx.Limits(max_connections=streams + 10, max_keepalive_connections=streams + 10)
    async with httpx.AsyncClient(limits=limits, timeout=httpx.Timeout(120.0)) as client:
        for _ in range(2):  # warm-up of every worker (the kernel spreads connections): imports, formula compilation
            await asyncio.gather(*(one_stream(client, url, 5) for _ in range(min(streams, 50))))
    async with httpx.AsyncClient(limits=limits, timeout=httpx.Timeout(120.0)) as client:  # fresh connections for the measure
        started = time.perf_counter()
        counts = await asyncio.gather(*(one_stream(client, url, messages) for _ in range(streams)))
        return time.perf_counter() - started, list(counts)


def client_process(url: str, streams: int, messages: int) -> tuple[float, list[int], float, list[str]]:
    """One client process's share: ``(wall, counts, its CPU seconds, errors)``."""
    started = time.process_time()
    wall, counts = asyncio.run(concurrent(url, streams, messages))
    return wall, counts, time.process_time() - started, list(ERRORS)


def concurrent_in_processes(url: str, streams: int, messages: int, clients: int) -> tuple[float, list[int], float, list[str]]:
    """The streams split over ``clients`` processes started together, so the client side is not one busy core."""
    with ProcessPoolExecutor(clients, mp_context=multiprocessing.get_context("spawn")) as pool:
        shares = [streams // clients + (index < streams % clients) for index in range(clients)]
        results = list(pool.map(client_process, [url] * clients, shares, [messages] * clients))
    return max(r[0] for r in results), [c for r in results for c in r[1]], sum(r[2] for r in results), [e for r in results for e in r[3]]


async def first_replayed_after(client: httpx.AsyncClient, url: str, last_event_id: str) -> float:
    started = time.perf_counter()
    seen = []
    async with client.stream("POST", f"{url}/timed", headers={"Last-Event-ID": last_event_id}) as response:
        async for line in response.aiter_lines():
            if line.startswith("data:") and not any(earlier.startswith("event:") for earlier in seen):
                return time.perf_counter() - started
            seen.append(line)
    raise RuntimeError(f"the resumed stream brought no message: HTTP {response.status_code}, {seen[:5]}")


async def started_and_dropped(client: httpx.AsyncClient, url: str) -> str:
    """Start a long run on ``url``, read 10 messages, drop the connection: the last event id."""
    last = ""
    seen = 0
    async with client.stream("POST", f"{url}/timed", params={"n": 2000, "waitMs": 5}) as response:
        async for line in response.aiter_lines():
            if line.startswith("id:"):
                last = line.removeprefix("id:").strip()
                seen += 1
                if seen == 10:
                    break
    return last


async def resume_latency(owner: str, other: str, rounds: int) -> tuple[list[float], list[float]]:
    same: list[float] = []
    elsewhere: list[float] = []
    async with httpx.AsyncClient(timeout=httpx.Timeout(60.0)) as client:
        for _ in range(rounds):
            same.append(await first_replayed_after(client, owner, await started_and_dropped(client, owner)))
            elsewhere.append(await first_replayed_after(client, other, await started_and_dropped(client, owner)))
    return same, elsewhere


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--streams", type=int, default=500)
    parser.add_argument("--messages", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--clients", type=int, default=2, help="client processes sharing the streams (default: %(default)s)")
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    if args.quick:
        args.streams, args.messages, args.rounds = 50, 50, 5
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        project = write_project(root)
        redis = RedisServer(root)
        redis.start()
        try:
            print(f"concurrent: {args.streams} streams x {args.messages} messages, {args.clients} client processes counting data: lines")
            results: dict[str, float] = {}
            configs = {
                "memory, 1 process": ["--store", "memory"],
                "redis, --workers 1": ["--store", redis.url, "--workers", "1"],
                "redis, --workers 2": ["--store", redis.url, "--workers", "2"],
            }
            for name, extra in configs.items():
                with server_process(serve_args(project, root / "out", *extra)) as server:
                    cpu_before = cpu_s(redis.process.pid) if redis.process else 0.0
                    server_before = tree_cpu_s(server.pid)
                    wall, counts, client_cpu, errors = concurrent_in_processes(server.url, args.streams, args.messages, args.clients)
                    redis_cpu = (cpu_s(redis.process.pid) if redis.process else 0.0) - cpu_before
                    server_cpu = tree_cpu_s(server.pid) - server_before
                if errors:
                    print(f"  {name}: {len(errors)} transport errors, e.g. {errors[:3]}")
                total = sum(counts)
                complete = sum(count == args.messages for count in counts)
                rate = total / wall
                results[name] = rate
                print(
                    f"  {name:<22} {wall:7.2f} s  {rate:10,.0f} msg/s  streams complete {complete}/{args.streams}  "
                    f"CPU s: server {server_cpu:.1f}, client {client_cpu:.1f}, redis-server {redis_cpu:.2f}"
                )
            print(f"  ratio 2 workers / 1 worker: {results['redis, --workers 2'] / results['redis, --workers 1']:.2f}x")
            print(f"  ratio redis 1 worker / memory: {results['redis, --workers 1'] / results['memory, 1 process']:.2f}x")

            print(f"resume: time from the resume request to the first replayed message, {args.rounds} rounds")
            with (
                server_process(serve_args(project, root / "out", "--store", redis.url)) as owner,
                server_process(serve_args(project, root / "out", "--store", redis.url)) as other,
            ):
                same, elsewhere = asyncio.run(resume_latency(owner.url, other.url, args.rounds))
            for name, values in (("on the owner (memory)", same), ("on another worker (Redis)", elsewhere)):
                ms = [1000 * value for value in values]
                print(f"  {name:<26} median {statistics.median(ms):6.2f} ms  p95 {percentile(ms, 95):6.2f} ms  max {max(ms):6.2f} ms")
            print(f"  ratio another worker / owner (medians): {statistics.median(elsewhere) / statistics.median(same):.2f}x")
        finally:
            redis.stop()


if __name__ == "__main__":
    main()
