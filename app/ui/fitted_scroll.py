"""A scrolling body as wide as its dock, scrolling only up and down: the inspectors, the Stream dock's health.

Why: a QScrollArea that resizes its widget still makes it at least as wide as
the widest child's minimum, and with the horizontal scroll bar off that
surplus is simply cut off on the right (fields, "Now: ..." hints and help
text ran past the dock's edge). Here the content's width is the viewport's,
always; rows are built to shrink (elided hints and buttons, wrapped help),
and their height follows the width (word wrap) as the dock is resized.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QScrollArea, QSizePolicy, QWidget


def fitted_scroll(content: QWidget, parent: QWidget | None = None, name: str = "inspectorScroll") -> QScrollArea:
    """A vertical-only scroll area whose ``content`` always takes exactly the viewport's width."""
    scroll = QScrollArea(parent)
    scroll.setObjectName(name)
    scroll.setWidgetResizable(True)
    scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    content.setSizePolicy(QSizePolicy.Policy.Ignored, content.sizePolicy().verticalPolicy())
    scroll.setWidget(content)
    return scroll
