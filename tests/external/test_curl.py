"""``curl -N`` against a real ``streamwright serve``: messages arrive while the endpoint runs, framed as SSE or NDJSON.

curl's output is read line by line from a pipe as it arrives, so "the first
message came before the endpoint finished" is observed, not inferred from a
finished transcript.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import project_of
from tests.external.conftest import Lines, Server, gated_endpoint, require_tool

CURL_MAX_TIME_S = "120"  # an upper bound only: every test ends long before it
WORDS = ["one", "two", "three", "four", "five"]


def start_curl(server: Server, path: str, body: dict[str, Any] | None = None, *options: str, auth: bool = True) -> subprocess.Popen[bytes]:
    command = [require_tool("curl"), "-sS", "-N", "--noproxy", "*", "--max-time", CURL_MAX_TIME_S, *options]
    if auth:
        command += ["-H", f"Authorization: Bearer {server.token}"]
    if body is not None:
        command += ["-X", "POST", "-H", "Content-Type: application/json", "--data-binary", json.dumps(body)]
    return subprocess.Popen([*command, server.url + path], stdout=subprocess.PIPE, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL)


def finish(process: subprocess.Popen[bytes]) -> None:
    """curl must end on its own (the server closes the stream when the run ends), successfully."""
    try:
        process.wait(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    stderr = process.stderr.read().decode(errors="replace") if process.stderr else ""
    assert process.returncode == 0, f"curl exited {process.returncode}: {stderr}"


def split_headers(lines: Lines) -> tuple[str, dict[str, str]]:
    """``curl -D -`` output: the status line and headers (names lowercased), up to the blank line."""
    status = lines.next()
    assert status is not None and status.startswith("HTTP/"), status
    headers: dict[str, str] = {}
    while line := lines.next():
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    return status, headers


def sse_events(lines: list[str]) -> list[dict[str, str]]:
    """Parse SSE per the HTML standard's rules: fields until a blank line; comments (``:``) ignored."""
    events: list[dict[str, str]] = []
    current: dict[str, str] = {}
    for line in [*lines, ""]:
        if not line:
            if current:
                events.append(current)
            current = {}
        elif not line.startswith(":"):
            name, _, value = line.partition(":")
            value = value.removeprefix(" ")
            current[name] = current[name] + "\n" + value if name == "data" and name in current else value
    return events


def typewriter_messages(words: list[str]) -> list[dict[str, Any]]:
    chunks = [{"status": "chunk", "text": word if i == len(words) - 1 else word + " "} for i, word in enumerate(words)]
    return [{"status": "starting"}, *chunks, {"status": "done", "words": len(words)}]


@pytest.fixture(scope="module")
def example(serve, example_project: Path) -> Server:
    return serve(example_project)


def test_first_message_arrives_while_the_typewriter_is_still_running(example: Server):
    # 5 words x 400 ms: the stream stays open at least 2 s after its first message
    process = start_curl(example, "/typewriter", {"text": " ".join(WORDS), "delayMs": 400}, "-D", "-")
    try:
        assert process.stdout is not None
        lines = Lines(process.stdout, "curl")
        status, headers = split_headers(lines)
        body_starts = len(lines.seen)
        first_data = lines.until(lambda line: line.startswith("data:"))
        assert process.poll() is None, "curl ended with the first message: the endpoint was not still running"
        assert json.loads(first_data.removeprefix("data:")) == {"status": "starting"}
        rest = lines.rest()
    finally:
        finish(process)

    assert status.split()[1] == "200", status
    assert headers["content-type"].split(";")[0] == "text/event-stream"
    assert headers["cache-control"] == "no-cache"
    assert headers["x-accel-buffering"] == "no"
    assert headers["streamwright-run"]

    events = sse_events(lines.seen[body_starts:])
    assert all(set(event) == {"id", "data"} for event in events), events  # default events only: what onmessage sees
    run_id = headers["streamwright-run"]
    assert [event["id"] for event in events] == [f"{run_id}.{n}" for n in range(1, len(WORDS) + 3)]  # ids carry their run
    assert [json.loads(event["data"]) for event in events] == typewriter_messages(WORDS)
    assert len(rest) > 2, "later events follow the first one"


def test_the_stream_is_open_while_the_endpoint_waits_on_something_only_the_test_can_finish(serve, gate):
    """No timing at all: the endpoint cannot end before the test releases its HTTP request."""
    gated = gated_endpoint(gate["url"], "POST", {"status": "done", "released": {"$formula": "variables.gate.body.released"}})
    server = serve(project_of(gated))
    process = start_curl(server, "/gated", {})
    try:
        assert process.stdout is not None
        lines = Lines(process.stdout, "curl")
        first = lines.until(lambda line: line.startswith("data:"))
        assert json.loads(first.removeprefix("data:")) == {"status": "waiting"}
        assert gate["arrived"].wait(timeout=60), "the endpoint never reached its HTTP request"
        assert process.poll() is None, "the stream ended while the endpoint was blocked"
        gate["release"].set()
        rest = lines.rest()
    finally:
        gate["release"].set()
        finish(process)
    events = sse_events(lines.seen)
    assert [(event["id"].rpartition(".")[2], json.loads(event["data"])) for event in events] == [("1", {"status": "waiting"}), ("2", {"status": "done", "released": True})]
    assert "data: " + json.dumps({"status": "done", "released": True}, separators=(",", ":")) in rest


def test_ndjson_when_curl_accepts_it(example: Server):
    process = start_curl(example, "/typewriter", {"text": "alpha beta", "delayMs": 600}, "-D", "-", "-H", "Accept: application/x-ndjson")
    try:
        assert process.stdout is not None
        lines = Lines(process.stdout, "curl")
        status, headers = split_headers(lines)
        first = json.loads(lines.until(bool))
        assert process.poll() is None, "the first NDJSON line came after the endpoint finished"
        rest = [json.loads(line) for line in lines.rest() if line.strip()]
    finally:
        finish(process)
    assert status.split()[1] == "200", status
    assert headers["content-type"].split(";")[0] == "application/x-ndjson"
    assert headers["cache-control"] == "no-cache" and headers["x-accel-buffering"] == "no"
    assert [first, *rest] == [{"event": "message", "id": i + 1, "data": data} for i, data in enumerate(typewriter_messages(["alpha", "beta"]))]


def test_the_token_is_required_and_may_be_a_query_parameter(example: Server):
    refused = subprocess.run(
        [require_tool("curl"), "-sS", "--noproxy", "*", "--max-time", CURL_MAX_TIME_S, "-D", "-", "-X", "POST", example.url + "/typewriter"],
        capture_output=True, text=True, timeout=120,
    )
    assert refused.stdout.split()[1] == "401" and 'Bearer realm="streamwright"' in refused.stdout

    process = start_curl(example, f"/typewriter?access_token={example.token}&delayMs=0&text=hi", None, "-X", "POST", auth=False)
    try:
        assert process.stdout is not None
        body = Lines(process.stdout, "curl").rest()
    finally:
        finish(process)
    assert [json.loads(event["data"]) for event in sse_events(body)] == typewriter_messages(["hi"])
