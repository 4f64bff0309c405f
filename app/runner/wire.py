"""How run items go on the wire: Server-Sent Events, or NDJSON for ``Accept: application/x-ndjson``.

SSE: a message is a default event (``id:`` its sequence number, ``data:`` the
Event Data JSON), so a browser's ``EventSource.onmessage`` sees exactly the
stream. A Return response ends it with ``event: result``, a failure with
``event: error``; otherwise the stream just closes. ``event: trace`` carries
action spans and logs when asked for, and idle time gets a ``: heartbeat``
comment. Lines end with LF.
NDJSON: one object per line, ``{"event": ..., "id": ..., "data": ...}``.
"""

from __future__ import annotations

import json
from typing import Any

from app.runner.runs import WireItem

SSE_MEDIA_TYPE = "text/event-stream"
NDJSON_MEDIA_TYPE = "application/x-ndjson"
STREAM_HEADERS = {"Cache-Control": "no-cache", "X-Accel-Buffering": "no"}


def _json(data: Any) -> str:
    """Compact JSON on one line (newlines inside strings are escaped), as one ``data:`` line needs."""
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"))


def _sse(item: WireItem) -> str:
    if item.kind == "message":
        return f"id: {item.seq}\ndata: {_json(item.data)}\n\n"
    if item.kind == "heartbeat":
        return ": heartbeat\n\n"
    return f"event: {item.kind}\ndata: {_json(item.data)}\n\n"


def encode_sse(batch: list[WireItem]) -> bytes:
    """A batch of items as SSE text, written by hand (not with sse-starlette's ServerSentEvent)
    so a whole batch goes out in one send; the response itself is still sse-starlette's."""
    return "".join(_sse(item) for item in batch).encode()


def _ndjson(item: WireItem) -> str:
    if item.kind == "heartbeat":
        return "\n"  # an empty line keeps proxies from timing out; readers skip it
    line: dict[str, Any] = {"event": item.kind}
    if item.seq is not None:
        line["id"] = item.seq
    line["data"] = item.data
    return _json(line) + "\n"


def encode_ndjson(batch: list[WireItem]) -> bytes:
    return "".join(_ndjson(item) for item in batch).encode()


def wants_ndjson(accept: str) -> bool:
    return NDJSON_MEDIA_TYPE in accept and SSE_MEDIA_TYPE not in accept
