"""The generated TypeScript client, compiled by a real ``tsc --strict`` and run in Node against a real ``serve``.

``make test-deps`` installs the pinned compiler into tests/external/node
(``npm ci``); a missing compiler fails the test with that instruction.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT
from tests.external.conftest import require_tool

HERE = Path(__file__).parent
TSC = HERE / "node" / "node_modules" / "typescript" / "bin" / "tsc"
TSC_TIMEOUT_S = 300.0
COMPILER_OPTIONS = {"strict": True, "target": "ES2022", "module": "NodeNext", "moduleResolution": "NodeNext", "lib": ["ES2022", "DOM"], "types": []}
"""Strict mode, the browser's fetch types (Node 20 has the same fetch) and no @types/node."""


def _tsc(files: list[str], cwd: Path, **options: object) -> subprocess.CompletedProcess[str]:
    node = require_tool("node")
    if not TSC.exists():
        pytest.fail(f"TypeScript is not installed in {TSC.parent.parent}; `make test-deps` installs it (npm ci --prefix tests/external/node)")
    config = cwd / "tsconfig.json"
    config.write_text(json.dumps({"compilerOptions": {**COMPILER_OPTIONS, **options}, "files": files}))
    return subprocess.run([node, str(TSC), "-p", str(config)], capture_output=True, text=True, timeout=TSC_TIMEOUT_S, cwd=cwd)


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory, example_project: Path) -> Path:
    folder = tmp_path_factory.mktemp("ts")
    done = subprocess.run(
        [sys.executable, "-m", "app", "types", str(example_project), "--lang", "ts", "-o", str(folder / "client.ts")],
        capture_output=True, text=True, timeout=120, cwd=ROOT,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    for name in ("use_client.ts", "misuse_client.ts"):
        shutil.copy(HERE / "typescript" / name, folder / name)
    (folder / "package.json").write_text(json.dumps({"type": "module"}))  # compiled and run as ES modules
    return folder


def test_the_compiled_client_reads_typed_messages_from_a_real_serve(generated, serve, example_project):
    compiled = _tsc(["client.ts", "use_client.ts"], generated, outDir="out")
    assert compiled.returncode == 0, compiled.stdout + compiled.stderr
    server = serve(example_project)
    for format in ("sse", "ndjson"):
        ran = subprocess.run(["node", "out/use_client.js", server.url, server.token, format], capture_output=True, text=True, timeout=120, cwd=generated)
        assert ran.returncode == 0, ran.stdout + ran.stderr
        lines = ran.stdout.splitlines()
        assert lines[:4] == ["starting Starting 0/3", "progress Retrieving data 0%", "progress Calculating totals 33%", "progress Generating file 67%"]
        assert lines[4].startswith("done Report ready 3/3 /runs/") and lines[4].endswith("/files/sales-report-2026-01-01.csv"), lines[4]
        assert lines[5] == "end run=true ended=null"  # the report returns nothing after its stream
        assert lines[6] == 'typewriter "one two three"'
        assert lines[7] == 'refused 422 {"error":"invalid input","fields":{"delayMs":"must be at most 2000, got 5000"}}'


def test_tsc_rejects_code_that_uses_the_types_wrongly(generated):
    checked = _tsc(["client.ts", "misuse_client.ts"], generated, noEmit=True)
    assert checked.returncode != 0
    errors = sorted(line.split(": error ")[1].split(":")[0] + f" line {line.split('(')[1].split(',')[0]}" for line in checked.stdout.splitlines() if ": error " in line)
    # a field the status lacks, a status no message has, an input of the wrong type, an input that does not exist
    assert errors == ["TS2322 line 16", "TS2339 line 6", "TS2367 line 12", "TS2561 line 20"], checked.stdout
