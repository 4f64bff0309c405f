"""A recording made by hand or pasted from an SSE capture, then replayed into a page whose endpoint does not exist."""

from __future__ import annotations

import pytest

from app.core.project import Project
from app.ui.new_recording_dialog import build_recording, parse_messages

CAPTURE = """HTTP/1.1 200 OK
content-type: text/event-stream; charset=utf-8

id: 1
data: {"status":"starting"}

id: 2
data: {"status":"chunk","text":"Hello "}

id: 3
data: {"status":"done"}

"""


def test_messages_by_hand_become_a_recording_at_the_chosen_interval():
    recording = build_recording(Project(), "", "not-built-yet", '{"status": "starting"}\n\n{"status": "done"}', 0.25)
    assert recording.name == "not-built-yet" and recording.source == "manual"
    assert [(m.t, m.data["status"]) for m in recording.messages] == [(0.25, "starting"), (0.5, "done")]


def test_a_pasted_curl_session_becomes_a_recording():
    recording = build_recording(Project(), "hello", "typewriter", CAPTURE, 0.5)
    assert recording.source == "sse" and [m.data.get("text") for m in recording.messages] == [None, "Hello ", None]


def test_text_that_is_not_json_names_its_line():
    with pytest.raises(ValueError, match="line 2"):
        parse_messages('{"status": "a"}\n{status: b}')
    with pytest.raises(ValueError, match="name the endpoint"):
        build_recording(Project(), "", " ", '{"status": "a"}', 0.5)


def test_a_page_previews_against_a_recording_of_an_endpoint_that_does_not_exist(qtbot, qt_loop, tmp_path, monkeypatch):
    """Design first: a hand-written stream for an endpoint not built yet drives a new page's bound label."""
    from PySide6.QtCore import QSettings
    from PySide6.QtWidgets import QMessageBox

    from app.core.workflow_refs import page_workflow_key
    from app.editor.commands.actions import InsertActionCommand, SetActionParamCommand
    from app.editor.commands.pages import SetWidgetPropCommand
    from app.editor.commands.recordings import AddRecordingCommand
    from app.editor.document import Document
    from app.ui.main_window import MainWindow
    from tests.conftest import formula
    from tests.ui.conftest import RUN_TIMEOUT_MS

    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Discard)
    window = MainWindow(Document(), QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat), recovery_dir=tmp_path / "r")
    qtbot.addWidget(window)
    document = window.document
    document.push(AddRecordingCommand(document, build_recording(document.project, "", "summarise", '{"status": "chunk", "text": "Hi"}\n{"status": "done", "text": "Hi there"}', 0.05)))
    window.sidebar.pages.new_page()
    page = window.designer.page_name
    window.designer.add_widget("button")
    window.designer.add_widget("text")
    key = page_workflow_key(page, "button_1", "click")
    document.push(InsertActionCommand(document, key, (0,), "api.call"))
    document.push(SetActionParamCommand(document, key, (0,), "endpoint", "summarise"))
    document.push(SetActionParamCommand(document, key, (0,), "handleStream", True))
    document.push(SetWidgetPropCommand(document, page, "text_1", "text", formula("stream.chunk.text")))
    window.show_page(page)
    assert window.designer.replay_bar.set_source("summarise")
    window.designer.set_preview(True)
    window.designer.click("button_1")
    label = window.designer.page_view.view("text_1").label
    qtbot.waitUntil(lambda: label.text() == "Hi there", timeout=RUN_TIMEOUT_MS)
    assert not window.runner.running
    document.undo_stack().setClean()
    window.designer.shut_down()
