"""The action palette: the registry's types grouped by category, ready to drag onto a workflow.

Like orange-canvas-core's ``registry/qt.py``, this adapts the Qt-free registry
to an item model; nothing about a type is written here that the type's
declaration does not already say.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QMimeData, QModelIndex, QObject, QPersistentModelIndex, Qt
from PySide6.QtGui import QStandardItem, QStandardItemModel

from app.core.registry import Registry, WorkflowKind, default_registry
from app.editor.models.roles import ACTION_TYPE_MIME, ActionTypeRole, DescriptionRole, IconNameRole, KindRole


class TypePaletteModel(QStandardItemModel):
    """Category rows, each with one draggable row per type; a drag carries the type ids, one per line, as ``MIME``.

    Shared by the action palette and the widget palette: only the registry,
    the role holding the type id and the MIME type differ.
    """

    MIME = ACTION_TYPE_MIME
    TYPE_ROLE = ActionTypeRole
    KIND = "action_type"

    def _add_group(self, category: str, rows: list[tuple[str, str, str, str]]) -> None:
        """``rows``: (type id, title, icon name, description)."""
        group = QStandardItem(category)
        group.setData("category", KindRole)
        group.setFlags(Qt.ItemFlag.ItemIsEnabled)
        for type_id, title, icon, description in rows:
            item = QStandardItem(title)
            item.setData(self.KIND, KindRole)
            item.setData(type_id, self.TYPE_ROLE)
            item.setData(icon, IconNameRole)
            item.setData(description, DescriptionRole)
            item.setToolTip(description)
            item.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemIsDragEnabled)
            group.appendRow(item)
        self.appendRow(group)

    def index_of_type(self, type_id: str) -> QModelIndex:
        for row in range(self.rowCount()):
            group = self.index(row, 0)
            for child_row in range(self.rowCount(group)):
                child = self.index(child_row, 0, group)
                if child.data(self.TYPE_ROLE) == type_id:
                    return child
        return QModelIndex()

    def mimeTypes(self) -> list[str]:  # noqa: N802 - Qt override
        return [self.MIME]

    def mimeData(self, indexes: Sequence[QModelIndex | QPersistentModelIndex]) -> QMimeData | None:  # noqa: N802
        type_ids = list(dict.fromkeys(i.data(self.TYPE_ROLE) for i in indexes if i.data(self.TYPE_ROLE)))
        if not type_ids:
            return None
        mime = QMimeData()
        mime.setData(self.MIME, "\n".join(type_ids).encode("utf-8"))
        return mime

    def supportedDragActions(self) -> Qt.DropAction:  # noqa: N802
        return Qt.DropAction.CopyAction


def ids_from_mime(mime: QMimeData, mime_type: str) -> list[str]:
    """The type ids a palette drag carries."""
    if not mime.hasFormat(mime_type):
        return []
    return [line for line in bytes(mime.data(mime_type).data()).decode("utf-8").splitlines() if line]


class PaletteModel(TypePaletteModel):
    """The action types, by category in palette order, each sorted by title."""

    def __init__(self, registry: Registry | None = None, parent: QObject | None = None, where: WorkflowKind | None = "endpoint") -> None:
        """``where`` keeps the types a kind of workflow can run (an interface workflow has no Send streaming response)."""
        super().__init__(parent)
        self.registry = registry or default_registry()
        self.setHorizontalHeaderLabels(["Action"])
        for category, types in self.registry.categories(where).items():
            types = sorted(types, key=lambda t: t.title)
            self._add_group(category, [(t.id, t.title, t.icon, t.description) for t in types])


def type_ids_from_mime(mime: QMimeData) -> list[str]:
    return ids_from_mime(mime, ACTION_TYPE_MIME)
