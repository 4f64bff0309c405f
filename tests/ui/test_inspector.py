"""The inspector as a user drives it: typing, toggling formulas, undo, completion, Event Data rows and raw JSON."""

from __future__ import annotations

import json

import pytest
from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import QApplication

from app.core.project_file import load_project
from app.editor.document import Document
from app.ui.formula_editor import FormulaEdit, FormulaEditor, FormulaHighlighter, completion_context
from app.ui.inspector import Inspector
from app.ui.inspector.key_value import KeyValueField
from tests.conftest import EXAMPLE, ROOT

SCREENSHOTS = ROOT / "tests" / "ui" / "screenshots"
SEND_DONE = ("generate-report", (11,))
FETCH_SALES = ("generate-report", (3,))
LOOP = ("long-import", (1,))
SEND_PROGRESS = ("long-import", (1, "body", 1, "then", 0))


@pytest.fixture
def document(qapp: QApplication):
    doc = Document(load_project(EXAMPLE))
    yield doc
    doc.deleteLater()


@pytest.fixture
def inspector(qtbot, document) -> Inspector:
    widget = Inspector(document)
    qtbot.addWidget(widget)
    widget.resize(400, 760)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def _params(document: Document, where) -> dict:
    return document.action(*where).params


def _undo_count(document: Document) -> int:
    return document.undo_stack().count()


def test_the_form_comes_from_the_declaration(inspector):
    inspector.show_action(*FETCH_SALES)
    assert [row.spec.alias for row in inspector.rows] == ["database", "sql", "parameters", "resultVariable"]
    assert inspector.header.type_label.text() == "SQL query · sqlite.query"
    assert inspector.header.id_label.text() == "id fetch_sales"
    assert inspector.row("sql").literal.text.toPlainText().startswith("SELECT region")
    assert inspector.row("resultVariable").literal.line.text() == "rows"  # str | None: a text field, not JSON
    assert inspector.row("parameters").is_formula() is False and isinstance(inspector.row("parameters").literal, KeyValueField)


def test_typing_in_a_literal_field_is_one_undo_step_and_undo_shows_the_old_value(qtbot, inspector, document):
    inspector.show_action(*FETCH_SALES)
    line = inspector.row("resultVariable").literal.line
    before = _undo_count(document)
    line.setFocus()
    line.end(False)
    qtbot.keyClicks(line, "_v2")
    assert _params(document, FETCH_SALES)["resultVariable"] == "rows_v2"
    assert _undo_count(document) == before + 1  # four keystrokes, one step
    document.undo_stack().undo()
    assert _params(document, FETCH_SALES)["resultVariable"] == "rows"
    assert line.text() == "rows"
    document.undo_stack().redo()
    assert line.text() == "rows_v2"


def test_clearing_an_optional_name_removes_the_param(qtbot, inspector, document):
    inspector.show_action(*FETCH_SALES)
    line = inspector.row("resultVariable").literal.line
    line.selectAll()
    qtbot.keyClick(line, Qt.Key.Key_Backspace)
    assert "resultVariable" not in _params(document, FETCH_SALES)


def test_the_title_is_editable_and_follows_undo(qtbot, inspector, document):
    inspector.show_action(*SEND_DONE)
    qtbot.keyClicks(inspector.header.title, "Done!")
    assert document.action(*SEND_DONE).title == "Done!"
    document.undo_stack().undo()
    assert document.action(*SEND_DONE).title is None and inspector.header.title.text() == ""


def test_switching_loop_mode_shows_items_or_times(qtbot, inspector, document):
    inspector.show_action(*LOOP)
    items, times = inspector.row("items"), inspector.row("times")
    assert times.isVisible() and not items.isVisible()
    combo = inspector.row("mode").literal.combo
    combo.setCurrentIndex(combo.findText("each"))
    assert _params(document, LOOP)["mode"] == "each"
    assert items.isVisible() and not times.isVisible()
    document.undo_stack().undo()
    assert times.isVisible() and not items.isVisible() and combo.currentText() == "repeat"


def test_a_spin_box_edit_reaches_the_model(qtbot, inspector, document):
    inspector.show_action("long-import", (1, "body", 1, "then", 1))  # pause_batch: Wait 150 ms
    spin = inspector.row("milliseconds").literal.spin
    spin.setValue(250)
    assert _params(document, ("long-import", (1, "body", 1, "then", 1)))["milliseconds"] == 250


def test_turning_a_field_into_a_formula_stores_it_as_a_formula(qtbot, inspector, document):
    inspector.show_action(*FETCH_SALES)
    row = inspector.row("database")
    before = _undo_count(document)
    qtbot.mouseClick(row.fx, Qt.MouseButton.LeftButton)
    assert row.is_formula() and row.formula.isVisible() and not row.literal.isVisible()
    assert _params(document, FETCH_SALES)["database"] == {"$formula": '"demo.sqlite"'}  # same meaning as the literal
    edit = row.formula.edit
    edit.selectAll()
    qtbot.keyClicks(edit, "inputs.since")
    assert _params(document, FETCH_SALES)["database"] == {"$formula": "inputs.since"}
    assert _undo_count(document) == before + 1  # toggling and typing in one field: one step
    document.undo_stack().undo()
    assert _params(document, FETCH_SALES)["database"] == "demo.sqlite"
    assert not row.is_formula() and row.literal.line.text() == "demo.sqlite"


