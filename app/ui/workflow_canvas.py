"""The workflow canvas: an endpoint's trigger and its actions as cards, containers as nested lanes.

Painted by hand from ``canvas_layout`` rather than built from one widget per
card, so a 2,000-action workflow opens and scrolls at once: only the visible
cards are painted and hit-testing is a binary search. The canvas never changes
the project: clicks, "+" and drops become request signals that the window
turns into undo commands on the Document.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtCore import QMimeData, QPoint, QPointF, QRectF, Qt, Signal
from PySide6.QtGui import (
    QAction,
    QColor,
    QDrag,
    QDragEnterEvent,
    QDragMoveEvent,
    QDropEvent,
    QFontMetrics,
    QKeySequence,
    QMouseEvent,
    QPainter,
    QPaintEvent,
    QPen,
    QResizeEvent,
)
from PySide6.QtWidgets import QAbstractScrollArea, QApplication, QWidget

from app.core.problems import Problem
from app.core.project import Action, Endpoint
from app.core.registry import Registry, default_registry
from app.editor.action_paths import ActionPath
from app.editor.models.roles import ACTION_PATH_MIME, ACTION_TYPE_MIME
from app.ui import theme
from app.ui.canvas_layout import GAP, MARGIN, CanvasLayout, CardBox, CardTexts, InsertPoint, LaneBox, layout_workflow
from app.ui.scroll_viewport import viewport_of

MIN_COLUMN, MAX_COLUMN = 360.0, 720.0
PLUS_RADIUS = 6.5


@dataclass(frozen=True)
class InterfaceWorkflow:
    """A page's workflow as the canvas shows it: its key, its actions and what triggers it."""

    name: str
    """The workflow key (``page:report:generate_button:click``)."""
    workflow: list[Action]
    title: str
    """``On click · generate_button``."""
    detail: str


