"""StreamLog: which action sent each message (checked against the engine on real traced runs), rates, bounded storage."""

from __future__ import annotations

import gc
import json
import os
import tracemalloc
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from app.client import RunnerProcess, StreamState
from app.core.events import MessageEvent
from app.core.project import Project
from app.core.project_file import load_project
from app.core.run_context import RunSettings
from app.editor.stream_log import TEXT_LIMIT, StreamLog, message_text
from app.engine import Engine
from tests.conftest import EXAMPLE, action, endpoint, formula


def nested_project() -> Project:
    """The example plus an endpoint whose sends sit deep in containers, and one sent from a catch."""
    project = load_project(EXAMPLE)
    progress = {"status": "progress", "done": formula("loop.count"), "total": formula("loop.total")}
    workflow = [
        action("hello", "stream.send", eventData={"status": "starting"}),
        action(
            "guard",
            "flow.try",
            {
                "try": [
                    action(
                        "rows",
                        "flow.loop",
                        {"body": [action("odd", "flow.if", {"then": [action("tell", "stream.send", eventData=progress)], "else": []}, condition=formula("loop.count % 2 = 1"))]},
                        items=[1, 2, 3, 4, 5],
                    ),
                    action("boom", "flow.throw", message="out of paper"),
                ],
                "catch": [action("sorry", "stream.send", eventData={"status": "error", "label": formula("caughtError.message")})],
            },
        ),
        action("bye", "stream.send", eventData={"status": "done"}),
    ]
    return project.model_copy(update={"endpoints": [*project.endpoints, endpoint(workflow, name="nested")]})


RUNS: list[tuple[str, dict[str, Any]]] = [
    ("generate-report", {"stepDelayMs": 1}),
    ("typewriter", {"text": "one two three four five", "delayMs": 0}),
    ("long-import", {"rows": 20, "every": 10}),
    ("nested", {}),
]


async def engine_messages(project: Project, name: str, inputs: dict[str, Any], output: Path) -> list[MessageEvent]:
    """What the engine itself says each message was sent by (no runner, no tracing)."""
    settings = RunSettings(project_dir=EXAMPLE.parent, output_root=output, trace=False)
    return [event async for event in Engine(project).run(name, inputs, settings) if isinstance(event, MessageEvent)]


@pytest.fixture
async def runner(tmp_path: Path) -> AsyncIterator[RunnerProcess]:
    process = RunnerProcess(EXAMPLE, output_dir=tmp_path / "output")
    yield process
    await process.stop()


@pytest.mark.parametrize(("name", "inputs"), RUNS, ids=[name for name, _ in RUNS])
async def test_each_message_is_attributed_to_the_action_the_engine_says_sent_it(runner: RunnerProcess, tmp_path: Path, name: str, inputs: dict[str, Any]) -> None:
    project = nested_project()
    expected = await engine_messages(project, name, inputs, tmp_path / "engine")
    state = StreamState()
    log = StreamLog()
    log.attach(state, name, inputs=inputs)
    call = await runner.run(project, name, inputs, state=state, trace=True)
    await call.wait()
    assert state.status == "done", state.error
    assert log.count == len(expected) > 0
    assert [log.action_id(i) for i in range(log.count)] == [event.action_id for event in expected]
    assert [log.seq[i] for i in range(log.count)] == list(range(1, log.count + 1))
    for index, event in enumerate(expected):
        if "downloadUrl" not in event.data:
            assert json.loads(log.text(index)) == event.data
        assert log.size[index] == len(message_text(state.chunks[index]).encode())
    assert log.ended and log.status == "done" and log.duration is not None
    # every span closed, each lane's spans ordered, and the ticks sit on the lane of their action
    for lane in log.lanes.values():
        assert all(end >= start for start, end in zip(lane.starts, lane.ends, strict=True))
        assert list(lane.starts) == sorted(lane.starts)
        assert len(lane.ticks) == sum(1 for event in expected if event.action_id == lane.action_id)


