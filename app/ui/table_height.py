"""How tall a table must be to show its header and whole rows: a minimum for tables in short docks.

Why: a QTableView's own minimum is a few pixels, so a short dock squeezed the
Run panel's and the Stream dock's tables until the header covered the first
row. Given this minimum, the table keeps its header and rows and the dock
scrolls instead.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QTableView

MIN_VISIBLE_ROWS = 2
"""Rows a table in a dock always shows whole under its header."""


def table_height(table: QTableView, rows: int = MIN_VISIBLE_ROWS) -> int:
    """The height that shows ``table``'s header and ``rows`` whole rows (with its frame)."""
    header_view = table.horizontalHeader()
    header_view.ensurePolished()  # its style sheet's padding counts
    header = 0 if header_view.isHidden() else header_view.sizeHint().height()
    scroll_bar = 0
    if table.horizontalScrollBarPolicy() != Qt.ScrollBarPolicy.ScrollBarAlwaysOff:  # wide columns bring a scroll bar under the rows
        scroll_bar = table.horizontalScrollBar().sizeHint().height()  # the style's extent, without QStyle's enums (built lazily, milliseconds at start-up)
    return header + rows * table.verticalHeader().defaultSectionSize() + scroll_bar + 2 * table.frameWidth()
