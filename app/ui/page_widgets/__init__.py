"""Page widgets as real Qt widgets: one renderer module per widget type (``app.core.widgets``), looked up by id."""

from app.ui.page_widgets.base import WidgetView
from app.ui.page_widgets.registry import RENDERERS, renderer_for, view_for

__all__ = ["RENDERERS", "WidgetView", "renderer_for", "view_for"]
