"""The CLI on bad files and captures: exit 1 with a message naming the file and where, never a traceback."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from tests.cli.test_cli import cli
from tests.conftest import EXAMPLE


@pytest.fixture
def project(tmp_path: Path) -> Path:
    path = tmp_path / "demo.streamwright.json"
    shutil.copy(EXAMPLE, path)
    return path


def assert_clean_failure(result, *expected: str) -> None:  # type: ignore[no-untyped-def]
    assert result.returncode == 1, (result.stdout, result.stderr)
    assert "Traceback" not in result.stderr, result.stderr
    for text in expected:
        assert text in result.stderr, result.stderr


BAD_DOCUMENTS = {
    "deep": ("[" * 100_000).encode(),
    "not UTF-8": b'{"kind": "streamwright.endpoint", "endpoint": {"name": "caf\xe9"}}',
    "NaN": b'{"kind": "streamwright.endpoint", "formatVersion": 1, "endpoint": {"name": "x", "path": "/x", "inputs": [{"name": "n", "type": "number", "default": NaN}]}}',
}


@pytest.mark.parametrize("name", BAD_DOCUMENTS)
def test_import_of_a_bad_workflow_exits_1_naming_the_file_and_leaves_the_project(project: Path, tmp_path: Path, name: str):
    workflow = tmp_path / "workflow.json"
    workflow.write_bytes(BAD_DOCUMENTS[name])
    before = project.read_bytes()
    assert_clean_failure(cli("import", str(project), str(workflow)), str(workflow))
    assert project.read_bytes() == before


def test_import_names_the_json_path_of_nan(project: Path, tmp_path: Path):
    workflow = tmp_path / "workflow.json"
    workflow.write_bytes(BAD_DOCUMENTS["NaN"])
    assert_clean_failure(cli("import", str(project), str(workflow)), "$.endpoint.inputs[0].default")


@pytest.mark.parametrize("command", [["validate"], ["lint"], ["run", "--format", "ndjson"], ["export"]])
@pytest.mark.parametrize("name", BAD_DOCUMENTS)
def test_every_command_refuses_a_bad_project_file_cleanly(tmp_path: Path, command: list[str], name: str):
    path = tmp_path / "bad.streamwright.json"
    path.write_bytes(BAD_DOCUMENTS[name])
    args = [command[0], str(path), *(["typewriter"] if command[0] in ("run", "export") else []), *command[1:]]
    assert_clean_failure(cli(*args), str(path))


def test_validate_reports_model_and_formula_problems_in_one_go(project: Path):
    document = json.loads(project.read_text())
    document["endpoints"][0]["method"] = "FETCH"
    document["endpoints"][1]["workflow"][2]["slots"]["body"][0]["params"]["eventData"]["text"] = {"$formula": "loop.item &"}
    project.write_text(json.dumps(document))
    result = cli("validate", str(project))
    assert_clean_failure(result, "$.endpoints[0].method", "$.endpoints[1].workflow[2].slots.body[0].params.eventData.text")


CAPTURES = {
    "deep data": (b"data: " + b"[" * 100_000 + b"\n\n", "line 1"),
    "not UTF-8": (b'data: {"status": "done"}\n\ndata: {"label": "caf\xe9"}\n\n', "not UTF-8"),
    "NaN in data": (b'data: {"status": "progress", "done": NaN}\n\n', "$.done"),
    "NaN in NDJSON": (b'{"event": "message", "id": 1, "data": {"x": Infinity}}\n', "line 1"),
    "surrogate": (b'data: {"s": "\\ud800"}\n\n', "surrogate"),
    "huge time note": (b"# t=" + b"9" * 400 + b'\ndata: {"status": "done"}\n\n', "line 1"),
}


@pytest.mark.parametrize("name", CAPTURES)
def test_record_from_a_bad_capture_exits_1_naming_the_capture_and_where(project: Path, tmp_path: Path, name: str):
    capture = tmp_path / "capture.txt"
    data, where = CAPTURES[name]
    capture.write_bytes(data)
    before = project.read_bytes()
    assert_clean_failure(cli("record", str(project), "typewriter", "--from-sse", str(capture)), str(capture), where)
    assert project.read_bytes() == before


def test_a_plain_text_message_that_reads_nan_stays_text(project: Path, tmp_path: Path):
    capture = tmp_path / "capture.txt"
    capture.write_text("data: NaN\n\ndata: Infinity and beyond\n\n")
    assert cli("record", str(project), "typewriter", "--from-sse", str(capture), "--name", "text-nan").returncode == 0
    (recording,) = [r for r in json.loads(project.read_text())["recordings"] if r["name"] == "text-nan"]
    assert [m["data"] for m in recording["messages"]] == ["NaN", "Infinity and beyond"]


@pytest.mark.parametrize(("value", "expected"), [("delayMs=NaN", "delayMs"), ("delayMs=1e999", "delayMs"), ("delayMs=" + "[" * 5000, "delayMs")])
def test_run_refuses_non_json_numbers_and_deep_values_in_inputs(value: str, expected: str):
    assert_clean_failure(cli("run", str(EXAMPLE), "typewriter", "-i", value, "--format", "ndjson"), "invalid input", expected)
