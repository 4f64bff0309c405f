"""Log: a line for the run's log (shown in the Run panel and by the CLI), not sent to clients."""

from __future__ import annotations

from typing import Any, Literal

from app.core.params import ActionParams, Param
from app.core.registry import ActionType
from app.core.run_context import RunContext
from app.core.summaries import inline_json
from app.core.values import Template


class LogParams(ActionParams):
    message: Template = Param("", title="Message")
    level: Literal["info", "warning", "error"] = Param("info", title="Level")


async def run(params: LogParams, ctx: RunContext) -> None:
    ctx.log(params.message, params.level)


def summary(params: dict[str, Any]) -> str:
    return inline_json(params.get("message", ""))


ACTION = ActionType(
    id="debug.log",
    title="Log",
    category="Debug",
    icon="log",
    description="Write a message to the run's log.",
    params=LogParams,
    run=run,
    summary=summary,
)
