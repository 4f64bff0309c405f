"""One run, several wire protocols: OpenAI chat completions and the AI SDK UI message stream, byte for byte."""

from __future__ import annotations

import asyncio
import json
from typing import Any

from app.core.project import EndpointInput, Project
from tests.conftest import action, endpoint, formula, project_of

PROMPT = EndpointInput(name="prompt", type="string", required=True)
HISTORY = EndpointInput(name="messages", type="array", required=False, default=[])
STYLE = EndpointInput(name="style", type="string", required=False, default="plain")


def words_endpoint() -> Any:
    each_word = action(
        "each",
        "flow.loop",
        items=formula('$split(inputs.prompt, " ")'),
        slots={"body": [action("word", "stream.send", eventData={"status": "chunk", "text": formula('(loop.first ? "" : " ") & loop.item')})]},
    )
    return endpoint(
        [
            action("start", "stream.send", eventData={"status": "starting", "style": formula("inputs.style"), "turns": formula("$count(inputs.messages)")}),
            action("step", "stream.send", part="status", transient=True, eventData={"status": "progress", "done": 1}),
            each_word,
            action("weather", "stream.send", part="weather", eventData={"status": "weather", "city": "Oslo"}),
        ],
        [PROMPT, HISTORY, STYLE],
        name="words",
    )


def project() -> Project:
    failing = endpoint(
        [action("hello", "stream.send", eventData={"status": "chunk", "text": "half"}), action("boom", "flow.throw", message="the model went away")], name="failing"
    )
    early = endpoint([action("boom", "flow.throw", message="no key configured")], name="early")
    answer = endpoint([action("ret", "response.return", body={"answer": 42})], name="answer")
    return project_of(words_endpoint(), failing, early, answer)


def sse_data(text: str) -> list[str]:
    """The ``data:`` of each event, in order (comments skipped)."""
    return [line[len("data: ") :] for line in text.split("\n") if line.startswith("data: ")]


def chat(model: str, content: Any = "hello streaming world", **extra: Any) -> dict[str, Any]:
    return {"model": model, "messages": [{"role": "system", "content": "be brief"}, {"role": "user", "content": content}], **extra}


async def test_openai_stream_is_chat_completion_chunks_then_stop_then_done(serve):
    served = await serve(project())
    response = await served.client.post("/v1/chat/completions", json=chat("words", stream=True, style="terse"), headers=served.auth)
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/event-stream")
    data = sse_data(response.text)
    assert data[-1] == "[DONE]"
    chunks = [json.loads(d) for d in data[:-1]]
    assert {c["object"] for c in chunks} == {"chat.completion.chunk"} and {c["model"] for c in chunks} == {"words"}
    assert len({c["id"] for c in chunks}) == 1 and chunks[0]["id"].startswith("chatcmpl-")
    deltas = [c["choices"][0]["delta"] for c in chunks]
    assert deltas[0] == {"role": "assistant", "content": "hello"}
    assert [d.get("content") for d in deltas[1:-1]] == [" streaming", " world"]
    assert deltas[-1] == {} and chunks[-1]["choices"][0]["finish_reason"] == "stop"
    assert all(c["choices"][0]["finish_reason"] is None for c in chunks[:-1])


async def test_openai_inputs_come_from_the_conversation_and_declared_fields(serve):
    served = await serve(project())
    body = chat("words", [{"type": "text", "text": "one"}, {"type": "image_url", "image_url": {"url": "x"}}, {"type": "text", "text": " two"}], stream=False, style="terse")
    response = await served.client.post("/v1/chat/completions", json=body, headers=served.auth)
    assert response.status_code == 200
    completion = response.json()
    assert completion["object"] == "chat.completion" and completion["model"] == "words"
    assert completion["choices"] == [{"index": 0, "message": {"role": "assistant", "content": "one two", "refusal": None}, "logprobs": None, "finish_reason": "stop"}]
    run_id = response.headers["streamwright-run"]
    assert completion["id"] == f"chatcmpl-{run_id}"


async def test_a_return_response_is_the_answer_of_a_normal_call(serve):
    served = await serve(project())
    response = await served.client.post("/v1/chat/completions", json={"model": "answer", "messages": [{"role": "user", "content": "?"}]}, headers=served.auth)
    assert response.json()["choices"][0]["message"]["content"] == '{"answer": 42}'
    streamed = await served.client.post("/v1/chat/completions", json={"model": "answer", "stream": True, "messages": [{"role": "user", "content": "?"}]}, headers=served.auth)
    assert [json.loads(d)["choices"][0]["delta"].get("content") for d in sse_data(streamed.text)[:-1]] == ['{"answer": 42}', None]


