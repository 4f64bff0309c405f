"""Several ``streamwright serve`` processes sharing one real redis-server: resume, stop and faults across workers.

Every wait is on a line, an event or an exit, with a generous bound; nothing
sleeps a fixed time.
"""

from __future__ import annotations

import json
import os
import secrets
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from app.core.project import EndpointInput, Project
from app.core.project_file import save_project
from tests.conftest import ROOT, action, endpoint, formula, project_of
from tests.external.conftest import SERVING_LINE, STARTUP_TIMEOUT_S, Lines
from tests.support.redis_server import RedisServer, free_port

GUARD_S = 60
"""A failure bound only: what the tests wait for takes well under a second on an idle machine (the lost run: the lease, 4 s)."""

COUNTED = endpoint(
    [
        action(
            "each",
            "flow.loop",
            mode="repeat",
            times=formula("inputs.n"),
            slots={
                "body": [
                    action("send", "stream.send", eventData={"status": "progress", "done": formula("loop.count"), "total": formula("loop.total")}),
                    action("pause", "flow.wait", milliseconds=formula("inputs.ms")),
                ]
            },
        )
    ],
    [EndpointInput(name="n", type="integer", default=40), EndpointInput(name="ms", type="integer", default=100)],
    name="counted",
)
WOULD_WRITE = endpoint(
    [
        action("first", "stream.send", eventData={"status": "starting"}),
        action("pause", "flow.wait", milliseconds=60_000),
        action("write", "file.create", fileName="written.txt", format="text", content="the workflow went on"),
        action("last", "stream.send", eventData={"status": "done"}),
    ],
    name="would-write",
)
PROJECT = project_of(COUNTED, WOULD_WRITE)


@dataclass
class Served:
    url: str
    token: str
    process: subprocess.Popen[bytes]
    output: Path

    @property
    def auth(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


@pytest.fixture
def serve_process(tmp_path: Path) -> Iterator[Callable[..., Served]]:
    """``serve_process(*args, project=PROJECT)``: a running ``streamwright serve`` on a free port; stopped at teardown."""
    started: list[subprocess.Popen[bytes]] = []
    token = secrets.token_urlsafe(18)  # one token, as the workers of one deployment share

    def start(*extra: str, project: Project = PROJECT) -> Served:
        folder = tmp_path / f"serve-{len(started)}"
        folder.mkdir()
        path = folder / "project.streamwright.json"
        save_project(project, path)
        output = tmp_path / "output"
        command = [sys.executable, "-m", "app", "serve", str(path), "--port", "0", f"--token={token}", "--output", str(output), *extra]
        process = subprocess.Popen(
            command,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            stdin=subprocess.DEVNULL,
            cwd=folder,
            env={**os.environ, "PYTHONUNBUFFERED": "1", "PYTHONPATH": str(ROOT)},
        )
        started.append(process)
        assert process.stdout is not None
        first = Lines(process.stdout, "serve").next(STARTUP_TIMEOUT_S)
        found = SERVING_LINE.match(first or "")
        assert found, f"unexpected first line {first!r}"
        return Served(found["url"], token, process, output)

    yield start
    for process in started:
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=20)


def _events(lines: Iterator[str]) -> Iterator[dict[str, str]]:
    """SSE events (``id``, ``event``, ``data`` as sent) from response lines."""
    fields: dict[str, str] = {}
    for line in lines:
        if line.startswith(":"):
            continue
        if line == "":
            if fields:
                yield fields
                fields = {}
            continue
        name, _, value = line.partition(":")
        fields[name] = value.removeprefix(" ")


def _first_events(served: Served, path: str, count: int, headers: dict[str, str] | None = None) -> tuple[str, list[dict[str, str]]]:
    """Start a run on ``served``, read ``count`` events, then drop the connection: ``(run id, events)``."""
    with httpx.Client(timeout=GUARD_S) as client, client.stream("POST", served.url + path, headers={**served.auth, **(headers or {})}) as response:
        assert response.status_code == 200, response.read()
        events = []
        for event in _events(response.iter_lines()):
            events.append(event)
            if len(events) == count:
                break
        return response.headers["streamwright-run"], events


