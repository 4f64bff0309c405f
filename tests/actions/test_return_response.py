"""Return response: status code and body; ends the endpoint."""

from __future__ import annotations

from app.core.validate import validate_project
from tests.conftest import action, endpoint, formula, project_of


async def test_status_and_body_from_formulas(run):
    result = await run([action("r", "response.return", statusCode=formula("200 + 2"), body={"items": formula("[1, 2]")})])
    assert (result.result.status_code, result.result.body) == (202, {"items": [1, 2]})


async def test_return_inside_a_loop_ends_the_whole_endpoint(run):
    body = [action("s", "stream.send", eventData={"status": "x", "i": formula("loop.index")}), action("r", "response.return", body="stopped")]
    result = await run([action("l", "flow.loop", mode="repeat", times=5, slots={"body": body})])
    assert result.messages == [{"status": "x", "i": 0}]
    assert result.result.body == "stopped"


async def test_return_inside_try_is_not_caught(run):
    result = await run([action("t", "flow.try", slots={"try": [action("r", "response.return", statusCode=204)], "catch": [action("c", "stream.send")]})])
    assert result.result.status_code == 204 and result.messages == []


async def test_a_status_code_formula_out_of_range_is_an_error(run):
    result = await run([action("r", "response.return", statusCode=formula("42"))])
    assert result.error.action_id == "r" and "statusCode" in result.error.message


def test_literal_status_code_out_of_range_is_a_validation_problem():
    problems = validate_project(project_of(endpoint([action("r", "response.return", statusCode=700)])))
    assert problems[0].path == "$.endpoints[0].workflow[0].params.statusCode"
