"""For each streamed event (``http.stream``): SSE, NDJSON and text upstreams, back-pressure, coalescing."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from app.core.lint import lint_project
from app.core.run_context import RunSettings
from app.core.scope import names_in_scope
from app.engine import Engine
from tests.conftest import action, endpoint, formula, project_of
from tests.support.openai_upstream import OpenAIUpstream, serve_upstream


@pytest.fixture(scope="module")
def upstream() -> Iterator[OpenAIUpstream]:
    with serve_upstream() as server:
        yield server


@pytest.fixture(autouse=True)
def no_proxy(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy"):
        monkeypatch.delenv(name, raising=False)


def each_event(url: str, actions: list | None = None, **params):  # type: ignore[no-untyped-def]
    echo = action("echo", "stream.send", eventData={"status": "event", "event": formula("event")})
    return action("each", "http.stream", slots={"body": [echo] if actions is None else actions}, url=url, **params)


async def test_sse_fields_crlf_multi_line_data_and_the_done_sentinel(run, upstream: OpenAIUpstream):
    result = await run([each_event(f"{upstream.url}/raw/sse-crlf"), action("r", "response.return", body=formula("results.each"))])
    events = [m["event"] for m in result.messages]
    assert events == [
        {"index": 0, "text": '{"n": 1,\n"word": "hi"}', "data": {"n": 1, "word": "hi"}, "name": "greeting", "id": "7", "retry": 1500},
        {"index": 1, "text": "plain text", "data": "plain text", "name": "message", "id": "7"},
    ], "the id carries over as in EventSource; nothing after [DONE]"
    summary = result.result.body
    assert summary["endedBy"] == "sentinel" and summary["count"] == 2 and summary["status"] == 200
    assert upstream.state.headers[-1]["accept"] == "text/event-stream"


async def test_ndjson_lines_and_text_chunks(run, upstream: OpenAIUpstream):
    ndjson = await run([each_event(f"{upstream.url}/raw/ndjson", format="ndjson")])
    assert [m["event"]["data"] for m in ndjson.messages] == [{"n": 1}, {"n": 2}, {"n": 3}]
    text = await run([each_event(f"{upstream.url}/raw/text", format="text", method="POST", body={"q": 1})])
    assert [m["event"]["text"] for m in text.messages] == ["hello "]


async def test_malformed_data_fails_with_the_url_and_where(run, upstream: OpenAIUpstream):
    url = f"{upstream.url}/raw/ndjson-bad"
    result = await run([each_event(url, format="ndjson")])
    assert result.error.action_id == "each" and result.error.action_type == "http.stream"
    assert result.error.message == f"GET {url}: line 2: expected JSON data, got 'not json at all'"
    strict = await run([each_event(f"{upstream.url}/raw/sse-crlf", dataAs="json")])
    assert "event 1: expected JSON data, got 'plain text'" in strict.error.message
    assert len(strict.messages) == 1


async def test_a_bad_url_is_a_clear_error(run):
    result = await run([each_event("ftp://example.com/x")])
    assert "URL must start with http:// or https://" in result.error.message


def test_the_body_scope_and_the_lint_advice_come_from_the_declaration():
    body = [action("send_it", "stream.send", eventData={"status": "chunk", "text": formula("event.data.nope & event.text")})]
    project = project_of(endpoint([each_event("http://127.0.0.1:9/x", actions=body)]))
    names = names_in_scope(project.endpoints[0], (0, "body", 0))
    assert names["event"] == ["data", "text", "name", "id", "index", "retry"]
    codes = {p.code for p in lint_project(project)}
    assert "coalesce-streamed" in codes
    body[0].params["coalesceMs"] = 50
    assert "coalesce-streamed" not in {p.code for p in lint_project(project)}


async def test_back_pressure_reads_one_event_per_body_run(settings: RunSettings, upstream: OpenAIUpstream):
    """The upstream has produced only what the run has consumed (plus what sits in socket buffers)."""
    project = project_of(endpoint([action("ask", "ai.chat", slots={"body": [action("s", "stream.send", eventData={"status": "chunk", "text": formula("delta.text")})]}, baseUrl=upstream.base(mode="forever", tokens=10_000), model="m", prompt="x")]))
    events = Engine(project).run("ep", {}, settings)
    before = upstream.state.tokens_sent
    consumed = 0
    async for event in events:
        if event.kind == "message":
            consumed += 1
            if consumed == 5:
                break
    await events.aclose()
    produced = upstream.state.tokens_sent - before
    # each token is ~250 bytes; TCP buffers hold at most a few MB, an unpaced reader would have taken everything
    assert produced < 50_000, produced


async def test_coalescing_joins_text_within_the_window_on_the_run_clock(tmp_path, upstream: OpenAIUpstream):
    """Tokens arrive as fast as they can; the injected clock advances 10 ms each time it is read, the window is 35 ms."""
    ticks = iter(range(0, 10**9, 10))
    settings = RunSettings(project_dir=tmp_path, output_root=tmp_path / "out", trace=False, clock=lambda: next(ticks) / 1000)
    send = action("s", "stream.send", eventData={"status": "chunk", "text": formula("delta.text"), "n": formula("delta.index")}, coalesceMs=35)
    workflow = [
        action("ask", "ai.chat", slots={"body": [action("v", "variable.set", name="last", value=formula("delta.index")), send]}, baseUrl=upstream.base(tokens=20), model="m", prompt="x"),
        action("done", "stream.send", eventData={"status": "done"}),
    ]
    events = [e async for e in Engine(project_of(endpoint(workflow))).run("ep", {}, settings)]
    messages = [e.data for e in events if e.kind == "message"]
    chunks = [m for m in messages if m["status"] == "chunk"]
    assert "".join(m["text"] for m in chunks) == "".join(f"t{i} " for i in range(20)), "no text lost, in order"
    assert 1 < len(chunks) < 20, "joined, but still streamed"
    assert chunks[0]["text"] == "t0 ", "the first token goes out at once"
    assert [m["n"] for m in chunks][-1] == 19, "other fields take the latest value"
    assert messages[-1] == {"status": "done"}
    assert [e.seq for e in events if e.kind == "message"] == list(range(1, len(messages) + 1))


@pytest.mark.parametrize(("workflow", "loaded"), [("streams", True), ("sends", False)])
def test_a_server_imports_the_stream_client_at_start_only_for_a_project_that_streams_in(workflow: str, loaded: bool):
    """aiohttp's import (0.3-0.5 s) is paid when the server starts, not before a relayed run's first token."""
    import subprocess
    import sys

    code = (
        "import sys\n"
        "from app.core.upstream_client import preload\n"
        "from tests.conftest import action, endpoint, project_of\n"
        "send = action('s', 'stream.send', eventData={'status': 'x'})\n"
        f"inner = [action('each', 'flow.loop', slots={{'body': [action('e', 'http.stream', url='http://127.0.0.1:9/x')]}})] if {workflow!r} == 'streams' else [send]\n"
        "preload(project_of(endpoint([send]), endpoint(inner, name='two')))\n"
        "print('aiohttp' in sys.modules)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True)
    assert done.stdout.strip() == str(loaded)


async def test_events_that_arrive_in_one_read_reach_the_run_buffer_as_one_batch(settings: RunSettings, upstream: OpenAIUpstream):
    """50 events in one write of the upstream: a follower of the run is woken once and takes them all (one write to its client)."""
    from app.runner.runs import RunChannel

    send = action("s", "stream.send", eventData={"status": "chunk", "n": formula("event.data.n")})
    project = project_of(endpoint([each_event(f"{upstream.url}/raw/sse-burst", [send])]))
    channel = RunChannel("r1", "ep", capacity=1000, linger_s=0)
    channel.attach()
    channel.start(Engine(project).run("ep", {}, RunSettings(project_dir=settings.project_dir, output_root=settings.output_root, trace=False)), trace=False)
    batches = [batch async for batch in channel.follow()]
    messages = [item for batch in batches for item in batch if item.kind == "message"]
    assert [item.data["n"] for item in messages] == list(range(50))
    assert [item.data["n"] for item in batches[0]] == list(range(50)), [len(batch) for batch in batches]
