"""The list of endpoints (``POST /generate-report``), following the Document row by row."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QAbstractListModel, QModelIndex, QObject, QPersistentModelIndex, Qt

from app.editor.document import Document
from app.editor.models.roles import EndpointNameRole, MethodRole, RoutePathRole
from app.editor.models.row_sync import plan_rows

Index = QModelIndex | QPersistentModelIndex


class EndpointListModel(QAbstractListModel):
    """One row per endpoint: its name; method and path in roles and the tooltip."""

    def __init__(self, document: Document, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.document = document
        self._names = self._current_names()
        document.projectReset.connect(self._on_reset)
        document.endpointRenamed.connect(self._on_renamed)
        document.endpointsChanged.connect(self._sync)
        document.endpointChanged.connect(self._on_endpoint_changed)

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: N802, B008
        return 0 if parent.isValid() else len(self._names)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._names):
            return None
        try:
            endpoint = self.document.endpoint(self._names[index.row()])
        except KeyError:
            return None  # between a change and its signal
        if role in (Qt.ItemDataRole.DisplayRole, EndpointNameRole):
            return endpoint.name
        if role == Qt.ItemDataRole.ToolTipRole:
            return f"{endpoint.method} {endpoint.path}" + (f"\n{endpoint.description}" if endpoint.description else "")
        if role == MethodRole:
            return endpoint.method
        if role == RoutePathRole:
            return endpoint.path
        return None

    def row_of(self, name: str) -> int:
        return self._names.index(name) if name in self._names else -1

    def _current_names(self) -> list[str]:
        return [e.name for e in self.document.project.endpoints]

    def _on_reset(self) -> None:
        self.beginResetModel()
        self._names = self._current_names()
        self.endResetModel()

    def _on_renamed(self, old: str, new: str) -> None:
        row = self.row_of(old)
        if row >= 0:
            self._names[row] = new
            self.dataChanged.emit(self.index(row), self.index(row))

    def _on_endpoint_changed(self, name: str) -> None:
        row = self.row_of(name)
        if row >= 0:
            self.dataChanged.emit(self.index(row), self.index(row))

    def _sync(self) -> None:
        names = self._current_names()
        plan = plan_rows(self._names, names)
        for first, last in plan.removals:
            self.beginRemoveRows(QModelIndex(), first, last)
            del self._names[first : last + 1]
            self.endRemoveRows()
        for first, last in plan.insertions:
            self.beginInsertRows(QModelIndex(), first, last)
            self._names[first:first] = names[first : last + 1]
            self.endInsertRows()