async def test_spans_give_each_action_its_durations(runner: RunnerProcess) -> None:
    state = StreamState()
    log = StreamLog()
    log.attach(state, "generate-report")
    call = await runner.run(load_project(EXAMPLE), "generate-report", {"stepDelayMs": 20}, state=state, trace=True)
    await call.wait()
    lanes = log.lanes
    assert list(lanes)[:3] == ["send_starting", "pause_start", "send_retrieving"]
    wait = lanes["pause_start"]
    assert wait.action_type == "flow.wait" and wait.runs == 1 and wait.failed == 0
    assert wait.total >= 0.019  # it waited 20 ms
    assert lanes["fetch_sales"].action_type == "sqlite.query"
    assert lanes["send_done"].span(0).ok is True
    assert log.traced and log.span_count == sum(lane.runs for lane in lanes.values())
    # a message sits inside the span of the action that sent it, in the server's time
    for index in range(log.count):
        lane = lanes[log.action_id(index) or ""]
        assert lane.span_at(log.tick_time(index)) is not None


def test_a_message_outside_any_send_is_given_to_the_innermost_open_span() -> None:
    state = StreamState()
    log = StreamLog()
    log.attach(state, "ep")
    state.begin("run-1")
    state.add_trace({"kind": "action_started", "action_id": "loop_1", "action_type": "flow.loop", "t": 0.0})
    state.add_trace({"kind": "action_started", "action_id": "send_1", "action_type": "stream.send", "t": 0.1})
    state.add_trace({"kind": "action_started", "action_id": "call_1", "action_type": "http.request", "t": 0.1})
    state.add_message({"status": "a"}, "1")  # inside an odd action nested in a send: the send wins
    state.add_trace({"kind": "action_finished", "action_id": "call_1", "action_type": "http.request", "t": 0.2, "duration": 0.1, "ok": False})
    state.add_trace({"kind": "action_finished", "action_id": "send_1", "action_type": "stream.send", "t": 0.2, "duration": 0.1, "ok": True})
    state.add_trace({"kind": "log", "message": "hi", "level": "info", "action_id": "loop_1", "t": 0.2})
    state.add_message({"status": "b"}, "2")
    state.add_trace({"kind": "action_finished", "action_id": "loop_1", "action_type": "flow.loop", "t": 0.3, "duration": 0.3, "ok": True})
    state.add_message({"status": "c"}, "3")
    assert [log.action_id(i) for i in range(3)] == ["send_1", "loop_1", None]
    assert log.lanes["call_1"].failed == 1 and log.lanes["call_1"].span(0).ok is False
    assert [span.action_id for span in log.spans()] == ["loop_1", "send_1", "call_1"]


def test_gaps_sizes_statuses_and_rates() -> None:
    log = StreamLog("ep")
    times = [0.0, 0.05, 0.3, 1.2, 1.25, 2.9]
    for index, t in enumerate(times):
        log.append({"status": "chunk" if index % 2 else "progress", "n": index}, t)
    log.append({"no": "status"}, 3.0)
    assert [round(log.gap(i), 3) for i in range(log.count)] == [0.0, 0.05, 0.25, 0.9, 0.05, 1.65, 0.1]
    assert log.longest_gap == 5
    assert log.statuses() == {"chunk", "progress", ""}
    assert log.size[0] == len(b'{"status":"progress","n":0}')
    per_second = log.rates(1.0)
    assert per_second.messages == [3, 2, 1, 1]
    assert per_second.bytes == [sum(log.size[i] for i in range(log.count) if int(log.t[i]) == second) for second in range(4)]
    assert log.rates(0.5).messages == [3, 0, 2, 0, 0, 1, 1]  # added up from the live 0.1 s buckets
    quarter = log.rates(0.25)  # not a multiple of them: counted from the messages
    assert quarter.messages == [2, 1, 0, 0, 1, 1, 0, 0, 0, 0, 0, 1, 1]
    fine = log.rates(0.1)
    assert sum(fine.messages) == log.count and fine.messages[:4] == [2, 0, 0, 1] and fine.messages[12] == 2
    with pytest.raises(ValueError, match="positive"):
        log.rates(0)


def test_large_messages_are_kept_cut_but_measured_whole_and_recorded_whole() -> None:
    state = StreamState()
    log = StreamLog("ep")
    log.attach(state, "ep")
    state.begin("run")
    big = {"status": "chunk", "text": "é" * 10_000}
    state.add_message(big, "1")
    state.add_message({"status": "done"}, "2")
    state.finish(None, 200)
    assert log.truncated(0) and not log.truncated(1)
    assert len(log.text(0)) == TEXT_LIMIT and log.text(0).endswith("…")
    assert log.size[0] == len(message_text(big).encode()) > 20_000
    assert log.data(0) == big  # the state still holds it
    recording = log.to_recording("big-one")
    assert recording.messages[0].data == big and recording.status == "done"
    log.detach()
    orphan = StreamLog.from_recording(recording)
    assert orphan.data(0) == big  # the recording holds it
    # a log nobody backs keeps only the cut text: it cannot make a recording of it
    alone = StreamLog("ep")
    alone.append(big, 0.0)
    alone.status = "done"
    assert alone.data(0) is None
    with pytest.raises(ValueError, match="kept only in part"):
        alone.to_recording("nope")


