"""AI chat completion: stream a model's answer from any OpenAI-compatible server.

``POST {base}/chat/completions`` with ``stream: true`` and
``stream_options: {include_usage: true}``: the API OpenAI, Ollama,
llama.cpp's server, vLLM and LM Studio all speak. Each chunk is a
``chat.completion.chunk`` whose ``choices[0].delta`` carries ``content``
(text), ``tool_calls`` fragments (``index``, then ``id``/``function.name``
once and ``function.arguments`` in pieces) or a reasoning text; the choice's
``finish_reason`` ends it, then a chunk with empty ``choices`` carries
``usage``, then ``data: [DONE]``.

Each text delta either runs the ``body`` slot with ``delta`` in scope
(``delta.text``, ``delta.index``, ``delta.textSoFar``, ``delta.reasoning``)
or is sent straight out as ``{"status": "chunk", "text": ...}`` (*Each
delta* = send), optionally coalesced. ``results.<id>`` is ``{text,
finishReason, usage, toolCalls, model}``; tool calls are assembled in the
API's own shape (``{id, type, function: {name, arguments}}``) so they can be
sent back in a follow-up ``messages`` list.

Defaults come from the usual environment names: ``OPENAI_BASE_URL`` (else
``https://api.openai.com/v1``), ``OPENAI_API_KEY`` (none for a local
server) and ``OPENAI_MODEL``. The key is only ever read from the
environment: a literal key in the project file is a validation error, so
exported files carry no secret.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Annotated, Any, Literal

from pydantic import Field, field_validator

from app.core.events import RunEvent
from app.core.params import ActionParams, Expr, Param
from app.core.registry import ActionType
from app.core.run_context import RunContext, Slots
from app.core.scope_names import SlotScope
from app.core.summaries import inline_json
from app.core.values import ENV_KEY, EnvValue, Template

DEFAULT_BASE_URL = "https://api.openai.com/v1"
BASE_URL_ENV = "OPENAI_BASE_URL"
API_KEY_ENV = "OPENAI_API_KEY"
MODEL_ENV = "OPENAI_MODEL"
DELTA_SCOPE = SlotScope(
    "delta",
    {"text": "string", "index": "number", "textSoFar": "string", "reasoning": "string"},
    notes={
        "text": "the text this delta adds",
        "index": "the delta's position, from 0",
        "textSoFar": "the whole answer up to and including this delta",
        "reasoning": "reasoning text, from servers that stream it",
    },
)
"""What the body's formulas read as ``delta`` for each text delta."""
MAX_TIMEOUT_MS = 3_600_000
TimeoutMs = Annotated[int, Field(ge=1, le=MAX_TIMEOUT_MS)]
MaxTokens = Annotated[int, Field(ge=1, le=10_000_000)]
CoalesceMs = Annotated[int, Field(ge=0, le=60_000)]


class AiChatParams(ActionParams):
    base_url: Expr[str] = Param("", alias="baseUrl", title="Base URL", description=f"Empty: ${BASE_URL_ENV}, else {DEFAULT_BASE_URL}.")
    model: Expr[str] = Param("", title="Model", description=f"Empty: ${MODEL_ENV}.")
    api_key: EnvValue | None = Param(
        None,
        alias="apiKey",
        title="API key",
        description=f'Only from the environment, {{"$env": "NAME"}}; empty: ${API_KEY_ENV} when set.',
        secret_ok=True,
        editor="json",
    )
    input: Literal["prompt", "messages"] = Param("prompt", title="Input", description="A prompt, or a list of chat messages.")
    prompt: Expr[str] = Param("", title="Prompt", shown_when={"input": ["prompt"]}, editor="multiline")
    messages: Expr[list[dict[str, Any]]] = Param(
        [], title="Messages", description='[{"role": "user", "content": "..."}, ...]', shown_when={"input": ["messages"]}, editor="formula"
    )
    system: Expr[str] = Param("", title="System prompt", editor="multiline")
    temperature: Expr[float | None] = Param(None, title="Temperature", description="Empty: the server's default.")
    max_tokens: Expr[MaxTokens | None] = Param(None, alias="maxTokens", title="Max tokens")
    each_delta: Literal["body", "send"] = Param(
        "body",
        alias="eachDelta",
        title="Each delta",
        description='body: run the body with delta.text in scope; send: send {"status": "chunk", "text": ...} straight out.',
    )
    coalesce_ms: CoalesceMs = Param(
        0,
        alias="coalesceMs",
        title="Coalesce (ms)",
        description="Send at most one chunk message per this many ms, text appended (0: one per delta).",
        shown_when={"eachDelta": ["send"]},
    )
    tools: Template = Param(None, title="Tools", description="The API's tools list, passed as is.", editor="json", section="Advanced")
    first_byte_timeout_ms: Expr[TimeoutMs] = Param(
        120_000, alias="firstByteTimeoutMs", title="First token timeout (ms)", description="A local model may need time to load.", section="Advanced"
    )
    idle_timeout_ms: Expr[TimeoutMs] = Param(60_000, alias="idleTimeoutMs", title="Idle timeout (ms)", section="Advanced")

    @field_validator("api_key", mode="before")
    @classmethod
    def _key_from_environment_only(cls, value: Any) -> Any:
        if isinstance(value, str):
            raise ValueError(f'the API key is read from the environment only: write {{"{ENV_KEY}": "{API_KEY_ENV}"}}, never the key itself')
        return value


