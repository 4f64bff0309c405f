"""Stream health: each finding on streams built to have it, and bunching seen for real behind a buffering TCP proxy."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from app.client import StreamState
from app.core.events import MessageEvent
from app.core.project import RecordedMessage
from app.core.project_file import load_project
from app.core.run_context import RunSettings
from app.core.stream_health import (
    HealthSettings,
    HealthTally,
    TimedMessage,
    check_stream,
    endpoint_shapes,
    json_size,
    merge_shapes,
)
from app.engine import Engine
from tests.client.conftest import connect, serve, until  # noqa: F401 - fixtures: a real uvicorn and a client
from tests.conftest import EXAMPLE, SteppedClock


def timed(*items: tuple[float, Any]) -> list[TimedMessage]:
    return [TimedMessage(t, data) for t, data in items]


def report_stream() -> list[TimedMessage]:
    """The example's report as a page sees it: starting, progress ×3, done, 2.4 s apart."""
    labels = ["Retrieving data", "Calculating totals", "Generating file"]
    messages = [{"status": "starting", "label": "Starting", "done": 0, "total": 3}]
    messages += [{"status": "progress", "label": label, "done": index, "total": 3} for index, label in enumerate(labels)]
    messages.append({"status": "done", "label": "Report ready", "done": 3, "total": 3, "downloadUrl": "http://x/report.csv"})
    return [TimedMessage(index * 2.4, data) for index, data in enumerate(messages)]


def codes(report: Any) -> list[str]:
    return [finding.code for finding in report.findings]


# -- messages and their times ------------------------------------------------------------


def test_a_timed_message_knows_its_size_and_where_it_came_from():
    message = TimedMessage(1.5, {"status": "progress", "label": "é"})
    assert message.size == json_size({"status": "progress", "label": "é"}) == len('{"status":"progress","label":"é"}'.encode())
    assert message.arrival == 1.5
    recorded = TimedMessage.from_recorded(RecordedMessage(t=2.0, data={"status": "x"}, action_id="send"))
    assert (recorded.t, recorded.received_t, recorded.action_id) == (2.0, 2.0, "send")
    event = MessageEvent(3, {"status": "x"}, "send", 0.25)
    sent_only = TimedMessage.from_event(event)
    assert (sent_only.t, sent_only.sent_t, sent_only.arrival) == (0.25, 0.25, None)
    both = TimedMessage.from_event(event, received_t=1.25)
    assert (both.t, both.sent_t, both.arrival) == (1.25, 0.25, 1.25)


def test_a_healthy_stream_has_no_findings_and_its_figures():
    report = check_stream(report_stream(), ended="done", duration=9.7)
    assert report.findings == [] and report.ok and not report.failed(strict=True)
    summary = report.summary
    assert summary.count == 5 and summary.duration == 9.7
    assert summary.max_gap == pytest.approx(2.4) and summary.peak_rate_per_s == 1
    assert summary.bytes_total == sum(m.size for m in report_stream()) and summary.max_bytes == max(m.size for m in report_stream())
    assert summary.mean_rate_per_s == pytest.approx(5 / 9.7) and summary.bunching_judged


# -- the end -----------------------------------------------------------------------


def test_a_stream_without_its_final_message_is_an_error():
    report = check_stream(report_stream()[:4], ended="done")
    assert codes(report) == ["no-final-message"] and report.failed() and not report.ok
    finding = report.findings[0]
    assert finding.severity == "error" and finding.seq == 4
    assert "ended after message 4 (status 'progress') without a final message" in finding.message
    assert "'done'" in finding.advice


def test_a_result_after_the_messages_counts_as_the_final_message():
    assert check_stream(report_stream()[:4], ended="done", returned=True).ok


def test_a_stream_that_just_stops_says_so():
    report = check_stream(report_stream()[:2], ended=None)
    assert "stopped after message 2" in report.findings[0].message


def test_other_final_statuses_are_accepted_and_configurable():
    stream = timed((0, {"status": "starting"}), (1, {"status": "finished"}))
    assert check_stream(stream, ended="done").ok
    assert codes(check_stream(stream, ended="done", settings=HealthSettings(final_statuses=("done",)))) == ["no-final-message"]


