"""Formula bounds: time and memory hold for single big operations; small formulas stay inline."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
import textwrap
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from app.core.formula import (
    UNDEFINED,
    FormulaBoundError,
    FormulaEvaluationError,
    FormulaLimits,
    FormulaMemoryError,
    FormulaOffload,
    FormulaTimeoutError,
    MB,
    compile_formula,
    offloading,
)
from app.core.formula.worker import POOL
from tests.core.formula_bombs import BOMBS

ROOT = Path(__file__).resolve().parents[2]
MEMORY_MB = 64

_PROBE = textwrap.dedent(
    """
    import json, resource, sys

    def peak_mb():  # VmHWM starts afresh at exec, unlike ru_maxrss, which keeps the forking parent's peak
        for line in open("/proc/self/status"):
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    from app.core.formula import FormulaError, FormulaLimits, MB, compile_formula
    from app.core.formula.worker import POOL
    from app.core.run_context import RunLimits
    limits = FormulaLimits(timeout_s=1.0, memory_bytes={memory} * MB)
    outcomes = {{}}
    for name, source in json.loads(sys.argv[1]).items():
        formula = compile_formula(source)
        try:
            formula._evaluate_library({{}}, limits)
            outcomes[name] = {{"error": None}}
        except FormulaError as error:
            outcomes[name] = {{"error": type(error).__name__, "bound": getattr(error, "bound", None), "message": str(error)}}
    POOL.close()  # waits for the workers, so their peak is in RUSAGE_CHILDREN
    print(json.dumps({{
        "outcomes": outcomes,
        "self_mb": peak_mb(),
        "workers_mb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024,
    }}))
    """
)


def test_every_bomb_stops_at_a_bound_with_bounded_memory() -> None:
    completed = subprocess.run(
        [sys.executable, "-c", _PROBE.format(memory=MEMORY_MB), json.dumps(BOMBS)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=300,
    )
    assert completed.returncode == 0, completed.stderr
    report = json.loads(completed.stdout)
    for name, outcome in report["outcomes"].items():
        assert outcome["error"] in {"FormulaTimeoutError", "FormulaMemoryError"}, (name, outcome)
        expected = "time limit of 1 s" if outcome["bound"] == "time" else f"memory bound of {MEMORY_MB} MB"
        assert expected in outcome["message"], (name, outcome)
    # the evaluating process never holds a bomb's value; each worker stays near its bound
    assert report["self_mb"] < 150, report
    assert report["workers_mb"] < MEMORY_MB + 120, report


def test_small_formulas_run_inline_without_a_worker(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_worker(*args: object, **kwargs: object) -> None:
        raise AssertionError("a small formula went to a worker")

    monkeypatch.setattr(POOL, "call", no_worker)
    scope = {"stream": {"chunk": {"done": 3, "total": 4}, "chunks": [{"text": "a"}, {"text": "b"}]}}
    assert compile_formula("stream.chunk.done / stream.chunk.total * 100").evaluate(scope) == 75
    assert compile_formula("$join(stream.chunks.text)").evaluate(scope) == "ab"
    assert compile_formula("[1..10]").evaluate(scope) == list(range(1, 11))


def test_a_formula_over_the_inline_budget_gets_its_value_from_a_worker() -> None:
    big = {"rows": [{"city": f"c{i % 50}"} for i in range(5000)]}  # more than the inline read budget
    assert compile_formula("$count($distinct(rows.city))").evaluate(big) == 50
    assert compile_formula("$count([1..100000])").evaluate({}) == 100000
    assert compile_formula("($x := [1..5000]; null)").evaluate({}) is None
    assert compile_formula("($x := [1..5000]; nothing)").evaluate({}) is UNDEFINED
    with pytest.raises(FormulaEvaluationError) as info:
        compile_formula('($x := [1..5000]; $x[0] + "a")').evaluate({})
    assert info.value.code == "T2002" and not isinstance(info.value, FormulaBoundError)


def test_worker_bounds_name_the_limit() -> None:
    with pytest.raises(FormulaTimeoutError, match="time limit of 0.3 s"):
        compile_formula("$count([1..100000].([1..100000]))")._evaluate_library({}, FormulaLimits(timeout_s=0.3, memory_bytes=4096 * MB))
    with pytest.raises(FormulaMemoryError, match="memory bound of 32 MB") as info:
        compile_formula('$reduce([1..30], function($a, $i) { $a & $a }, "x")')._evaluate_library({}, FormulaLimits(timeout_s=120, memory_bytes=32 * MB))
    assert info.value.bound == "memory"


async def test_inside_offloading_a_big_formula_is_awaited_off_the_event_loop() -> None:
    formula = compile_formula("$sum([1..200000])")
    table: dict[object, object] = {}
    with pytest.raises(FormulaOffload) as info:
        with offloading(FormulaLimits(), table):  # type: ignore[arg-type]
            formula.evaluate({})
    ticks = 0

    async def tick() -> None:
        nonlocal ticks
        while True:
            ticks += 1
            await asyncio.sleep(0)

    ticker = asyncio.create_task(tick())
    try:
        value = await info.value.evaluate()
    finally:
        ticker.cancel()
    assert value == 200000 * 200001 // 2
    assert ticks > 0  # the loop ran while the worker evaluated


def _ready_child(code: str) -> subprocess.Popen[str]:
    """A Python child that has finished starting (its start-up CPU is behind it) before it runs ``code``."""
    child = subprocess.Popen([sys.executable, "-c", f"print('ready', flush=True)\n{code}"], stdout=subprocess.PIPE, text=True)
    assert child.stdout is not None and child.stdout.readline() == "ready\n"
    return child


def _await(condition: Callable[[], bool], within_s: float) -> None:
    deadline = time.monotonic() + within_s
    while not condition():
        assert time.monotonic() < deadline, "condition not met in time"
        time.sleep(0.01)


def test_a_starved_worker_is_not_out_of_time_until_it_has_used_its_cpu_time() -> None:
    """A busy machine slows a formula down; its limit counts the CPU it got, up to a wall-clock cap."""
    from app.core.formula.worker import WALL_CAP_FACTOR, _Budget

    waiting = _ready_child("import time; time.sleep(600)")
    spinning = _ready_child("while True: pass")
    try:
        idle_budget = _Budget(waiting.pid, 0.05)
        started = time.monotonic()
        _await(lambda: time.monotonic() - started > 0.2, 5)
        assert idle_budget.wait_s() > 0  # four limits of wall time went by, but no CPU was used
        _await(lambda: idle_budget.wait_s() <= 0, 0.05 * WALL_CAP_FACTOR + 10)  # the wall-clock cap ends it all the same
        busy_budget = _Budget(spinning.pid, 0.05)
        _await(lambda: busy_budget.wait_s() <= 0, 30)  # CPU time is counted
    finally:
        for child in (waiting, spinning):
            child.kill()
            child.wait()
