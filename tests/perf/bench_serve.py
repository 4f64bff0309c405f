"""Serving benchmarks: a real ``streamwright serve`` process, read by the client library over loopback.

Run: ``.venv/bin/python tests/perf/bench_serve.py`` (or ``make bench``); ``--quick`` for a small
smoke run; ``--only throughput|latency|load`` (repeatable) for some sections. Prints figures and a
summary table with the goals; never fails on time. Every server runs in its own process.

1. throughput: a Loop x Send streaming response endpoint read through ``EndpointClient``/``StreamState``,
   against plain sse-starlette (``raw_sse_server.py``) read with httpx-sse and ``json.loads``; same
   message count, median of several rounds. Also the Streamwright server read by the raw httpx-sse
   reader, which tells server-side from client-side cost. Goal: >= 0.8 of the raw rate.
2. latency: ~500 messages/s (a Wait of 2 ms after each send); from the engine sending a message
   (``sentMs: $millis()`` in its Event Data) to it landing in ``StreamState`` (``time.time()`` in an
   ``on_change`` callback). Wall clock on both sides, 1 ms resolution. Goal: p99 < 5 ms.
3. load: many concurrent streams on one server process: lost, duplicated and out-of-order messages,
   p99 latency (same method), and the server's RSS before, during (peak) and after.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import json
import secrets
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Coroutine
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from httpx_sse import aconnect_sse

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from _serve_procs import Server, cpu_s, percentile, rss_mb, server_process, write_project  # noqa: E402

from app.client import EndpointClient, StreamState  # noqa: E402


@dataclass(frozen=True)
class Sizes:
    messages: int = 20_000
    rounds: int = 5
    latency_messages: int = 2_500
    latency_wait_ms: int = 2
    streams: int = 200
    per_stream: int = 1_000
    load_wait_ms: int = 10


QUICK = Sizes(messages=2_000, rounds=2, latency_messages=300, streams=20, per_stream=100)
TIMEOUT_S = 180.0
Summary = list[tuple[str, str, str, bool]]  # (figure, value, goal, met)


@dataclass
class Tracker:
    """An ``on_change`` callback recording, per message, its latency and its (SSE id, ``done``)."""

    latencies: list[float] = field(default_factory=list)
    seen: list[tuple[int, int]] = field(default_factory=list)
    last_count: int = 0

    def __call__(self, state: StreamState) -> None:
        if state.count == self.last_count:
            return
        now_ms = time.time() * 1000
        self.last_count = state.count
        chunk = state.chunk
        self.latencies.append(now_ms - chunk["sentMs"])
        self.seen.append((int(state.last_seq or 0), chunk["done"]))


def check_order(seen: list[tuple[int, int]], expected: int) -> tuple[int, int, int]:
    """(lost, duplicated, out of order) of one stream, by SSE id and by ``done`` (worst of the two)."""
    results = []
    for values in ([s for s, _ in seen], [d for _, d in seen]):
        unique = set(values)
        lost = len(set(range(1, expected + 1)) - unique)
        out_of_order = sum(1 for a, b in zip(values, values[1:]) if b <= a)
        results.append((lost, len(values) - len(unique), out_of_order))
    return max(r[0] for r in results), max(r[1] for r in results), max(r[2] for r in results)


# -- 1. throughput -------------------------------------------------------------------------
async def read_raw(http: httpx.AsyncClient, method: str, url: str, **kwargs: Any) -> int:
    count = 0
    async with aconnect_sse(http, method, url, **kwargs) as source:
        async for event in source.aiter_sse():
            if event.event == "message":
                json.loads(event.data)
                count += 1
    return count


async def throughput(sw: Server, raw: Server, token: str, size: Sizes) -> dict[str, float]:
    n = size.messages
    timeout = httpx.Timeout(10.0, read=None)
    async with EndpointClient(sw.url, token=token) as client, httpx.AsyncClient(timeout=timeout) as http:
        auth = {"Authorization": f"Bearer {token}"}

        async def streamstate() -> int:
            state = await client.stream("/bench", {"n": n})
            assert state.status == "done", state.error
            return state.count

        runs: dict[str, Callable[[], Coroutine[Any, Any, int]]] = {
            "raw sse-starlette -> httpx-sse": lambda: read_raw(http, "GET", f"{raw.url}/stream?n={n}"),
            "Streamwright -> StreamState": streamstate,
            "Streamwright -> httpx-sse (diag.)": lambda: read_raw(http, "POST", f"{sw.url}/bench", json={"n": n}, headers=auth),
        }
        times: dict[str, list[float]] = {name: [] for name in runs}
        for round_ in range(size.rounds + 1):  # round 0 warms up; rounds interleave the three readers
            for name, run in runs.items():
                started = time.perf_counter()
                count = await run()
                elapsed = time.perf_counter() - started
                assert count == n, (name, count)
                if round_:
                    times[name].append(elapsed)
    return {name: n / statistics.median(values) for name, values in times.items()}


# -- 2. latency ------------------------------------------------------------------------------
async def latency(sw: Server, token: str, size: Sizes) -> tuple[float, Tracker]:
    tracker = Tracker()
    state = StreamState()
    state.on_change.append(tracker)
    async with EndpointClient(sw.url, token=token) as client:
        await client.stream("/timed", {"n": 20, "waitMs": 0})  # warm the connection and the route
        await client.stream("/timed", {"n": size.latency_messages, "waitMs": size.latency_wait_ms}, state=state)
    assert state.status == "done" and state.count == size.latency_messages, state
    assert state.first_message_at is not None and state.last_message_at is not None
    rate = (state.count - 1) / (state.last_message_at - state.first_message_at)
    return rate, tracker


# -- 3. load -----------------------------------------------------------------------------------
@dataclass
class LoadResult:
    trackers: list[Tracker]
    failed: int
    elapsed_s: float
    rss_before: float
    rss_peak: float
    rss_after: float
    server_cpu: float
    client_cpu: float


async def load(sw: Server, token: str, size: Sizes) -> LoadResult:
    limits = httpx.Limits(max_connections=size.streams + 10, max_keepalive_connections=size.streams + 10)
    trackers = [Tracker() for _ in range(size.streams)]
    rss_before = rss_mb(sw.pid)
    peak = [rss_before]
    stop = threading.Event()

    def sample() -> None:  # a thread, so a busy event loop does not skip samples
        while not stop.wait(0.05):
            peak[0] = max(peak[0], rss_mb(sw.pid))

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    started, server_cpu, client_cpu = time.perf_counter(), cpu_s(sw.pid), time.process_time()
    async with EndpointClient(sw.url, token=token, transport=httpx.AsyncHTTPTransport(limits=limits)) as client:

        async def one(tracker: Tracker) -> bool:
            state = StreamState()
            state.on_change.append(tracker)
            await client.stream("/timed", {"n": size.per_stream, "waitMs": size.load_wait_ms}, state=state)
            return state.status == "done"

        outcomes = await asyncio.gather(*(one(t) for t in trackers))
    elapsed = time.perf_counter() - started
    server_cpu, client_cpu = (cpu_s(sw.pid) - server_cpu) / elapsed, (time.process_time() - client_cpu) / elapsed
    stop.set()
    sampler.join()
    peak[0] = max(peak[0], rss_mb(sw.pid))
    await asyncio.sleep(1.0)
    return LoadResult(trackers, outcomes.count(False), elapsed, rss_before, peak[0], rss_mb(sw.pid), server_cpu, client_cpu)


# -- driver ------------------------------------------------------------------------------------
def report_throughput(rates: dict[str, float], summary: Summary) -> None:
    raw = rates["raw sse-starlette -> httpx-sse"]
    for name, rate in rates.items():
        print(f"  {name:<34}: {rate:>9,.0f} messages/s  ratio {rate / raw:.3f}")
    ratio = rates["Streamwright -> StreamState"] / raw
    summary.append(("throughput vs raw", f"{ratio:.3f}", ">= 0.8", ratio >= 0.8))


def report_latency(rate: float, tracker: Tracker, summary: Summary) -> None:
    p50, p99 = percentile(tracker.latencies, 50), percentile(tracker.latencies, 99)
    print(f"  achieved rate {rate:,.0f} messages/s over {len(tracker.latencies)} messages")
    print(f"  send -> StreamState: p50 {p50:.2f} ms, p99 {p99:.2f} ms, max {max(tracker.latencies):.2f} ms")
    print("  (sentMs is $millis(): 1 ms resolution, floored, so figures read ~0.5 ms high on average)")
    summary.append(("latency p99 @ ~500 msg/s", f"{p99:.2f} ms", "< 5 ms", p99 < 5))


def report_load(result: LoadResult, size: Sizes, summary: Summary) -> None:
    lost = dup = disorder = 0
    for tracker in result.trackers:
        a, b, c = check_order(tracker.seen, size.per_stream)
        lost, dup, disorder = lost + a, dup + b, disorder + c
    latencies = [x for t in result.trackers for x in t.latencies]
    total = len(latencies)
    p50, p99 = percentile(latencies, 50), percentile(latencies, 99)
    print(f"  {size.streams} streams x {size.per_stream} messages, Wait {size.load_wait_ms} ms after each send, one shared EndpointClient")
    offered = size.streams * 1000 / size.load_wait_ms if size.load_wait_ms else float("inf")
    print(f"  offered by the Waits alone: at most {offered:,.0f} messages/s; beyond what both processes manage, latency is queueing")
    print(f"  received {total:,} of {size.streams * size.per_stream:,} in {result.elapsed_s:.2f} s ({total / result.elapsed_s:,.0f} messages/s overall)")
    print(f"  CPU busy: server process {result.server_cpu:.0%}, client process {result.client_cpu:.0%} (of one core each; 100% = saturated)")
    print(f"  lost {lost}, duplicated {dup}, out of order {disorder}; streams not ending 'done': {result.failed}")
    print(f"  send -> StreamState: p50 {p50:.2f} ms, p99 {p99:.2f} ms, max {max(latencies, default=float('nan')):.2f} ms")
    print(f"  server RSS: before {result.rss_before:.1f} MB, peak during {result.rss_peak:.1f} MB, 1 s after {result.rss_after:.1f} MB")
    print("  (finished runs stay replayable for --keep, 60 s by default, so 'after' still holds their buffers)")
    summary.append(("load: lost/dup/out-of-order", f"{lost}/{dup}/{disorder}", "0/0/0", lost + dup + disorder + result.failed == 0))
    summary.append(("load: latency p99", f"{p99:.2f} ms", "(figure)", True))
    summary.append(("load: server RSS peak", f"{result.rss_peak:.1f} MB", "(figure)", True))


async def main_async(sections: list[str], size: Sizes) -> Summary:
    summary: Summary = []
    token = secrets.token_urlsafe(16)
    with tempfile.TemporaryDirectory() as folder:
        project = write_project(Path(folder))
        serve = ["-m", "app", "serve", str(project), "--port", "0", "--output", str(Path(folder) / "out")]
        with server_process(serve, {"STREAMWRIGHT_TOKEN": token}) as sw:
            if "throughput" in sections:
                with server_process([str(Path(__file__).with_name("raw_sse_server.py"))]) as raw:
                    print(f"\n1. throughput: {size.messages:,} messages per stream, median of {size.rounds} rounds")
                    rates = await asyncio.wait_for(throughput(sw, raw, token, size), TIMEOUT_S)
                    report_throughput(rates, summary)
            if "latency" in sections:
                print(f"\n2. latency: {size.latency_messages:,} messages, Wait {size.latency_wait_ms} ms after each send")
                rate, tracker = await asyncio.wait_for(latency(sw, token, size), TIMEOUT_S)
                report_latency(rate, tracker, summary)
        if "load" in sections:  # a fresh server, so RSS 'before' is an idle server's
            with server_process(serve, {"STREAMWRIGHT_TOKEN": token}) as sw:
                print(f"\n3. load: {size.streams} concurrent streams on one server process (pid {sw.pid})")
                result = await asyncio.wait_for(load(sw, token, size), TIMEOUT_S)
                report_load(result, size, summary)
    return summary


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--quick", action="store_true", help="small sizes, for a smoke run")
    parser.add_argument("--only", action="append", choices=["throughput", "latency", "load"], help="run only this section (repeatable)")
    parser.add_argument("--load-wait-ms", type=int, help=f"Wait after each send in the load section (default {Sizes.load_wait_ms})")
    args = parser.parse_args()
    size = QUICK if args.quick else Sizes()
    if args.load_wait_ms is not None:
        size = dataclasses.replace(size, load_wait_ms=args.load_wait_ms)
    summary = asyncio.run(main_async(args.only or ["throughput", "latency", "load"], size))
    print(f"\nsummary{' (--quick)' if args.quick else ''}")
    for figure, value, goal, met in summary:
        verdict = "" if goal == "(figure)" else ("met" if met else "NOT met")
        print(f"  {figure:<30} {value:>12}  goal {goal:<8} {verdict}")


if __name__ == "__main__":
    main()
