"""Wire protocols: each module encodes a run's items for one kind of client.

A run produces one sequence of wire items (``app.runner.runs.WireItem``:
message, part update, result, error, plus heartbeats and traces); a protocol
is an :class:`Encoder` over that sequence. ``sse`` and ``ndjson`` serve an
endpoint at its own path (chosen by ``Accept``); ``openai_chat`` and
``ai_sdk_ui`` speak what AI frontends already read. Adding a protocol is
adding one module with an encoder (and, when it has its own request shape,
its route in ``app.runner.server``).
"""

from __future__ import annotations

from typing import Protocol

from app.runner.runs import WireItem

STREAM_HEADERS = {"Cache-Control": "no-cache", "X-Accel-Buffering": "no"}
"""Every streamed response: nothing between the run and the client may hold the stream back."""


class Encoder(Protocol):
    """Turns a run's wire items into a response body, batch by batch; one instance per response.

    ``sse`` says the body is an event stream (the server then answers with
    sse-starlette, which ends it cleanly when the server shuts down).
    """

    media_type: str
    headers: dict[str, str]
    sse: bool

    def encode(self, batch: list[WireItem]) -> bytes:
        """The bytes for items that just arrived (a batch is everything already buffered)."""
        ...

    def close(self) -> bytes:
        """The bytes after the run's last item (a protocol's end marker); ``b""`` for none."""
        ...
