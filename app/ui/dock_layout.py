"""The main window's default dock arrangement, and dock contents that keep their size.

Why by hand: Qt sizes a dock from its content's size hints, so a label whose
text grows while a stream runs (a status line, a health summary) makes the
whole dock grow, and a panel with a tall minimum (the Run panel's form and
table) stops the bottom dock from being made small. ``dock_body`` puts a
dock's content in a frameless scroll area whose own size hints are small and
constant: the dock keeps the size the user gave it, and content that does not
fit scrolls instead of pushing the layout.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QSize, Qt
from PySide6.QtWidgets import QDockWidget, QFrame, QMainWindow, QScrollArea, QSizePolicy, QTabBar, QWidget

from app.ui.canvas_layout import CARD_HEIGHT, GAP, MARGIN, TRIGGER_HEIGHT

BOTTOM_MIN_HEIGHT = 90
"""How small the bottom dock can be made: a title, a tab bar and a line of content."""
CARDS_SHOWN = 10
"""Cards the canvas shows whole in the default layout (issue 15): the bottom dock gets the height they leave."""
BOTTOM_MOST_SHARE = 0.32
"""The default bottom dock never takes more than this share of the window's height (a tall window keeps its canvas)."""


def canvas_height_for(cards: int) -> int:
    """The canvas height that shows the trigger and ``cards`` cards whole, with the "+" under the last one."""
    return MARGIN + TRIGGER_HEIGHT + cards * (GAP + CARD_HEIGHT) + GAP


class DockBody(QScrollArea):
    """A dock's content with constant size hints: live text inside never resizes the dock."""

    def __init__(self, content: QWidget, minimum: QSize, preferred: QSize) -> None:
        super().__init__()
        self.setObjectName(f"{content.objectName() or type(content).__name__}Body")
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setWidgetResizable(True)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAsNeeded)
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Ignored)
        self._minimum, self._preferred = minimum, preferred
        self.setWidget(content)

    @property
    def content(self) -> QWidget:
        widget = self.widget()
        assert widget is not None
        return widget

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt override
        return self._preferred

    def minimumSizeHint(self) -> QSize:  # noqa: N802 - Qt override
        return self._minimum


def dock_body(content: QWidget, minimum: QSize | None = None, preferred: QSize | None = None) -> DockBody:
    """A dock's body with a small minimum (160 × ``BOTTOM_MIN_HEIGHT`` unless given) and a modest preferred size (400 × 180)."""
    return DockBody(content, minimum or QSize(160, BOTTOM_MIN_HEIGHT), preferred or QSize(400, 180))


@dataclass(frozen=True)
class DefaultLayout:
    """The default sizes for a window of a given size: the canvas gets what the side and bottom docks leave."""

    left: int
    right: int
    bottom: int
    palette: int
    """The Actions palette's share of the left column (the Project sidebar takes the rest)."""

    @classmethod
    def for_window(cls, size: QSize) -> DefaultLayout:
        width, height = size.width(), size.height()
        return cls(
            left=max(250, min(330, int(width * 0.21))),
            right=max(300, min(440, int(width * 0.27))),
            bottom=max(BOTTOM_MIN_HEIGHT + 20, int(height * 0.19)),  # a first guess: ``fit_bottom_dock`` then measures
            palette=max(300, int(height * 0.42)),
        )


def full_height_side_docks(window: QMainWindow) -> None:
    """Side docks take the whole height; the bottom dock sits under the canvas only, so the canvas and the palettes get the height."""
    window.setCorner(Qt.Corner.BottomLeftCorner, Qt.DockWidgetArea.LeftDockWidgetArea)
    window.setCorner(Qt.Corner.TopLeftCorner, Qt.DockWidgetArea.LeftDockWidgetArea)
    window.setCorner(Qt.Corner.BottomRightCorner, Qt.DockWidgetArea.RightDockWidgetArea)
    window.setCorner(Qt.Corner.TopRightCorner, Qt.DockWidgetArea.RightDockWidgetArea)


def fit_bottom_dock(window: QMainWindow, dock: QDockWidget, canvas: QWidget) -> None:
    """Give the bottom dock all the height the canvas does not need for ``CARDS_SHOWN`` cards (up to ``BOTTOM_MOST_SHARE``).

    Measured, not computed from the window's size alone: the menu bar, the status
    bar and the docks' tab bar differ between platforms and fonts. The central
    widget and the dock, as laid out now, share a height; the dock's area (what
    ``resizeDocks`` sizes: the dock and the tab bar of its tabbed group) gets
    what is left of it once the canvas has its cards.
    """
    frame = canvas.height() - canvas.contentsRect().height() if isinstance(canvas, QFrame) else 0
    central = window.centralWidget()
    assert central is not None
    tabs = tab_bar_height(window, dock)
    shared = central.height() + dock.height() + tabs
    most = max(BOTTOM_MIN_HEIGHT + 20, int(window.height() * BOTTOM_MOST_SHARE))
    area = max(BOTTOM_MIN_HEIGHT + 20 + tabs, min(most, shared - canvas_height_for(CARDS_SHOWN) - frame))
    window.resizeDocks([dock], [area], Qt.Orientation.Vertical)


def tab_bar_height(window: QMainWindow, dock: QDockWidget) -> int:
    """The height of the tab bar under ``dock``'s tabbed group (0 when it is not tabbed)."""
    if not window.tabifiedDockWidgets(dock):
        return 0
    titles = {dock.windowTitle(), *(other.windowTitle() for other in window.tabifiedDockWidgets(dock))}
    # The window's own tab bars only: a recursive search would wrap every widget below it (~9 ms at start-up).
    for bar in window.findChildren(QTabBar, options=Qt.FindChildOption.FindDirectChildrenOnly):
        if bar.count() and {bar.tabText(i) for i in range(bar.count())} == titles:
            return bar.sizeHint().height()
    return 0
