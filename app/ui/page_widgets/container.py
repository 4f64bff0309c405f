"""Container: a row or a column of child views, spaced and aligned by its props; hiding or disabling it covers them all.

In design mode it gets a dashed outline and a little padding, so there is
room to drop a widget into it rather than beside it, and an empty one says
so and keeps a height to drop onto.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QBoxLayout, QFrame, QLabel, QWidget

from app.core.project import Widget
from app.core.widgets.layout import container_layout
from app.ui.page_widgets.base import WidgetView, add_to_box, place_in_box

__all__ = ["DESIGN_PADDING", "EMPTY_HEIGHT", "ContainerView"]

DESIGN_PADDING = 6
"""Padding inside a container in design mode (none in Preview)."""
EMPTY_HEIGHT = 48
"""An empty container's height in design mode."""
_DIRECTIONS = {"row": QBoxLayout.Direction.LeftToRight, "column": QBoxLayout.Direction.TopToBottom}


class ContainerView(WidgetView):
    type_id = "container"

    def __init__(self, widget: Widget, parent: QWidget | None = None) -> None:
        super().__init__(widget, parent)
        from app.ui.page_widgets.registry import view_for  # the registry imports this module

        for child in widget.children:
            view = view_for(child, self.frame)
            self.child_views.append(view)
            add_to_box(self.box, view, self.children_layout)
        self.box.addStretch(0)  # takes what widgets that keep their size leave: a row of buttons packs to the left
        self._show_design()

    def create(self, parent: QWidget | None) -> QWidget:
        self.child_views: list[WidgetView] = []
        self.children_layout = container_layout({})
        self.frame = QFrame(parent)
        self.frame.setObjectName("pageContainer")
        self.box = QBoxLayout(QBoxLayout.Direction.TopToBottom, self.frame)
        self.box.setContentsMargins(0, 0, 0, 0)
        self.box.setSpacing(self.children_layout.spacing)
        self.empty_hint = QLabel("Empty container: drop widgets here", self.frame)
        self.empty_hint.setObjectName("pageContainerEmpty")
        self.empty_hint.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty_hint.hide()
        return self.frame

    @property
    def direction(self) -> str:
        return self.children_layout.direction

    def apply_props(self, values: Mapping[str, Any]) -> None:
        if not {"direction", "spacing", "alignChildren"} & set(values):
            return
        layout = container_layout({**self.widget.props, **values})
        if layout == self.children_layout:
            return
        self.children_layout = layout
        self.box.setDirection(_DIRECTIONS[layout.direction])
        self.box.setSpacing(layout.spacing)
        for view in self.child_views:
            place_in_box(self.box, view, layout)

    def set_design_mode(self, on: bool) -> None:
        super().set_design_mode(on)
        self.frame.setProperty("design", on)
        self.frame.style().unpolish(self.frame)
        self.frame.style().polish(self.frame)
        for view in self.child_views:
            view.set_design_mode(on)
        self._show_design()

    def _show_design(self) -> None:
        if not hasattr(self, "child_views"):  # the first apply, before the children exist
            return
        design = self.design_mode
        padding = DESIGN_PADDING if design else 0
        self.box.setContentsMargins(padding, padding, padding, padding)
        empty = design and not self.child_views
        self.empty_hint.setVisible(empty)
        if empty and self.box.indexOf(self.empty_hint) < 0:
            self.box.insertWidget(0, self.empty_hint, 1)
        elif not empty and self.box.indexOf(self.empty_hint) >= 0:
            self.box.removeWidget(self.empty_hint)
        self.frame.setMinimumHeight(EMPTY_HEIGHT if empty else 0)

    def iter_views(self) -> Iterator[WidgetView]:
        yield self
        for view in self.child_views:
            yield from view.iter_views()
