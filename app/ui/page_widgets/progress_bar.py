"""Progress bar: a QProgressBar whose value is set only when its integer value changes.

A stream may send thousands of progress messages a second; the bar is told at
most once a frame, and even then it is touched only when the whole number it
shows moves. Values are clamped to ``0..max``; a missing value is 0.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from PySide6.QtWidgets import QHBoxLayout, QLabel, QProgressBar, QWidget

from app.editor.preview.live_bindings import PENDING
from app.ui.page_widgets.base import WidgetView, display_text, number

__all__ = ["ProgressBarView"]

DEFAULT_MAX = 100
_INT_MAX = 2**31 - 1
"""QProgressBar holds a C int."""


class ProgressBarView(WidgetView):
    type_id = "progress_bar"

    def create(self, parent: QWidget | None) -> QWidget:
        row = QWidget(parent)
        row.setObjectName("pageProgressRow")
        layout = QHBoxLayout(row)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(10)
        self.bar = QProgressBar(row)
        self.bar.setObjectName("pageProgress")
        self.bar.setRange(0, DEFAULT_MAX)
        self.bar.setValue(0)
        self.bar.setTextVisible(False)  # a slim bar with its text beside it, readable whatever the fill
        self.label = QLabel(row)
        self.label.setObjectName("pageProgressText")
        layout.addWidget(self.bar, 1)
        layout.addWidget(self.label, 0)
        self._raw = 0.0
        self._max = DEFAULT_MAX
        self._value = 0
        self._placeholder = ""
        self._pending: set[str] = set()
        """The bound props (value, max) with no value yet: the bar shows its placeholder, not "0 of 100"."""
        self._show_text()
        return row

    @property
    def text(self) -> str:
        """The bar's text: its format with %p, %v and %m filled in, as Qt does."""
        return self.label.text()

    @property
    def shown_value(self) -> int:
        return self._value

    @property
    def shown_max(self) -> int:
        return self._max

    def apply_props(self, values: Mapping[str, Any]) -> None:
        moved = False
        if "placeholder" in values:
            self._placeholder = display_text(values["placeholder"])
            moved = True
        for prop in ("value", "max"):
            if prop in values:
                was = prop in self._pending
                (self._pending.add if values[prop] is PENDING else self._pending.discard)(prop)
                moved = moved or was != (prop in self._pending)
        if "format" in values:
            text = display_text(values["format"])
            if text != self.bar.format():
                self.bar.setFormat(text)
                moved = True
        if "max" in values:
            maximum = max(1, _whole(number(values["max"], DEFAULT_MAX)))
            if maximum != self._max:
                self._max = maximum
                self.bar.setMaximum(maximum)
                moved = True
        if "value" in values:
            self._raw = number(values["value"], 0.0)
        if "value" in values or "max" in values:
            value = min(max(_whole(self._raw), 0), self._max)
            if value != self._value or self.bar.value() != value:  # setMaximum may have reset Qt's value
                self._value = value
                _set_value_later_paint(self.bar, value)
                moved = True
        if moved:
            self._show_text()

    def _show_text(self) -> None:
        text = self._placeholder if self._pending else self.bar.text()
        if text != self.label.text():
            self.label.setText(text)


def _set_value_later_paint(bar: QProgressBar, value: int) -> None:
    """``setValue`` without its synchronous ``repaint()``: Qt paints a bar at once whenever its fill moves a
    pixel (~1 ms in the middle of a frame, every frame of a flood); this paints it with the rest of the frame."""
    bar.setUpdatesEnabled(False)
    bar.setValue(value)
    bar.setUpdatesEnabled(True)  # schedules the paint (update()), it does not paint now


def _whole(value: float) -> int:
    """The whole number a bar shows: 2.9 of 3 is not 3 yet."""
    return max(-_INT_MAX, min(_INT_MAX, math.floor(value)))
