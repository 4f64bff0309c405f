"""Server-Sent Events, the default wire protocol of an endpoint's own path.

A plain message is a default event (``id:`` its event id, ``data:``
the Event Data JSON), so a browser's ``EventSource.onmessage`` sees exactly
the stream. A message with a part id is ``event: part`` whose data is
``{"part": <id>, "transient": true (only when marked), "data": <Event Data>}``
(its ``id:`` is still its event id, so resuming counts it). An event id is
the message's sequence number, after the run's token prefix when the client
did not name the run (``app.core.run_ids``). A Return
response ends the stream with ``event: result``, a failure with ``event:
error``; otherwise the stream just closes. ``event: trace`` carries action
spans and logs when asked for, and idle time gets a ``: heartbeat`` comment.
Lines end with LF.
"""

from __future__ import annotations

import json
from typing import Any

from app.runner.protocols import STREAM_HEADERS
from app.runner.runs import WireItem

MEDIA_TYPE = "text/event-stream"


def compact_json(data: Any) -> str:
    """Compact JSON on one line (newlines inside strings are escaped), as one ``data:`` line needs."""
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"))


def part_envelope(item: WireItem) -> dict[str, Any]:
    """What a keyed message carries besides its Event Data: its part id, and ``transient`` only when set."""
    envelope: dict[str, Any] = {"part": item.part}
    if item.transient:
        envelope["transient"] = True
    envelope["data"] = item.data
    return envelope


def _sse(item: WireItem, id_prefix: str = "") -> str:
    if item.kind == "message":
        if item.part is not None:
            return f"event: part\nid: {id_prefix}{item.seq}\ndata: {compact_json(part_envelope(item))}\n\n"
        return f"id: {id_prefix}{item.seq}\ndata: {compact_json(item.data)}\n\n"
    if item.kind == "heartbeat":
        return ": heartbeat\n\n"
    return f"event: {item.kind}\ndata: {compact_json(item.data)}\n\n"


def encode_sse(batch: list[WireItem], id_prefix: str = "") -> bytes:
    """A batch of items as SSE text, written by hand (not with sse-starlette's ServerSentEvent)
    so a whole batch goes out in one send; the response itself is still sse-starlette's."""
    return "".join([_sse(item, id_prefix) for item in batch]).encode()


class SseEncoder:
    """``id_prefix`` goes before each message's sequence number in its ``id:`` (``app.core.run_ids``: empty for a run the client named)."""

    media_type = MEDIA_TYPE
    sse = True

    def __init__(self, id_prefix: str = "") -> None:
        self.headers = dict(STREAM_HEADERS)
        self.id_prefix = id_prefix

    def encode(self, batch: list[WireItem]) -> bytes:
        return encode_sse(batch, self.id_prefix)

    def close(self) -> bytes:
        return b""
