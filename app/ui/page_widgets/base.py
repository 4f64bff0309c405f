"""What every page widget renderer shares: the Qt widget it owns, changed-props-only updates, design mode.

A renderer turns one ``Widget`` of a page into real Qt widgets. The frame timer
hands it only the props whose value changed (``apply``), so a renderer sets
a Qt property only when told, and where a set is costly (a progress bar's
value, a growing text) it checks again that the shown value really moved.
``visible`` and ``enabled`` are handled here, once. In design mode nothing
is interactive: a press anywhere on the widget asks the page to select it.
"""

from __future__ import annotations

import json
import math
import time
from collections.abc import Callable, Iterator, Mapping
from typing import Any, ClassVar

from PySide6.QtCore import QEvent, QObject, QPoint, Qt, Signal
from PySide6.QtGui import QMouseEvent
from PySide6.QtWidgets import QApplication, QBoxLayout, QGraphicsOpacityEffect, QSizePolicy, QWidget

from app.core.formula import UNDEFINED
from app.core.project import Widget
from app.core.values import is_formula, truthy
from app.core.widgets.layout import PAGE_LAYOUT, ContainerLayout, fills_width, item_layout
from app.core.widgets.registry import default_widget_registry
from app.editor.preview.live_bindings import PENDING

__all__ = ["WIDGET_ID_PROPERTY", "WidgetView", "add_to_box", "display_text", "number", "place_in_box", "repolish"]

WIDGET_ID_PROPERTY = "pageWidgetId"
"""Dynamic property on each renderer's top Qt widget: the page widget id it shows."""

_BLOCKED_IN_DESIGN = frozenset(
    {
        QEvent.Type.MouseButtonPress,
        QEvent.Type.MouseButtonRelease,
        QEvent.Type.MouseButtonDblClick,
        QEvent.Type.KeyPress,
        QEvent.Type.KeyRelease,
        QEvent.Type.ContextMenu,
    }
)
_HIDDEN_IN_DESIGN_OPACITY = 0.4
QWIDGETSIZE_MAX = (1 << 24) - 1
"""Qt's largest widget size: no maximum width."""


def display_text(value: Any) -> str:
    """A bound value as a person reads it: strings as they are, numbers without ``.0``, JSON for the rest, nothing for null."""
    if isinstance(value, str):
        return value
    if value is None or value is UNDEFINED or value is PENDING:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        if not math.isfinite(value):
            return ""
        return str(int(value)) if value.is_integer() and abs(value) < 1e21 else repr(value)
    if isinstance(value, int):
        return str(value)
    try:
        return json.dumps(value, ensure_ascii=False, separators=(", ", ": "), default=str)
    except (TypeError, ValueError):
        return str(value)


def number(value: Any, default: float = 0.0) -> float:
    """A bound value as a finite number (numeric strings too); ``default`` for anything else."""
    if isinstance(value, bool) or value is None:
        return default
    if isinstance(value, (int, float)):
        result = float(value)
    elif isinstance(value, str):
        try:
            result = float(value.strip())
        except ValueError:
            return default
    else:
        return default
    return result if math.isfinite(result) else default


def repolish(widget: QWidget) -> None:
    """Re-apply the style sheet after a dynamic property used by a selector changed."""
    style = widget.style()
    style.unpolish(widget)
    style.polish(widget)


def add_to_box(layout: QBoxLayout, view: WidgetView, container: ContainerLayout = PAGE_LAYOUT) -> None:
    """Add a view to a row or column laid out as ``container`` says (see :func:`place_in_box`)."""
    layout.addWidget(view.qwidget)
    place_in_box(layout, view, container)


_CROSS_FLAGS = {
    # (row?, align) -> the Qt alignment that places a widget across its container
    (False, "start"): Qt.AlignmentFlag.AlignLeft,
    (False, "center"): Qt.AlignmentFlag.AlignHCenter,
    (False, "end"): Qt.AlignmentFlag.AlignRight,
    (False, "stretch"): Qt.AlignmentFlag.AlignLeft,  # only for what keeps its width: it sits at the start
    (True, "start"): Qt.AlignmentFlag.AlignTop,
    (True, "center"): Qt.AlignmentFlag.AlignVCenter,
    (True, "end"): Qt.AlignmentFlag.AlignBottom,
    (True, "stretch"): Qt.AlignmentFlag.AlignTop,  # only for what cannot grow taller (a button)
}


