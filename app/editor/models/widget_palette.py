"""The widget palette: the widget registry's types grouped by category, ready to drag onto a page."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QMimeData, QModelIndex, QObject, QPersistentModelIndex, Qt
from PySide6.QtGui import QStandardItem, QStandardItemModel

from app.core.widgets.registry import WidgetRegistry, WidgetType, default_widget_registry
from app.editor.models.roles import WIDGET_TYPE_MIME, DescriptionRole, IconNameRole, KindRole, WidgetTypeRole


class WidgetPaletteModel(QStandardItemModel):
    """Category rows, and under each one row per widget type (in declaration order)."""

    def __init__(self, registry: WidgetRegistry | None = None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.registry = registry or default_widget_registry()
        self.setHorizontalHeaderLabels(["Widget"])
        for category, types in self.registry.categories().items():
            group = QStandardItem(category)
            group.setData("category", KindRole)
            group.setFlags(Qt.ItemFlag.ItemIsEnabled)
            for widget_type in types:
                group.appendRow(self._type_item(widget_type))
            self.appendRow(group)

    @staticmethod
    def _type_item(widget_type: WidgetType) -> QStandardItem:
        item = QStandardItem(widget_type.title)
        item.setData("widget_type", KindRole)
        item.setData(widget_type.id, WidgetTypeRole)
        item.setData(widget_type.icon, IconNameRole)
        item.setData(widget_type.description, DescriptionRole)
        item.setToolTip(widget_type.description)
        item.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemIsDragEnabled)
        return item

    def mimeTypes(self) -> list[str]:  # noqa: N802 - Qt override
        return [WIDGET_TYPE_MIME]

    def mimeData(self, indexes: Sequence[QModelIndex | QPersistentModelIndex]) -> QMimeData | None:  # noqa: N802
        type_ids = list(dict.fromkeys(i.data(WidgetTypeRole) for i in indexes if i.data(WidgetTypeRole)))
        if not type_ids:
            return None
        mime = QMimeData()
        mime.setData(WIDGET_TYPE_MIME, "\n".join(type_ids).encode("utf-8"))
        return mime

    def supportedDragActions(self) -> Qt.DropAction:  # noqa: N802
        return Qt.DropAction.CopyAction


def widget_types_from_mime(mime: QMimeData) -> list[str]:
    if not mime.hasFormat(WIDGET_TYPE_MIME):
        return []
    return [line for line in bytes(mime.data(WIDGET_TYPE_MIME).data()).decode("utf-8").splitlines() if line]