def test_a_normal_call_without_messages_is_not_a_stream_to_judge():
    assert check_stream([], ended="done").findings == []


def test_a_stream_ending_with_an_error_is_an_error_finding():
    report = check_stream(report_stream()[:2], ended="error", error="no such table: orders (action fetch_sales)")
    assert codes(report) == ["ended-with-error"] and report.failed()
    assert report.findings[0].message == "the stream ended with an error after message 2: no such table: orders (action fetch_sales)"


def test_a_cancelled_call_is_only_noted():
    report = check_stream(report_stream()[:2], ended="cancelled")
    assert [(f.code, f.severity) for f in report.findings] == [("no-final-message", "info")] and report.ok


# -- shapes ------------------------------------------------------------------------------


def test_messages_with_one_status_but_different_fields_disagree():
    stream = report_stream()
    stream[2] = TimedMessage(stream[2].t, {"status": "progress", "done": 1, "total": 3})
    report = check_stream(stream, ended="done")
    assert codes(report) == ["shape-mismatch"] and report.findings[0].severity == "warning"
    assert report.findings[0].message == (
        "message 3 (status progress) has fields {done, status, total} but message 2 with the same status "
        "had {done, label, status, total}: missing label"
    )


def test_messages_without_a_status_are_a_shape_finding():
    stream = timed((0, {"status": "starting"}), (1, {"done": 1}), (2, "plain text"), (3, {"status": "done"}))
    report = check_stream(stream, ended="done")
    assert [f.message for f in report.findings] == ["messages 2 and 3 have no status: the page cannot tell what kind of message it is"]


def test_shapes_can_be_checked_against_expected_ones_with_optional_fields():
    expected = {"starting": ["done", "label", "status", "total"], "progress": ["done", "label?", "status", "total"], "done": ["status"]}
    stream = timed(
        (0, {"status": "starting", "label": "Go", "done": 0, "total": 3}),
        (1, {"status": "progress", "done": 1, "total": 3}),  # label is optional
        (2, {"status": "progress", "done": 2, "total": 3, "eta": 5}),
        (3, {"status": "retrying"}),
        (4, {"status": "done", "url": "x"}),
    )
    messages = [f.message for f in check_stream(stream, ended="done", shapes_expected=expected).findings]
    assert messages == [
        "message 3 (status progress) has fields {done, eta, status, total}, expected {done, label?, status, total}: extra eta",
        "message 5 (status done) has fields {status, url}, expected {status}: extra url",
        "message 4 has status 'retrying', which is not an expected one (starting, progress, done)",
    ]


def test_shapes_are_merged_with_optional_fields_and_read_from_an_endpoint():
    assert merge_shapes([{"status", "done"}, {"status", "done", "label"}]) == ["done", "label?", "status"]
    shapes = endpoint_shapes(load_project(EXAMPLE).endpoint("generate-report"))
    assert shapes == {
        "starting": ["done", "label", "status", "total"],
        "progress": ["done", "label", "status", "total"],
        "done": ["done", "downloadUrl", "label", "revenue", "status", "total"],
    }


# -- sizes, gaps, rate -------------------------------------------------------------------


def test_an_oversized_message_is_named_with_its_size():
    stream = report_stream()
    stream[1] = TimedMessage(stream[1].t, {"status": "progress", "rows": ["x" * 100] * 50})
    report = check_stream(stream, ended="done", shapes_expected={"starting": [], "progress": ["status", "rows"], "done": []}, settings=HealthSettings())
    oversized = [f for f in report.findings if f.code == "oversized"]
    assert len(oversized) == 1 and oversized[0].seq == 2
    assert oversized[0].message == f"message 2 (status progress) is {stream[1].size:,} bytes, over the 4,096-byte limit"
    assert "downloadUrl" in oversized[0].advice


def test_findings_of_one_code_are_capped_and_the_rest_summed_up():
    stream = [TimedMessage(i * 0.5, {"status": "chunk", "text": "x" * 5000}) for i in range(30)] + [TimedMessage(15.0, {"status": "done"})]
    oversized = [f for f in check_stream(stream, ended="done").findings if f.code == "oversized"]
    assert len(oversized) == 11 and oversized[-1].message == "20 more like this, from message 11"


