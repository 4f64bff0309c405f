"""The notice a saved download leaves in the page designer: where the file went, Open, Show in folder.

A browser says where a download went and lets you open it; the preview does
the same instead of a status line that the next frame overwrites.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QHBoxLayout, QPushButton, QToolButton, QWidget

from app.ui.elided_text import ElidedLabel


def open_with_desktop(path: Path) -> object:
    return QDesktopServices.openUrl(QUrl.fromLocalFile(str(path)))


class DownloadNotice(QWidget):
    """Hidden until a file is saved; ``opener`` opens a path with the desktop (tests give their own)."""

    def __init__(self, parent: QWidget | None = None, opener: Callable[[Path], object] = open_with_desktop) -> None:
        super().__init__(parent)
        self.setObjectName("downloadNotice")
        self.opener = opener
        self.path: Path | None = None
        self.text = ElidedLabel("", self)
        self.open_button = QPushButton("Open", self)
        self.open_button.setToolTip("Open the file with its usual application")
        self.folder_button = QPushButton("Show in folder", self)
        self.folder_button.setToolTip("Open the folder the file was saved in")
        close = QToolButton(self, text="×")
        close.setToolTip("Dismiss")
        close.setAutoRaise(True)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(8, 4, 8, 4)
        layout.addWidget(self.text, 1)
        layout.addWidget(self.open_button)
        layout.addWidget(self.folder_button)
        layout.addWidget(close)
        self.open_button.clicked.connect(lambda: self.path is not None and self.opener(self.path))
        self.folder_button.clicked.connect(lambda: self.path is not None and self.opener(self.path.parent))
        close.clicked.connect(self.hide)
        self.setStyleSheet("QWidget#downloadNotice { background: #eef8f3; border-bottom: 1px solid #cfe9dc; }")
        self.hide()

    def show_saved(self, path: Path) -> None:
        self.path = path
        self.text.setText(f"Downloaded {path.name} to {path.parent}")
        self.show()