def place_in_box(layout: QBoxLayout, view: WidgetView, container: ContainerLayout = PAGE_LAYOUT) -> None:
    """Size and align a view in its row or column from its layout props (``app.core.widgets.layout``).

    Width: ``fixed`` pins it; a filling view grows (in a row it shares the
    leftover width with the other filling views); otherwise it keeps its
    natural width. Across the container it is placed by its ``align``.
    """
    widget = view.qwidget
    item = item_layout(view.widget.props, container)
    fills = fills_width(item, container, view.fills_width)
    if item.width == "fixed":
        widget.setFixedWidth(item.fixed_width)
    else:
        widget.setMinimumWidth(view.natural_minimum_width)
        widget.setMaximumWidth(QWIDGETSIZE_MAX)
    policy = QSizePolicy(view.natural_policy)
    if item.width == "fill":
        policy.setHorizontalPolicy(QSizePolicy.Policy.Expanding)  # a button told to fill grows past its label
    widget.setSizePolicy(policy)
    if container.row:
        layout.setStretchFactor(widget, 1 if fills else 0)
        grows = bool(policy.verticalPolicy().value & QSizePolicy.PolicyFlag.GrowFlag.value)
        stretched = item.align == "stretch" and grows
        layout.setAlignment(widget, Qt.AlignmentFlag(0) if stretched else _CROSS_FLAGS[True, item.align])
    else:
        layout.setStretchFactor(widget, 0)
        layout.setAlignment(widget, Qt.AlignmentFlag(0) if fills else _CROSS_FLAGS[False, item.align])