class ManualTimer(QObject):
    """The formula editor's pause timer, fired by the test: no waiting for real typing pauses."""

    timeout = Signal()

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.running = False

    def start(self) -> None:
        self.running = True

    def stop(self) -> None:
        self.running = False

    def fire(self) -> None:
        if self.running:
            self.running = False
            self.timeout.emit()


@pytest.fixture
def manual_pauses(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(FormulaEditor, "make_timer", staticmethod(lambda parent: ManualTimer(parent)))


def test_a_formula_syntax_error_shows_once_typing_pauses_in_one_place(qtbot, manual_pauses, inspector, document):
    inspector.show_action(*FETCH_SALES)
    row = inspector.row("database")
    qtbot.mouseClick(row.fx, Qt.MouseButton.LeftButton)
    row.formula.edit.selectAll()
    qtbot.keyClicks(row.formula.edit, "inputs.")
    assert row.formula.shown_error() == "" and not row.formula.edit.extraSelections(), "still typing: no error yet"
    assert row.formula.error is not None and row.formula.pause.running
    row.formula.pause.fire()  # typing paused
    assert row.formula.error_label.isVisible()
    assert row.formula.shown_error() == "position 7: Unexpected end of expression"
    assert row.formula.edit.extraSelections()  # the underline
    assert _params(document, FETCH_SALES)["database"] == {"$formula": "inputs."}
    problems = document.problems_for("generate-report", "fetch_sales")
    assert any(p.code == "formula-syntax" and p.position == 7 for p in problems)
    document.flush_problems()
    assert not any("position 7" in text for text in inspector.problems.texts()), "shown under its formula only, not in the strip too"
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    inspector.grab().save(str(SCREENSHOTS / "inspector_formula_error.png"))
    qtbot.keyClicks(row.formula.edit, "since")
    assert row.formula.shown_error() == "" and not row.formula.edit.extraSelections(), "a formula that parses clears at once"
    assert not row.formula.pause.running


def test_fx_on_an_empty_field_starts_an_empty_formula(qtbot, manual_pauses, inspector, document):
    inspector.show_action(*FETCH_SALES)
    row = inspector.row("database")
    row.literal.line.selectAll()
    qtbot.keyClick(row.literal.line, Qt.Key.Key_Backspace)
    qtbot.mouseClick(row.fx, Qt.MouseButton.LeftButton)
    assert row.formula.source() == "" and row.formula.edit.textCursor().position() == 0
    qtbot.keyClicks(row.formula.edit, "inputs.since")
    assert _params(document, FETCH_SALES)["database"] == {"$formula": "inputs.since"}


def test_completion_offers_inputs_and_loop_fields_where_they_are_in_scope(qtbot, inspector):
    inspector.show_action(*SEND_PROGRESS)
    field = inspector.row("eventData").literal
    assert isinstance(field, KeyValueField)
    row = field.add_row()
    qtbot.keyClicks(row.key_edit, "x")
    qtbot.mouseClick(row.fx, Qt.MouseButton.LeftButton)
    edit = row.formula.edit
    edit.selectAll()
    qtbot.keyClicks(edit, "loop.")
    assert {"count", "total", "index", "last"} <= set(edit.offered())
    assert "parent" not in edit.offered()  # one loop deep
    qtbot.keyClicks(edit, "to")
    assert edit.offered() == ["total"]
    qtbot.keyClick(edit, Qt.Key.Key_Return)
    assert edit.source() == "loop.total"
    edit.selectAll()
    qtbot.keyClicks(edit, "inputs.")
    assert edit.offered() == ["rows", "every"]


def test_completion_outside_a_loop_offers_no_loop(qtbot, inspector):
    inspector.show_action("long-import", (0,))
    row = inspector.row("eventData").literal.rows[-1]  # total: inputs.rows
    edit = row.formula.edit
    edit.selectAll()
    qtbot.keyClicks(edit, "loop.")
    assert edit.offered() == []
    edit.selectAll()
    qtbot.keyClicks(edit, "i")
    assert edit.offered() == ["inputs"]
    edit.selectAll()
    qtbot.keyClicks(edit, "$jo")
    assert edit.offered() == ["$join"]


def test_completion_context_and_highlighting():
    assert completion_context("loop.count % inputs.ev") == (("inputs",), "ev")
    assert completion_context('"inputs.') is None  # inside a string
    assert completion_context("1.") is None
    edit = FormulaEdit()
    edit.set_source('$count(inputs.x) & "n"')
    assert isinstance(edit.highlighter, FormulaHighlighter)
    formats = {(r.start, r.length): r.format.foreground().color().name() for r in edit.document().firstBlock().layout().formats()}
    assert formats[(0, 6)] != formats[(7, 6)]  # $count vs inputs
    assert (19, 3) in formats  # the string "n"
    edit.deleteLater()


def test_event_data_rows_edit_the_model(qtbot, inspector, document):
    inspector.show_action(*SEND_DONE)
    field = inspector.row("eventData").literal
    status = field.rows[0]
    status.literal.selectAll()
    qtbot.keyClicks(status.literal, "finished")
    assert _params(document, SEND_DONE)["eventData"]["status"] == "finished"
    status.key_edit.selectAll()
    qtbot.keyClicks(status.key_edit, "state")
    data = _params(document, SEND_DONE)["eventData"]
    assert list(data)[0] == "state" and data["state"] == "finished"  # renamed in place
    done = field.rows[2]
    done.literal.selectAll()
    qtbot.keyClicks(done.literal, "4")
    assert _params(document, SEND_DONE)["eventData"]["done"] == 4  # typed JSON: a number
    qtbot.mouseClick(field.rows[-1].remove, Qt.MouseButton.LeftButton)
    assert "revenue" not in _params(document, SEND_DONE)["eventData"]
    document.undo_stack().undo()
    assert "revenue" in _params(document, SEND_DONE)["eventData"]
    assert [row.key() for row in field.rows][-1] == "revenue"


def test_a_duplicate_key_shows_an_error_and_changes_nothing(qtbot, inspector, document):
    inspector.show_action(*SEND_DONE)
    field = inspector.row("eventData").literal
    row = field.add_row()
    qtbot.keyClicks(row.key_edit, "labe")  # each keystroke stores the key as typed so far
    assert _params(document, SEND_DONE)["eventData"]["labe"] == ""
    before = document.project
    qtbot.keyClicks(row.key_edit, "l")
    assert field.error.isVisible() and "used twice" in field.error.text()
    assert document.project is before
    qtbot.keyClick(row.key_edit, Qt.Key.Key_Backspace)
    assert not field.error.isVisible()


def test_raw_json_round_trips_and_invalid_json_changes_nothing(qtbot, inspector, document):
    inspector.show_action(*SEND_DONE)
    field = inspector.row("eventData").literal
    original = _params(document, SEND_DONE)["eventData"]
    qtbot.mouseClick(field.raw_toggle, Qt.MouseButton.LeftButton)
    assert field.raw.isVisible() and not field.rows_box.isVisible()
    assert json.loads(field.raw.toPlainText()) == original
    before = document.project
    field.raw.selectAll()
    qtbot.keyClicks(field.raw, '{"status": "done", "extra": ')
    assert field.error.isVisible() and field.error.text().startswith("line 1, column")
    assert document.project is before
    qtbot.keyClicks(field.raw, '{"$formula": "loop.count"}}')
    assert not field.error.isVisible()
    assert _params(document, SEND_DONE)["eventData"] == {"status": "done", "extra": {"$formula": "loop.count"}}
    qtbot.mouseClick(field.raw_toggle, Qt.MouseButton.LeftButton)
    assert [row.key() for row in field.rows] == ["status", "extra"]
    assert field.rows[1].fx.isChecked() and field.rows[1].formula.source() == "loop.count"
    field.raw_toggle.setChecked(True)
    field.raw.selectAll()
    qtbot.keyClicks(field.raw, "[1, 2]")
    assert "must be a JSON object" in field.error.text()
    assert _params(document, SEND_DONE)["eventData"] == {"status": "done", "extra": {"$formula": "loop.count"}}


def test_undo_elsewhere_refreshes_without_pushing(qtbot, inspector, document):
    inspector.show_action(*LOOP)
    stack = document.undo_stack()
    combo = inspector.row("mode").literal.combo
    combo.setCurrentIndex(combo.findText("each"))
    stack.undo()
    assert stack.count() == 1 and stack.index() == 0  # the refresh itself pushed nothing


def test_a_moved_action_is_followed_and_a_removed_one_clears(qtbot, inspector, document):
    from app.editor.commands.actions import InsertActionCommand

    inspector.show_action(*SEND_DONE)
    document.push(InsertActionCommand(document, "generate-report", (0,), "debug.log"))
    assert inspector.path == (12,) and inspector.action_id == "send_done"
    document.undo_stack().undo()
    assert inspector.path == (11,)
    document.new()
    assert inspector.action_id is None and inspector.empty.isVisible()


def test_screenshot_of_send_streaming_response(qtbot, inspector, document):
    inspector.show_action(*SEND_DONE)
    inspector.setFocus()
    rows = [row for row in inspector.row("eventData").literal.rows if row.fx.isChecked()]
    qtbot.waitUntil(lambda: all(row.height() >= row.formula.edit.height() > 20 for row in rows))  # wrapped formulas have grown
    assert inspector.header.minimumSizeHint().width() <= inspector.width()  # nothing clipped at the right
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    assert inspector.grab().save(str(SCREENSHOTS / "inspector_send_streaming_response.png"))

