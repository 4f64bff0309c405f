"""Send streaming response: Event Data literals and formulas, evaluated at the moment of sending."""

from __future__ import annotations

from app.core.validate import validate_project
from tests.conftest import action, endpoint, formula, project_of


async def test_event_data_mixes_literals_and_formulas(run):
    result = await run(
        [
            action("v", "variable.set", name="n", value=2),
            action("s", "stream.send", eventData={"status": "progress", "done": formula("variables.n"), "total": 3, "meta": {"deep": formula("variables.n * 10")}}),
        ]
    )
    assert result.messages == [{"status": "progress", "done": 2, "total": 3, "meta": {"deep": 20}}]


async def test_each_message_sees_the_scope_at_its_own_moment(run):
    result = await run(
        [action("l", "flow.loop", items=["a", "b"], slots={"body": [action("s", "stream.send", eventData={"status": "chunk", "text": formula("loop.item")})]})]
    )
    assert result.messages == [{"status": "chunk", "text": "a"}, {"status": "chunk", "text": "b"}]


async def test_literal_messages_are_independent_copies(run):
    result = await run([action("l", "flow.loop", mode="repeat", times=2, slots={"body": [action("s", "stream.send", eventData={"status": "x"})]})])
    first, second = result.messages
    first["status"] = "changed"
    assert second == {"status": "x"}


def test_event_data_must_be_an_object():
    problems = validate_project(project_of(endpoint([action("s", "stream.send", eventData=[1, 2])])))
    assert [(p.path, p.action_id) for p in problems] == [("$.endpoints[0].workflow[0].params.eventData", "s")]


def test_a_broken_formula_in_event_data_is_found_before_running():
    problems = validate_project(project_of(endpoint([action("s", "stream.send", eventData={"status": formula('"a" &')})])))
    assert problems[0].field == "eventData.status" and problems[0].code == "formula-syntax"
