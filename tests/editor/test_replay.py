"""Replaying recordings into the Preview: same messages, same order, scaled times, pause and step, no runner."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest

from app.client import RunnerProcess, StreamState
from app.core.project import Project, RecordedMessage, Recording
from app.core.project_file import load_project
from app.editor.preview.replay import RecordingCaller, ReplayClock, ReplayDownloadError, first_recording
from app.editor.preview.session import PageSession
from app.editor.stream_log import StreamLog
from tests.conftest import EXAMPLE

UNTIL_S = 10.0


def report_recording(name: str = "report-run", *, step: float = 0.1, status: str = "done", error: str | None = None) -> Recording:
    """A report stream as the runner sends it, one message every ``step`` seconds."""
    labels = [("starting", "Starting", 0), ("progress", "Retrieving data", 0), ("progress", "Calculating totals", 1), ("progress", "Generating file", 2)]
    data: list[dict[str, Any]] = [{"status": s, "label": label, "done": done, "total": 3} for s, label, done in labels]
    if status == "done":
        data.append({"status": "done", "label": "Report ready", "done": 3, "total": 3, "downloadUrl": "http://127.0.0.1:9/runs/x/files/r.csv", "revenue": 12.5})
    messages = [RecordedMessage(t=round((index + 1) * step, 4), data=item, action_id=f"send_{index}") for index, item in enumerate(data)]
    return Recording(
        name=name, endpoint="generate-report", messages=messages, status=status, error=error, duration=round((len(data) + 1) * step, 4)
    )  # type: ignore[arg-type]


def project_with(*recordings: Recording) -> Project:
    return load_project(EXAMPLE).model_copy(update={"recordings": list(recordings)})


@pytest.fixture
def no_runner(monkeypatch: pytest.MonkeyPatch) -> None:
    """Starting any process (a runner) fails the test."""

    async def refuse(*_args: Any, **_kwargs: Any) -> Any:
        raise AssertionError("a process was started during a replay")

    monkeypatch.setattr(asyncio, "create_subprocess_exec", refuse)


def session_for(project: Project, clock: ReplayClock, tmp_path: Path) -> tuple[PageSession, RecordingCaller]:
    caller = RecordingCaller(lambda endpoint: first_recording(project, endpoint), clock)
    return PageSession(project, "report", caller, downloads_dir=tmp_path / "downloads"), caller


async def until(state: StreamState, condition: Any, timeout: float = UNTIL_S) -> None:
    """Wait until ``condition()`` holds, checking after each change of ``state`` (the timeout only guards a hang)."""
    changed = asyncio.Event()

    def wake(_state: StreamState) -> None:
        changed.set()

    state.on_change.append(wake)
    try:
        async with asyncio.timeout(timeout):
            while not condition():
                changed.clear()
                await changed.wait()
    finally:
        state.on_change.remove(wake)


async def test_a_recording_replays_into_the_page_at_ten_times_with_the_same_messages(no_runner: None, tmp_path: Path) -> None:
    recording = report_recording(step=0.1)
    session, _caller = session_for(project_with(recording), ReplayClock(10.0), tmp_path)
    seen: list[Any] = []
    state = session.calls["stream"]
    state.on_change.append(lambda s: seen.append(s.chunk) if s.count > len(seen) else None)
    loop = asyncio.get_running_loop()
    started = loop.time()
    task = session.trigger("generate_button", "click")
    assert task is not None
    await task
    elapsed = loop.time() - started
    assert state.status == "done", session.errors
    assert state.chunks == [m.data for m in recording.messages]
    assert seen == state.chunks  # one at a time, in order
    assert elapsed >= (recording.duration or 0) / 10 - 0.01  # at 10×, never faster
    assert state.traces and {t["action_id"] for t in state.traces} == {m.action_id for m in recording.messages}


async def test_the_stream_inspector_can_follow_a_replay() -> None:
    recording = report_recording(step=0.01)
    caller = RecordingCaller(lambda _endpoint: recording, ReplayClock(10.0))
    state = StreamState()
    log = StreamLog()
    log.attach(state, "generate-report")
    call = await caller.run(project_with(), "generate-report", {}, state=state, trace=True)
    await call.wait()
    assert [log.action_id(i) for i in range(log.count)] == [m.action_id for m in recording.messages]


async def test_paused_it_releases_one_message_per_step(no_runner: None, tmp_path: Path) -> None:
    recording = report_recording(step=0.0)  # every message due at once: only the pause holds them
    clock = ReplayClock(1.0)
    clock.pause()
    session, caller = session_for(project_with(recording), clock, tmp_path)
    state = session.calls["stream"]
    task = session.trigger("generate_button", "click")
    assert task is not None
    await until(state, lambda: state.status == "connecting")
    for _ in range(5):
        await asyncio.sleep(0)
    assert state.count == 0
    for released in range(1, 4):
        assert clock.step()
        await until(state, lambda: state.count >= released)  # noqa: B023 - checked before the next step
        for _ in range(5):
            await asyncio.sleep(0)
        assert state.count == released and state.chunk == recording.messages[released - 1].data
    clock.resume()
    await task
    assert state.status == "done" and state.count == len(recording.messages)
    assert not clock.step()  # not paused: nothing to step


async def test_a_speed_change_takes_effect_at_once(tmp_path: Path) -> None:
    recording = Recording(
        name="slow", endpoint="generate-report", duration=5.0,
        messages=[RecordedMessage(t=0.0, data={"status": "starting"}), RecordedMessage(t=5.0, data={"status": "done"})],
    )  # fmt: skip
    clock = ReplayClock(0.25)  # the second message is 20 s away at this speed
    caller = RecordingCaller(lambda _endpoint: recording, clock)
    state = StreamState()
    call = await caller.run(project_with(), "generate-report", {}, state=state)
    await until(state, lambda: state.count == 1)
    clock.speed = 10.0  # now it is at most 0.5 s away
    await asyncio.wait_for(call.wait(), 10.0)  # a guard for a busy machine, still half the 20 s it would take at 0.25×
    assert state.status == "done" and state.count == 2
    with pytest.raises(ValueError, match="between 0.25× and 10×"):
        clock.speed = 20


async def test_pausing_mid_gap_keeps_the_time_already_played(tmp_path: Path) -> None:
    recording = Recording(name="gap", endpoint="generate-report", duration=0.4, messages=[RecordedMessage(t=0.4, data={"status": "done"})])
    clock = ReplayClock(1.0)
    caller = RecordingCaller(lambda _endpoint: recording, clock)
    state = StreamState()
    loop = asyncio.get_running_loop()
    started = loop.time()
    call = await caller.run(project_with(), "generate-report", {}, state=state)
    clock.pause()
    clock.resume()
    await call.wait()
    assert state.status == "done" and loop.time() - started >= 0.39


async def test_cancel_stops_the_replay(tmp_path: Path) -> None:
    recording = report_recording(step=5.0)
    session, caller = session_for(project_with(recording), ReplayClock(1.0), tmp_path)
    state = session.calls["stream"]
    task = session.trigger("generate_button", "click")
    assert task is not None
    await until(state, lambda: state.status == "connecting")
    await session.cancel()
    assert state.status == "cancelled" and state.count == 0
    assert caller.calls[-1].done and task.done()


async def test_a_failed_recording_fails_the_call_as_it_did(tmp_path: Path) -> None:
    recording = report_recording(status="error", error="no such table: orders (action fetch_sales)", step=0.001)
    session, _caller = session_for(project_with(recording), ReplayClock(10.0), tmp_path)
    await session.trigger("generate_button", "click")  # type: ignore[misc]
    state = session.calls["stream"]
    assert state.status == "error" and state.count == 4
    assert state.error is not None and "no such table" in state.error.message
    assert session.errors and "no such table" in session.errors[0].message


async def test_an_endpoint_without_a_recording_says_so(tmp_path: Path) -> None:
    session, _caller = session_for(project_with(), ReplayClock(), tmp_path)
    await session.trigger("generate_button", "click")  # type: ignore[misc]
    state = session.calls["stream"]
    assert state.status == "error" and state.error is not None
    assert "no recording of generate-report" in state.error.message


async def test_the_chosen_recording_wins_over_the_first() -> None:
    first, second = report_recording("first"), report_recording("second")
    project = project_with(first, second)
    assert first_recording(project, "generate-report") is first
    assert first_recording(project, "generate-report", "second") is second
    assert first_recording(project, "typewriter", "second") is None


async def test_handle_stream_off_gets_the_messages_as_its_result() -> None:
    recording = report_recording(step=0.0)
    caller = RecordingCaller(lambda _endpoint: recording, ReplayClock())
    state = StreamState()
    call = await caller.run(project_with(), "generate-report", {}, handle_stream=False, state=state)
    assert await call.result() == [m.data for m in recording.messages]
    assert state.count == 0


async def test_downloads_copy_local_files_and_refuse_links_to_a_run_that_is_not_here(tmp_path: Path) -> None:
    caller = RecordingCaller(lambda _endpoint: None, ReplayClock())
    source = tmp_path / "report.csv"
    source.write_text("region,orders\n")
    copied = await caller.download(source.as_uri(), tmp_path / "copy.csv")
    assert copied.read_text() == "region,orders\n"
    with pytest.raises(ReplayDownloadError, match="start the runner to download"):
        await caller.download("http://127.0.0.1:9/runs/x/files/r.csv?sig=abc", tmp_path / "nope.csv")


async def test_record_the_report_once_then_preview_it_at_five_times_with_no_runner(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The issue's done criterion: one real run recorded, then the page runs on the recording alone."""
    project = load_project(EXAMPLE)
    runner = RunnerProcess(EXAMPLE, output_dir=tmp_path / "output")
    try:
        state = StreamState()
        log = StreamLog()
        log.attach(state, "generate-report", inputs={"since": "2026-01-01", "stepDelayMs": 10})
        call = await runner.run(project, "generate-report", {"since": "2026-01-01", "stepDelayMs": 10}, state=state, trace=True)
        await call.wait()
        recording = log.to_recording("report-once", project)
    finally:
        await runner.stop()
    assert recording.status == "done" and len(recording.messages) == 5

    async def refuse(*_args: Any, **_kwargs: Any) -> Any:
        raise AssertionError("a process was started during a replay")

    monkeypatch.setattr(asyncio, "create_subprocess_exec", refuse)
    project = project.model_copy(update={"recordings": [recording]})
    session, _caller = session_for(project, ReplayClock(5.0), tmp_path)
    session.changes()
    await session.trigger("generate_button", "click")  # type: ignore[misc]
    replayed = session.calls["stream"]
    assert replayed.status == "done", session.errors
    assert replayed.chunks == [m.data for m in recording.messages]
    assert replayed.chunk["label"] == "Report ready" and replayed.chunk["done"] == 3
    assert ("stream", "chunk") in session.changes()


