"""The run's memory bound: variables, results and Event Data beyond it fail the action that made them."""

from __future__ import annotations

from dataclasses import replace

from app.core.events import ResultEvent
from app.core.formula import MB
from app.core.run_context import RunLimits
from app.engine import Engine
from tests.conftest import RunResult, action, endpoint, formula, project_of


async def _run(settings, workflow, limits: RunLimits) -> RunResult:
    bounded = replace(settings, limits=limits)
    return RunResult([event async for event in Engine(project_of(endpoint(workflow))).run("ep", {}, bounded)])


async def test_a_variable_growing_past_the_run_bound_fails_the_action_that_set_it(settings):
    grow = action("grow", "variable.set", name="acc", value=formula('$append(variables.acc, $join([1..1000].("0123456789")))'))
    workflow = [
        action("init", "variable.set", name="acc", value=[]),
        action("l", "flow.loop", mode="repeat", times=1000, slots={"body": [grow]}),
    ]
    result = await _run(settings, workflow, RunLimits(run_memory_bytes=1 * MB))
    assert result.error.action_id == "grow"
    assert "variables.acc would take" in result.error.message
    assert "over the run's memory bound of 1.0 MB" in result.error.message


async def test_event_data_bigger_than_the_room_left_fails_the_send(settings):
    workflow = [action("big", "stream.send", eventData={"status": "x", "text": formula('$join([1..20000].("0123456789"))')})]
    result = await _run(settings, workflow, RunLimits(run_memory_bytes=100_000))
    assert result.error.action_id == "big"
    assert "the Event Data would take 195.3 KB" in result.error.message and "memory bound of 97.7 KB" in result.error.message
    assert result.messages == []


async def test_replaced_values_are_released(settings):
    # each message replaces the last in results.<id>: a long stream of small messages never fills the bound
    body = [action("s", "stream.send", eventData={"status": "x", "text": formula('$join([1..100].("0123456789"))')})]
    workflow = [action("l", "flow.loop", mode="repeat", times=500, slots={"body": body})]
    result = await _run(settings, workflow, RunLimits(run_memory_bytes=10_000))
    assert isinstance(result.last, ResultEvent) and len(result.messages) == 500


async def test_a_formula_running_to_its_limit_fails_the_run_naming_action_and_field(settings):
    workflow = [action("slow", "stream.send", eventData={"status": "x", "n": formula("($f := function($n) { $f($n + 1) }; $f(0))")})]
    result = await _run(settings, workflow, RunLimits(formula_timeout_s=0.3))
    assert result.error.action_id == "slow"
    assert "eventData: the formula ran past its time limit of 0.3 s" in result.error.message


async def test_a_formula_over_its_memory_bound_fails_the_run_naming_action_and_field(settings):
    workflow = [action("big", "variable.set", name="s", value=formula('$reduce([1..30], function($a, $i) { $a & $a }, "x")'))]
    result = await _run(settings, workflow, RunLimits(formula_timeout_s=120, formula_memory_bytes=32 * MB))  # only memory can stop it, however busy the machine
    assert result.error.action_id == "big"
    assert "value: the formula exceeded its memory bound of 32 MB" in result.error.message
