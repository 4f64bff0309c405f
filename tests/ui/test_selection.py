"""One current action: the canvas highlights it, the inspector edits it, and undo/redo put it back."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, QSettings, Qt
from PySide6.QtWidgets import QMessageBox

from app.editor.document import Document
from app.ui.main_window import MainWindow
from tests.conftest import EXAMPLE


@pytest.fixture
def window(qtbot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> MainWindow:
    monkeypatch.setattr(QMessageBox, "question", lambda *args, **kwargs: QMessageBox.StandardButton.Discard)
    path = tmp_path / EXAMPLE.name
    shutil.copy(EXAMPLE, path)
    document = Document()
    document.open(path)
    main = MainWindow(document, QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat), recovery_dir=tmp_path / "recovery")
    qtbot.addWidget(main)
    main.resize(1440, 900)
    main.show()
    qtbot.waitExposed(main)
    main.sidebar.select_endpoint("long-import")
    return main


def _card_point(window: MainWindow, path) -> QPoint:
    window.canvas.ensure_visible(path)
    card = window.canvas.layout_.card_for(path)
    offset = window.canvas._offset()
    return QPoint(int(card.rect.x + 80 + offset.x()), int(card.rect.y + 20 + offset.y()))


def _click_card(qtbot, window: MainWindow, path) -> None:
    qtbot.mouseClick(window.canvas.viewport(), Qt.MouseButton.LeftButton, pos=_card_point(window, path))


def _ids(window: MainWindow, endpoint: str = "long-import") -> list[str]:
    return [a.id for a in window.document.endpoint(endpoint).workflow]


def _shown(window: MainWindow) -> tuple[str | None, str | None]:
    """The action the canvas highlights and the one the inspector edits."""
    canvas = window.canvas.selected_id
    return canvas, window.inspector.action_id


def test_after_delete_the_next_card_is_selected_in_the_canvas_and_the_inspector(qtbot, window):
    ids = _ids(window)
    _click_card(qtbot, window, (0,))
    qtbot.keyClick(window.canvas, Qt.Key.Key_Delete)
    assert _ids(window) == ids[1:]
    assert _shown(window) == (ids[1], ids[1])
    assert not window.inspector.empty.isVisible()
    _click_card(qtbot, window, (1,))
    assert _shown(window) == (ids[2], ids[2]), "clicking another card selects it"
    _click_card(qtbot, window, (0,))
    assert _shown(window) == (ids[1], ids[1]), "clicking the card that moved up selects it"


def test_undo_selects_the_restored_action_and_typing_edits_that_one(qtbot, window):
    ids = _ids(window)
    _click_card(qtbot, window, (1,))
    qtbot.keyClick(window.canvas, Qt.Key.Key_Delete)
    assert _shown(window) == (ids[2], ids[2])
    window.document.undo_stack().undo()
    assert _ids(window) == ids
    assert _shown(window) == (ids[1], ids[1])
    title = window.inspector.header.title
    title.selectAll()
    qtbot.keyClicks(title, "Renamed")
    assert window.document.endpoint("long-import").workflow[1].title == "Renamed"
    assert all(a.title != "Renamed" for i, a in enumerate(window.document.endpoint("long-import").workflow) if i != 1)
    window.document.undo_stack().redo()  # nothing to redo after typing; undo the title, then redo the delete
    window.document.undo_stack().undo()
    window.document.undo_stack().redo()
    assert _shown(window) == (ids[1], ids[1])


def test_undo_of_an_edit_in_another_endpoint_shows_it_there(qtbot, window):
    _click_card(qtbot, window, (0,))
    qtbot.keyClick(window.canvas, Qt.Key.Key_Delete)
    window.sidebar.select_endpoint("typewriter")
    assert _shown(window) == (None, None)
    window.document.undo_stack().undo()
    assert window.endpoint == "long-import"
    assert _shown(window) == ("send_starting", "send_starting")


def test_paste_duplicate_and_quick_add_select_what_they_add(qtbot, window):
    _click_card(qtbot, window, (0,))
    window.duplicate()
    copy = window.document.endpoint("long-import").workflow[1]
    assert _shown(window) == (copy.id, copy.id)
    window.copy()
    window.paste()
    pasted = window.document.endpoint("long-import").workflow[2]
    assert pasted.id not in (copy.id, "send_starting") and _shown(window) == (pasted.id, pasted.id)
    window.quick_add_after_selection()
    qtbot.waitUntil(window.quick_add.isVisible)
    qtbot.keyClicks(window.quick_add.palette_panel.search, "wait")
    qtbot.keyClick(window.quick_add.palette_panel.search, Qt.Key.Key_Return)
    added = window.document.endpoint("long-import").workflow[3]
    assert added.type == "flow.wait" and _shown(window) == (added.id, added.id)


def test_quick_add_opens_at_the_plus_that_was_clicked(qtbot, window):
    canvas = window.canvas
    screen = window.screen().availableGeometry()
    tops = []
    for path in [(0,), (1,)]:
        point = next(p for p in canvas.layout_.inserts if p.path == path)
        offset = canvas._offset()
        local = QPoint(int(point.x + point.width / 2 + offset.x()), int(point.y + offset.y()))
        qtbot.mouseClick(canvas.viewport(), Qt.MouseButton.LeftButton, pos=local)
        qtbot.waitUntil(window.quick_add.isVisible)
        plus = canvas.viewport().mapToGlobal(local)
        popup = window.quick_add.geometry()
        assert plus.y() < popup.top() <= plus.y() + 20, (popup, plus)  # right below the "+"
        assert abs(popup.left() - min(plus.x() + 12, screen.right() - popup.width())) <= 3, (popup, plus)  # beside it, kept on the screen
        tops.append(popup.top())
        window.quick_add.hide()
    assert tops[1] - tops[0] > 40, "each + opens at its own place, not the canvas centre"


def test_a_double_click_in_quick_add_inserts_one_action(qtbot, window):
    before = len(window.document.endpoint("long-import").workflow)
    _click_card(qtbot, window, (0,))
    window.quick_add_after_selection()
    qtbot.waitUntil(window.quick_add.isVisible)
    panel = window.quick_add.palette_panel
    qtbot.keyClicks(panel.search, "log")
    index = panel.tree.currentIndex()
    rect = panel.tree.visualRect(index)
    qtbot.mouseClick(panel.tree.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())  # a double-click's first press
    qtbot.mouseDClick(panel.tree.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert len(window.document.endpoint("long-import").workflow) == before + 1
    assert window.document.endpoint("long-import").workflow[1].type == "debug.log"