class WorkflowCanvas(QAbstractScrollArea):
    selectionChanged = Signal(object)  # ActionPath | None
    insertRequested = Signal(object)  # insertion path: the user clicked "+" (or pressed Insert)
    typeDropped = Signal(object, str)  # insertion path, action type id (from the palette)
    moveRequested = Signal(object, object)  # from path, insertion path
    deleteRequested = Signal(object)  # ActionPath
    activated = Signal(object)  # ActionPath: double-click or Enter (open in the inspector)

    def __init__(self, registry: Registry | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.registry = registry or default_registry()
        self.endpoint: Endpoint | InterfaceWorkflow | None = None
        """What is shown: an endpoint, or a page's interface workflow (``name`` is its key either way)."""
        self.layout_: CanvasLayout | None = None
        self.problems: dict[str, list[Problem]] = {}
        self._texts = CardTexts(self.registry)
        self.selected: ActionPath | None = None
        self.selected_id: str | None = None
        """The selected card's action id: a delete puts another action at the same path, and that is a new selection."""
        self.hover_insert: InsertPoint | None = None
        self.drop_insert: InsertPoint | None = None
        self._press: tuple[QPoint, CardBox] | None = None
        self.setAcceptDrops(True)
        viewport_of(self).setAcceptDrops(True)  # the first viewport() call: see app.ui.scroll_viewport
        self.viewport().setMouseTracking(True)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.verticalScrollBar().setSingleStep(24)
        self.setAccessibleName("Workflow canvas")
        self._canvas_actions()

    # -- content -------------------------------------------------------
    def set_endpoint(self, endpoint: Endpoint | InterfaceWorkflow | None, problems: list[Problem] | None = None) -> None:
        """Show ``endpoint`` (None: nothing); keeps the selection when it is the same endpoint and the path still exists.

        Without ``problems`` the markers of the same endpoint stay (they are by
        action id, so they follow moved cards) until ``set_problems``.
        """
        same_endpoint = self.endpoint is not None and endpoint is not None and self.endpoint.name == endpoint.name
        self.endpoint = endpoint
        if problems is not None or not same_endpoint:
            self._group_problems(problems or [])
        self._relayout()
        if self.selected is not None:
            path = self._path_of_id(self.selected_id) if same_endpoint else None
            if path is None:
                self.select(None)
            elif path != self.selected:
                self.show_selection(path)  # the same action, moved by the edit
        self._update_scrollbars()
        self.viewport().update()

    def set_problems(self, problems: list[Problem]) -> None:
        """The lint and validation markers of the shown endpoint's cards."""
        self._group_problems(problems)
        self.viewport().update()

    def _group_problems(self, problems: list[Problem]) -> None:
        self.problems = {}
        for problem in problems:
            if problem.action_id:
                self.problems.setdefault(problem.action_id, []).append(problem)

    def _column_width(self) -> float:
        """Cards follow the window's width within bounds, so a narrow canvas does not cut them off."""
        return max(MIN_COLUMN, min(MAX_COLUMN, self.viewport().width() - 2 * MARGIN))

    def _relayout(self) -> None:
        self.layout_ = layout_workflow(self.endpoint, self.registry, self._column_width(), self._texts) if self.endpoint is not None else None

    def _path_of_id(self, action_id: str | None) -> ActionPath | None:
        if action_id is None or self.layout_ is None:
            return None
        return next((card.path for card in self.layout_.cards if card.action.id == action_id), None)

    def _id_at(self, path: ActionPath | None) -> str | None:
        card = self.layout_.card_for(path) if path is not None and self.layout_ is not None else None
        return card.action.id if card is not None else None

    def select(self, path: ActionPath | None) -> None:
        """The user selects a card (click, arrows): ``selectionChanged`` when it is another action."""
        if path == self.selected and self._id_at(path) == self.selected_id:
            return
        self.show_selection(path)
        self.selectionChanged.emit(self.selected)

    def show_selection(self, path: ActionPath | None) -> None:
        """Draw ``path`` as selected without announcing it (the selection is set elsewhere and shown here)."""
        action_id = self._id_at(path)
        path = path if action_id is not None else None
        if path != self.selected or action_id != self.selected_id:
            self.selected, self.selected_id = path, action_id
            self.ensure_visible(path)
            self.viewport().update()

    def ensure_visible(self, path: ActionPath | None) -> None:
        if path is None or self.layout_ is None:
            return
        card = self.layout_.card_for(path)
        if card is None:
            return
        bar = self.verticalScrollBar()
        top, bottom = bar.value(), bar.value() + self.viewport().height()
        if card.rect.y < top:
            bar.setValue(int(card.rect.y - 8))
        elif card.rect.bottom > bottom:
            bar.setValue(int(card.rect.bottom - self.viewport().height() + 8))

    # -- geometry ------------------------------------------------------
    def _offset(self) -> QPointF:
        layout = self.layout_
        width = layout.width if layout else 0
        x = max((self.viewport().width() - width) / 2, 0) - self.horizontalScrollBar().value()
        return QPointF(x, -self.verticalScrollBar().value())

    def _to_layout(self, point: QPointF | QPoint) -> tuple[float, float]:
        offset = self._offset()
        return point.x() - offset.x(), point.y() - offset.y()

    def _update_scrollbars(self) -> None:
        layout = self.layout_
        height = int(layout.height) if layout else 0
        width = int(layout.width) if layout else 0
        self.verticalScrollBar().setRange(0, max(height - self.viewport().height(), 0))
        self.verticalScrollBar().setPageStep(self.viewport().height())
        self.horizontalScrollBar().setRange(0, max(width - self.viewport().width(), 0))
        self.horizontalScrollBar().setPageStep(self.viewport().width())

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802
        super().resizeEvent(event)
        if self.layout_ is not None and self.layout_.width != self._column_width() + 2 * MARGIN:
            self._relayout()
        self._update_scrollbars()

    # -- painting ------------------------------------------------------
    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802
        painter = QPainter(self.viewport())
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(Qt.PenStyle.NoPen)  # fillRect(rect, colour) would make PySide build QGradient (its overloads), 3 ms of the first paint
        painter.setBrush(theme.CANVAS_BACKGROUND)
        painter.drawRect(self.viewport().rect())
        layout = self.layout_
        if layout is None or self.endpoint is None:
            painter.setPen(theme.TEXT_MUTED)
            painter.drawText(self.viewport().rect(), Qt.AlignmentFlag.AlignCenter, "Select or create an endpoint in Data & API")
            return
        offset = self._offset()
        painter.translate(offset)
        top, bottom = -offset.y(), -offset.y() + self.viewport().height()
        self._paint_trigger(painter, layout)
        for lane in layout.visible_lanes(top, bottom):
            self._paint_lane(painter, lane)
        for point in layout.visible_inserts(top, bottom):
            self._paint_insert(painter, point)
        for card in layout.visible_cards(top, bottom):
            self._paint_card(painter, card)
        if not self.endpoint.workflow:
            painter.setPen(theme.TEXT_MUTED)
            painter.setFont(theme.font(10))
            first = layout.inserts[0]
            painter.drawText(QRectF(first.x, first.y + 14, first.width, 40), Qt.AlignmentFlag.AlignHCenter, "Drag an action here from the palette, or click +")

    def _paint_trigger(self, painter: QPainter, layout: CanvasLayout) -> None:
        endpoint = self.endpoint
        assert endpoint is not None
        rect = QRectF(layout.trigger.x, layout.trigger.y, layout.trigger.width, layout.trigger.height)
        painter.setPen(QPen(theme.CARD_BORDER, 1))
        painter.setBrush(theme.CARD_BACKGROUND)
        painter.drawRoundedRect(rect, 8, 8)
        self._paint_badge(painter, rect, "trigger", theme.category_colour("Trigger"))
        painter.setPen(theme.TEXT)
        painter.setFont(theme.font(10.5, bold=True))
        if isinstance(endpoint, Endpoint):
            title = f"{endpoint.method} {endpoint.path}"
            inputs = ", ".join(f"{i.name}: {i.type}" for i in endpoint.inputs) or "no inputs"
            detail = f"API endpoint · inputs: {inputs}"
        else:
            title, detail = endpoint.title, endpoint.detail
        self._elided(painter, rect.adjusted(50, 4, -12, -rect.height() / 2), title)
        painter.setPen(theme.TEXT_MUTED)
        painter.setFont(theme.font(8.5))
        self._elided(painter, rect.adjusted(50, rect.height() / 2, -12, -4), detail)

    def _paint_badge(self, painter: QPainter, rect: QRectF, icon: str, colour: QColor) -> None:
        size = min(34.0, rect.height() - 10)
        badge = QRectF(rect.x() + 10, rect.y() + (rect.height() - size) / 2, size, size)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(colour)
        painter.drawRoundedRect(badge, 6, 6)
        inset = size * 0.2
        painter.drawPixmap(badge.adjusted(inset, inset, -inset, -inset).toRect(), theme.icon_pixmap(icon, int(size - 2 * inset), self.devicePixelRatioF()))

    def _paint_card(self, painter: QPainter, card: CardBox) -> None:
        rect = QRectF(card.rect.x, card.rect.y, card.rect.width, card.rect.height)
        selected = card.path == self.selected
        painter.setPen(QPen(theme.CARD_SELECTED if selected else theme.CARD_BORDER, 2 if selected else 1))
        painter.setBrush(theme.CARD_BACKGROUND)
        painter.drawRoundedRect(rect, 6, 6)
        self._paint_badge(painter, rect, card.icon, theme.category_colour(card.category))
        problems = self.problems.get(card.action.id, [])
        right = 12 + (26 if problems else 0)
        painter.setPen(theme.TEXT)
        painter.setFont(theme.font(9.5, bold=True))
        self._elided(painter, rect.adjusted(44, 2, -right, -rect.height() / 2 + 1), card.title)
        painter.setPen(theme.TEXT_MUTED)
        painter.setFont(theme.font(8.5))
        self._elided(painter, rect.adjusted(44, rect.height() / 2 - 1, -right, -2), card.summary)
        if problems:
            self._paint_problem_marker(painter, rect, problems)

    def _paint_problem_marker(self, painter: QPainter, rect: QRectF, problems: list[Problem]) -> None:
        colour = theme.ERROR if any(p.severity == "error" for p in problems) else theme.WARNING
        centre = QPointF(rect.right() - 20, rect.center().y())
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(colour)
        painter.drawEllipse(centre, 8, 8)
        painter.setPen(QColor("white"))
        painter.setFont(theme.font(8.5, bold=True))
        painter.drawText(QRectF(centre.x() - 8, centre.y() - 8, 16, 16), Qt.AlignmentFlag.AlignCenter, "!" if len(problems) == 1 else str(len(problems)))

    def _paint_lane(self, painter: QPainter, lane: LaneBox) -> None:
        rect = QRectF(lane.rect.x, lane.rect.y, lane.rect.width, lane.rect.height)
        painter.setPen(QPen(theme.LANE_BORDER, 1, Qt.PenStyle.DashLine))
        painter.setBrush(theme.LANE_BACKGROUND)
        painter.drawRoundedRect(rect, 6, 6)
        painter.setPen(theme.TEXT_MUTED)
        painter.setFont(theme.font(8.5, bold=True))
        painter.drawText(rect.adjusted(10, 4, -10, 0), Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop, lane.label.upper())

    def _paint_insert(self, painter: QPainter, point: InsertPoint) -> None:
        centre = QPointF(point.x + point.width / 2, point.y)
        active = point is self.drop_insert
        hover = point is self.hover_insert
        colour = theme.INSERT_ACTIVE if active or hover else theme.INSERT
        painter.setPen(QPen(colour, 3 if active else 1))
        if active:
            painter.drawLine(QPointF(point.x, point.y), QPointF(point.x + point.width, point.y))
        else:
            painter.drawLine(QPointF(centre.x(), point.y - GAP / 2), QPointF(centre.x(), point.y + GAP / 2))
        painter.setBrush(colour if hover or active else theme.CANVAS_BACKGROUND)
        painter.drawEllipse(centre, PLUS_RADIUS, PLUS_RADIUS)
        painter.setPen(QPen(QColor("white") if hover or active else colour, 1.6))
        painter.drawLine(QPointF(centre.x() - 3.5, centre.y()), QPointF(centre.x() + 3.5, centre.y()))
        painter.drawLine(QPointF(centre.x(), centre.y() - 3.5), QPointF(centre.x(), centre.y() + 3.5))

    @staticmethod
    def _elided(painter: QPainter, rect: QRectF, text: str) -> None:
        metrics = QFontMetrics(painter.font())
        painter.drawText(rect, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, metrics.elidedText(text, Qt.TextElideMode.ElideRight, int(rect.width())))

    def plus_position(self, path: ActionPath) -> QPoint | None:
        """The "+" of insertion point ``path`` in global coordinates (None when it is scrolled out of view)."""
        if self.layout_ is None:
            return None
        point = next((p for p in self.layout_.inserts if p.path == path), None)
        if point is None:
            return None
        offset = self._offset()
        local = QPointF(point.x + point.width / 2 + offset.x(), point.y + offset.y())
        if not self.viewport().rect().contains(local.toPoint()):
            return None
        return self.viewport().mapToGlobal(local.toPoint())

    # -- mouse and keyboard --------------------------------------------
    def _plus_at(self, x: float, y: float) -> InsertPoint | None:
        if self.layout_ is None:
            return None
        point = self.layout_.insert_near(x, y, radius=PLUS_RADIUS + 2)
        if point is not None and abs(x - (point.x + point.width / 2)) <= PLUS_RADIUS + 2:
            return point
        return None

    def mousePressEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        if self.layout_ is None or event.button() != Qt.MouseButton.LeftButton:
            return super().mousePressEvent(event)
        x, y = self._to_layout(event.position())
        plus = self._plus_at(x, y)
        if plus is not None:
            self.insertRequested.emit(plus.path)
            return
        card = self.layout_.card_at(x, y)
        self.select(card.path if card else None)
        self._press = (event.position().toPoint(), card) if card else None

    def mouseMoveEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        if self._press is not None and event.buttons() & Qt.MouseButton.LeftButton:
            start, card = self._press
            if (event.position().toPoint() - start).manhattanLength() >= QApplication.startDragDistance():
                self._press = None
                self._start_drag(card)
            return
        x, y = self._to_layout(event.position())
        hover = self._plus_at(x, y)
        if hover is not self.hover_insert:
            self.hover_insert = hover
            self.viewport().setCursor(Qt.CursorShape.PointingHandCursor if hover else Qt.CursorShape.ArrowCursor)
            self.viewport().update()

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        self._press = None
        super().mouseReleaseEvent(event)

    def mouseDoubleClickEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        if self.layout_ is not None:
            card = self.layout_.card_at(*self._to_layout(event.position()))
            if card is not None:
                self.activated.emit(card.path)

    def _canvas_actions(self) -> None:
        """The canvas's keys as QActions: listed in Help → Keyboard shortcuts (read from actions) and in the canvas's
        context menu. ``WidgetWithChildrenShortcut``: they act only while the canvas has the focus, never while typing
        in the inspector. A window whose Edit → Delete already takes Delete leaves Backspace to ``delete_action``."""
        self.previous_action = self._key_action("Select previous action", lambda: self.step_selection(-1), Qt.Key.Key_Up)
        self.next_action = self._key_action("Select next action", lambda: self.step_selection(1), Qt.Key.Key_Down)
        self.open_action = self._key_action("Edit selected action in the inspector", self._activate_selected, Qt.Key.Key_Return, Qt.Key.Key_Enter)
        self.insert_action = self._key_action("Add action after the selection…", self._insert_after_selection, Qt.Key.Key_Insert, Qt.Key.Key_Plus)
        self.delete_action = self._key_action("Delete selected action", self._delete_selected, Qt.Key.Key_Delete, Qt.Key.Key_Backspace)
        self.setContextMenuPolicy(Qt.ContextMenuPolicy.ActionsContextMenu)

    def _key_action(self, text: str, slot: Callable[[], object], *keys: Qt.Key) -> QAction:
        action = QAction(text, self)
        action.setShortcuts([QKeySequence(key) for key in keys])
        action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        action.triggered.connect(slot)
        self.addAction(action)
        return action

    def step_selection(self, step: int) -> None:
        """Up and Down: the previous or next card in execution order (the first or last when none is selected)."""
        order = self.layout_.in_execution_order() if self.layout_ else []
        if not order:
            return
        if self.selected not in order:
            self.select(order[0] if step > 0 else order[-1])
        else:
            self.select(order[max(0, min(order.index(self.selected) + step, len(order) - 1))])

    def _insert_after_selection(self) -> None:
        self.insertRequested.emit(self._insertion_after_selection())

    def _activate_selected(self) -> None:
        if self.selected is not None:
            self.activated.emit(self.selected)

    def _delete_selected(self) -> None:
        if self.selected is not None:
            self.deleteRequested.emit(self.selected)

    def _insertion_after_selection(self) -> ActionPath:
        if self.selected is None:
            return (len(self.endpoint.workflow),) if self.endpoint else (0,)
        return (*self.selected[:-1], int(self.selected[-1]) + 1)

    # -- drag and drop -------------------------------------------------
    def _start_drag(self, card: CardBox) -> None:
        assert self.endpoint is not None
        mime = QMimeData()
        payload = {"endpoint": self.endpoint.name, "paths": [list(card.path)]}
        mime.setData(ACTION_PATH_MIME, json.dumps(payload).encode("utf-8"))
        drag = QDrag(self)
        drag.setMimeData(mime)
        drag.exec(Qt.DropAction.MoveAction)
        self._clear_drop()

    def _drop_target(self, mime: QMimeData, position: QPointF) -> InsertPoint | None:
        """Where a drop at ``position`` would go, or None if it is refused there."""
        if self.layout_ is None or self.endpoint is None:
            return None
        x, y = self._to_layout(position)
        point = self.layout_.insert_near(x, y, radius=self.layout_.height)
        if point is None:
            return None
        if mime.hasFormat(ACTION_TYPE_MIME):
            return point
        if mime.hasFormat(ACTION_PATH_MIME):
            source = _dragged_path(mime, self.endpoint.name)
            if source is None or point.path[: len(source)] == source:
                return None  # another endpoint's action, or into its own subtree
            return point
        return None

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:  # noqa: N802
        if event.mimeData().hasFormat(ACTION_TYPE_MIME) or event.mimeData().hasFormat(ACTION_PATH_MIME):
            event.acceptProposedAction()
        else:
            event.ignore()

    def dragMoveEvent(self, event: QDragMoveEvent) -> None:  # noqa: N802
        target = self._drop_target(event.mimeData(), event.position())
        if target is not self.drop_insert:
            self.drop_insert = target
            self.viewport().update()
        if target is None:
            event.ignore()
        else:
            event.acceptProposedAction()

    def dragLeaveEvent(self, event: object) -> None:  # noqa: N802
        self._clear_drop()

    def dropEvent(self, event: QDropEvent) -> None:  # noqa: N802
        mime = event.mimeData()
        target = self._drop_target(mime, event.position())
        self._clear_drop()
        if target is None or self.endpoint is None:
            event.ignore()
            return
        if mime.hasFormat(ACTION_TYPE_MIME):
            type_id = bytes(mime.data(ACTION_TYPE_MIME).data()).decode("utf-8").splitlines()[0]
            self.typeDropped.emit(target.path, type_id)
        else:
            source = _dragged_path(mime, self.endpoint.name)
            self.moveRequested.emit(source, target.path)
        event.acceptProposedAction()

    def _clear_drop(self) -> None:
        if self.drop_insert is not None:
            self.drop_insert = None
            self.viewport().update()


def _dragged_path(mime: QMimeData, endpoint: str) -> ActionPath | None:
    try:
        payload = json.loads(bytes(mime.data(ACTION_PATH_MIME).data()).decode("utf-8"))
        if payload.get("endpoint") != endpoint:
            return None
        return tuple(payload["paths"][0])
    except (ValueError, KeyError, IndexError, TypeError, AttributeError):
        return None