@dataclass
class _Answer:
    """What the chunks add up to."""

    text: list[str] = field(default_factory=list)
    reasoning: list[str] = field(default_factory=list)
    tool_calls: dict[int, dict[str, Any]] = field(default_factory=dict)
    finish_reason: str | None = None
    usage: dict[str, Any] | None = None
    model: str | None = None

    def add_tool_fragments(self, fragments: list[Any]) -> None:
        for fragment in fragments:
            if not isinstance(fragment, dict):
                continue
            call = self.tool_calls.setdefault(int(fragment.get("index", len(self.tool_calls))), {"id": "", "type": "function", "function": {"name": "", "arguments": ""}})
            if fragment.get("id"):
                call["id"] = fragment["id"]
            if fragment.get("type"):
                call["type"] = fragment["type"]
            function = fragment.get("function") or {}
            if function.get("name"):
                call["function"]["name"] += function["name"]
            if isinstance(function.get("arguments"), str):
                call["function"]["arguments"] += function["arguments"]

    def result(self) -> dict[str, Any]:
        result: dict[str, Any] = {
            "text": "".join(self.text),
            "finishReason": self.finish_reason,
            "usage": self.usage,
            "toolCalls": [self.tool_calls[index] for index in sorted(self.tool_calls)],
            "model": self.model,
        }
        if self.reasoning:
            result["reasoning"] = "".join(self.reasoning)
        return result


def _choice_zero(choices: Any) -> dict[str, Any] | None:
    """The choice with index 0 (the answer; others exist only with ``n`` > 1), looked for first where it always is."""
    if not choices or not isinstance(choices, list):
        return None
    first = choices[0]
    if isinstance(first, dict) and first.get("index", 0) == 0:
        return first
    return next((c for c in choices[1:] if isinstance(c, dict) and c.get("index", 0) == 0), None)


def _request_body(params: AiChatParams, model: str) -> dict[str, Any]:
    messages: list[dict[str, Any]] = []
    if params.system:
        messages.append({"role": "system", "content": params.system})
    if params.input == "messages":
        messages.extend(params.messages or [])
    else:
        messages.append({"role": "user", "content": params.prompt or ""})
    body: dict[str, Any] = {"model": model, "messages": messages, "stream": True, "stream_options": {"include_usage": True}}
    if params.temperature is not None:
        body["temperature"] = params.temperature
    if params.max_tokens is not None:
        body["max_tokens"] = params.max_tokens
    if params.tools:
        body["tools"] = params.tools
    return body


def _endpoint(params: AiChatParams) -> tuple[str, str, dict[str, str]]:
    base = (params.base_url or os.environ.get(BASE_URL_ENV) or DEFAULT_BASE_URL).rstrip("/")
    model = params.model or os.environ.get(MODEL_ENV, "")
    if not model:
        raise ValueError(f"no model: set Model, or the environment variable {MODEL_ENV}")
    # an explicit {"$env": NAME} was resolved by the engine (a missing variable is already an error there)
    key = params.api_key if isinstance(params.api_key, str) else os.environ.get(API_KEY_ENV)
    headers = {"Authorization": f"Bearer {key}"} if key else {}
    return f"{base}/chat/completions", model, headers


