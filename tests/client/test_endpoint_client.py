"""EndpointClient against a real uvicorn: Handle stream on and off, errors, retention, stalls and cancel."""

from __future__ import annotations

import asyncio
import json
import time
from pathlib import Path
from typing import Any

import httpx
import pytest

from app.client import EndpointClient, StreamError, StreamState
from app.core.project import EndpointInput, Project
from tests.client.conftest import TOKEN, Served, eventually, until
from tests.conftest import EXAMPLE, SteppedClock, action, endpoint, formula, project_of

WORDS = ["Hello ", "streaming ", "world"]


def statuses(state: StreamState) -> list[str]:
    """Every status the state goes through, each once, recorded as it changes."""
    seen: list[str] = []
    state.on_change.append(lambda s: seen.append(s.status) if not seen or seen[-1] != s.status else None)
    return seen


async def test_handle_stream_on_goes_connecting_streaming_done_with_every_message_in_order(serve, connect, example: Project) -> None:
    served: Served = await serve(example)
    client: EndpointClient = connect(served.url)
    state = StreamState()
    seen = statuses(state)
    before = time.monotonic()
    call = client.start("/typewriter", {"text": "Hello streaming world", "delayMs": 0}, state=state)
    await call.wait()
    after = time.monotonic()

    assert seen == ["connecting", "streaming", "done"]
    expected = [{"status": "starting"}, *({"status": "chunk", "text": w} for w in WORDS), {"status": "done", "words": 3}]
    assert state.chunks == expected
    assert state.chunk == expected[-1]
    assert state.count == 5 and state.last_seq == "5"
    assert before <= state.started_at <= state.first_message_at <= state.last_message_at <= state.finished_at <= after
    assert (state.result, state.status_code, state.error, state.stalled) == (None, 200, None, False)
    assert state.run_id == call.run_id


async def test_first_message_time_is_when_the_first_message_arrived_not_when_the_call_ended(serve, connect, example: Project) -> None:
    served = await serve(example)
    clock = SteppedClock()
    state = StreamState(clock=clock)
    arrival: dict[int, float] = {}

    def note(changed: StreamState) -> None:  # each change one second after the last, on the state's own clock
        arrival.setdefault(changed.count, clock())
        clock.advance(1.0)

    state.on_change.append(note)
    await connect(served.url).stream("/typewriter", {"text": "a b c d", "delayMs": 20}, state=state)
    assert state.count == 6
    assert arrival[0] < state.first_message_at <= arrival[1] < arrival[2]
    assert arrival[5] < state.last_message_at <= arrival[6]


async def test_generate_report_streams_its_steps_and_the_download_link_works(serve, connect, example: Project, tmp_path: Path) -> None:
    served = await serve(example, project_dir=EXAMPLE.parent)
    client = connect(served.url)
    state = await client.stream(example.endpoint("generate-report"), {"stepDelayMs": 0})
    assert state.status == "done"
    assert [(c["status"], c["done"], c["total"]) for c in state.chunks] == [
        ("starting", 0, 3), ("progress", 0, 3), ("progress", 1, 3), ("progress", 2, 3), ("done", 3, 3),
    ]  # fmt: skip
    assert [c["label"] for c in state.chunks] == ["Starting", "Retrieving data", "Calculating totals", "Generating file", "Report ready"]
    saved = await client.download(state.chunk["downloadUrl"], tmp_path / "report.csv")
    assert saved.read_text().startswith("region,orders,units,revenue")


async def test_handle_stream_off_returns_the_one_result_of_a_stream(serve, connect, example: Project) -> None:
    served = await serve(example)
    state = StreamState()
    seen = statuses(state)
    client = connect(served.url)
    result = await client.start("/typewriter", {"text": "Hello streaming world", "delayMs": 0}, handle_stream=False, state=state).result()
    assert [m.get("text") for m in result] == [None, *WORDS, None]
    assert seen == ["connecting", "done"], "without Handle stream, bindings see no stream"
    assert (state.count, state.chunks) == (0, [])


def returning(status_code: int, body: Any, *before: Any) -> Project:
    workflow = [*before, action("answer", "response.return", statusCode=status_code, body=body)]
    return project_of(endpoint(workflow, inputs=[EndpointInput(name="n", type="integer", default=0)]))


