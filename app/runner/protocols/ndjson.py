"""NDJSON, for ``Accept: application/x-ndjson``: one object per line, ``{"event": ..., "id": ..., "data": ...}``.

A message with a part id is ``{"event": "part", "id": <seq>, "part": <id>,
"transient": true (only when marked), "data": <Event Data>}``; a plain
message is unchanged. Idle time gets an empty line, which readers skip.
"""

from __future__ import annotations

from typing import Any

from app.runner.protocols import STREAM_HEADERS
from app.runner.protocols.json_text import json_bytes
from app.runner.protocols.sse import MEDIA_TYPE as SSE_MEDIA_TYPE
from app.runner.runs import WireItem

MEDIA_TYPE = "application/x-ndjson"


def _ndjson(item: WireItem) -> bytes:
    if item.kind == "heartbeat":
        return b"\n"  # an empty line keeps proxies from timing out; readers skip it
    line: dict[str, Any] = {"event": item.kind}
    if item.seq is not None:
        line["id"] = item.seq
    if item.part is not None:
        line["event"] = "part"
        line["part"] = item.part
        if item.transient:
            line["transient"] = True
    line["data"] = item.data
    return json_bytes(line) + b"\n"


def encode_ndjson(batch: list[WireItem]) -> bytes:
    return b"".join([_ndjson(item) for item in batch])


def wants_ndjson(accept: str) -> bool:
    return MEDIA_TYPE in accept and SSE_MEDIA_TYPE not in accept


class NdjsonEncoder:
    media_type = MEDIA_TYPE
    sse = False

    def __init__(self) -> None:
        self.headers = dict(STREAM_HEADERS)

    def encode(self, batch: list[WireItem]) -> bytes:
        return encode_ndjson(batch)

    def close(self) -> bytes:
        return b""
