"""Chunk list: a table of messages, one row each, that grows by batched inserts as the stream goes on.

The model keeps a reference to the bound list (``stream.chunks`` is the
stream's own list, which only grows), never a copy. Each frame, when the list
has only grown - the same list object, or a longer one whose last previously
shown item is still in place - the new rows go in with one ``beginInsertRows``;
anything else resets the table. Columns are ``#`` (the row's number, which is
the message's sequence number for ``stream.chunks``) followed by the given
keys, or by every key the rows have, in the order they first appear.

Under a flood (a screenful of rows or more since the last insert) every insert
scrolls every visible cell to new text, and repainting the table is the
costliest thing a page does. Nobody reads rows that scroll by 60 times a
second, so then the rows wait (``pending``) and go in together, at most every
``FLOOD_INSERT_EVERY_S``, when the preview's frame timer next calls
:meth:`ChunkListView.catch_up`: while the stream runs that is a tick of its
own, so the insert and its repaint never add to a frame's (the first batch of
a call too: it goes in at the next tick). A trickle (fewer new rows than fit
on screen) goes in with the frame, and a reset (a new call) is never held
back. No row is lost or reordered: the table shows the bound list as it
stands when the rows go in.

Cells are painted by :class:`ChunkTable` itself, one Python call per paint
for all visible rows: each cell's text and colour come from the model in one
call (``paint_cell``) and go to ``QPainter.drawText`` at a baseline, cut with
"…" only when they may not fit. Qt's own delegate asks the model seven roles
per cell through the Python bindings and lays each text out twice; a Python
delegate still costs a call per cell: repainting seven rows of six columns
took ~3.7 ms that way against ~1.4 ms now, on a 2-core machine. Selected rows
are filled with the highlight; there is no focus frame. The colours come from
the table's palette, which the page's style sheet sets.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from typing import Any, Final

from PySide6.QtCore import QAbstractItemModel, QAbstractTableModel, QEvent, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor, QFontMetrics, QPainter, QPaintEvent, QPalette
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableView, QWidget

from app.ui import theme
from app.ui.page_widgets.base import WidgetView, display_text
from app.ui.page_widgets.text import status_tone

__all__ = ["CellLook", "ChunkListView", "ChunkTable", "ChunkTableModel", "SEQUENCE_COLUMN", "VALUE_COLUMN"]

SEQUENCE_COLUMN: Final = "#"
VALUE_COLUMN: Final = "value"
"""Where a row that is not an object (a bare string or number) shows."""
ROW_HEIGHT = 26
TEXT_MARGIN = 9
"""Left and right of a cell's text: the 6 px padding the page's tables had, and Qt's 3 px text margin."""
FIT_ROWS = 20
"""Rows looked at to size the columns."""
FIT_MARGIN = 28
"""Added to a text's width to fit a column: the cell's margins and some air."""
MAX_FIT_WIDTH = 320
"""The widest a column is made to fit its text; longer text is cut with "…" (the tooltip has it all)."""
FLOOD_INSERT_EVERY_S = 0.1
"""Under a flood, the table takes new rows in at most this often (see the module docstring)."""
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
_LOOK_CHANGES = frozenset({QEvent.Type.PaletteChange, QEvent.Type.FontChange, QEvent.Type.StyleChange})
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

    def growth(self, items: Any) -> int | None:
        """How many rows showing ``items`` would add, when it only adds rows; None when it would reset the table."""
        rows = _as_rows(items)
        shown, count = self._count, len(rows)
        grown = count >= shown and (shown == 0 or rows is self._items or rows[shown - 1] is self._last or _equal(rows[shown - 1], self._last))
        return count - shown if grown else None

    def set_items(self, items: Any) -> str:
        """Show ``items``; returns ``"insert"`` (only new rows added), ``"reset"`` or ``"same"``."""
        rows = _as_rows(items)
        shown, count = self._count, len(rows)
        added = self.growth(rows)
        if added == 0:
            self._items = rows
            return "same"
        if added is not None:
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
        covers = known.issuperset  # in C: a flood's rows almost always have the keys already seen
        for index in range(start, stop):
            item = rows[index]
            if type(item) is dict and covers(item):
                continue
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

    def paint_cell(self, row: int, column: int) -> tuple[str, QColor | None, bool]:
        """What :class:`RowDelegate` draws: the text, its colour (None: the table's), right-aligned or not."""
        if column == 0:
            return str(row + 1), theme.TEXT_MUTED, True
        text = display_text(self._cell(row, column))
        return text, _TONE_COLOURS.get(status_tone(text)) if self._key(column) == "status" else None, False

    def _key(self, column: int) -> str:
        keys = self._given or self._derived
        return keys[column - 1] if 0 < column <= len(keys) else ""

    def _cell(self, row: int, column: int) -> Any:
        item = self._items[row]
        key = self._key(column)
        if type(item) is dict:
            return item.get(key)
        return item if key == VALUE_COLUMN else None


