"""The inspector's header: the action's badge, its editable title, its type and id."""

from __future__ import annotations

from PySide6.QtCore import QRectF, Qt, Signal
from PySide6.QtGui import QColor, QPainter, QPixmap
from PySide6.QtWidgets import QGridLayout, QLabel, QLineEdit, QWidget

from app.core.project import Action
from app.core.registry import ActionType
from app.ui import theme

BADGE = 34


def badge_pixmap(icon: str, colour: QColor, device_pixel_ratio: float, folder: str = "actions") -> QPixmap:
    """The same badge as on the canvas card: a white icon on the category colour."""
    pixels = int(BADGE * device_pixel_ratio)
    pixmap = QPixmap(pixels, pixels)
    pixmap.setDevicePixelRatio(device_pixel_ratio)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(colour)
    painter.drawRoundedRect(QRectF(0, 0, BADGE, BADGE), 8, 8)
    painter.drawPixmap(QRectF(7, 7, 20, 20).toRect(), theme.icon_pixmap(icon, 20, device_pixel_ratio, folder=folder))
    painter.end()
    return pixmap


class ActionHeader(QWidget):
    """Emits ``titleEdited(text)`` as the user types; ``set_action`` never emits."""

    titleEdited = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("actionHeader")
        self.badge = QLabel(self)
        self.badge.setFixedSize(BADGE, BADGE)
        self.title = QLineEdit(self)
        self.title.setObjectName("actionTitle")
        self.title.setAccessibleName("Action title")
        self.title.setFont(theme.font(12, bold=True))
        self.type_label = QLabel(self)
        self.type_label.setObjectName("actionType")
        self.type_label.setWordWrap(True)
        self.id_label = QLabel(self)
        self.id_label.setObjectName("actionId")
        self.id_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout = QGridLayout(self)
        layout.setContentsMargins(14, 12, 14, 12)
        layout.setHorizontalSpacing(10)
        layout.setVerticalSpacing(2)
        layout.addWidget(self.badge, 0, 0, 3, 1, Qt.AlignmentFlag.AlignTop)
        layout.addWidget(self.title, 0, 1)
        layout.addWidget(self.type_label, 1, 1)
        layout.addWidget(self.id_label, 2, 1)
        layout.setColumnStretch(1, 1)
        self.title.textEdited.connect(self.titleEdited)

    def set_action(self, action: Action, action_type: ActionType | None) -> None:
        type_title = action_type.title if action_type else action.type
        icon = action_type.icon if action_type else "error"
        colour = theme.category_colour(action_type.category if action_type else "Unknown")
        self.badge.setPixmap(badge_pixmap(icon, colour, self.devicePixelRatioF()))
        self.title.setPlaceholderText(type_title)
        if self.title.text() != (action.title or ""):
            self.title.setText(action.title or "")
        self.type_label.setText(type_title if action_type is None else f"{type_title} · {action_type.id}")
        self.type_label.setToolTip(action_type.description if action_type else "unknown action type")
        self.id_label.setText(f"id {action.id}")
        self.id_label.setToolTip(f"Later formulas read this action's result as results.{action.id}")
