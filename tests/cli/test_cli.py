"""The ``streamwright`` command, run as a real subprocess the way users run it."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlparse
from urllib.request import url2pathname

import pytest

from app import __version__
from app.cli.main import attach_text_values, build_parser, main
from app.core.project_file import dump_project
from tests.conftest import EXAMPLE, ROOT, action, endpoint, project_of


def cli(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONUNBUFFERED": "1", "COLUMNS": "100"}
    return subprocess.run([sys.executable, "-m", "app", *args], capture_output=True, text=True, cwd=cwd or ROOT, env=env, timeout=120)


def ndjson(text: str) -> list[dict]:
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def test_version_and_help():
    assert cli("--version").stdout.strip() == f"streamwright {__version__}"
    for command in ("run", "validate", "lint", "schema", "export", "import"):
        result = cli(command, "--help")
        assert result.returncode == 0 and "usage: streamwright" in result.stdout


def test_help_says_a_file_alone_opens_the_editor():
    result = cli("--help")
    assert result.returncode == 0 and "`streamwright [FILE]` opens the editor" in result.stdout


def test_an_unknown_option_is_a_usage_error():
    result = cli("--frobnicate")
    assert result.returncode == 2 and "usage" in result.stderr


def test_run_generate_report_streams_progress_and_ends_with_an_existing_file(tmp_path: Path):
    result = cli("run", str(EXAMPLE), "generate-report", "-i", "stepDelayMs=0", "--format", "ndjson", "--output", str(tmp_path))
    assert result.returncode == 0, result.stderr
    events = ndjson(result.stdout)
    messages = [e["data"] for e in events if e["kind"] == "message"]
    assert [m["status"] for m in messages] == ["starting", "progress", "progress", "progress", "done"]
    assert [m.get("label") for m in messages[1:4]] == ["Retrieving data", "Calculating totals", "Generating file"]
    assert all(m["total"] == 3 for m in messages)
    assert [e["kind"] for e in events][-1] == "result"
    url = messages[-1]["downloadUrl"]
    path = Path(url2pathname(urlparse(url).path))
    assert path.is_file() and path.is_relative_to(tmp_path)
    lines = path.read_text().splitlines()
    assert lines[0] == "region,orders,units,revenue" and lines[-1].startswith("All regions,240,")
    assert messages[-1]["revenue"] == pytest.approx(68407.5)


def test_run_prints_each_message_the_moment_it_is_sent(tmp_path: Path):
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    process = subprocess.Popen(
        [sys.executable, "-m", "app", "run", str(EXAMPLE), "typewriter", "-i", "text=one two three", "-i", "delayMs=1500", "--format", "ndjson", "--output", str(tmp_path)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT, env=env,
    )
    try:
        assert process.stdout is not None
        first = json.loads(process.stdout.readline())
        second = json.loads(process.stdout.readline())
        assert process.poll() is None, "the first messages must arrive while the endpoint is still running"
        assert (first["data"], second["data"]) == ({"status": "starting"}, {"status": "chunk", "text": "one "})
        rest = ndjson(process.stdout.read())
    finally:
        process.wait(timeout=60)
    assert [e["data"] for e in rest if e["kind"] == "message"][-1] == {"status": "done", "words": 3}
    assert process.returncode == 0


def test_pretty_output_shows_progress_status_and_label(tmp_path: Path):
    result = cli("run", str(EXAMPLE), "generate-report", "-i", "stepDelayMs=0", "--format", "pretty", "--output", str(tmp_path))
    assert result.returncode == 0, result.stderr
    assert "3/3" in result.stdout and "Report ready" in result.stdout and "stream ended" in result.stdout
    assert "downloadUrl: file://" in result.stdout and "sales-report-2026-01-01.csv" in result.stdout


def test_pretty_output_writes_text_chunks_inline(tmp_path: Path):
    result = cli("run", str(EXAMPLE), "typewriter", "-i", "text=Hello streaming world", "-i", "delayMs=0", "--format", "pretty", "--output", str(tmp_path))
    assert "Hello streaming world\n" in result.stdout


def test_bad_input_value_exits_1_naming_the_input(tmp_path: Path):
    result = cli("run", str(EXAMPLE), "generate-report", "-i", "stepDelayMs=soon", "--output", str(tmp_path))
    assert result.returncode == 1 and "stepDelayMs" in result.stderr and "expected integer" in result.stderr


def test_malformed_input_flag_is_a_usage_error(tmp_path: Path):
    result = cli("run", str(EXAMPLE), "typewriter", "-i", "no-equals-sign", "--output", str(tmp_path))
    assert result.returncode == 2 and "NAME=VALUE" in result.stderr


def test_unknown_endpoint_exits_1_listing_the_endpoints(tmp_path: Path):
    result = cli("run", str(EXAMPLE), "nope", "--output", str(tmp_path))
    assert result.returncode == 1 and "generate-report" in result.stderr


def test_a_failed_run_prints_the_error_and_exits_1(tmp_path: Path):
    project = tmp_path / "p.streamwright.json"
    project.write_text(dump_project(project_of(endpoint([action("s", "stream.send", eventData={"status": "x"}), action("boom", "flow.throw", message="broken")]))))
    result = cli("run", str(project), "ep", "--format", "ndjson", "--output", str(tmp_path / "out"))
    assert result.returncode == 1
    last = ndjson(result.stdout)[-1]
    assert (last["kind"], last["message"], last["action_id"]) == ("error", "broken", "boom")


def test_validate_names_the_json_path_of_a_broken_file(tmp_path: Path):
    assert cli("validate", str(EXAMPLE)).returncode == 0
    broken = json.loads(EXAMPLE.read_text())
    broken["endpoints"][1]["workflow"][2]["slots"]["body"][0]["params"]["eventData"]["text"] = {"$formula": "loop.item &"}
    path = tmp_path / "broken.streamwright.json"
    path.write_text(json.dumps(broken))
    result = cli("validate", str(path))
    assert result.returncode == 1
    assert "$.endpoints[1].workflow[2].slots.body[0].params.eventData.text" in result.stderr
    assert "action send_word" in result.stderr


def test_lint_passes_the_example_and_flags_a_message_without_status(tmp_path: Path):
    result = cli("lint", str(EXAMPLE))
    assert result.returncode == 0 and "0 finding(s)" in result.stdout
    path = tmp_path / "p.streamwright.json"
    path.write_text(dump_project(project_of(endpoint([action("s", "stream.send", eventData={"done": 1, "total": 2})]))))
    flagged = cli("lint", str(path), "--json")
    assert flagged.returncode == 1
    assert [f["code"] for f in json.loads(flagged.stdout)] == ["missing-status"]


def test_schema_prints_the_committed_schema():
    result = cli("schema")
    assert result.returncode == 0
    assert result.stdout == (ROOT / "resources" / "schema" / "project.schema.json").read_text()


def test_export_then_import_adds_a_renamed_copy(tmp_path: Path):
    project = tmp_path / "demo.streamwright.json"
    shutil.copy(EXAMPLE, project)
    exported = tmp_path / "typewriter.json"
    assert cli("export", str(project), "typewriter", "-o", str(exported)).returncode == 0
    result = cli("import", str(project), str(exported))
    assert result.returncode == 0 and "typewriter-2" in result.stdout
    names = [e["name"] for e in json.loads(project.read_text())["endpoints"]]
    assert names == ["generate-report", "typewriter", "long-import", "ask-ai", "typewriter-2"]
    assert cli("run", str(project), "typewriter-2", "-i", "text=hi", "-i", "delayMs=0", "--output", str(tmp_path / "o")).returncode == 0


def test_import_of_a_bad_file_leaves_the_project_untouched(tmp_path: Path):
    project = tmp_path / "demo.streamwright.json"
    shutil.copy(EXAMPLE, project)
    before = project.read_bytes()
    bad = tmp_path / "bad.json"
    bad.write_text('{"kind": "streamwright.endpoint", "endpoint": {"name": "x", "path": "/x", "workflow": [{"id": "a", "type": "nope"}]}}')
    result = cli("import", str(project), str(bad))
    assert result.returncode == 1 and "$.endpoint.workflow[0].type" in result.stderr
    assert project.read_bytes() == before


@pytest.mark.parametrize("token", ["-SVi5-a-token", "--Ab_9z", "-"])
def test_serve_takes_a_token_that_begins_with_a_dash(token: str) -> None:
    args = build_parser().parse_args(attach_text_values(["serve", "p.streamwright.json", "--token", token, "--port", "0"]))
    assert args.token == token and args.port == 0


@pytest.mark.parametrize("after", [["--public"], ["--format", "json"], ["-i", "x=1"], []])
def test_a_token_option_followed_by_an_option_still_lacks_its_value(after: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["serve", "p.streamwright.json", "--token", *after]) == 2
    assert "--token: expected one argument" in capsys.readouterr().err
