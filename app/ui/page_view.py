"""A page as its users will see it: real Qt widgets on a white page, fed with binding updates.

``PageView`` builds one renderer per widget (``app.ui.page_widgets``) and
applies the values the frame timer hands it (``apply``); it never evaluates a
formula or reads a stream itself. The designer shows it in design mode, where
widgets take no input and a click selects one (outlined in the accent blue);
the preview shows it live, where buttons, downloads and inputs emit signals
for the page session to act on. Binding and workflow errors show in a strip
under the title.

In design mode the page also takes drops, from the palette or a widget
dragged on the page itself: an insertion marker follows the mouse
(``page_drop``) and ``dropRequested`` says where the drop lands; the
designer turns it into one undo command. With the focus on the page, Up and
Down select the previous and next widget.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from PySide6.QtCore import QEvent, QMimeData, QObject, QPoint, QRect, Qt, Signal
from PySide6.QtGui import QAction, QColor, QDrag, QDragEnterEvent, QDragLeaveEvent, QDragMoveEvent, QDropEvent, QFont, QKeySequence, QPainter, QPaintEvent, QPen
from PySide6.QtWidgets import (
    QAbstractButton,
    QBoxLayout,
    QFrame,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QProgressBar,
    QScrollArea,
    QSizePolicy,
    QTextEdit,
    QVBoxLayout,
    QWidget,
)

from app.core.project import Page
from app.core.widgets.layout import PAGE_LAYOUT
from app.editor.preview.live_bindings import BindingUpdate
from app.editor.widget_drops import dragged_widget, is_widget_drag, widget_mime
from app.ui import theme
from app.ui.page_drop import DropMarker, DropSpot, Level, find_drop_spot
from app.ui.page_widgets import WidgetView, view_for
from app.ui.page_widgets.base import add_to_box
from app.ui.page_widgets.button import ButtonView
from app.ui.page_widgets.download_button import DownloadButtonView
from app.ui.page_widgets.style import stylesheet
from app.ui.page_widgets.text_input import TextInputView

__all__ = ["PageView"]

MARGIN = 28
SPACING = PAGE_LAYOUT.spacing
MAX_ERRORS_SHOWN = 5
PAGE_SELECTED = ""
"""``widgetSelected`` with no widget id: the page itself (its empty area was clicked)."""


def _text_rects(target: QWidget, surface: QWidget) -> list[QRect]:
    """Where ``target`` and its children draw text, on ``surface``: a label's text as it is aligned (not its whole row),
    a progress bar showing its text, buttons and fields whole."""
    rects: list[QRect] = []
    for widget in [target, *target.findChildren(QWidget)]:
        if not widget.isVisible():
            continue
        if isinstance(widget, QLabel):
            if not widget.text():
                continue
            flags = int(widget.alignment().value) | (int(Qt.TextFlag.TextWordWrap.value) if widget.wordWrap() else 0)
            local = widget.fontMetrics().boundingRect(widget.contentsRect(), flags, widget.text())
        elif isinstance(widget, QProgressBar):
            if not widget.isTextVisible():
                continue
            local = widget.rect()
        elif isinstance(widget, (QTextEdit, QPlainTextEdit)):  # text from the top left: the corner beyond it is free
            text = widget.toPlainText() or widget.placeholderText()
            if not text:
                continue
            area = widget.contentsRect().adjusted(4, 4, -4, -4)
            flags = int(Qt.AlignmentFlag.AlignLeft.value | Qt.AlignmentFlag.AlignTop.value | Qt.TextFlag.TextWordWrap.value)
            local = widget.fontMetrics().boundingRect(area, flags, text)
        elif isinstance(widget, QAbstractButton):  # its text centred (with some room for an icon)
            local = widget.fontMetrics().boundingRect(widget.rect(), int(Qt.AlignmentFlag.AlignCenter.value), widget.text()).adjusted(-24, -2, 8, 2)
        elif isinstance(widget, QLineEdit):
            text = widget.text() or widget.placeholderText()
            local = widget.fontMetrics().boundingRect(widget.contentsRect().adjusted(6, 0, 0, 0), int(widget.alignment().value), text) if text else QRect()
        else:
            continue
        rects.append(local.translated(widget.mapTo(surface, QPoint(0, 0))))
    return rects


class _SelectionFrame(QWidget):
    """The outline around the selected widget, drawn over the page; clicks go through it."""

    PAD = 4

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        self.setAttribute(Qt.WidgetAttribute.WA_NoSystemBackground)
        self.tag = ""
        self.tag_above = True
        self._body = QRect()
        self._tag = QRect()
        font = QFont(self.font())
        font.setPixelSize(11)
        font.setBold(True)
        self.setFont(font)
        self.hide()

    TAG_HEIGHT = 18

    def follow(self, target: QWidget, surface: QWidget, others: list[QRect] | None = None) -> None:
        """Outline ``target`` and place its id tag where it hides nothing: never another widget (``others``, rectangles
        on ``surface``), never the target's own text (a label's or a progress bar's text, a button, a field).

        First choice is a strip just outside the outline (above, then below, left end, then right end; then beside it)
        that is on the surface and free; else a corner inside the outline clear of the target's text (it may cover part of a bar's
        fill); else inside the top-right corner: a widget too small for its tag in a tight spot (a short button between
        neighbours) has part of itself covered, never a neighbour.
        """
        top_left = target.mapTo(surface, QPoint(0, 0))
        body = QRect(top_left, target.size()).adjusted(-self.PAD, -self.PAD, self.PAD, self.PAD)
        width, height = self._tag_width(), self.TAG_HEIGHT
        left, right = body.left(), body.right() - width + 1
        outside = [QRect(x, y, width, height) for y in (body.top() - height, body.bottom() + 1) for x in (left, right)]
        outside += [QRect(body.left() - width - 1, body.top(), width, height), QRect(body.right() + 2, body.top(), width, height)]  # beside it
        inside = [QRect(x, y, width, height) for y in (body.top() + 3, body.bottom() - height - 2) for x in (body.right() - width - 2, left + 3)]
        content = _text_rects(target, surface)
        blocked = others or []
        free = [r for r in outside if surface.rect().contains(r) and not any(r.intersects(o) for o in blocked)]
        free += [r for r in inside if not any(r.intersects(c) for c in content) and not any(r.intersects(o) for o in blocked)]
        self._body = body
        self._tag = free[0] if free else inside[0]
        self.tag_above = self._tag.bottom() < body.top()
        self.setGeometry(body.united(self._tag) if self.tag else body)
        self.raise_()

    def _tag_width(self) -> int:
        return self.fontMetrics().horizontalAdvance(self.tag) + 16 if self.tag else 0

    def tag_rect(self) -> QRect:
        """Where the tag is drawn, in the frame's coordinates."""
        return self._tag.translated(-self.geometry().topLeft())

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 - Qt's name
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        accent = theme.CARD_SELECTED
        body = self._body.translated(-self.geometry().topLeft()).adjusted(1, 1, -1, -1)
        fill = QColor(accent)
        fill.setAlpha(14)
        painter.setBrush(fill)
        painter.setPen(QPen(accent, 2))
        painter.drawRoundedRect(body, 6, 6)
        if self.tag:
            font = QFont(self.font())
            font.setPixelSize(11)
            font.setBold(True)
            painter.setFont(font)
            tag = self.tag_rect()
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(accent)
            painter.drawRoundedRect(tag, 4, 4)
            painter.setPen(QColor("#ffffff"))
            painter.drawText(tag, Qt.AlignmentFlag.AlignCenter, self.tag)
        painter.end()


