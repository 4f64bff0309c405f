"""``streamwright openapi`` and ``streamwright types``: files written, bad projects named, exit codes."""

from __future__ import annotations

import json

from openapi_spec_validator import validate

from app.core.project import Endpoint
from app.core.project_file import save_project
from tests.cli.test_cli import cli
from tests.conftest import EXAMPLE, project_of


def test_openapi_writes_a_valid_document(tmp_path):
    out = tmp_path / "api.json"
    done = cli("openapi", str(EXAMPLE), "-o", str(out), "--server", "http://127.0.0.1:9000")
    assert done.returncode == 0, done.stderr
    document = json.loads(out.read_text())
    validate(document)
    assert document["servers"] == [{"url": "http://127.0.0.1:9000"}]
    printed = cli("openapi", str(EXAMPLE), "--public")
    assert "security" not in json.loads(printed.stdout)


def test_types_prints_typescript_with_a_union_per_endpoint():
    done = cli("types", str(EXAMPLE), "--lang", "ts")
    assert done.returncode == 0, done.stderr
    assert "export type TypewriterMessage = TypewriterStartingMessage | TypewriterChunkMessage | TypewriterDoneMessage;" in done.stdout
    assert 'status: "chunk";' in done.stdout and "export class StreamwrightClient" in done.stdout


def test_an_invalid_project_is_named_with_exit_1(tmp_path):
    path = tmp_path / "bad.streamwright.json"
    save_project(project_of(Endpoint(name="docs", path="/docs")), path)
    for command in ("openapi", "types"):
        done = cli(command, str(path), *(["--lang", "ts"] if command == "types" else []))
        assert done.returncode == 1
        assert "path /docs is reserved by the runner" in done.stderr
        assert "Traceback" not in done.stderr
