"""Text: a QLabel in one of four styles; ``status`` is a badge whose colour follows the text (done, error, ...)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHBoxLayout, QLabel, QSizePolicy, QWidget

from app.editor.preview.live_bindings import PENDING
from app.ui.page_widgets.base import WidgetView, display_text, repolish

__all__ = ["STYLES", "TextView", "status_tone"]

STYLES = ("body", "heading", "caption", "status")
_TONES = {
    "success": ("done", "success", "succeeded", "complete", "completed", "finished", "ok", "ready"),
    "error": ("error", "failed", "failure", "fail"),
    "warning": ("cancelled", "canceled", "warning", "stalled", "timeout"),
    "active": ("progress", "streaming", "chunk", "running", "connecting", "starting", "started", "generating", "working"),
}


def status_tone(text: str) -> str:
    """The badge colour of a status: success, error, warning, active or neutral."""
    word = text.strip().lower()
    for tone, words in _TONES.items():
        if word in words:
            return tone
    return "neutral"


class TextView(WidgetView):
    """The label sits in a full-width row, so a status badge hugs its text while body text wraps across the page."""

    type_id = "text"

    def create(self, parent: QWidget | None) -> QWidget:
        row = QWidget(parent)
        row.setObjectName("pageTextRow")
        layout = QHBoxLayout(row)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        self.label = QLabel(row)
        self.label.setObjectName("pageText")
        self.label.setTextFormat(Qt.TextFormat.PlainText)
        self.label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.label.setProperty("textStyle", "")
        self.label.setProperty("tone", "neutral")
        layout.addWidget(self.label, 1)
        layout.addStretch(0)
        self._placeholder = ""
        self._pending = False
        self._set_style("body")
        return row

    @property
    def style(self) -> str:
        return str(self.label.property("textStyle"))

    @property
    def tone(self) -> str:
        return str(self.label.property("tone"))

    def apply_props(self, values: Mapping[str, Any]) -> None:
        if "style" in values:
            self._set_style(values["style"] if values["style"] in STYLES else "body")
        if "placeholder" in values:
            self._placeholder = display_text(values["placeholder"])
        if "text" in values:
            self._pending = values["text"] is PENDING
        if "text" in values or ("placeholder" in values and self._pending):
            text = self._placeholder if self._pending else display_text(values["text"])
            if text != self.label.text():
                self.label.setText(text)
                if self.style == "status":
                    self._set_tone(status_tone(text))

    def _set_style(self, style: str) -> None:
        if self.style == style:
            return
        self.label.setProperty("textStyle", style)
        badge = style == "status"
        self.label.setWordWrap(not badge)
        horizontal = QSizePolicy.Policy.Maximum if badge else QSizePolicy.Policy.Preferred
        self.label.setSizePolicy(horizontal, QSizePolicy.Policy.Fixed if badge else QSizePolicy.Policy.Preferred)
        self.label.setAlignment(Qt.AlignmentFlag.AlignCenter if badge else Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        self.label.setProperty("tone", status_tone(self.label.text()) if badge else "neutral")
        repolish(self.label)

    def _set_tone(self, tone: str) -> None:
        if self.tone != tone:
            self.label.setProperty("tone", tone)
            repolish(self.label)