def _curl_resume(served: Served, path: str, last_event_id: str) -> tuple[list[dict[str, str]], float]:
    """``curl -N`` with nothing but the token and ``Last-Event-ID``: every event to the end, and seconds to the first byte."""
    started = time.perf_counter()
    curl = subprocess.Popen(
        ["curl", "-sN", "-X", "POST", "-H", f"Authorization: Bearer {served.token}", "-H", f"Last-Event-ID: {last_event_id}", served.url + path],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert curl.stdout is not None
    first_line = curl.stdout.readline()
    first_byte = time.perf_counter() - started
    rest = curl.stdout.read()
    assert curl.wait(timeout=GUARD_S) == 0
    return list(_events(iter((first_line + rest).split("\n")))), first_byte


def test_a_stream_started_on_one_server_resumes_on_the_other_with_only_last_event_id(redis_server: RedisServer, serve_process) -> None:
    first_server = serve_process("--store", redis_server.url, "--resume-grace", "5")
    second_server = serve_process("--store", redis_server.url, "--resume-grace", "5")
    run_id, before = _first_events(first_server, "/counted?ms=300", 5)
    assert [event["id"] for event in before] == [f"{run_id}.{n}" for n in range(1, 6)]
    after, first_byte = _curl_resume(second_server, "/counted", before[-1]["id"])
    print(f"resumed on the other server: first byte after {1000 * first_byte:.1f} ms")
    received = [json.loads(event["data"])["done"] for event in before + after]
    assert received == list(range(1, 41)), "nothing lost, duplicated or out of order"
    assert [event["id"] for event in after] == [f"{run_id}.{n}" for n in range(6, 41)]
    # The run lasts about 12 s and its grace is 5 s: following through the other server kept it going to the end.
    assert all("event" not in event for event in after), after[-1]


def test_a_named_run_resumes_on_the_other_server_with_its_number(redis_server: RedisServer, serve_process) -> None:
    first_server = serve_process("--store", redis_server.url)
    second_server = serve_process("--store", redis_server.url)
    headers = {"Streamwright-Run": "named-shared-run-1", "Streamwright-Linger": "30"}
    run_id, before = _first_events(first_server, "/counted", 3, headers)
    assert (run_id, [event["id"] for event in before]) == ("named-shared-run-1", ["1", "2", "3"])
    with (
        httpx.Client(timeout=GUARD_S) as client,
        client.stream("POST", second_server.url + "/counted", headers={**second_server.auth, **headers, "Last-Event-ID": "3"}) as response,
    ):
        after = list(_events(response.iter_lines()))
    assert [event["id"] for event in after] == [str(n) for n in range(4, 41)]


def test_delete_sent_to_one_server_stops_a_run_owned_by_the_other(redis_server: RedisServer, serve_process) -> None:
    owner = serve_process("--store", redis_server.url)
    other = serve_process("--store", redis_server.url)
    with httpx.Client(timeout=GUARD_S) as client:
        with client.stream("POST", owner.url + "/would-write", headers={**owner.auth, "Streamwright-Run": "stopped-elsewhere-1"}) as response:
            events = _events(response.iter_lines())
            assert json.loads(next(events)["data"]) == {"status": "starting"}
            asked = time.perf_counter()
            stopped = client.delete(other.url + "/_runs/stopped-elsewhere-1", headers=other.auth)
            assert stopped.status_code == 200 and stopped.json() == {"cancelled": True}
            rest = list(events)
            print(f"stream ended {1000 * (time.perf_counter() - asked):.1f} ms after the DELETE on the other server")
        assert [(event.get("event"), json.loads(event["data"])["message"]) for event in rest] == [("error", "the run was cancelled")]
        assert client.delete(other.url + "/_runs/never-ran-anywhere", headers=other.auth).status_code == 404
    assert not list(owner.output.rglob("written.txt"))


def test_killing_the_owner_mid_run_tells_a_client_resuming_elsewhere_that_the_run_was_lost(redis_server: RedisServer, serve_process) -> None:
    owner = serve_process("--store", redis_server.url)
    other = serve_process("--store", redis_server.url)
    run_id, before = _first_events(owner, "/would-write", 1)
    owner.process.send_signal(signal.SIGKILL)
    owner.process.wait(timeout=GUARD_S)
    killed = time.perf_counter()
    after, _ = _curl_resume(other, "/would-write", before[-1]["id"])
    print(f"the resuming client heard the run was lost {time.perf_counter() - killed:.2f} s after the owner was killed")
    assert len(after) == 1 and after[0]["event"] == "error"
    assert "the run was lost" in json.loads(after[0]["data"])["message"]


def test_losing_redis_mid_stream_ends_the_stream_with_an_error_and_the_server_recovers(redis_server: RedisServer, serve_process) -> None:
    served = serve_process("--store", redis_server.url)
    with httpx.Client(timeout=GUARD_S) as client:
        with client.stream("POST", served.url + "/would-write", headers=served.auth) as response:
            events = _events(response.iter_lines())
            assert json.loads(next(events)["data"]) == {"status": "starting"}
            redis_server.stop()
            rest = list(events)
        assert [event.get("event") for event in rest] == ["error"]
        assert "run store" in json.loads(rest[0]["data"])["message"]
        assert client.get(served.url + "/", headers=served.auth).status_code == 200, "the server still answers"
        assert client.get(served.url + "/_probe", params={"events": 1, "interval": 0}, headers=served.auth).status_code == 200
        refused = client.post(served.url + "/counted", params={"n": 1, "ms": 0}, headers=served.auth)
        assert refused.status_code == 503 and "run store" in refused.json()["error"]
        redis_server.start()  # back, empty, on the same port
        answered = client.post(served.url + "/counted", params={"n": 3, "ms": 0}, headers=served.auth)
        assert answered.status_code == 200, answered.text
        assert [json.loads(event["data"])["done"] for event in _events(iter(answered.text.split("\n")))] == [1, 2, 3]
    assert not list(served.output.rglob("written.txt"))


def test_two_workers_of_one_serve_share_their_runs(redis_server: RedisServer, serve_process) -> None:
    served = serve_process("--store", redis_server.url, "--workers", "2")
    for attempt in range(4):  # the kernel spreads connections over the workers; each resume must find its run anyway
        run_id, before = _first_events(served, "/counted?ms=20&n=20", 2)
        after, _ = _curl_resume(served, "/counted", before[-1]["id"])
        assert [json.loads(event["data"])["done"] for event in before + after] == list(range(1, 21)), attempt


def _serve_exit(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "app", "serve", *args], capture_output=True, text=True, cwd=ROOT, timeout=120, stdin=subprocess.DEVNULL)