async def run(params: AiChatParams, ctx: RunContext, slots: Slots) -> AsyncIterator[RunEvent]:
    # the upstream reader (SSE parser, deadlines, HTTP client helpers) comes with the first run, not at the editor's start-up
    from app.core.upstream import StreamInfo, StreamOptions, UpstreamError, open_stream

    action_id = ctx.action_id
    url, model, headers = _endpoint(params)
    where = f"POST {url}"
    options = StreamOptions(
        format="sse",
        data_as="json",
        first_byte_timeout_s=params.first_byte_timeout_ms / 1000,
        idle_timeout_s=params.idle_timeout_ms / 1000,
    )
    answer = _Answer()
    info = StreamInfo()
    deltas = 0
    send, coalesce_ms = params.each_delta == "send", params.coalesce_ms
    # the whole answer so far is joined for each delta only when the body reads it: joining it
    # unasked made a long answer quadratic
    so_far = not send and slots.reads("body", "delta", "textSoFar")
    async with open_stream(ctx.stream_http(), "POST", url, headers=headers, json_body=_request_body(params, model), options=options, info=info) as events:
        if not send:
            ctx.stream_depth += 1
        try:
            async for event in events:
                chunk = event.data
                if not isinstance(chunk, dict):
                    raise UpstreamError(f"{where}: event {event.index} is not a chat completion chunk: {event.text[:80]!r}")
                if chunk.get("error") is not None:
                    error = chunk["error"]
                    message = error.get("message") if isinstance(error, dict) else error
                    raise UpstreamError(f"{where}: the server streamed an error: {message}")
                answer.model = chunk.get("model") or answer.model
                if isinstance(chunk.get("usage"), dict):
                    answer.usage = chunk["usage"]
                choice = _choice_zero(chunk.get("choices"))
                if choice is None:
                    continue
                delta = choice.get("delta") or {}
                if choice.get("finish_reason"):
                    answer.finish_reason = choice["finish_reason"]
                if delta.get("tool_calls"):
                    answer.add_tool_fragments(delta["tool_calls"])
                content = delta.get("content")
                text = content if isinstance(content, str) else ""
                reasoning = delta.get("reasoning_content") or delta.get("reasoning")
                reasoning = reasoning if isinstance(reasoning, str) else ""
                if not text and not reasoning:
                    continue
                answer.text.append(text)
                if reasoning:
                    answer.reasoning.append(reasoning)
                if send:
                    if text:
                        ctx.send_message({"status": "chunk", "text": text}, coalesce_ms=coalesce_ms)
                        pending, ctx.pending = ctx.pending, []
                        for run_event in pending:
                            yield run_event
                else:
                    scope = {"text": text, "index": deltas}
                    if so_far:
                        scope["textSoFar"] = "".join(answer.text)
                    if reasoning:
                        scope["reasoning"] = reasoning
                    with ctx.bound("delta", scope):
                        async for run_event in slots.run("body"):
                            yield run_event
                deltas += 1
        finally:
            if not send:
                ctx.stream_depth -= 1
    if answer.finish_reason is None and not info.ended_by_sentinel:
        raise UpstreamError(f"{where}: the stream ended before the model finished (no finish_reason, no [DONE])")
    ctx.release_held()  # the streamed loop ends: a coalesced message it holds goes out now
    if ctx.pending:
        pending, ctx.pending = ctx.pending, []
        for run_event in pending:
            yield run_event
    ctx.results[action_id] = answer.result()


def summary(params: dict[str, Any]) -> str:
    model = params.get("model") or f"${MODEL_ENV}"
    source = params.get("prompt") if params.get("input", "prompt") == "prompt" else params.get("messages")
    return f"{inline_json(model) if not isinstance(model, str) else model}: {inline_json(source, 80)}"


def sends(params: dict[str, Any]) -> list[dict[str, Any]]:
    return [{"status": "chunk", "text": ""}] if params.get("eachDelta") == "send" else []


ACTION = ActionType(
    id="ai.chat",
    title="AI chat completion",
    category="AI",
    icon="ai",
    description="Stream a model's answer from any OpenAI-compatible server (OpenAI, Ollama, llama.cpp, vLLM, LM Studio).",
    params=AiChatParams,
    run=run,
    slots=("body",),
    summary=summary,
    streams_in=True,
    slot_scopes={"body": DELTA_SCOPE},
    result_shape={"text": "string", "finishReason": "string", "usage": "object", "toolCalls": "array", "model": "string"},
    sends=sends,
)
