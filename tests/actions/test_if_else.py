"""If/else: JSONata truthiness picks the branch."""

from __future__ import annotations

import pytest

from app.core.validate import validate_project
from tests.conftest import action, endpoint, formula, project_of


@pytest.mark.parametrize(
    ("condition", "branch"),
    [("true", "then"), ("false", "else"), ("0", "else"), ("1", "then"), ('""', "else"), ('"x"', "then"), ("[]", "else"), ("{}", "else"), ('{"a": 1}', "then"), ("null", "else"), ("inputs.missing", "else"), ("[0, 1]", "then")],
)
async def test_truthiness_follows_jsonata(run, condition: str, branch: str):
    slots = {"then": [action("t", "stream.send", eventData={"status": "then"})], "else": [action("e", "stream.send", eventData={"status": "else"})]}
    result = await run([action("if", "flow.if", condition=formula(condition), slots=slots)])
    assert result.messages == [{"status": branch}]


async def test_an_empty_branch_does_nothing(run):
    result = await run([action("if", "flow.if", condition=False, slots={"then": [action("t", "flow.throw")]})])
    assert result.result.status_code == 200


def test_unknown_slot_is_a_validation_problem():
    problems = validate_project(project_of(endpoint([action("if", "flow.if", slots={"body": []})])))
    assert problems[0].path == "$.endpoints[0].workflow[0].slots.body"
