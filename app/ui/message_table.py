"""A read-only table of stream messages, set up in one place for the Run panel and the Stream dock.

Why one function: both docks show a stream's messages as rows and must behave
alike (whole rows selected, cut text readable by hovering, fixed row heights
that never re-lay out while rows stream in, a Data column that takes the
rest, and never squeezed under its header in a short dock).
"""

from __future__ import annotations

from collections.abc import Iterable

from PySide6.QtCore import QAbstractItemModel
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableView, QWidget

from app.ui.elided_text import elide_with_tooltips
from app.ui.table_height import MIN_VISIBLE_ROWS, table_height


def message_table(
    model: QAbstractItemModel, parent: QWidget, *, name: str, widths: Iterable[tuple[int, int]], stretch: int, row_padding: int, header_style: str = ""
) -> QTableView:
    """A table on ``model``: columns at least ``widths`` wide (and as wide as their titles) that the user can resize,
    column ``stretch`` taking the rest, rows ``row_padding`` px over the font.

    Its minimum height shows the header (styled by ``header_style``) and ``MIN_VISIBLE_ROWS`` whole rows.
    """
    table = QTableView(parent)
    table.setObjectName(name)
    table.setModel(model)
    elide_with_tooltips(table)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setAlternatingRowColors(True)
    table.setWordWrap(False)
    table.setShowGrid(False)
    rows = table.verticalHeader()
    rows.hide()
    rows.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
    rows.setDefaultSectionSize(parent.fontMetrics().height() + row_padding)
    header = table.horizontalHeader()
    header.setHighlightSections(False)
    header.setStretchLastSection(True)
    if header_style:
        header.setStyleSheet(header_style)
    header.ensurePolished()  # its style sheet's font and padding count in the widths below
    for column, width in widths:
        header.setSectionResizeMode(column, QHeaderView.ResizeMode.Interactive)
        table.setColumnWidth(column, max(width, header.sectionSizeHint(column)))  # the column's title is never cut
    header.setSectionResizeMode(stretch, QHeaderView.ResizeMode.Stretch)
    table.setMinimumHeight(table_height(table, rows=MIN_VISIBLE_ROWS))  # never squeezed under its header
    return table
