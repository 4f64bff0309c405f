"""Button: a QPushButton, primary (the app's blue) or secondary; a click runs the widget's On click workflow."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QPushButton, QSizePolicy, QWidget

from app.ui.page_widgets.base import WidgetView, display_text, repolish

__all__ = ["ButtonView"]


class ButtonView(WidgetView):
    type_id = "button"
    fills_width = False

    clicked = Signal(str)
    """(widget id): the user clicked it (never in design mode)."""

    def create(self, parent: QWidget | None) -> QWidget:
        self.button = QPushButton(parent)
        self.button.setObjectName("pageButton")
        self.button.setProperty("variant", "primary")
        self.button.setCursor(Qt.CursorShape.PointingHandCursor)
        self.button.setSizePolicy(QSizePolicy.Policy.Maximum, QSizePolicy.Policy.Fixed)
        self.button.clicked.connect(self._on_clicked)
        return self.button

    def apply_props(self, values: Mapping[str, Any]) -> None:
        if "label" in values:
            self.button.setText(display_text(values["label"]))
        if "style" in values:
            variant = values["style"] if values["style"] in ("primary", "secondary") else "primary"
            if self.button.property("variant") != variant:
                self.button.setProperty("variant", variant)
                repolish(self.button)

    def _on_clicked(self) -> None:
        if not self.design_mode:
            self.clicked.emit(self.widget_id)