async def test_openai_errors_are_openai_shaped_with_the_right_status(serve):
    served = await serve(project())
    post = served.client.post

    async def error(body: Any, status: int) -> dict[str, Any]:
        response = await post("/v1/chat/completions", json=body, headers=served.auth)
        assert response.status_code == status, response.text
        return response.json()["error"]

    assert (await error(chat("nope"), 404))["code"] == "model_not_found"
    assert (await error({"messages": []}, 400))["param"] == "model"
    assert (await error({"model": "words", "messages": "hi"}, 400))["param"] == "messages"
    assert (await error({"model": "words", "messages": [{"role": "user", "content": [3]}]}, 400))["param"] == "messages[0].content[0]"
    assert (await error({"model": "words", "messages": [{"role": "system", "content": "no user"}]}, 400))["param"] == "prompt"
    assert (await error(chat("words", style=7), 400))["param"] == "style"
    failed = await error(chat("early"), 500)
    assert failed["message"] == "no key configured" and failed["type"] == "server_error" and failed["code"] == "boom"
    bad_json = await post("/v1/chat/completions", content=b"{nope", headers={**served.auth, "Content-Type": "application/json"})
    assert bad_json.status_code == 400 and bad_json.json()["error"]["param"] == "body"
    unauthorised = await post("/v1/chat/completions", json=chat("words"))
    assert unauthorised.status_code == 401
    assert (await served.client.get("/", headers=served.auth)).status_code == 200  # the server keeps serving


async def test_an_error_mid_stream_is_an_openai_error_then_done(serve):
    served = await serve(project())
    response = await served.client.post("/v1/chat/completions", json=chat("failing", stream=True), headers=served.auth)
    data = sse_data(response.text)
    assert json.loads(data[0])["choices"][0]["delta"] == {"role": "assistant", "content": "half"}
    assert json.loads(data[1]) == {"error": {"message": "the model went away", "type": "server_error", "param": None, "code": "boom"}}
    assert data[2:] == ["[DONE]"]
    whole = await served.client.post("/v1/chat/completions", json=chat("failing"), headers=served.auth)
    assert whole.status_code == 500 and whole.json()["error"]["message"] == "the model went away"


async def test_models_lists_every_endpoint(serve):
    served = await serve(project())
    response = await served.client.get("/v1/models", headers=served.auth)
    assert response.json() == {
        "object": "list",
        "data": [{"id": name, "object": "model", "created": 0, "owned_by": "streamwright"} for name in ("words", "failing", "early", "answer")],
    }


def ui_request(text: str, **extra: Any) -> dict[str, Any]:
    """What the AI SDK's DefaultChatTransport posts for useChat."""
    earlier = {"id": "m1", "role": "user", "parts": [{"type": "text", "text": "earlier"}]}
    reply = {"id": "m2", "role": "assistant", "parts": [{"type": "step-start"}, {"type": "text", "text": "ok"}]}
    latest = {"id": "m3", "role": "user", "parts": [{"type": "text", "text": text}]}
    return {"id": "chat-1", "messages": [earlier, reply, latest], "trigger": "submit-message", "messageId": None, **extra}


async def test_ai_sdk_ui_message_stream_parts(serve):
    served = await serve(project())
    response = await served.client.post("/ai-sdk/words", json=ui_request("hi there", style="terse"), headers=served.auth)
    assert response.status_code == 200
    assert response.headers["x-vercel-ai-ui-message-stream"] == "v1" and response.headers["content-type"].startswith("text/event-stream")
    data = sse_data(response.text)
    assert data[-1] == "[DONE]"
    parts = [json.loads(d) for d in data[:-1]]
    run_id = response.headers["streamwright-run"]
    text_id = f"{run_id}-text"
    assert parts == [
        {"type": "start", "messageId": run_id},
        {"type": "data-starting", "data": {"status": "starting", "style": "terse", "turns": 3}},
        {"type": "data-progress", "id": "status", "data": {"status": "progress", "done": 1}, "transient": True},
        {"type": "text-start", "id": text_id},
        {"type": "text-delta", "id": text_id, "delta": "hi"},
        {"type": "text-delta", "id": text_id, "delta": " there"},
        {"type": "data-weather", "id": "weather", "data": {"status": "weather", "city": "Oslo"}},
        {"type": "text-end", "id": text_id},
        {"type": "finish"},
    ]


