"""The inspector's table: a ``QAbstractTableModel`` over a :class:`StreamLog`, filtered by status without copying it.

The log is the storage; the model holds no row objects. With every status
shown a row *is* a log index; with one status chosen, rows map through an
``array`` of matching log indices that ``sync`` extends with only the
messages that arrived since the last frame. So a frame at 10,000 messages a
second costs one ``beginInsertRows`` for the new rows, and the table never
resets while a run streams (only when the log starts over or the filter changes).
"""

from __future__ import annotations

import json
from array import array
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor, QFontDatabase

from app.editor.stream_log import StreamLog
from app.ui import theme

__all__ = ["ACTION", "COLUMNS", "DATA", "GAP", "PART", "SEQUENCE", "SIZE", "STATUS", "TIME", "StreamLogModel"]

COLUMNS = ("#", "Time (ms)", "Gap (ms)", "Size (B)", "Status", "Action", "Part", "Event Data")
SEQUENCE, TIME, GAP, SIZE, STATUS, ACTION, PART, DATA = range(8)
NUMERIC = frozenset({SEQUENCE, TIME, GAP, SIZE})
LONG_GAP_S = 1.0
"""A gap at least this long is shown in the warning colour: the page showed nothing new meanwhile."""
STATUS_COLOURS = {
    "done": QColor("#12936b"),
    "error": theme.ERROR,
    "failed": theme.ERROR,
    "starting": QColor("#3b6fe0"),
    "progress": QColor("#7c4dcc"),
    "chunk": QColor("#5f6b7a"),
}
LOG_INDEX_ROLE = Qt.ItemDataRole.UserRole + 1
_DISPLAY, _ALIGNMENT, _FOREGROUND, _FONT, _TOOLTIP = (
    int(role.value)
    for role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.TextAlignmentRole, Qt.ItemDataRole.ForegroundRole, Qt.ItemDataRole.FontRole, Qt.ItemDataRole.ToolTipRole)
)
_ROLES = frozenset({_DISPLAY, _ALIGNMENT, _FOREGROUND, _FONT, _TOOLTIP, int(LOG_INDEX_ROLE)})
ModelIndex = QModelIndex | QPersistentModelIndex


def format_ms(seconds: float) -> str:
    ms = seconds * 1000.0
    return f"{ms:,.1f}" if ms < 100_000 else f"{ms:,.0f}"


