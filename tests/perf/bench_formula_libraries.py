"""Compare JSONata libraries for Python, and our adapter (app.core.formula).

Run:  python tests/perf/bench_formula_libraries.py [--quick]

Not a pytest module (no test_ names).  Prints, for every candidate that is
installed (the others are skipped with a line):
  - conformance: tests/core/jsonata_cases.py (values, undefined vs null,
    evaluation errors, syntax errors with a position);
  - ops/s for four small formulas;
  - cost ratio of (a)/(b) with 100,000 unread `stream.chunks` vs 10;
  - runaway bounds (recursion, huge range), probed in a subprocess so a crash
    or hang of one library does not take the script down.
jsonata-python and jsonata-rs both install the import name `jsonata`; only one
can be present in an environment, so compare them from two venvs.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from importlib import metadata
from pathlib import Path
from typing import Any, Callable

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests" / "core"))
sys.path.insert(0, str(ROOT))

import jsonata_cases as jc  # noqa: E402

Evaluate = Callable[[Any], Any]  # data -> result (UNDEF for undefined)


class Candidate:
    """One library: how to compile, evaluate (undefined mapped to jc.UNDEF), bound."""

    name = ""
    dist = ""

    def load(self) -> None:
        raise NotImplementedError

    def compile(self, expr: str) -> Evaluate:
        raise NotImplementedError

    def position(self, exc: BaseException) -> int | None:
        """The error's 0-based offset: an attribute, the cause's, or `position N` / `@ N` text."""
        import re

        for e in (exc, exc.__cause__):
            for attr in ("position", "location"):
                pos = getattr(e, attr, None)
                if isinstance(pos, int) and pos >= 0:
                    return pos
        m = re.search(r"(?:position|@) (\d+)", str(exc))
        return int(m.group(1)) if m else None

    def bounded(self, expr: str, timeout_ms: int, depth: int) -> Evaluate | None:
        """An evaluator with time/depth bounds, or None if the library has none."""
        return None

    def fast(self, expr: str) -> Evaluate:
        """The plain per-call evaluator used for timing (no undefined disambiguation)."""
        return self.compile(expr)


def _json_or_undef(text: str | None) -> Any:
    return jc.UNDEF if text is None else json.loads(text)


class JsonataPython(Candidate):
    name, dist = "jsonata-python", "jsonata-python"

    def load(self) -> None:
        import jsonata

        if not hasattr(jsonata, "Timebox"):
            raise ImportError("`jsonata` here is not jsonata-python")
        self.m = jsonata

    def _conv(self, v: Any) -> Any:
        if v is None:
            return jc.UNDEF
        return json.loads(json.dumps(v, default=lambda o: None))

    def compile(self, expr: str) -> Evaluate:
        j = self.m.Jsonata(expr)
        j.set_output_convert_nulls(False)
        return lambda d: self._conv(j.evaluate(d))

    def fast(self, expr: str) -> Evaluate:
        j = self.m.Jsonata(expr)
        j.set_validate_input(False)
        return j.evaluate

    def bounded(self, expr: str, timeout_ms: int, depth: int) -> Evaluate | None:
        j = self.m.Jsonata(expr)

        def run(d: Any) -> Any:
            frame = j.create_frame()
            frame.set_runtime_bounds(timeout_ms, depth)
            return j.evaluate(d, frame)

        return run


class JsonataRs(Candidate):
    name, dist = "jsonata-rs", "jsonata-rs"

    def load(self) -> None:
        import jsonata

        if not hasattr(jsonata, "UNDEFINED"):
            raise ImportError("`jsonata` here is not jsonata-rs")
        self.m = jsonata

    def compile(self, expr: str) -> Evaluate:
        j = self.m.Jsonata(expr)
        j.set_output_convert_nulls(False)
        u = self.m.UNDEFINED
        return lambda d: (lambda r: jc.UNDEF if r is u else r)(j.evaluate(d))

    def fast(self, expr: str) -> Evaluate:
        return self.m.Jsonata(expr).evaluate

    def bounded(self, expr: str, timeout_ms: int, depth: int) -> Evaluate | None:
        j = self.m.Jsonata(expr)
        j.set_runtime_bounds(timeout_ms, depth)
        return j.evaluate


class Jsonatapy(Candidate):
    name, dist = "jsonatapy", "jsonatapy"

    def load(self) -> None:
        import jsonatapy

        self.m = jsonatapy

    def compile(self, expr: str) -> Evaluate:
        e = self.m.compile(expr)

        def run(d: Any) -> Any:
            r = e.evaluate(d)
            return _json_or_undef(e.evaluate_json_or_none(json.dumps(d))) if r is None else r

        return run

    def fast(self, expr: str) -> Evaluate:
        return self.m.compile(expr).evaluate

    def bounded(self, expr: str, timeout_ms: int, depth: int) -> Evaluate | None:
        e = self.m.compile(expr, timeout=timeout_ms, max_stack_depth=depth)
        return e.evaluate


class ZopyxPyjsonata(Candidate):
    name, dist = "zopyx-pyjsonata", "zopyx.pyjsonata"

    def load(self) -> None:
        from zopyx import pyjsonata

        self.m = pyjsonata

    def compile(self, expr: str) -> Evaluate:
        j = self.m.Jsonata(expr)
        u = self.m.UNDEFINED
        return lambda d: (lambda r: jc.UNDEF if r is u else r)(j.evaluate(d))

    def fast(self, expr: str) -> Evaluate:
        return self.m.Jsonata(expr).evaluate

    def bounded(self, expr: str, timeout_ms: int, depth: int) -> Evaluate | None:
        j = self.m.Jsonata(expr)
        return lambda d: j.evaluate(d, None, depth, timeout_ms)


class Jlens(Candidate):
    name, dist = "jlens", "jlens"

    def load(self) -> None:
        import jlens

        self.m = jlens

    def compile(self, expr: str) -> Evaluate:
        e = self.m.Expression(expr)

        def run(d: Any) -> Any:
            r = e.evaluate(d)
            return _json_or_undef(e.evaluate_json(json.dumps(d))) if r is None else r

        return run

    def fast(self, expr: str) -> Evaluate:
        return self.m.Expression(expr).evaluate

    def bounded(self, expr: str, timeout_ms: int, depth: int) -> Evaluate | None:
        e = self.m.Expression(expr)
        return lambda d: e.evaluate(d, timeout=timeout_ms / 1000, max_depth=depth)


class Jsonata2py(Candidate):
    name, dist = "jsonata2py", "jsonata2py"

    def load(self) -> None:
        import jsonata2py

        self.m = jsonata2py

    def compile(self, expr: str) -> Evaluate:
        e = self.m.compile(expr)
        missing = self.m.MISSING
        return lambda d: (lambda r: jc.UNDEF if r is missing else r)(e.evaluate(d))

    def fast(self, expr: str) -> Evaluate:
        return self.m.compile(expr).evaluate

    def bounded(self, expr: str, timeout_ms: int, depth: int) -> Evaluate | None:
        e = self.m.compile(expr)
        e.set_timeout(timeout_ms)
        return e.evaluate


class Adapter(Candidate):
    name, dist = "app.core.formula (adapter)", ""

    def load(self) -> None:
        from app.core import formula

        self.m = formula

    def compile(self, expr: str) -> Evaluate:
        f = self.m.compile_formula(expr)
        u = self.m.UNDEFINED
        return lambda d: (lambda r: jc.UNDEF if r is u else r)(f.evaluate(d))

    def fast(self, expr: str) -> Evaluate:
        return self.m.compile_formula(expr).evaluate

    def bounded(self, expr: str, timeout_ms: int, depth: int) -> Evaluate | None:
        f = self.m.compile_formula(expr)
        return lambda d: f.evaluate(d, timeout_ms=timeout_ms, max_depth=depth)


CANDIDATES: list[type[Candidate]] = [
    JsonataPython, JsonataRs, Jsonatapy, ZopyxPyjsonata, Jlens, Jsonata2py, Adapter,
]

SPEED_FORMULAS = {
    "a": "loop.index",
    "b": "stream.chunk.done / stream.chunk.total * 100",
    "c": '"Step " & stream.chunk.done & " of " & stream.chunk.total',
    "d": "$join(stream.chunks.text)",
}
RUNAWAY = {
    "recursion": "($f := function($n){ $f($n + 1) }; $f(0))",
    "huge range": "$count($map([1..10000000], function($v){ $v * 2 }))",
    "loop": "($f := function($n){ $n > 0 ? $f($n - 1) : 0 }; $f(100000000))",
}


def scope(n_chunks: int) -> dict[str, Any]:
    chunks = [{"status": "chunk", "text": f"t{i}", "n": i} for i in range(n_chunks)]
    return {
        "loop": {"index": 3},
        "inputs": {"text": "hello"},
        "stream": {"chunk": {"done": 3, "total": 12, "text": "t"}, "chunks": chunks},
    }


def conformance(c: Candidate) -> tuple[int, int, list[str]]:
    ok, total, fails = 0, 0, []
    for expr, data, expected in jc.CASES:
        total += 1
        try:
            got = c.compile(expr)(data)
        except (KeyboardInterrupt, SystemExit):
            raise
        except BaseException as exc:  # noqa: BLE001 - scoring; pyo3 panics are BaseException
            got = f"<{type(exc).__name__}: {str(exc)[:60]}>"
        if jc.same(got, expected):
            ok += 1
        else:
            fails.append(f"{expr!r}: got {got!r}, expected {expected!r}")
    for expr, data in jc.EVALUATION_ERROR_CASES:
        total += 1
        try:
            got = c.compile(expr)(data)
            fails.append(f"{expr!r}: no error, got {got!r}")
        except (KeyboardInterrupt, SystemExit):
            raise
        except BaseException:  # noqa: BLE001
            ok += 1
    for expr, pos in jc.SYNTAX_ERROR_CASES:
        total += 1
        try:
            c.compile(expr)({})  # some libraries parse lazily, on first evaluation
            fails.append(f"{expr!r}: no syntax error")
        except (KeyboardInterrupt, SystemExit):
            raise
        except BaseException as exc:  # noqa: BLE001
            got_pos = c.position(exc)
            if got_pos is not None and abs(got_pos - pos) <= 2:
                ok += 1
            else:
                fails.append(f"{expr!r}: position {got_pos} (expected ~{pos}): {exc}")
    return ok, total, fails


def per_call_seconds(fn: Evaluate, data: Any, budget: float) -> float:
    fn(data)
    n, start = 0, time.perf_counter()
    batch = 1
    while True:
        for _ in range(batch):
            fn(data)
        n += batch
        elapsed = time.perf_counter() - start
        if elapsed >= budget:
            return elapsed / n
        batch = min(batch * 2, 10_000)


def probe_runaway(cand_name: str) -> None:
    """Subprocess entry: run each runaway formula with a 1 s / depth-500 bound."""
    c = next(k() for k in CANDIDATES if k.name == cand_name)
    c.load()
    for label, expr in RUNAWAY.items():
        run = c.bounded(expr, 1000, 500)
        if run is None:
            print(f"    {label:11s}: no bound API (not run)")
            continue
        t = time.perf_counter()
        try:
            r = run({})
            out = f"returned {str(r)[:40]!r}"
        except BaseException as exc:  # noqa: BLE001
            out = f"{type(exc).__name__}: {str(exc)[:70]}"
        print(f"    {label:11s}: {time.perf_counter() - t:6.2f}s  {out}", flush=True)


def main(argv: list[str]) -> int:
    if len(argv) > 2 and argv[1] == "--probe":
        probe_runaway(argv[2])
        return 0
    quick = "--quick" in argv
    budget = 0.1 if quick else 0.4
    small, big10, big100k = scope(3), scope(10), scope(100_000)
    print(f"Python {sys.version.split()[0]}; cases: {len(jc.CASES)} values, "
          f"{len(jc.EVALUATION_ERROR_CASES)} evaluation errors, {len(jc.SYNTAX_ERROR_CASES)} syntax errors")
    rows = []
    for kind in CANDIDATES:
        c = kind()
        try:
            c.load()
        except Exception as exc:  # noqa: BLE001 - absent or shadowed library
            print(f"\n== {c.name}: skipped ({type(exc).__name__}: {exc})")
            continue
        version = metadata.version(c.dist) if c.dist else "-"
        print(f"\n== {c.name} {version}")
        ok, total, fails = conformance(c)
        print(f"  conformance {ok}/{total}")
        for f in fails[:40]:
            print(f"    FAIL {f}")
        speeds = {}
        for key, expr in SPEED_FORMULAS.items():
            try:
                speeds[key] = 1 / per_call_seconds(c.fast(expr), small, budget)
            except Exception as exc:  # noqa: BLE001
                print(f"  ({key}) failed: {exc}")
                speeds[key] = 0.0
        print("  ops/s  " + "  ".join(f"({k}) {v:>10,.0f}" for k, v in speeds.items()))
        ratios = {}
        for key in ("a", "b"):
            fn = c.fast(SPEED_FORMULAS[key])
            t10 = per_call_seconds(fn, big10, budget)
            t100k = per_call_seconds(fn, big100k, budget * 3)
            ratios[key] = t100k / t10
            print(f"  ({key}) 10 chunks {t10 * 1e6:9.2f} us  100k chunks {t100k * 1e6:12.2f} us"
                  f"  ratio {ratios[key]:10.1f}")
        print("  runaway bounds (1000 ms, depth 500):", flush=True)
        try:
            p = subprocess.run([sys.executable, __file__, "--probe", c.name],
                               capture_output=True, text=True, timeout=60)
            print(p.stdout.rstrip() or "    (no output)")
            if p.returncode != 0:
                print(f"    probe process exited {p.returncode}: {p.stderr.strip()[-200:]}")
        except subprocess.TimeoutExpired:
            print("    probe process hung > 60 s (killed)")
        rows.append((c.name, version, ok, total, speeds, ratios))
    print("\n| library | version | conformance | (a) ops/s | (b) | (c) | (d) | 100k/10 (a) | 100k/10 (b) |")
    print("|---|---|---|---|---|---|---|---|---|")
    for name, version, ok, total, s, r in rows:
        print(f"| {name} | {version} | {ok}/{total} | {s['a']:,.0f} | {s['b']:,.0f} | {s['c']:,.0f} | "
              f"{s['d']:,.0f} | {r['a']:.1f} | {r['b']:.1f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
