"""Button: its On click workflow is where a page calls an endpoint with Handle stream on."""

from __future__ import annotations

from typing import Any, Literal

from app.core.params import Expr, Param
from app.core.summaries import inline_json
from app.core.widgets.registry import WidgetProps, WidgetType


class ButtonProps(WidgetProps):
    label: Expr[str] = Param("Button", title="Label")
    style: Literal["primary", "secondary"] = Param("primary", title="Style")


def summary(props: dict[str, Any]) -> str:
    return inline_json(props.get("label", "Button"))


WIDGET = WidgetType(
    id="button",
    title="Button",
    category="Basic",
    icon="button",
    description="Run a workflow on click, such as calling an endpoint and handling its stream.",
    props=ButtonProps,
    events=("click",),
    summary=summary,
)
