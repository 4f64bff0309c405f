"""AI chat completion (``ai.chat``) against a stand-in speaking OpenAI's published chunk format."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator

import pytest

from app.core.events import MessageEvent
from app.core.project import EndpointInput
from app.core.registry import default_registry
from app.core.run_context import RunSettings
from app.core.validate import validate_project
from app.engine import Engine
from app.engine.engine import prepare_action, slot_reads
from tests.conftest import action, endpoint, formula, project_of
from tests.support.openai_upstream import OpenAIUpstream, serve_upstream


@pytest.fixture(scope="module")
def upstream() -> Iterator[OpenAIUpstream]:
    with serve_upstream() as server:
        yield server


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """No proxy for 127.0.0.1 and no OPENAI_* from the machine running the tests."""
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy", "OPENAI_BASE_URL", "OPENAI_API_KEY", "OPENAI_MODEL"):
        monkeypatch.delenv(name, raising=False)


def chat(id: str = "ask", body: list | None = None, **params):  # type: ignore[no-untyped-def]
    params.setdefault("model", "stand-in-model")
    return action(id, "ai.chat", slots={"body": body or []}, **params)


def relay(base: str, **params):  # type: ignore[no-untyped-def]
    """A chat whose body sends each delta, then the result as the last message."""
    send = action("send_delta", "stream.send", eventData={"status": "chunk", "text": formula("delta.text")})
    done = action("done", "stream.send", eventData={"status": "done", "result": formula("results.ask")})
    return [chat(baseUrl=base, prompt="Hello streaming world", body=[send], **params), done]


async def test_streams_deltas_into_the_body_and_leaves_the_assembled_answer(run, upstream: OpenAIUpstream):
    result = await run(relay(upstream.base()))
    texts = [m["text"] for m in result.messages if m["status"] == "chunk"]
    assert texts == ["Hello", " streaming", " world"]
    answer = result.messages[-1]["result"]
    assert answer["text"] == "Hello streaming world"
    assert answer["finishReason"] == "stop"
    assert answer["usage"] == {"prompt_tokens": 3, "completion_tokens": 3, "total_tokens": 6}
    assert answer["toolCalls"] == [] and answer["model"] == "stand-in"
    request = upstream.state.requests[-1]
    assert request["stream"] is True and request["stream_options"] == {"include_usage": True}
    assert request["model"] == "stand-in-model"
    assert request["messages"] == [{"role": "user", "content": "Hello streaming world"}]


async def test_send_mode_sends_chunk_messages_straight_out_with_system_prompt_and_options(run, upstream: OpenAIUpstream):
    workflow = [chat(baseUrl=upstream.base(tokens=4), prompt="hi", system="Be brief.", temperature=0.2, maxTokens=50, eachDelta="send")]
    result = await run(workflow)
    assert result.messages == [{"status": "chunk", "text": f"t{i} "} for i in range(4)]
    request = upstream.state.requests[-1]
    assert request["messages"][0] == {"role": "system", "content": "Be brief."}
    assert request["temperature"] == 0.2 and request["max_tokens"] == 50


async def test_environment_defaults_give_base_url_model_and_key(run, upstream: OpenAIUpstream, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("OPENAI_BASE_URL", upstream.base(tokens=2))
    monkeypatch.setenv("OPENAI_MODEL", "env-model")
    monkeypatch.setenv("OPENAI_API_KEY", "sk-from-env")
    result = await run([action("ask", "ai.chat", prompt="x", eachDelta="send")])
    assert len(result.messages) == 2
    assert upstream.state.requests[-1]["model"] == "env-model"
    assert upstream.state.headers[-1]["authorization"] == "Bearer sk-from-env"


async def test_an_explicit_env_key_is_read_and_a_missing_one_names_the_variable(run, upstream: OpenAIUpstream, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("MY_LLM_KEY", "sk-mine")
    await run([chat(baseUrl=upstream.base(tokens=1), prompt="x", eachDelta="send", apiKey={"$env": "MY_LLM_KEY"})])
    assert upstream.state.headers[-1]["authorization"] == "Bearer sk-mine"
    failed = await run([chat(baseUrl=upstream.base(tokens=1), prompt="x", apiKey={"$env": "NOT_SET_ANYWHERE"})])
    assert failed.error.action_id == "ask" and "NOT_SET_ANYWHERE" in failed.error.message


def test_validation_refuses_a_literal_key():
    project = project_of(endpoint([chat(prompt="x", apiKey="sk-literal-secret")]))
    problems = validate_project(project)
    assert any(p.path.endswith(".params.apiKey") and "environment only" in p.message for p in problems), problems
    assert not validate_project(project_of(endpoint([chat(prompt="x", apiKey={"$env": "OPENAI_API_KEY"})])))


async def test_no_model_anywhere_is_a_clear_error(run, upstream: OpenAIUpstream):
    result = await run([action("ask", "ai.chat", baseUrl=upstream.base(), prompt="x")])
    assert result.error.action_id == "ask" and "OPENAI_MODEL" in result.error.message


async def test_tool_call_fragments_are_assembled(run, upstream: OpenAIUpstream):
    result = await run([chat(baseUrl=upstream.base(mode="tools"), prompt="weather?", tools=[{"type": "function"}]), action("r", "response.return", body=formula("results.ask"))])
    answer = result.result.body
    assert answer["finishReason"] == "tool_calls" and answer["text"] == ""
    assert answer["toolCalls"] == [{"id": "call_1", "type": "function", "function": {"name": "get_weather", "arguments": '{"city": "Paris"}'}}]
    assert upstream.state.requests[-1]["tools"] == [{"type": "function"}]


@pytest.mark.parametrize(
    ("options", "expected"),
    [
        ({"mode": "error"}, "the server streamed an error: The model crashed"),
        ({"mode": "drop"}, "connection broken mid-stream: the upstream closed the connection before the body was complete"),
        ({"mode": "status", "code": 429}, "answered 429 Too Many Requests: Rate limit reached for requests"),
        ({"mode": "status", "code": 500}, "answered 500 Internal Server Error: The server had an error processing your request"),
        ({"mode": "malformed"}, "the stream ended before the model finished"),
        ({"mode": "html"}, "not text/event-stream: <html>not a stream</html>"),
        ({"mode": "nonjson"}, "expected JSON data, got 'this is not json'"),
        ({"mode": "huge"}, "an event is larger than 10,485,760 bytes"),
        ({"mode": "nofinish", "tokens": 2}, "the stream ended before the model finished"),
    ],
)
async def test_bad_upstreams_fail_the_action_with_the_url_and_the_reason(run, upstream: OpenAIUpstream, options, expected):
    base = upstream.base(**options)
    result = await run(relay(base))
    error = result.error
    assert error.action_id == "ask" and error.action_type == "ai.chat"
    assert f"POST {base}/chat/completions" in error.message
    assert expected in error.message, error.message


async def test_timeouts_for_the_first_token_and_for_a_stalled_stream(run, upstream: OpenAIUpstream):
    slow = await run(relay(upstream.base(first=60_000), firstByteTimeoutMs=300))
    assert "first-byte timeout" in slow.error.message
    stalled = await run(relay(upstream.base(mode="stall"), idleTimeoutMs=300))
    assert "no data for 0.3 s (idle timeout)" in stalled.error.message
    assert [m["text"] for m in stalled.messages] == ["Hello", " streaming"], "what arrived before the stall was relayed"


async def test_try_catch_catches_an_upstream_failure(run, upstream: OpenAIUpstream):
    workflow = [
        action(
            "guard",
            "flow.try",
            slots={
                "try": relay(upstream.base(mode="status", code=429)),
                "catch": [action("oops", "stream.send", eventData={"status": "error", "message": formula("caughtError.message")})],
            },
        )
    ]
    result = await run(workflow)
    assert result.messages[-1]["status"] == "error" and "429" in result.messages[-1]["message"]


async def test_cancelling_the_run_closes_the_upstream_connection_at_once(settings: RunSettings, upstream: OpenAIUpstream):
    project = project_of(endpoint([chat(baseUrl=upstream.base(mode="forever", delay=5), prompt="x", eachDelta="send")], [EndpointInput(name="n", type="integer", required=False)]))
    closed_before = len(upstream.state.closed_at)
    three = asyncio.Event()

    async def consume() -> None:
        count = 0
        async for event in Engine(project).run("ep", {}, settings):
            if isinstance(event, MessageEvent):
                count += 1
                if count == 3:
                    three.set()

    task = asyncio.create_task(consume())
    await asyncio.wait_for(three.wait(), timeout=30)
    cancelled_at = time.perf_counter()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    closed = await asyncio.to_thread(upstream.state.wait_closed, closed_before + 1, 10)
    assert closed, "the upstream's response was never closed"
    elapsed_ms = (upstream.state.closed_at[closed_before] - cancelled_at) * 1000
    print(f"upstream saw the connection closed {elapsed_ms:.1f} ms after the run was cancelled")


async def test_a_run_loads_no_certificates_of_its_own(run, upstream: OpenAIUpstream, monkeypatch: pytest.MonkeyPatch):
    """The CA bundle is read once per process (about 7 ms, 100 ms on a loaded machine), never before each run's first token."""
    import ssl

    await run(relay(upstream.base()))  # the process's one context exists from here on
    loads: list[object] = []
    real = ssl.SSLContext.load_verify_locations

    def counted(self: ssl.SSLContext, *args: object, **kwargs: object) -> None:
        loads.append(args or kwargs)
        real(self, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(ssl.SSLContext, "load_verify_locations", counted)
    result = await run(relay(upstream.base()))
    assert result.messages[-1]["status"] == "done"
    assert loads == []


@pytest.mark.parametrize(
    "event_data",
    [
        {"soFar": formula("delta.textSoFar")},
        {"soFar": formula("$lookup(delta, 'textSoFar')")},
        {"soFar": formula("delta.textSoFar"), "nested": True},
    ],
    ids=["path", "whole delta", "inside an If in the body"],
)
async def test_the_body_reads_the_answer_so_far_however_it_asks(run, upstream: OpenAIUpstream, event_data: dict):
    nested = event_data.pop("nested", False)
    send = action("send_so_far", "stream.send", eventData=event_data)
    body = [action("when", "flow.if", slots={"then": [send], "else": []}, condition=formula("true"))] if nested else [send]
    result = await run([chat(baseUrl=upstream.base(), prompt="Hello streaming world", body=body)])
    assert [m["soFar"] for m in result.messages] == ["Hello", "Hello streaming", "Hello streaming world"]


def test_the_answer_so_far_is_joined_only_for_a_body_that_reads_it():
    """Joining the whole answer for each delta is quadratic in its length: only a body that may read it pays."""

    def body_reads(*body) -> bool:  # type: ignore[no-untyped-def]
        return slot_reads(prepare_action(chat(body=list(body), prompt="x"), default_registry()), "body", "delta", "textSoFar")

    def send(source: str):  # type: ignore[no-untyped-def]
        return action("s", "stream.send", eventData={"v": formula(source)})

    assert not body_reads(send("delta.text & delta.index"))
    assert not body_reads()
    assert body_reads(send("delta.textSoFar"))
    assert body_reads(send("delta"))  # the whole delta, textSoFar included
    assert body_reads(send("$"))  # the whole scope
    assert body_reads(action("when", "flow.if", slots={"then": [send("delta.textSoFar")], "else": []}, condition=formula("true")))
