"""Schemathesis, a real API tester, fuzzes a live ``streamwright serve`` of the example from its own /openapi.json.

Every check Schemathesis has (``--checks all``): no 5xx, status codes, content
types, headers and bodies as documented (each SSE event against its
``itemSchema``, the message JSON against its ``contentSchema``), invalid
inputs refused, valid ones accepted, and the token enforced. The seed is
fixed so a failure reproduces; ``fuzz_hooks`` keeps each call short (see
there) and ``schemathesis.toml`` counts a 410 for a run the server no longer
keeps as an acceptable answer to a valid request.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.conftest import ROOT

HERE = Path(__file__).parent
MAX_EXAMPLES = 8
FUZZ_TIMEOUT_S = 900.0
"""Upper bound for the whole run on a loaded machine; it usually takes about a minute."""


def test_schemathesis_finds_nothing_in_the_served_example(serve, example_project, tmp_path):
    server = serve(example_project)
    command = [
        sys.executable, "-m", "schemathesis.cli", "--config-file", str(HERE / "schemathesis.toml"), "--no-color",
        "run", f"{server.url}/openapi.json",
        "--header", f"Authorization: Bearer {server.token}",
        "--checks", "all", "--max-examples", str(MAX_EXAMPLES), "--seed", "20261207", "--workers", "1",
        "--request-timeout", "60", "--report-dir", str(tmp_path / "report"),
    ]  # fmt: skip
    env = {**os.environ, "SCHEMATHESIS_HOOKS": "tests.external.fuzz_hooks", "PYTHONPATH": str(ROOT)}
    done = subprocess.run(command, capture_output=True, text=True, timeout=FUZZ_TIMEOUT_S, env=env, cwd=tmp_path)
    report = done.stdout[-12000:] + done.stderr[-4000:]
    assert done.returncode == 0, f"Schemathesis found problems (exit {done.returncode}):\n{report}\nserver stderr:\n{server.stderr()[-3000:]}"
    assert "Tested: 3" in done.stdout, report  # all three endpoints were exercised
    assert "No issues found" in done.stdout or " passed" in done.stdout, report
