"""Wait: pause the workflow; a cancelled run stops here."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import Field

from app.core.params import ActionParams, Expr, Param
from app.core.registry import ActionType
from app.core.run_context import RunContext
from app.core.summaries import inline_json

MAX_WAIT_MS = 3_600_000
WaitMs = Annotated[int, Field(ge=0, le=MAX_WAIT_MS)]


class WaitParams(ActionParams):
    milliseconds: Expr[WaitMs] = Param(1000, title="Milliseconds")


async def run(params: WaitParams, ctx: RunContext) -> None:
    import asyncio  # here, not at the top: the editor's window shows before asyncio is imported

    await asyncio.sleep(params.milliseconds / 1000)


def summary(params: dict[str, Any]) -> str:
    return f"{inline_json(params.get('milliseconds', 1000))} ms"


ACTION = ActionType(
    id="flow.wait",
    title="Wait",
    category="Flow",
    icon="wait",
    description="Pause for a number of milliseconds.",
    params=WaitParams,
    run=run,
    summary=summary,
)
