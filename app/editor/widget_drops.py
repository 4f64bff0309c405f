"""Dropping widgets on a page, wherever the drop happens (the outline or the page itself): one undo command.

A drag carries either palette types (``WIDGET_TYPE_MIME``: a new widget of
each) or one widget of a page (``WIDGET_ID_MIME``: a move). Both views turn a
drop into a place, ``(container id or None for the page, index)``, and hand
it here, so a drop means the same thing on either and is one undo step.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from PySide6.QtCore import QMimeData

from app.core.widgets.registry import WidgetRegistry
from app.editor.commands.base import push_or_explain
from app.editor.commands.pages import InsertWidgetsCommand, MoveWidgetCommand
from app.editor.document import Document
from app.editor.models.roles import WIDGET_ID_MIME, WIDGET_TYPE_MIME
from app.editor.models.widget_palette import widget_types_from_mime


@dataclass(frozen=True)
class DropOutcome:
    """What a drop did: the widgets it added or moved (to select), or why it was refused."""

    ids: list[str] = field(default_factory=list)
    refused: str | None = None


def widget_mime(page: str, widget_id: str) -> QMimeData:
    """The drag of one widget of ``page`` (the outline's and the page's)."""
    mime = QMimeData()
    mime.setData(WIDGET_ID_MIME, json.dumps({"page": page, "widget": widget_id}).encode("utf-8"))
    return mime


def dragged_widget(mime: QMimeData) -> tuple[str, str] | None:
    """``(page, widget id)`` of a widget drag; None for anything else, a malformed payload included."""
    if not mime.hasFormat(WIDGET_ID_MIME):
        return None
    try:
        payload = json.loads(bytes(mime.data(WIDGET_ID_MIME).data()).decode("utf-8"))
        page, widget = payload["page"], payload["widget"]
    except (ValueError, KeyError, TypeError):
        return None
    return (page, widget) if isinstance(page, str) and isinstance(widget, str) else None


def is_widget_drag(mime: QMimeData) -> bool:
    return mime.hasFormat(WIDGET_TYPE_MIME) or mime.hasFormat(WIDGET_ID_MIME)


def drop_widgets(document: Document, page: str, mime: QMimeData, parent: str | None, index: int, registry: WidgetRegistry) -> DropOutcome:
    """Insert the dragged palette types, or move the dragged widget, to ``index`` under ``parent``: one command.

    ``index`` is the place as shown before the drop (a widget moved down its
    own list leaves a gap; the move command accounts for it). Dropping a
    widget where it already is changes nothing and is no refusal.
    """
    if mime.hasFormat(WIDGET_TYPE_MIME):
        types = widget_types_from_mime(mime)
        command, error = push_or_explain(document, lambda: InsertWidgetsCommand(document, page, parent, index, types, registry=registry))
        return DropOutcome([w.id for w in command.widgets] if isinstance(command, InsertWidgetsCommand) else [], error)
    dragged = dragged_widget(mime)
    if dragged is None:
        return DropOutcome(refused="only widgets from the palette or from this page can be dropped here")
    if dragged[0] != page:
        return DropOutcome(refused="widgets move within their page; copy and paste them into another page")
    widget_id = dragged[1]
    command, error = push_or_explain(document, lambda: MoveWidgetCommand(document, page, widget_id, parent, index, registry=registry))
    return DropOutcome([widget_id] if command is not None else [], error)
