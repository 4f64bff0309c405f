"""What a chat frontend's request becomes: an endpoint's inputs.

OpenAI's ``/v1/chat/completions`` and the AI SDK's ``useChat`` both send the
conversation as a list of messages. An endpoint that declares a ``prompt``
input gets the last user message's text; one that declares ``messages`` gets
the whole list as ``[{"role", "content"}]`` with text content (what an *AI
chat completion* with Input = messages passes to a model as it is). Any other
top-level field of the request whose name is a declared input becomes that
input (``temperature`` in an OpenAI request, ``body: {...}`` fields of
``useChat``); fields of the protocol itself that the endpoint does not
declare are ignored, never refused.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from app.core.project import Endpoint

PROMPT_INPUT = "prompt"
MESSAGES_INPUT = "messages"


class ChatRequestError(ValueError):
    """A request the protocol cannot read; ``param`` is the JSON path of what is wrong (``$.messages[2].content``)."""

    def __init__(self, message: str, param: str) -> None:
        super().__init__(f"{param}: {message}")
        self.message = message
        self.param = param


@dataclass(frozen=True)
class ChatMessage:
    role: str
    content: str

    def to_json(self) -> dict[str, str]:
        return {"role": self.role, "content": self.content}


def text_of_parts(parts: Any, path: str, *, text_key: str = "text") -> str:
    """The text of a list of content parts (OpenAI's ``content`` array, the AI SDK's ``parts``): text parts joined, others skipped."""
    if not isinstance(parts, list):
        raise ChatRequestError("must be a list of parts", path)
    texts: list[str] = []
    for index, part in enumerate(parts):
        if not isinstance(part, dict):
            raise ChatRequestError("a part must be an object", f"{path}[{index}]")
        if part.get("type") == "text":
            text = part.get(text_key)
            if not isinstance(text, str):
                raise ChatRequestError("a text part's text must be a string", f"{path}[{index}].{text_key}")
            texts.append(text)
    return "".join(texts)


def endpoint_inputs(endpoint: Endpoint, messages: list[ChatMessage], request: Mapping[str, Any], protocol_fields: frozenset[str]) -> dict[str, Any]:
    """The endpoint's raw inputs for this conversation (checked by the engine like any other call's)."""
    declared = {spec.name: spec for spec in endpoint.inputs}
    inputs: dict[str, Any] = {}
    for name, value in request.items():
        if name in declared and name not in (PROMPT_INPUT, MESSAGES_INPUT) and name not in protocol_fields:
            inputs[name] = value
    if PROMPT_INPUT in declared:
        user = [message for message in messages if message.role == "user"]
        if user:
            inputs[PROMPT_INPUT] = user[-1].content
    if MESSAGES_INPUT in declared:
        listed = [message.to_json() for message in messages]
        inputs[MESSAGES_INPUT] = json.dumps(listed) if declared[MESSAGES_INPUT].type == "string" else listed
    return inputs


def text_of_result(body: Any) -> str:
    """A Return response's body as answer text: a string as it is, anything else as JSON."""
    if body is None:
        return ""
    return body if isinstance(body, str) else json.dumps(body, ensure_ascii=False)


def chunk_text(data: Any) -> str | None:
    """The text a message adds to the answer: the ``text`` of a ``chunk`` message (or one with no status); None otherwise."""
    if data.__class__ is not dict:
        return None
    text = data.get("text")
    if text.__class__ is not str:
        return None
    status = data.get("status")
    return text if status == "chunk" or status is None else None


def chat_messages(document: Mapping[str, Any], text_of: Callable[[dict[str, Any], str], str], *, what: str = "messages", non_empty: bool = False) -> list[ChatMessage]:
    """A chat request's ``messages``: each an object with a string ``role``, its text read by ``text_of(message, path)``.

    Both chat protocols send this list; only how a message holds its text differs.
    """
    raw = document.get("messages")
    if not isinstance(raw, list) or (non_empty and not raw):
        raise ChatRequestError(f"must be a {'non-empty ' if non_empty else ''}list of {what}", "messages")
    messages: list[ChatMessage] = []
    for index, message in enumerate(raw):
        path = f"messages[{index}]"
        if not isinstance(message, dict):
            raise ChatRequestError("a message must be an object", path)
        role = message.get("role")
        if not isinstance(role, str):
            raise ChatRequestError("role must be a string", f"{path}.role")
        messages.append(ChatMessage(role, text_of(message, path)))
    return messages
