"""Wait: pauses; bad durations are refused."""

from __future__ import annotations

from app.core.events import ActionFinished
from app.core.validate import validate_project
from tests.conftest import action, endpoint, formula, project_of


async def test_wait_pauses_at_least_the_given_time(run):
    result = await run([action("w", "flow.wait", milliseconds=formula("20 + 10"))])
    span = next(e for e in result.events if isinstance(e, ActionFinished))
    assert span.duration >= 0.029


def test_negative_literal_is_a_validation_problem():
    problems = validate_project(project_of(endpoint([action("w", "flow.wait", milliseconds=-1)])))
    assert problems[0].field == "milliseconds"


async def test_negative_formula_result_is_a_run_error(run):
    result = await run([action("w", "flow.wait", milliseconds=formula("-5"))])
    assert result.error.action_id == "w" and "greater than or equal to 0" in result.error.message


async def test_a_non_number_is_a_run_error(run):
    result = await run([action("w", "flow.wait", milliseconds=formula('"abc"'))])
    assert "milliseconds" in result.error.message