def test_a_recording_round_trips_through_the_log() -> None:
    state = StreamState()
    log = StreamLog()
    project = load_project(EXAMPLE)
    log.attach(state, "typewriter", inputs={"text": "a b"})
    state.begin("run")
    state.add_trace({"kind": "action_started", "action_id": "send_word", "action_type": "stream.send", "t": 0.01})
    state.add_message({"status": "chunk", "text": "a "}, "1")
    state.add_trace({"kind": "action_finished", "action_id": "send_word", "action_type": "stream.send", "t": 0.011, "ok": True})
    with pytest.raises(ValueError, match="not ended"):
        log.to_recording("early")
    state.finish({"ok": True}, 200)
    recording = log.to_recording("typed", project)
    assert recording.endpoint == "typewriter" and recording.inputs == {"text": "a b"} and recording.source == "run"
    assert recording.messages[0].action_id == "send_word" and recording.result == {"ok": True}
    assert len(recording.endpoint_version) == 12 and recording.recorded_at
    again = StreamLog.from_recording(recording)
    assert again.row(0).action_id == "send_word" and again.row(0).text == log.row(0).text
    assert again.status == "done" and not again.traced and list(again.lanes) == ["send_word"]


def test_a_new_call_on_the_same_state_starts_the_log_over() -> None:
    state = StreamState()
    log = StreamLog()
    restarted: list[int] = []
    log.on_change.append(lambda changed: restarted.append(changed.generation))
    log.attach(state, "ep")
    state.begin("first")
    state.add_message({"status": "a"}, "1")
    state.finish()
    generation = log.generation
    state.begin("second")  # the Preview reuses its call's state
    assert log.count == 0 and log.generation == generation + 1 and log.status == "connecting"
    state.add_message({"status": "b"}, "1")
    assert log.row(0).status == "b"
    log.detach()
    state.add_message({"status": "c"}, "2")
    assert log.count == 1


def test_health_reads_the_whole_messages() -> None:
    state = StreamState()
    log = StreamLog()
    log.attach(state, "ep")
    state.begin("run")
    state.add_message({"status": "progress", "done": 1}, "1")
    state.add_message({"done": 2}, "2")
    state.cancel()
    report = log.health()
    codes = {finding.code for finding in report.findings}
    assert "shape-mismatch" in codes  # message 2 has no status
    assert report.summary.count == 2


def test_a_stream_under_way_is_not_called_stopped_without_a_final_message() -> None:
    state = StreamState()
    log = StreamLog()
    log.attach(state, "ep")
    state.begin("run")
    state.add_message({"status": "progress", "done": 1, "total": 3}, "1")
    assert "no-final-message" not in {finding.code for finding in log.health().findings}, "it is still streaming"
    state.finish()
    (finding,) = [f for f in log.health().findings if f.code == "no-final-message"]
    assert "ended after message 1" in finding.message and "without a final message" in finding.message


