"""Lint: the product page's best practices, each finding tied to an action."""

from __future__ import annotations

from app.core.lint import LintSettings, lint_project
from app.core.project import EndpointInput
from app.core.project_file import load_project
from tests.conftest import EXAMPLE, action, endpoint, formula, project_of


def _codes(workflow, inputs=None, settings=None) -> list[tuple[str, str]]:
    problems = lint_project(project_of(endpoint(workflow, inputs)), settings)
    assert all(p.severity == "warning" for p in problems)
    return [(p.code, p.action_id) for p in problems]


def test_the_bundled_example_follows_the_best_practices():
    assert lint_project(load_project(EXAMPLE)) == []


def test_large_event_data_is_flagged_with_a_configurable_limit():
    big = {"status": "x", "blob": "y" * 300}
    assert _codes([action("s", "stream.send", eventData=big)]) == []
    assert _codes([action("s", "stream.send", eventData=big)], settings=LintSettings(max_event_data_bytes=100)) == [("event-data-size", "s")]


def test_a_message_without_status_is_flagged():
    assert _codes([action("s", "stream.send", eventData={"done": 1, "total": 2})]) == [("missing-status", "s")]


def test_done_without_total_is_flagged():
    assert ("shape-pair", "s") in _codes([action("s", "stream.send", eventData={"status": "progress", "done": 1})])


def test_messages_of_one_status_with_different_shapes_are_flagged():
    codes = _codes(
        [
            action("a", "stream.send", eventData={"status": "progress", "label": "x", "done": 1, "total": 3}),
            action("b", "stream.send", eventData={"status": "progress", "done": 2, "total": 3}),
        ]
    )
    assert codes == [("shape-mismatch", "b")]


def test_sending_on_every_item_of_a_long_loop_suggests_every_n():
    body = [action("s", "stream.send", eventData={"status": "progress", "done": formula("loop.count"), "total": formula("loop.total")})]
    problems = lint_project(project_of(endpoint([action("l", "flow.loop", mode="repeat", times=5000, slots={"body": body})])))
    assert [(p.code, p.action_id) for p in problems] == [("message-every-iteration", "s")]
    assert "every 100 items" in problems[0].message and "loop.count % 100 = 0" in problems[0].message


def test_short_literal_loops_and_throttled_sends_are_fine():
    send = action("s", "stream.send", eventData={"status": "progress", "done": formula("loop.count"), "total": formula("loop.total")})
    assert _codes([action("l", "flow.loop", mode="each", items=[1, 2, 3], slots={"body": [send]})]) == []
    throttled = action("if", "flow.if", condition=formula("loop.count % 100 = 0"), slots={"then": [send]})
    assert _codes([action("l", "flow.loop", mode="repeat", times=5000, slots={"body": [throttled]})]) == []


def test_text_chunks_per_item_are_the_content_and_not_flagged():
    send = action("s", "stream.send", eventData={"status": "chunk", "text": formula("loop.item")})
    assert _codes([action("l", "flow.loop", items=formula("inputs.words"), slots={"body": [send]})], [EndpointInput(name="words", type="array")]) == []


def test_formulas_naming_something_out_of_scope_are_flagged():
    problems = lint_project(
        project_of(
            endpoint(
                [
                    action("a", "stream.send", eventData={"status": "x", "n": formula("inputs.nope")}),
                    action("b", "stream.send", eventData={"status": "x", "n": formula("loop.index")}),
                    action("c", "stream.send", eventData={"status": "x", "n": formula("variables.later")}),
                    action("d", "variable.set", name="later", value=1),
                    action("e", "stream.send", eventData={"status": "x", "n": formula("variables.later + results.d")}),
                    action("f", "stream.send", eventData={"status": "x", "n": formula("caughtError.message")}),
                    action("g", "stream.send", eventData={"status": "x", "n": formula("stream.chunk")}),
                ],
                [EndpointInput(name="known")],
            )
        )
    )
    found = {(p.action_id, p.field) for p in problems if p.code == "unknown-name"}
    assert found == {("a", "eventData.n"), ("b", "eventData.n"), ("c", "eventData.n"), ("f", "eventData.n"), ("g", "eventData.n")}
    message = next(p.message for p in problems if p.action_id == "a")
    assert "inputs.nope is not an input" in message and "known" in message


def test_loop_and_caught_error_are_in_scope_where_they_exist():
    workflow = [
        action(
            "t",
            "flow.try",
            slots={
                "try": [action("l", "flow.loop", items=[1], slots={"body": [action("s", "stream.send", eventData={"status": "x", "i": formula("loop.item")})]})],
                "catch": [action("c", "stream.send", eventData={"status": "error", "m": formula("caughtError.message")})],
            },
        )
    ]
    assert _codes(workflow) == []


def test_lint_survives_a_formula_with_an_unpaired_surrogate():
    from app.core.formula_checks import formula_problems
    from app.core.lint import lint_project
    from tests.conftest import action, endpoint, formula, project_of

    project = project_of(endpoint([action("s", "stream.send", eventData={"status": "x", "text": formula('"a\ud800"')})]))
    assert isinstance(lint_project(project), list)
    (problem,) = formula_problems({"$formula": 'x & "\ud800"'}, "text", "$.p", action_id="s")
    assert problem.position == 5 and "surrogate" in problem.message
