"""The main window as a user drives it: drag from the palette, undo/redo, files, import/export, problems."""

from __future__ import annotations

import warnings

from PySide6.QtCore import QPoint, QPointF, QSettings, Qt
from PySide6.QtGui import QDragEnterEvent, QDragMoveEvent, QDropEvent, QGuiApplication
from PySide6.QtWidgets import QApplication, QMessageBox

from app.core.exchange import export_endpoint
from app.core.project_file import dumps, load_project
from app.editor.document import Document
from app.editor.models.roles import ActionTypeRole
from app.ui.main_window import MainWindow
from tests.conftest import ROOT
from tests.ui.conftest import RUN_TIMEOUT_MS, drive

SCREENSHOTS = ROOT / "tests" / "ui" / "screenshots"


def _drop_palette_item(window: MainWindow, type_id: str, at: QPoint) -> None:
    """Drag a palette row with the palette model's own mime data onto the canvas."""
    proxy = window.palette_panel.proxy
    groups = [proxy.index(row, 0) for row in range(proxy.rowCount())]
    index = next(proxy.index(row, 0, group) for group in groups for row in range(proxy.rowCount(group)) if proxy.index(row, 0, group).data(ActionTypeRole) == type_id)
    mime = proxy.mimeData([index])
    viewport = window.canvas.viewport()
    actions, buttons, modifiers = Qt.DropAction.CopyAction | Qt.DropAction.MoveAction, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        QApplication.sendEvent(viewport, QDragEnterEvent(at, actions, mime, buttons, modifiers))
        QApplication.sendEvent(viewport, QDragMoveEvent(at, actions, mime, buttons, modifiers))
    QApplication.sendEvent(viewport, QDropEvent(QPointF(at), actions, mime, buttons, modifiers))


def _insert_point(window: MainWindow, path) -> QPoint:
    point = next(p for p in window.canvas.layout_.inserts if p.path == path)
    offset = window.canvas._offset()
    return QPoint(int(point.x + 60 + offset.x()), int(point.y + offset.y()))


def test_dropping_a_palette_item_adds_the_action_and_undo_redo_round_trips(qtbot, window):
    before = window.document.project
    _drop_palette_item(window, "flow.wait", _insert_point(window, (1,)))
    workflow = window.document.endpoint("generate-report").workflow
    assert workflow[1].type == "flow.wait" and len(workflow) == len(before.endpoint("generate-report").workflow) + 1
    assert window.canvas.selected == (1,) and window.isWindowModified()
    window.document.undo_stack().undo()
    assert window.document.project == before and not window.isWindowModified()
    window.document.undo_stack().redo()
    assert window.document.endpoint("generate-report").workflow[1].type == "flow.wait"


def test_reordering_by_drag_moves_the_card(qtbot, window):
    first = window.document.endpoint("generate-report").workflow[0].id
    window.move_action((0,), (3,))
    assert window.document.endpoint("generate-report").workflow[2].id == first


def test_quick_add_by_keyboard(qtbot, window):
    window.canvas.select((0,))
    window.quick_add_after_selection()
    qtbot.waitUntil(window.quick_add.isVisible)
    qtbot.keyClicks(window.quick_add.palette_panel.search, "log")
    qtbot.keyClick(window.quick_add.palette_panel.search, Qt.Key.Key_Return)
    assert window.document.endpoint("generate-report").workflow[1].type == "debug.log"
    assert not window.quick_add.isVisible()


def test_delete_key_removes_the_selected_card_in_one_undo_step(qtbot, window):
    window.sidebar.select_endpoint("long-import")
    window.canvas.select((1,))
    window.canvas.setFocus()
    qtbot.keyClick(window.canvas, Qt.Key.Key_Delete)
    assert [a.id for a in window.document.endpoint("long-import").workflow] == ["send_starting", "send_done"]
    window.document.undo_stack().undo()
    assert len(window.document.endpoint("long-import").workflow) == 3


