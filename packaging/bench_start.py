"""Start-up time to the editor's main window: the desktop bundle against ``python -m app`` from the venv.

    .venv/bin/python packaging/bench_start.py [--runs 7] [--bundle dist/streamwright]

Each start is timed from just before the process is spawned to the
``main window shown at <time.time()>`` line the editor prints when
``STREAMWRIGHT_QUIT_WHEN_SHOWN=1`` (after the event loop has handled the
show). Runs are offscreen, each with a fresh empty home so both open the same
bundled example, and alternate between the two so machine noise hits both
alike. One warm-up start of each is discarded (it fills the disk cache).
Prints every run, the medians and their ratio.
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHOWN = re.compile(r"^main window shown at (\d+(?:\.\d+)?)$", re.MULTILINE)


def time_to_window(command: list[str]) -> float:
    """Seconds from spawning ``command`` to its main window being shown."""
    with tempfile.TemporaryDirectory(prefix="streamwright-bench-home-") as home:
        env = {**os.environ, "HOME": home, "QT_QPA_PLATFORM": "offscreen", "STREAMWRIGHT_QUIT_WHEN_SHOWN": "1"}
        for variable, folder in (("XDG_CONFIG_HOME", ".config"), ("XDG_DATA_HOME", ".local/share"), ("XDG_CACHE_HOME", ".cache"), ("XDG_STATE_HOME", ".local/state")):
            env[variable] = str(Path(home) / folder)
        started = time.time()
        result = subprocess.run(command, capture_output=True, text=True, env=env, cwd=home, timeout=120, check=False)
    shown = SHOWN.search(result.stdout)
    if result.returncode != 0 or shown is None:
        raise RuntimeError(f"{' '.join(command)}: exit code {result.returncode}, no shown line\n{result.stdout}\n{result.stderr}")
    return float(shown.group(1)) - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7, help="timed starts of each (default: %(default)s)")
    parser.add_argument("--bundle", default=str(ROOT / "dist" / "streamwright"), help="the onedir bundle (default: %(default)s)")
    args = parser.parse_args()
    bundle_exe = Path(args.bundle) / ("streamwright.exe" if sys.platform == "win32" else "streamwright")
    venv_python = ROOT / ".venv" / ("Scripts/python.exe" if sys.platform == "win32" else "bin/python")
    candidates = {
        "bundle": [str(bundle_exe)],
        "venv python -m app": [str(venv_python), "-m", "app"],
    }
    for name, command in candidates.items():
        if not Path(command[0]).is_file():
            print(f"{name}: {command[0]} not found", file=sys.stderr)
            return 1
    for command in candidates.values():
        time_to_window(command)  # warm-up, not counted
    times: dict[str, list[float]] = {name: [] for name in candidates}
    for run in range(1, args.runs + 1):
        for name, command in candidates.items():
            times[name].append(time_to_window(command))
        print(f"run {run}: " + "   ".join(f"{name} {times[name][-1]:.3f} s" for name in candidates), flush=True)
    medians = {name: statistics.median(values) for name, values in times.items()}
    width = max(map(len, candidates))
    print(f"\nstart to main window shown, median of {args.runs} (after 1 warm-up), offscreen:")
    for name, median in medians.items():
        print(f"  {name:<{width}}  {median:.3f} s   (min {min(times[name]):.3f}, max {max(times[name]):.3f})")
    ratio = medians["bundle"] / medians["venv python -m app"]
    print(f"  bundle / venv = {ratio:.2f}x")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
