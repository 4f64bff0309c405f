"""The left sidebar: Interface (pages) and Data & API (the Workflows of API endpoints).

Every change goes through an undo command; a refused change (a name that
clashes, a bad path) is shown in the sidebar and changes nothing.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QItemSelectionModel, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app.core.project import HttpMethod
from app.editor.commands.base import ProjectCommand, push_or_explain
from app.editor.commands.endpoints import (
    AddEndpointCommand,
    DuplicateEndpointCommand,
    RemoveEndpointCommand,
    RenameEndpointCommand,
    SetEndpointMethodCommand,
    SetEndpointPathCommand,
    free_name,
)
from app.editor.document import Document
from app.editor.models.endpoints import EndpointListModel
from app.editor.models.roles import EndpointNameRole
from app.ui.compact_button import compact_button
from app.ui.endpoint_inputs_editor import EndpointInputsEditor
from app.ui.pages_panel import PagesPanel

METHODS: tuple[HttpMethod, ...] = ("GET", "POST", "PUT", "PATCH", "DELETE")


class ProjectSidebar(QTabWidget):
    endpointSelected = Signal(object)  # str | None

    def __init__(self, document: Document, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.document = document
        self.current: str | None = None
        self.addTab(self._interface_tab(), "Interface")
        self.addTab(self._data_tab(), "Data && API")
        self.setCurrentIndex(1)
        document.projectReset.connect(self._refresh_all)
        document.endpointsChanged.connect(self._refresh_all)
        document.endpointRenamed.connect(self._renamed)
        document.endpointChanged.connect(self._refresh_form)
        self._refresh_all()

    # -- tabs ----------------------------------------------------------
    def _interface_tab(self) -> QWidget:
        tab = QWidget()
        layout = QVBoxLayout(tab)
        self.pages = PagesPanel(self.document)
        layout.addWidget(self.pages)
        return tab

    def _data_tab(self) -> QWidget:
        tab = QWidget()
        layout = QVBoxLayout(tab)
        layout.addWidget(QLabel("<b>Workflows</b> — API endpoints"))
        self.model = EndpointListModel(self.document, self)
        self.list = QListView()
        self.list.setModel(self.model)
        self.list.setAccessibleName("API endpoints")
        self.list.selectionModel().currentChanged.connect(lambda current, _previous: self._select(current.data(EndpointNameRole)))
        layout.addWidget(self.list)
        buttons = QHBoxLayout()
        for text, tip, slot in [
            ("New", "Create an API endpoint", self.new_endpoint),
            ("Duplicate", "Duplicate the selected endpoint", self.duplicate_endpoint),
            ("Rename…", "Rename the selected endpoint", self.rename_endpoint),
            ("Delete", "Delete the selected endpoint", self.delete_endpoint),
        ]:
            button = compact_button(text)
            button.setToolTip(tip)
            button.clicked.connect(slot)
            buttons.addWidget(button)
        layout.addLayout(buttons)
        form = QFormLayout()
        self.method = QComboBox()
        self.method.addItems(METHODS)
        self.method.activated.connect(lambda _: self._push_field(SetEndpointMethodCommand, self.method.currentText()))
        self.path = QLineEdit()
        self.path.editingFinished.connect(lambda: self._push_field(SetEndpointPathCommand, self.path.text()))
        form.addRow("Method", self.method)
        form.addRow("Path", self.path)
        layout.addLayout(form)
        layout.addWidget(QLabel("<b>Inputs</b>"))
        self.inputs_editor = EndpointInputsEditor(self.document)
        layout.addWidget(self.inputs_editor)
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.setStyleSheet("color: #d0343a")
        layout.addWidget(self.message)
        return tab

    # -- state ---------------------------------------------------------
    def _refresh_all(self) -> None:
        names = [endpoint.name for endpoint in self.document.project.endpoints]
        if self.current not in names:
            self.select_endpoint(names[0] if names else None)
        else:
            self._highlight(self.current)
        self._refresh_form()

    def _renamed(self, old: str, new: str) -> None:
        if self.current == old:
            self.current = new
            self._highlight(new)
            self.inputs_editor.set_endpoint(new)
            self.endpointSelected.emit(new)

    def _refresh_form(self, *_: object) -> None:
        enabled = self.current is not None and self.document.has_endpoint(self.current)
        self.method.setEnabled(enabled)
        self.path.setEnabled(enabled)
        if enabled:
            endpoint = self.document.endpoint(self.current)
            self.method.setCurrentText(endpoint.method)
            if not self.path.hasFocus():
                self.path.setText(endpoint.path)

    def select_endpoint(self, name: str | None) -> None:
        self._highlight(name)
        self._select(name)

    def _highlight(self, name: str | None) -> None:
        for row in range(self.model.rowCount()):
            index = self.model.index(row, 0)
            if index.data(EndpointNameRole) == name:
                self.list.selectionModel().setCurrentIndex(index, QItemSelectionModel.SelectionFlag.ClearAndSelect)
                return

    def _select(self, name: str | None) -> None:
        if name == self.current:
            return
        self.current = name
        self.message.clear()
        self.inputs_editor.set_endpoint(name)
        self._refresh_form()
        self.endpointSelected.emit(name)

    # -- commands ------------------------------------------------------
    def _push(self, make: Callable[[], ProjectCommand]) -> ProjectCommand | None:
        command, refused = push_or_explain(self.document, make)
        if refused is not None or command is not None:
            self.message.setText(refused or "")
        return command

    def _push_field(self, command_type: type[ProjectCommand], value: str) -> None:
        if self.current is not None:
            self._push(lambda: command_type(self.document, self.current, value))
            self._refresh_form()

    def new_endpoint(self) -> None:
        """Ask for the endpoint's name; its path follows from it (``/my-endpoint``) until the user edits the path."""
        from PySide6.QtWidgets import QInputDialog

        suggestion = free_name(self.document.project, "my-endpoint")
        name, ok = QInputDialog.getText(self, "New endpoint", "Name (lowercase letters, digits, -); the path will be /name:", text=suggestion)
        if not ok:
            return
        command = self._push(lambda: AddEndpointCommand(self.document, name=name))
        if isinstance(command, AddEndpointCommand):
            self.select_endpoint(command.endpoint.name)

    def duplicate_endpoint(self) -> None:
        if self.current is not None:
            before = {e.name for e in self.document.project.endpoints}
            if self._push(lambda: DuplicateEndpointCommand(self.document, self.current)):
                added = [e.name for e in self.document.project.endpoints if e.name not in before]
                if added:
                    self.select_endpoint(added[0])

    def rename_endpoint(self) -> None:
        from PySide6.QtWidgets import QInputDialog

        if self.current is None:
            return
        name, ok = QInputDialog.getText(self, "Rename endpoint", "New name (lowercase letters, digits, -):", text=self.current)
        if ok and name != self.current:
            self._push(lambda: RenameEndpointCommand(self.document, self.current, name))

    def delete_endpoint(self) -> None:
        from PySide6.QtWidgets import QMessageBox

        if self.current is None:
            return
        answer = QMessageBox.question(self, "Delete endpoint", f"Delete the endpoint {self.current} and its workflow? (Undo brings it back.)")
        if answer == QMessageBox.StandardButton.Yes:
            self._push(lambda: RemoveEndpointCommand(self.document, self.current))