class WidgetView(QObject):
    """One page widget rendered with real Qt widgets (``qwidget``); subclasses build it and apply their props.

    Subclasses set ``type_id``, implement :meth:`create` and :meth:`apply_props`,
    and may override :meth:`can_enable` (a Download button without a URL).
    A renderer whose update is costly may hold a value back for a later frame
    (the chunk list under a flood): it says so with :attr:`pending`, and the
    frame timer keeps ticking and calls :meth:`catch_up` until it is shown
    (when :attr:`catch_up_due`, in a frame that does nothing else).
    ``clock`` (``time.monotonic`` unless the page gives another) is what such
    a renderer times itself by.
    """

    type_id: ClassVar[str] = ""
    fills_width: ClassVar[bool] = True
    """False for widgets that keep their natural width (buttons)."""

    selectRequested = Signal(str)
    """(widget id): pressed in design mode."""
    dragRequested = Signal(str)
    """(widget id): pressed and moved past the drag distance in design mode: the page starts a drag."""

    def __init__(self, widget: Widget, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.widget = widget
        self.widget_id = widget.id
        self._design = False
        self._visible = True
        self._enabled = True
        self._qt_visible = True
        self._focus_policies: dict[QWidget, Qt.FocusPolicy] = {}
        self._accepts_drops: dict[QWidget, bool] = {}
        self._press: QPoint | None = None
        self.clock: Callable[[], float] = time.monotonic
        self.qwidget: QWidget = self.create(parent)
        self.qwidget.setProperty(WIDGET_ID_PROPERTY, widget.id)
        self.natural_policy = QSizePolicy(self.qwidget.sizePolicy())
        """The size policy its type gives it; layout props change a copy of it (``place_in_box``)."""
        self.natural_minimum_width = self.qwidget.minimumWidth()
        self._own_widgets = [self.qwidget, *self.qwidget.findChildren(QWidget)]
        for own in self._own_widgets:
            own.installEventFilter(self)
        self.apply(self.initial_values())

    # -- for subclasses -----------------------------------------------------------
    def create(self, parent: QWidget | None) -> QWidget:
        """Build and return the Qt widget; children it creates now belong to this view (design mode covers them)."""
        raise NotImplementedError

    def apply_props(self, values: Mapping[str, Any]) -> None:
        """Show the props in ``values`` (only those that changed); ``visible``/``enabled`` are already handled."""

    def can_enable(self) -> bool:
        """Whether the widget's own state allows it to be enabled (ANDed with the ``enabled`` prop)."""
        return True

    @property
    def pending(self) -> bool:
        """Whether a value given to :meth:`apply` is held back for a later frame."""
        return False

    @property
    def catch_up_due(self) -> bool:
        """Whether what is held back is due now (the driver then gives :meth:`catch_up` a frame of its own)."""
        return False

    def catch_up(self) -> None:
        """A frame went by: show what is held back, if its time has come."""

    # -- the page's side --------------------------------------------------------------
    def initial_values(self) -> dict[str, Any]:
        """What to show before any binding was evaluated: declared defaults, overridden by literal props."""
        values: dict[str, Any] = {}
        registry = default_widget_registry()
        if self.widget.type in registry:
            for spec in registry.get(self.widget.type).specs:
                if not is_formula(spec.default) and not hasattr(spec.default, "model_dump"):
                    values[spec.alias] = spec.default
        values.update((key, value) for key, value in self.widget.props.items() if not is_formula(value))
        return values

    def apply(self, values: Mapping[str, Any]) -> None:
        """Show changed props: ``{"value": 3, "visible": False}``."""
        if "visible" in values:
            self._set_visible(truthy(values["visible"]))
        if "enabled" in values:
            self._enabled = truthy(values["enabled"])
            self.refresh_enabled()
        self.apply_props(values)

    def set_design_mode(self, on: bool) -> None:
        """In design mode the widget takes no input (a press selects it) and hidden widgets show faded."""
        if on == self._design:
            return
        self._design = on
        for own in self._own_widgets:
            if on:  # no focus, and drags pass through to the page, which places widgets
                self._focus_policies[own] = own.focusPolicy()
                own.setFocusPolicy(Qt.FocusPolicy.NoFocus)
                self._accepts_drops[own] = own.acceptDrops()
                own.setAcceptDrops(False)
            else:
                if own in self._focus_policies:
                    own.setFocusPolicy(self._focus_policies.pop(own))
                if own in self._accepts_drops:
                    own.setAcceptDrops(self._accepts_drops.pop(own))
        self._show_visibility()

    @property
    def design_mode(self) -> bool:
        return self._design

    @property
    def visible(self) -> bool:
        """The ``visible`` prop as last applied (in design mode the widget shows anyway)."""
        return self._visible

    def iter_views(self) -> Iterator[WidgetView]:
        """This view and, for a container, every view inside it."""
        yield self

    def refresh_enabled(self) -> None:
        enabled = self._enabled and self.can_enable()
        if self.qwidget.isEnabled() != enabled:
            self.qwidget.setEnabled(enabled)

    # -- internals ------------------------------------------------------------------
    def _set_visible(self, visible: bool) -> None:
        if visible == self._visible:
            return
        self._visible = visible
        self._show_visibility()

    def _show_visibility(self) -> None:
        shown = self._visible or self._design
        if shown != self._qt_visible:  # never show() a widget nobody hid: a top-level one would open a window
            self._qt_visible = shown
            self.qwidget.setVisible(shown)
        faded = self._design and not self._visible
        if faded and not isinstance(self.qwidget.graphicsEffect(), QGraphicsOpacityEffect):
            effect = QGraphicsOpacityEffect(self.qwidget)
            effect.setOpacity(_HIDDEN_IN_DESIGN_OPACITY)
            self.qwidget.setGraphicsEffect(effect)
        elif not faded and self.qwidget.graphicsEffect() is not None:
            self.qwidget.setGraphicsEffect(None)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt's name
        if not getattr(self, "_design", False):  # also while the wrapper is being torn down
            return False
        try:
            kind = event.type()
        except (KeyError, ValueError):  # a type value the enum does not name
            return False
        if kind == QEvent.Type.MouseButtonPress and isinstance(event, QMouseEvent):
            self._press = event.globalPosition().toPoint() if event.button() == Qt.MouseButton.LeftButton else None
            self.selectRequested.emit(self.widget_id)
            return True
        if kind == QEvent.Type.MouseMove and isinstance(event, QMouseEvent) and self._press is not None:
            if not event.buttons() & Qt.MouseButton.LeftButton:
                self._press = None
            elif (event.globalPosition().toPoint() - self._press).manhattanLength() >= QApplication.startDragDistance():
                self._press = None
                self.dragRequested.emit(self.widget_id)
            return True
        if kind == QEvent.Type.MouseButtonRelease:
            self._press = None
        return kind in _BLOCKED_IN_DESIGN