def keyed_project() -> Project:
    """The example plus an endpoint that sends plain messages, a keyed part, and a transient status part in a loop."""
    from tests.conftest import action, endpoint, formula

    status = {"status": "progress", "done": formula("loop.count"), "total": formula("loop.total")}
    workflow = [
        action("hello", "stream.send", eventData={"status": "starting"}),
        action("forecast", "stream.send", eventData={"status": "weather", "temp": 3}, part="weather"),
        action("rows", "flow.loop", {"body": [action("tick", "stream.send", eventData=status, part="status", transient=True)]}, mode="repeat", times=3),
        action("again", "stream.send", eventData={"status": "weather", "temp": 4}, part="weather"),
        action("bye", "stream.send", eventData={"status": "done"}),
    ]
    project = load_project(EXAMPLE)
    return project.model_copy(update={"endpoints": [*project.endpoints, endpoint(workflow, name="keyed")]})


def watch(state: StreamState) -> list[tuple[int, Any, dict[str, Any], int]]:
    """What a page could read after each message: count, stream.chunk, stream.parts, how many chunks."""
    seen: list[tuple[int, Any, dict[str, Any], int]] = []
    state.on_change.append(lambda s: seen.append((s.count, s.chunk, dict(s.parts), len(s.chunks))) if s.count > len(seen) else None)
    return seen


