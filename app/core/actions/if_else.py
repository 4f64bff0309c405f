"""If/else: run ``then`` when the condition is truthy (JSONata's rules), otherwise ``else``."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

from app.core.events import RunEvent
from app.core.params import ActionParams, Expr, Param
from app.core.registry import ActionType
from app.core.run_context import RunContext, Slots
from app.core.summaries import inline_json
from app.core.values import truthy


class IfElseParams(ActionParams):
    condition: Expr[Any] = Param(True, title="Condition", description='Truthy as in JSONata: 0, "", null, [] and {} are false.', editor="formula")


async def run(params: IfElseParams, ctx: RunContext, slots: Slots) -> AsyncIterator[RunEvent]:
    async for event in slots.run("then" if truthy(params.condition) else "else"):
        yield event


def summary(params: dict[str, Any]) -> str:
    return f"if {inline_json(params.get('condition', True))}"


ACTION = ActionType(
    id="flow.if",
    title="If/else",
    category="Flow",
    icon="branch",
    description="Choose a branch by a condition.",
    params=IfElseParams,
    run=run,
    slots=("then", "else"),
    summary=summary,
    where=("endpoint", "interface"),
    conditional=True,
)
