"""A scroll area's viewport, fetched without PySide resolving every widget class first.

The first ``QAbstractScrollArea.viewport()`` call of a process makes PySide
load every lazily created class of QtWidgets (QWizard, QColorDialog,
QMdiArea, ...) while it converts the returned pointer, building each one's
Python enums: about 80 enum classes, tens of milliseconds of start-up, for
one widget. ``findChild`` converts the same object without that walk, and
PySide then hands out that wrapper from every later ``viewport()`` call.
Qt has named the viewport ``qt_scrollarea_viewport`` since Qt 4; should it
ever not, the plain call still answers.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractScrollArea, QWidget

VIEWPORT_NAME = "qt_scrollarea_viewport"


def viewport_of(area: QAbstractScrollArea) -> QWidget:
    """``area.viewport()``, converted the cheap way the first time (call it before any ``viewport()``)."""
    found = area.findChild(QWidget, VIEWPORT_NAME, Qt.FindChildOption.FindDirectChildrenOnly)
    return found if isinstance(found, QWidget) else area.viewport()
