"""Names in scope at an action: what completion offers and what lint accepts."""

from __future__ import annotations

import pytest

from app.core.lint import lint_project
from app.core.project import EndpointInput
from app.core.project_file import load_project
from app.core.actions.loop import LOOP_SCOPE
from app.core.scope import names_in_scope, scope_at
from tests.conftest import EXAMPLE, action, endpoint, formula, project_of


def _workflow() -> list:
    """start, loop{body: set_a, if{then: inner_loop{body: send}, else: []}}, try{try: http, catch: log}, after."""
    send = action("send", "stream.send", eventData={"status": "x"})
    inner = action("inner", "flow.loop", {"body": [send]}, mode="repeat", times=2)
    branch = action("branch", "flow.if", {"then": [inner], "else": []}, condition=True)
    loop = action("outer", "flow.loop", {"body": [action("set_a", "variable.set", name="a", value=1), branch]}, items=[1])
    guarded = action("guarded", "flow.try", {"try": [action("call", "http.request", resultVariable="response")], "catch": [action("log", "debug.log", message="x")]})
    return [action("start", "stream.send", eventData={"status": "starting"}), loop, guarded, action("after", "debug.log", message="y")]


@pytest.fixture
def ep():
    return endpoint(_workflow(), [EndpointInput(name="zeta"), EndpointInput(name="alpha")])


def test_the_first_action_sees_only_the_inputs_in_declaration_order(ep):
    assert names_in_scope(ep, (0,)) == {"inputs": ["zeta", "alpha"], "variables": [], "results": []}


def test_a_loop_body_sees_loop_fields_but_not_its_own_loop_result(ep):
    names = names_in_scope(ep, (1, "body", 0))
    assert names["results"] == ["start"]
    assert names["loop"] == ["index", "count", "total", "item", "first", "last"]  # no parent in the outermost loop
    assert "caughtError" not in names


def test_nested_loops_offer_parent_and_earlier_variables(ep):
    scope = scope_at(ep, (1, "body", 1, "then", 0, "body", 0))
    assert scope.depth("loop") == 2
    assert scope.names()["loop"] == LOOP_SCOPE.field_names(has_parent=True)
    assert scope.variables == {"a"} and scope.results == {"start", "set_a"}
    assert scope.fields_of(("loop", "parent")) == ["index", "count", "total", "item", "first", "last"]
    assert scope.fields_of(("loop", "parent", "parent")) == []


def test_the_loop_itself_is_outside_its_own_scope(ep):
    assert "loop" not in names_in_scope(ep, (1,))


def test_catch_sees_caught_error_and_what_try_set(ep):
    names = names_in_scope(ep, (2, "catch", 0))
    assert names["caughtError"] == ["message", "action", "actionType"]
    assert names["variables"] == ["a", "response"]
    assert "caughtError" not in names_in_scope(ep, (2, "try", 0))


def test_after_containers_everything_earlier_is_a_result(ep):
    names = names_in_scope(ep, (3,))
    assert names["results"] == sorted(["start", "outer", "set_a", "branch", "inner", "send", "guarded", "call", "log"])
    assert set(names) == {"inputs", "variables", "results"}


def test_roots_and_fields_follow_the_scope(ep):
    scope = scope_at(ep, (2, "catch", 0))
    assert scope.roots() == ["inputs", "variables", "results", "caughtError"]
    assert scope.fields_of(()) == scope.roots()
    assert scope.fields_of(("inputs",)) == ["zeta", "alpha"]
    assert scope.fields_of(("loop",)) == []


def test_a_path_without_an_action_raises(ep):
    with pytest.raises(LookupError):
        scope_at(ep, (9,))


def test_the_long_import_loop_body_sees_its_loop():
    ep = load_project(EXAMPLE).endpoint("long-import")
    names = names_in_scope(ep, (1, "body", 1, "then", 0))
    assert {"count", "total"} <= set(names["loop"])
    assert names["inputs"] == ["rows", "every"]
    assert names["variables"] == ["imported"]


def test_check_explains_what_is_out_of_scope(ep):
    scope = scope_at(ep, (0,))
    assert scope.check(("inputs", "zeta")) is None
    assert "not an input" in scope.check(("inputs", "nope"))
    assert "only in scope inside a Loop" in scope.check(("loop", "count"))
    assert "not in scope" in scope.check(("stream",))


def test_lint_agrees_with_the_scope():
    workflow = [
        action("first", "stream.send", eventData={"status": "x", "v": formula("variables.late")}),
        action("late_set", "variable.set", name="late", value=1),
        action("second", "stream.send", eventData={"status": "x", "v": formula("variables.late + results.late_set")}),
    ]
    problems = lint_project(project_of(endpoint(workflow)))
    assert [(p.action_id, p.code) for p in problems] == [("first", "unknown-name")]
