"""Does one slow formula freeze the server?  A real ``streamwright serve`` of the example project
plus two endpoints: ``slow`` (a formula that runs to its 1 s limit) and ``ticker`` (a message
every 20 ms carrying its send time).  For the same time span, with and without five ``slow``
requests in flight all along, a probe measures ``GET /`` latency and a ``ticker`` stream
measures each message's delay from send to receipt.  Prints p50/p99/max of both, and the ratio
of the p99 under load to the baseline's (measured in the same run).  Never fails on time.

Run: ``.venv/bin/python tests/perf/bench_slow_formula.py [--app-root DIR] [--seconds S]``
(``--app-root`` serves with another checkout's ``app`` package, for a before/after table).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "resources" / "examples" / "demo.streamwright.json"
RUNAWAY = "($f := function($n) { $f($n + 1) }; $f(0))"
SLOW_REQUESTS = 5
PROBE_EVERY_S = 0.02


def _project(folder: Path) -> Path:
    document = json.loads(EXAMPLE.read_text(encoding="utf-8"))
    document["endpoints"] += [
        {"name": "slow", "method": "POST", "path": "/slow", "workflow": [
            {"id": "spin", "type": "stream.send", "params": {"eventData": {"status": "x", "n": {"$formula": RUNAWAY}}}}]},
        {"name": "ticker", "method": "GET", "path": "/ticker", "workflow": [
            {"id": "each", "type": "flow.loop", "params": {"mode": "repeat", "times": 100000}, "slots": {"body": [
                {"id": "pause", "type": "flow.wait", "params": {"milliseconds": 20}},
                {"id": "tick", "type": "stream.send", "params": {"eventData": {"status": "progress", "sent": {"$formula": "$millis()"}}}}]}}]},
    ]
    for name in ("recordings", "streamTests"):
        document[name] = []
    path = folder / "bench.streamwright.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    for extra in EXAMPLE.parent.iterdir():  # the example's database sits beside it
        if extra.suffix in {".db", ".sqlite", ".sqlite3"}:
            (folder / extra.name).write_bytes(extra.read_bytes())
    return path


def _start(app_root: str, project: Path) -> tuple[subprocess.Popen[str], str]:
    env = {**os.environ, "PYTHONPATH": app_root}
    process = subprocess.Popen(
        [sys.executable, "-m", "app", "serve", str(project), "--port", "0", "--public", "--output", str(project.parent / "out")],
        stdout=subprocess.PIPE, text=True, cwd=app_root, env=env,
    )
    assert process.stdout is not None
    line = process.stdout.readline()
    if "Serving" not in line:
        raise SystemExit(f"serve did not start: {line!r}")
    return process, line.rsplit(" on ", 1)[1].strip()


async def _probe(client: httpx.AsyncClient, until: float, latencies: list[float]) -> None:
    while time.monotonic() < until:
        started = time.perf_counter()
        response = await client.get("/")
        latencies.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200
        await asyncio.sleep(PROBE_EVERY_S)


async def _ticker(client: httpx.AsyncClient, until: float, delays: list[float]) -> None:
    async with client.stream("GET", "/ticker", headers={"Accept": "application/x-ndjson"}) as response:
        async for line in response.aiter_lines():
            if not line.strip():
                continue
            item = json.loads(line)
            if item.get("event") == "message":
                delays.append(time.time() * 1000 - item["data"]["sent"])
            if time.monotonic() >= until:
                return


async def _slow(client: httpx.AsyncClient, until: float, counts: list[int]) -> None:
    while time.monotonic() < until:
        await client.post("/slow")
        counts.append(1)


async def _phase(url: str, seconds: float, slow: bool) -> tuple[list[float], list[float], int]:
    limits = httpx.Limits(max_connections=50)
    async with httpx.AsyncClient(base_url=url, timeout=60, limits=limits) as client:
        await client.get("/")
        until = time.monotonic() + seconds
        latencies: list[float] = []
        delays: list[float] = []
        counts: list[int] = []
        tasks = [_probe(client, until, latencies), _ticker(client, until, delays)]
        if slow:
            tasks += [_slow(client, until, counts) for _ in range(SLOW_REQUESTS)]
        await asyncio.gather(*tasks)
    return latencies, delays, len(counts)


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def _line(label: str, values: list[float]) -> str:
    return f"{label:34} n={len(values):4}  p50 {statistics.median(values):7.1f} ms  p99 {_pct(values, 0.99):7.1f} ms  max {max(values):7.1f} ms"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--app-root", default=str(ROOT))
    parser.add_argument("--seconds", type=float, default=6.0)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        process, url = _start(args.app_root, _project(Path(folder)))
        try:
            base_get, base_msg, _ = asyncio.run(_phase(url, args.seconds, slow=False))
            load_get, load_msg, finished = asyncio.run(_phase(url, args.seconds, slow=True))
        finally:
            process.terminate()
            process.wait(10)
    print(f"app from {args.app_root}; {args.seconds:g} s per phase; {SLOW_REQUESTS} slow requests in flight all along ({finished} finished)")
    print(_line("GET / alone", base_get))
    print(_line("GET / with slow requests", load_get))
    print(_line("ticker message delay alone", base_msg))
    print(_line("ticker message delay with slow", load_msg))
    print(f"p99 ratio under load: GET / {_pct(load_get, 0.99) / _pct(base_get, 0.99):.2f}x, "
          f"messages {_pct(load_msg, 0.99) / max(_pct(base_msg, 0.99), 0.1):.2f}x; "
          f"added p99: GET / {_pct(load_get, 0.99) - _pct(base_get, 0.99):.1f} ms, messages {_pct(load_msg, 0.99) - _pct(base_msg, 0.99):.1f} ms")


if __name__ == "__main__":
    main()
