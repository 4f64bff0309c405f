"""Project files: load reports every problem by JSON path, save is atomic and diff-friendly."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from app.core.problems import ProjectInvalidError
from app.core.project_file import atomic_write_text, dump_project, load_project, parse_project, save_project
from tests.conftest import EXAMPLE, action, endpoint, formula, project_of


def _doc(workflow: list[dict]) -> str:
    return json.dumps({"formatVersion": 1, "endpoints": [{"name": "ep", "path": "/ep", "workflow": workflow}]})


def _problems(text: str) -> list:
    with pytest.raises(ProjectInvalidError) as caught:
        parse_project(text, "x.streamwright.json")
    return caught.value.problems


def test_the_bundled_example_loads_and_round_trips_byte_for_byte():
    text = EXAMPLE.read_text(encoding="utf-8")
    project = parse_project(text)
    assert [e.name for e in project.endpoints] == ["generate-report", "typewriter", "long-import", "ask-ai"]
    assert parse_project(dump_project(project)) == project
    assert dump_project(parse_project(dump_project(project))) == dump_project(project)


def test_saved_files_have_schema_and_version_first_and_two_space_indent(tmp_path: Path):
    path = tmp_path / "p.streamwright.json"
    save_project(project_of(endpoint([action("s", "stream.send", eventData={"status": "x"})])), path)
    text = path.read_text()
    assert text.startswith('{\n  "$schema": "https://streamwright.dev/schema/project-v1.json",\n  "formatVersion": 1,\n')
    assert text.endswith("}\n")
    assert load_project(path).endpoints[0].workflow[0].params == {"eventData": {"status": "x"}}


def test_json_syntax_error_names_line_and_column():
    problems = _problems('{\n  "formatVersion": 1,\n  "endpoints": [\n}')
    assert len(problems) == 1 and problems[0].path == "$"
    assert problems[0].message.startswith("line 4, column 1:")


def test_model_errors_name_their_json_path():
    problems = _problems(json.dumps({"endpoints": [{"name": "Bad Name", "path": "/ep", "method": "FETCH"}]}))
    paths = {p.path for p in problems}
    assert "$.endpoints[0].name" in paths and "$.endpoints[0].method" in paths


def test_param_errors_name_the_action_and_field():
    problems = _problems(_doc([{"id": "w", "type": "flow.wait", "params": {"milliseconds": -5}}]))
    assert [(p.path, p.action_id, p.field) for p in problems] == [("$.endpoints[0].workflow[0].params.milliseconds", "w", "milliseconds")]


def test_formula_syntax_error_names_action_field_and_position():
    problems = _problems(_doc([{"id": "s", "type": "stream.send", "params": {"eventData": {"status": "x", "done": formula("loop.index +")}}}]))
    (problem,) = problems
    assert problem.path == "$.endpoints[0].workflow[0].params.eventData.done"
    assert (problem.action_id, problem.field, problem.code) == ("s", "eventData.done", "formula-syntax")
    assert isinstance(problem.position, int)
    assert "action s" in str(problem) and "field eventData.done" in str(problem)


def test_unknown_types_slots_and_duplicate_ids_are_all_reported_at_once():
    problems = _problems(
        _doc(
            [
                {"id": "a", "type": "no.such"},
                {"id": "l", "type": "flow.loop", "slots": {"then": [{"id": "a", "type": "debug.log"}]}},
            ]
        )
    )
    messages = [p.message for p in problems]
    assert any("unknown action type 'no.such'" in m for m in messages)
    assert any("has no slot 'then'" in m for m in messages)
    assert any("action id 'a' is used more than once" in m for m in messages)


def test_a_broken_file_is_never_half_loaded(tmp_path: Path):
    path = tmp_path / "p.streamwright.json"
    path.write_text(_doc([{"id": "ok", "type": "debug.log"}, {"id": "bad", "type": "flow.wait", "params": {"milliseconds": "x"}}]))
    with pytest.raises(ProjectInvalidError):
        load_project(path)


def test_newer_format_versions_are_refused_clearly():
    problems = _problems(json.dumps({"formatVersion": 99}))
    assert problems[0].path == "$.formatVersion" and "newer" in problems[0].message


def test_unreadable_file_is_a_problem_not_a_crash(tmp_path: Path):
    with pytest.raises(ProjectInvalidError, match="cannot read file"):
        load_project(tmp_path / "missing.streamwright.json")
    binary = tmp_path / "b.streamwright.json"
    binary.write_bytes(b"\xff\xfe\x00")
    with pytest.raises(ProjectInvalidError, match="not UTF-8"):
        load_project(binary)


def test_atomic_save_keeps_the_old_file_when_writing_fails(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    path = tmp_path / "p.streamwright.json"
    path.write_text("old contents")

    def crash(*args: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(os, "fsync", crash)
    with pytest.raises(OSError, match="disk full"):
        atomic_write_text(path, "new contents")
    assert path.read_text() == "old contents"
    assert [p.name for p in tmp_path.iterdir()] == ["p.streamwright.json"], "no temporary file is left behind"


def test_atomic_save_replaces_the_file_whole(tmp_path: Path):
    path = tmp_path / "p.streamwright.json"
    path.write_text("x" * 10_000)
    atomic_write_text(path, "short\n")
    assert path.read_text() == "short\n"
