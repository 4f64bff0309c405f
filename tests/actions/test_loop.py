"""Loop: for each item or N times, with loop.index/count/total/item/first/last/parent."""

from __future__ import annotations

from app.core.project import EndpointInput
from app.core.validate import validate_project
from tests.conftest import action, endpoint, formula, project_of

FIELDS = {"status": "x", "i": formula("loop.index"), "c": formula("loop.count"), "t": formula("loop.total"), "item": formula("loop.item"), "first": formula("loop.first"), "last": formula("loop.last")}


async def test_for_each_exposes_the_loop_fields(run):
    result = await run([action("l", "flow.loop", items=formula('["a", "b"]'), slots={"body": [action("s", "stream.send", eventData=FIELDS)]})])
    assert result.messages == [
        {"status": "x", "i": 0, "c": 1, "t": 2, "item": "a", "first": True, "last": False},
        {"status": "x", "i": 1, "c": 2, "t": 2, "item": "b", "first": False, "last": True},
    ]


async def test_repeat_n_times(run):
    result = await run([action("l", "flow.loop", mode="repeat", times=formula("1 + 2"), slots={"body": [action("s", "stream.send", eventData={"status": "x", "i": formula("loop.index")})]})])
    assert [m["i"] for m in result.messages] == [0, 1, 2]


async def test_nested_loops_see_the_outer_loop_as_parent(run):
    inner = action("inner", "flow.loop", items=[10, 20], slots={"body": [action("s", "stream.send", eventData={"status": "x", "v": formula("loop.parent.item + loop.item")})]})
    result = await run([action("outer", "flow.loop", items=[1, 2], slots={"body": [inner]})])
    assert [m["v"] for m in result.messages] == [11, 21, 12, 22]


async def test_loop_is_out_of_scope_after_the_loop(run):
    result = await run(
        [
            action("l", "flow.loop", items=[1], slots={"body": []}),
            action("s", "stream.send", eventData={"status": "x", "i": formula("loop.index")}),
        ]
    )
    assert result.messages == [{"status": "x"}]


async def test_a_single_value_is_a_list_of_one_and_null_is_empty(run):
    body = [action("s", "stream.send", eventData={"status": "x", "item": formula("loop.item")})]
    single = await run([action("l", "flow.loop", items=formula('{"a": 1}'), slots={"body": body})])
    assert single.messages == [{"status": "x", "item": {"a": 1}}]
    empty = await run([action("l", "flow.loop", items=formula("null"), slots={"body": body})])
    assert empty.messages == []


async def test_repeat_with_a_negative_count_is_a_run_error(run):
    result = await run([action("l", "flow.loop", mode="repeat", times=formula("-1"))])
    assert result.error.action_id == "l" and "times" in result.error.message


def test_bad_mode_and_negative_literal_times_are_validation_problems():
    problems = validate_project(project_of(endpoint([action("l", "flow.loop", mode="forever"), action("m", "flow.loop", mode="repeat", times=-2)])))
    assert {(p.action_id, p.field) for p in problems} == {("l", "mode"), ("m", "times")}


async def test_a_huge_repeat_count_allocates_nothing_up_front(settings):
    import tracemalloc

    from app.engine import Engine

    body = [action("s", "stream.send", eventData={"status": "x", "n": formula("loop.count"), "of": formula("loop.total")})]
    workflow = [action("l", "flow.loop", mode="repeat", times=formula("inputs.n"), slots={"body": body})]
    project = project_of(endpoint(workflow, inputs=[EndpointInput(name="n", type="number")]))
    tracemalloc.start()
    try:
        events = Engine(project).run("ep", {"n": 5_000_000}, settings)
        messages = []
        async for event in events:
            if event.kind == "message":
                messages.append(event.data)
                if len(messages) == 3:
                    break
        await events.aclose()  # cancelled after three iterations
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert messages[-1] == {"status": "x", "n": 3, "of": 5_000_000}
    assert peak < 2_000_000  # a materialized list of 5,000,000 counts would be ~180 MB


async def test_the_enclosing_loop_is_back_after_a_body_fails(run):
    """An error in a nested Loop's body, caught around it, leaves ``loop`` as the enclosing Loop's frame."""
    failing = action("t", "flow.throw", message="item 2 is broken")
    inner = action("inner", "flow.loop", items=[1, 2, 3], slots={"body": [action("i", "stream.send", eventData={"status": "inner", "v": formula("loop.item")}), failing]})
    guarded = action("try", "flow.try", slots={"try": [inner], "catch": [action("c", "stream.send", eventData={"status": "caught", "outer": formula("loop.item")})]})
    after = action("after", "stream.send", eventData={"status": "after", "outer": formula("loop.item"), "count": formula("loop.count")})
    result = await run([action("outer", "flow.loop", items=["a", "b"], slots={"body": [guarded, after]}), action("end", "stream.send", eventData={"status": "end", "i": formula("loop.index")})])
    assert result.messages == [
        {"status": "inner", "v": 1},
        {"status": "caught", "outer": "a"},
        {"status": "after", "outer": "a", "count": 1},
        {"status": "inner", "v": 1},
        {"status": "caught", "outer": "b"},
        {"status": "after", "outer": "b", "count": 2},
        {"status": "end"},  # no loop in scope after the outer Loop
    ]


async def test_a_loop_inside_a_loop_body_runs_fully_each_time(run):
    inner = action("inner", "flow.loop", mode="repeat", times=formula("loop.item"), slots={"body": [action("s", "stream.send", eventData={"status": "x", "v": formula("loop.parent.item & ':' & loop.count")})]})
    result = await run([action("outer", "flow.loop", items=[2, 0, 1], slots={"body": [inner]})])
    assert [m["v"] for m in result.messages] == ["2:1", "2:2", "1:1"]