def test_opening_a_broken_file_shows_the_problems_and_keeps_the_project(qtbot, window, tmp_path, monkeypatch):
    shown: list[str] = []
    monkeypatch.setattr(QMessageBox, "warning", lambda parent, title, text: shown.append(text))
    broken = tmp_path / "broken.streamwright.json"
    broken.write_text('{"endpoints": [{"name": "x", "path": "/x", "workflow": [{"id": "a", "type": "nope"}]}]}')
    before = window.document.project
    assert not window.open_file(broken)
    assert window.document.project is before
    assert "$.endpoints[0].workflow[0].type" in shown[0]


def test_export_and_import_a_workflow_renames_on_clash(qtbot, window):
    text = dumps(export_endpoint(window.document.project, "typewriter"))
    assert window.import_workflow_text(text, "test")
    names = [e.name for e in window.document.project.endpoints]
    assert names[-1] == "typewriter-2" and window.sidebar.current == "typewriter-2"
    window.document.undo_stack().undo()
    assert "typewriter-2" not in [e.name for e in window.document.project.endpoints]


def test_copy_and_paste_actions_through_the_clipboard(qtbot, window):
    window.canvas.select((0,))
    window.copy()
    assert "streamwright.actions" in QGuiApplication.clipboard().mimeData().text() or QGuiApplication.clipboard().mimeData().formats()
    window.sidebar.select_endpoint("typewriter")
    window.canvas.select((0,))
    window.paste()
    pasted = window.document.endpoint("typewriter").workflow[1]
    assert pasted.type == "stream.send" and pasted.params["eventData"]["label"] == "Starting"


def test_clicking_a_problem_selects_its_action(qtbot, window):
    window.sidebar.select_endpoint("typewriter")
    window.canvas.select((0,))
    window.delete_selected()  # nothing wrong yet; now add a message without status
    from app.editor.commands.actions import SetActionParamCommand

    window.document.push(SetActionParamCommand(window.document, "long-import", (0,), "eventData", {"done": 0}))

    def status_items():
        return [window.problems_panel.item(i) for i in range(window.problems_panel.count()) if "status" in window.problems_panel.item(i).text()]

    qtbot.waitUntil(lambda: bool(status_items()))
    item = status_items()[0]
    window.problems_panel.itemClicked.emit(item)
    assert window.sidebar.current == "long-import" and window.canvas.selected == (0,)


def test_closing_with_unsaved_work_asks_first(qtbot, window, monkeypatch):
    window.move_action((0,), (3,))
    monkeypatch.setattr(QMessageBox, "question", lambda *args, **kwargs: QMessageBox.StandardButton.Cancel)
    assert not window.close()
    monkeypatch.setattr(QMessageBox, "question", lambda *args, **kwargs: QMessageBox.StandardButton.Save)
    assert window.close()
    assert load_project(window.document.file_path()).endpoint("generate-report").workflow[2].id == "send_starting"


def test_unsaved_work_is_offered_back_after_a_crash(qtbot, window, tmp_path, monkeypatch):
    window.move_action((0,), (3,))
    assert window.autosave.write_now()
    edited = window.document.project
    window.autosave._lock.unlock()  # what a crash leaves: a recovery file whose session is gone
    monkeypatch.setattr(QMessageBox, "question", lambda *args, **kwargs: QMessageBox.StandardButton.Yes)
    fresh = MainWindow(Document(), QSettings(str(tmp_path / "other.ini"), QSettings.Format.IniFormat), recovery_dir=tmp_path / "recovery")
    qtbot.addWidget(fresh)
    assert fresh.offer_recovery()
    assert fresh.document.project == edited and fresh.document.is_dirty()
    assert fresh.document.file_path() == window.document.file_path()
    assert not fresh.offer_recovery(), "a restored file is not offered twice"


