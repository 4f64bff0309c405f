"""The Problems panel: validation errors and lint warnings, live; clicking one selects its action."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QListWidget, QListWidgetItem, QWidget

from app.core.problems import Problem


class ProblemsPanel(QListWidget):
    problemActivated = Signal(object)  # Problem

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAlternatingRowColors(True)
        self.itemActivated.connect(self._activated)
        self.itemClicked.connect(self._activated)
        self.setAccessibleName("Problems")

    def show_problems(self, problems: list[Problem], endpoint_of: dict[int, str] | None = None) -> None:
        self.clear()
        for problem in sorted(problems, key=lambda p: (p.severity != "error", p.path)):
            icon = self._icon(problem.severity)
            where = f"{problem.action_id}: " if problem.action_id else ""
            item = QListWidgetItem(icon, f"{where}{problem.message}")
            item.setToolTip(f"{problem.path}\n{problem.message}")
            item.setData(Qt.ItemDataRole.UserRole, problem)
            self.addItem(item)
        if not problems:
            item = QListWidgetItem("No problems: the workflows follow the streaming best practices.")
            item.setFlags(Qt.ItemFlag.NoItemFlags)
            self.addItem(item)

    def _icon(self, severity: str) -> QIcon:
        """The style's error or warning icon; QStyle is imported here, as building its enums costs start-up time and a clean project lists none."""
        from PySide6.QtWidgets import QStyle

        pixmap = QStyle.StandardPixmap.SP_MessageBoxCritical if severity == "error" else QStyle.StandardPixmap.SP_MessageBoxWarning
        return self.style().standardIcon(pixmap)

    def _activated(self, item: QListWidgetItem) -> None:
        problem = item.data(Qt.ItemDataRole.UserRole)
        if isinstance(problem, Problem):
            self.problemActivated.emit(problem)
