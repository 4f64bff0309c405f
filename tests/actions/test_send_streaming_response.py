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


class _SteppedClock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_coalescing_sends_at_most_one_message_per_window_and_loses_no_text(tmp_path):
    from app.core.run_context import RunContext, RunSettings

    clock = _SteppedClock()
    ctx = RunContext(RunSettings(project_dir=tmp_path, output_root=tmp_path, clock=clock), {})
    sent: list[dict] = []

    def send(data: dict, **options) -> None:  # type: ignore[no-untyped-def]
        ctx.send_message(data, coalesce_ms=100, **options)
        sent.extend(e.data for e in ctx.pending)
        ctx.pending.clear()

    send({"status": "chunk", "text": "a", "n": 1})
    assert sent == [{"status": "chunk", "text": "a", "n": 1}], "the first message goes out at once"
    clock.now = 0.05
    send({"status": "chunk", "text": "b", "n": 2})
    clock.now = 0.09
    send({"status": "chunk", "text": "c", "n": 3})
    assert len(sent) == 1, "held inside the window"
    clock.now = 0.10
    send({"status": "chunk", "text": "d", "n": 4})
    assert sent[1] == {"status": "chunk", "text": "bcd", "n": 4}, "text appended, other fields the latest"
    clock.now = 0.15
    send({"status": "chunk", "text": "e", "n": 5})
    ctx.send_message({"status": "progress", "text": "x"})  # another status: the held one first, order kept
    assert [e.data for e in ctx.pending] == [{"status": "chunk", "text": "e", "n": 5}, {"status": "progress", "text": "x"}]
    assert [e.seq for e in ctx.pending] == [3, 4]


async def test_a_held_message_goes_out_before_the_next_kind_of_action_and_at_the_end(run):
    from tests.conftest import formula

    send = action("s", "stream.send", eventData={"status": "chunk", "text": formula('"w" & loop.index')}, coalesceMs=60_000)
    result = await run(
        [
            action("each", "flow.loop", slots={"body": [send]}, mode="repeat", times=4),
            action("log", "debug.log", message="moving on"),
            action("again", "flow.loop", slots={"body": [send]}, mode="repeat", times=2),
        ]
    )
    kinds = [(e.kind, getattr(e, "action_id", None)) for e in result.events if e.kind in ("message", "log")]
    assert result.messages == [
        {"status": "chunk", "text": "w0"},
        {"status": "chunk", "text": "w1w2w3"},
        {"status": "chunk", "text": "w0w1"},
    ]
    assert kinds.index(("message", "s")) < kinds.index(("log", "log")) and kinds[1] == ("message", "s")


async def test_a_part_id_keys_the_message_and_transient_rides_along(run):
    from app.core.events import MessageEvent, event_to_json

    loop_body = [action("s", "stream.send", part=formula('"step-" & loop.count'), transient=True, eventData={"status": "progress", "done": formula("loop.count")})]
    result = await run(
        [
            action("plain", "stream.send", eventData={"status": "starting"}),
            action("l", "flow.loop", mode="repeat", times=2, slots={"body": loop_body}),
            action("w", "stream.send", part="weather", eventData={"status": "weather", "city": "Oslo"}),
        ]
    )
    messages = [e for e in result.events if isinstance(e, MessageEvent)]
    assert [(m.part, m.transient) for m in messages] == [(None, False), ("step-1", True), ("step-2", True), ("weather", False)]
    assert "part" not in event_to_json(messages[0]) and "transient" not in event_to_json(messages[0])  # a plain message keeps its shape
    assert event_to_json(messages[3])["part"] == "weather"


async def test_transient_without_a_part_id_is_a_plain_message(run):
    from app.core.events import MessageEvent

    result = await run([action("s", "stream.send", part="", transient=True, eventData={"status": "x"})])
    (message,) = [e for e in result.events if isinstance(e, MessageEvent)]
    assert (message.part, message.transient) == (None, False)


def test_coalescing_joins_only_messages_of_the_same_part(tmp_path):
    from app.core.run_context import RunContext, RunSettings

    clock = _SteppedClock()
    ctx = RunContext(RunSettings(project_dir=tmp_path, output_root=tmp_path, clock=clock), {})
    ctx.send_message({"status": "chunk", "text": "a"}, coalesce_ms=100, part="one")  # first goes out at once
    ctx.send_message({"status": "chunk", "text": "b"}, coalesce_ms=100, part="one")  # held
    ctx.send_message({"status": "chunk", "text": "c"}, coalesce_ms=100, part="two")  # another part: the held one goes first
    ctx.release_held()
    assert [(e.part, e.data["text"]) for e in ctx.pending] == [("one", "a"), ("one", "b"), ("two", "c")]
