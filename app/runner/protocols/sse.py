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

from typing import Any

import orjson

from app.runner.protocols import STREAM_HEADERS
from app.runner.protocols.json_text import json_bytes, json_text
from app.runner.runs import WireItem

MEDIA_TYPE = "text/event-stream"
HEARTBEAT = b": heartbeat\n\n"


def compact_json(data: Any) -> str:
    """Compact JSON on one line (newlines inside strings are escaped), as one ``data:`` line needs."""
    return json_text(data)


def part_envelope(item: WireItem) -> dict[str, Any]:
    """What a keyed message carries besides its Event Data: its part id, and ``transient`` only when set."""
    envelope: dict[str, Any] = {"part": item.part}
    if item.transient:
        envelope["transient"] = True
    envelope["data"] = item.data
    return envelope


def encode_sse(batch: list[WireItem], id_prefix: str = "") -> bytes:
    """A batch of items as SSE, framed by hand as bytes (not with sse-starlette's ServerSentEvent)
    so a whole batch goes out in one send; the response itself is still sse-starlette's.

    A plain message, the common case, costs one ``orjson.dumps`` and one ``%``: its ``id:`` is
    ``id_prefix`` (the run, when the event id carries it) and the item's ``seq``, formatted by
    ``%d`` itself. What orjson refuses goes through ``json_bytes``, which writes it another way.
    """
    head = b"id: " + id_prefix.encode()
    out: list[bytes] = []
    append = out.append
    dumps = orjson.dumps
    for item in batch:
        kind = item.kind
        if kind == "message":
            if item.part is None:
                try:
                    data = dumps(item.data)
                except TypeError:  # orjson.JSONEncodeError is a TypeError
                    data = json_bytes(item.data)
                append(b"%b%d\ndata: %b\n\n" % (head, item.seq, data))  # type: ignore[str-format]  # a message has its seq
            else:
                append(b"event: part\n%b%d\ndata: %b\n\n" % (head, item.seq, json_bytes(part_envelope(item))))  # type: ignore[str-format]
        elif kind == "heartbeat":
            append(HEARTBEAT)
        else:
            append(b"event: %b\ndata: %b\n\n" % (kind.encode(), json_bytes(item.data)))
    return b"".join(out)


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
