"""Engine throughput: a Loop of 20,000 Send streaming response with formula Event Data,
against a plain async generator producing the same 20,000 dicts, in the same run.

Run: ``.venv/bin/python tests/perf/bench_engine.py`` (or ``make bench``). Prints
figures; never fails on time. Aim: the engine is never the bottleneck (>= 200,000 messages/s).
"""

from __future__ import annotations

import asyncio
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from app.core.project import Action, Endpoint, Project  # noqa: E402
from app.core.run_context import RunSettings  # noqa: E402
from app.engine.engine import Engine  # noqa: E402

MESSAGES = 20_000
ROUNDS = 7


def _project() -> Project:
    send = Action(
        id="send_progress",
        type="stream.send",
        params={"eventData": {"status": "progress", "done": {"$formula": "loop.count"}, "total": {"$formula": "loop.total"}}},
    )
    loop = Action(id="each", type="flow.loop", params={"mode": "repeat", "times": MESSAGES}, slots={"body": [send]})
    return Project(endpoints=[Endpoint(name="bench", path="/bench", workflow=[loop])])


async def _baseline() -> int:
    async def produce() -> Any:
        for index in range(MESSAGES):
            yield {"status": "progress", "done": index + 1, "total": MESSAGES}

    count = 0
    async for _ in produce():
        count += 1
    return count


async def _engine(engine: Engine, settings: RunSettings) -> int:
    count = 0
    async for event in engine.run("bench", {}, settings):
        if event.kind == "message":
            count += 1
    return count


def _rate(coroutine_factory: Any) -> float:
    times = []
    for _ in range(ROUNDS):
        started = time.perf_counter()
        count = asyncio.run(coroutine_factory())
        times.append(time.perf_counter() - started)
        assert count == MESSAGES, count
    return MESSAGES / statistics.median(times)


def main() -> None:
    project = _project()
    with tempfile.TemporaryDirectory() as folder:
        traced = RunSettings(project_dir=Path(folder), output_root=Path(folder) / "out", trace=True)
        untraced = RunSettings(project_dir=Path(folder), output_root=Path(folder) / "out", trace=False)
        engine = Engine(project)
        baseline = _rate(_baseline)
        with_trace = _rate(lambda: _engine(engine, traced))
        without_trace = _rate(lambda: _engine(engine, untraced))
    print(f"messages per run: {MESSAGES}, median of {ROUNDS} runs")
    print(f"plain async generator      : {baseline:>12,.0f} messages/s")
    print(f"engine, trace off (serving): {without_trace:>12,.0f} messages/s  ratio {without_trace / baseline:.3f}")
    print(f"engine, trace on (editor)  : {with_trace:>12,.0f} messages/s  ratio {with_trace / baseline:.3f}")
    print(f"goal: >= 200,000 messages/s -> {'met' if without_trace >= 200_000 else 'NOT met'} (trace off)")


if __name__ == "__main__":
    main()
