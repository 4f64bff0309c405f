"""The Help menu's actions; what they open is imported when first chosen (start-up pays for the actions only)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMenu

from app import __version__

if TYPE_CHECKING:
    from app.ui.main_window import MainWindow

FORMULA_REFERENCE_KEY = "F1"
"""In a formula field F1 opens the reference at the function under the cursor (the field takes the key); elsewhere this action."""
SHORTCUTS_KEY = "Ctrl+/"


def _getting_started(window: MainWindow) -> None:
    from app.ui.help.getting_started import show_getting_started

    show_getting_started(window)


def _shortcuts(window: MainWindow) -> None:
    from app.ui.help.shortcuts import show_shortcuts

    show_shortcuts(window)


def _formula_reference(window: MainWindow) -> None:
    from app.ui.help.formula_reference import show_formula_reference

    show_formula_reference(window)


def _about(window: MainWindow) -> None:
    from PySide6.QtWidgets import QMessageBox

    QMessageBox.about(window, "Streamwright", f"Streamwright {__version__}\nDesign streaming API endpoints.")


def add_help_menu(window: MainWindow, menu: QMenu) -> None:
    """Getting started, Keyboard shortcuts, Formula reference, then About."""
    entries = (
        ("&Getting started", _getting_started, None),
        ("&Keyboard shortcuts", _shortcuts, SHORTCUTS_KEY),
        ("&Formula reference", _formula_reference, FORMULA_REFERENCE_KEY),
        (None, None, None),
        ("&About Streamwright", _about, None),
    )
    for text, opens, key in entries:
        if text is None or opens is None:
            menu.addSeparator()
            continue
        action = QAction(text, window)
        if key is not None:
            action.setShortcut(QKeySequence(key))
        action.triggered.connect(lambda _checked=False, opens=opens: opens(window))
        menu.addAction(action)
