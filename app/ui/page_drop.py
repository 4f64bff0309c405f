"""Where a drag over the page would drop, and the marker that shows it while the mouse moves.

The page is read as nested levels: the page's own column of widgets, and
inside it each Container's row or column. A point over a widget drops before
or after it (by which half of it the point is in, along its level's
direction); a point well inside a Container (not on its leading or trailing
edge) goes one level down; a point between widgets goes between them. The
marker is a line between siblings, across the level, or a highlight filling
an empty container (or an empty page).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from PySide6.QtCore import QPoint, QRect, Qt
from PySide6.QtGui import QColor, QPainter, QPaintEvent, QPen
from PySide6.QtWidgets import QWidget

from app.core.widgets.layout import ContainerLayout
from app.ui import theme
from app.ui.page_widgets import WidgetView
from app.ui.page_widgets.container import ContainerView

EDGE = 12
"""px at a Container's leading and trailing edge that drop beside it rather than into it."""
LINE = 3
"""The marker line's thickness."""


@dataclass(frozen=True)
class Level:
    """One row or column of the page: whose children (None: the page), how they are laid out, and where they are drawn."""

    parent: str | None
    layout: ContainerLayout
    views: Sequence[WidgetView]
    holder: QWidget
    """The Qt widget the children sit in (the page body, a container's frame)."""
    empty_area: QWidget | None = None
    """What to highlight when the level is empty (the page's "no widgets yet" line); default: ``holder``."""


@dataclass(frozen=True)
class DropSpot:
    parent: str | None
    index: int
    marker: QRect
    """Where the marker goes, in the surface's coordinates."""
    fills: bool
    """True: a highlight filling an empty container; False: a line between siblings."""


def _rect(widget: QWidget, surface: QWidget) -> QRect:
    return QRect(widget.mapTo(surface, QPoint(0, 0)), widget.size())


def _child_rects(level: Level, surface: QWidget) -> list[QRect]:
    """The children's rectangles on ``surface``: one mapping for their holder, then each one's own geometry."""
    offset = level.holder.mapTo(surface, QPoint(0, 0))
    rects = []
    for view in level.views:
        widget = view.qwidget
        if widget.parentWidget() is level.holder:
            rects.append(widget.geometry().translated(offset))
        else:  # not laid out in its holder (never for built views): map it on its own
            rects.append(_rect(widget, surface))
    return rects


def _past_middle(point: QPoint, rect: QRect, row: bool) -> bool:
    return point.x() > rect.center().x() if row else point.y() > rect.center().y()


def _inner(rect: QRect, row: bool) -> QRect:
    """A container's rectangle less its leading and trailing edges along its level's direction."""
    edge = min(EDGE, (rect.width() if row else rect.height()) // 4)
    return rect.adjusted(edge, 0, -edge, 0) if row else rect.adjusted(0, edge, 0, -edge)


def find_drop_spot(top: Level, point: QPoint, surface: QWidget, dragged: str | None = None) -> DropSpot:
    """The place a drop at ``point`` (surface coordinates) goes; ``dragged``: the widget being moved, never entered."""
    level = top
    while True:
        rects = _child_rects(level, surface)
        hit = next((i for i, rect in enumerate(rects) if rect.contains(point)), None)
        if hit is None:
            index = sum(1 for rect in rects if _past_middle(point, rect, level.layout.row))
            return _spot(level, index, rects, surface)
        view = level.views[hit]
        if isinstance(view, ContainerView) and view.widget_id != dragged and _inner(rects[hit], level.layout.row).contains(point):
            level = Level(view.widget_id, view.children_layout, view.child_views, view.frame)
            continue
        return _spot(level, hit + (1 if _past_middle(point, rects[hit], level.layout.row) else 0), rects, surface)


def _spot(level: Level, index: int, rects: list[QRect], surface: QWidget) -> DropSpot:
    holder = _rect(level.holder, surface)
    if not rects:
        area = _rect(level.empty_area, surface) if level.empty_area is not None else holder
        return DropSpot(level.parent, 0, area.adjusted(2, 2, -2, -2), fills=True)
    gap = level.layout.spacing
    if level.layout.row:
        if index == 0:
            x = rects[0].left() - max(2, gap // 2)
        elif index == len(rects):
            x = rects[-1].right() + max(2, gap // 2)
        else:
            x = (rects[index - 1].right() + rects[index].left()) // 2
        top, bottom = min(r.top() for r in rects), max(r.bottom() for r in rects)
        return DropSpot(level.parent, index, QRect(x - LINE // 2, top, LINE, bottom - top + 1), fills=False)
    if index == 0:
        y = rects[0].top() - max(2, gap // 2)
    elif index == len(rects):
        y = rects[-1].bottom() + max(2, gap // 2)
    else:
        y = (rects[index - 1].bottom() + rects[index].top()) // 2
    return DropSpot(level.parent, index, QRect(holder.left(), y - LINE // 2, holder.width(), LINE), fills=False)


class DropMarker(QWidget):
    """The insertion marker drawn over the page: an accent line with round ends, or a highlight box."""

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        self.setAttribute(Qt.WidgetAttribute.WA_NoSystemBackground)
        self.spot: DropSpot | None = None
        self.hide()

    PAD = 4
    """Room around the line for its round end caps."""

    def show_spot(self, spot: DropSpot) -> None:
        if spot == self.spot and self.isVisible():
            return
        self.spot = spot
        self.setGeometry(spot.marker if spot.fills else spot.marker.adjusted(-self.PAD, -self.PAD, self.PAD, self.PAD))
        self.raise_()
        self.show()
        self.update()

    def clear(self) -> None:
        self.spot = None
        self.hide()

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 - Qt's name
        if self.spot is None:
            return
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        accent = QColor(theme.CARD_SELECTED)
        if self.spot.fills:
            fill = QColor(accent)
            fill.setAlpha(36)
            painter.setBrush(fill)
            painter.setPen(QPen(accent, 2, Qt.PenStyle.DashLine))
            painter.drawRoundedRect(self.rect().adjusted(1, 1, -1, -1), 6, 6)
        else:
            inner = self.rect().adjusted(self.PAD, self.PAD, -self.PAD, -self.PAD)
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(accent)
            painter.drawRoundedRect(inner, LINE / 2, LINE / 2)
            radius = self.PAD
            for end in (inner.topLeft(), inner.bottomRight()):  # round caps mark the ends, as in most editors
                painter.drawEllipse(end, radius, radius)
        painter.end()
