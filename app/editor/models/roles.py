"""Item data roles and MIME types shared by the editor's models and the widgets that show them."""

from __future__ import annotations

from PySide6.QtCore import Qt

_USER = int(Qt.ItemDataRole.UserRole)

ActionTypeRole = _USER + 1
"""The action type id (``stream.send``): palette rows and workflow action rows."""
IconNameRole = _USER + 2
"""The type's icon name (``stream``); widgets map it to a QIcon."""
DescriptionRole = _USER + 3
KindRole = _USER + 4
"""``"category"``, ``"action_type"`` (palette), ``"action"`` or ``"slot"`` (workflow)."""
ActionIdRole = _USER + 5
ActionPathRole = _USER + 6
"""The ``action_paths`` path of an action row, or the slot path of a slot row."""
SlotNameRole = _USER + 7
IsContainerRole = _USER + 8
ProblemsRole = _USER + 9
"""The action's problems (``app.core.problems.Problem``), errors first."""
EndpointNameRole = _USER + 10
MethodRole = _USER + 11
RoutePathRole = _USER + 12

ACTION_TYPE_MIME = "application/x-streamwright-action-type"
"""Palette drag: the dragged type ids, one per line."""
ACTION_PATH_MIME = "application/x-streamwright-action-path"
"""Workflow drag: ``{"endpoint": name, "paths": [[2, "body", 0], ...]}``."""
WidgetTypeRole = _USER + 13
"""The widget type id (``progress_bar``): widget palette rows and page outline rows."""
WidgetIdRole = _USER + 14
"""A page outline row's widget id."""

WIDGET_TYPE_MIME = "application/x-streamwright-widget-type"
"""Widget palette drag: the dragged widget type ids, one per line."""
WIDGET_ID_MIME = "application/x-streamwright-widget-id"
"""Page outline drag: ``{"page": name, "widget": id}``."""
