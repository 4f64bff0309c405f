"""Runs and connections: cancel on disconnect, explicit cancel, resume with Last-Event-ID, shutdown."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from app.core.project import EndpointInput
from app.core.project_file import save_project
from app.runner.runs import RunChannel
from tests.conftest import ROOT, action, endpoint, formula, project_of
from tests.runner.conftest import read_sse

WOULD_WRITE = endpoint(
    [
        action("first", "stream.send", eventData={"status": "starting"}),
        action("pause", "flow.wait", milliseconds=30_000),
        action("write", "file.create", fileName="written.txt", format="text", content="the workflow went on"),
        action("last", "stream.send", eventData={"status": "done"}),
    ],
    name="would-write",
)

NUMBERED = endpoint(
    [
        action(
            "each",
            "flow.loop",
            mode="repeat",
            times=formula("inputs.n"),
            slots={"body": [action("send", "stream.send", eventData={"status": "progress", "done": formula("loop.count"), "total": formula("loop.total")}), action("pause", "flow.wait", milliseconds=formula("inputs.ms"))]},
        )
    ],
    [EndpointInput(name="n", type="integer", default=20), EndpointInput(name="ms", type="integer", default=10)],
    name="numbered",
)


GUARD_S = 30
"""A failure guard only: what the tests wait for happens within milliseconds on an idle machine."""


async def _only_run(served) -> RunChannel:
    async with asyncio.timeout(GUARD_S):
        while not served.state.runs.active():
            await asyncio.sleep(0.001)
    (channel,) = served.state.runs.active()
    return channel


async def _ended(channel: RunChannel) -> None:
    assert channel.task is not None
    await asyncio.wait({channel.task}, timeout=GUARD_S)
    assert channel.task.done()


async def test_a_client_that_disconnects_cancels_its_run(serve):
    served = await serve(project_of(WOULD_WRITE))
    async with served.client.stream("POST", "/would-write", headers=served.auth) as response:
        [first] = [e async for e in read_sse(response, limit=1)]
        channel = await _only_run(served)
        assert first.data == {"status": "starting"}
    left = time.perf_counter()
    await _ended(channel)
    print(f"run cancelled {1000 * (time.perf_counter() - left):.1f} ms after the client left")
    assert channel.task.cancelled()
    assert not (served.settings.output_root / channel.run_id / "written.txt").exists()


async def test_a_client_that_leaves_before_the_first_message_cancels_too(serve):
    slow_start = endpoint([action("pause", "flow.wait", milliseconds=30_000), action("write", "file.create", fileName="x.txt", format="text", content="x")], name="slow-start")
    served = await serve(project_of(slow_start))
    request = asyncio.create_task(served.client.post("/slow-start", headers=served.auth))
    channel = await _only_run(served)
    request.cancel()
    await _ended(channel)
    assert channel.task.cancelled()


async def test_delete_cancels_a_run_by_id(serve):
    served = await serve(project_of(WOULD_WRITE))
    headers = {**served.auth, "Streamwright-Run": "run-to-cancel-1", "Streamwright-Linger": "30"}
    async with served.client.stream("POST", "/would-write", headers=headers) as response:
        events = read_sse(response)
        first = await anext(events)
        assert first.data == {"status": "starting"}
        cancelled = await served.client.delete("/_runs/run-to-cancel-1", headers=served.auth)
        assert cancelled.json() == {"cancelled": True}
        rest = [e async for e in events]
    assert [e.event for e in rest] == ["error"] and rest[0].data["message"] == "the run was cancelled"
    assert (await served.client.delete("/_runs/never-existed-1", headers=served.auth)).status_code == 404


async def test_reconnecting_with_last_event_id_gets_every_message_exactly_once(serve):
    served = await serve(project_of(NUMBERED))
    headers = {**served.auth, "Streamwright-Run": "resumable-run-1", "Streamwright-Linger": "30"}
    received: list[int] = []
    async with served.client.stream("POST", "/numbered", headers=headers) as response:
        async for event in read_sse(response, limit=5):
            received.append(int(event.id))
    # the connection is cut; the run lingers and goes on producing
    async with served.client.stream("POST", "/numbered", headers={**headers, "Last-Event-ID": str(received[-1])}) as response:
        assert response.status_code == 200
        async for event in read_sse(response):
            received.append(int(event.id))
            assert event.data["done"] == int(event.id)
    assert received == list(range(1, 21))


async def test_a_finished_run_can_still_be_replayed_within_the_window(serve):
    served = await serve(project_of(NUMBERED))
    headers = {**served.auth, "Streamwright-Run": "finished-run-1"}
    async with served.client.stream("POST", "/numbered", params={"n": 3, "ms": 0}, headers=headers) as response:
        first = [int(e.id) async for e in read_sse(response)]
    async with served.client.stream("POST", "/numbered", headers={**headers, "Last-Event-ID": "1"}) as response:
        replay = [int(e.id) async for e in read_sse(response)]
    assert (first, replay) == ([1, 2, 3], [2, 3])


async def test_a_last_event_id_the_run_never_sent_is_400(serve):
    served = await serve(project_of(NUMBERED))
    headers = {**served.auth, "Streamwright-Run": "finished-run-2"}
    async with served.client.stream("POST", "/numbered", params={"n": 3, "ms": 0}, headers=headers) as response:
        assert [int(e.id) async for e in read_sse(response)] == [1, 2, 3]
    response = await served.client.post("/numbered", headers={**headers, "Last-Event-ID": "9"})
    assert response.status_code == 400 and "beyond the newest message" in response.json()["error"]


async def test_resuming_an_unknown_run_is_410(serve):
    served = await serve(project_of(NUMBERED))
    response = await served.client.post("/numbered", headers={**served.auth, "Streamwright-Run": "unknown-run-1", "Last-Event-ID": "4"})
    assert response.status_code == 410


async def test_a_run_id_is_checked(serve):
    served = await serve(project_of(NUMBERED))
    response = await served.client.post("/numbered", headers={**served.auth, "Streamwright-Run": "../bad"})
    assert response.status_code == 400


async def test_without_linger_a_dropped_connection_ends_the_run(serve):
    served = await serve(project_of(NUMBERED))
    headers = {**served.auth, "Streamwright-Run": "no-linger-run-1"}
    async with served.client.stream("POST", "/numbered", params={"ms": 60_000}, headers=headers) as response:  # it cannot finish first
        [e async for e in read_sse(response, limit=1)]
        channel = await _only_run(served)
    await _ended(channel)
    assert channel.task.cancelled()


def _serve_and_follow(tmp_path: Path, *curl_options: str) -> tuple[subprocess.Popen[str], subprocess.Popen[str]]:
    """A real ``serve`` process on a workflow that would write a file later, and ``curl -N`` following its stream."""
    project = tmp_path / "p.streamwright.json"
    save_project(project_of(WOULD_WRITE), project)
    env = {**os.environ, "PYTHONUNBUFFERED": "1", "STREAMWRIGHT_TOKEN": "shutdown-token"}
    command = [sys.executable, "-m", "app", "serve", str(project), "--port", "0", "--output", str(tmp_path / "out")]
    server = subprocess.Popen(command, stdout=subprocess.PIPE, text=True, cwd=ROOT, env=env)
    assert server.stdout is not None
    url = server.stdout.readline().split(" on ")[1].strip()
    headers = ["-H", "Authorization: Bearer shutdown-token", *curl_options]
    curl = subprocess.Popen(["curl", "-sN", "-X", "POST", *headers, f"{url}/would-write"], stdout=subprocess.PIPE, text=True)
    return server, curl


def test_stopping_the_server_ends_open_streams_and_exits_quickly(tmp_path: Path):
    server, curl = _serve_and_follow(tmp_path)
    try:
        assert curl.stdout is not None
        assert curl.stdout.readline().endswith(".1\n")  # id: <run>.1
        stopped = time.perf_counter()
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=10)
        elapsed = time.perf_counter() - stopped
        print(f"server exited {elapsed:.2f} s after SIGTERM with a stream open")
        rest = curl.stdout.read()
        curl.wait(timeout=10)
        assert curl.returncode == 0, "the stream ends cleanly, not cut mid-chunk"
        assert 'event: error\ndata: {"message":"the server is shutting down"' in rest
        assert server.returncode in (0, -signal.SIGTERM), "uvicorn re-raises the signal after a graceful stop"
        assert not list((tmp_path / "out").rglob("written.txt"))
    finally:
        for process in (server, curl):
            if process is not None and process.poll() is None:
                process.kill()


def test_stopping_the_server_ends_an_ndjson_stream_with_an_error_line(tmp_path: Path):
    server, curl = _serve_and_follow(tmp_path, "-H", "Accept: application/x-ndjson")
    try:
        assert curl.stdout is not None
        assert json.loads(curl.stdout.readline())["event"] == "message"
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=10)
        lines = [json.loads(line) for line in curl.stdout.read().splitlines() if line.strip()]
        curl.wait(timeout=10)
        assert curl.returncode == 0, "the stream ends cleanly"
        assert lines[-1]["event"] == "error" and lines[-1]["data"]["message"] == "the server is shutting down"
        assert not list((tmp_path / "out").rglob("written.txt"))
    finally:
        for process in (server, curl):
            if process is not None and process.poll() is None:
                process.kill()


def test_a_runner_started_with_exit_with_stdin_stops_when_its_parent_goes(tmp_path: Path):
    """The editor may crash without stopping its runner; the runner must not outlive it."""
    project = tmp_path / "p.streamwright.json"
    save_project(project_of(WOULD_WRITE), project)
    server = subprocess.Popen(
        [sys.executable, "-m", "app", "serve", str(project), "--port", "0", "--public", "--exit-with-stdin", "--output", str(tmp_path / "out")],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, cwd=ROOT,
    )
    try:
        assert server.stdout is not None and server.stdin is not None
        assert server.stdout.readline().startswith("Serving ")
        server.stdin.close()  # what the OS does when the parent process dies
        assert server.wait(timeout=10) == 0
    finally:
        if server.poll() is None:
            server.kill()


async def test_one_of_two_clients_of_a_run_leaving_does_not_stop_the_other(serve):
    """Both wait for the run's next message; the first one hanging up leaves the second's wait intact."""
    served = await serve(project_of(NUMBERED))
    headers = {**served.auth, "Streamwright-Run": "shared-run-1", "Streamwright-Linger": "30"}
    params = {"n": 6, "ms": 300}
    async with served.client.stream("POST", "/numbered", params=params, headers=headers) as first:
        seen_first = [int(e.id) async for e in read_sse(first, limit=2)]
        async with served.client.stream("POST", "/numbered", params=params, headers={**headers, "Last-Event-ID": "2"}) as second:
            assert second.status_code == 200
            await first.aclose()  # while both wait for message 3
            seen_second = [int(e.id) async for e in read_sse(second)]
    assert (seen_first, seen_second) == ([1, 2], [3, 4, 5, 6])
