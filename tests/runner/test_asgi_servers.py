"""The README's commands for other ASGI servers, run as written: uvicorn, gunicorn with uvicorn workers, hypercorn.

Each starts ``app.runner.asgi:create_app`` with two workers on a free
loopback port, configured by the environment the README documents and
sharing a real redis-server. A stream is read halfway, resumed with nothing
but the token and ``Last-Event-ID`` (on whichever worker the new connection
reaches), and must come out whole and in order; then SIGTERM to the server's
process group ends the streams still open with an error (SSE and NDJSON
alike) and the server exits 0. Every wait is on a condition with a generous
deadline; nothing sleeps a fixed time.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from app.core.project_file import save_project
from app.runner.server import SHUTDOWN_REASON
from tests.conftest import ROOT
from tests.runner.test_shared_store_serve import PROJECT, _events
from tests.support.redis_server import RedisServer, free_port

START_S = 180.0
"""A failure bound only: two workers importing the app on a loaded machine."""
GUARD_S = 60.0
TOKEN = "asgi-servers-token-1"
FACTORY = "app.runner.asgi:create_app"
BIN = Path(sys.executable).parent


def _command(server: str, port: int) -> list[str]:
    """The README's command for ``server``, with two workers and ``port``."""
    if server == "uvicorn":
        return [str(BIN / "uvicorn"), FACTORY, "--factory", "--host", "127.0.0.1", "--port", str(port), "--workers", "2"]
    if server == "gunicorn":
        return [str(BIN / "gunicorn"), f"{FACTORY}()", "-k", "uvicorn_worker.UvicornWorker", "-w", "2", "-b", f"127.0.0.1:{port}"]
    return [str(BIN / "hypercorn"), f"{FACTORY}()", "--workers", "2", "--bind", f"127.0.0.1:{port}"]


@pytest.fixture(params=["uvicorn", "gunicorn", "hypercorn"])
def asgi_server(request: pytest.FixtureRequest, redis_server: RedisServer, tmp_path: Path) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """``(base url, process)``: the server named by the parameter, answering; its process group stopped at teardown."""
    path = tmp_path / "app.streamwright.json"
    save_project(PROJECT, path)
    port = free_port()
    env = {
        **os.environ,
        "STREAMWRIGHT_PROJECT": str(path),
        "STREAMWRIGHT_TOKEN": TOKEN,
        "STREAMWRIGHT_STORE": redis_server.url,
        "STREAMWRIGHT_OUTPUT": str(tmp_path / "output"),
        "PYTHONPATH": str(ROOT),
        "PYTHONUNBUFFERED": "1",
    }
    log = (tmp_path / "server.log").open("wb")
    process = subprocess.Popen(_command(request.param, port), env=env, cwd=tmp_path, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_until_answering(url, process, tmp_path / "server.log")
        yield url, process
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=GUARD_S)
        log.close()


def _wait_until_answering(url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + START_S
    with httpx.Client(timeout=10) as client:
        while True:
            assert process.poll() is None, f"the server exited with {process.returncode}:\n{log.read_text(errors='replace')}"
            try:
                if client.get(url + "/", headers={"Authorization": f"Bearer {TOKEN}"}).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, f"the server did not answer within {START_S} s:\n{log.read_text(errors='replace')}"
            time.sleep(0.05)  # polling the port against a deadline


def _until_end(items: Iterator[str] | Iterator[dict[str, str]], deadline: float) -> list:
    """The rest of a stream that has to end by ``deadline`` (a server that does not end it fails here instead of hanging)."""
    rest = []
    for item in items:
        rest.append(item)
        assert time.monotonic() < deadline, f"the stream went on after the stop: {item}"
    return rest


def _auth(**extra: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {TOKEN}", **extra}


def test_a_stream_resumes_with_only_last_event_id_and_a_stop_ends_open_streams_with_an_error(asgi_server: tuple[str, subprocess.Popen[bytes]]) -> None:
    url, process = asgi_server
    with httpx.Client(timeout=GUARD_S) as client:
        with client.stream("POST", url + "/counted?n=20&ms=50", headers=_auth()) as response:
            assert response.status_code == 200, response.read()
            run_id = response.headers["streamwright-run"]
            before = []
            for event in _events(response.iter_lines()):
                before.append(event)
                if len(before) == 10:
                    break  # the connection drops halfway
    assert [event["id"] for event in before] == [f"{run_id}.{n}" for n in range(1, 11)]
    with httpx.Client(timeout=GUARD_S) as client:  # a new connection: either worker may take it
        with client.stream("POST", url + "/counted", headers=_auth(**{"Last-Event-ID": before[-1]["id"]})) as response:
            assert response.status_code == 200, response.read()
            after = list(_events(response.iter_lines()))
    assert all("event" not in event for event in after), after[-1]
    assert [event["id"] for event in after] == [f"{run_id}.{n}" for n in range(11, 21)], "nothing lost or duplicated"
    assert [json.loads(event["data"])["done"] for event in before + after] == list(range(1, 21)), "every message, in order"

    with httpx.Client(timeout=GUARD_S) as sse_client, httpx.Client(timeout=GUARD_S) as ndjson_client:
        with (
            sse_client.stream("POST", url + "/counted?n=100000&ms=50", headers=_auth()) as sse,
            ndjson_client.stream("POST", url + "/counted?n=100000&ms=50", headers=_auth(Accept="application/x-ndjson")) as ndjson,
        ):
            sse_events = _events(sse.iter_lines())
            ndjson_lines = (line for line in ndjson.iter_lines() if line)
            assert json.loads(next(sse_events)["data"])["done"] == 1
            assert json.loads(next(ndjson_lines))["data"]["done"] == 1
            os.killpg(process.pid, signal.SIGTERM)
            deadline = time.monotonic() + GUARD_S
            sse_last = _until_end(sse_events, deadline)[-1]
            ndjson_last = json.loads(_until_end(ndjson_lines, deadline)[-1])
    assert (sse_last.get("event"), json.loads(sse_last["data"])["message"]) == ("error", SHUTDOWN_REASON)
    assert (ndjson_last["event"], ndjson_last["data"]["message"]) == ("error", SHUTDOWN_REASON)
    assert process.wait(timeout=GUARD_S) == 0