async def test_handle_stream_off_returns_a_normal_calls_body_and_status(serve, connect) -> None:
    served = await serve(returning(201, {"id": formula("inputs.n * 2"), "ok": True}))
    client = connect(served.url)
    assert await client.call("/ep", {"n": 21}) == {"id": 42, "ok": True}
    state = await client.stream("/ep", {"n": 1}, handle_stream=False)
    assert (state.status, state.status_code, state.result) == ("done", 201, {"id": 2, "ok": True})


async def test_a_return_after_a_stream_is_the_result(serve, connect) -> None:
    served = await serve(returning(200, {"total": 7}, action("hello", "stream.send", eventData={"status": "starting"})))
    client = connect(served.url)
    state = await client.stream("/ep")
    assert (state.chunks, state.result, state.status) == ([{"status": "starting"}], {"total": 7}, "done")
    assert await client.call("/ep") == {"total": 7}


async def test_bad_input_is_an_error_naming_the_field(serve, connect, example: Project) -> None:
    served = await serve(example)
    client = connect(served.url)
    with pytest.raises(StreamError) as raised:
        await client.call("/typewriter", {"delayMs": "soon"})
    assert raised.value.status_code == 422
    assert raised.value.fields == {"delayMs": "expected integer, got string"}
    assert "delayMs" in str(raised.value)
    state = await client.stream("/typewriter", {"delayMs": "soon"})
    assert (state.status, state.error.fields) == ("error", {"delayMs": "expected integer, got string"})


async def test_a_failure_before_streaming_is_an_error_naming_the_action(serve, connect) -> None:
    served = await serve(project_of(endpoint([action("check_stock", "flow.throw", message="out of stock")])))
    client = connect(served.url)
    with pytest.raises(StreamError) as raised:
        await client.call("/ep")
    error = raised.value
    assert (error.message, error.action, error.action_type, error.status_code) == ("out of stock", "check_stock", "flow.throw", 500)
    assert str(error) == "out of stock (action check_stock, flow.throw)"


async def test_an_error_after_the_stream_started_ends_it_with_the_message_and_action(serve, connect) -> None:
    workflow = [
        action("hello", "stream.send", eventData={"status": "starting"}),
        action("fail_here", "flow.throw", message="the API said no"),
    ]
    served = await serve(project_of(endpoint(workflow)))
    state = StreamState()
    seen = statuses(state)
    await connect(served.url).stream("/ep", state=state)
    assert seen == ["connecting", "streaming", "error"]
    assert state.chunks == [{"status": "starting"}]
    assert (state.error.message, state.error.action, state.error.action_type) == ("the API said no", "fail_here", "flow.throw")
    assert state.to_json()["error"]["action"] == "fail_here"


async def test_a_wrong_token_is_a_clear_error(serve, connect, example: Project) -> None:
    served = await serve(example)
    with pytest.raises(StreamError, match="missing or wrong token") as raised:
        await connect(served.url, token="nope").call("/typewriter")
    assert raised.value.status_code == 401


async def test_a_client_chosen_run_id_and_trace_events(serve, connect, example: Project) -> None:
    served = await serve(example)
    client = connect(served.url)
    call = client.start("/typewriter", {"text": "hi", "delayMs": 0}, run_id="preview-run-1", trace=True)
    state = await call.wait()
    assert (call.run_id, state.run_id, served.state.runs.get("preview-run-1").done) == ("preview-run-1", "preview-run-1", True)
    assert {"action_started", "action_finished"} <= {t["kind"] for t in state.traces}
    with pytest.raises(ValueError):
        client.start("/typewriter", run_id="short")


async def test_retention_keeps_the_last_n_of_a_long_stream(serve, connect) -> None:
    loop = action("each", "flow.loop", {"body": [action("tick", "stream.send", eventData={"n": formula("loop.count")})]}, mode="repeat", times=500)
    served = await serve(project_of(endpoint([loop])))
    state = StreamState(retention=10)
    await connect(served.url).stream("/ep", state=state)
    assert state.count == 500
    assert state.chunks == [{"n": n} for n in range(491, 501)]


async def test_get_endpoints_take_inputs_in_the_path_and_query(serve, connect) -> None:
    echo = [action("answer", "response.return", body={"id": formula("inputs.id"), "q": formula("inputs.q"), "n": formula("inputs.n")})]
    project = project_of(endpoint(echo, name="items"))
    project.endpoints[0].method, project.endpoints[0].path = "GET", "/items/{id}"
    project.endpoints[0].inputs = [EndpointInput(name="id"), EndpointInput(name="q"), EndpointInput(name="n", type="integer")]
    served = await serve(project)
    result = await connect(served.url).call(project.endpoints[0], {"id": "a b", "q": "x&y=z", "n": 3})
    assert result == {"id": "a b", "q": "x&y=z", "n": 3}


