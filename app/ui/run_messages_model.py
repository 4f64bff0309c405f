"""The Run panel's table of streamed messages: one row per message, appended in batches.

The stream task only writes into a :class:`StreamState`. :meth:`RunMessagesModel.follow`
attaches a cheap ``on_change`` hook that stamps each message's arrival time;
:meth:`RunMessagesModel.sync`, called by the panel's frame timer, appends every
message that arrived since the last frame with one ``beginInsertRows``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor, QFont

from app.client.stream_state import StreamState
from app.ui import theme

__all__ = ["COLUMNS", "MessageRow", "RunMessagesModel", "compact_json"]

COLUMNS = ("#", "Time (ms)", "Status", "Event Data")
SEQUENCE, TIME, STATUS, DATA = range(4)
STATUS_COLOURS = {"done": QColor("#12936b"), "error": theme.ERROR, "failed": theme.ERROR}
ModelIndex = QModelIndex | QPersistentModelIndex


def compact_json(value: Any) -> str:
    """One line of JSON, as the message was sent."""
    return json.dumps(value, ensure_ascii=False, separators=(", ", ": "), default=str)


@dataclass(frozen=True, slots=True)
class MessageRow:
    sequence: int
    elapsed_ms: int
    status: str
    data: Any
    text: str


class RunMessagesModel(QAbstractTableModel):
    """Rows are immutable once added; a new run starts from an empty table (``follow``)."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._rows: list[MessageRow] = []
        self._state: StreamState | None = None
        self._arrivals: list[float] = []
        self._mono: QFont | None = None

    def _mono_font(self) -> QFont:
        """The fixed-width font of the rows, looked up with the first row shown: QFontDatabase is not needed before."""
        if self._mono is None:
            from PySide6.QtGui import QFontDatabase

            self._mono = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
        return self._mono

    # -- feeding ---------------------------------------------------------
    def follow(self, state: StreamState) -> None:
        """Show ``state``'s messages from now on (the table is cleared); call before the run starts."""
        self._detach()
        self.beginResetModel()
        self._rows = []
        self._arrivals = []
        self._state = state
        state.on_change.append(self._stamp)
        self.endResetModel()

    def clear(self) -> None:
        """An empty table that follows nothing."""
        self._detach()
        self.beginResetModel()
        self._rows = []
        self._arrivals = []
        self.endResetModel()

    def _detach(self) -> None:
        if self._state is not None and self._stamp in self._state.on_change:
            self._state.on_change.remove(self._stamp)
        self._state = None

    def _stamp(self, state: StreamState) -> None:
        """On every change of the state (the hot path): note when a new message arrived, nothing more."""
        while len(self._arrivals) < state.count:
            self._arrivals.append(state.clock())

    def sync(self) -> int:
        """Append the messages that arrived since the last call, in one insert; how many were added."""
        state = self._state
        if state is None:
            return 0
        first, last = len(self._rows), state.count
        if last <= first:
            return 0
        started = state.started_at if state.started_at is not None else state.clock()
        self._stamp(state)
        # history, not chunks: transient messages are not kept in chunks, and each row is one message
        rows = [self._row(first + offset, data, self._arrivals[first + offset] - started) for offset, (data, _part, _transient) in enumerate(state.history(first))]
        self.beginInsertRows(QModelIndex(), first, last - 1)
        self._rows.extend(rows)
        self.endInsertRows()
        return len(rows)

    @staticmethod
    def _row(index: int, data: Any, elapsed_s: float) -> MessageRow:
        status = data.get("status") if isinstance(data, dict) else None
        return MessageRow(index + 1, max(0, round(elapsed_s * 1000)), "" if status is None else str(status), data, compact_json(data))

    # -- reading ---------------------------------------------------------
    def row(self, index: int) -> MessageRow:
        return self._rows[index]

    def rows(self) -> list[MessageRow]:
        return list(self._rows)

    def rowCount(self, parent: ModelIndex = QModelIndex()) -> int:  # noqa: N802, B008 - Qt's signature
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: ModelIndex = QModelIndex()) -> int:  # noqa: N802, B008
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:  # noqa: N802
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return COLUMNS[section]
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.TextAlignmentRole:
            return _alignment(section)
        return None

    def data(self, index: ModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        row, column = self._rows[index.row()], index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return (str(row.sequence), f"{row.elapsed_ms:,}", row.status, row.text)[column]
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return _alignment(column)
        if role == Qt.ItemDataRole.ToolTipRole and column == DATA:
            return json.dumps(row.data, ensure_ascii=False, indent=2, default=str)
        if role == Qt.ItemDataRole.FontRole and column == DATA:
            return self._mono_font()
        if role == Qt.ItemDataRole.ForegroundRole:
            if column == STATUS:
                return STATUS_COLOURS.get(row.status, theme.TEXT)
            if column in (SEQUENCE, TIME):
                return theme.TEXT_MUTED
        return None


def _alignment(column: int) -> Qt.AlignmentFlag:
    horizontal = Qt.AlignmentFlag.AlignRight if column in (SEQUENCE, TIME) else Qt.AlignmentFlag.AlignLeft
    return horizontal | Qt.AlignmentFlag.AlignVCenter
