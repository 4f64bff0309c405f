"""``streamwright test``, ``run --check``, ``record`` and ``test-from``, run as real subprocesses the way users run them."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from app.core.project_file import load_project
from tests.conftest import EXAMPLE, ROOT


def cli(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONUNBUFFERED": "1", "COLUMNS": "200"}
    return subprocess.run([sys.executable, "-m", "app", *args], capture_output=True, text=True, cwd=ROOT, env=env, timeout=120)


def ndjson(text: str) -> list[dict]:
    return [json.loads(line) for line in text.splitlines() if line.strip()]


@pytest.fixture
def copy(tmp_path: Path) -> Path:
    """A private copy of the bundled example (project file and its SQLite database)."""
    folder = tmp_path / "example"
    shutil.copytree(EXAMPLE.parent, folder)
    return folder / EXAMPLE.name


def drop_final_message(path: Path) -> None:
    """The change the stream tests must catch: generate-report no longer sends its final (``done``) message."""
    document = json.loads(path.read_text())
    report = next(e for e in document["endpoints"] if e["name"] == "generate-report")
    assert report["workflow"][-1]["id"] == "send_done"
    report["workflow"].pop()
    path.write_text(json.dumps(document, indent=2))


# -- streamwright test ------------------------------------------------------------------------------------


def test_the_bundled_example_passes_its_stream_tests():
    result = cli("test", str(EXAMPLE))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "PASS report-stream (generate-report)" in result.stdout and "PASS typewriter-stream (typewriter)" in result.stdout
    assert "2 stream tests: 2 passed, 0 failed" in result.stdout


def test_dropping_the_final_message_fails_with_exit_1_naming_it(copy: Path):
    drop_final_message(copy)
    result = cli("test", str(copy))
    assert result.returncode == 1
    assert "FAIL report-stream (generate-report)" in result.stdout and "PASS typewriter-stream" in result.stdout
    assert "the stream ended without its final message: expected a message with status 'done' and fields done, downloadUrl, label, revenue, total" in result.stdout
    assert "1 passed, 1 failed" in result.stdout


def test_json_output_for_ci(copy: Path):
    drop_final_message(copy)
    result = cli("test", str(copy), "generate-report", "--format", "json")
    assert result.returncode == 1
    report = json.loads(result.stdout)
    assert report["passed"] is False and [t["name"] for t in report["tests"]] == ["report-stream"]
    assert report["tests"][0]["differences"][0]["kind"] == "final" and report["tests"][0]["messages"] == 4


def test_one_endpoint_s_tests_and_an_endpoint_without_tests(copy: Path):
    only = cli("test", str(copy), "typewriter")
    assert only.returncode == 0 and "typewriter-stream" in only.stdout and "report-stream" not in only.stdout
    untested = cli("test", str(copy), "long-import")
    assert untested.returncode == 1 and "endpoint 'long-import' has no stream test" in untested.stderr
    unknown = cli("test", str(copy), "nope")
    assert unknown.returncode == 1 and "no endpoint named 'nope'" in unknown.stderr


def test_a_project_without_stream_tests_passes_with_a_note(copy: Path):
    document = json.loads(copy.read_text())
    document.pop("streamTests")
    copy.write_text(json.dumps(document))
    result = cli("test", str(copy))
    assert result.returncode == 0 and "no stream tests in" in result.stdout


# -- run --check -------------------------------------------------------------------------------------------


def test_run_check_ends_the_ndjson_with_a_health_line(tmp_path: Path):
    result = cli("run", str(EXAMPLE), "generate-report", "-i", "stepDelayMs=0", "--format", "ndjson", "--check", "--output", str(tmp_path))
    assert result.returncode == 0, result.stderr
    events = ndjson(result.stdout)
    assert [e["kind"] for e in events][-2:] == ["result", "health"]
    health = events[-1]
    assert health["ok"] is True and health["findings"] == [] and health["summary"]["count"] == 5


def test_run_check_fails_a_stream_without_its_final_message(copy: Path, tmp_path: Path):
    drop_final_message(copy)
    plain = cli("run", str(copy), "generate-report", "-i", "stepDelayMs=0", "--format", "ndjson", "--output", str(tmp_path))
    assert plain.returncode == 0  # the run itself succeeds
    checked = cli("run", str(copy), "generate-report", "-i", "stepDelayMs=0", "--format", "ndjson", "--check", "--output", str(tmp_path))
    assert checked.returncode == 1
    health = ndjson(checked.stdout)[-1]
    assert [(f["code"], f["severity"], f["seq"]) for f in health["findings"]] == [("no-final-message", "error", 4)]
    pretty = cli("run", str(copy), "generate-report", "-i", "stepDelayMs=0", "--format", "pretty", "--check", "--output", str(tmp_path))
    assert pretty.returncode == 1 and "no-final-message" in pretty.stdout and "1 error" in pretty.stdout


def test_run_check_limits_are_options_and_strict_fails_on_warnings(tmp_path: Path):
    args = ["run", str(EXAMPLE), "long-import", "-i", "rows=300", "-i", "every=100", "--format", "ndjson", "--output", str(tmp_path), "--check"]
    relaxed = cli(*args, "--max-gap", "0.05")  # the import pauses 150 ms after each progress message
    assert relaxed.returncode == 0
    health = ndjson(relaxed.stdout)[-1]
    assert health["ok"] is False and {f["code"] for f in health["findings"]} == {"long-gap"}
    assert cli(*args, "--max-gap", "0.05", "--strict").returncode == 1
    assert cli(*args, "--strict").returncode == 0


# -- record and test-from ----------------------------------------------------------------------------------


def test_record_saves_a_recording_and_as_test_a_stream_test(copy: Path):
    result = cli("record", str(copy), "typewriter", "-i", "text=one two three", "-i", "delayMs=0", "--name", "Short Run", "--as-test")
    assert result.returncode == 0, result.stderr
    assert "recorded short-run: 5 message(s)" in result.stdout and "added stream test short-run" in result.stdout
    project = load_project(copy)
    recording = next(r for r in project.recordings if r.name == "short-run")
    assert recording.inputs == {"text": "one two three", "delayMs": 0} and recording.source == "run"
    assert [m.data for m in recording.messages][-1] == {"status": "done", "words": 3}
    test = next(t for t in project.stream_tests if t.name == "short-run")
    assert test.statuses == ["starting", "chunk", "done"] and test.from_recording == "short-run"
    assert cli("test", str(copy), "typewriter").returncode == 0

    again = cli("record", str(copy), "typewriter", "-i", "delayMs=0", "--name", "short-run")
    assert again.returncode == 0 and "recorded short-run-2" in again.stdout
    replaced = cli("record", str(copy), "typewriter", "-i", "text=four", "-i", "delayMs=0", "--name", "short-run", "--replace")
    assert replaced.returncode == 0
    names = [r.name for r in load_project(copy).recordings]
    assert names.count("short-run") == 1 and "short-run-2" in names
    assert [len(r.messages) for r in load_project(copy).recordings if r.name == "short-run"] == [3]


def test_record_reads_an_sse_capture(copy: Path, tmp_path: Path):
    capture = tmp_path / "capture.txt"
    capture.write_text('id: 1\ndata: {"status":"starting"}\n\nid: 2\ndata: {"status":"done","words":0}\n\n')
    result = cli("record", str(copy), "typewriter", "--from-sse", str(capture), "--name", "captured")
    assert result.returncode == 0, result.stderr
    recording = next(r for r in load_project(copy).recordings if r.name == "captured")
    assert recording.source == "sse" and [m.t for m in recording.messages] == [0.1, 0.2]
    capture.write_text("data: {}\n\nrubbish\n")
    bad = cli("record", str(copy), "typewriter", "--from-sse", str(capture))
    assert bad.returncode == 1 and "line 3: not an SSE line" in bad.stderr


def test_test_from_turns_a_recording_into_an_exact_test_with_faster_inputs(copy: Path):
    result = cli("test-from", str(copy), "report-run", "--name", "report-exact", "--exact", "-i", "stepDelayMs=0")
    assert result.returncode == 0, result.stderr
    test = next(t for t in load_project(copy).stream_tests if t.name == "report-exact")
    assert test.exact and test.inputs == {"since": "2026-01-01", "stepDelayMs": 0} and len(test.messages) == 5
    assert cli("test", str(copy), "generate-report").returncode == 0
    missing = cli("test-from", str(copy), "no-such-recording")
    assert missing.returncode == 1 and "no recording named 'no-such-recording'" in missing.stderr


def test_help_for_the_new_commands():
    for command in ("test", "record", "test-from"):
        result = cli(command, "--help")
        assert result.returncode == 0 and "usage: streamwright" in result.stdout
    assert "--check" in cli("run", "--help").stdout