class CellLook:
    """The table's colours and font metrics, read once from its palette and font (which the style sheet sets)."""

    def __init__(self, table: QWidget) -> None:
        palette = table.palette()
        self.highlight = palette.color(QPalette.ColorRole.Highlight)
        self.highlighted_text = palette.color(QPalette.ColorRole.HighlightedText)
        self.alternate = palette.color(QPalette.ColorRole.AlternateBase)
        self.text = palette.color(QPalette.ColorRole.Text)
        self.metrics = QFontMetrics(table.font())
        self.baseline = (ROW_HEIGHT - self.metrics.height()) // 2 + self.metrics.ascent()
        """From a row's top to its text's baseline: the text centred in the row."""
        self._advances: dict[str, int] = {}

    def width(self, text: str) -> int:
        """``text``'s width as its characters' advances summed (kept per character): no shaping, so
        kerning may make the real width a pixel or two narrower."""
        advances = self._advances
        total = 0
        for char in text:
            advance = advances.get(char)
            if advance is None:
                advance = advances[char] = self.metrics.horizontalAdvance(char)
            total += advance
        return total

    def may_overflow(self, text: str, width: int) -> bool:
        """Whether ``text`` may not fit in ``width``: :meth:`width` with a margin for kerning; only then is the
        text measured and cut for real, which costs as much as drawing it."""
        return len(text) > width or self.width(text) + 2 > width


