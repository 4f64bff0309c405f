"""Set page variable: store a value the page's bindings read as ``variables.<name>``."""

from __future__ import annotations

from typing import Any

from app.core.interface import page_host
from app.core.params import ActionParams, Param
from app.core.project import IDENTIFIER
from app.core.registry import ActionType
from app.core.run_context import RunContext
from app.core.summaries import inline_json
from app.core.values import Template


class SetPageVariableParams(ActionParams):
    name: str = Param("result", title="Page variable", pattern=IDENTIFIER, editor="pagevariable")
    value: Template = Param(None, title="Value", editor="json")


async def run(params: SetPageVariableParams, ctx: RunContext) -> Any:
    page_host(ctx).set_variable(params.name, params.value)
    return params.value


def summary(params: dict[str, Any]) -> str:
    return f"{params.get('name', 'result')} = {inline_json(params.get('value'))}"


ACTION = ActionType(
    id="page.set_variable",
    title="Set page variable",
    category="Page",
    icon="variable",
    description="Store a value that the page's widgets read as variables.<name>.",
    params=SetPageVariableParams,
    run=run,
    summary=summary,
    where=("interface",),
)
