"""Send streaming response: the first one starts the stream, each next one adds a message."""

from __future__ import annotations

from typing import Any

from app.core.params import ActionParams, Param
from app.core.registry import ActionType
from app.core.summaries import inline_json
from app.core.run_context import RunContext
from app.core.values import Template


class SendStreamingResponseParams(ActionParams):
    event_data: dict[str, Template] = Param(
        {"status": "progress"},
        alias="eventData",
        title="Event Data",
        description="A small JSON object; each value is a literal or a formula. Always include a status.",
        editor="eventdata",
    )


async def run(params: SendStreamingResponseParams, ctx: RunContext) -> dict[str, Any]:
    ctx.send_message(params.event_data)  # a fresh dict per message (see engine.prepare_action)
    return params.event_data


def event_data(params: dict[str, Any]) -> dict[str, Any] | None:
    """The Event Data template as stored: what lint, message shapes and the Stream dock read."""
    data = params.get("eventData", {})
    return data if isinstance(data, dict) else None


def summary(params: dict[str, Any]) -> str:
    return inline_json(params.get("eventData", {}))


ACTION = ActionType(
    id="stream.send",
    title="Send streaming response",
    category="Response",
    icon="stream",
    description="Start the stream, or add a message to it. The stream ends when the endpoint finishes.",
    params=SendStreamingResponseParams,
    run=run,
    summary=summary,
    event_data=event_data,
)
