"""Send streaming response: the first one starts the stream, each next one adds a message.

With *Coalesce (ms)* above 0 it sends at most one message per window: text
fields (*Append fields*, ``text`` by default) are appended and the other
fields take their latest value, so a relay of 200 tokens/s reaches a page as
a few dozen messages with no text lost. The held message goes out when the
window has passed, when the enclosing streamed loop ends, when the workflow
moves on to another kind of action, and when the run ends.

With a *Part id* the message is keyed (the AI SDK's data parts): a later
message with the same id replaces that part, read as ``stream.parts.<id>``,
instead of adding one. ``stream.chunks`` stays the append log, except for a
*Transient* message, which updates ``stream.chunk`` and ``stream.parts`` but
is not kept there. An empty part id (or a formula giving none) sends a plain
message.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import Field

from app.core.params import ActionParams, Expr, Param
from app.core.registry import ActionType
from app.core.run_context import RunContext
from app.core.summaries import inline_json
from app.core.values import Template

MAX_COALESCE_MS = 60_000
CoalesceMs = Annotated[int, Field(ge=0, le=MAX_COALESCE_MS)]


class SendStreamingResponseParams(ActionParams):
    event_data: dict[str, Template] = Param(
        {"status": "progress"},
        alias="eventData",
        title="Event Data",
        description="A small JSON object; each value is a literal or a formula. Always include a status.",
        editor="eventdata",
    )
    part: Expr[str] = Param(
        "",
        title="Part id",
        description="A later message with the same part id replaces this one (stream.parts.<id>) instead of adding one. Empty: a plain message.",
    )
    transient: bool = Param(
        False,
        title="Transient",
        description="Shown (stream.chunk, stream.parts) but not kept in stream.chunks. Only for a message with a part id.",
    )
    coalesce_ms: CoalesceMs = Param(
        0,
        alias="coalesceMs",
        title="Coalesce (ms)",
        description="Send at most one message per this many ms, joining the ones in between (0: send each).",
        section="Advanced",
    )
    append_fields: list[str] = Param(
        ["text"],
        alias="appendFields",
        title="Append fields",
        description="Text fields whose values are appended when messages are joined; the others keep the latest.",
        section="Advanced",
    )


def run(params: SendStreamingResponseParams, ctx: RunContext) -> dict[str, Any]:
    """A plain function: it never waits (``ActionType.run``). Its Event Data is a fresh dict per message
    (see ``engine.prepare_action``); a plain message, the common case, passes nothing else along."""
    data = params.event_data
    part = params.part or None
    if params.coalesce_ms > 0:
        ctx.send_message(data, coalesce_ms=params.coalesce_ms, append=tuple(params.append_fields), part=part, transient=params.transient and part is not None)
    elif part is None:
        ctx.send_message(data)
    else:
        ctx.send_message(data, part=part, transient=params.transient)
    return data


def summary(params: dict[str, Any]) -> str:
    text = inline_json(params.get("eventData", {}))
    part = params.get("part")
    if part:
        text = f"part {inline_json(part)}{' (transient)' if params.get('transient') else ''}: {text}"
    coalesce = params.get("coalesceMs")
    return f"{text} · at most every {coalesce} ms" if isinstance(coalesce, int) and coalesce > 0 else text


def sends(params: dict[str, Any]) -> list[dict[str, Any]]:
    """The Event Data template as stored: what lint, message shapes and the Stream dock read."""
    data = params.get("eventData", {})
    return [data] if isinstance(data, dict) else []


def part_ids(params: dict[str, Any]) -> list[str | None]:
    """The part id it sends with: the literal, or None for one a formula gives (known only when it runs)."""
    part = params.get("part")
    if isinstance(part, str):
        return [part] if part else []
    return [None] if part else []


ACTION = ActionType(
    id="stream.send",
    title="Send streaming response",
    category="Response",
    icon="stream",
    description="Start the stream, or add a message to it. The stream ends when the endpoint finishes.",
    params=SendStreamingResponseParams,
    run=run,
    summary=summary,
    coalesces=True,
    sends=sends,
    part_ids=part_ids,
)
