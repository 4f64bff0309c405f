"""Throw error: fails with its message, catchable."""

from __future__ import annotations

from app.core.validate import validate_project
from tests.conftest import action, endpoint, formula, project_of


async def test_throw_ends_the_run_with_its_message(run):
    result = await run([action("t", "flow.throw", message=formula('"row " & 7 & " is invalid"'))])
    assert (result.error.message, result.error.action_id, result.error.action_type) == ("row 7 is invalid", "t", "flow.throw")


def test_message_must_be_text():
    problems = validate_project(project_of(endpoint([action("t", "flow.throw", message=5)])))
    assert problems and problems[0].action_id == "t"
