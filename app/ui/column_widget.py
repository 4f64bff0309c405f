"""A plain widget with a vertical layout: the panels' columns and toolbars.

Why: every panel built a QWidget, named it for style sheets and tests, gave it
a QVBoxLayout and set its margins and spacing; one call says the same.
"""

from __future__ import annotations

from PySide6.QtWidgets import QVBoxLayout, QWidget


def column_widget(parent: QWidget, name: str, margins: tuple[int, int, int, int] = (0, 0, 0, 0), spacing: int = 4) -> tuple[QWidget, QVBoxLayout]:
    """A widget named ``name`` and its vertical layout, with ``margins`` (left, top, right, bottom) and ``spacing``."""
    widget = QWidget(parent)
    widget.setObjectName(name)
    layout = QVBoxLayout(widget)
    layout.setContentsMargins(*margins)
    layout.setSpacing(spacing)
    return widget, layout