async def test_ai_sdk_errors_before_and_during_the_stream(serve):
    served = await serve(project())
    failing = await served.client.post("/ai-sdk/failing", json=ui_request("x"), headers=served.auth)
    parts = [json.loads(d) for d in sse_data(failing.text)[:-1]]
    assert parts[-2:] == [{"type": "text-end", "id": parts[1]["id"]}, {"type": "error", "errorText": "the model went away"}]
    assert sse_data(failing.text)[-1] == "[DONE]"
    early = await served.client.post("/ai-sdk/early", json=ui_request("x"), headers=served.auth)
    assert early.status_code == 500 and early.json()["error"] == "no key configured"
    answer = await served.client.post("/ai-sdk/answer", json=ui_request("x"), headers=served.auth)
    assert [json.loads(d) for d in sse_data(answer.text)[:-1]][-1] == {"type": "finish", "messageMetadata": {"statusCode": 200, "body": {"answer": 42}}}
    missing = await served.client.post("/ai-sdk/nowhere", json=ui_request("x"), headers=served.auth)
    assert missing.status_code == 404
    bad = await served.client.post("/ai-sdk/words", json={"messages": [{"role": "user", "parts": "hi"}]}, headers=served.auth)
    assert bad.status_code == 422 and bad.json()["fields"] == {"messages[0].parts": "must be a list of parts"}
    no_prompt = await served.client.post("/ai-sdk/words", json={"messages": []}, headers=served.auth)
    assert no_prompt.status_code == 422 and "prompt" in no_prompt.json()["fields"]


async def test_a_client_that_leaves_a_protocol_stream_cancels_its_run(serve):
    slow = endpoint(
        [action("first", "stream.send", eventData={"status": "chunk", "text": "a"}), action("pause", "flow.wait", milliseconds=30_000), action("never", "stream.send", eventData={"status": "chunk", "text": "b"})],
        [PROMPT],
        name="slow",
    )
    served = await serve(project_of(slow))
    async with served.client.stream("POST", "/v1/chat/completions", json=chat("slow", stream=True), headers=served.auth) as response:
        async for line in response.aiter_lines():
            if line.startswith("data: "):
                break
    (channel,) = served.state.runs._runs.values()
    assert channel.task is not None
    done, _ = await asyncio.wait([channel.task], timeout=20)  # bounded: a run that kept waiting its 30 s would fail here
    assert done and channel.task.cancelled()  # a dropped connection without linger cancels the run
    assert channel.last_item().data["message"] == "the run was cancelled"


# --- the wire's JSON ---------------------------------------------------------------------------


def test_sse_and_ndjson_write_any_event_data_as_valid_utf8_json():
    """Data an upstream may hand a run (a lone surrogate escape, NaN, a huge integer, a non-text key) still streams."""
    from app.runner.protocols.ndjson import encode_ndjson
    from app.runner.protocols.sse import encode_sse
    from app.runner.runs import WireEvent

    values = [
        {"status": "chunk", "text": "naïve — ok ✓\nline two", "n": 1.5, "big": 1e16, "list": [1, None, True]},
        {"status": "chunk", "text": "half a pair: \ud83d"},
        {"status": "chunk", "count": 2**70},
        {"status": "chunk", 7: "a key that is a number"},
        {"status": "chunk", "ratio": float("nan"), "inf": float("inf")},
    ]
    expected = [
        values[0],
        {"status": "chunk", "text": "half a pair: \ud83d"},
        {"status": "chunk", "count": 2**70},
        {"status": "chunk", "7": "a key that is a number"},
        {"status": "chunk", "ratio": None, "inf": None},  # JSON has no NaN: null, as formulas give it
    ]
    batch = [WireEvent("message", value, seq) for seq, value in enumerate(values, 1)]
    sse = encode_sse(batch).decode("utf-8")
    events = sse.split("\n\n")[:-1]
    assert [event.split("\n")[0] for event in events] == [f"id: {seq}" for seq in range(1, 6)]
    assert [json.loads(data) for data in sse_data(sse)] == expected
    lines = encode_ndjson(batch).decode("utf-8").splitlines()
    assert [json.loads(line)["data"] for line in lines] == expected
    assert "✓" in sse and "naïve" in sse  # text stays text, not \u escapes
