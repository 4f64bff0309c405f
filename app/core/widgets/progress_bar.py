"""Progress bar: value and maximum bound to a stream, e.g. ``stream.chunk.done`` of ``stream.chunk.total``."""

from __future__ import annotations

from typing import Any

from app.core.params import Expr, Param
from app.core.summaries import inline_json
from app.core.widgets.registry import WidgetProps, WidgetType


class ProgressBarProps(WidgetProps):
    value: Expr[float] = Param(0.0, title="Value", description="Progress so far, e.g. stream.chunk.done.")
    max: Expr[float] = Param(100.0, title="Maximum", description="The value at which the bar is full, e.g. stream.chunk.total.")
    format: Expr[str] = Param(
        "%p%",
        title="Text",
        description="Shown on the bar, as in Qt: %v is the value, %m the maximum, %p the percentage (0-100).",
    )
    placeholder: str = Param("", title="Placeholder", description="Shown beside the empty bar in Preview while the bound value or maximum has no value yet.")


def _shown(value: Any) -> str:
    """``100`` rather than ``100.0``: stored floats are often whole numbers."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return inline_json(value)


def summary(props: dict[str, Any]) -> str:
    return f"{_shown(props.get('value', 0))} / {_shown(props.get('max', 100))}"


WIDGET = WidgetType(
    id="progress_bar",
    title="Progress bar",
    category="Stream",
    icon="progress",
    description="Show how far a stream has got: bind value and maximum to its messages.",
    props=ProgressBarProps,
    summary=summary,
    placeholder_props=("value", "max"),
)
