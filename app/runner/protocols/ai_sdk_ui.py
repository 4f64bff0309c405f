"""The Vercel AI SDK's UI message stream (v1), for ``useChat`` and ``readUIMessageStream``: ``POST /ai-sdk/<endpoint path>``.

SSE of JSON parts, with the response header ``x-vercel-ai-ui-message-stream:
v1``: ``start`` (``messageId`` is the run id), then for each ``chunk``
message's ``text`` a ``text-delta`` inside one ``text-start``/``text-end``;
every other message is a data part ``data-<status>`` (``data-message`` when
it has no status) whose ``data`` is the Event Data, with ``id`` set to its
part id for a keyed message (so the SDK replaces that part, as
``stream.parts`` does) and ``transient: true`` where marked. A good end is
``finish`` (with ``messageMetadata: {"statusCode", "body"}`` after a Return
response), a failure is ``error`` (``errorText``); ``data: [DONE]`` ends
the stream either way. Only fields every v1 reader accepts are written (the
AI SDK 5 schema is strict: no ``finishReason``).

The request is what ``DefaultChatTransport`` posts: ``{id, messages: [{id,
role, parts: [{type: "text", text}, ...]}], trigger, ...}``; each message's
text parts become its text (``chat_request``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from app.runner.protocols import STREAM_HEADERS
from app.runner.protocols.chat_request import ChatMessage, ChatRequestError, chat_messages, chunk_text, text_of_parts
from app.runner.protocols.sse import MEDIA_TYPE as SSE_MEDIA_TYPE
from app.runner.protocols.sse import compact_json
from app.runner.runs import WireItem

PREFIX = "/ai-sdk"
"""``POST /ai-sdk/<endpoint path>`` answers the endpoint at ``<endpoint path>`` in this protocol."""
HEADER = "x-vercel-ai-ui-message-stream"
PROTOCOL_FIELDS = frozenset({"id", "messages", "trigger", "messageId"})
"""What ``DefaultChatTransport`` sends besides the caller's own ``body`` fields."""


def read_messages(document: Mapping[str, Any]) -> list[ChatMessage]:
    """The UI messages of a ``useChat`` request, each as role and the text of its text parts."""
    return chat_messages(document, _ui_message_text, what="UI messages")


def _ui_message_text(message: dict[str, Any], path: str) -> str:
    if "parts" in message:
        return text_of_parts(message["parts"], f"{path}.parts")
    if isinstance(message.get("content"), str):  # an older client's {role, content}
        return str(message["content"])
    raise ChatRequestError("a UI message needs parts", f"{path}.parts")


def _part(part: dict[str, Any]) -> str:
    return f"data: {compact_json(part)}\n\n"


class UiMessageStreamEncoder:
    media_type = SSE_MEDIA_TYPE
    sse = True

    def __init__(self, message_id: str) -> None:
        self.headers = {**STREAM_HEADERS, HEADER: "v1"}
        self._message_id = message_id
        self._started = False
        self._text_id = f"{message_id}-text"
        self._text_open = False
        self._failed = False
        self._metadata: dict[str, Any] | None = None
        # a text delta's fixed parts, written once: the text is the only thing that changes per token
        self._delta_head = f'data: {{"type":"text-delta","id":{compact_json(self._text_id)},"delta":'

    def _start(self) -> str:
        self._started = True
        return _part({"type": "start", "messageId": self._message_id})

    def _end_text(self) -> str:
        if not self._text_open:
            return ""
        self._text_open = False
        return _part({"type": "text-end", "id": self._text_id})

    def encode(self, batch: list[WireItem]) -> bytes:
        out: list[str] = [] if self._started else [self._start()]
        for item in batch:
            kind = item.kind
            if kind == "message":
                data = item.data
                text = chunk_text(data)
                if text is not None and item.part is None:
                    if not self._text_open:
                        self._text_open = True
                        out.append(_part({"type": "text-start", "id": self._text_id}))
                    if text:
                        out.append(f"{self._delta_head}{compact_json(text)}}}\n\n")
                    continue
                status = data.get("status") if isinstance(data, dict) else None
                part: dict[str, Any] = {"type": f"data-{status if isinstance(status, str) and status else 'message'}"}
                if item.part is not None:
                    part["id"] = item.part
                part["data"] = data
                if item.transient:
                    part["transient"] = True
                out.append(_part(part))
            elif kind == "heartbeat":
                out.append(": heartbeat\n\n")
            elif kind == "result":
                self._metadata = item.data
            elif kind == "error":
                self._failed = True
                out.append(self._end_text())
                out.append(_part({"type": "error", "errorText": item.data["message"]}))
        return "".join(out).encode()

    def close(self) -> bytes:
        out: list[str] = [] if self._started else [self._start()]
        if not self._failed:
            out.append(self._end_text())
            finish: dict[str, Any] = {"type": "finish"}
            if self._metadata is not None:
                finish["messageMetadata"] = self._metadata
            out.append(_part(finish))
        out.append("data: [DONE]\n\n")
        return "".join(out).encode()
