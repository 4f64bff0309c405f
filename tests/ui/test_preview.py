"""The product page's example, end to end: Preview a page, click, watch the bound widgets follow the stream.

Real runner process, real HTTP, real Qt widgets; the editor's main window as
a user has it. Screenshots of the preview mid-stream and at the end go to
tests/ui/screenshots/.

The preview's frames are stepped by the test (``ManualFrames``), one right
after every change a call or workflow makes: each frame is asserted to show
the newest state, and none is lost to how many ticks a 60 Hz timer fits in
on a busy machine.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QMessageBox

from app.core.workflow_refs import page_workflow_key
from app.editor.preview.frames import ManualFrames
from app.editor.commands.actions import InsertActionCommand, SetActionParamCommand
from app.editor.commands.inputs import EditEndpointInputCommand
from app.editor.commands.pages import InsertWidgetCommand, SetWidgetPropCommand
from app.ui.main_window import MainWindow
from tests.conftest import formula
from tests.ui.conftest import RUN_TIMEOUT_MS, close_window, open_example_window

SCREENSHOTS = Path(__file__).parent / "screenshots"
STEP_MS = 150


@pytest.fixture
def window(qtbot: Any, qt_loop: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[MainWindow]:
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Discard)
    main = open_example_window(qtbot, tmp_path, STEP_MS)
    main.designer.driver.set_frame_clock(ManualFrames())
    yield main
    close_window(qtbot, main)


def text_of(window: MainWindow, widget_id: str) -> str:
    return window.designer.page_view.view(widget_id).label.text()  # type: ignore[attr-defined]


def preview(window: MainWindow) -> ManualFrames:
    """Switch the designer to Preview, with a frame right after every change the page's session reports."""
    designer = window.designer
    if not designer.previewing:
        designer.set_preview(True)
    frames = designer.driver.frame_clock
    assert isinstance(frames, ManualFrames) and designer.session is not None
    designer.session.on_change.append(frames.step)  # after the driver's own wake-up
    return frames


