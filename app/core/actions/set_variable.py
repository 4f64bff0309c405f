"""Set variable: store a value under ``variables.<name>`` for later actions."""

from __future__ import annotations

from typing import Any

from app.core.params import ActionParams, Param
from app.core.project import IDENTIFIER
from app.core.registry import ActionType
from app.core.run_context import RunContext
from app.core.summaries import inline_json
from app.core.values import Template


class SetVariableParams(ActionParams):
    name: str = Param("result", title="Variable", pattern=IDENTIFIER)
    value: Template = Param(None, title="Value", editor="json")


def run(params: SetVariableParams, ctx: RunContext) -> Any:
    # a plain function: it never waits (ActionType.run)
    ctx.set_variable(params.name, params.value)
    return params.value


def variables_set(params: dict[str, Any]) -> list[str]:
    name = params.get("name", "result")
    return [name] if isinstance(name, str) else []


def summary(params: dict[str, Any]) -> str:
    return f"{params.get('name', 'result')} = {inline_json(params.get('value'))}"


ACTION = ActionType(
    id="variable.set",
    title="Set variable",
    category="Data",
    icon="variable",
    description="Store a value that later actions read as variables.<name>.",
    params=SetVariableParams,
    run=run,
    summary=summary,
    sets_variables=variables_set,
)
