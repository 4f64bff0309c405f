"""The Help menu as a user drives it: F1 in a formula field, the formula reference, keyboard shortcuts, getting started."""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QAction, QKeySequence, QPainter
from PySide6.QtWidgets import QMenu

from app.core.formula.reference import FUNCTIONS, function_entry
from app.ui.formula_editor import FUNCTIONS as COMPLETED_FUNCTIONS
from app.ui.formula_editor import CompletionModel, FormulaEdit
from app.ui.help.formula_reference import FormulaReference
from app.ui.help.getting_started import STEPS, GettingStarted, ShowAction, ShowEndpoint, ShowPage
from app.ui.help.shortcuts import ShortcutsDialog
from app.ui.main_window import MainWindow
from tests.conftest import EXAMPLE, ROOT

SCREENSHOTS = ROOT / "tests" / "ui" / "screenshots"
DIALOG_MS = 10_000


def _menu_action(window: MainWindow, menu_title: str, text: str) -> QAction:
    for top in window.menuBar().actions():
        menu = top.menu()
        if isinstance(menu, QMenu) and menu.title().replace("&", "") == menu_title:
            for action in menu.actions():
                if action.text().replace("&", "") == text:
                    return action
    raise AssertionError(f"no {menu_title} → {text}")


def _formula_of_split_words(qtbot, window: MainWindow) -> FormulaEdit:
    """The Value formula of the example's typewriter › split_words, selected as a user would, with the focus in it."""
    window.reveal_found("typewriter", "split_words")
    qtbot.waitUntil(lambda: window.inspector.action_id == "split_words", timeout=DIALOG_MS)
    row = window.inspector.row("value")
    assert row.formula is not None
    edit = row.formula.edit
    window.activateWindow()
    edit.setFocus()
    return edit


def _reference(window: MainWindow) -> FormulaReference:
    dialog = window.findChild(FormulaReference)
    assert dialog is not None
    return dialog


def _move_cursor(edit: FormulaEdit, position: int) -> None:
    cursor = edit.textCursor()
    cursor.setPosition(position)
    edit.setTextCursor(cursor)


# -- the formula reference ------------------------------------------------------


def test_completion_offers_the_reference_functions_with_their_signatures():
    assert sorted(COMPLETED_FUNCTIONS) == sorted(f"${entry.name}" for entry in FUNCTIONS)
    model = CompletionModel()
    model.setStringList(["$join", "inputs"])
    join = function_entry("join")
    assert join is not None
    assert model.index(0, 0).data(Qt.ItemDataRole.ToolTipRole) == f"{join.signature}\n{join.description}"
    assert model.index(1, 0).data(Qt.ItemDataRole.ToolTipRole) is None


def test_f1_in_a_formula_field_opens_the_reference_at_the_function_under_the_cursor(qtbot, window):
    edit = _formula_of_split_words(qtbot, window)
    assert edit.source().startswith("$split(inputs.text")
    _move_cursor(edit, len("$split(inpu"))  # inside the call's argument
    qtbot.keyClick(edit, Qt.Key.Key_F1)
    dialog = _reference(window)
    qtbot.waitUntil(dialog.isActiveWindow, timeout=DIALOG_MS)  # keys go to the active window, as a user's would
    entry = dialog.current_entry()
    assert entry is not None and entry.name == "split"
    shown = dialog.details.toPlainText()
    assert "$split(str, separator[, limit])" in shown and '["a", "few", "words"]' in shown
    assert dialog.target is edit and dialog.insert_button.isVisible()
    assert edit.source().startswith("$split(inputs.text"), "F1 typed nothing"


def test_a_half_typed_function_is_searched_and_enter_inserts_it_into_the_formula(qtbot, window):
    edit = _formula_of_split_words(qtbot, window)
    before = edit.source()
    _move_cursor(edit, len(before))
    qtbot.keyClicks(edit, " ~> $jo")
    qtbot.keyClick(edit, Qt.Key.Key_F1)
    dialog = _reference(window)
    qtbot.waitUntil(dialog.isActiveWindow, timeout=DIALOG_MS)  # keys go to the active window, as a user's would
    assert dialog.search.text() == "jo"
    assert "$join" in dialog.entries_shown() and "$split" not in dialog.entries_shown()
    assert dialog.current_entry() is function_entry("join")
    qtbot.keyClick(dialog.search, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=DIALOG_MS)
    assert edit.source() == before + " ~> $join("
    assert edit.textCursor().position() == len(edit.source())
    qtbot.keyClicks(edit, '" ")')  # typing goes on in the formula
    stored = window.document.endpoint("typewriter").workflow[1].params["value"]
    assert stored == {"$formula": before + ' ~> $join(" ")'}


