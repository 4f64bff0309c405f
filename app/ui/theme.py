"""Colours and fonts shared by the editor's painted views, so cards look alike everywhere."""

from __future__ import annotations

from functools import lru_cache

from PySide6.QtCore import QByteArray, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QImage, QPainter, QPixmap
from PySide6.QtSvg import QSvgRenderer

from app.resources import resource_path

CANVAS_BACKGROUND = QColor("#f4f5f7")
CARD_BACKGROUND = QColor("#ffffff")
CARD_BORDER = QColor("#d5d8de")
CARD_SELECTED = QColor("#3b6fe0")
TEXT = QColor("#1f2430")
TEXT_MUTED = QColor("#6b7280")
LANE_BACKGROUND = QColor("#eaedf2")
LANE_BORDER = QColor("#cfd4dc")
INSERT = QColor("#8a93a3")
INSERT_ACTIVE = QColor("#3b6fe0")
WARNING = QColor("#c98a00")
ERROR = QColor("#d0343a")

CATEGORY_COLOURS = {
    "Response": QColor("#3b6fe0"),
    "Flow": QColor("#7c4dcc"),
    "Data": QColor("#12936b"),
    "Integrations": QColor("#d2691e"),
    "Files": QColor("#b8860b"),
    "Debug": QColor("#5f6b7a"),
    "AI": QColor("#c2185b"),
    "Streams": QColor("#0e7c86"),
    "Trigger": QColor("#1f2430"),
    "API": QColor("#3b6fe0"),
    "Page": QColor("#12936b"),
    "Basic": QColor("#3b6fe0"),
    "Stream": QColor("#7c4dcc"),
    "Input": QColor("#12936b"),
    "Layout": QColor("#5f6b7a"),
    "Unknown": QColor("#d0343a"),
}


def category_colour(category: str) -> QColor:
    return CATEGORY_COLOURS.get(category, QColor("#5f6b7a"))


@lru_cache(maxsize=64)
def icon_pixmap(name: str, size: int, device_pixel_ratio: float = 1.0, folder: str = "actions") -> QPixmap:
    """A white line icon from resources/icons/<folder> (actions, widgets), rendered once per size."""
    path = resource_path("icons", folder, f"{name}.svg")
    if not path.exists():
        path = resource_path("icons", "actions", "error.svg")
    renderer = QSvgRenderer(QByteArray(path.read_bytes()))
    pixels = int(size * device_pixel_ratio)
    image = QImage(pixels, pixels, QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    renderer.render(painter, QRectF(0, 0, pixels, pixels))
    painter.end()
    pixmap = QPixmap.fromImage(image)
    pixmap.setDevicePixelRatio(device_pixel_ratio)
    return pixmap


def font(point_size: float, bold: bool = False) -> QFont:
    result = QFont()
    result.setPointSizeF(point_size)
    result.setBold(bold)
    return result
