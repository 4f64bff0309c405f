"""Try/catch: catches errors of any action inside try, including nested containers."""

from __future__ import annotations

from app.core.validate import validate_project
from tests.conftest import action, endpoint, formula, project_of


async def test_catches_errors_from_deep_inside_and_exposes_the_failing_action(run):
    failing = action("bad_wait", "flow.wait", milliseconds=formula('"x"'))
    loop = action("l", "flow.loop", items=[1], slots={"body": [failing]})
    catch = [action("c", "stream.send", eventData={"status": "error", "action": formula("caughtError.action"), "type": formula("caughtError.actionType")})]
    result = await run([action("t", "flow.try", slots={"try": [loop], "catch": catch})])
    assert result.messages == [{"status": "error", "action": "bad_wait", "type": "flow.wait"}]


async def test_no_error_means_catch_never_runs(run):
    result = await run([action("t", "flow.try", slots={"try": [action("a", "stream.send", eventData={"status": "ok"})], "catch": [action("c", "flow.throw")]})])
    assert result.messages == [{"status": "ok"}] and result.result


async def test_caught_error_is_out_of_scope_after_the_catch(run):
    catch = [action("c", "debug.log", message="caught")]
    result = await run(
        [
            action("t", "flow.try", slots={"try": [action("a", "flow.throw", message="x")], "catch": catch}),
            action("s", "stream.send", eventData={"status": "x", "m": formula("caughtError.message")}),
        ]
    )
    assert result.messages == [{"status": "x"}]


def test_try_catch_takes_no_params():
    problems = validate_project(project_of(endpoint([action("t", "flow.try", retries=3)])))
    assert problems[0].path == "$.endpoints[0].workflow[0].params.retries"