def test_search_filters_the_reference_and_the_keyboard_chooses(qtbot, window):
    edit = _formula_of_split_words(qtbot, window)
    _move_cursor(edit, 0)
    qtbot.keyClick(edit, Qt.Key.Key_F1)
    dialog = _reference(window)
    qtbot.waitUntil(dialog.isActiveWindow, timeout=DIALOG_MS)  # keys go to the active window, as a user's would
    everything = dialog.entries_shown()
    assert len(everything) > len(FUNCTIONS) and "loop.count" in everything and "stream.chunk" in everything
    qtbot.keyClicks(dialog.search, "upper")  # F1 selected all of "split": typing replaces it
    assert dialog.entries_shown() == ["$uppercase"]
    dialog.search.clear()
    qtbot.keyClicks(dialog.search, "round")
    shown = dialog.entries_shown()
    assert len(shown) > 1 and dialog.current_entry() is function_entry("round"), "the name that starts with the text searched is chosen"
    for name in shown:
        entry = function_entry(name)
        assert entry is not None and "round" in f"{entry.name} {entry.signature} {entry.description}".lower()
    qtbot.keyClick(dialog.search, Qt.Key.Key_Up)  # moves in the list while typing stays in the field
    assert dialog.current_entry() is function_entry(shown[shown.index("$round") - 1]) and dialog.focusWidget() is dialog.search
    dialog.search.clear()
    qtbot.keyClicks(dialog.search, "no such thing")
    assert dialog.entries_shown() == [] and dialog.current_entry() is None and "Nothing matches" in dialog.details.toPlainText()
    dialog.search.clear()
    qtbot.keyClicks(dialog.search, "loop count")
    assert dialog.entries_shown() == ["loop.count"]
    qtbot.mouseClick(dialog.insert_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=DIALOG_MS)
    assert edit.source().startswith("loop.count$split("), "the button inserts the name at the cursor"


def test_a_double_click_inserts_too(qtbot, window):
    edit = _formula_of_split_words(qtbot, window)
    _move_cursor(edit, 0)
    qtbot.keyClick(edit, Qt.Key.Key_F1)
    dialog = _reference(window)
    qtbot.waitUntil(dialog.isActiveWindow, timeout=DIALOG_MS)  # keys go to the active window, as a user's would
    assert dialog.select("$trim")
    rect = dialog.tree.visualRect(dialog.tree.currentIndex())
    qtbot.mouseClick(dialog.tree.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())  # a double-click's first click
    assert dialog.isVisible(), "a single click only chooses"
    qtbot.mouseDClick(dialog.tree.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=DIALOG_MS)
    assert edit.source().startswith("$trim($split(inputs.text")


def test_a_formula_that_went_away_is_not_written_to(qtbot, window):
    edit = _formula_of_split_words(qtbot, window)
    before = window.document.project.model_dump(mode="json", by_alias=True)
    qtbot.keyClick(edit, Qt.Key.Key_F1)
    dialog = _reference(window)
    qtbot.waitUntil(dialog.isActiveWindow, timeout=DIALOG_MS)  # keys go to the active window, as a user's would
    window.reveal_found("long-import", "send_starting")  # another action: its formula fields replace this one
    qtbot.waitUntil(lambda: window.inspector.endpoint == "long-import", timeout=DIALOG_MS)
    qtbot.keyClick(dialog.search, Qt.Key.Key_Return)
    assert dialog.isVisible() and "F1 in a formula field" in dialog.hint.text() and not dialog.insert_button.isVisible()
    assert window.document.project.model_dump(mode="json", by_alias=True) == before, "nothing was inserted anywhere"


def test_f1_outside_a_formula_opens_the_reference_with_nothing_to_insert_into(qtbot, window):
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=DIALOG_MS)
    window.canvas.setFocus()
    qtbot.keyClick(window.canvas, Qt.Key.Key_F1)
    dialog = _reference(window)
    qtbot.waitUntil(dialog.isActiveWindow, timeout=DIALOG_MS)  # keys go to the active window, as a user's would
    assert dialog.target is None and not dialog.insert_button.isVisible()
    assert "F1 in a formula field" in dialog.hint.text()
    assert not dialog.insert_current()
    qtbot.keyClick(dialog.search, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=DIALOG_MS)