class ChunkTable(QTableView):
    """A table that paints its visible cells itself, row by row, in one call per paint; see the module docstring.

    Its model is a :class:`ChunkTableModel` (set it after ``setObjectName``: setting a model polishes the
    header, which the page's style sheet finds by the table's name). Only painting differs from
    ``QTableView``: scrolling, selection (whole rows), headers and tooltips are Qt's. The chunk list has no
    grid, no spans and no editors, so there is nothing else to paint.
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._chunks: ChunkTableModel | None = None
        self._look: CellLook | None = None

    def setModel(self, model: QAbstractItemModel | None) -> None:  # noqa: N802 - Qt's name
        assert isinstance(model, ChunkTableModel), "a chunk table paints a ChunkTableModel"
        self._chunks = model  # typed, and read without a call through the bindings at each paint
        super().setModel(model)

    def look(self) -> CellLook:
        if self._look is None:
            self._look = CellLook(self)
        return self._look

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt's name
        if event.type() in _LOOK_CHANGES:
            self._look = None  # read again at the next paint
        super().changeEvent(event)

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 - Qt's name
        model = self._chunks
        if model is None:
            return
        area = event.rect()
        first = self.rowAt(area.top())
        if first < 0:
            return
        last = self.rowAt(area.bottom())
        if last < 0:
            last = model.rowCount() - 1
        header = self.horizontalHeader()
        left, right = area.left(), area.right()
        columns: list[tuple[int, int, int]] = []
        for column in range(model.columnCount()):
            x, width = header.sectionViewportPosition(column), header.sectionSize(column)
            if width > 0 and x <= right and x + width > left and not header.isSectionHidden(column):
                columns.append((column, x, width))
        if not columns:
            return
        look = self.look()
        start, end = columns[0][1], columns[-1][1] + columns[-1][2]
        selected = self.selectionModel().isRowSelected
        root = QModelIndex()
        painter = QPainter(self.viewport())
        top = self.rowViewportPosition(first)
        for row in range(first, last + 1):
            y = top + (row - first) * ROW_HEIGHT
            chosen = selected(row, root)
            if chosen:
                painter.fillRect(start, y, end - start, ROW_HEIGHT, look.highlight)
            elif row % 2:
                painter.fillRect(start, y, end - start, ROW_HEIGHT, look.alternate)
            baseline = y + look.baseline
            for column, x, width in columns:
                text, colour, right_aligned = model.paint_cell(row, column)
                if not text:
                    continue
                painter.setPen(look.highlighted_text if chosen else colour if colour is not None else look.text)
                room = width - 2 * TEXT_MARGIN
                if "\n" in text or look.may_overflow(text, room):  # cut with "…" as Qt's delegate does
                    text = look.metrics.elidedText(text.replace("\n", " "), Qt.TextElideMode.ElideRight, max(room, 0))
                    if not text:
                        continue
                offset = room - look.width(text) if right_aligned else 0
                painter.drawText(x + TEXT_MARGIN + max(offset, 0), baseline, text)
        painter.end()


def _equal(a: Any, b: Any) -> bool:
    try:
        return bool(a == b)
    except Exception:  # noqa: BLE001 - odd values compare as different
        return False


class ChunkListView(WidgetView):
    type_id = "chunk_list"

    def create(self, parent: QWidget | None) -> QWidget:
        self.table = ChunkTable(parent)
        self.model = ChunkTableModel(self.table)
        self.table.setObjectName("pageChunkList")
        self.table.setModel(self.model)  # after the name (see ChunkTable)
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
        self._held: Any = _NO_ITEM
        self._inserted_at = -math.inf
        return self.table

    def apply_props(self, values: Mapping[str, Any]) -> None:
        if "columns" in values:
            columns = values["columns"]
            self.model.set_columns(columns if isinstance(columns, list) else [])
        if "items" in values:
            items = values["items"]
            if self._flooded(items):
                self._held = items
            else:
                self._show(items)

    @property
    def pending(self) -> bool:
        return self._held is not _NO_ITEM

    @property
    def catch_up_due(self) -> bool:
        return self._held is not _NO_ITEM and self.clock() - self._inserted_at >= FLOOD_INSERT_EVERY_S

    def catch_up(self) -> None:
        if self.catch_up_due:
            self._show(self._held)

    def _flooded(self, items: Any) -> bool:
        """A screenful of new rows or more: they wait for :meth:`catch_up` (the driver's next tick, or later)."""
        added = self.model.growth(items)
        return added is not None and added >= max(1, self.table.viewport().height() // ROW_HEIGHT)

    def _show(self, items: Any) -> None:
        self._held = _NO_ITEM
        bar = self.table.verticalScrollBar()
        following = bar.value() >= bar.maximum()
        change = self.model.set_items(items)
        if change == "insert":
            self._inserted_at = self.clock()
            self._widen_for(self.model.rowCount() - 1)
            if following:
                self.table.scrollToBottom()

    def _fit_columns(self, *_: Any) -> None:
        """Size columns to their title and the first rows' text (``FIT_ROWS``); measured with the cell painter's
        per-character widths, as Qt's own fit costs ~10 ms and asking each cell's font metrics ~2.5 ms."""
        header = self.table.horizontalHeader()
        titles = header.fontMetrics()
        look = self.table.look()
        model = self.model
        rows = min(model.rowCount(), FIT_ROWS)
        for column in range(model.columnCount() - 1):
            title = str(model.headerData(column, Qt.Orientation.Horizontal) or "")
            width = titles.horizontalAdvance(title) + FIT_MARGIN
            for row in range(rows):
                width = max(width, self._cell_width(look, row, column))
            header.resizeSection(column, min(max(width, 40), MAX_FIT_WIDTH))

    def _widen_for(self, row: int) -> None:
        """Widen a column (never narrow it) that ``row``'s text would overflow: a row number that gained a digit,
        a label that grew. One row per insert, so it costs nothing under a flood."""
        header = self.table.horizontalHeader()
        look = self.table.look()
        model = self.model
        for column in range(model.columnCount() - 1):
            needed = self._cell_width(look, row, column)
            if header.sectionSize(column) < needed <= MAX_FIT_WIDTH:
                header.resizeSection(column, needed)

    def _cell_width(self, look: CellLook, row: int, column: int) -> int:
        """The column width that shows the cell's text whole."""
        return look.width(self.model.paint_cell(row, column)[0]) + FIT_MARGIN
