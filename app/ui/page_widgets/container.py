"""Container: a row or a column of child views; hiding or disabling it hides or disables them all."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from PySide6.QtWidgets import QBoxLayout, QFrame, QWidget

from app.core.project import Widget
from app.ui.page_widgets.base import WidgetView, add_to_box, place_in_box

__all__ = ["ContainerView", "SPACING"]

SPACING = 12
_DIRECTIONS = {"row": QBoxLayout.Direction.LeftToRight, "column": QBoxLayout.Direction.TopToBottom}


class ContainerView(WidgetView):
    type_id = "container"

    def __init__(self, widget: Widget, parent: QWidget | None = None) -> None:
        super().__init__(widget, parent)
        from app.ui.page_widgets.registry import view_for  # the registry imports this module

        for child in widget.children:
            view = view_for(child, self.frame)
            self.child_views.append(view)
            add_to_box(self.box, view)
        self.box.addStretch(0)  # takes what widgets that keep their size leave: a row of buttons packs to the left

    def create(self, parent: QWidget | None) -> QWidget:
        self.child_views: list[WidgetView] = []
        self.frame = QFrame(parent)
        self.frame.setObjectName("pageContainer")
        self.box = QBoxLayout(QBoxLayout.Direction.TopToBottom, self.frame)
        self.box.setContentsMargins(0, 0, 0, 0)
        self.box.setSpacing(SPACING)
        return self.frame

    @property
    def direction(self) -> str:
        return "row" if self.box.direction() == QBoxLayout.Direction.LeftToRight else "column"

    def apply_props(self, values: Mapping[str, Any]) -> None:
        if "direction" in values:
            direction = _DIRECTIONS.get(values["direction"], QBoxLayout.Direction.TopToBottom)
            if direction != self.box.direction():
                self.box.setDirection(direction)
                for view in self.child_views:
                    place_in_box(self.box, view)

    def set_design_mode(self, on: bool) -> None:
        super().set_design_mode(on)
        self.frame.setProperty("design", on)
        self.frame.style().unpolish(self.frame)
        self.frame.style().polish(self.frame)
        for view in self.child_views:
            view.set_design_mode(on)

    def iter_views(self) -> Iterator[WidgetView]:
        yield self
        for view in self.child_views:
            yield from view.iter_views()
