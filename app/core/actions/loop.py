"""Loop: run the ``body`` slot for each item of a list, or N times.

Inside the body, ``loop.index`` (0-based), ``loop.count`` (1-based, items done
including this one), ``loop.total``, ``loop.item``, ``loop.first``,
``loop.last`` and ``loop.parent`` (the enclosing loop) are in scope. A progress
message is typically ``{done: loop.count, total: loop.total}``.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Generator, Sequence
from typing import Annotated, Any, Literal

from pydantic import Field

from app.core.events import RunEvent
from app.core.formula import UNDEFINED
from app.core.params import ActionParams, Expr, Param
from app.core.registry import ActionType
from app.core.run_context import RunContext, Slots
from app.core.scope_names import SlotScope
from app.core.summaries import inline_json

MAX_REPEAT = 100_000_000
RepeatCount = Annotated[int, Field(ge=0, le=MAX_REPEAT)]


class LoopParams(ActionParams):
    mode: Literal["each", "repeat"] = Param("each", title="Loop", description="For each item of a list, or repeat N times.")
    items: Expr[Any] = Param([], title="Items", description="A list (a single value counts as a list of one).", shown_when={"mode": ["each"]}, editor="formula")
    times: Expr[RepeatCount] = Param(3, title="Times", shown_when={"mode": ["repeat"]})


def _items(params: LoopParams) -> Sequence[Any]:
    """The items; ``repeat`` gives a lazy ``range``, so a count of 100,000,000 costs no memory."""
    if params.mode == "repeat":
        return range(params.times)
    items = params.items
    if items is None or items is UNDEFINED:
        return []
    return items if isinstance(items, list) else [items]


def run(params: LoopParams, ctx: RunContext, slots: Slots) -> AsyncIterator[RunEvent]:
    """The body once per item, as one iterator the engine runs directly (no generator of the Loop's own between)."""
    return slots.repeat("body", _frames(_items(params), ctx.scope))


def _frames(items: Sequence[Any], scope: dict[str, Any]) -> Generator[None, None, None]:
    """Sets ``loop`` in the scope before each pass of the body; the enclosing one is back once the
    engine closes it (when the body ends, fails or is cancelled)."""
    total = len(items)
    parent = scope.get("loop")
    try:
        for index, item in enumerate(items):
            frame = {
                "index": index,
                "count": index + 1,
                "total": total,
                "item": item,
                "first": index == 0,
                "last": index == total - 1,
            }
            if parent is not None:
                frame["parent"] = parent
            scope["loop"] = frame  # set directly, not via ctx.bound(): this is the per-item path
            yield None
    finally:
        if parent is None:
            scope.pop("loop", None)
        else:
            scope["loop"] = parent


LOOP_SCOPE = SlotScope(
    "loop",
    {"index": "number", "count": "number", "total": "number", "item": "any", "first": "boolean", "last": "boolean"},
    parent="parent",
    notes={
        "index": "the item's position, from 0",
        "count": "items done, this one included (from 1): a progress message's done",
        "total": "how many items the loop runs over",
        "item": "the current item",
        "first": "true for the first item",
        "last": "true for the last item",
        "parent": "the enclosing Loop's loop, in a Loop inside a Loop",
    },
)
"""What the body's formulas read as ``loop`` (the frame ``run`` builds), with ``loop.parent`` in a nested Loop."""


def iterations(params: dict[str, Any]) -> int | None:
    """How many times the body runs, when the stored params say it without a formula."""
    if params.get("mode", "each") == "repeat":
        times = params.get("times", 3)
        return times if isinstance(times, int) else None
    items = params.get("items", [])
    return len(items) if isinstance(items, list) else None


def summary(params: dict[str, Any]) -> str:
    if params.get("mode") == "repeat":
        return f"repeat {inline_json(params.get('times', 3))} times"
    return f"for each item of {inline_json(params.get('items', []))}"


ACTION = ActionType(
    id="flow.loop",
    title="Loop",
    category="Flow",
    icon="loop",
    description="Repeat the body for each item of a list, or a number of times.",
    params=LoopParams,
    run=run,
    slots=("body",),
    summary=summary,
    slot_scopes={"body": LOOP_SCOPE},
    iterations=iterations,
)
