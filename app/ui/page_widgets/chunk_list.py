"""Chunk list: a table of messages, one row each, that grows by batched inserts as the stream goes on.

The model keeps a reference to the bound list (``stream.chunks`` is the
stream's own list, which only grows), never a copy. Each frame, when the list
has only grown - the same list object, or a longer one whose last previously
shown item is still in place - the new rows go in with one ``beginInsertRows``;
anything else resets the table. Columns are ``#`` (the row's number, which is
the message's sequence number for ``stream.chunks``) followed by the given
keys, or by every key the rows have, in the order they first appear.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any, Final

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableView, QWidget

from app.ui import theme
from app.ui.page_widgets.base import WidgetView, display_text
from app.ui.page_widgets.text import status_tone

__all__ = ["ChunkListView", "ChunkTableModel", "SEQUENCE_COLUMN", "VALUE_COLUMN"]

SEQUENCE_COLUMN: Final = "#"
VALUE_COLUMN: Final = "value"
"""Where a row that is not an object (a bare string or number) shows."""
ROW_HEIGHT = 26
FIT_ROWS = 20
"""Rows looked at to size the columns."""
_NO_ITEM: Final = object()
_TONE_COLOURS = {"success": QColor("#12936b"), "error": theme.ERROR, "warning": theme.WARNING, "active": theme.CARD_SELECTED}
ModelIndex = QModelIndex | QPersistentModelIndex
_DISPLAY, _ALIGNMENT, _FOREGROUND, _TOOLTIP = (
    Qt.ItemDataRole.DisplayRole,
    Qt.ItemDataRole.TextAlignmentRole,
    Qt.ItemDataRole.ForegroundRole,
    Qt.ItemDataRole.ToolTipRole,
)
_ROLES = frozenset({_DISPLAY, _ALIGNMENT, _FOREGROUND, _TOOLTIP})
_ALIGN_RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
_ALIGN_LEFT = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter


def _as_rows(items: Any) -> Sequence[Any]:
    """A bound value as rows: a list as it is (by reference), one object as one row, nothing as none."""
    if isinstance(items, list):
        return items
    if isinstance(items, tuple):
        return items
    if items is None or items == "":
        return []
    return [items]


class ChunkTableModel(QAbstractTableModel):
    """Rows of a list held by reference; see the module docstring."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._items: Sequence[Any] = []
        self._count = 0
        self._last: Any = _NO_ITEM
        self._given: list[str] = []
        self._derived: list[str] = []
        self._known: set[str] = set()

    # -- feeding ----------------------------------------------------------------------
    def set_columns(self, columns: Sequence[str]) -> None:
        """Keys to show, in order; empty: every key the rows have."""
        given = [str(column) for column in columns]
        if given != self._given:
            self.beginResetModel()
            self._given = given
            self.endResetModel()

    def set_items(self, items: Any) -> str:
        """Show ``items``; returns ``"insert"`` (only new rows added), ``"reset"`` or ``"same"``."""
        rows = _as_rows(items)
        shown, count = self._count, len(rows)
        grown = count >= shown and (shown == 0 or rows is self._items or rows[shown - 1] is self._last or _equal(rows[shown - 1], self._last))
        if grown and count == shown:
            self._items = rows
            return "same"
        if grown:
            new_keys = self._scan(rows, shown, count)
            if new_keys and not self._given:
                first = 1 + len(self._derived)
                self.beginInsertColumns(QModelIndex(), first, first + len(new_keys) - 1)
                self._derived.extend(new_keys)
                self.endInsertColumns()
            self.beginInsertRows(QModelIndex(), shown, count - 1)
            self._items, self._count, self._last = rows, count, rows[count - 1]
            self.endInsertRows()
            return "insert"
        self.beginResetModel()
        self._derived, self._known = [], set()
        self._derived.extend(self._scan(rows, 0, count))
        self._items, self._count = rows, count
        self._last = rows[count - 1] if count else _NO_ITEM
        self.endResetModel()
        return "reset"

    def _scan(self, rows: Sequence[Any], start: int, stop: int) -> list[str]:
        """Keys first seen in ``rows[start:stop]``, in order of appearance."""
        known, new = self._known, []
        for index in range(start, stop):
            item = rows[index]
            keys = item.keys() if isinstance(item, dict) else (VALUE_COLUMN,)
            for key in keys:
                if key not in known:
                    known.add(key)
                    new.append(str(key))
        return new

    # -- reading ----------------------------------------------------------------------
    def columns(self) -> list[str]:
        return [SEQUENCE_COLUMN, *(self._given or self._derived)]

    def item(self, row: int) -> Any:
        return self._items[row]

    def rowCount(self, parent: ModelIndex = QModelIndex()) -> int:  # noqa: N802, B008 - Qt's signature
        return 0 if parent.isValid() else self._count

    def columnCount(self, parent: ModelIndex = QModelIndex()) -> int:  # noqa: N802, B008
        return 0 if parent.isValid() else 1 + len(self._given or self._derived)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:  # noqa: N802
        if orientation != Qt.Orientation.Horizontal:
            return None
        if role == _DISPLAY:
            columns = self.columns()
            return columns[section] if section < len(columns) else None
        if role == _ALIGNMENT:
            return _ALIGN_RIGHT if section == 0 else _ALIGN_LEFT
        return None

    def data(self, index: ModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        """Called for every role of every visible cell at each repaint: unasked roles return at once."""
        if role not in _ROLES or not index.isValid():
            return None
        row, column = index.row(), index.column()
        if row >= self._count:
            return None
        if role == _DISPLAY:
            return str(row + 1) if column == 0 else display_text(self._cell(row, column))
        if role == _ALIGNMENT:
            return _ALIGN_RIGHT if column == 0 else _ALIGN_LEFT
        if role == _FOREGROUND:
            if column == 0:
                return theme.TEXT_MUTED
            if self._key(column) == "status":
                return _TONE_COLOURS.get(status_tone(display_text(self._cell(row, column))))
            return None
        if column > 0:  # the tooltip: the whole message
            return json.dumps(self._items[row], ensure_ascii=False, indent=2, default=str)
        return None

    def _key(self, column: int) -> str:
        keys = self._given or self._derived
        return keys[column - 1] if 0 < column <= len(keys) else ""

    def _cell(self, row: int, column: int) -> Any:
        item = self._items[row]
        key = self._key(column)
        if type(item) is dict:
            return item.get(key)
        return item if key == VALUE_COLUMN else None


def _equal(a: Any, b: Any) -> bool:
    try:
        return bool(a == b)
    except Exception:  # noqa: BLE001 - odd values compare as different
        return False


class ChunkListView(WidgetView):
    type_id = "chunk_list"

    def create(self, parent: QWidget | None) -> QWidget:
        self.model = ChunkTableModel()
        self.table = QTableView(parent)
        self.model.setParent(self.table)
        self.table.setObjectName("pageChunkList")
        self.table.setModel(self.model)
        self.table.setMinimumHeight(190)
        self.table.setShowGrid(False)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        vertical = self.table.verticalHeader()
        vertical.setVisible(False)
        vertical.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)  # uniform rows: 100,000 of them cost nothing to lay out
        vertical.setDefaultSectionSize(ROW_HEIGHT)
        header = self.table.horizontalHeader()
        header.setStretchLastSection(True)
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        header.setHighlightSections(False)
        header.setMinimumSectionSize(36)
        self.model.columnsInserted.connect(self._fit_columns)
        self.model.modelReset.connect(self._fit_columns)
        self.model.rowsInserted.connect(lambda _parent, first, _last: self._fit_columns() if first == 0 else None)
        return self.table

    def apply_props(self, values: Mapping[str, Any]) -> None:
        if "columns" in values:
            columns = values["columns"]
            self.model.set_columns(columns if isinstance(columns, list) else [])
        if "items" in values:
            bar = self.table.verticalScrollBar()
            following = bar.value() >= bar.maximum()
            if self.model.set_items(values["items"]) == "insert" and following:
                self.table.scrollToBottom()

    def _fit_columns(self, *_: Any) -> None:
        """Size columns to their title and the first rows' text, ``#`` narrow; measured here, as Qt's own fit costs ~10 ms."""
        header = self.table.horizontalHeader()
        cells = self.table.fontMetrics()
        titles = header.fontMetrics()
        model = self.model
        rows = min(model.rowCount(), FIT_ROWS)
        for column in range(model.columnCount() - 1):
            title = str(model.headerData(column, Qt.Orientation.Horizontal) or "")
            width = titles.horizontalAdvance(title) + 28
            for row in range(rows):
                width = max(width, cells.horizontalAdvance(str(model.data(model.index(row, column)) or "")) + 28)
            header.resizeSection(column, min(max(width, 40), 320))