def test_selecting_a_card_shows_it_in_the_inspector_and_its_edits_redraw_the_card(qtbot, window):
    qtbot.mouseClick(window.canvas.viewport(), Qt.MouseButton.LeftButton, pos=_card_point(window, (7,)))
    assert (window.inspector.endpoint, window.inspector.path, window.inspector.action_id) == ("generate-report", (7,), "pause_calculated")
    window.inspector.row("milliseconds")  # the Wait's own field is on show
    window.sidebar.select_endpoint("typewriter")
    assert window.inspector.action_id is None, "another endpoint clears the inspector"


def _card_point(window: MainWindow, path) -> QPoint:
    window.canvas.ensure_visible(path)
    card = window.canvas.layout_.card_for(path)
    offset = window.canvas._offset()
    return QPoint(int(card.rect.x + 80 + offset.x()), int(card.rect.y + 20 + offset.y()))


def test_saving_a_project_with_errors_warns_first_and_cancel_keeps_the_file(qtbot, window, monkeypatch):
    from app.editor.commands.actions import SetActionParamCommand

    on_disk = window.document.file_path().read_bytes()
    window.document.push(SetActionParamCommand(window.document, "typewriter", (0,), "eventData", {"status": {"$formula": "loop.item &"}}))
    asked: list[str] = []

    def answer(parent, title, text, buttons):  # type: ignore[no-untyped-def]
        asked.append(text)
        return QMessageBox.StandardButton.Cancel

    monkeypatch.setattr(QMessageBox, "question", answer)
    assert not window.save()
    assert "$.endpoints[1].workflow[0].params.eventData.status" in asked[0]
    assert window.document.file_path().read_bytes() == on_disk
    assert window.sidebar.current == "typewriter" and window.canvas.selected == (0,), "the error is shown"


def test_screenshot_of_the_main_window(qtbot, window):
    window.canvas.select((4,))
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    assert window.grab().save(str(SCREENSHOTS / "main-window.png"))


def test_a_run_from_the_run_panel_streams_live_and_a_failure_selects_its_action(qtbot, qt_loop, window):
    """The window's own runner, a real child process: run, watch the rows, then make it fail."""
    panel = window.run_panel
    window.sidebar.select_endpoint("typewriter")
    assert panel.endpoint_name == "typewriter"
    try:
        window.run_endpoint()
        qtbot.waitUntil(lambda: not panel.is_running and panel.messages.rowCount() > 0, timeout=RUN_TIMEOUT_MS)
        assert panel.state is not None and panel.state.status == "done"
        assert panel.messages.rowCount() == panel.state.count >= 3
        from app.editor.commands.actions import InsertActionCommand

        window.document.push(InsertActionCommand(window.document, "typewriter", (1,), "flow.throw"))
        window.canvas.select(None)
        with qtbot.waitSignal(panel.failingAction, timeout=RUN_TIMEOUT_MS) as failed:
            window.run_endpoint()
        thrown = window.document.endpoint("typewriter").workflow[1].id
        assert failed.args == ["typewriter", thrown]
        assert window.canvas.selected == (1,), "the failing action is selected on the canvas"
    finally:
        drive(qtbot, window.runner.stop())


