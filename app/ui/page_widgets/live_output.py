"""Live output: read-only text that grows as a stream's chunks arrive.

When the new text starts with the text shown, only the new suffix is inserted
at the end (never ``setPlainText`` on the hot path: it would re-lay out the
whole document every frame); any other text replaces it. The view stays at the
bottom while the reader is there, and stays put once they scrolled up.

Qt lays out a paragraph as a whole, so appending to one huge line (a stream
of words with no newline: 100 KB of it costs ~23 ms per append) would stall
every frame longer and longer. So the display breaks a line longer than
``SOFT_BREAK_AT`` characters at its next space, by turning that space into a
paragraph break: positions stay one to one with the real text, copying a
selection gives the real text, and ``text`` is always the exact value.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from PySide6.QtCore import QMimeData
from PySide6.QtGui import QFontDatabase, QTextCursor
from PySide6.QtWidgets import QPlainTextEdit, QWidget

from app.ui.page_widgets.base import WidgetView, display_text

__all__ = ["SOFT_BREAK_AT", "LiveOutputView", "soft_break"]

SOFT_BREAK_AT = 1000
"""Longest displayed paragraph before a space becomes a break: each append lays the last one out again
(~1 ms at 4,000 characters on a loaded 2-core machine, a quarter of that at 1,000)."""


def soft_break(piece: str, column: int, limit: int = SOFT_BREAK_AT) -> tuple[str, int]:
    """``piece`` with a space turned into ``\\n`` wherever a line would pass ``limit``; and the column it ends at.

    ``column`` is the length of the line ``piece`` continues. The result has the
    same length as ``piece``. A line with no space to break at stays long.
    """
    if "\n" not in piece and column + len(piece) <= limit:
        return piece, column + len(piece)
    parts: list[str] = []
    position, size = 0, len(piece)
    while position < size:
        newline = piece.find("\n", position)
        end = size if newline < 0 else newline
        start = position
        while column + (end - start) > limit:
            space = piece.find(" ", start + max(limit - column, 0), end)
            if space < 0:
                break
            parts.append(piece[start:space])
            parts.append("\n")
            start, column = space + 1, 0
        parts.append(piece[start:end])
        column += end - start
        if newline < 0:
            break
        parts.append("\n")
        column, position = 0, newline + 1
    return "".join(parts), column


class _LiveTextEdit(QPlainTextEdit):
    """Copies the real text of a selection, not the display's soft breaks."""

    def __init__(self, exact: Callable[[], str], parent: QWidget | None) -> None:
        super().__init__(parent)
        self._exact = exact

    def createMimeDataFromSelection(self) -> QMimeData:  # noqa: N802 - Qt's name
        cursor = self.textCursor()
        mime = QMimeData()
        mime.setText(self._exact()[cursor.selectionStart() : cursor.selectionEnd()])
        return mime


class LiveOutputView(WidgetView):
    type_id = "live_output"

    def create(self, parent: QWidget | None) -> QWidget:
        self._text = ""
        self._column = 0
        self.edit = _LiveTextEdit(lambda: self._text, parent)
        self.edit.setObjectName("pageLiveOutput")
        self.edit.setReadOnly(True)
        self.edit.setMinimumHeight(120)
        self.edit.setProperty("monospace", False)
        self._proportional = self.edit.font()
        self.appends = 0
        """How many updates were appended as a suffix (for tests and benchmarks)."""
        self.replacements = 0
        """How many updates replaced the whole text."""
        return self.edit

    @property
    def text(self) -> str:
        """The exact text shown (the document has the same characters, some spaces shown as line breaks)."""
        return self._text

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
        shown = self._text
        if text == shown:
            return
        bar = self.edit.verticalScrollBar()
        following = bar.value() >= bar.maximum()
        if text.startswith(shown):
            piece, self._column = soft_break(text[len(shown) :], self._column)
            cursor = QTextCursor(self.edit.document())
            cursor.movePosition(QTextCursor.MoveOperation.End)
            cursor.insertText(piece)
            self.appends += 1
        else:
            display, self._column = soft_break(text, 0)
            self.edit.setPlainText(display)
            self.replacements += 1
        self._text = text
        if following:
            bar.setValue(bar.maximum())
