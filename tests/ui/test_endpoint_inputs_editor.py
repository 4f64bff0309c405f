"""The endpoint inputs table in the Data & API tab: every edit is one undo step, refused edits change nothing."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QComboBox, QToolButton

from app.editor.document import Document
from app.ui.endpoint_inputs_editor import DEFAULT, DESCRIPTION, NAME, REMOVE, REQUIRED, TYPE, EndpointInputsEditor, parse_default
from app.ui.project_sidebar import ProjectSidebar
from tests.conftest import EXAMPLE, ROOT

SCREENSHOTS = ROOT / "tests" / "ui" / "screenshots"


@pytest.fixture
def document() -> Document:
    document = Document()
    document.open(EXAMPLE)
    return document


@pytest.fixture
def sidebar(qtbot, document: Document) -> ProjectSidebar:
    widget = ProjectSidebar(document)
    qtbot.addWidget(widget)
    widget.resize(340, 720)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


@pytest.fixture
def editor(sidebar: ProjectSidebar) -> EndpointInputsEditor:
    return sidebar.inputs_editor


def _inputs(document: Document, endpoint: str) -> list:
    return list(document.endpoint(endpoint).inputs)


def _set_text(editor: EndpointInputsEditor, row: int, column: int, text: str) -> None:
    editor.table.item(row, column).setText(text)


def test_follows_the_sidebar_selection(sidebar: ProjectSidebar, editor: EndpointInputsEditor, document: Document) -> None:
    first = document.project.endpoints[0]
    assert editor.endpoint == sidebar.current == first.name
    assert editor.table.rowCount() == len(first.inputs)
    assert editor.table.item(0, NAME).text() == first.inputs[0].name
    second = document.project.endpoints[1]
    sidebar.select_endpoint(second.name)
    assert editor.endpoint == second.name
    assert [editor.table.item(row, NAME).text() for row in range(editor.table.rowCount())] == [spec.name for spec in second.inputs]


def test_each_edit_reaches_the_model_and_undo_restores(qtbot, editor: EndpointInputsEditor, document: Document) -> None:
    endpoint = editor.endpoint
    assert endpoint is not None
    original = document.project
    stack = document.undo_stack()
    count = len(_inputs(document, endpoint))

    # add
    qtbot.mouseClick(editor.add_button, Qt.MouseButton.LeftButton)
    assert [spec.name for spec in _inputs(document, endpoint)][-1] == "input"
    assert editor.table.rowCount() == count + 1
    row = count
    steps = stack.count()

    # rename
    _set_text(editor, row, NAME, "limit")
    assert _inputs(document, endpoint)[row].name == "limit"
    assert editor.table.item(row, NAME).text() == "limit"
    assert editor.message.text() == ""

    # change type
    combo = editor.table.cellWidget(row, TYPE)
    assert isinstance(combo, QComboBox)
    combo.setCurrentText("integer")
    combo.activated.emit(combo.currentIndex())
    assert _inputs(document, endpoint)[row].type == "integer"

    # a valid default, parsed by type
    _set_text(editor, row, DEFAULT, "25")
    assert _inputs(document, endpoint)[row].default == 25
    # an invalid one is refused with a message and changes nothing
    before = document.project
    _set_text(editor, row, DEFAULT, "twenty")
    assert "twenty" in editor.message.text()
    assert document.project is before
    assert editor.table.item(row, DEFAULT).text() == "25"
    _set_text(editor, row, DEFAULT, "2.5")
    assert "integer" in editor.message.text()
    assert document.project is before

    # required
    editor.table.item(row, REQUIRED).setCheckState(Qt.CheckState.Checked)
    assert _inputs(document, endpoint)[row].required is True
    assert editor.message.text() == ""

    # description
    _set_text(editor, row, DESCRIPTION, "How many rows")
    assert _inputs(document, endpoint)[row].description == "How many rows"
    assert stack.count() == steps + 5  # rename, type, default, required, description: one step each

    # undo walks back one field at a time
    stack.undo()
    assert _inputs(document, endpoint)[row].description == ""
    assert editor.table.item(row, DESCRIPTION).text() == ""
    stack.undo()
    assert _inputs(document, endpoint)[row].required is False
    assert editor.table.item(row, REQUIRED).checkState() == Qt.CheckState.Unchecked
    stack.undo()
    assert _inputs(document, endpoint)[row].default is None
    assert editor.table.item(row, DEFAULT).text() == ""
    stack.undo()
    assert _inputs(document, endpoint)[row].type == "string"
    assert editor.table.cellWidget(row, TYPE).currentText() == "string"
    stack.undo()
    assert _inputs(document, endpoint)[row].name == "input"
    assert editor.table.item(row, NAME).text() == "input"

    # remove
    button = editor.table.cellWidget(row, REMOVE)
    assert isinstance(button, QToolButton)
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    assert len(_inputs(document, endpoint)) == count
    assert editor.table.rowCount() == count
    stack.undo()
    assert [spec.name for spec in _inputs(document, endpoint)][-1] == "input"
    stack.undo()  # the add
    assert document.project == original
    assert editor.table.rowCount() == count


def test_string_defaults_are_raw_text(editor: EndpointInputsEditor, document: Document) -> None:
    endpoint = editor.endpoint
    row = next(i for i, spec in enumerate(_inputs(document, endpoint)) if spec.type == "string")
    _set_text(editor, row, DEFAULT, '{"not": "json"}')
    assert _inputs(document, endpoint)[row].default == '{"not": "json"}'
    assert parse_default("[1, 2]", "array") == [1, 2]
    assert parse_default("true", "boolean") is True
    assert parse_default("", "number") is None
    with pytest.raises(ValueError):
        parse_default("[1]", "object")


def test_a_duplicate_or_invalid_name_is_refused(editor: EndpointInputsEditor, document: Document) -> None:
    endpoint = editor.endpoint
    inputs = _inputs(document, endpoint)
    assert len(inputs) >= 2
    before, steps = document.project, document.undo_stack().count()
    _set_text(editor, 1, NAME, inputs[0].name)
    assert "already has an input named" in editor.message.text()
    assert document.project is before
    assert editor.table.item(1, NAME).text() == inputs[1].name
    _set_text(editor, 1, NAME, "2bad name")
    assert "not a valid input name" in editor.message.text()
    assert document.project is before
    assert editor.table.item(1, NAME).text() == inputs[1].name
    assert document.undo_stack().count() == steps


def test_no_command_when_nothing_changed(editor: EndpointInputsEditor, document: Document) -> None:
    before, steps = document.project, document.undo_stack().count()
    row = next(i for i, spec in enumerate(_inputs(document, editor.endpoint)) if spec.type == "integer")
    _set_text(editor, row, DEFAULT, " " + editor.table.item(row, DEFAULT).text())  # same number once parsed
    _set_text(editor, row, NAME, editor.table.item(row, NAME).text())
    combo = editor.table.cellWidget(row, TYPE)
    combo.activated.emit(combo.currentIndex())
    assert document.undo_stack().count() == steps
    assert document.project is before
    assert editor.message.text() == ""


def test_screenshot_in_the_sidebar(qtbot, sidebar: ProjectSidebar, editor: EndpointInputsEditor) -> None:
    editor.add_input()
    row = editor.table.rowCount() - 1
    editor.table.item(row, REQUIRED).setCheckState(Qt.CheckState.Checked)
    combo = editor.table.cellWidget(row, TYPE)
    combo.setCurrentText("object")
    combo.activated.emit(combo.currentIndex())
    _set_text(editor, row, DEFAULT, "{bad")
    assert "not valid JSON" in editor.message.text()
    QApplication.processEvents()  # queued layout and show requests, as the next event-loop turn would
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    assert sidebar.grab().save(str(SCREENSHOTS / "endpoint-inputs-editor.png"))
