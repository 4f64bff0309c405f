"""Download button: shows its label, is enabled once it has a URL, and asks the page to save or open that URL.

Typically bound to ``stream.chunk.downloadUrl``: disabled until the message
carrying it arrives. The URL is in the tooltip, so a designer can see what a
click would fetch. The page (not this widget) does the download.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache
from typing import Any

from PySide6.QtCore import QByteArray, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QIcon, QImage, QPainter, QPixmap
from PySide6.QtSvg import QSvgRenderer
from PySide6.QtWidgets import QPushButton, QSizePolicy, QWidget

from app.resources import resource_path
from app.ui import theme
from app.ui.page_widgets.base import WidgetView, display_text

__all__ = ["DownloadButtonView"]

ICON_SIZE = 16
_DISABLED = "#a3aab6"


@lru_cache(maxsize=8)
def _pixmap(colour: str, size: int) -> QPixmap:
    """The widget icon (drawn white for cards) redrawn in ``colour``."""
    svg = resource_path("icons", "widgets", "download.svg").read_bytes().replace(b"#ffffff", colour.encode())
    renderer = QSvgRenderer(QByteArray(svg))
    ratio = 2  # sharp on HiDPI screens too
    image = QImage(size * ratio, size * ratio, QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    renderer.render(painter, QRectF(0, 0, size * ratio, size * ratio))
    painter.end()
    pixmap = QPixmap.fromImage(image)
    pixmap.setDevicePixelRatio(ratio)
    return pixmap


def download_icon() -> QIcon:
    icon = QIcon()
    icon.addPixmap(_pixmap(theme.CARD_SELECTED.name(), ICON_SIZE), QIcon.Mode.Normal)
    icon.addPixmap(_pixmap(_DISABLED, ICON_SIZE), QIcon.Mode.Disabled)
    return icon


class DownloadButtonView(WidgetView):
    type_id = "download_button"
    fills_width = False

    download = Signal(str, str, str, str)
    """(widget id, url, action ``save``/``open``, suggested file name or "")."""

    def create(self, parent: QWidget | None) -> QWidget:
        self.button = QPushButton(parent)
        self.button.setObjectName("pageDownload")
        self.button.setIcon(download_icon())
        self.button.setIconSize(QSize(ICON_SIZE, ICON_SIZE))
        self.button.setCursor(Qt.CursorShape.PointingHandCursor)
        self.button.setSizePolicy(QSizePolicy.Policy.Maximum, QSizePolicy.Policy.Fixed)
        self.button.clicked.connect(self._on_clicked)
        self.url = ""
        self.action = "save"
        self.file_name = ""
        self._show_url()
        return self.button

    def can_enable(self) -> bool:
        return bool(self.url)

    def apply_props(self, values: Mapping[str, Any]) -> None:
        if "label" in values:
            self.button.setText(display_text(values["label"]))
        if "action" in values:
            self.action = values["action"] if values["action"] in ("save", "open") else "save"
        if "fileName" in values:
            self.file_name = display_text(values["fileName"])
        if "url" in values:
            url = display_text(values["url"])
            if url != self.url:
                self.url = url
                self._show_url()
                self.refresh_enabled()

    def _show_url(self) -> None:
        self.button.setToolTip(self.url or "No URL yet: the button is enabled once its URL has a value")

    def _on_clicked(self) -> None:
        if self.url and not self.design_mode:
            self.download.emit(self.widget_id, self.url, self.action, self.file_name)
