"""The ``ai`` npm package (the Vercel AI SDK, pinned in tests/external/node) reading ``streamwright serve``'s UI message stream.

``read_ui_message_stream.mjs`` does what ``useChat`` does: ``DefaultChatTransport``
posts ``{id, messages, trigger, ...body}`` to ``/ai-sdk/<endpoint path>`` and
parses the response with the SDK's own ``uiMessageChunkSchema`` (any part it
does not accept is an error there); ``readUIMessageStream`` builds the
assistant message from it, replacing keyed data parts by id.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest

from app.core.project import EndpointInput
from tests.conftest import action, endpoint, formula, project_of
from tests.external.conftest import require_tool

NODE_TOOLS = Path(__file__).parent / "node"
SCRIPT = NODE_TOOLS / "read_ui_message_stream.mjs"


def chat_project():  # type: ignore[no-untyped-def]
    each_word = action(
        "each",
        "flow.loop",
        items=formula('$split(inputs.prompt, " ")'),
        slots={
            "body": [
                action("step", "stream.send", part="status", transient=True, eventData={"status": "progress", "done": formula("loop.count")}),
                action("word", "stream.send", eventData={"status": "chunk", "text": formula('(loop.first ? "" : " ") & loop.item')}),
                action("tally", "stream.send", part="tally", eventData={"status": "tally", "words": formula("loop.count")}),
            ]
        },
    )
    inputs = [EndpointInput(name="prompt", type="string", required=True), EndpointInput(name="style", type="string", required=False, default="plain")]
    chat = endpoint([action("start", "stream.send", eventData={"status": "starting", "style": formula("inputs.style")}), each_word], inputs, name="chat")
    failing = endpoint([action("hello", "stream.send", eventData={"status": "chunk", "text": "half"}), action("boom", "flow.throw", message="the model went away")], inputs, name="failing")
    return project_of(chat, failing)


def read(server: Any, path: str, prompt: str) -> dict[str, Any]:
    node = require_tool("node")
    if not (NODE_TOOLS / "node_modules" / "ai" / "package.json").exists():
        pytest.fail("the ai package is not installed in tests/external/node; `make test-deps` installs it (npm ci --prefix tests/external/node)")
    ran = subprocess.run([node, str(SCRIPT), f"{server.url}{path}", server.token, prompt], capture_output=True, text=True, timeout=120, cwd=NODE_TOOLS)
    assert ran.returncode == 0, ran.stdout + ran.stderr
    return json.loads(ran.stdout)


def test_the_ai_sdk_builds_the_assistant_message_from_a_served_stream(serve):
    server = serve(chat_project())
    out = read(server, "/ai-sdk/chat", "streams feel fast")
    assert out["errors"] == [] and out["errorParts"] == []
    assert out["seen"][0] == "start" and out["seen"][-1] == "finish"
    assert out["seen"].count("text-delta") == 3
    message = out["message"]
    assert message["role"] == "assistant"
    texts = [part["text"] for part in message["parts"] if part["type"] == "text"]
    assert texts == ["streams feel fast"]
    data = [(part["type"], part.get("id"), part["data"]) for part in message["parts"] if part["type"].startswith("data-")]
    # the keyed tally part was replaced in place (one part, the latest); the useChat body field reached the endpoint
    assert data == [("data-starting", None, {"status": "starting", "style": "terse"}), ("data-tally", "tally", {"status": "tally", "words": 3})]
    # transient parts reach the stream (useChat's onData) but never the message
    assert [part["data"]["done"] for part in out["transient"]] == [1, 2, 3]


def test_the_ai_sdk_reports_an_error_part(serve):
    server = serve(chat_project())
    out = read(server, "/ai-sdk/failing", "anything")
    assert out["errorParts"] == ["the model went away"] and out["errors"] == ["the model went away"]
    assert [part["text"] for part in out["message"]["parts"] if part["type"] == "text"] == ["half"]
