"""Helpers for bench_serve.py: the benchmark project file, server processes, RSS and percentiles."""

from __future__ import annotations

import json
import os
import select
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
START_TIMEOUT_S = 20.0


def _loop(n_formula: str, body: list[dict[str, Any]]) -> dict[str, Any]:
    return {"id": "each", "type": "flow.loop", "params": {"mode": "repeat", "times": {"$formula": n_formula}}, "slots": {"body": body}}


def project_document() -> dict[str, Any]:
    """``bench``: Loop x Send; ``timed``: the same with ``sentMs: $millis()`` and a Wait of ``inputs.waitMs`` after each send."""
    progress = {"status": "progress", "done": {"$formula": "loop.count"}, "total": {"$formula": "loop.total"}}
    n_input = {"name": "n", "type": "integer", "required": False, "default": 1000, "description": ""}
    wait_input = {"name": "waitMs", "type": "integer", "required": False, "default": 2, "description": ""}
    timed_send = {"id": "send_progress", "type": "stream.send", "params": {"eventData": {**progress, "sentMs": {"$formula": "$millis()"}}}}
    wait = {"id": "pause", "type": "flow.wait", "params": {"milliseconds": {"$formula": "inputs.waitMs"}}}
    return {
        "$schema": "https://streamwright.dev/schema/project-v1.json",
        "formatVersion": 1,
        "name": "bench-serve",
        "description": "bench_serve.py's endpoints",
        "endpoints": [
            {"name": "bench", "method": "POST", "path": "/bench", "description": "", "inputs": [n_input],
             "workflow": [_loop("inputs.n", [{"id": "send_progress", "type": "stream.send", "params": {"eventData": progress}}])]},
            {"name": "timed", "method": "POST", "path": "/timed", "description": "", "inputs": [n_input, wait_input],
             "workflow": [_loop("inputs.n", [timed_send, wait])]},
        ],
    }


def write_project(folder: Path) -> Path:
    path = folder / "bench.streamwright.json"
    path.write_text(json.dumps(project_document(), indent=2), encoding="utf-8")
    return path


@dataclass
class Server:
    process: subprocess.Popen[bytes]
    url: str

    @property
    def pid(self) -> int:
        return self.process.pid


@contextmanager
def server_process(args: list[str], env: dict[str, str] | None = None) -> Iterator[Server]:
    """Start ``python ARGS`` in its own process; yield once it printed ``Serving ... on URL``; stop it after."""
    with command_process([sys.executable, *args], env) as server:
        yield server


@contextmanager
def command_process(command: list[str], env: dict[str, str] | None = None) -> Iterator[Server]:
    """Start ``command`` (any program, e.g. ``node``) as ``server_process`` does."""
    args = command
    process = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, env={**os.environ, **(env or {})})
    try:
        assert process.stdout is not None
        deadline = time.monotonic() + START_TIMEOUT_S
        url = ""
        while not url:
            ready, _, _ = select.select([process.stdout], [], [], max(deadline - time.monotonic(), 0))
            line = process.stdout.readline().decode() if ready else ""
            if not line:
                raise RuntimeError(f"server {args} did not start (exit code {process.poll()})")
            if line.startswith("Serving ") and " on " in line:
                url = line.rsplit(" on ", 1)[1].strip()
        yield Server(process, url)
    finally:
        process.terminate()
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def rss_mb(pid: int) -> float:
    """VmRSS of ``pid`` in MB (0 when unreadable)."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def cpu_s(pid: int) -> float:
    """User + system CPU seconds used so far by ``pid`` (0 when unreadable)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError):
        return 0.0


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile, ``q`` in 0..100 (nan for no values)."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    rank = max(1, -(-len(ordered) * q // 100))
    return ordered[int(rank) - 1]