def test_long_gaps_before_between_and_after_messages():
    stream = timed((12.0, {"status": "starting"}), (13.0, {"status": "progress"}), (25.5, {"status": "done"}))
    report = check_stream(stream, ended="done", duration=40.0)
    assert [f.message for f in report.findings] == [
        "no message for the first 12.0 s of the call: the page shows nothing while it waits",
        "no message for 12.5 s between message 2 (at 13.0 s) and message 3 (at 25.5 s): the page looks stuck",
        "the stream stayed open 14.5 s after its last message (message 3) before it ended",
    ]
    assert report.summary.max_gap == pytest.approx(14.5)
    assert check_stream(stream, ended="done", duration=40.0, settings=HealthSettings(max_gap_s=20)).ok


def test_more_messages_per_second_than_a_page_can_show():
    stream = [TimedMessage(i * 0.002, {"status": "progress", "done": i + 1, "total": 500}) for i in range(500)]
    stream.append(TimedMessage(1.5, {"status": "done"}))
    report = check_stream(stream, ended="done")
    assert codes(report) == ["too-fast"] and report.summary.peak_rate_per_s == 500
    finding = report.findings[0]
    assert finding.message == "500 messages arrived within one second (messages 1–500, from 0.00 s): more than the 60 per second a page can show"
    assert "every 10 items" in finding.advice and "loop.count % 10 = 0" in finding.advice
    assert check_stream(stream, ended="done", settings=HealthSettings(max_rate_per_s=1000)).ok


def test_too_many_text_chunks_get_advice_to_send_bigger_chunks():
    stream = [TimedMessage(i * 0.001, {"status": "chunk", "text": "w "}) for i in range(100)] + [TimedMessage(0.2, {"status": "done"})]
    finding = check_stream(stream, ended="done").findings[0]
    assert finding.code == "too-fast" and "larger chunks" in finding.advice


def test_sixty_messages_in_a_second_is_still_fine():
    stream = [TimedMessage(i / 60, {"status": "progress"}) for i in range(60)] + [TimedMessage(1.5, {"status": "done"})]
    assert check_stream(stream, ended="done").ok


# -- bunches -------------------------------------------------------------------------------


def buffered(sent: list[float], release_every_s: float) -> list[float]:
    """Receive times behind a proxy that holds bytes and releases them every ``release_every_s``, 0.2 ms apart per message."""
    received, burst_at, in_burst = [], None, 0
    for t in sent:
        release = (int(t / release_every_s) + 1) * release_every_s
        in_burst = in_burst + 1 if release == burst_at else 0
        burst_at = release
        received.append(release + 0.0002 * in_burst)
    return received


def progress(count: int) -> list[dict[str, Any]]:
    return [{"status": "progress", "done": i + 1, "total": count} for i in range(count - 1)] + [{"status": "done", "done": count, "total": count}]


def test_a_deliberately_buffered_stream_is_bunched_and_the_same_stream_unbuffered_is_not():
    sent = [0.05 + 0.1 * i for i in range(30)]  # the engine sends every 100 ms
    data = progress(30)
    received = buffered(sent, 1.0)  # bursts at 1 s, 2 s, 3 s
    stream = [TimedMessage(r, d, sent_t=s, received_t=r) for s, r, d in zip(sent, received, data, strict=True)]
    report = check_stream(stream, ended="done")
    bunched = [f for f in report.findings if f.code == "bunched"]
    assert [f.seq for f in bunched] == [1, 11, 21] and all(f.severity == "warning" for f in bunched)
    assert bunched[0].message == (
        "messages 1–10 arrived within 2 ms after 1.0 s of silence since the call started, though they were sent over 900 ms: "
        "a proxy is buffering the stream (turn buffering off, e.g. X-Accel-Buffering: no)"
    )
    assert bunched[1].message.startswith("messages 11–20 arrived within 2 ms after 998 ms of silence, though")
    assert "proxy_buffering off" in bunched[0].advice
    prompt = [TimedMessage(s + 0.001, d, sent_t=s, received_t=s + 0.001) for s, d in zip(sent, data, strict=True)]
    assert check_stream(prompt, ended="done").ok


