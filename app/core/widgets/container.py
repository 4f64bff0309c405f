"""Container: lays out its child widgets in a row or a column; hiding it hides them all."""

from __future__ import annotations

from typing import Any, Literal

from app.core.params import Param
from app.core.widgets.registry import WidgetProps, WidgetType


class ContainerProps(WidgetProps):
    direction: Literal["row", "column"] = Param("column", title="Direction")


def summary(props: dict[str, Any]) -> str:
    return str(props.get("direction", "column"))


WIDGET = WidgetType(
    id="container",
    title="Container",
    category="Layout",
    icon="container",
    description="Group widgets in a row or a column, to show, hide or disable them together.",
    props=ContainerProps,
    container=True,
    summary=summary,
)
