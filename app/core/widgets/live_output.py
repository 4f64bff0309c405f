"""Live output: text that grows as a stream's chunks arrive, e.g. ``$join(stream.chunks.text)``."""

from __future__ import annotations

from typing import Any

from app.core.params import Expr, Param
from app.core.summaries import inline_json
from app.core.widgets.registry import WidgetProps, WidgetType


class LiveOutputProps(WidgetProps):
    text: Expr[str] = Param(
        "",
        title="Text",
        description="Usually a formula over all messages so far, e.g. $join(stream.chunks.text). New text is appended, not redrawn.",
    )
    placeholder: str = Param("", title="Placeholder", description="Shown while there is no text yet.")
    monospace: bool = Param(False, title="Monospace", description="A fixed-width font, for logs and code.")


def summary(props: dict[str, Any]) -> str:
    text = props.get("text", "")
    if text == "" and props.get("placeholder"):
        return f"({props['placeholder']})"
    return inline_json(text)


WIDGET = WidgetType(
    id="live_output",
    title="Live output",
    category="Stream",
    icon="live_output",
    description="Show text as it streams in, such as the text of every chunk so far.",
    props=LiveOutputProps,
    summary=summary,
)
