"""Live output: read-only text that grows as a stream's chunks arrive.

When the new text starts with the text shown, only the new suffix is inserted
at the end (never ``setPlainText`` on the hot path: it would re-lay out the
whole document every frame); any other text replaces it. The view stays at the
bottom while the reader is there, and stays put once they scrolled up.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from PySide6.QtGui import QFontDatabase, QTextCursor
from PySide6.QtWidgets import QPlainTextEdit, QWidget

from app.ui.page_widgets.base import WidgetView, display_text

__all__ = ["LiveOutputView"]


class LiveOutputView(WidgetView):
    type_id = "live_output"

    def create(self, parent: QWidget | None) -> QWidget:
        self.edit = QPlainTextEdit(parent)
        self.edit.setObjectName("pageLiveOutput")
        self.edit.setReadOnly(True)
        self.edit.setMinimumHeight(120)
        self.edit.setProperty("monospace", False)
        self._proportional = self.edit.font()
        self._shown = ""
        self.appends = 0
        """How many updates were appended as a suffix (for tests and benchmarks)."""
        self.replacements = 0
        """How many updates replaced the whole text."""
        return self.edit

    @property
    def text(self) -> str:
        """The text shown (as last set; the document holds the same)."""
        return self._shown

    def apply_props(self, values: Mapping[str, Any]) -> None:
        if "placeholder" in values:
            self.edit.setPlaceholderText(display_text(values["placeholder"]))
        if "monospace" in values:
            monospace = bool(values["monospace"])
            if monospace != self.edit.property("monospace"):
                self.edit.setProperty("monospace", monospace)
                self.edit.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont) if monospace else self._proportional)
        if "text" in values:
            self.set_text(display_text(values["text"]))

    def set_text(self, text: str) -> None:
        shown = self._shown
        if text == shown:
            return
        bar = self.edit.verticalScrollBar()
        following = bar.value() >= bar.maximum()
        if text.startswith(shown):
            cursor = QTextCursor(self.edit.document())
            cursor.movePosition(QTextCursor.MoveOperation.End)
            cursor.insertText(text[len(shown):])
            self.appends += 1
        else:
            self.edit.setPlainText(text)
            self.replacements += 1
        self._shown = text
        if following:
            bar.setValue(bar.maximum())
