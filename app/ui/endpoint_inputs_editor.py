"""The inputs of one endpoint, edited in a compact table (Data & API tab).

Each row is one declared input: name, type, required, default, description and
a remove button. Every edit pushes the matching undo command; a refused edit (a
clashing or invalid name, a default that does not parse) shows the error under
the table and changes nothing. The table follows the document's signals and
updates cells in place, so the row being edited stays where it is.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from app.core.json_input import JsonInputError, read_json
from app.core.project import IDENTIFIER, EndpointInput
from app.editor.commands.base import ProjectCommand, push_or_explain
from app.editor.commands.inputs import AddEndpointInputCommand, EditEndpointInputCommand, RemoveEndpointInputCommand
from app.editor.document import Document
from app.ui.elided_text import elide_with_tooltips

INPUT_TYPES: tuple[str, ...] = ("string", "number", "integer", "boolean", "object", "array")
NAME, TYPE, REQUIRED, DEFAULT, DESCRIPTION, REMOVE = range(6)
HEADERS = ("Name", "Type", "Req.", "Default", "Desc.", "")


def format_default(spec: EndpointInput) -> str:
    """The default as typed in the cell: raw text for a string, JSON otherwise, empty for none."""
    if spec.default is None:
        return ""
    if spec.type == "string" and isinstance(spec.default, str):
        return spec.default
    return json.dumps(spec.default, ensure_ascii=False)


def _article(word: str) -> str:
    return "an" if word[:1] in "aeiou" else "a"


def parse_default(text: str, input_type: str) -> Any:
    """The default a cell's text stands for; raises ``ValueError`` with a readable message."""
    if text.strip() == "":
        return None
    if input_type == "string":
        return text
    try:
        value = read_json(text)
    except JsonInputError as error:
        raise ValueError(f"default {text[:80]!r} is not valid JSON for {_article(input_type)} {input_type} input ({error})") from None
    expected: dict[str, Any] = {
        "number": lambda v: isinstance(v, (int, float)) and not isinstance(v, bool),
        "integer": lambda v: (isinstance(v, int) and not isinstance(v, bool)) or (isinstance(v, float) and v.is_integer()),
        "boolean": lambda v: isinstance(v, bool),
        "object": lambda v: isinstance(v, dict),
        "array": lambda v: isinstance(v, list),
    }
    check = expected.get(input_type)
    if check is not None and not check(value):
        raise ValueError(f"default {text!r} is not {_article(input_type)} {input_type}")
    if input_type == "integer" and isinstance(value, float):
        value = int(value)
    return value


