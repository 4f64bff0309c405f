"""Find action (Ctrl+F): every action of the project, searchable by title, type, id or what its card says.

Covers endpoint workflows and pages' interface workflows alike; Enter (or a
click) opens the workflow and selects the action.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QPoint, Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QFrame, QLabel, QLineEdit, QListWidget, QListWidgetItem, QVBoxLayout, QWidget

from app.core.project import Project, walk_actions
from app.core.registry import Registry
from app.core.workflow_refs import describe, page_workflow_keys, workflow_of

_KEY = int(Qt.ItemDataRole.UserRole) + 1
_ID = int(Qt.ItemDataRole.UserRole) + 2


@dataclass(frozen=True)
class FoundAction:
    key: str
    """The workflow key (an endpoint's name or a page workflow key)."""
    action_id: str
    title: str
    where: str
    text: str
    """Everything searchable, lower case."""


def all_actions(project: Project, registry: Registry) -> list[FoundAction]:
    keys = [e.name for e in project.endpoints] + [key for page in project.pages for key in page_workflow_keys(page)]
    found: list[FoundAction] = []
    for key in keys:
        where = f"endpoint {key}" if not key.startswith("page:") else f"page {key.split(':')[1]} · {describe(project, key)}"
        for _, action in walk_actions(workflow_of(project, key)):
            action_type = registry.get(action.type) if action.type in registry else None
            type_title = action_type.title if action_type else action.type
            try:
                summary = action_type.summary(action.params) if action_type and action_type.summary else ""
            except Exception:  # noqa: BLE001 - a card summary must never break the search
                summary = ""
            title = action.title or type_title
            text = " ".join((title, type_title, action.type, action.id, summary, where)).lower()
            found.append(FoundAction(key, action.id, f"{title} — {summary}" if summary else title, f"{where} · id {action.id}", text))
    return found


class FindActionPopup(QFrame):
    found = Signal(str, str)  # workflow key, action id

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent, Qt.WindowType.Popup)
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.search = QLineEdit(self)
        self.search.setPlaceholderText("Find an action by title, type, id or what it sends…")
        self.search.setClearButtonEnabled(True)
        self.search.textChanged.connect(self._filter)
        self.search.installEventFilter(self)
        self.results = QListWidget(self)
        self.results.itemActivated.connect(self._chosen)
        self.results.itemClicked.connect(self._chosen)
        self.count = QLabel(self)
        self.count.setStyleSheet("color: #6b7280; padding: 2px 4px;")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addWidget(self.search)
        layout.addWidget(self.results)
        layout.addWidget(self.count)
        self.resize(520, 420)
        self._entries: list[FoundAction] = []

    def open_for(self, project: Project, registry: Registry, global_position: QPoint) -> None:
        self._entries = all_actions(project, registry)
        self.search.clear()
        self._filter("")
        self.move(global_position)
        self.show()
        self.search.setFocus()

    def _filter(self, text: str) -> None:
        words = text.lower().split()
        self.results.clear()
        for entry in self._entries:
            if all(word in entry.text for word in words):
                item = QListWidgetItem(f"{entry.title}\n    {entry.where}")
                item.setData(_KEY, entry.key)
                item.setData(_ID, entry.action_id)
                self.results.addItem(item)
        self.count.setText(f"{self.results.count()} of {len(self._entries)} action(s)")
        if self.results.count():
            self.results.setCurrentRow(0)

    def _chosen(self, item: QListWidgetItem) -> None:
        self.hide()
        self.found.emit(item.data(_KEY), item.data(_ID))

    def eventFilter(self, watched: object, event: object) -> bool:  # noqa: N802
        """Enter opens the highlighted action; Up/Down move through the results while typing."""
        if watched is self.search and isinstance(event, QKeyEvent) and event.type() == QKeyEvent.Type.KeyPress:
            if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
                item = self.results.currentItem()
                if item is not None:
                    self._chosen(item)
                return True
            if event.key() in (Qt.Key.Key_Down, Qt.Key.Key_Up):
                step = 1 if event.key() == Qt.Key.Key_Down else -1
                self.results.setCurrentRow(max(0, min(self.results.count() - 1, self.results.currentRow() + step)))
                return True
        return super().eventFilter(watched, event)
