"""Enter in a Help dialog: the focused button if there is one, else the dialog's main step, so a walk needs only arrows and Enter."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QPushButton, QWidget


def handle_enter(dialog: QWidget, event: QKeyEvent, main_step: Callable[[], object]) -> bool:
    """True when ``event`` was Enter and has been handled (a focused button clicked, else ``main_step`` run)."""
    if event.key() not in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
        return False
    focused = dialog.focusWidget()
    if isinstance(focused, QPushButton):
        focused.click()
    else:
        main_step()
    return True
