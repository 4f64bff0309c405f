"""Peak memory and time of each formula bomb (tests/core/formula_bombs.py), each in a fresh process.

Run: ``.venv/bin/python tests/perf/bench_formula_bounds.py [--app-root DIR]``.  Each bomb is
evaluated through the adapter (``compile_formula(source).evaluate({})``, default limits) in its
own child process; printed: wall time, the child's peak RSS and its formula workers' peak RSS
(``getrusage``), and the error.  ``--app-root`` evaluates with another checkout's ``app``
package (e.g. the code before the bounds, for a before/after table).  Never fails on time.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import textwrap
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from tests.core.formula_bombs import BOMBS  # noqa: E402

PROBE = textwrap.dedent(
    """
    import json, resource, sys, time

    def peak_mb():  # VmHWM starts afresh at exec, unlike ru_maxrss, which keeps the forking parent's peak
        for line in open("/proc/self/status"):
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    from app.core.formula import FormulaError, compile_formula
    formula = compile_formula(sys.argv[1])
    started = time.perf_counter()
    try:
        formula.evaluate({})
        outcome = "no error"
    except FormulaError as error:
        outcome = type(error).__name__ + ": " + str(error)[:70]
    elapsed = time.perf_counter() - started
    try:
        from app.core.formula.worker import POOL
        POOL.close()
    except ImportError:
        pass
    print(json.dumps({"s": elapsed, "self_mb": peak_mb(),
                      "workers_mb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024, "outcome": outcome}))
    """
)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--app-root", default=str(ROOT), help="folder holding the app package to measure")
    args = parser.parse_args()
    print(f"app from {args.app_root}; default limits (1 s; 256 MB per formula)")
    print(f"{'formula':32} {'time s':>7} {'peak RSS MB':>12} {'workers MB':>11}  outcome")
    for name, source in BOMBS.items():
        started = time.perf_counter()
        completed = subprocess.run(
            [sys.executable, "-c", PROBE, source], capture_output=True, text=True, cwd=args.app_root,
            env={"PYTHONPATH": args.app_root, "PATH": "/usr/bin:/bin"},
        )
        if completed.returncode != 0:
            last = (completed.stderr.strip().splitlines() or ["?"])[-1]
            print(f"{name:32} {time.perf_counter() - started:7.2f} {'-':>12} {'-':>11}  child died ({completed.returncode}): {last[:60]}")
            continue
        report = json.loads(completed.stdout)
        print(f"{name:32} {report['s']:7.2f} {report['self_mb']:12.0f} {report['workers_mb']:11.0f}  {report['outcome']}")


if __name__ == "__main__":
    main()