class EndpointInputsEditor(QWidget):
    def __init__(self, document: Document, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.document = document
        self.endpoint: str | None = None
        self._names: list[str] = []
        self._updating = False

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        self.table = QTableWidget(0, len(HEADERS))
        self.table.setAccessibleName("Endpoint inputs")
        self.table.setHorizontalHeaderLabels(HEADERS)
        self.table.verticalHeader().setVisible(False)
        self.table.verticalHeader().setDefaultSectionSize(26)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(
            QAbstractItemView.EditTrigger.DoubleClicked | QAbstractItemView.EditTrigger.EditKeyPressed | QAbstractItemView.EditTrigger.AnyKeyPressed
        )
        self.table.setHorizontalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        header = self.table.horizontalHeader()
        header.setMinimumSectionSize(24)
        # the text columns share the dock's width (cut with "…", whole on hover): the table never needs a horizontal scroll bar
        header.setSectionResizeMode(NAME, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(TYPE, QHeaderView.ResizeMode.Fixed)
        header.setSectionResizeMode(REQUIRED, QHeaderView.ResizeMode.Fixed)
        header.setSectionResizeMode(DEFAULT, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(DESCRIPTION, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(REMOVE, QHeaderView.ResizeMode.Fixed)
        self.table.setColumnWidth(TYPE, 70)
        self.table.setColumnWidth(REQUIRED, 34)
        self.table.setColumnWidth(REMOVE, 26)
        self.table.horizontalHeaderItem(REQUIRED).setToolTip("Required")
        self.table.horizontalHeaderItem(DESCRIPTION).setToolTip("Description")
        self.table.setMinimumHeight(110)
        elide_with_tooltips(self.table)
        self.table.itemChanged.connect(self._item_changed)
        layout.addWidget(self.table)

        row = QHBoxLayout()
        self.add_button = QPushButton("+ Add input")
        self.add_button.setToolTip("Declare a new input of this endpoint (read in formulas as inputs.<name>)")
        self.add_button.clicked.connect(self.add_input)
        row.addWidget(self.add_button)
        row.addStretch(1)
        layout.addLayout(row)

        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.setStyleSheet("color: #d0343a")
        layout.addWidget(self.message)

        document.projectReset.connect(self._refresh)
        document.endpointsChanged.connect(self._refresh)
        document.endpointChanged.connect(self._endpoint_changed)
        document.endpointRenamed.connect(self._renamed)
        self._refresh()

    # -- state ---------------------------------------------------------
    def set_endpoint(self, name: str | None) -> None:
        if name != self.endpoint:
            self.message.clear()
        self.endpoint = name
        self._refresh()

    def _inputs(self) -> list[EndpointInput]:
        if self.endpoint is None or not self.document.has_endpoint(self.endpoint):
            return []
        return list(self.document.endpoint(self.endpoint).inputs)

    def _endpoint_changed(self, name: str) -> None:
        if name == self.endpoint:
            self._refresh()

    def _renamed(self, old: str, new: str) -> None:
        if self.endpoint == old:
            self.endpoint = new
            self._refresh()

    def _refresh(self, *_: object) -> None:
        """Bring the table in line with the model, cell by cell (no rebuild, no signals)."""
        inputs = self._inputs()
        enabled = self.endpoint is not None and self.document.has_endpoint(self.endpoint)
        self.setEnabled(enabled)
        self._updating = True
        try:
            if self.table.rowCount() != len(inputs):
                self.table.setRowCount(len(inputs))
            for row, spec in enumerate(inputs):
                self._fill_row(row, spec)
            self._names = [spec.name for spec in inputs]
        finally:
            self._updating = False

    def _fill_row(self, row: int, spec: EndpointInput) -> None:
        for column, text in ((NAME, spec.name), (DEFAULT, format_default(spec)), (DESCRIPTION, spec.description)):
            item = self.table.item(row, column)
            if item is None:
                item = QTableWidgetItem()
                self.table.setItem(row, column, item)
            if item.text() != text:
                item.setText(text)
            item.setToolTip(text)
        self.table.item(row, DEFAULT).setToolTip(f"Default ({'text' if spec.type == 'string' else 'JSON'}); empty for none")

        required = self.table.item(row, REQUIRED)
        if required is None:
            required = QTableWidgetItem()
            required.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsUserCheckable | Qt.ItemFlag.ItemIsSelectable)
            required.setToolTip("Required")
            required.setCheckState(Qt.CheckState.Unchecked)  # shows the box
            self.table.setItem(row, REQUIRED, required)
        state = Qt.CheckState.Checked if spec.required else Qt.CheckState.Unchecked
        if required.checkState() != state:
            required.setCheckState(state)

        combo = self.table.cellWidget(row, TYPE)
        if not isinstance(combo, QComboBox):
            combo = QComboBox()
            combo.addItems(INPUT_TYPES)
            combo.setFrame(False)
            combo.setToolTip("Type of the input")
            combo.activated.connect(lambda _index, box=combo: self._type_chosen(box))
            self.table.setCellWidget(row, TYPE, combo)
        if combo.currentText() != spec.type:
            combo.blockSignals(True)
            combo.setCurrentText(spec.type)
            combo.blockSignals(False)

        remove = self.table.cellWidget(row, REMOVE)
        if not isinstance(remove, QToolButton):
            remove = QToolButton()
            remove.setText("✕")
            remove.setAutoRaise(True)
            remove.clicked.connect(lambda _checked=False, button=remove: self._remove_clicked(button))
            self.table.setCellWidget(row, REMOVE, remove)
        remove.setToolTip(f"Remove the input {spec.name}")
        remove.setAccessibleName(f"Remove input {spec.name}")

    def _row_of(self, widget: QWidget, column: int) -> int | None:
        for row in range(self.table.rowCount()):
            if self.table.cellWidget(row, column) is widget:
                return row
        return None

    # -- edits ---------------------------------------------------------
    def _push(self, make: Callable[[], ProjectCommand]) -> ProjectCommand | None:
        command, refused = push_or_explain(self.document, make)
        self.message.setText(refused or "")
        return command

    def _edit(self, row: int, **changes: Any) -> None:
        if self.endpoint is None or not 0 <= row < len(self._names):
            return
        endpoint, name = self.endpoint, self._names[row]
        self._push(lambda: EditEndpointInputCommand(self.document, endpoint, name, **changes))

    def add_input(self) -> None:
        if self.endpoint is None:
            return
        endpoint = self.endpoint
        command = self._push(lambda: AddEndpointInputCommand(self.document, endpoint))
        if isinstance(command, AddEndpointInputCommand):
            self.table.setCurrentCell(command.index, NAME)

    def remove_input(self, row: int) -> None:
        if self.endpoint is None or not 0 <= row < len(self._names):
            return
        endpoint, name = self.endpoint, self._names[row]
        self._push(lambda: RemoveEndpointInputCommand(self.document, endpoint, name))

    def _remove_clicked(self, button: QToolButton) -> None:
        row = self._row_of(button, REMOVE)
        if row is not None:
            self.remove_input(row)

    def _type_chosen(self, combo: QComboBox) -> None:
        row = self._row_of(combo, TYPE)
        if row is not None:
            self._edit(row, type=combo.currentText())
            self._refresh()  # a refused change puts the combo back

    def _item_changed(self, item: QTableWidgetItem) -> None:
        if self._updating:
            return
        row, column = item.row(), item.column()
        inputs = self._inputs()
        if not 0 <= row < len(inputs):
            return
        spec = inputs[row]
        if column == NAME:
            name = item.text().strip()
            if name != spec.name and not re.match(IDENTIFIER, name):
                self.message.setText(f"{name!r} is not a valid input name: use letters, digits and _, not starting with a digit")
            else:
                self._edit(row, name=name)
        elif column == REQUIRED:
            self._edit(row, required=item.checkState() == Qt.CheckState.Checked)
        elif column == DEFAULT:
            try:
                value = parse_default(item.text(), spec.type)
            except ValueError as error:
                self.message.setText(str(error))
            else:
                self._edit(row, default=value)
        elif column == DESCRIPTION:
            self._edit(row, description=item.text())
        self._refresh()  # a refused edit puts the cell back