class Gate:
    """An HTTP server whose every request is answered (``200 {}``) only once the test calls ``open()``."""

    def __init__(self) -> None:
        self.opened = asyncio.Event()
        self._server: asyncio.Server | None = None

    async def start(self) -> str:
        self._server = await asyncio.start_server(self._handle, "127.0.0.1", 0)
        return f"http://127.0.0.1:{self._server.sockets[0].getsockname()[1]}/gate"

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.readuntil(b"\r\n\r\n")
        await self.opened.wait()
        writer.write(b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 2\r\nconnection: close\r\n\r\n{}")
        await writer.drain()
        writer.close()

    def open(self) -> None:
        self.opened.set()

    async def close(self) -> None:
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()


async def test_stalled_turns_on_after_a_quiet_spell_and_off_with_the_next_message(serve, connect) -> None:
    gate = Gate()  # the quiet spell lasts until the test has seen the stall, however slow the machine
    workflow = [
        action("first", "stream.send", eventData={"status": "starting"}),
        action("quiet", "http.request", method="GET", url=await gate.start(), timeoutMs=120_000),
        action("second", "stream.send", eventData={"status": "progress"}),
        action("forever", "flow.wait", milliseconds=600_000),
    ]
    served = await serve(project_of(endpoint(workflow)))
    state = StreamState(stall_after_s=0.1)
    log: list[tuple[int, bool]] = []
    state.on_change.append(lambda s: log.append((s.count, s.stalled)))
    call = connect(served.url).start("/ep", state=state)
    try:
        await until(state, lambda s: s.count == 1 and s.stalled)
        gate.open()
        await until(state, lambda s: s.count == 2 and s.stalled)
        await call.cancel()
    finally:
        await gate.close()

    assert (1, False) in log and (1, True) in log, "quiet after the first message: stalled"
    assert log[log.index((1, True)) + 1] == (2, False), "the next message clears it at once"
    assert (state.status, state.stalled) == ("cancelled", False)


async def test_cancel_closes_the_stream_and_stops_the_run_on_the_server(serve, connect, tmp_path: Path) -> None:
    workflow = [
        action("hello", "stream.send", eventData={"status": "starting"}),
        action("slow_step", "flow.wait", milliseconds=10_000),
        action("write_it", "file.create", fileName="written.txt", format="text", content="should never exist"),
        action("bye", "stream.send", eventData={"status": "done"}),
    ]
    served = await serve(project_of(endpoint(workflow)))
    client = connect(served.url)
    state = StreamState()
    seen = statuses(state)
    call = client.start("/ep", state=state)
    await until(state, lambda s: s.status == "streaming")
    assert served.state.runs.get(call.run_id).linger_s > 0, "closing alone would leave the run lingering"
    await call.cancel()
    assert seen == ["connecting", "streaming", "cancelled"]

    await assert_run_was_cancelled(served, client, call.run_id, after=1)
    assert not list(served.settings.output_root.rglob("written.txt"))


async def test_cancel_before_the_first_message_stops_a_normal_call_too(serve, connect) -> None:
    workflow = [action("slow_step", "flow.wait", milliseconds=10_000), action("answer", "response.return", body="late")]
    served = await serve(project_of(endpoint(workflow)))
    client = connect(served.url)
    call = client.start("/ep", handle_stream=False)
    await eventually(lambda: served.state.runs.get(call.run_id) is not None)  # the request reached the server
    await call.cancel()
    assert call.state.status == "cancelled"
    await assert_run_was_cancelled(served, client, call.run_id, after=0)


async def assert_run_was_cancelled(served: Served, client: EndpointClient, run_id: str, after: int) -> None:
    """Follow the run from a second connection (resume with Last-Event-ID) to its end, which must be the cancel."""
    headers = {"Streamwright-Run": run_id, "Last-Event-ID": str(after), "Authorization": f"Bearer {TOKEN}"}
    async with httpx.AsyncClient(base_url=served.url, timeout=30) as http:
        response = await http.post("/ep", headers=headers)
    assert response.status_code == 200, response.text
    blocks = [block for block in response.text.split("\n\n") if block.strip()]
    assert blocks[-1].splitlines()[0] == "event: error"
    assert json.loads(blocks[-1].splitlines()[1].removeprefix("data: "))["message"] == "the run was cancelled"
    assert served.state.runs.get(run_id).done
