"""Call API endpoint: an interface workflow calls one of the project's endpoints through the runner.

With *Handle stream* off the action waits and its result is the endpoint's
response (``results.<id>``). With it on, the call's messages are readable
while it runs as ``<name>.chunk`` (the latest) and ``<name>.chunks`` (all so
far), with ``<name>.status``, ``.error`` and ``.count``; the action still
finishes when the stream ends, so the next action sees the final state.
"""

from __future__ import annotations

from typing import Any

from app.core.interface import DEFAULT_CALL_NAME, page_host
from app.core.params import ActionParams, Param
from app.core.project import IDENTIFIER
from app.core.registry import ActionType
from app.core.run_context import RunContext
from app.core.summaries import inline_json
from app.core.values import Template


class CallEndpointParams(ActionParams):
    endpoint: str = Param("", title="API endpoint", description="The endpoint to call (Data & API → Workflows).", editor="endpoint")
    inputs: dict[str, Template] = Param(
        {}, title="Inputs", description="A value for each input of the endpoint; each a literal or a formula.", editor="keyvalue"
    )
    handle_stream: bool = Param(
        False,
        alias="handleStream",
        title="Handle stream",
        description="Read the messages while the endpoint runs, as stream.chunk and stream.chunks.",
        section="Advanced",
    )
    name: str = Param(
        DEFAULT_CALL_NAME,
        title="Expose call as",
        description="The name bindings read this call by: stream.chunk, stream.chunks, stream.status, stream.result.",
        pattern=IDENTIFIER,
        section="Advanced",
    )


async def run(params: CallEndpointParams, ctx: RunContext) -> Any:
    if not params.endpoint:
        raise ValueError("choose the API endpoint to call")
    host = page_host(ctx)
    result = await host.call_endpoint(params.endpoint, dict(params.inputs), handle_stream=params.handle_stream, name=params.name)
    ctx.scope[params.name] = host.scope().get(params.name)
    return result


def summary(params: dict[str, Any]) -> str:
    endpoint = params.get("endpoint") or "(no endpoint)"
    inputs = params.get("inputs") or {}
    text = f"{endpoint}({inline_json(inputs)[1:-1]})" if inputs else endpoint
    if params.get("handleStream"):
        text += f" · stream as {params.get('name') or DEFAULT_CALL_NAME}"
    return text


ACTION = ActionType(
    id="api.call",
    title="Call API endpoint",
    category="API",
    icon="call",
    description="Call one of the project's API endpoints; Advanced → Handle stream reads its messages as they arrive.",
    params=CallEndpointParams,
    run=run,
    summary=summary,
    where=("interface",),
)
