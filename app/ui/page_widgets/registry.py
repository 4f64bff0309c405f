"""Which renderer shows which widget type: one module per type, found by the type id it declares."""

from __future__ import annotations

import importlib
import pkgutil
import sys
from collections.abc import Mapping
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QWidget

from app.core.project import Widget
from app.ui.page_widgets.base import WidgetView

__all__ = ["RENDERERS", "UnknownWidgetView", "renderer_for", "view_for"]


def _discover() -> dict[str, type[WidgetView]]:
    """Every renderer in this package, by the widget type id it declares (``type_id``): adding a widget is adding a module."""
    found: dict[str, type[WidgetView]] = {}
    package = sys.modules[__package__ or ""]  # this module's package, being imported
    for module_info in sorted(pkgutil.iter_modules(package.__path__), key=lambda m: m.name):
        module = importlib.import_module(f"{__package__}.{module_info.name}")
        for value in vars(module).values():
            if isinstance(value, type) and issubclass(value, WidgetView) and value.type_id and value.__module__ == module.__name__:
                if value.type_id in found:
                    raise ValueError(f"two renderers for widget type {value.type_id!r}: {found[value.type_id].__name__} and {value.__name__}")
                found[value.type_id] = value
    return found


RENDERERS: Mapping[str, type[WidgetView]] = _discover()


class UnknownWidgetView(WidgetView):
    """A widget whose type this version does not know (a newer file): said plainly, never dropped."""

    def create(self, parent: QWidget | None) -> QWidget:
        label = QLabel(f"Unknown widget type “{self.widget.type}”", parent)
        label.setObjectName("pageUnknown")
        label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        return label

    def apply_props(self, values: Mapping[str, Any]) -> None:
        return None


def renderer_for(type_id: str) -> type[WidgetView] | None:
    return RENDERERS.get(type_id)


def view_for(widget: Widget, parent: QWidget | None = None) -> WidgetView:
    """The renderer of ``widget``'s type, built under ``parent``."""
    return RENDERERS.get(widget.type, UnknownWidgetView)(widget, parent)