def resident_bytes() -> int:
    return int(Path("/proc/self/statm").read_text().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def fill(log: StreamLog, count: int) -> None:
    append = log.append
    for index in range(count):
        append({"status": "progress", "done": index, "total": count}, index * 0.0001)


def test_a_million_messages_fit_in_bounded_memory() -> None:
    """About 100 bytes a message for typical Event Data; a generous bound proves only the columns grow per message.

    tracemalloc slows every allocation about tenfold (a million appends would
    take ~25 s), so it measures the first 100,000; the million is then appended
    untraced and checked by the columns' own size and the process's resident memory.
    """
    gc.collect()
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        sample = StreamLog("ep")
        fill(sample, 100_000)
        traced = (tracemalloc.get_traced_memory()[0] - before) / sample.count
    finally:
        tracemalloc.stop()
    del sample
    gc.collect()
    count = 1_000_000
    rss_before = resident_bytes()
    log = StreamLog("ep")
    fill(log, count)
    rss = (resident_bytes() - rss_before) / count
    print(f"\n{traced:.0f} B/message traced (100,000), {log.nbytes() / count:.0f} B/message in columns and text, {rss:.0f} B/message resident (1,000,000)")
    assert log.count == count and log.row(count - 1).text == '{"status":"progress","done":999999,"total":1000000}'
    assert traced < 200
    assert log.nbytes() / count < 200
    assert rss < 250


def test_a_keyed_message_shows_its_part_and_whether_it_is_transient() -> None:
    state = StreamState(stall_after_s=None)
    log = StreamLog("keyed")
    log.attach(state)
    state.begin("run-1")
    state.add_message({"status": "starting"}, "1")
    state.add_message({"status": "weather", "temp": 3}, "2", "weather")
    state.add_message({"status": "progress", "done": 1}, "3", "status", transient=True)
    assert [log.part(index) for index in range(len(log))] == [None, "weather", "status · transient"]
    assert log.row(1).status == "weather"


KEYED_STREAM: list[tuple[dict[str, Any], str | None, bool]] = [
    ({"status": "starting"}, None, False),
    ({"status": "weather", "temp": 3}, "weather", False),
    ({"status": "progress", "done": 1}, "status", True),
    ({"status": "chunk", "text": "a "}, None, False),
    ({"status": "progress", "done": 2}, "status", True),
    ({"status": "weather", "temp": 4}, "weather", False),
    ({"status": "chunk", "text": "b "}, None, False),
]


def keyed_state(messages: list[tuple[dict[str, Any], str | None, bool]]) -> StreamState:
    state = StreamState(stall_after_s=None)
    state.begin("run-keyed")
    for seq, (data, part, transient) in enumerate(messages, start=1):
        state.add_message(data, str(seq), part, transient)
    return state


def rows(log: StreamLog) -> list[tuple[int, str, str | None]]:
    return [(log.seq[index], log.text(index), log.part(index)) for index in range(log.count)]


def expected_rows(messages: list[tuple[dict[str, Any], str | None, bool]], first_seq: int = 1) -> list[tuple[int, str, str | None]]:
    return [
        (seq, message_text(data), None if part is None else f"{part} · transient" if transient else part)
        for seq, (data, part, transient) in enumerate(messages, start=first_seq)
    ]


def test_following_a_call_under_way_lines_up_every_row_with_its_message_and_part() -> None:
    """Transient messages are not in stream.chunks: a batch taken in at once must still put each message on its own row."""
    state = keyed_state(KEYED_STREAM)
    assert len(state.chunks) == 5 and state.count == 7  # two transient messages are not kept
    log = StreamLog("keyed")
    log.attach(state, history=True)
    assert rows(log) == expected_rows(KEYED_STREAM)
    later = [({"status": "progress", "done": 3}, "status", True), ({"status": "done"}, None, False)]
    for seq, (data, part, transient) in enumerate(later, start=8):
        state.add_message(data, str(seq), part, transient)
    assert rows(log) == expected_rows([*KEYED_STREAM, *later])
    state.finish(None, 200)
    assert [message.data for message in log.to_recording("whole").messages] == [data for data, _, _ in KEYED_STREAM + later]


def test_history_lines_up_with_a_retention_that_dropped_the_oldest_messages() -> None:
    state = StreamState(retention=3, stall_after_s=None)
    state.begin("run")
    for seq, (data, part, transient) in enumerate(KEYED_STREAM, start=1):
        state.add_message(data, str(seq), part, transient)
    history = state.history()
    assert [part for _, part, _ in history] == [None, None, "status", None, "status", "weather", None]  # the record of #2 is gone
    assert [data for data, _, _ in history] == [
        None,  # no longer held: never another message's data
        None,
        {"status": "progress", "done": 1},
        {"status": "chunk", "text": "a "},
        {"status": "progress", "done": 2},
        {"status": "weather", "temp": 4},
        {"status": "chunk", "text": "b "},
    ]
    assert state.history(4) == history[4:]


def test_a_recording_keeps_part_ids_and_transient_flags_and_replays_them_into_the_log() -> None:
    state = StreamState(stall_after_s=None)
    log = StreamLog("keyed")
    log.attach(state)
    state.begin("run")
    for seq, (data, part, transient) in enumerate(KEYED_STREAM, start=1):
        state.add_message(data, str(seq), part, transient)
    state.finish(None, 200)
    recording = log.to_recording("keyed-run")
    assert [(m.part, m.transient) for m in recording.messages] == [(part, transient) for _, part, transient in KEYED_STREAM]
    again = StreamLog.from_recording(recording)
    assert rows(again) == expected_rows(KEYED_STREAM)
