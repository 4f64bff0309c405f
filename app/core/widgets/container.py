"""Container: lays out its child widgets in a row or a column; hiding it hides them all.

How the layout props read is in ``layout``; the renderer is ``app.ui.page_widgets.container``.
"""

from __future__ import annotations

from typing import Any

from app.core.params import Param
from app.core.widgets.layout import DEFAULT_ALIGN, DEFAULT_DIRECTION, DEFAULT_SPACING, Align, Direction, Spacing
from app.core.widgets.registry import WidgetProps, WidgetType


class ContainerProps(WidgetProps):
    direction: Direction = Param(DEFAULT_DIRECTION, title="Direction", description="row: children side by side; column: stacked.")
    spacing: Spacing = Param(DEFAULT_SPACING, title="Spacing (px)", description="Room between two children.")
    align_children: Align = Param(
        DEFAULT_ALIGN, alias="alignChildren", title="Align children",
        description="Across the direction: left, center, right in a column; top, center, bottom in a row. stretch: fill it.",
    )  # fmt: skip


def summary(props: dict[str, Any]) -> str:
    return str(props.get("direction", DEFAULT_DIRECTION))


WIDGET = WidgetType(
    id="container",
    title="Container",
    category="Layout",
    icon="container",
    description="Group widgets in a row or a column, to lay them out, show, hide or disable them together.",
    props=ContainerProps,
    container=True,
    summary=summary,
)
