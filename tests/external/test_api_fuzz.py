"""Schemathesis, a real API tester, fuzzes a live ``streamwright serve`` of the example from its own /openapi.json.

Every check Schemathesis has (``--checks all``): no 5xx, status codes, content
types, headers and bodies as documented (each SSE event against its
``itemSchema``, the message JSON against its ``contentSchema``), invalid
inputs refused, valid ones accepted, and the token enforced. The seed is
fixed so a failure reproduces; ``schemathesis.toml`` counts a 410 for a run
the server no longer keeps as an acceptable answer to a valid request.

The served copy of the example has tighter limits on its delays and row
count (``FAST_LIMITS``), so each valid call streams for milliseconds rather
than minutes; the document publishes those limits and the server enforces
them, so what is generated, sent and checked is unchanged. (Lowering values
in a Schemathesis hook instead made it misjudge which cases were valid.) The
AI endpoint's upstream is a closed local port: its calls end at once with an
error event, as documented.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from tests.conftest import ROOT

HERE = Path(__file__).parent
MAX_EXAMPLES = 8
FAST_LIMITS = {"stepDelayMs": 5, "delayMs": 2, "rows": 10}
"""Input -> the maximum the served copy allows."""
FUZZ_TIMEOUT_S = 900.0
"""Upper bound for the whole run on a loaded machine; it usually takes about a minute."""


def fast_copy(example_project: Path) -> Path:
    document = json.loads(example_project.read_text(encoding="utf-8"))
    for endpoint in document["endpoints"]:
        for spec in endpoint.get("inputs", []):
            if spec["name"] in FAST_LIMITS:
                spec["maximum"] = FAST_LIMITS[spec["name"]]
                if isinstance(spec.get("default"), int):
                    spec["default"] = min(spec["default"], FAST_LIMITS[spec["name"]])
    example_project.write_text(json.dumps(document), encoding="utf-8")
    return example_project


def test_schemathesis_finds_nothing_in_the_served_example(serve, example_project, tmp_path, monkeypatch):
    monkeypatch.setenv("OPENAI_BASE_URL", "http://127.0.0.1:9/v1")  # nothing listens: the AI calls end at once
    server = serve(fast_copy(example_project))
    command = [
        sys.executable, "-m", "schemathesis.cli", "--config-file", str(HERE / "schemathesis.toml"), "--no-color",
        "run", f"{server.url}/openapi.json",
        "--header", f"Authorization: Bearer {server.token}",
        "--checks", "all", "--max-examples", str(MAX_EXAMPLES), "--seed", "20261207", "--workers", "1",
        "--request-timeout", "60", "--report-dir", str(tmp_path / "report"),
    ]  # fmt: skip
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run(command, capture_output=True, text=True, timeout=FUZZ_TIMEOUT_S, env=env, cwd=tmp_path)
    report = done.stdout[-12000:] + done.stderr[-4000:]
    assert done.returncode == 0, f"Schemathesis found problems (exit {done.returncode}):\n{report}\nserver stderr:\n{server.stderr()[-3000:]}"
    assert "Tested: 4" in done.stdout, report  # every endpoint was exercised
    assert "No issues found" in done.stdout or " passed" in done.stdout, report
