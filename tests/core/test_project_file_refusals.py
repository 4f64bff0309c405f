"""Project files and imports: what json.loads would accept but we refuse, and every problem reported at once."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from app.core.exchange import endpoint_from_document
from app.core.problems import ProjectInvalidError
from app.core.project_file import load_project, parse_json, parse_project
from tests.conftest import EXAMPLE


def _problems(text: str | bytes) -> list:
    with pytest.raises(ProjectInvalidError) as caught:
        parse_project(text, "p.streamwright.json")
    return caught.value.problems


def test_nan_in_a_project_file_is_refused_with_its_json_path():
    text = EXAMPLE.read_text().replace('"default": 2400', '"default": NaN', 1)
    assert "NaN" in text
    (problem,) = _problems(text)
    assert problem.path.startswith("$.endpoints[0].inputs[") and problem.path.endswith("].default")
    assert "NaN" in problem.message


def test_infinity_and_huge_numbers_in_params_are_refused():
    document = json.loads(EXAMPLE.read_text())
    text = json.dumps(document).replace('"milliseconds": {', '"milliseconds": 1e999, "x": {', 1)
    (problem,) = _problems(text)
    assert "not a finite number" in problem.message and problem.path.startswith("$.endpoints[")


def test_a_very_deep_project_file_is_one_problem_not_a_crash(tmp_path: Path):
    path = tmp_path / "deep.streamwright.json"
    path.write_text('{"endpoints": ' + "[" * 100_000)
    with pytest.raises(ProjectInvalidError) as caught:
        load_project(path)
    assert "nested deeper than" in caught.value.problems[0].message and caught.value.source == str(path)


def test_a_project_file_that_is_not_utf8_names_the_byte(tmp_path: Path):
    path = tmp_path / "latin1.streamwright.json"
    path.write_bytes(b'{"name": "caf\xe9"}')
    with pytest.raises(ProjectInvalidError) as caught:
        load_project(path)
    assert "not UTF-8" in str(caught.value) and "byte 13" in str(caught.value)


def test_a_formula_with_an_unpaired_surrogate_is_a_formula_problem_with_its_position():
    document = json.loads(EXAMPLE.read_text())
    document["endpoints"][0]["workflow"][0]["params"]["eventData"] = {"status": {"$formula": '"a' + "\ud800" + '"'}}
    problems = _problems(json.dumps(document, ensure_ascii=False).encode("utf-8", "surrogatepass").decode("utf-8", "surrogatepass"))
    assert any("surrogate" in p.message for p in problems)


def test_model_param_formula_and_reference_problems_are_reported_together():
    """One bad field (a model problem) no longer hides formula and param problems elsewhere."""
    document = json.loads(EXAMPLE.read_text())
    document["endpoints"][0]["name"] = "Not A Slug"  # model problem
    document["endpoints"][1]["workflow"][0]["params"] = {"milliseconds": {"$formula": "(("}}  # formula, valid endpoint
    document["endpoints"][1]["workflow"][0]["type"] = "flow.wait"
    document["endpoints"][0]["workflow"][0]["params"]["eventData"] = {"status": {"$formula": "1 +"}}  # formula, broken endpoint
    document["endpoints"][2]["name"] = document["endpoints"][1]["name"]  # duplicate name: a whole-project problem
    document["recordings"] = [{"name": "r"}]  # model problem in another list
    paths = {p.path for p in _problems(json.dumps(document))}
    assert "$.endpoints[0].name" in paths
    assert "$.recordings[0].endpoint" in paths
    assert "$.endpoints[1].workflow[0].params.milliseconds" in paths
    assert "$.endpoints[0].workflow[0].params.eventData.status" in paths
    assert "$.endpoints" in paths, "the duplicate endpoint name"


def test_an_import_reports_model_and_formula_problems_together():
    document = {
        "kind": "streamwright.endpoint",
        "endpoint": {"name": "x", "path": "/x", "workflow": [{"id": "bad id", "type": "flow.wait", "params": {"milliseconds": {"$formula": "(("}}}]},
    }
    with pytest.raises(ProjectInvalidError) as caught:
        endpoint_from_document(document, "w.json")
    paths = {p.path for p in caught.value.problems}
    assert {"$.endpoint.workflow[0].id", "$.endpoint.workflow[0].params.milliseconds"} <= paths


def test_pasted_text_goes_through_the_same_reader():
    with pytest.raises(ProjectInvalidError) as caught:
        parse_json(b'{"kind": "x", "v": [NaN]}', "clipboard")
    assert caught.value.problems[0].path == "$.v[0]"
