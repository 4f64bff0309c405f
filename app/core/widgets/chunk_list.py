"""Chunk list: a table of a stream's messages, one row each, added in batches as they arrive."""

from __future__ import annotations

from typing import Any

from app.core.params import Expr, Param
from app.core.summaries import inline_json
from app.core.values import FormulaValue
from app.core.widgets.registry import WidgetProps, WidgetType


class ChunkListProps(WidgetProps):
    items: Expr[list[Any]] = Param(
        FormulaValue(formula="stream.chunks"), title="Rows", editor="formula", description="A list, by default every message so far: stream.chunks."
    )
    columns: list[str] = Param([], title="Columns", description="Keys shown as columns, in order; empty means every key the rows have, as they appear.")


def summary(props: dict[str, Any]) -> str:
    rows = inline_json(props.get("items", {"$formula": "stream.chunks"}))
    columns = props.get("columns") or []
    return f"{rows} [{', '.join(map(str, columns))}]" if columns else rows


WIDGET = WidgetType(
    id="chunk_list",
    title="Chunk list",
    category="Stream",
    icon="chunk_list",
    description="List a stream's messages as a table, one row per message.",
    props=ChunkListProps,
    summary=summary,
)
