"""An OpenAI-compatible chat completions server for tests: real uvicorn on 127.0.0.1, port 0.

It speaks the published streaming format: ``chat.completion.chunk`` objects
as SSE ``data:`` lines (a role delta, content deltas, a chunk with
``finish_reason``, a usage chunk with empty ``choices``, then
``data: [DONE]``). Its bad days are chosen by the base URL, whose path
carries options: ``{url}/o/mode=stall,delay=5/v1``.

Modes: ``ok``, ``error`` (an error object after two tokens), ``drop`` (the
connection breaks after two tokens), ``stall`` (silent after two tokens),
``status`` (answers ``code`` with an OpenAI error body), ``malformed`` (lines
that are not SSE fields), ``nonjson`` (a data line that is not JSON),
``huge`` (a 10.5 MB content delta), ``forever`` (tokens until the client
leaves), ``gate`` (two tokens, then waits for ``release()``), ``tools`` (a
tool call in fragments), ``nofinish`` (ends without ``finish_reason`` or
``[DONE]``). Options: ``tokens`` (count; default the prompt's words),
``delay`` and ``first`` (ms before each token / the first one), ``stamp=1``
(each token is the ``time.monotonic()`` it was sent at). ``python -m
tests.support.openai_upstream`` serves it until the process is terminated.

``/raw/{name}`` answers fixed bodies for the generic streamed request.
Every response records when its generator was closed (``closed_at``, on the
``time.perf_counter`` clock), so a test sees a cancelled run close the
connection from the upstream's side.
"""

from __future__ import annotations

import asyncio
import json
import socket
import threading
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route

HUGE_CHARS = 10 * 1024 * 1024 + 512 * 1024

RAW_BODIES: dict[str, tuple[str, bytes]] = {
    "sse-crlf": (
        "text/event-stream",
        b": a comment\r\nretry: 1500\r\nevent: greeting\r\nid: 7\r\ndata: {\"n\": 1,\r\ndata: \"word\": \"hi\"}\r\n\r\n"
        b"data: plain text\r\n\r\ndata: [DONE]\r\n\r\ndata: after the sentinel\r\n\r\n",
    ),
    "sse-lf": ("text/event-stream", b"data: {\"n\": 1}\n\ndata: {\"n\": 2}\n\n"),
    "ndjson": ("application/x-ndjson", b"{\"n\": 1}\n\n{\"n\": 2}\r\n{\"n\": 3}"),
    "ndjson-bad": ("application/x-ndjson", b"{\"n\": 1}\nnot json at all\n"),
    "text": ("text/plain", b"hello "),
    "sse-burst": ("text/event-stream", b"".join(b'data: {"n": %d}\n\n' % n for n in range(50))),
}


@dataclass
class UpstreamState:
    requests: list[dict[str, Any]] = field(default_factory=list)
    headers: list[dict[str, str]] = field(default_factory=list)
    closed_at: list[float] = field(default_factory=list)
    tokens_sent: int = 0
    changed: threading.Condition = field(default_factory=threading.Condition)
    gate: threading.Event = field(default_factory=threading.Event)

    def wait_closed(self, count: int, timeout: float) -> bool:
        """Wait (in a thread) until ``count`` responses have been closed."""
        with self.changed:
            return self.changed.wait_for(lambda: len(self.closed_at) >= count, timeout)

    def release(self) -> None:
        self.gate.set()


def _options(raw: str) -> dict[str, str]:
    return dict(part.split("=", 1) for part in raw.split(",") if "=" in part)


