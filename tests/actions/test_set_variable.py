"""Set variable: later actions read variables.<name>."""

from __future__ import annotations

from app.core.validate import validate_project
from tests.conftest import action, endpoint, formula, project_of


async def test_later_actions_read_the_variable_and_it_can_be_overwritten(run):
    result = await run(
        [
            action("a", "variable.set", name="total", value=1),
            action("b", "variable.set", name="total", value=formula("variables.total + 1")),
            action("s", "stream.send", eventData={"status": "x", "total": formula("variables.total")}),
        ]
    )
    assert result.messages == [{"status": "x", "total": 2}]


async def test_values_can_be_whole_objects_built_by_formulas(run):
    result = await run(
        [
            action("a", "variable.set", name="rows", value=formula('[{"n": 1}, {"n": 2}]')),
            action("s", "stream.send", eventData={"status": "x", "sum": formula("$sum(variables.rows.n)")}),
        ]
    )
    assert result.messages == [{"status": "x", "sum": 3}]


def test_a_variable_name_must_be_an_identifier():
    problems = validate_project(project_of(endpoint([action("a", "variable.set", name="my var")])))
    assert problems[0].path == "$.endpoints[0].workflow[0].params.name"
