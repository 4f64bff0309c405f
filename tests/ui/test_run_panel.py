"""The Run panel against a real runner process: live rows, done, cancel, errors, bad inputs, a killed runner."""

from __future__ import annotations

import os
import signal
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QCheckBox, QDoubleSpinBox, QLineEdit, QPlainTextEdit, QSpinBox

from app.client import RunnerProcess
from app.core.project import EndpointInput, Project
from app.core.project_file import load_project
from app.editor.commands.endpoints import RemoveEndpointCommand, RenameEndpointCommand
from app.editor.commands.inputs import AddEndpointInputCommand
from app.editor.document import Document
from app.ui.run_panel import RunPanel
from tests.conftest import ROOT, action, endpoint, formula
from tests.ui.conftest import RUN_TIMEOUT_MS, drive

SCREENSHOTS = ROOT / "tests" / "ui" / "screenshots"


# -- asyncio inside Qt -----------------------------------------------------------
# -- a real runner, a document, the panel --------------------------------------
def panel_project(path: Path) -> Project:
    """The demo project plus endpoints made for these tests."""
    project = load_project(path)
    project.endpoints += [
        endpoint([action("hello", "stream.send", eventData={"status": "starting"}), action("boom", "flow.throw", message="Out of paper")], name="fails"),
        endpoint([action("hello", "stream.send", eventData={"status": "starting"}), action("hang", "flow.wait", milliseconds=600_000)], name="hang"),
        endpoint(
            [action("greet", "stream.send", eventData={"status": "done", "text": formula('"Hello " & inputs.customer & " " & inputs.options.tone')})],
            inputs=[
                EndpointInput(name="customer", type="string", required=True, description="Who to greet."),
                EndpointInput(name="options", type="object", default={"tone": "warmly"}, description="How to greet."),
            ],
            name="greet",
        ),
        endpoint(
            [],
            inputs=[
                EndpointInput(name="title", type="string", default="Hi", description="A title."),
                EndpointInput(name="count", type="integer", default=3, description="How many."),
                EndpointInput(name="ratio", type="number", default=0.5),
                EndpointInput(name="loud", type="boolean", default=True),
                EndpointInput(name="tags", type="array", default=["a", "b"]),
                EndpointInput(name="extra", type="object"),
            ],
            name="every-type",
        ),
    ]
    return project


@pytest.fixture
def panel(qtbot: Any, runner: RunnerProcess, project_file: Path) -> Iterator[RunPanel]:
    widget = RunPanel(Document(panel_project(project_file)), runner)
    qtbot.addWidget(widget)
    widget.resize(720, 520)
    widget.show()
    qtbot.waitExposed(widget)
    yield widget
    if widget.is_running:
        widget.cancel()
        qtbot.waitUntil(lambda: not widget.is_running, timeout=RUN_TIMEOUT_MS)


def type_into(qtbot: Any, panel: RunPanel, name: str, text: str) -> None:
    editor = panel.inputs_form.fields[name].editor
    if isinstance(editor, QLineEdit):
        editor.clear()
        qtbot.keyClicks(editor, text)
    elif isinstance(editor, QPlainTextEdit):
        editor.setPlainText(text)
    elif isinstance(editor, QSpinBox):
        editor.setValue(int(text))


def run_to_end(qtbot: Any, panel: RunPanel, endpoint_name: str) -> str:
    with qtbot.waitSignal(panel.runFinished, timeout=RUN_TIMEOUT_MS) as finished:
        qtbot.mouseClick(panel.run_button, Qt.MouseButton.LeftButton)
    assert finished.args[0] == endpoint_name
    return str(finished.args[1])


def statuses(panel: RunPanel) -> list[str]:
    return [row.status for row in panel.messages.rows()]