def test_generate_report_in_preview_drives_label_progress_and_download(qtbot, window, tmp_path):
    window.show_page("report")
    designer = window.designer
    assert window.center.currentWidget() is designer
    assert text_of(window, "status_label") == "Press Generate report to start"
    assert not designer.page_view.view("download_button").visible
    qtbot.mouseClick(designer.preview_button, Qt.MouseButton.LeftButton)
    assert designer.page_view.view("progress").text == "Not started", "the placeholder, not the design text Step 0 of 100"
    assert designer.previewing
    preview(window)
    download = designer.page_view.view("download_button")  # Preview builds the page afresh
    state = designer.stream_state()
    bindings = designer.bindings
    assert state is not None and bindings is not None
    since_evaluations = bindings.evaluation_count("since_input")

    labels: list[str] = []
    lagging: list[tuple[Any, Any]] = []
    progress = designer.page_view.view("progress")

    def frame_shown(_updates: int) -> None:
        labels.append(text_of(window, "status_label"))
        if state.chunk is not None and progress.shown_value != state.chunk["done"]:
            lagging.append((progress.shown_value, state.chunk))

    designer.driver.frameApplied.connect(frame_shown)
    button = designer.page_view.view("generate_button").qwidget
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)

    qtbot.waitUntil(lambda: progress.shown_value == 1, timeout=RUN_TIMEOUT_MS)
    assert progress.shown_max == 3 and not download.visible
    assert not button.isEnabled(), "the button is disabled while its stream runs"
    window.stream_inspector.sync_now()  # the Stream dock judges the stream so far
    assert window.stream_inspector.log is not None and not window.stream_inspector.log.ended
    assert not any("without a final message" in text for text in window.stream_inspector.health.finding_texts()), "it is still streaming"
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    QApplication.processEvents()  # queued layout and show requests, as the next event-loop turn would
    window.grab().save(str(SCREENSHOTS / "preview_mid_stream.png"))

    qtbot.waitUntil(lambda: state.status == "done" and download.visible, timeout=RUN_TIMEOUT_MS)
    qtbot.waitUntil(lambda: text_of(window, "status_label") == "Report ready", timeout=RUN_TIMEOUT_MS)
    assert progress.shown_value == 3 and progress.shown_max == 3
    seen = list(dict.fromkeys(labels))  # each label in the order it was shown
    assert [label for label in seen if label in ("Starting", "Retrieving data", "Calculating totals", "Generating file", "Report ready")] == [
        "Starting", "Retrieving data", "Calculating totals", "Generating file", "Report ready",
    ]  # fmt: skip
    assert lagging == [], "every frame shows the newest message"
    assert bindings.evaluation_count("since_input") == since_evaluations, "a binding on a page variable is not re-evaluated for messages"
    assert download.url == state.chunk["downloadUrl"] and "/files/sales-report-2026-01-01.csv?sig=" in download.url
    assert text_of(window, "revenue").startswith("Total revenue: ")
    QApplication.processEvents()  # queued layout and show requests, as the next event-loop turn would
    window.grab().save(str(SCREENSHOTS / "preview_done.png"))

    qtbot.mouseClick(download.qwidget, Qt.MouseButton.LeftButton)
    saved = tmp_path / "downloads" / "sales-report-2026-01-01.csv"
    qtbot.waitUntil(lambda: saved in designer.session.downloads, timeout=RUN_TIMEOUT_MS)  # written to the end
    assert saved.read_text().splitlines()[-1].startswith("All regions,")
    notice = designer.download_notice
    opened: list[Path] = []
    notice.opener = opened.append
    qtbot.waitUntil(notice.isVisible)
    assert notice.text.text() == f"Downloaded sales-report-2026-01-01.csv to {saved.parent}"
    qtbot.mouseClick(notice.open_button, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(notice.folder_button, Qt.MouseButton.LeftButton)
    assert opened == [saved, saved.parent]
    # the Run panel followed the preview's call
    assert [row.status for row in window.run_panel.messages.rows()] == ["starting", "progress", "progress", "progress", "done"]


def test_clicking_again_resets_the_stream_and_cancel_stops_it(qtbot, window):
    window.show_page("report")
    designer = window.designer
    preview(window)
    designer.click("generate_button")
    state = designer.stream_state()
    assert state is not None
    qtbot.waitUntil(lambda: state.count >= 2, timeout=RUN_TIMEOUT_MS)
    qtbot.mouseClick(designer.cancel_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: state.status == "cancelled" and not designer.session.running, timeout=RUN_TIMEOUT_MS)  # type: ignore[union-attr]
    stopped_at = state.count
    assert stopped_at < 5
    designer.click("generate_button")
    qtbot.waitUntil(lambda: state.status == "done", timeout=RUN_TIMEOUT_MS)
    assert state.count == 5 and state.chunks[0]["status"] == "starting", "a new run starts from an empty stream"


def test_an_endpoint_error_shows_in_the_page_and_the_run_panel_and_the_editor_goes_on(qtbot, window):
    document = window.document
    key = page_workflow_key("report", "generate_button", "click")
    document.push(EditEndpointInputCommand(document, "generate-report", "stepDelayMs", minimum=None))  # so -1 reaches the Wait, which fails mid-stream
    document.push(SetActionParamCommand(document, key, (0,), "inputs", {"since": formula("variables.since"), "stepDelayMs": -1}))
    window.show_page("report")
    preview(window)
    window.designer.click("generate_button")
    qtbot.waitUntil(lambda: bool(window.designer.page_view.errors()), timeout=RUN_TIMEOUT_MS)
    assert any("generate-report failed" in message for message in window.designer.page_view.errors())
    qtbot.waitUntil(lambda: "pause_start" in window.run_panel.error_text(), timeout=RUN_TIMEOUT_MS)  # the failing action, linked
    assert text_of(window, "status_label").startswith("Failed: ")
    window.designer.set_preview(False)
    assert window.designer.page_view.errors() == []
    document.push(InsertWidgetCommand(document, "report", None, 0, "text"))  # still editing as usual


def test_typewriter_text_arrives_word_by_word_in_the_live_output(qtbot, window):
    document = window.document
    key = page_workflow_key("typewriter", "write_button", "click")
    document.push(SetActionParamCommand(document, key, (0,), "inputs", {"text": formula("variables.text"), "delayMs": 40}))
    window.show_page("typewriter")
    designer = window.designer
    preview(window)
    field = designer.page_view.view("text_input").qwidget.findChild(type(designer.page_view.view("text_input").line))  # type: ignore[attr-defined]
    field.clear()
    qtbot.keyClicks(field, "one two three four")
    output = designer.page_view.view("output")
    state = designer.stream_state()
    bindings = designer.bindings
    assert state is not None and bindings is not None
    typed = bindings.evaluation_count("text_input")
    shown: list[tuple[str, str]] = []  # (what the live output showed, the text of the messages so far) after each frame
    designer.driver.frameApplied.connect(lambda _n: shown.append((output.text, "".join(c.get("text", "") for c in state.chunks))))
    designer.click("write_button")
    qtbot.waitUntil(lambda: output.text == "one two three four", timeout=RUN_TIMEOUT_MS)
    assert all(text == arrived for text, arrived in shown), "each frame shows all the text that had arrived"
    assert [t for t in dict.fromkeys(text for text, _ in shown) if t] == ["one ", "one two ", "one two three ", "one two three four"]
    assert output.replacements == 0, "the live output appended each word"
    assert bindings.evaluation_count("text_input") == typed, "the text input's binding reads a variable, which no message changed"


def test_a_page_built_by_hand_binds_to_another_endpoint(qtbot, window):
    """A new page: a button calling long-import with Handle stream, a progress bar bound to its chunks."""
    document = window.document
    window.sidebar.pages.new_page()
    page = window.designer.page_name
    assert page == "page" and window.center.currentWidget() is window.designer
    window.designer.add_widget("button")
    window.designer.add_widget("progress_bar")
    key = page_workflow_key(page, "button_1", "click")
    document.push(InsertActionCommand(document, key, (0,), "api.call"))
    document.push(SetActionParamCommand(document, key, (0,), "endpoint", "long-import"))
    document.push(SetActionParamCommand(document, key, (0,), "inputs", {"rows": 300, "every": 100}))
    document.push(SetActionParamCommand(document, key, (0,), "handleStream", True))
    document.push(SetWidgetPropCommand(document, page, "progress_bar_1", "value", formula("stream.chunk.done")))
    document.push(SetWidgetPropCommand(document, page, "progress_bar_1", "max", formula("stream.chunk.total")))
    window.show_page(page)
    preview(window)
    window.designer.click("button_1")
    bar = window.designer.page_view.view("progress_bar_1")
    qtbot.waitUntil(lambda: bar.shown_value == 300 and bar.shown_max == 300, timeout=RUN_TIMEOUT_MS)


def test_an_endpoint_edited_while_previewing_runs_as_edited(qtbot, window):
    """The preview pushes the project as it is now: an edit made during Preview is what the next click runs."""
    window.show_page("report")
    designer = window.designer
    preview(window)
    document = window.document
    done_data = dict(document.endpoint("generate-report").workflow[11].params["eventData"])
    document.push(SetActionParamCommand(document, "generate-report", (11,), "eventData", {**done_data, "label": "All done!"}))
    designer.click("generate_button")
    qtbot.waitUntil(lambda: text_of(window, "status_label") == "All done!", timeout=RUN_TIMEOUT_MS)