def test_several_workers_without_a_shared_store_are_refused_with_the_reason(tmp_path: Path) -> None:
    path = tmp_path / "p.streamwright.json"
    save_project(PROJECT, path)
    result = _serve_exit(str(path), "--port", "0", "--workers", "2")
    assert result.returncode == 2, result
    assert "--workers 2 needs a shared run store (--store redis://HOST:PORT/DB)" in result.stderr
    assert result.stdout == ""


def test_an_unreachable_store_at_start_is_a_clear_error_and_exit_1(tmp_path: Path) -> None:
    path = tmp_path / "p.streamwright.json"
    save_project(PROJECT, path)
    url = f"redis://127.0.0.1:{free_port()}/0"  # nothing listens there
    result = _serve_exit(str(path), "--port", "0", "--store", url)
    assert result.returncode == 1, result
    assert result.stderr.startswith(f"streamwright: cannot reach the run store at {url}: ")
    assert "Traceback" not in result.stderr
    bad = _serve_exit(str(path), "--port", "0", "--store", "mysql://x")
    assert bad.returncode == 2 and "--store must be 'memory' or a Redis URL" in bad.stderr


def test_workers_started_with_exit_with_stdin_stop_when_the_parent_goes(redis_server: RedisServer, tmp_path: Path) -> None:
    """The editor's way of starting a runner works with workers too: the end of stdin stops them all."""
    path = tmp_path / "p.streamwright.json"
    save_project(PROJECT, path)
    command = [sys.executable, "-m", "app", "serve", str(path), "--port", "0", "--public", "--exit-with-stdin", "--workers", "2", "--store", redis_server.url]
    server = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, cwd=tmp_path, env={**os.environ, "PYTHONPATH": str(ROOT)})
    try:
        assert server.stdout is not None and server.stdin is not None
        found = SERVING_LINE.match(Lines(server.stdout, "serve").next(STARTUP_TIMEOUT_S) or "")
        assert found, "serve did not announce itself"
        assert httpx.get(found["url"] + "/", timeout=GUARD_S).status_code == 200
        server.stdin.close()  # what the OS does when the parent process dies
        assert server.wait(timeout=GUARD_S) == 0
        with pytest.raises(httpx.ConnectError):
            httpx.get(found["url"] + "/", timeout=5)  # no worker is left answering
    finally:
        if server.poll() is None:
            server.kill()