def save_screenshot(panel: RunPanel, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for _ in range(3):  # a shown or hidden error line re-lays out one level per pass: settle every level first
        QApplication.processEvents()
    assert panel.grab().save(str(SCREENSHOTS / name))


# -- tests --------------------------------------------------------------------------
def test_typewriter_ends_with_its_five_messages_in_order_and_says_done(qtbot: Any, panel: RunPanel) -> None:
    panel.set_endpoint("typewriter")
    type_into(qtbot, panel, "text", "one two three")
    type_into(qtbot, panel, "delayMs", "0")

    assert run_to_end(qtbot, panel, "typewriter") == "done"

    rows = panel.messages.rows()
    assert [row.data for row in rows] == [
        {"status": "starting"},
        {"status": "chunk", "text": "one "},
        {"status": "chunk", "text": "two "},
        {"status": "chunk", "text": "three"},
        {"status": "done", "words": 3},
    ]
    assert [row.sequence for row in rows] == [1, 2, 3, 4, 5]
    assert statuses(panel) == ["starting", "chunk", "chunk", "chunk", "done"]
    assert [row.elapsed_ms for row in rows] == sorted(row.elapsed_ms for row in rows)
    assert panel.messages.data(panel.messages.index(1, 3)) == '{"status": "chunk", "text": "one "}'
    assert panel.status_text().startswith("Done in ") and panel.status_text().endswith(" s · 5 messages")
    assert panel.error_text() == ""
    assert panel.run_button.isEnabled() and not panel.cancel_button.isEnabled()
    finished_spans = [trace["action_id"] for trace in panel.last_traces if trace["kind"] == "action_finished"]
    assert finished_spans.count("send_word") == 3 and finished_spans[-1] == "send_done", panel.last_traces


def test_generate_report_ends_with_a_download_url(qtbot: Any, panel: RunPanel) -> None:
    panel.set_endpoint("generate-report")
    type_into(qtbot, panel, "stepDelayMs", "0")
    panel.inputs_form.fields["since"].editor.setFocus()

    with qtbot.waitSignal(panel.runFinished, timeout=RUN_TIMEOUT_MS) as finished:
        qtbot.keyClick(panel.inputs_form.fields["since"].editor, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert finished.args == ["generate-report", "done"]

    rows = panel.messages.rows()
    assert len(rows) == 5
    assert statuses(panel) == ["starting", "progress", "progress", "progress", "done"]
    assert "/files/sales-report-2026-01-01.csv" in str(rows[-1].data["downloadUrl"])
    assert "downloadUrl" in rows[-1].text
    save_screenshot(panel, "run-panel-report-done.png")


def test_rows_appear_while_the_stream_runs(qtbot: Any, panel: RunPanel) -> None:
    panel.set_endpoint("typewriter")
    type_into(qtbot, panel, "text", "Streaming lets an endpoint send small updates")
    type_into(qtbot, panel, "delayMs", "600")  # the run goes on at least 3 s after the third row: room for a busy machine

    with qtbot.waitSignal(panel.runStarted):
        qtbot.mouseClick(panel.run_button, Qt.MouseButton.LeftButton)
    assert panel.is_running and panel.cancel_button.isEnabled() and not panel.run_button.isEnabled()
    qtbot.waitUntil(lambda: panel.messages.rowCount() >= 3, timeout=RUN_TIMEOUT_MS)

    assert panel.is_running, "the first rows are in the table while the run goes on (5 more words to come)"
    assert panel.messages.rowCount() < 9
    assert panel.status_text().startswith("Streaming · ")
    save_screenshot(panel, "run-panel-streaming.png")

    with qtbot.waitSignal(panel.runFinished, timeout=RUN_TIMEOUT_MS) as finished:
        pass
    assert finished.args == ["typewriter", "done"]
    assert panel.messages.rowCount() == 9
    assert panel.messages.row(8).data == {"status": "done", "words": 7}
    save_screenshot(panel, "run-panel-done.png")


def test_cancel_mid_stream_stops_the_run_and_the_rows(qtbot: Any, panel: RunPanel, runner: RunnerProcess) -> None:
    panel.set_endpoint("typewriter")
    type_into(qtbot, panel, "text", " ".join(f"w{n}" for n in range(200)))
    type_into(qtbot, panel, "delayMs", "50")  # 10 s of words: the cancel lands mid-stream however busy the machine
    qtbot.mouseClick(panel.run_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: panel.messages.rowCount() >= 3, timeout=RUN_TIMEOUT_MS)
    state = panel.state
    assert state is not None

    with qtbot.waitSignal(panel.runFinished, timeout=RUN_TIMEOUT_MS) as finished:
        qtbot.mouseClick(panel.cancel_button, Qt.MouseButton.LeftButton)
    assert finished.args == ["typewriter", "cancelled"]
    rows = panel.messages.rowCount()
    assert rows == state.count < 202
    assert panel.status_text() == f"Cancelled · {rows} messages"
    assert panel.run_button.isEnabled() and not panel.cancel_button.isEnabled()

    # The runner no longer has the run (a second cancel finds nothing), and no row came after.
    assert state.run_id is not None
    assert drive(qtbot, runner.client.cancel_run(state.run_id)) is False
    qtbot.waitUntil(lambda: not panel._frame.isActive())
    assert panel.messages.rowCount() == state.count == rows


def test_cancel_before_the_call_starts_sends_nothing(qtbot: Any, panel: RunPanel) -> None:
    panel.set_endpoint("hang")
    with qtbot.waitSignal(panel.runFinished, timeout=RUN_TIMEOUT_MS) as finished:
        assert panel.run()
        panel.cancel()  # the run's task has not taken a step yet
    assert finished.args == ["hang", "cancelled"]
    assert panel.messages.rowCount() == 0 and panel.status_text() == "Cancelled · 0 messages"

    panel.set_endpoint("typewriter")
    type_into(qtbot, panel, "text", "again")
    type_into(qtbot, panel, "delayMs", "0")
    assert run_to_end(qtbot, panel, "typewriter") == "done"
    assert statuses(panel) == ["starting", "chunk", "done"]


def test_an_endpoint_error_is_shown_and_names_the_failing_action(qtbot: Any, panel: RunPanel) -> None:
    panel.set_endpoint("fails")
    heard: list[tuple[str, ...]] = []
    panel.failingAction.connect(lambda endpoint, action_id: heard.append(("failingAction", endpoint, action_id)))
    panel.runFinished.connect(lambda endpoint, status: heard.append(("runFinished", endpoint, status)))
    with qtbot.waitSignal(panel.runFinished, timeout=RUN_TIMEOUT_MS):
        qtbot.mouseClick(panel.run_button, Qt.MouseButton.LeftButton)
    assert heard == [("failingAction", "fails", "boom"), ("runFinished", "fails", "error")]

    assert statuses(panel) == ["starting"]
    assert "Out of paper" in panel.error_text() and "boom" in panel.error_text() and "Throw error" in panel.error_text()
    assert panel.status_text().startswith("Error after ") and panel.status_text().endswith("· 1 message")
    assert panel.run_button.isEnabled()
    save_screenshot(panel, "run-panel-error.png")

    with qtbot.waitSignal(panel.failingAction) as again:  # the "Failing action" link selects it again
        panel.error_label.linkActivated.emit("action")
    assert again.args == ["fails", "boom"]


def test_bad_inputs_are_shown_next_to_them_and_nothing_runs(qtbot: Any, panel: RunPanel) -> None:
    panel.set_endpoint("greet")
    customer, options = panel.inputs_form.fields["customer"], panel.inputs_form.fields["options"]
    assert options.editor.toPlainText() == '{"tone": "warmly"}'

    with qtbot.assertNotEmitted(panel.runStarted):
        qtbot.mouseClick(panel.run_button, Qt.MouseButton.LeftButton)
    assert customer.error() == "is required" and customer.error_label.isVisible()
    assert options.error() is None
    assert panel.status_text() == "Fix 1 input before running"
    assert panel.state is None and panel.messages.rowCount() == 0

    type_into(qtbot, panel, "customer", "Ada")
    assert customer.error() is None, "typing clears the input's problem"
    type_into(qtbot, panel, "options", '{"tone": ')
    with qtbot.assertNotEmitted(panel.runStarted):
        assert panel.run() is False
    assert str(options.error()).startswith("is not valid JSON")
    save_screenshot(panel, "run-panel-bad-input.png")

    type_into(qtbot, panel, "options", "[1, 2]")
    assert panel.run() is False
    assert options.error() == "expected object, got array"

    type_into(qtbot, panel, "options", '{"tone": "kindly"}')
    assert run_to_end(qtbot, panel, "greet") == "done"
    assert panel.messages.row(0).data == {"status": "done", "text": "Hello Ada kindly"}
    assert panel.inputs_form.errors() == {}


def test_a_killed_runner_is_a_clear_error_and_the_next_run_works(qtbot: Any, panel: RunPanel, runner: RunnerProcess) -> None:
    panel.set_endpoint("hang")
    qtbot.mouseClick(panel.run_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: panel.messages.rowCount() == 1, timeout=RUN_TIMEOUT_MS)
    pid = runner.pid
    assert pid is not None

    with qtbot.waitSignal(panel.runFinished, timeout=RUN_TIMEOUT_MS) as finished:
        os.kill(pid, signal.SIGKILL)
    assert finished.args == ["hang", "error"]
    assert "Runner crashed" in panel.error_text() and "stopped unexpectedly (exit code -9)" in panel.error_text()
    assert panel.run_button.isEnabled() and not panel.cancel_button.isEnabled()
    save_screenshot(panel, "run-panel-runner-crashed.png")

    panel.set_endpoint("typewriter")
    type_into(qtbot, panel, "text", "back again")
    type_into(qtbot, panel, "delayMs", "0")
    assert run_to_end(qtbot, panel, "typewriter") == "done"
    assert statuses(panel) == ["starting", "chunk", "chunk", "done"]
    assert panel.error_text() == ""
    assert runner.pid != pid


def test_the_form_has_the_right_editor_per_type_with_defaults_and_descriptions(qtbot: Any, project_file: Path) -> None:
    document = Document(panel_project(project_file))
    panel = RunPanel(document, RunnerProcess(project_file))  # never started: nothing runs here
    qtbot.addWidget(panel)
    assert not panel.run_button.isEnabled() and not panel.cancel_button.isEnabled()

    panel.set_endpoint("every-type")
    fields = panel.inputs_form.fields
    assert list(fields) == ["title", "count", "ratio", "loud", "tags", "extra"]
    kinds = {name: type(field.editor) for name, field in fields.items()}
    assert kinds == {
        "title": QLineEdit, "count": QSpinBox, "ratio": QDoubleSpinBox, "loud": QCheckBox, "tags": QPlainTextEdit, "extra": QPlainTextEdit,
    }  # fmt: skip
    assert panel.inputs_form.values() == {"title": "Hi", "count": 3, "ratio": 0.5, "loud": True, "tags": ["a", "b"]}
    assert fields["title"].editor.toolTip().startswith("A title.")
    assert panel.run_button.isEnabled() and panel.route_label.text() == "POST /every-type"

    panel.set_endpoint("generate-report")
    assert fields is not panel.inputs_form.fields
    assert panel.inputs_form.fields["stepDelayMs"].editor.toolTip().startswith("Pause after each step")
    assert panel.inputs_form.fields["stepDelayMs"].editor.value() == 2400

    panel.set_endpoint("no-such-endpoint")
    assert panel.endpoint_name is None and not panel.run_button.isEnabled()


def test_the_form_follows_the_document(qtbot: Any, project_file: Path) -> None:
    document = Document(panel_project(project_file))
    panel = RunPanel(document, RunnerProcess(project_file))  # never started: nothing runs here
    qtbot.addWidget(panel)
    panel.set_endpoint("typewriter")
    type_into(qtbot, panel, "text", "kept")

    document.push(AddEndpointInputCommand(document, "typewriter", EndpointInput(name="loud", type="boolean", default=True)))
    assert list(panel.inputs_form.fields) == ["text", "delayMs", "loud"]
    assert panel.inputs_form.values()["text"] == "kept", "what was typed survives a change of the inputs"

    document.push(RenameEndpointCommand(document, "typewriter", "writer"))
    assert panel.endpoint_name == "writer" and panel.title_label.text() == "Run writer"
    document.push(RemoveEndpointCommand(document, "writer"))
    assert panel.endpoint_name is None and not panel.run_button.isEnabled()


def test_every_message_has_its_row_when_some_are_transient(qtbot: Any) -> None:
    """Transient (keyed) messages are not kept in stream.chunks; the table still shows each message once, in order."""
    from app.client.stream_state import StreamState
    from app.ui.run_messages_model import RunMessagesModel

    model = RunMessagesModel()
    state = StreamState(stall_after_s=None)
    model.follow(state)
    state.begin("run")
    sent = [
        ({"status": "starting"}, None, False),
        ({"status": "progress", "done": 1}, "status", True),
        ({"status": "chunk", "text": "a"}, None, False),
        ({"status": "progress", "done": 2}, "status", True),
    ]
    for seq, (data, part, transient) in enumerate(sent[:3], start=1):
        state.add_message(data, str(seq), part, transient)
    assert model.sync() == 3  # a frame
    state.add_message(sent[3][0], "4", "status", transient=True)
    state.add_message({"status": "done"}, "5")
    assert model.sync() == 2
    assert [(row.sequence, row.data) for row in model.rows()] == [(seq, data) for seq, (data, _, _) in enumerate([*sent, ({"status": "done"}, None, False)], start=1)]
