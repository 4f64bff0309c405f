"""The action palette: the registry's types grouped by category, ready to drag onto a workflow.

Like orange-canvas-core's ``registry/qt.py``, this adapts the Qt-free registry
to an item model; nothing about a type is written here that the type's
declaration does not already say.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QMimeData, QModelIndex, QPersistentModelIndex, QObject, Qt
from PySide6.QtGui import QStandardItem, QStandardItemModel

from app.core.registry import ActionType, Registry, WorkflowKind, default_registry
from app.editor.models.roles import ACTION_TYPE_MIME, ActionTypeRole, DescriptionRole, IconNameRole, KindRole

CATEGORY_ORDER = ("Response", "API", "Page", "Flow", "Data", "Integrations", "Files", "Debug")
"""Categories in palette order; others follow alphabetically."""


def _category_rank(category: str) -> tuple[int, str]:
    return (CATEGORY_ORDER.index(category), "") if category in CATEGORY_ORDER else (len(CATEGORY_ORDER), category)


class PaletteModel(QStandardItemModel):
    """Two levels: category rows, and under each one row per action type (sorted by title)."""

    def __init__(self, registry: Registry | None = None, parent: QObject | None = None, where: WorkflowKind | None = "endpoint") -> None:
        """``where`` keeps the types a kind of workflow can run (an interface workflow has no Send streaming response)."""
        super().__init__(parent)
        self.registry = registry or default_registry()
        self.setHorizontalHeaderLabels(["Action"])
        categories = self.registry.categories(where)
        for category in sorted(categories, key=_category_rank):
            group = QStandardItem(category)
            group.setData("category", KindRole)
            group.setFlags(Qt.ItemFlag.ItemIsEnabled)
            for action_type in sorted(categories[category], key=lambda t: t.title):
                group.appendRow(self._type_item(action_type))
            self.appendRow(group)

    @staticmethod
    def _type_item(action_type: ActionType) -> QStandardItem:
        item = QStandardItem(action_type.title)
        item.setData("action_type", KindRole)
        item.setData(action_type.id, ActionTypeRole)
        item.setData(action_type.icon, IconNameRole)
        item.setData(action_type.description, DescriptionRole)
        item.setToolTip(action_type.description)
        item.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemIsDragEnabled)
        return item

    def index_of_type(self, type_id: str) -> QModelIndex:
        for row in range(self.rowCount()):
            group = self.index(row, 0)
            for child_row in range(self.rowCount(group)):
                child = self.index(child_row, 0, group)
                if child.data(ActionTypeRole) == type_id:
                    return child
        return QModelIndex()

    def mimeTypes(self) -> list[str]:  # noqa: N802 - Qt override
        return [ACTION_TYPE_MIME]

    def mimeData(self, indexes: Sequence[QModelIndex | QPersistentModelIndex]) -> QMimeData | None:  # noqa: N802
        type_ids = list(dict.fromkeys(i.data(ActionTypeRole) for i in indexes if i.data(ActionTypeRole)))
        if not type_ids:
            return None
        mime = QMimeData()
        mime.setData(ACTION_TYPE_MIME, "\n".join(type_ids).encode("utf-8"))
        return mime

    def supportedDragActions(self) -> Qt.DropAction:  # noqa: N802
        return Qt.DropAction.CopyAction


def type_ids_from_mime(mime: QMimeData) -> list[str]:
    if not mime.hasFormat(ACTION_TYPE_MIME):
        return []
    return [line for line in bytes(mime.data(ACTION_TYPE_MIME).data()).decode("utf-8").splitlines() if line]
