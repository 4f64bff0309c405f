"""Text input: a label over a QLineEdit that edits one page variable.

Typing emits ``edited``; the page writes the variable, and the binding of
``variables.<name>`` comes back as ``value`` on the next frame. ``set_text``
shows a value without emitting, and a value equal to what is shown is ignored,
so the round trip never moves the caret under the user's fingers.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QLabel, QLineEdit, QVBoxLayout, QWidget

from app.editor.preview.live_bindings import TEXT_INPUT_VALUE
from app.ui.page_widgets.base import WidgetView, display_text

__all__ = ["TextInputView"]


class TextInputView(WidgetView):
    type_id = "text_input"

    edited = Signal(str, str, str)
    """(widget id, page variable, text): the user changed the text."""

    def create(self, parent: QWidget | None) -> QWidget:
        box = QWidget(parent)
        box.setObjectName("pageInputBox")
        layout = QVBoxLayout(box)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        self.label = QLabel(box)
        self.label.setObjectName("pageInputLabel")
        self.label.setVisible(False)
        self.line = QLineEdit(box)
        self.line.setObjectName("pageInput")
        self.line.textEdited.connect(self._on_edited)
        layout.addWidget(self.label)
        layout.addWidget(self.line)
        self.variable = ""
        return box

    @property
    def text(self) -> str:
        return self.line.text()

    def set_text(self, text: str) -> None:
        """Show ``text`` without emitting ``edited``."""
        if text != self.line.text():
            blocked = self.line.blockSignals(True)
            self.line.setText(text)
            self.line.blockSignals(blocked)

    def apply_props(self, values: Mapping[str, Any]) -> None:
        if "variable" in values:
            self.variable = display_text(values["variable"])
        if "label" in values:
            label = display_text(values["label"])
            self.label.setText(label)
            self.label.setVisible(bool(label))
        if "placeholder" in values:
            self.line.setPlaceholderText(display_text(values["placeholder"]))
        if TEXT_INPUT_VALUE in values:
            self.set_text(display_text(values[TEXT_INPUT_VALUE]))

    def _on_edited(self, text: str) -> None:
        if not self.design_mode:
            self.edited.emit(self.widget_id, self.variable, text)
