"""The project's stream tests, run by ``streamwright test`` in a child process (as CI would run them).

The editor never runs workflows itself: it writes the project as it is on
screen next to the project file (so SQLite paths resolve as they do for the
runner), runs the command, and reads its JSON report.
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
import tempfile
from pathlib import Path
from typing import Any

from app.client.runner_process import app_command


class StreamTestsError(RuntimeError):
    """The test command could not run or gave no report (its error output says why)."""


async def run_stream_tests(document: dict[str, Any], folder: Path, *, python: str = sys.executable, timeout_s: float = 300.0) -> dict[str, Any]:
    """``{"passed": bool, "tests": [{"name", "endpoint", "passed", "differences": [...]}, ...]}``."""
    folder.mkdir(parents=True, exist_ok=True)
    handle, name = tempfile.mkstemp(prefix=".streamwright-tests-", suffix=".json", dir=folder)
    path = Path(name)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as file:
            json.dump(document, file)
        with tempfile.TemporaryDirectory(prefix="streamwright-test-output-") as output:
            process = await asyncio.create_subprocess_exec(
                *app_command(python, "test"), str(path), "--format", "json", "--output", output,
                stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
            )  # fmt: skip
            try:
                stdout, stderr = await asyncio.wait_for(process.communicate(), timeout_s)
            except (TimeoutError, asyncio.CancelledError):
                process.kill()
                await process.wait()
                raise
    finally:
        path.unlink(missing_ok=True)
    try:
        report = json.loads(stdout.decode() or "null")
    except json.JSONDecodeError:
        report = None
    if not isinstance(report, dict):
        detail = stderr.decode(errors="replace").strip() or stdout.decode(errors="replace").strip()
        raise StreamTestsError(f"streamwright test gave no report (exit {process.returncode}): {detail[-2000:]}")
    return report
