"""OpenAI-compatible chat completions: ``POST /v1/chat/completions`` and ``GET /v1/models``.

Any client that speaks to OpenAI (the ``openai`` SDKs, LangChain, Open WebUI,
...) can use an endpoint as a model: ``model`` names the endpoint, and the
conversation becomes its ``prompt``/``messages`` inputs (``chat_request``).
The ``text`` of each ``chunk`` message becomes a ``chat.completion.chunk``
whose ``delta.content`` is that text (the first one also says ``role:
assistant``); other messages have no place in this protocol and are left
out. The stream ends with a chunk whose ``finish_reason`` is ``"stop"``, then
``data: [DONE]``. An error during the stream is ``data: {"error": {...}}``
(what OpenAI sends, and what its SDKs raise as an ``APIError``), then
``[DONE]``. With ``stream: false`` the answer is one ``chat.completion``
with the whole text. A Return response's body, when no chunk text came
before it, is the answer's text (a normal-call endpoint works as a model too).

Formats as published in OpenAI's API reference (the chat completion object,
the chat completion chunk object, list models).
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import Any

from app.core.project import Endpoint
from app.runner.protocols import STREAM_HEADERS
from app.runner.protocols.chat_request import ChatMessage, chat_messages, chunk_text, text_of_parts, text_of_result
from app.runner.protocols.sse import MEDIA_TYPE as SSE_MEDIA_TYPE
from app.runner.protocols.sse import compact_json
from app.runner.runs import WireItem

PROTOCOL_FIELDS = frozenset({"model", "messages", "stream", "stream_options", "n", "user", "metadata"})
"""Request fields that belong to the protocol: never taken as endpoint inputs even when an endpoint declares one."""
OWNER = "streamwright"


def error_body(message: str, *, type: str = "invalid_request_error", param: str | None = None, code: str | None = None) -> dict[str, Any]:
    """An error as OpenAI writes one, in a response body or in a stream."""
    return {"error": {"message": message, "type": type, "param": param, "code": code}}


def read_messages(document: Mapping[str, Any]) -> list[ChatMessage]:
    """``messages`` of a chat completion request; content as a string or a list of content parts (text parts kept)."""
    return chat_messages(document, _content_text, non_empty=True)


def _content_text(message: dict[str, Any], path: str) -> str:
    content = message.get("content")
    if content is None:
        return ""
    if isinstance(content, str):
        return content
    return text_of_parts(content, f"{path}.content")


def models(endpoints: list[Endpoint]) -> dict[str, Any]:
    """``GET /v1/models``: every endpoint, by name, as a model."""
    return {"object": "list", "data": [{"id": e.name, "object": "model", "created": 0, "owned_by": OWNER} for e in endpoints]}


class _Answer:
    """What the run's items add up to, in the protocol's terms."""

    def __init__(self) -> None:
        self.texts: list[str] = []
        self.error: dict[str, Any] | None = None
        self.result_text: str | None = None

    def take(self, item: WireItem) -> str | None:
        """The text ``item`` adds to the answer (None when it adds none); an error or result is noted."""
        kind = item.kind
        if kind == "message":
            text = chunk_text(item.data)
            if text:
                self.texts.append(text)
                return text
        elif kind == "result":
            body = item.data.get("body")
            if not self.texts and body is not None:
                text = text_of_result(body)
                self.result_text = text
                return text or None
        elif kind == "error":
            self.error = error_body(item.data["message"], type="server_error", code=item.data.get("action"))
        return None


class ChatCompletionEncoder:
    """The run as ``chat.completion.chunk`` events (SSE), ending with ``data: [DONE]``."""

    media_type = SSE_MEDIA_TYPE
    sse = True

    def __init__(self, model: str, completion_id: str, created: int | None = None) -> None:
        self.headers = dict(STREAM_HEADERS)
        self._answer = _Answer()
        self._role_sent = False
        # the fixed part of every chunk, written once: the text is the only thing that changes per token
        created = int(time.time()) if created is None else created
        self._head = (
            f'data: {{"id":{compact_json(completion_id)},"object":"chat.completion.chunk","created":{created},'
            f'"model":{compact_json(model)},"choices":[{{"index":0,"delta":'
        )

    def _chunk(self, delta: dict[str, Any], finish_reason: str | None = None) -> str:
        return f'{self._head}{compact_json(delta)},"logprobs":null,"finish_reason":{compact_json(finish_reason)}}}]}}\n\n'

    def _delta(self, text: str) -> dict[str, Any]:
        if self._role_sent:
            return {"content": text}
        self._role_sent = True
        return {"role": "assistant", "content": text}

    def encode(self, batch: list[WireItem]) -> bytes:
        out: list[str] = []
        for item in batch:
            if item.kind == "heartbeat":
                out.append(": heartbeat\n\n")
                continue
            text = self._answer.take(item)
            if text is not None:
                out.append(self._chunk(self._delta(text)))
            elif item.kind == "error" and self._answer.error is not None:
                out.append(f"data: {compact_json(self._answer.error)}\n\n")
        return "".join(out).encode()

    def close(self) -> bytes:
        out: list[str] = []
        if self._answer.error is None:
            if not self._role_sent:
                out.append(self._chunk(self._delta("")))
            out.append(self._chunk({}, "stop"))
        out.append("data: [DONE]\n\n")
        return "".join(out).encode()


class ChatCompletionCollector:
    """``stream: false``: the items gathered into one ``chat.completion`` (or an OpenAI error)."""

    def __init__(self, model: str, completion_id: str, created: int | None = None) -> None:
        self.model = model
        self.completion_id = completion_id
        self.created = int(time.time()) if created is None else created
        self._answer = _Answer()

    def add(self, batch: list[WireItem]) -> None:
        for item in batch:
            self._answer.take(item)

    @property
    def error(self) -> dict[str, Any] | None:
        return self._answer.error

    def completion(self) -> dict[str, Any]:
        text = "".join(self._answer.texts) if self._answer.texts else (self._answer.result_text or "")
        return {
            "id": self.completion_id,
            "object": "chat.completion",
            "created": self.created,
            "model": self.model,
            "choices": [{"index": 0, "message": {"role": "assistant", "content": text, "refusal": None}, "logprobs": None, "finish_reason": "stop"}],
        }