def test_after_a_run_each_formula_field_shows_the_value_it_had(qtbot, qt_loop, window):
    """Run the report from the Run panel (mid-stream: a screenshot of the whole window), then read the hints."""
    panel = window.run_panel
    window.resize(1440, 900)
    window.sidebar.select_endpoint("generate-report")
    panel.inputs_form.fields["stepDelayMs"].editor.setValue(300)
    window.canvas.select((0,))
    try:
        window.run_endpoint()
        qtbot.waitUntil(lambda: panel.messages.rowCount() >= 2, timeout=RUN_TIMEOUT_MS)
        window.canvas.select((3,))  # fetch_sales: its SQL, database and parameters in the inspector
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        QApplication.processEvents()  # queued layout and show requests, as the next event-loop turn would
        window.grab().save(str(SCREENSHOTS / "main_window_run_mid_stream.png"))
        qtbot.waitUntil(lambda: not panel.is_running, timeout=RUN_TIMEOUT_MS)
        assert panel.state is not None and panel.state.status == "done"
        window.canvas.select((4,))  # pause_retrieved: milliseconds = inputs.stepDelayMs
        assert window.inspector.row("milliseconds").hint.text() == "Last run: 300"
        window.canvas.select((11,))  # send_done: Event Data with formulas
        hint = window.inspector.row("eventData").hint.text()
        assert hint.startswith('Last run: {"status": "done"') and '"downloadUrl": "http' in hint
        window.canvas.select((0,))  # send_starting: all literal, nothing to show
        assert not window.inspector.row("eventData").hint.isVisibleTo(window.inspector)
        # the Stream dock followed the run; picking a message there selects the action that sent it
        inspector = window.stream_inspector
        qtbot.waitUntil(lambda: inspector.model.rowCount() == 5, timeout=RUN_TIMEOUT_MS)
        assert inspector.select_seq(4)
        assert window.canvas.selected == (8,)  # send_generating
    finally:
        drive(qtbot, window.runner.stop())


def test_find_action_searches_every_workflow_and_opens_the_one_found(qtbot, window):
    window.sidebar.select_endpoint("typewriter")
    window.find_action()
    finder = window.finder
    assert finder.isVisible()
    qtbot.keyClicks(finder.search, "downloadUrl")
    assert finder.results.count() == 1 and "endpoint generate-report" in finder.results.item(0).text()
    qtbot.keyClick(finder.search, Qt.Key.Key_Return)
    assert window.endpoint == "generate-report" and window.canvas.selected == (11,)
    window.find_action()
    qtbot.keyClicks(finder.search, "call typewriter")
    assert finder.results.count() == 1
    qtbot.keyClick(finder.search, Qt.Key.Key_Return)
    assert window.endpoint == "page:typewriter:write_button:click" and window.canvas.selected == (0,)
    assert window.inspector.action_id == "call_typewriter"


def test_stream_tests_run_from_the_menu_pass_then_fail_when_the_final_message_is_dropped(qtbot, qt_loop, window):
    """The editor runs ``streamwright test`` in a child process on the project as it is on screen."""
    window.run_stream_tests()
    dialog = window.tests_dialog
    assert dialog is not None and dialog.isVisible()
    qtbot.waitUntil(lambda: dialog.rerun.isEnabled(), timeout=RUN_TIMEOUT_MS)
    assert dialog.results() == [("report-stream", "PASS"), ("typewriter-stream", "PASS")]
    from app.editor.commands.actions import RemoveActionCommand

    window.document.push(RemoveActionCommand(window.document, "generate-report", (11,)))  # send_done
    window.run_stream_tests()
    qtbot.waitUntil(lambda: dialog.rerun.isEnabled(), timeout=RUN_TIMEOUT_MS)
    assert dialog.results() == [("report-stream", "FAIL"), ("typewriter-stream", "PASS")]
    failing = dialog.tree.topLevelItem(0)
    assert any("ended without its final message" in failing.child(i).text(0) for i in range(failing.childCount()))
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    QApplication.processEvents()  # queued layout and show requests, as the next event-loop turn would
    dialog.grab().save(str(SCREENSHOTS / "stream_tests.png"))
    dialog.close()


def test_a_recording_becomes_a_stream_test_from_the_menu(qtbot, window, monkeypatch):
    from PySide6.QtWidgets import QInputDialog

    monkeypatch.setattr(QInputDialog, "getItem", lambda *a, **k: ("report-run", True))
    window.add_stream_test_dialog()
    added = window.document.project.stream_tests[-1]
    assert added.name == "report-run-test" and added.endpoint == "generate-report" and added.statuses == ["starting", "progress", "done"]
    window.document.undo_stack().undo()
    assert [t.name for t in window.document.project.stream_tests] == ["report-stream", "typewriter-stream"]
