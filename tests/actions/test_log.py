"""Log: a run log line with a level; never a stream message."""

from __future__ import annotations

from app.core.events import LogEvent
from app.core.validate import validate_project
from tests.conftest import action, endpoint, formula, project_of


async def test_log_message_from_formula(run):
    result = await run([action("l", "debug.log", message={"n": formula("1 + 1")}, level="error")])
    (log,) = [e for e in result.events if isinstance(e, LogEvent)]
    assert (log.message, log.level, log.action_id) == ({"n": 2}, "error", "l")
    assert result.messages == [] and result.result.streamed is False


def test_unknown_level_is_a_validation_problem():
    problems = validate_project(project_of(endpoint([action("l", "debug.log", level="loud")])))
    assert problems[0].path == "$.endpoints[0].workflow[0].params.level"
