"""Recordings: from a run's events, from the text of an SSE session (one made for real with curl), by hand; and their validation."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import pytest

from app.core.events import event_to_json
from app.core.problems import ProjectInvalidError
from app.core.project import Project, RecordedMessage, Recording, StreamTest
from app.core.project_file import dump_project, load_project, parse_project, save_project
from app.core.recordings import (
    CaptureError,
    add_recording,
    endpoint_version,
    manual_recording,
    recording_from_events,
    recording_from_sse,
    unique_recording_name,
    validate_recordings,
)
from app.core.run_context import RunSettings
from app.engine import Engine
from tests.client.conftest import TOKEN, serve  # noqa: F401 - the serve fixture: a real uvicorn in the test's loop
from tests.conftest import EXAMPLE, action, endpoint, formula, project_of
from tests.external.conftest import require_tool

REPORT_STATUSES = ["starting", "progress", "progress", "progress", "done"]


@pytest.fixture
def example() -> Project:
    return load_project(EXAMPLE)


async def events_of(project: Project, name: str, inputs: dict[str, Any], tmp_path: Path) -> list[Any]:
    settings = RunSettings(project_dir=EXAMPLE.parent, output_root=tmp_path, trace=True)
    return [event async for event in Engine(project).run(name, inputs, settings)]


# -- endpoint versions ---------------------------------------------------------------------------


def test_an_endpoint_version_is_a_short_digest_that_changes_with_the_endpoint(example: Project):
    report = example.endpoint("generate-report")
    version = endpoint_version(report)
    assert len(version) == 12 and int(version, 16) >= 0
    assert endpoint_version(report.model_copy(deep=True)) == version
    assert endpoint_version(report.model_copy(update={"workflow": report.workflow[:-1]})) != version


# -- from a run -------------------------------------------------------------------------------------


async def test_a_recording_from_a_run_keeps_messages_times_inputs_and_the_endpoint_version(example: Project, tmp_path: Path):
    events = await events_of(example, "generate-report", {"stepDelayMs": 20}, tmp_path)
    recording = recording_from_events("report-run", "generate-report", {"stepDelayMs": 20}, events, example, recorded_at="2026-01-02T03:04:05+00:00")
    assert [m.data["status"] for m in recording.messages] == REPORT_STATUSES
    assert [m.action_id for m in recording.messages][:2] == ["send_starting", "send_retrieving"]
    times = [m.t for m in recording.messages]
    assert times == sorted(times) and times[-1] >= 0.08  # four pauses of 20 ms
    assert recording.duration is not None and recording.duration >= times[-1]
    assert (recording.status, recording.result, recording.error, recording.source) == ("done", None, None, "run")
    assert recording.inputs == {"stepDelayMs": 20} and recording.recorded_at == "2026-01-02T03:04:05+00:00"
    assert recording.endpoint_version == endpoint_version(example.endpoint("generate-report"))


async def test_a_recording_from_the_ndjson_of_a_run_is_the_same(example: Project, tmp_path: Path):
    events = await events_of(example, "typewriter", {"text": "a b", "delayMs": 0}, tmp_path)
    from_events = recording_from_events("tw", "typewriter", {}, events, example)
    from_json = recording_from_events("tw", "typewriter", {}, [event_to_json(e) for e in events], example)
    assert from_json.messages == from_events.messages and from_json.status == "done"


async def test_a_failed_run_is_recorded_with_its_error(tmp_path: Path, run):
    workflow = [action("s", "stream.send", eventData={"status": "starting"}), action("boom", "flow.throw", message="broken")]
    project = project_of(endpoint(workflow))
    result = await run(project)
    recording = recording_from_events("failed", "ep", {}, result.events, project)
    assert (recording.status, recording.error, len(recording.messages)) == ("error", "broken (action boom)", 1)


async def test_a_return_response_after_the_stream_is_kept_as_the_result(run):
    workflow = [action("s", "stream.send", eventData={"status": "done"}), action("r", "response.return", statusCode=201, body={"id": formula("1 + 1")})]
    project = project_of(endpoint(workflow))
    recording = recording_from_events("returned", "ep", {}, (await run(project)).events, project)
    assert (recording.status, recording.result) == ("done", {"id": 2})


async def test_events_that_stop_without_an_end_are_a_cancelled_recording(example: Project, tmp_path: Path):
    events = await events_of(example, "typewriter", {"text": "a b c", "delayMs": 0}, tmp_path)
    second = [index for index, event in enumerate(events) if event.kind == "message"][1]
    recording = recording_from_events("cut", "typewriter", {}, events[: second + 1], example)
    assert recording.status == "cancelled" and len(recording.messages) == 2


def test_a_recording_of_an_endpoint_not_in_the_project_has_no_version(example: Project):
    assert recording_from_events("later", "not-yet", {}, [], example).endpoint_version == ""


# -- from an SSE capture ---------------------------------------------------------------------------------

CAPTURE = (
    "HTTP/1.1 200 OK\r\n"
    "content-type: text/event-stream; charset=utf-8\r\n"
    "streamwright-run: 1a2b3c\r\n"
    "\r\n"
    "id: 1\r\n"
    'data: {"status":"starting"}\r\n'
    "\r\n"
    ": heartbeat\r\n"
    "\r\n"
    "id: 2\r\n"
    'data: {"status":"chunk",\r\n'
    'data: "text":"two lines"}\r\n'
    "\r\n"
    "event: trace\r\n"
    'data: {"kind":"log"}\r\n'
    "\r\n"
    "retry: 1000\r\n"
    "data: plain text\r\n"
    "\r\n"
    "event: result\r\n"
    'data: {"statusCode":200,"body":{"rows":3}}\r\n'
    "\r\n"
)


def test_an_sse_capture_becomes_a_recording_spaced_evenly_when_it_has_no_times():
    recording = recording_from_sse(CAPTURE, "captured", "typewriter")
    assert [m.data for m in recording.messages] == [{"status": "starting"}, {"status": "chunk", "text": "two lines"}, "plain text"]
    assert [m.t for m in recording.messages] == [0.1, 0.2, 0.3]
    assert (recording.status, recording.result, recording.source, recording.duration) == ("done", {"rows": 3}, "sse", 0.4)


def test_an_error_event_ends_the_recording_with_that_error():
    text = 'data: {"status":"starting"}\n\nevent: error\ndata: {"message":"no such table","action":"q","actionType":"sqlite.query"}\n\n'
    recording = recording_from_sse(text, "failed", "ep")
    assert (recording.status, recording.error, len(recording.messages)) == ("error", "no such table", 1)


def test_times_come_from_t_notes_or_ts_prefixes():
    noted = recording_from_sse('# t=0.25\ndata: {"status":"a"}\n\n: t=1.5\ndata: {"status":"done"}\n\n', "n", "ep")
    assert [m.t for m in noted.messages] == [0.25, 1.5]
    relative = '0.103 data: {"status":"a"}\n0.103 \n2.512 data: {"status":"done"}\n2.513 \n'
    assert [m.t for m in recording_from_sse(relative, "r", "ep").messages] == [0.103, 2.512]
    clock = 'Jan 05 12:00:01 data: {"status":"a"}\nJan 05 12:00:01 \nJan 05 12:00:04 data: {"status":"done"}\n'
    assert [m.t for m in recording_from_sse(clock, "c", "ep").messages] == [0.0, 3.0]
    since_start = '00:00:01 data: {"status":"a"}\n00:00:01 \n00:01:02 data: {"status":"done"}\n'
    assert [m.t for m in recording_from_sse(since_start, "s", "ep").messages] == [1.0, 62.0]


def test_our_ndjson_lines_are_read_too():
    text = '{"event":"message","id":1,"data":{"status":"starting"}}\n\n{"event":"message","id":2,"data":{"status":"done"}}\n'
    assert [m.data for m in recording_from_sse(text, "nd", "ep").messages] == [{"status": "starting"}, {"status": "done"}]


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ('data: {"status":"a"}\n\nthis is not sse\n', "line 3: not an SSE line"),
        ('data: {"status":"a"}\n\ndata: {"status": broken}\n\n', "line 3: data is not valid JSON"),
        ('event: result\ndata: {"statusCode":200,"body":null}\n\ndata: {"status":"late"}\n\n', "line 4: an event after the stream ended (at line 1)"),
        ("\n: only a comment\n\n", "no SSE events found"),
        ('{"event": 1}\n', "line 1: an NDJSON line must be an object"),
    ],
)
def test_junk_in_a_capture_is_an_error_naming_its_line(text: str, error: str):
    with pytest.raises(CaptureError) as raised:
        recording_from_sse(text, "bad", "ep")
    assert error in str(raised.value)


async def test_a_real_curl_session_becomes_the_same_stream_the_engine_sent(serve, example: Project, tmp_path: Path):  # noqa: F811 - fixture
    curl = require_tool("curl")
    served = await serve(example)
    words = ["Streaming", "from", "curl"]
    process = await asyncio.create_subprocess_exec(
        curl, "-sS", "-N", "-i", "--noproxy", "*", "--max-time", "60", "-X", "POST",
        "-H", f"Authorization: Bearer {TOKEN}", "-H", "Content-Type: application/json",
        "--data-binary", json.dumps({"text": " ".join(words), "delayMs": 50}), served.url + "/typewriter",
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    stdout, stderr = await asyncio.wait_for(process.communicate(), 60)
    assert process.returncode == 0, stderr.decode()
    capture = stdout.decode()
    assert capture.startswith("HTTP/1.1 200")
    recording = recording_from_sse(capture, "curl-session", "typewriter")
    engine_side = await events_of(example, "typewriter", {"text": " ".join(words), "delayMs": 0}, tmp_path)
    assert [m.data for m in recording.messages] == [e.data for e in engine_side if e.kind == "message"]
    assert recording.status == "done" and recording.source == "sse"


# -- by hand ---------------------------------------------------------------------------------------------


def test_a_manual_recording_spaces_its_messages_by_the_interval():
    recording = manual_recording("designed", "not-built-yet", [{"status": "starting"}, {"status": "done"}], interval_s=0.25)
    assert [m.t for m in recording.messages] == [0.25, 0.5] and recording.duration == 0.5
    assert (recording.source, recording.status) == ("manual", "done")
    with pytest.raises(ValueError, match="positive"):
        manual_recording("x", "ep", [], interval_s=0)


# -- names, adding, validation ---------------------------------------------------------------------------------


def test_unique_names_are_slugs_with_a_suffix_when_taken(example: Project):
    project = example.model_copy(update={"recordings": [manual_recording("report-run", "generate-report", [])]})
    assert unique_recording_name(project, "Report Run") == "report-run-2"
    assert unique_recording_name(project, "New one!") == "new-one"
    assert unique_recording_name(project, "!!!") == "recording"
    project = add_recording(project, manual_recording("report-run-2", "generate-report", []))
    assert unique_recording_name(project, "report-run") == "report-run-3"


def test_adding_a_recording_refuses_a_taken_name_unless_replacing(example: Project):
    first = manual_recording("take", "typewriter", [{"status": "done"}])
    project = add_recording(example, first)
    second = manual_recording("take", "typewriter", [{"status": "starting"}, {"status": "done"}])
    with pytest.raises(ValueError, match="already a recording named 'take'"):
        add_recording(project, second)
    replaced = add_recording(project, second, replace=True)
    assert [len(r.messages) for r in replaced.recordings if r.name == "take"] == [2]


def test_recordings_and_tests_round_trip_through_a_project_file(example: Project, tmp_path: Path):
    recording = recording_from_sse(CAPTURE, "captured", "typewriter")
    project = add_recording(example, recording)
    project = project.model_copy(update={"stream_tests": [StreamTest(name="t", endpoint="typewriter", statuses=["starting", "chunk", "done"])]})
    save_project(project, tmp_path / "p.streamwright.json")
    loaded = load_project(tmp_path / "p.streamwright.json")
    assert loaded.recordings == project.recordings and loaded.stream_tests == project.stream_tests
    document = json.loads(dump_project(loaded))
    assert "fromRecording" in document["streamTests"][0] and "endpointVersion" in document["recordings"][-1]


def test_a_recording_of_a_missing_endpoint_is_only_a_warning(example: Project):
    project = add_recording(example, manual_recording("designed", "not-built-yet", [{"status": "done"}]))
    problems = validate_recordings(project)
    assert [(p.severity, p.path, p.code) for p in problems] == [("warning", f"$.recordings[{len(project.recordings) - 1}].endpoint", "unknown-endpoint")]
    assert "not-built-yet" in problems[0].message
    parse_project(dump_project(project))  # loads: a page can be designed before its endpoint exists


def test_duplicate_names_make_a_project_invalid(example: Project):
    twice = [manual_recording("same", "typewriter", []), manual_recording("same", "typewriter", [])]
    with pytest.raises(ProjectInvalidError, match="recording name 'same' is used 2 times"):
        parse_project(dump_project(example.model_copy(update={"recordings": twice})))
    tests = [StreamTest(name="dup", endpoint="typewriter"), StreamTest(name="dup", endpoint="typewriter")]
    with pytest.raises(ProjectInvalidError, match="stream test name 'dup' is used 2 times"):
        parse_project(dump_project(example.model_copy(update={"stream_tests": tests})))


def test_a_stream_test_naming_what_is_not_there_gets_warnings(example: Project):
    test = StreamTest(name="odd", endpoint="typewriter", inputs={"txt": "typo"}, from_recording="gone")
    ghost = StreamTest(name="ghost", endpoint="nowhere")
    problems = validate_recordings(example.model_copy(update={"stream_tests": [test, ghost], "recordings": []}))
    assert [(p.path, p.code) for p in problems] == [
        ("$.streamTests[0].inputs.txt", "unknown-input"),
        ("$.streamTests[0].fromRecording", "unknown-recording"),
        ("$.streamTests[1].endpoint", "unknown-endpoint"),
    ]
    assert all(p.severity == "warning" for p in problems)


def test_the_bundled_example_has_a_recording_of_its_report(example: Project):
    recording = next(r for r in example.recordings if r.name == "report-run")
    assert isinstance(recording, Recording) and recording.endpoint == "generate-report"
    assert [m.data["status"] for m in recording.messages] == REPORT_STATUSES
    assert recording.inputs == {"since": "2026-01-01"} and recording.messages[-1].t > 9  # the real 2.4 s steps
    assert validate_recordings(example) == []


def test_a_capture_with_keyed_parts_records_their_messages_with_part_ids_and_transient_flags():
    sse = 'id: 1\ndata: {"status":"a"}\n\nevent: part\nid: 2\ndata: {"part":"w","transient":true,"data":{"status":"w","t":1}}\n\n'
    ndjson = '{"event":"message","id":1,"data":{"status":"a"}}\n{"event":"part","id":2,"part":"w","transient":true,"data":{"status":"w","t":1}}\n'
    for text in (sse, ndjson):
        messages = recording_from_sse(text, "keyed", "ep").messages
        assert [(m.data, m.part, m.transient) for m in messages] == [({"status": "a"}, None, False), ({"status": "w", "t": 1}, "w", True)]
    with pytest.raises(CaptureError, match="part event"):
        recording_from_sse("event: part\ndata: 3\n\n", "bad", "ep")
    with pytest.raises(CaptureError, match=r"line 1: a part event.s data must be \{\"part\": \"<id>\""):
        recording_from_sse('event: part\ndata: {"part": 7, "data": {}}\n\n', "bad", "ep")
    with pytest.raises(CaptureError, match="transient must be true or false"):
        recording_from_sse('event: part\ndata: {"part": "w", "transient": "yes", "data": {}}\n\n', "bad", "ep")


def test_a_run_recorded_from_its_events_keeps_part_ids_and_transient_flags(example: Project):
    from app.core.events import MessageEvent, ResultEvent

    events = [
        MessageEvent(seq=1, data={"status": "starting"}, action_id="hello", t=0.0),
        MessageEvent(seq=2, data={"status": "progress", "done": 1}, action_id="tick", t=0.1, part="status", transient=True),
        MessageEvent(seq=3, data={"status": "weather"}, action_id="forecast", t=0.2, part="weather"),
        ResultEvent(status_code=200, body=None, returned=False, streamed=True, message_count=3, t=0.3),
    ]
    for given in (events, [event_to_json(event) for event in events]):  # the engine's events, or `run --format ndjson` lines
        recording = recording_from_events("keyed", "generate-report", {}, given, example)
        assert [(m.part, m.transient) for m in recording.messages] == [(None, False), ("status", True), ("weather", False)]


def test_a_transient_recorded_message_needs_its_part_id():
    with pytest.raises(ValueError, match="transient message needs its part id"):
        RecordedMessage(t=0.0, data={}, transient=True)
