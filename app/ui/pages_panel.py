"""The Interface tab's page list: create, rename, duplicate and delete pages; selecting one opens it."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QListWidget, QListWidgetItem, QVBoxLayout, QWidget

from app.editor.commands.base import ProjectCommand, push_or_explain
from app.editor.document import Document
from app.ui.compact_button import compact_button

NameRole = int(Qt.ItemDataRole.UserRole) + 1


class PagesPanel(QWidget):
    pageSelected = Signal(object)  # str | None

    def __init__(self, document: Document, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.document = document
        self.current: str | None = None
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        heading = QLabel("<b>Pages</b> — what users see; widgets bound to streams")
        heading.setWordWrap(True)  # wraps in a narrow dock rather than setting its width
        layout.addWidget(heading)
        self.list = QListWidget()
        self.list.setAccessibleName("Pages")
        self.list.currentItemChanged.connect(lambda item, _old: self._select(item.data(NameRole) if item else None))
        self.list.itemClicked.connect(lambda item: self.pageSelected.emit(item.data(NameRole)))  # again: back to the page from its workflow
        layout.addWidget(self.list)
        buttons = QHBoxLayout()
        for text, tip, slot in [
            ("New", "Create a page", self.new_page),
            ("Duplicate", "Duplicate the selected page", self.duplicate_page),
            ("Rename…", "Rename the selected page", self.rename_page),
            ("Delete", "Delete the selected page", self.delete_page),
        ]:
            button = compact_button(text)
            button.setToolTip(tip)
            button.clicked.connect(slot)
            buttons.addWidget(button)
        layout.addLayout(buttons)
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.setStyleSheet("color: #d0343a")
        layout.addWidget(self.message)
        document.projectReset.connect(self._refresh)
        document.pageRenamed.connect(lambda old, new: setattr(self, "current", new) if self.current == old else None)
        document.pagesChanged.connect(self._refresh)
        document.pageChanged.connect(lambda _name: self._refresh())
        self._refresh()

    def _refresh(self) -> None:
        pages = self.document.project.pages
        names = [page.name for page in pages]
        self.list.blockSignals(True)
        self.list.clear()
        for page in pages:
            item = QListWidgetItem(f"{page.title or page.name}   ({page.name})")
            item.setData(NameRole, page.name)
            self.list.addItem(item)
        self.list.blockSignals(False)
        if self.current not in names:
            self.current = None
            self.pageSelected.emit(None)
        self._highlight(self.current)

    def select_page(self, name: str | None) -> None:
        self._highlight(name)
        self._select(name)

    def _highlight(self, name: str | None) -> None:
        self.list.blockSignals(True)
        for row in range(self.list.count()):
            if self.list.item(row).data(NameRole) == name:
                self.list.setCurrentRow(row)
                break
        else:
            self.list.setCurrentRow(-1)
        self.list.blockSignals(False)

    def _select(self, name: str | None) -> None:
        self.message.clear()
        self.current = name
        self.pageSelected.emit(name)

    def _push(self, make: Callable[[], ProjectCommand]) -> ProjectCommand | None:
        command, refused = push_or_explain(self.document, make)
        self.message.setText(refused or "")
        return command

    def new_page(self) -> None:
        from app.editor.commands.pages import AddPageCommand  # with the first page edit, not at start-up (likewise below)

        command = self._push(lambda: AddPageCommand(self.document))
        if isinstance(command, AddPageCommand):
            self.select_page(command.page.name)

    def duplicate_page(self) -> None:
        from app.editor.commands.pages import DuplicatePageCommand

        if self.current is not None:
            command = self._push(lambda: DuplicatePageCommand(self.document, self.current))
            if isinstance(command, DuplicatePageCommand):
                self.select_page(command.page.name)

    def rename_page(self) -> None:
        from PySide6.QtWidgets import QInputDialog

        from app.editor.commands.pages import RenamePageCommand

        if self.current is None:
            return
        name, ok = QInputDialog.getText(self, "Rename page", "New name (lowercase letters, digits, -):", text=self.current)
        if ok and name != self.current and self._push(lambda: RenamePageCommand(self.document, self.current, name)):
            self.select_page(name)

    def delete_page(self) -> None:
        from PySide6.QtWidgets import QMessageBox

        from app.editor.commands.pages import RemovePageCommand

        if self.current is None:
            return
        answer = QMessageBox.question(self, "Delete page", f"Delete the page {self.current} with its widgets and workflows? (Undo brings it back.)")
        if answer == QMessageBox.StandardButton.Yes:
            self._push(lambda: RemovePageCommand(self.document, self.current))
