"""A push button as narrow as its text: a row of four fits a narrow dock.

Why: the style makes every text button at least 80 px wide, so a row of New,
Duplicate, Rename…, Delete asked the Project dock for 360 px, more than the
default layout gives it at 1280×800, and the canvas and the Run dock paid
for it. This button asks for its text and a little padding, never less.
"""

from __future__ import annotations

from PySide6.QtWidgets import QPushButton, QSizePolicy, QWidget

PADDING = 16


def compact_button(text: str, parent: QWidget | None = None) -> QPushButton:
    """A button that grows with its row but shrinks down to its text plus ``PADDING``."""
    button = QPushButton(text, parent)
    button.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)
    button.setMinimumWidth(button.fontMetrics().horizontalAdvance(text) + PADDING)
    return button
