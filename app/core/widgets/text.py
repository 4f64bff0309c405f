"""Text: a label, often bound to ``stream.chunk.label`` or ``stream.chunk.status``."""

from __future__ import annotations

from typing import Any, Literal

from app.core.params import Expr, Param
from app.core.summaries import inline_json
from app.core.widgets.registry import WidgetProps, WidgetType


class TextProps(WidgetProps):
    text: Expr[str] = Param("Text", title="Text", description="A literal, or a formula such as stream.chunk.label.")
    placeholder: str = Param("", title="Placeholder", description="Shown in Preview while the bound text has no value yet, e.g. Press Generate report to start.")
    style: Literal["body", "heading", "caption", "status"] = Param(
        "body", title="Style", description="status: a badge coloured by the text (starting, progress, done, error, ...)."
    )


def summary(props: dict[str, Any]) -> str:
    style = props.get("style", "body")
    text = inline_json(props.get("text", "Text"))
    return text if style == "body" else f"{style}: {text}"


WIDGET = WidgetType(
    id="text",
    title="Text",
    category="Basic",
    icon="text",
    description="Show a line of text; bind it to a stream's status or label.",
    props=TextProps,
    summary=summary,
    placeholder_props=("text",),
)