# -- keyboard shortcuts -----------------------------------------------------------


def test_the_shortcuts_dialog_is_generated_from_the_window_actions(qtbot, window):
    edit_menu = next(top.menu() for top in window.menuBar().actions() if top.text() == "&Edit")
    added = QAction("Reverse the workflow", window)
    added.setShortcut(QKeySequence("Ctrl+Alt+J"))
    edit_menu.addAction(added)
    on_canvas = QAction("Collapse every container", window.canvas)
    on_canvas.setShortcut(QKeySequence("Ctrl+Alt+L"))
    window.canvas.addAction(on_canvas)
    _menu_action(window, "Help", "Keyboard shortcuts").trigger()
    dialog = window.findChild(ShortcutsDialog)
    assert dialog is not None
    qtbot.waitUntil(dialog.isActiveWindow, timeout=DIALOG_MS)  # keys go to the active window, as a user's would
    shown = dialog.shown()
    assert shown["Edit › Reverse the workflow"] == "Ctrl+Alt+J", "an action added at runtime is listed"
    assert shown["Workflow canvas › Collapse every container"] == "Ctrl+Alt+L", "a view's own action, under its view"
    assert shown["File › Save"] == "Ctrl+S"
    assert shown["Edit › Undo"] == "Ctrl+Z"
    assert shown["Help › Formula reference"] == "F1"
    assert shown["Run › Run endpoint"] == "Ctrl+Return"
    assert list(shown)[0].startswith("File ›"), "grouped in menu order"
    qtbot.keyClicks(dialog.search, "ctrl+z")
    assert dialog.shown() == {"Edit › Undo": "Ctrl+Z"}
    dialog.search.clear()
    added.setShortcut(QKeySequence("Ctrl+Alt+K"))
    dialog.close()
    _menu_action(window, "Help", "Keyboard shortcuts").trigger()
    qtbot.waitUntil(dialog.isActiveWindow, timeout=DIALOG_MS)  # keys go to the active window, as a user's would
    assert dialog.shown()["Edit › Reverse the workflow"] == "Ctrl+Alt+K", "read again at each opening"


# -- getting started --------------------------------------------------------------


def test_every_quoted_part_of_getting_started_is_in_the_bundled_example():
    example = EXAMPLE.read_text(encoding="utf-8")
    for step in STEPS:
        for quoted in re.findall(r"<code>(.*?)</code>", step.text):
            assert html.unescape(quoted) in example, f"step {step.title!r} quotes {quoted!r}, which the example does not hold"


def _shown(window: MainWindow, target: object) -> bool:
    if isinstance(target, ShowEndpoint):
        showing = window.endpoint == target.endpoint and window.center.currentIndex() == 0 and window.sidebar.current == target.endpoint
        return showing and (not target.run_panel or not window.run_dock.visibleRegion().isEmpty())
    if isinstance(target, ShowAction):
        current = window.document.selection.current
        selected = current is not None and (current.workflow, current.action_id) == (target.workflow, target.action_id)
        return selected and window.endpoint == target.workflow and window.inspector.action_id == target.action_id
    assert isinstance(target, ShowPage)
    designer = window._designer
    showing = designer is not None and window.center.currentWidget() is designer and designer.page_name == target.page
    if target.widget is not None:
        showing = showing and designer.selected_widget() == target.widget and window.widget_inspector.widget_id == target.widget
    if target.preview:
        showing = showing and window.focusWidget() is designer.preview_button
    return showing


