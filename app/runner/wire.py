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

from sse_starlette.sse import ServerSentEvent

from app.runner.runs import WireItem

SSE_MEDIA_TYPE = "text/event-stream"
NDJSON_MEDIA_TYPE = "application/x-ndjson"
STREAM_HEADERS = {"Cache-Control": "no-cache", "X-Accel-Buffering": "no"}


def _json(data: Any) -> str:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"))


LF = "\n"


def to_sse(item: WireItem) -> ServerSentEvent:
    if item.kind == "message":
        return ServerSentEvent(_json(item.data), id=str(item.seq), sep=LF)
    if item.kind == "heartbeat":
        return ServerSentEvent(comment="heartbeat", sep=LF)
    return ServerSentEvent(_json(item.data), event=item.kind, sep=LF)


def to_ndjson(item: WireItem) -> str:
    if item.kind == "heartbeat":
        return "\n"  # an empty line keeps proxies from timing out; readers skip it
    line: dict[str, Any] = {"event": item.kind}
    if item.seq is not None:
        line["id"] = item.seq
    line["data"] = item.data
    return _json(line) + "\n"


def wants_ndjson(accept: str) -> bool:
    return NDJSON_MEDIA_TYPE in accept and SSE_MEDIA_TYPE not in accept
