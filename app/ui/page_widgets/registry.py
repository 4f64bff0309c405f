"""Which renderer shows which widget type: one module per type, looked up by the type's id."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QWidget

from app.core.project import Widget
from app.ui.page_widgets.base import WidgetView
from app.ui.page_widgets.button import ButtonView
from app.ui.page_widgets.chunk_list import ChunkListView
from app.ui.page_widgets.container import ContainerView
from app.ui.page_widgets.download_button import DownloadButtonView
from app.ui.page_widgets.live_output import LiveOutputView
from app.ui.page_widgets.progress_bar import ProgressBarView
from app.ui.page_widgets.text import TextView
from app.ui.page_widgets.text_input import TextInputView

__all__ = ["RENDERERS", "UnknownWidgetView", "renderer_for", "view_for"]

RENDERERS: Mapping[str, type[WidgetView]] = {
    view.type_id: view
    for view in (TextView, ButtonView, ProgressBarView, LiveOutputView, DownloadButtonView, TextInputView, ChunkListView, ContainerView)
}


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
