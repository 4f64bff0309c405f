"""Quick add: the palette in a popup at a "+" or under the keyboard, type to search, Enter to add."""

from __future__ import annotations

from PySide6.QtCore import QPoint, Qt, Signal
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QFrame, QVBoxLayout, QWidget

from app.editor.action_paths import ActionPath
from app.ui.palette_panel import PalettePanel


class QuickAddPopup(QFrame):
    chosen = Signal(object, str)  # insertion point (an action path, or where a widget goes), type id

    def __init__(self, parent: QWidget | None = None, palette_panel: PalettePanel | None = None) -> None:
        """``palette_panel``: what it offers (default: the endpoint actions)."""
        super().__init__(parent, Qt.WindowType.Popup)
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.palette_panel = palette_panel if palette_panel is not None else PalettePanel(self)
        self.palette_panel.setParent(self)
        self.palette_panel.typeChosen.connect(self._chosen)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.palette_panel)
        self.resize(280, 380)
        self.path: object = (0,)

    def open_at(self, path: ActionPath | object, global_position: QPoint) -> None:
        self.path = path
        self.palette_panel.search.clear()
        self.move(self._placed(global_position))
        self.show()
        self.palette_panel.search.setFocus()

    def _placed(self, anchor: QPoint) -> QPoint:
        """Below and right of ``anchor`` (the "+"), or above it when there is no room below, always whole on the screen."""
        screen = QGuiApplication.screenAt(anchor) or QGuiApplication.primaryScreen()
        if screen is None:
            return anchor
        area = screen.availableGeometry()
        y = anchor.y() + 10
        if y + self.height() > area.bottom() and anchor.y() - 10 - self.height() >= area.top():
            y = anchor.y() - 10 - self.height()
        x = anchor.x() + 12
        return QPoint(max(area.left(), min(x, area.right() - self.width())), max(area.top(), min(y, area.bottom() - self.height())))

    def _chosen(self, type_id: str) -> None:
        self.hide()
        self.chosen.emit(self.path, type_id)