def test_messages_sent_together_are_not_a_bunch_when_the_send_times_say_so():
    sent = [1.0 + 0.0001 * i for i in range(10)]  # a tight loop after a pause: they were sent together
    stream = [TimedMessage(s + 0.001, d, sent_t=s, received_t=s + 0.001) for s, d in zip(sent, progress(10), strict=True)]
    assert "bunched" not in codes(check_stream(stream, ended="done"))
    receive_only = [TimedMessage(s + 0.001, d) for s, d in zip(sent, progress(10), strict=True)]
    finding = check_stream(receive_only, ended="done").findings[0]
    assert finding.code == "bunched" and "a proxy is probably buffering the stream" in finding.message


def test_bunching_is_not_judged_on_send_times_alone():
    events = [MessageEvent(i + 1, d, "send", 1.0 + 0.0001 * i) for i, d in enumerate(progress(10))]
    report = check_stream([TimedMessage.from_event(e) for e in events], ended="done")
    assert report.ok and not report.summary.bunching_judged


def test_the_window_and_the_minimum_are_settings():
    sent = [0.05 + 0.1 * i for i in range(30)]
    received = buffered(sent, 1.0)
    stream = [TimedMessage(r, d, received_t=r) for r, d in zip(received, progress(30), strict=True)]
    assert "bunched" not in codes(check_stream(stream, ended="done", settings=HealthSettings(bunch_min=11)))
    assert "bunched" not in codes(check_stream(stream, ended="done", settings=HealthSettings(bunch_window_ms=0.1)))


# -- a run's events ----------------------------------------------------------------------------


async def test_a_tally_of_the_engine_s_events_checks_a_run(tmp_path):
    project = load_project(EXAMPLE)
    settings = RunSettings(project_dir=EXAMPLE.parent, output_root=tmp_path, trace=True)
    tally = HealthTally()
    async for event in Engine(project).run("generate-report", {"stepDelayMs": 0}, settings):
        tally.add(event)
    assert tally.ended == "done" and len(tally.messages) == 5
    assert tally.check().ok

    endpoint = project.endpoint("generate-report")
    dropped = project.model_copy(update={"endpoints": [endpoint.model_copy(update={"workflow": endpoint.workflow[:-1]})]})
    tally = HealthTally()
    async for event in Engine(dropped).run("generate-report", {"stepDelayMs": 0}, settings):
        tally.add(event)
    assert codes(tally.check()) == ["no-final-message"]


# -- for real: a buffering proxy between uvicorn and the client -----------------------------------


class GatedProxy:
    """Forwards one connection on 127.0.0.1:<port> to a server and holds back what the server sends until released.

    ``release(n)`` lets the next ``n`` messages (SSE events with an ``id:``)
    through in one write, as a buffering reverse proxy lets out what it held;
    released one at a time, they arrive as they would without a proxy.
    ``finish()`` lets out the rest once the server has ended the response.
    """

    def __init__(self, target_port: int) -> None:
        self.target_port = target_port
        self._held = bytearray()
        self._forwarded = 0
        self._message_ends: list[int] = []
        """Offsets in ``_held`` just after each message event's blank line."""
        self._scanned = 0
        self._released_messages = 0
        self._server_done = asyncio.Event()
        self._arrived = asyncio.Event()
        self._client_writer: asyncio.StreamWriter | None = None
        self._connected = asyncio.Event()
        self._tasks: set[asyncio.Task[Any]] = set()
        self._server: asyncio.Server | None = None

    async def start(self) -> str:
        self._server = await asyncio.start_server(self._handle, "127.0.0.1", 0)
        return f"http://127.0.0.1:{self._server.sockets[0].getsockname()[1]}"

    async def _handle(self, client_reader: asyncio.StreamReader, client_writer: asyncio.StreamWriter) -> None:
        server_reader, server_writer = await asyncio.open_connection("127.0.0.1", self.target_port)
        self._client_writer = client_writer
        self._connected.set()

        async def upstream() -> None:
            while data := await client_reader.read(65536):
                server_writer.write(data)
                await server_writer.drain()

        async def hold() -> None:
            while data := await server_reader.read(65536):
                self._held.extend(data)
                self._scan()
                if self._held.endswith(b"\r\n0\r\n\r\n"):  # the last chunk: the response is complete
                    self._server_done.set()
            self._server_done.set()

        for job in (upstream(), hold()):
            task = asyncio.create_task(job)
            self._tasks.add(task)

    def _scan(self) -> None:
        while (end := self._held.find(b"\n\n", self._scanned)) >= 0:
            if b"\nid: " in b"\n" + self._held[self._scanned : end + 2]:  # an event may follow the last at once
                self._message_ends.append(end + 2)
            self._scanned = end + 2
        self._arrived.set()

    async def _until(self, condition: Any) -> None:
        async with asyncio.timeout(GUARD_S):
            while not condition():
                self._arrived.clear()
                await self._arrived.wait()

    async def release(self, count: int) -> None:
        """Wait until the server has sent ``count`` more messages, then let them through in one write."""
        target = self._released_messages + count
        await self._until(lambda: len(self._message_ends) >= target)
        await self._write(self._message_ends[target - 1])
        self._released_messages = target

    async def finish(self) -> None:
        """Let out everything else once the server has ended the response, and close the connection."""
        async with asyncio.timeout(GUARD_S):
            await self._server_done.wait()
        await self._write(len(self._held))
        assert self._client_writer is not None
        self._client_writer.close()

    async def _write(self, upto: int) -> None:
        async with asyncio.timeout(GUARD_S):
            await self._connected.wait()
        assert self._client_writer is not None
        self._client_writer.write(bytes(self._held[self._forwarded : upto]))
        self._forwarded = upto
        await self._client_writer.drain()

    async def close(self) -> None:
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        if self._client_writer is not None:
            self._client_writer.close()
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()


