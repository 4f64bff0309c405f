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
from app.core.problems import Problem
from app.core.project import IDENTIFIER, Action, Project
from app.core.registry import ActionType
from app.core.run_context import RunContext
from app.core.summaries import inline_json
from app.core.values import Template


class CallEndpointParams(ActionParams):
    endpoint: str = Param("", title="API endpoint", description="The endpoint to call (Data & API → Workflows).", editor="endpoint")
    inputs: dict[str, Template] = Param({}, title="Inputs", description="A value for each input of the endpoint; each a literal or a formula.", editor="keyvalue")
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


def exposes_call(params: dict[str, Any]) -> tuple[str, str]:
    """The name a page's bindings read this call by, and the endpoint it calls ("" when none is chosen)."""
    name = params.get("name") or DEFAULT_CALL_NAME
    endpoint = params.get("endpoint")
    return (name if isinstance(name, str) else DEFAULT_CALL_NAME, endpoint if isinstance(endpoint, str) else "")


def check(action: Action, path: str, project: Project) -> list[Problem]:
    """It names an endpoint of the project and gives only inputs it declares (and the required ones).

    Warnings, not errors: a file with errors is refused on open, and renaming
    an endpoint must not make the project's pages unopenable.
    """
    name = action.params.get("endpoint")
    if not isinstance(name, str) or not name:
        return [Problem(f"{path}.params.endpoint", "choose the API endpoint to call", action.id, "endpoint", severity="warning")]
    endpoints = {e.name: e for e in project.endpoints}
    endpoint = endpoints.get(name)
    if endpoint is None:
        known = ", ".join(endpoints) or "none"
        return [Problem(f"{path}.params.endpoint", f"no API endpoint named {name!r} (endpoints: {known})", action.id, "endpoint", severity="warning")]
    problems: list[Problem] = []
    given = action.params.get("inputs")
    inputs = given if isinstance(given, dict) else {}
    declared = {i.name: i for i in endpoint.inputs}
    for key in inputs:
        if key not in declared:
            problems.append(
                Problem(f"{path}.params.inputs.{key}", f"{name} has no input {key!r} (inputs: {', '.join(declared) or 'none'})", action.id, "inputs", severity="warning")
            )
    for spec in endpoint.inputs:
        if spec.required and spec.default is None and spec.name not in inputs:
            problems.append(Problem(f"{path}.params.inputs", f"{name} needs its input {spec.name!r}", action.id, "inputs", severity="warning"))
    return problems


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
    exposes_call=exposes_call,
    check=check,
)
