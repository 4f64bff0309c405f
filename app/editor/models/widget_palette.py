"""The widget palette: the widget registry's types grouped by category, ready to drag onto a page."""

from __future__ import annotations

from PySide6.QtCore import QMimeData, QObject

from app.core.widgets.registry import WidgetRegistry, default_widget_registry
from app.editor.models.palette import TypePaletteModel, ids_from_mime
from app.editor.models.roles import WIDGET_TYPE_MIME, WidgetTypeRole


class WidgetPaletteModel(TypePaletteModel):
    """Category rows, and under each one row per widget type (in declaration order)."""

    MIME = WIDGET_TYPE_MIME
    TYPE_ROLE = WidgetTypeRole
    KIND = "widget_type"

    def __init__(self, registry: WidgetRegistry | None = None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.registry = registry or default_widget_registry()
        self.setHorizontalHeaderLabels(["Widget"])
        for category, types in self.registry.categories().items():
            self._add_group(category, [(t.id, t.title, t.icon, t.description) for t in types])


def widget_types_from_mime(mime: QMimeData) -> list[str]:
    return ids_from_mime(mime, WIDGET_TYPE_MIME)