GUARD_S = 30.0
"""A failure guard only: every wait below is for something that happens within milliseconds."""
IMPORT = {"rows": 1400, "every": 100}  # starting, 14 progress messages, done


async def receive(client: Any, proxy: GatedProxy, releases: list[tuple[float, int]]) -> tuple[list[TimedMessage], StreamState]:
    """Call long-import through ``proxy``; for each ``(seconds, count)`` step the client's clock, then release ``count`` messages.

    Each message is stamped with the client's own receive time (``StreamState.last_message_at``,
    read from the stepped clock), in seconds since the call started: the times stream health judges.
    """
    clock = SteppedClock()
    state = StreamState(clock=clock)
    received: list[TimedMessage] = []

    def note(changed: StreamState) -> None:
        while len(received) < changed.count:
            assert changed.last_message_at is not None and changed.started_at is not None
            now = changed.last_message_at - changed.started_at
            received.append(TimedMessage(now, changed.chunks[len(received)], received_t=now))

    state.on_change.append(note)
    call = client.start("/long-import", IMPORT, state=state)
    expected = 0
    for seconds, count in releases:
        clock.advance(seconds)
        await proxy.release(count)
        expected += count
        await until(state, lambda s: s.count >= expected, GUARD_S)  # noqa: B023 - awaited before it changes
    await proxy.finish()
    async with asyncio.timeout(GUARD_S):
        await call.wait()
    return received, state


async def test_a_buffering_proxy_makes_the_client_see_bunches(serve, connect):  # noqa: F811 - fixtures
    served = await serve(load_project(EXAMPLE))
    port = int(served.url.rsplit(":", 1)[1])

    proxy = GatedProxy(port)  # buffering: lets out what it held once a second
    try:
        messages, state = await receive(connect(await proxy.start()), proxy, [(1.0, 10), (1.0, 6)])
    finally:
        await proxy.close()
    assert state.status == "done" and [m.t for m in messages] == [1.0] * 10 + [2.0] * 6
    bunched = [f for f in check_stream(messages, ended="done").findings if f.code == "bunched"]
    assert [f.seq for f in bunched] == [1, 11]
    assert bunched[0].message.startswith("messages 1–10 arrived within 1 ms after 1.0 s of silence since the call started")
    assert "a proxy is probably buffering the stream" in bunched[0].message

    proxy = GatedProxy(port)  # prompt: each message as the server sends it, 150 ms apart
    try:
        messages, state = await receive(connect(await proxy.start()), proxy, [(0.15, 1)] * 16)
    finally:
        await proxy.close()
    assert state.status == "done" and len(messages) == 16
    assert [round(m.t, 2) for m in messages] == [round(0.15 * k, 2) for k in range(1, 17)]
    assert check_stream(messages, ended="done").ok
