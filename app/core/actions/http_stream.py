"""For each streamed event: call an HTTP API that streams, and run ``body`` once per event.

The upstream may speak SSE, NDJSON or plain text chunks. Inside the body,
``event.data`` (parsed when it is JSON), ``event.text`` (raw), ``event.name``
(the SSE ``event:``, else ``message``), ``event.id``, ``event.index``
(0-based) and ``event.retry`` (when sent) are in scope. The stream ends at
the end of the body or at the *Done sentinel* (``[DONE]``).

Back-pressure: one event is read, the body runs, then the next is read, so a
slow client slows the upstream instead of filling memory. An error status,
a broken connection, a timeout or malformed data fails the action with the
URL and the reason (Try/catch catches it); a cancelled run closes the
upstream connection at once. ``results.<id>`` is ``{status, headers, count,
endedBy}`` (``sentinel`` or ``end``).
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Annotated, Any, Literal

from pydantic import Field

from app.core.events import RunEvent
from app.core.params import ActionParams, Expr, Param
from app.core.registry import ActionType
from app.core.run_context import RunContext, Slots
from app.core.scope_names import SlotScope
from app.core.summaries import inline_json
from app.core.values import Template

EVENT_SCOPE = SlotScope(
    "event",
    {"data": "any", "text": "string", "name": "string", "id": "string", "index": "number", "retry": "number"},
    notes={
        "data": "the event's data, parsed when it is JSON",
        "text": "the event's data as text",
        "name": "the SSE event name (message when none)",
        "id": "the SSE event id",
        "index": "the event's position, from 0",
        "retry": "the SSE retry field",
    },
)
"""What the body's formulas read as ``event`` for each upstream event (``data`` parsed when it is JSON)."""
MAX_TIMEOUT_MS = 3_600_000
TimeoutMs = Annotated[int, Field(ge=1, le=MAX_TIMEOUT_MS)]


class HttpStreamParams(ActionParams):
    method: Literal["GET", "POST", "PUT", "PATCH", "DELETE"] = Param("GET", title="Method")
    url: Expr[str] = Param("https://example.com/stream", title="URL")
    headers: dict[str, Template] = Param({}, title="Headers", description='Use {"$env": "NAME"} for secrets.', secret_ok=True)
    body: Template = Param(None, title="JSON body", shown_when={"method": ["POST", "PUT", "PATCH", "DELETE"]}, editor="json")
    format: Literal["sse", "ndjson", "text"] = Param("sse", title="Upstream format", description="Server-sent events, one JSON object per line, or plain text chunks.")
    data_as: Literal["auto", "json", "text"] = Param(
        "auto",
        alias="dataAs",
        title="Event data",
        description="auto: parsed when it is JSON; json: anything else is an error; text: never parsed.",
    )
    done_sentinel: str = Param("[DONE]", alias="doneSentinel", title="Done sentinel", description="Data that ends the stream (empty: none).")
    first_byte_timeout_ms: Expr[TimeoutMs] = Param(60_000, alias="firstByteTimeoutMs", title="First byte timeout (ms)", section="Advanced")
    idle_timeout_ms: Expr[TimeoutMs] = Param(
        30_000, alias="idleTimeoutMs", title="Idle timeout (ms)", description="The longest gap between two reads.", section="Advanced"
    )


def _stringify(mapping: dict[str, Any]) -> dict[str, str]:
    return {key: value if isinstance(value, str) else json.dumps(value) for key, value in mapping.items() if value is not None}


async def run(params: HttpStreamParams, ctx: RunContext, slots: Slots) -> AsyncIterator[RunEvent]:
    # the upstream reader (SSE parser, deadlines, HTTP client helpers) comes with the first run, not at the editor's start-up
    from app.core.upstream import StreamInfo, StreamOptions, open_stream

    action_id = ctx.action_id
    options = StreamOptions(
        format=params.format,
        data_as=params.data_as,
        done_sentinel=params.done_sentinel,
        first_byte_timeout_s=params.first_byte_timeout_ms / 1000,
        idle_timeout_s=params.idle_timeout_ms / 1000,
    )
    info = StreamInfo()
    body = params.body if params.method != "GET" else None
    async with open_stream(ctx.stream_http(), params.method, params.url, headers=_stringify(params.headers), json_body=body, options=options, info=info) as events:
        ctx.stream_depth += 1
        try:
            async for event in events:
                with ctx.bound("event", event.as_scope()):
                    async for run_event in slots.run("body"):
                        yield run_event
        finally:
            ctx.stream_depth -= 1
    ctx.release_held()  # the streamed loop ends: a coalesced message it holds goes out now
    if ctx.pending:
        pending, ctx.pending = ctx.pending, []
        for run_event in pending:
            yield run_event
    ctx.results[action_id] = {
        "status": info.status,
        "headers": info.headers or {},
        "count": info.count,
        "endedBy": "sentinel" if info.ended_by_sentinel else "end",
    }


def summary(params: dict[str, Any]) -> str:
    return f"{params.get('method', 'GET')} {inline_json(params.get('url', ''))} · {params.get('format', 'sse')}"


ACTION = ActionType(
    id="http.stream",
    title="For each streamed event",
    category="Streams",
    icon="stream-in",
    description="Call an API that streams (SSE, NDJSON or text) and run the body once per event, as it arrives.",
    params=HttpStreamParams,
    run=run,
    slots=("body",),
    summary=summary,
    streams_in=True,
    slot_scopes={"body": EVENT_SCOPE},
    result_shape={"status": "number", "headers": "object", "count": "number", "endedBy": "string"},
)
