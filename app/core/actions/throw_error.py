"""Throw error: fail on purpose; Try/catch catches it, otherwise it ends the run."""

from __future__ import annotations

from typing import Any

from app.core.params import ActionParams, Expr, Param
from app.core.registry import ActionType
from app.core.run_context import ActionError, RunContext
from app.core.summaries import inline_json


class ThrowErrorParams(ActionParams):
    message: Expr[str] = Param("Something went wrong", title="Message")


async def run(params: ThrowErrorParams, ctx: RunContext) -> None:
    raise ActionError(params.message)


def summary(params: dict[str, Any]) -> str:
    return inline_json(params.get("message", ""))


ACTION = ActionType(
    id="flow.throw",
    title="Throw error",
    category="Flow",
    icon="error",
    description="Raise an error with a message.",
    params=ThrowErrorParams,
    run=run,
    summary=summary,
)