def test_getting_started_steps_show_what_they_say(qtbot, window):
    _menu_action(window, "Help", "Getting started").trigger()
    panel = window.findChild(GettingStarted)
    assert panel is not None
    qtbot.waitUntil(panel.isActiveWindow, timeout=DIALOG_MS)
    assert panel.steps.count() == len(STEPS) and not panel.show_me.isVisible(), "the first step only says what is ahead"
    shown = 0
    for row, step in enumerate(STEPS):
        if row:
            qtbot.mouseClick(panel.next, Qt.MouseButton.LeftButton)  # walked in order, with Next
        assert panel.steps.currentRow() == row and step.title in panel.text.text()
        if step.target is None:
            continue
        assert panel.show_me.isEnabled(), step.title
        if row % 2:  # the other half starts from somewhere else, so nothing holds over from the step before
            window.show_endpoint("long-import")
        qtbot.mouseClick(panel.show_me, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda target=step.target: _shown(window, target), timeout=DIALOG_MS)
        shown += 1
    assert shown >= 10 and not panel.next.isEnabled()
    assert panel.isActiveWindow(), "Show me leaves the walk in front, ready for Next"
    panel.steps.setFocus()
    qtbot.keyClick(panel.steps, Qt.Key.Key_Up)  # by keyboard: arrows choose a step, Enter shows it
    window.show_endpoint("long-import")
    qtbot.keyClick(panel.steps, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: _shown(window, STEPS[-2].target), timeout=DIALOG_MS)


def test_getting_started_in_another_project_offers_the_example(qtbot, window, monkeypatch):
    _menu_action(window, "Help", "Getting started").trigger()
    panel = window.findChild(GettingStarted)
    assert panel is not None
    panel.steps.setCurrentRow(2)
    window.new_project()
    qtbot.waitUntil(lambda: panel.open_example.isVisible(), timeout=DIALOG_MS)
    assert not panel.show_me.isEnabled() and "not the open project" in panel.note.text()
    assert not panel.show_current()
    qtbot.mouseClick(panel.open_example, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: panel.show_me.isEnabled(), timeout=DIALOG_MS)
    assert window.document.has_endpoint("generate-report") and not panel.open_example.isVisible()


# -- screenshots -------------------------------------------------------------------


def _composite(window: MainWindow, dialog, path: Path) -> None:
    """The window with the dialog drawn where it sits over it (offscreen, each top-level is grabbed on its own)."""
    picture = window.grab()
    painter = QPainter(picture)
    offset = dialog.frameGeometry().topLeft() - window.geometry().topLeft()
    painter.drawPixmap(QPoint(max(offset.x(), 0), max(offset.y(), 0)), dialog.grab())
    painter.end()
    assert picture.save(str(path))


@pytest.mark.parametrize("size", [(1280, 800), (1600, 1000)], ids=["1280x800", "1600x1000"])
def test_screenshots_of_the_reference_and_the_shortcuts(qtbot, window, size):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    window.resize(*size)
    qtbot.waitUntil(lambda: window.size().width() == size[0], timeout=DIALOG_MS)
    edit = _formula_of_split_words(qtbot, window)
    _move_cursor(edit, 2)
    qtbot.keyClick(edit, Qt.Key.Key_F1)
    reference = _reference(window)
    qtbot.waitUntil(reference.isVisible, timeout=DIALOG_MS)
    field = edit.mapToGlobal(edit.rect().topLeft())
    assert not reference.frameGeometry().contains(field), "the reference opens beside the formula, not over it"
    tag = f"{size[0]}x{size[1]}"
    assert reference.grab().save(str(SCREENSHOTS / f"help-formula-reference-{tag}.png"))
    _composite(window, reference, SCREENSHOTS / f"help-formula-reference-over-window-{tag}.png")
    reference.search.setText("loop count")
    assert reference.grab().save(str(SCREENSHOTS / f"help-formula-reference-name-{tag}.png"))
    reference.close()
    _menu_action(window, "Help", "Keyboard shortcuts").trigger()
    shortcuts = window.findChild(ShortcutsDialog)
    assert shortcuts is not None
    qtbot.waitUntil(shortcuts.isVisible, timeout=DIALOG_MS)
    assert shortcuts.grab().save(str(SCREENSHOTS / f"help-shortcuts-{tag}.png"))
    _composite(window, shortcuts, SCREENSHOTS / f"help-shortcuts-over-window-{tag}.png")
    shortcuts.close()
    _menu_action(window, "Help", "Getting started").trigger()
    panel = window.findChild(GettingStarted)
    assert panel is not None
    qtbot.waitUntil(panel.isVisible, timeout=DIALOG_MS)
    panel.steps.setCurrentRow(9)
    qtbot.mouseClick(panel.show_me, Qt.MouseButton.LeftButton)
    _composite(window, panel, SCREENSHOTS / f"help-getting-started-over-window-{tag}.png")