class PageView(QWidget):
    """One page's widgets; see the module docstring. ``view(id)`` gives a widget's renderer."""

    widgetSelected = Signal(str)
    """(widget id, or "" for the page itself): clicked in design mode."""
    buttonClicked = Signal(str)
    """(widget id): a Button was clicked (live only)."""
    downloadRequested = Signal(str, str, str, str)
    """(widget id, url, action ``save``/``open``, suggested file name or "")."""
    inputEdited = Signal(str, str, str)
    """(widget id, page variable, text): the user typed in a Text input."""
    dropRequested = Signal(QMimeData, object, int)
    """(the drag's data, container id or None for the page, index): a drop in design mode, where the marker was."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("pageView")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground)
        self.setStyleSheet(stylesheet())
        self._page: Page | None = None
        self._views: dict[str, WidgetView] = {}
        self._top: list[WidgetView] = []
        self._design = False
        self._selected: str | None = None
        self._errors: list[str] = []
        self._clock: Callable[[], float] = time.monotonic
        self._build()
        self._select_actions()
        self.setAcceptDrops(True)

    def _build(self) -> None:
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        self.scroll_area = QScrollArea(self)
        self.scroll_area.setObjectName("pageScroll")
        self.scroll_area.setWidgetResizable(True)
        self.scroll_area.setFrameShape(QFrame.Shape.NoFrame)
        self.scroll_area.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # the page's own keys (Up, Down) go to the page
        outer.addWidget(self.scroll_area)
        viewport = QWidget()
        viewport.setObjectName("pageViewport")
        around = QVBoxLayout(viewport)
        around.setContentsMargins(24, 24, 24, 24)
        self.surface = QFrame(viewport)
        self.surface.setObjectName("pageSurface")
        self.surface.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Maximum)
        around.addWidget(self.surface)
        around.addStretch(1)
        layout = QVBoxLayout(self.surface)
        layout.setContentsMargins(MARGIN, MARGIN - 4, MARGIN, MARGIN)
        layout.setSpacing(SPACING)
        self.title_label = QLabel(self.surface)
        self.title_label.setObjectName("pageTitle")
        self.title_label.setTextFormat(Qt.TextFormat.PlainText)
        self.error_label = QLabel(self.surface)
        self.error_label.setObjectName("pageErrors")
        self.error_label.setTextFormat(Qt.TextFormat.PlainText)
        self.error_label.setWordWrap(True)
        self.error_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.error_label.hide()
        self.empty_label = QLabel("This page has no widgets yet.", self.surface)
        self.empty_label.setObjectName("pageEmpty")
        self.body = QWidget(self.surface)
        self.body.setObjectName("pageBody")
        self.body_layout = QBoxLayout(QBoxLayout.Direction.TopToBottom, self.body)
        self.body_layout.setContentsMargins(0, 4, 0, 0)
        self.body_layout.setSpacing(SPACING)
        layout.addWidget(self.title_label)
        layout.addWidget(self.error_label)
        layout.addWidget(self.empty_label)
        layout.addWidget(self.body)
        self.scroll_area.setWidget(viewport)
        self.selection = _SelectionFrame(self.surface)
        self.drop_marker = DropMarker(self.surface)
        self.surface.installEventFilter(self)
        viewport.installEventFilter(self)

    # -- the page ---------------------------------------------------------------------
    def set_page(self, page: Page | None) -> None:
        """Build the widgets of ``page`` (None: an empty view); the selection stays if its widget still exists."""
        for view in self._top:
            view.qwidget.setParent(None)
            view.qwidget.deleteLater()
            view.deleteLater()
        self._views, self._top = {}, []
        self._page = page
        self.title_label.setText((page.title or page.name) if page is not None else "")
        self.title_label.setVisible(page is not None)
        self.drop_marker.clear()
        for widget in page.widgets if page is not None else []:
            view = view_for(widget, self.body)
            self._top.append(view)
            add_to_box(self.body_layout, view, PAGE_LAYOUT)
        for view in self._top:
            for inner in view.iter_views():
                self._adopt(inner)
        self.empty_label.setVisible(page is not None and not page.widgets)
        self.select(self._selected if self._selected in self._views else None)

    def page(self) -> Page | None:
        return self._page

    def _adopt(self, view: WidgetView) -> None:
        self._views[view.widget_id] = view
        view.clock = self._clock
        view.set_design_mode(self._design)
        view.selectRequested.connect(self._on_select_requested)
        view.dragRequested.connect(self._start_drag)
        if isinstance(view, ButtonView):
            view.clicked.connect(self.buttonClicked)
        elif isinstance(view, DownloadButtonView):
            view.download.connect(self.downloadRequested)
        elif isinstance(view, TextInputView):
            view.edited.connect(self.inputEdited)

    def view(self, widget_id: str) -> WidgetView:
        """The renderer of a widget; KeyError if the page has none with that id."""
        return self._views[widget_id]

    def views(self) -> dict[str, WidgetView]:
        return dict(self._views)

    # -- values -----------------------------------------------------------------------
    def apply(self, updates: Iterable[BindingUpdate]) -> None:
        """Show new values: each widget gets its changed props in one ``apply``."""
        grouped: dict[str, dict[str, Any]] = {}
        for update in updates:
            grouped.setdefault(update.widget_id, {})[update.prop] = update.value
        views = self._views
        for widget_id, values in grouped.items():
            view = views.get(widget_id)
            if view is not None:
                view.apply(values)

    @property
    def pending(self) -> bool:
        """Whether a renderer holds a value back for a later frame (the frame timer keeps ticking)."""
        return any(view.pending for view in self._views.values())

    @property
    def catch_up_due(self) -> bool:
        """Whether a renderer's held-back value is due now (see ``PreviewDriver``: it gets a frame of its own)."""
        return any(view.catch_up_due for view in self._views.values())

    def catch_up(self) -> None:
        """A frame went by: renderers show what they held back once its time has come."""
        for view in self._views.values():
            if view.pending:
                view.catch_up()

    def set_clock(self, clock: Callable[[], float]) -> None:
        """What renderers time themselves by (``time.monotonic``; a test gives a clock it steps)."""
        self._clock = clock
        for view in self._views.values():
            view.clock = clock

    def show_errors(self, messages: Sequence[str]) -> None:
        """Binding and call errors under the title; none hides the strip."""
        messages = list(messages)
        if messages == self._errors:
            return
        self._errors = messages
        shown = messages[:MAX_ERRORS_SHOWN]
        more = len(messages) - len(shown)
        text = "\n".join(f"• {message}" for message in shown) + (f"\n… and {more} more" if more else "")
        self.error_label.setText(text)
        self.error_label.setToolTip("\n".join(messages) if more else "")
        self.error_label.setVisible(bool(messages))

    def errors(self) -> list[str]:
        return list(self._errors)

    # -- design mode and selection ------------------------------------------------------
    def set_design_mode(self, on: bool) -> None:
        """Design mode: nothing is interactive, a click selects; live: widgets work, no selection outline."""
        self._design = on
        self.previous_action.setEnabled(on)
        self.next_action.setEnabled(on)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus if on else Qt.FocusPolicy.NoFocus)
        for view in self._views.values():
            view.set_design_mode(on)
        if not on:
            self.drop_marker.clear()
        self._show_selection()

    @property
    def design_mode(self) -> bool:
        return self._design

    def select(self, widget_id: str | None) -> None:
        """Outline ``widget_id`` (None: nothing); shown in design mode only. Emits nothing."""
        previous = self._views.get(self._selected) if self._selected else None
        if previous is not None:
            previous.qwidget.removeEventFilter(self)
        self._selected = widget_id if widget_id in self._views else None
        current = self._views.get(self._selected) if self._selected else None
        if current is not None:
            current.qwidget.installEventFilter(self)
        self._show_selection()

    def selected(self) -> str | None:
        return self._selected

    def _on_select_requested(self, widget_id: str) -> None:
        if self._design:
            self.select(widget_id)
            self.setFocus(Qt.FocusReason.MouseFocusReason)  # the designer's keys (Alt+arrows, Delete) now act on it
            self.widgetSelected.emit(widget_id)

    def _select_actions(self) -> None:
        """Design mode's Up and Down as QActions (so Help → Keyboard shortcuts lists them), acting only while the page has
        the focus, and only in design mode: while previewing the keys belong to the page's own widgets."""
        self.previous_action = QAction("Select previous widget", self)
        self.next_action = QAction("Select next widget", self)
        for action, key, step in ((self.previous_action, Qt.Key.Key_Up, -1), (self.next_action, Qt.Key.Key_Down, 1)):
            action.setShortcut(QKeySequence(key))
            action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            action.setEnabled(False)
            action.triggered.connect(lambda _checked=False, step=step: self.step_selection(step))
            self.addAction(action)

    def step_selection(self, step: int) -> None:
        """Select the previous (-1) or next (1) widget in page order (the first or last when none is), and show it."""
        order = list(self._views)
        if not self._design or not order:
            return
        if self._selected not in order:
            target = order[0] if step > 0 else order[-1]
        else:
            target = order[max(0, min(order.index(self._selected) + step, len(order) - 1))]
        self.select(target)
        self.widgetSelected.emit(target)
        self.scroll_area.ensureWidgetVisible(self._views[target].qwidget, 20, 20)

    # -- drag and drop (design mode) ----------------------------------------------------------
    def _top_level(self) -> Level:
        return Level(None, PAGE_LAYOUT, self._top, self.body, self.empty_label if not self._top else None)

    def drop_spot(self, mime: QMimeData, position: QPoint) -> DropSpot | None:
        """Where a drag with ``mime`` at ``position`` (this view's coordinates) would drop; None where it cannot."""
        if not self._design or self._page is None or not is_widget_drag(mime):
            return None
        dragged = dragged_widget(mime)
        if dragged is not None and (dragged[0] != self._page.name or dragged[1] not in self._views):
            return None  # another page's widget: the designer says to copy and paste it instead
        point = self.surface.mapFrom(self, position)
        return find_drop_spot(self._top_level(), point, self.surface, dragged[1] if dragged else None)

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:  # noqa: N802 - Qt's name
        if self.drop_spot(event.mimeData(), event.position().toPoint()) is None:
            event.ignore()
            return
        event.acceptProposedAction()

    def dragMoveEvent(self, event: QDragMoveEvent) -> None:  # noqa: N802 - Qt's name
        spot = self.drop_spot(event.mimeData(), event.position().toPoint())
        if spot is None:
            self.drop_marker.clear()
            event.ignore()
            return
        self.drop_marker.show_spot(spot)
        event.acceptProposedAction()

    def dragLeaveEvent(self, event: QDragLeaveEvent) -> None:  # noqa: N802 - Qt's name
        self.drop_marker.clear()

    def dropEvent(self, event: QDropEvent) -> None:  # noqa: N802 - Qt's name
        spot = self.drop_spot(event.mimeData(), event.position().toPoint())
        self.drop_marker.clear()
        if spot is None:
            event.ignore()
            return
        event.acceptProposedAction()
        self.dropRequested.emit(event.mimeData(), spot.parent, spot.index)

    def _start_drag(self, widget_id: str) -> None:
        """A widget pressed and moved on the page: drag it (the drop is a move, one undo step)."""
        view = self._views.get(widget_id)
        if not self._design or self._page is None or view is None:
            return
        drag = QDrag(self)
        drag.setMimeData(widget_mime(self._page.name, widget_id))
        picture = view.qwidget.grab()
        if not picture.isNull():
            drag.setPixmap(picture.scaledToWidth(min(picture.width(), 320), Qt.TransformationMode.SmoothTransformation))
        drag.exec(Qt.DropAction.MoveAction)
        self.drop_marker.clear()

    def _show_selection(self) -> None:
        view = self._views.get(self._selected) if self._selected else None
        if view is None or not self._design:
            self.selection.hide()
            return
        self.selection.tag = view.widget_id
        others = [
            QRect(other.qwidget.mapTo(self.surface, QPoint(0, 0)), other.qwidget.size())
            for other in self._views.values()
            if other is not view and other.qwidget.isVisible() and not other.qwidget.isAncestorOf(view.qwidget)
        ]
        others.append(self.title_label.geometry())
        self.selection.follow(view.qwidget, self.surface, others)
        self.selection.show()
        self.selection.update()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt's name
        if not hasattr(self, "selection"):  # being torn down
            return False
        try:
            kind = event.type()
        except (KeyError, ValueError):  # a type value the enum does not name
            return False
        if kind in (QEvent.Type.Move, QEvent.Type.Resize, QEvent.Type.Show, QEvent.Type.Hide, QEvent.Type.LayoutRequest):
            if self._selected is not None:
                self._show_selection()
        elif kind == QEvent.Type.MouseButtonPress and self._design and watched is not self._selected_widget():
            if watched is self.surface or watched is self.scroll_area.widget():
                self.select(None)
                self.widgetSelected.emit(PAGE_SELECTED)
                return True
        return False

    def _selected_widget(self) -> QWidget | None:
        view = self._views.get(self._selected) if self._selected else None
        return view.qwidget if view is not None else None
