"""The canvas's and the page designer's keys are QActions: Help → Keyboard shortcuts lists them, and they still work
when pressed on the real widget, but never while typing in the inspector."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QLineEdit

from app.ui.help.shortcuts import collect_shortcuts
from app.ui.main_window import MainWindow


def _shown(window: MainWindow) -> dict[str, str]:
    return {f"{row.group} › {row.text}": row.keys for row in collect_shortcuts(window)}


def _focus(qtbot: Any, widget: Any) -> None:
    widget.activateWindow()
    widget.setFocus()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is widget)


def test_the_shortcuts_dialog_lists_the_canvas_keys(window: MainWindow) -> None:
    shown = _shown(window)
    assert shown["Workflow canvas › Select previous action"] == "Up"
    assert shown["Workflow canvas › Select next action"] == "Down"
    assert shown["Workflow canvas › Edit selected action in the inspector"] == "Return, Enter"
    assert shown["Workflow canvas › Add action after the selection…"] == "Ins, +"
    assert shown["Workflow canvas › Delete selected action"] == "Backspace", "Delete itself is Edit → Delete's"
    assert shown["Edit › Delete"] == "Del"


def test_canvas_keys_select_open_insert_and_delete_on_the_real_canvas(qtbot: Any, window: MainWindow) -> None:
    canvas = window.canvas
    _focus(qtbot, canvas)
    ids = [action.id for action in window.document.endpoint(window.endpoint).workflow]
    qtbot.keyClick(canvas, Qt.Key.Key_Down)
    qtbot.keyClick(canvas, Qt.Key.Key_Down)
    assert canvas.selected_id == ids[1] and window.inspector.action_id == ids[1]
    qtbot.keyClick(canvas, Qt.Key.Key_Up)
    assert canvas.selected_id == ids[0]
    with qtbot.waitSignal(canvas.insertRequested) as inserted:
        qtbot.keyClick(canvas, Qt.Key.Key_Insert)
    assert inserted.args == [(1,)]
    window.quick_add.hide()
    _focus(qtbot, canvas)
    with qtbot.waitSignal(canvas.activated):
        qtbot.keyClick(canvas, Qt.Key.Key_Return)
    _focus(qtbot, canvas)
    qtbot.keyClick(canvas, Qt.Key.Key_Backspace)
    assert [a.id for a in window.document.endpoint(window.endpoint).workflow] == ids[1:]
    _focus(qtbot, canvas)
    qtbot.keyClick(canvas, Qt.Key.Key_Delete)  # Edit → Delete, on the canvas's selection
    assert [a.id for a in window.document.endpoint(window.endpoint).workflow] == ids[2:]


def test_canvas_keys_do_nothing_while_typing_in_the_inspector(qtbot: Any, window: MainWindow) -> None:
    canvas = window.canvas
    _focus(qtbot, canvas)
    qtbot.keyClick(canvas, Qt.Key.Key_Down)
    selected = canvas.selected_id
    title = window.inspector.header.title
    assert isinstance(title, QLineEdit)
    _focus(qtbot, title)
    title.setCursorPosition(0)
    for key in (Qt.Key.Key_Down, Qt.Key.Key_Up, Qt.Key.Key_Backspace, Qt.Key.Key_Insert):
        qtbot.keyClick(title, key)
    assert canvas.selected_id == selected
    assert selected in [a.id for a in window.document.endpoint(window.endpoint).workflow], "Backspace edited the field, not the workflow"


def test_the_page_designer_lists_and_takes_its_keys(qtbot: Any, qt_loop: Any, window: MainWindow) -> None:
    window.show_page("report")
    view = window.designer.page_view
    shown = _shown(window)
    assert shown["Page designer › Select previous widget"] == "Up"
    assert shown["Page designer › Select next widget"] == "Down"
    assert shown["Page designer › Add widget…"] == "Ins"
    window.designer.select_widget("status_label")
    _focus(qtbot, view)
    order = list(view._views)
    at = order.index("status_label")
    qtbot.keyClick(view, Qt.Key.Key_Down)
    assert view.selected() == order[at + 1] and window.designer.selected_widget() == order[at + 1]
    qtbot.keyClick(view, Qt.Key.Key_Up)
    assert view.selected() == "status_label"
    window.designer.set_preview(True)
    assert not view.next_action.isEnabled(), "while previewing the keys belong to the page's own widgets"
    window.designer.set_preview(False)
    assert view.next_action.isEnabled()
