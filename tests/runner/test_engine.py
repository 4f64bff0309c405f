"""Engine semantics: the stream contract, results, errors, try/catch, cancellation."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from app.core.events import ActionFinished, ActionStarted, ErrorEvent, LogEvent, MessageEvent, ResultEvent
from app.core.inputs import InputError
from app.core.project import EndpointInput
from app.core.run_context import RunSettings
from app.engine import Engine
from tests.conftest import action, endpoint, formula, project_of


async def test_endpoint_without_streaming_action_is_a_normal_call(run):
    result = await run([action("v", "variable.set", name="x", value=1)])
    assert result.messages == []
    assert (result.result.status_code, result.result.body) == (200, None)
    assert result.result.streamed is False and result.result.returned is False


async def test_first_send_starts_the_stream_and_each_next_adds_a_message(run):
    result = await run(
        [
            action("a", "stream.send", eventData={"status": "starting"}),
            action("b", "stream.send", eventData={"status": "progress", "done": 1, "total": 2}),
            action("c", "stream.send", eventData={"status": "done"}),
        ]
    )
    messages = [e for e in result.events if isinstance(e, MessageEvent)]
    assert [m.seq for m in messages] == [1, 2, 3]
    assert [m.action_id for m in messages] == ["a", "b", "c"]
    assert result.messages[1] == {"status": "progress", "done": 1, "total": 2}
    assert result.result.streamed is True and result.result.message_count == 3


async def test_return_response_ends_the_endpoint_with_its_status_and_body(run, settings):
    result = await run(
        [
            action("v", "variable.set", name="n", value=41),
            action("r", "response.return", statusCode=201, body={"answer": formula("variables.n + 1")}),
            action("after", "file.create", fileName="never.txt", format="text", content="x"),
        ]
    )
    assert (result.result.status_code, result.result.body, result.result.returned) == (201, {"answer": 42}, True)
    assert not (settings.output_root).exists(), "no action may run after Return response"


async def test_return_response_after_messages_is_the_streams_result(run):
    result = await run([action("s", "stream.send", eventData={"status": "done"}), action("r", "response.return", body="ok")])
    assert result.kinds()[-1] == "result"
    assert result.result.streamed and result.result.returned and result.result.body == "ok"


async def test_trace_reports_action_spans_in_execution_order(run):
    result = await run(
        [action("loop", "flow.loop", mode="repeat", times=2, slots={"body": [action("s", "stream.send", eventData={"status": "x"})]})]
    )
    spans = [(e.kind, e.action_id) for e in result.events if isinstance(e, (ActionStarted, ActionFinished))]
    assert spans == [
        ("action_started", "loop"),
        ("action_started", "s"),
        ("action_finished", "s"),
        ("action_started", "s"),
        ("action_finished", "s"),
        ("action_finished", "loop"),
    ]
    finished = [e for e in result.events if isinstance(e, ActionFinished)]
    assert all(e.ok and e.duration >= 0 for e in finished)
    # a message comes between its action's start and finish
    assert result.kinds()[:4] == ["action_started", "action_started", "message", "action_finished"]


async def test_a_traced_run_reports_what_each_formula_param_evaluated_to(run):
    long_text = "x" * 500
    result = await run(
        [
            action("loop", "flow.loop", mode="repeat", times=formula("1 + 1"), slots={"body": [action("s", "stream.send", eventData={"status": "x", "n": formula("loop.count")})]}),
            action("set", "variable.set", name="v", value=formula(f'"{long_text}"')),
            action("wait", "flow.wait", milliseconds=1),
        ]
    )
    finished = {e.action_id: e.values for e in result.events if isinstance(e, ActionFinished)}
    assert finished["loop"] == {"times": "2"}
    assert finished["s"] == {"eventData": '{"status": "x", "n": 2}'}  # the last time it ran
    assert len(finished["set"]["value"]) == 200 and finished["set"]["value"].endswith("…")
    assert finished["wait"] is None  # literals only: nothing to show


async def test_trace_off_yields_only_messages_and_the_end(settings):
    settings.trace = False
    project = project_of(endpoint([action("s", "stream.send", eventData={"status": "x"}), action("l", "debug.log", message="hi")]))
    events = [e async for e in Engine(project).run("ep", {}, settings)]
    assert [e.kind for e in events] == ["message", "log", "result"]


async def test_unhandled_error_ends_the_stream_naming_the_action_and_reason(run, settings):
    result = await run(
        [
            action("s", "stream.send", eventData={"status": "starting"}),
            action("boom", "flow.throw", message=formula('"disk " & "full"')),
            action("after", "file.create", fileName="never.txt", format="text", content="x"),
        ]
    )
    error = result.error
    assert (error.message, error.action_id, error.action_type, error.streamed) == ("disk full", "boom", "flow.throw", True)
    assert not settings.output_root.exists()
    failed = [e for e in result.events if isinstance(e, ActionFinished) and not e.ok]
    assert [e.action_id for e in failed] == ["boom"]


async def test_error_before_any_message_is_reported_as_not_streamed(run):
    result = await run([action("boom", "flow.throw", message="nope")])
    assert result.error.streamed is False and result.messages == []


async def test_errors_inside_try_run_catch_with_caught_error(run):
    result = await run(
        [
            action(
                "guard",
                "flow.try",
                slots={
                    "try": [action("boom", "flow.throw", message="bad row"), action("skipped", "stream.send", eventData={"status": "no"})],
                    "catch": [
                        action(
                            "report",
                            "stream.send",
                            eventData={"status": "error", "message": formula("caughtError.message"), "action": formula("caughtError.action")},
                        )
                    ],
                },
            ),
            action("after", "stream.send", eventData={"status": "done"}),
        ]
    )
    assert result.messages == [{"status": "error", "message": "bad row", "action": "boom"}, {"status": "done"}]
    assert isinstance(result.last, ResultEvent)


async def test_an_error_inside_catch_is_not_caught_again(run):
    result = await run(
        [action("guard", "flow.try", slots={"try": [action("a", "flow.throw", message="one")], "catch": [action("b", "flow.throw", message="two")]})]
    )
    assert (result.error.message, result.error.action_id) == ("two", "b")


async def test_formula_runtime_error_names_the_param(run):
    result = await run([action("s", "stream.send", eventData={"status": "x", "n": formula('"a" + 1')})])
    assert result.error.action_id == "s"
    assert "eventData" in result.error.message


async def test_formula_result_of_wrong_type_is_a_clear_error(run):
    result = await run([action("w", "flow.wait", milliseconds=formula('"soon"'))])
    assert result.error.action_id == "w"
    assert "milliseconds" in result.error.message and "'soon'" in result.error.message


async def test_undefined_formula_values_are_left_out_of_event_data(run):
    result = await run([action("s", "stream.send", eventData={"status": "x", "missing": formula("inputs.nothing")})])
    assert result.messages == [{"status": "x"}]


async def test_results_of_earlier_actions_are_in_scope(run):
    result = await run(
        [
            action("first", "variable.set", name="a", value={"n": 5}),
            action("s", "stream.send", eventData={"status": "x", "n": formula("results.first.n * 2")}),
        ]
    )
    assert result.messages == [{"status": "x", "n": 10}]


async def test_logs_are_events_not_messages(run):
    project = project_of(endpoint([action("l", "debug.log", message=formula('"hello " & inputs.who'), level="warning")], [EndpointInput(name="who")]))
    result = await run(project, {"who": "you"})
    logs = [e for e in result.events if isinstance(e, LogEvent)]
    assert [(e.message, e.level, e.action_id) for e in logs] == [("hello you", "warning", "l")]
    assert result.messages == []


async def test_inputs_get_defaults_and_bad_inputs_fail_before_any_action(run, settings):
    ep = endpoint(
        [action("s", "stream.send", eventData={"status": "x", "n": formula("inputs.n"), "name": formula("inputs.name")})],
        [EndpointInput(name="n", type="integer", default=3), EndpointInput(name="name", type="string", required=True)],
    )
    result = await run(project_of(ep), {"name": "a"})
    assert result.messages == [{"status": "x", "n": 3, "name": "a"}]
    engine = Engine(project_of(ep))
    with pytest.raises(InputError) as caught:
        engine.run("ep", {"n": "three"}, settings)
    assert set(caught.value.errors) == {"n", "name"}
    assert "expected integer" in caught.value.errors["n"] and caught.value.errors["name"] == "is required"
    with pytest.raises(InputError, match="not an input"):
        engine.run("ep", {"name": "a", "typo": 1}, settings)


async def test_cancelling_the_consumer_stops_at_the_next_await_and_runs_nothing_more(settings):
    project = project_of(
        endpoint(
            [
                action("s", "stream.send", eventData={"status": "starting"}),
                action("w", "flow.wait", milliseconds=60_000),
                action("after", "file.create", fileName="never.txt", format="text", content="x"),
            ]
        )
    )
    got_first = asyncio.Event()
    seen: list[str] = []

    async def consume() -> None:
        async for event in Engine(project).run("ep", {}, settings):
            seen.append(event.kind)
            if isinstance(event, MessageEvent):
                got_first.set()

    task = asyncio.create_task(consume())
    await got_first.wait()
    await asyncio.sleep(0)  # let the run reach the Wait
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert "result" not in seen and "error" not in seen
    assert not settings.output_root.exists()


async def test_closing_the_iterator_stops_the_run(settings):
    project = project_of(
        endpoint(
            [
                action("s", "stream.send", eventData={"status": "starting"}),
                action("after", "file.create", fileName="never.txt", format="text", content="x"),
            ]
        )
    )
    events = Engine(project).run("ep", {}, settings)
    async for event in events:
        if isinstance(event, MessageEvent):
            break
    await events.aclose()  # type: ignore[attr-defined]
    assert not settings.output_root.exists()


async def test_a_tight_loop_still_lets_other_tasks_run(settings):
    """Loop yields to the event loop now and then, so a cancel or a heartbeat gets through."""
    project = project_of(endpoint([action("loop", "flow.loop", mode="repeat", times=5000, slots={"body": [action("v", "variable.set", name="i", value=formula("loop.index"))]})]))
    ticks = 0

    async def ticker() -> None:
        nonlocal ticks
        while True:
            ticks += 1
            await asyncio.sleep(0)

    ticking = asyncio.create_task(ticker())
    events = [e async for e in Engine(project).run("ep", {}, settings)]
    ticking.cancel()
    assert isinstance(events[-1], ResultEvent)
    assert ticks >= 5000 // 256


async def test_unknown_endpoint_is_a_key_error_listing_the_known_ones(settings):
    with pytest.raises(KeyError, match="endpoints: ep"):
        Engine(project_of(endpoint([]))).run("nope", {}, settings)


async def test_output_files_go_under_the_runs_own_folder(settings):
    project = project_of(endpoint([action("f", "file.create", fileName="a.txt", format="text", content="hi")]))
    events = [e async for e in Engine(project).run("ep", {}, settings, run_id="run42")]
    assert isinstance(events[-1], ResultEvent)
    assert (settings.output_root / "run42" / "a.txt").read_text() == "hi"


async def test_two_runs_of_one_endpoint_stepped_in_turn_keep_their_own_values(settings):
    """Runs of an endpoint share its prepared actions (and an instant action's params object):
    stepped alternately, message by message, each still sends its own values, and a message
    kept by the consumer never changes afterwards."""
    send = action("s", "stream.send", eventData={"status": "progress", "done": formula("loop.count"), "label": formula('inputs.who & " " & loop.count')})
    keep = action("v", "variable.set", name="last", value=formula("inputs.who"))
    loop = action("loop", "flow.loop", mode="repeat", times=formula("inputs.n"), slots={"body": [send, keep]})
    project = project_of(endpoint([loop], inputs=[EndpointInput(name="who", type="string"), EndpointInput(name="n", type="integer")]))
    engine = Engine(project)
    runs = {"a": engine.run("ep", {"who": "a", "n": 300}, settings), "b": engine.run("ep", {"who": "b", "n": 300}, settings)}
    kept: dict[str, list[dict[str, object]]] = {"a": [], "b": []}
    pending = dict(runs)
    while pending:
        for who, events in list(pending.items()):
            try:
                event = await anext(events)
            except StopAsyncIteration:
                del pending[who]
                continue
            if isinstance(event, MessageEvent):
                kept[who].append(event.data)
    for who in ("a", "b"):
        assert kept[who] == [{"status": "progress", "done": n, "label": f"{who} {n}"} for n in range(1, 301)]
