"""Try/catch: an error in ``try`` runs ``catch`` with ``caughtError`` = {message, action, actionType}."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

from app.core.events import RunEvent
from app.core.params import ActionParams
from app.core.registry import ActionType
from app.core.run_context import ActionError, RunContext, Slots
from app.core.scope_names import SlotScope


class TryCatchParams(ActionParams):
    pass


async def run(params: TryCatchParams, ctx: RunContext, slots: Slots) -> AsyncIterator[RunEvent]:
    try:
        async for event in slots.run("try"):
            yield event
    except ActionError as error:
        caught = {"message": error.message, "action": error.action_id, "actionType": error.action_type}
        with ctx.bound("caughtError", caught):
            async for event in slots.run("catch"):
                yield event


CAUGHT_ERROR_SCOPE = SlotScope(
    "caughtError",
    {"message": "string", "action": "string", "actionType": "string"},
    notes={"message": "why the action failed", "action": "the id of the action that failed", "actionType": "its type id (http.request, ...)"},
)
"""What the catch branch reads as ``caughtError`` (the dict ``run`` binds)."""


def summary(params: dict[str, Any]) -> str:
    return "on error, run catch"


ACTION = ActionType(
    id="flow.try",
    title="Try/catch",
    category="Flow",
    icon="shield",
    description="Run actions; if one fails, run the catch branch instead of ending the endpoint.",
    params=TryCatchParams,
    run=run,
    slots=("try", "catch"),
    summary=summary,
    slot_scopes={"catch": CAUGHT_ERROR_SCOPE},
)