class StreamLogModel(QAbstractTableModel):
    """Rows of a log (all, or those of one status), appended by ``sync`` in one insert per frame."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.log: StreamLog | None = None
        self.status_filter: str | None = None
        """None: every status; ``""``: messages without a status."""
        self._code: int | None = None
        self._matching: array[int] | None = None
        self._synced = 0
        """Log rows looked at so far."""
        self._generation = -1
        self.status_counts: dict[str, int] = {}
        """Messages per status among the rows synced (``""``: none)."""
        self._code_counts: array[int] = array("Q")
        self._mono = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)

    # -- feeding -----------------------------------------------------------------
    def set_log(self, log: StreamLog | None) -> None:
        """Show ``log`` (rows appear with the next ``sync``); the filter stays."""
        self.beginResetModel()
        self.log = log
        self._start_over()
        self.endResetModel()

    def set_status_filter(self, status: str | None) -> None:
        """Only messages of ``status`` (None: all). Rebuilding the index scans the status column once."""
        if status == self.status_filter:
            return
        self.beginResetModel()
        self.status_filter = status
        self._rebuild_index()
        self.endResetModel()

    def _start_over(self) -> None:
        self._synced = 0
        self._generation = self.log.generation if self.log is not None else -1
        self._matching = None if self.status_filter is None else array("I")
        self._code = None
        self._code_counts = array("Q")
        self.status_counts = {}

    def _rebuild_index(self) -> None:
        log = self.log
        if self.status_filter is None or log is None:
            self._matching = None
            return
        code = log.status_code(self.status_filter)
        self._code = code
        codes = log.status_codes
        self._matching = array("I", [i for i in range(self._synced) if codes[i] == code]) if code is not None else array("I")

    def sync(self) -> int:
        """Take in the messages logged since the last call; how many rows were added."""
        log = self.log
        if log is None:
            return 0
        if log.generation != self._generation:
            self.beginResetModel()
            self._start_over()
            self.endResetModel()
        first, last = self._synced, log.count
        if last <= first:
            return 0
        codes = log.status_codes
        self._count_statuses(codes, first, last)
        if self._matching is None:
            self.beginInsertRows(QModelIndex(), first, last - 1)
            self._synced = last
            self.endInsertRows()
            return last - first
        if self._code is None:
            self._code = log.status_code(self.status_filter or "")
        code = self._code
        new = [i for i in range(first, last) if codes[i] == code] if code is not None else []
        self._synced = last
        if not new:
            return 0
        start = len(self._matching)
        self.beginInsertRows(QModelIndex(), start, start + len(new) - 1)
        self._matching.extend(new)
        self.endInsertRows()
        return len(new)

    def _count_statuses(self, codes: array[int], first: int, last: int) -> None:
        counts = self._code_counts
        for index in range(first, last):
            code = codes[index]
            while len(counts) <= code:
                counts.append(0)
            counts[code] += 1
        log = self.log
        assert log is not None
        self.status_counts = {log.status_name(code): count for code, count in enumerate(counts) if count}

    # -- mapping ------------------------------------------------------------------
    def log_index(self, row: int) -> int:
        return row if self._matching is None else self._matching[row]

    def row_of(self, log_index: int) -> int | None:
        """The table row showing a log row, None when the filter hides it (or it is not synced yet)."""
        if log_index >= self._synced or log_index < 0:
            return None
        if self._matching is None:
            return log_index
        from bisect import bisect_left

        row = bisect_left(self._matching, log_index)
        return row if row < len(self._matching) and self._matching[row] == log_index else None

    # -- Qt -----------------------------------------------------------------------
    def rowCount(self, parent: ModelIndex = QModelIndex()) -> int:  # noqa: N802, B008 - Qt's signature
        if parent.isValid():
            return 0
        return self._synced if self._matching is None else len(self._matching)

    def columnCount(self, parent: ModelIndex = QModelIndex()) -> int:  # noqa: N802, B008
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:  # noqa: N802
        if orientation != Qt.Orientation.Horizontal:
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return COLUMNS[section]
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return _alignment(section)
        if role == Qt.ItemDataRole.ToolTipRole:
            return _HEADER_TIPS[section]
        return None

    def data(self, index: ModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        """Called a few hundred times per repaint: plain int roles, precomputed alignments, no work for other roles."""
        if role not in _ROLES:
            return None
        log = self.log
        if log is None or not index.isValid():
            return None
        at, column = self.log_index(index.row()), index.column()
        if role == _DISPLAY:
            return self._display(log, at, column)
        if role == _ALIGNMENT:
            return _ALIGNMENTS[column]
        if role == _FOREGROUND:
            if column == STATUS:
                return STATUS_COLOURS.get(log.status_of(at), theme.TEXT)
            if column == GAP and log.gap(at) >= LONG_GAP_S:
                return theme.WARNING
            return theme.TEXT_MUTED if column in NUMERIC else None
        if role == _FONT:
            return self._mono if column == DATA else None
        if role == _TOOLTIP:
            return self._full_text(log, at) if column == DATA else None
        return at  # LOG_INDEX_ROLE

    @staticmethod
    def _display(log: StreamLog, at: int, column: int) -> str:
        if column == SEQUENCE:
            return str(log.seq[at])
        if column == TIME:
            return format_ms(log.t[at])
        if column == GAP:
            return format_ms(log.gap(at)) if at else "—"
        if column == SIZE:
            return f"{log.size[at]:,}"
        if column == STATUS:
            return log.status_of(at)
        if column == ACTION:
            return log.action_id(at) or ""
        if column == PART:
            return log.part(at) or ""
        return log.text(at)

    @staticmethod
    def _full_text(log: StreamLog, at: int) -> str:
        data = log.data(at)
        if data is None and log.truncated(at):
            return log.text(at) + f"\n\n(the inspector keeps the first {log.text_limit} characters of {log.size[at]:,} bytes)"
        text = json.dumps(data, ensure_ascii=False, indent=2, default=str)
        return text if len(text) <= 4000 else text[:3999] + "…"


_HEADER_TIPS = (
    "Sequence number (the SSE id)",
    "When the message arrived, since the call began",
    "Time since the previous message arrived",
    "Bytes of the message's JSON",
    "The message's status field",
    "The action that sent it",
    "The part id of a keyed message (it replaces that part's previous message); transient ones are not kept in stream.chunks",
    "The message as sent (compact JSON, cut after a while; hover for all of it)",
)


def _alignment(column: int) -> Qt.AlignmentFlag:
    horizontal = Qt.AlignmentFlag.AlignRight if column in NUMERIC else Qt.AlignmentFlag.AlignLeft
    return horizontal | Qt.AlignmentFlag.AlignVCenter


_ALIGNMENTS = tuple(_alignment(column) for column in range(len(COLUMNS)))