async def test_a_recorded_stream_with_keyed_parts_replays_as_it_streamed_live(tmp_path: Path) -> None:
    """Part ids and transient flags survive recording, the project file and the replay: stream.parts fills as it did live."""
    from app.core.project_file import save_project

    project = keyed_project()
    path = tmp_path / "keyed.streamwright.json"
    save_project(project, path)
    runner = RunnerProcess(path, output_dir=tmp_path / "output")
    try:
        live = StreamState()
        live_seen = watch(live)
        log = StreamLog()
        log.attach(live, "keyed")
        call = await runner.run(project, "keyed", {}, state=live, trace=True)
        await call.wait()
    finally:
        await runner.stop()
    assert live.status == "done" and live.count == 7 and len(live.chunks) == 4, live
    save_project(project.model_copy(update={"recordings": [log.to_recording("keyed-run", project)]}), path)
    reopened = load_project(path)
    recording = reopened.recordings[0]
    assert [(m.part, m.transient) for m in recording.messages] == [(None, False), ("weather", False), *[("status", True)] * 3, ("weather", False), (None, False)]

    replayed = StreamState()
    replay_seen = watch(replayed)
    caller = RecordingCaller(lambda _endpoint: recording, ReplayClock(10.0))
    await (await caller.run(reopened, "keyed", {}, state=replayed)).wait()
    assert replay_seen == live_seen
    assert replayed.parts == live.parts == {"weather": {"status": "weather", "temp": 4}, "status": {"status": "progress", "done": 3, "total": 3}}
    assert replayed.chunks == live.chunks

    held = StreamState()
    result = await (await caller.run(reopened, "keyed", {}, handle_stream=False, state=held)).result()
    assert result == live.chunks  # Handle stream off: the transient messages are not in the result, as from the runner


def test_a_recording_from_before_keyed_parts_loads_and_saves_unchanged() -> None:
    """Old recordings have no part or transient: they load as plain messages and are written back byte for byte."""
    import json

    from app.core.project_file import dump_project

    text = EXAMPLE.read_text()
    original = json.loads(text)["recordings"]
    assert all("part" not in m and "transient" not in m for r in original for m in r["messages"])
    project = load_project(EXAMPLE)
    assert all(m.part is None and not m.transient for r in project.recordings for m in r.messages)
    assert json.loads(dump_project(project))["recordings"] == original