def _chunk(delta: dict[str, Any], finish: str | None = None, model: str = "stand-in") -> bytes:
    body = {
        "id": "chatcmpl-standin",
        "object": "chat.completion.chunk",
        "created": 1_700_000_000,
        "model": model,
        "system_fingerprint": "fp_standin",
        "choices": [{"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish}],
    }
    return b"data: " + json.dumps(body).encode() + b"\n\n"


def _usage(prompt_tokens: int, completion_tokens: int) -> bytes:
    body = {
        "id": "chatcmpl-standin",
        "object": "chat.completion.chunk",
        "created": 1_700_000_000,
        "model": "stand-in",
        "choices": [],
        "usage": {"prompt_tokens": prompt_tokens, "completion_tokens": completion_tokens, "total_tokens": prompt_tokens + completion_tokens},
    }
    return b"data: " + json.dumps(body).encode() + b"\n\n"


def _prompt_words(request: dict[str, Any]) -> list[str]:
    messages = [m for m in request.get("messages", []) if m.get("role") == "user"]
    text = str(messages[-1].get("content", "")) if messages else ""
    words = text.split()
    return [word if index == 0 else " " + word for index, word in enumerate(words)] or ["(empty)"]


def build_app(state: UpstreamState) -> Starlette:
    async def completions(request: Request) -> Response:
        options = _options(request.path_params["options"])
        body = await request.json()
        with state.changed:
            state.requests.append(body)
            state.headers.append(dict(request.headers))
        mode = options.get("mode", "ok")
        if mode == "status":
            code = int(options.get("code", "500"))
            message = "Rate limit reached for requests" if code == 429 else "The server had an error processing your request"
            return JSONResponse({"error": {"message": message, "type": "requests", "code": str(code)}}, status_code=code)
        if mode == "html":
            return Response("<html>not a stream</html>", media_type="text/html")
        count = int(options["tokens"]) if "tokens" in options else None
        words = _prompt_words(body)
        tokens = [f"t{i} " for i in range(count)] if count is not None else words
        delay = float(options.get("delay", "0")) / 1000
        first = float(options.get("first", "0")) / 1000
        stamp = options.get("stamp") == "1"  # each token is the time.monotonic() it was sent at (benchmarks)
        return StreamingResponse(_stream(state, mode, tokens, delay, first, len(words), stamp), media_type="text/event-stream")

    async def raw(request: Request) -> Response:
        media_type, payload = RAW_BODIES[request.path_params["name"]]
        with state.changed:
            state.headers.append(dict(request.headers))
        return Response(payload, media_type=media_type)

    return Starlette(
        routes=[
            Route("/o/{options}/v1/chat/completions", completions, methods=["POST"]),
            Route("/raw/{name}", raw, methods=["GET", "POST"]),
        ]
    )


async def _stream(
    state: UpstreamState, mode: str, tokens: list[str], delay: float, first: float, prompt_tokens: int, stamp: bool = False
) -> AsyncIterator[bytes]:
    try:
        if first:
            await asyncio.sleep(first)  # after the headers, before any byte of the body
        yield _chunk({"role": "assistant", "content": ""})
        sent = 0
        index = 0
        while True:
            if mode != "forever" and index >= len(tokens):
                break
            if mode in ("error", "drop", "stall", "gate") and sent == 2:
                if mode == "error":
                    yield b'data: {"error": {"message": "The model crashed", "type": "server_error"}}\n\n'
                    return
                if mode == "drop":
                    raise ConnectionResetError("the stand-in drops the connection")
                if mode == "stall":
                    await asyncio.Event().wait()
                if mode == "gate":
                    while not state.gate.is_set():
                        await asyncio.sleep(0.01)  # polls a thread-safe flag set by the test's thread
            if mode == "malformed" and sent == 1:
                yield b"this line is not an SSE field\n{\"json\": \"without data:\"}\n\n"
                return
            if mode == "nonjson" and sent == 1:
                yield b"data: this is not json\n\n"
                return
            if mode == "huge" and sent == 1:
                yield _chunk({"content": "x" * HUGE_CHARS})
                index += 1
                sent += 1
                continue
            if mode == "tools" and sent == 0:
                yield _chunk({"tool_calls": [{"index": 0, "id": "call_1", "type": "function", "function": {"name": "get_weather", "arguments": ""}}]})
                for piece in ('{"city', '": "Par', 'is"}'):
                    yield _chunk({"tool_calls": [{"index": 0, "function": {"arguments": piece}}]})
                yield _chunk({}, "tool_calls")
                yield _usage(prompt_tokens, 3)
                yield b"data: [DONE]\n\n"
                return
            if sent:
                await asyncio.sleep(delay)  # also a turn for the event loop, so a disconnect is noticed
            token = f"{time.monotonic():.6f} " if stamp else tokens[index % len(tokens)]
            yield _chunk({"content": token})
            index += 1
            sent += 1
            state.tokens_sent += 1
        if mode == "nofinish":
            return
        yield _chunk({}, "stop")
        yield _usage(prompt_tokens, sent)
        yield b"data: [DONE]\n\n"
    finally:
        with state.changed:
            state.closed_at.append(time.perf_counter())
            state.changed.notify_all()


class _ThreadedServer(uvicorn.Server):
    def __init__(self, config: uvicorn.Config) -> None:
        super().__init__(config)
        self.ready = threading.Event()

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        try:
            await super().startup(sockets=sockets)
        finally:
            self.ready.set()


@dataclass
class OpenAIUpstream:
    url: str
    state: UpstreamState

    def base(self, **options: Any) -> str:
        """A base URL (``.../v1``) whose requests behave as ``options`` say."""
        text = ",".join(f"{key}={value}" for key, value in options.items()) or "mode=ok"
        return f"{self.url}/o/{text}/v1"


@contextmanager
def serve_upstream(tls_pem: str | None = None) -> Iterator[OpenAIUpstream]:
    """Start the stand-in in a background thread; stop it on exit (its open streams are cancelled).

    ``tls_pem``: a file with the server's key and certificate chain: it answers over HTTPS.
    """
    state = UpstreamState()
    config = uvicorn.Config(
        build_app(state), host="127.0.0.1", port=0, log_level="critical", lifespan="off", timeout_graceful_shutdown=1, ssl_certfile=tls_pem
    )
    server = _ThreadedServer(config)
    thread = threading.Thread(target=server.run, name="openai-upstream", daemon=True)
    thread.start()
    assert server.ready.wait(timeout=30) and server.started, "the stand-in upstream did not start"
    host, port = server.servers[0].sockets[0].getsockname()[:2]
    try:
        yield OpenAIUpstream(f"{'https' if tls_pem else 'http'}://{host}:{port}", state)
    finally:
        state.release()
        server.should_exit = True
        thread.join(timeout=30)


if __name__ == "__main__":
    with serve_upstream() as running:
        print(f"Serving the OpenAI stand-in on {running.url}", flush=True)
        threading.Event().wait()  # until the process is terminated
