"""Record the report stream once, then preview the page against the recording at 5x with no runner running.

The replay must bring the bundled example page to the same final widget
state as the live run it was recorded from.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtWidgets import QApplication, QInputDialog, QMessageBox

from app.client import RunnerProcess
from app.ui.main_window import MainWindow
from tests.ui.conftest import RUN_TIMEOUT_MS, close_window, drive, open_example_window

SCREENSHOTS = Path(__file__).parent / "screenshots"


@pytest.fixture
def window(qtbot: Any, qt_loop: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[MainWindow]:
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Discard)
    main = open_example_window(qtbot, tmp_path, 100)
    yield main
    close_window(qtbot, main)


def final_widgets(window: MainWindow) -> dict[str, object]:
    view = window.designer.page_view
    progress, download = view.view("progress"), view.view("download_button")
    return {
        "label": view.view("status_label").label.text(),  # type: ignore[attr-defined]
        "progress": (progress.shown_value, progress.shown_max),  # type: ignore[attr-defined]
        "download": download.visible,
        "revenue": view.view("revenue").label.text(),  # type: ignore[attr-defined]
    }


def preview_click_until_done(qtbot: Any, window: MainWindow, screenshot: str | None = None) -> dict[str, object]:
    designer = window.designer
    designer.set_preview(True)
    designer.click("generate_button")
    state = designer.stream_state()
    assert state is not None
    qtbot.waitUntil(lambda: state.status == "done" and not designer.session.running, timeout=RUN_TIMEOUT_MS)  # type: ignore[union-attr]
    designer.driver.flush()
    widgets = final_widgets(window)
    widgets["url"] = designer.page_view.view("download_button").url  # type: ignore[attr-defined]
    if screenshot:
        QApplication.processEvents()  # queued layout and show requests, as the next event-loop turn would
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        window.grab().save(str(SCREENSHOTS / screenshot))
    designer.set_preview(False)
    return widgets


def test_a_recorded_report_replays_into_the_page_at_5x_with_no_runner(qtbot, window, monkeypatch):
    # live: run the page once against the runner, and keep its stream from the Stream dock
    window.show_page("report")
    live = preview_click_until_done(qtbot, window)
    assert live["label"] == "Report ready" and live["progress"] == (3, 3) and live["download"]
    assert window.stream_inspector.log is not None and window.stream_inspector.log.endpoint == "generate-report"
    monkeypatch.setattr(QInputDialog, "getText", lambda *a, **k: ("my-report", True))
    window.save_recording_dialog()
    recording = window.document.project.recordings[-1]
    assert recording.name == "my-report" and [m.data["status"] for m in recording.messages] == ["starting", "progress", "progress", "progress", "done"]
    drive(qtbot, window.runner.stop())
    assert not window.runner.running

    # replay: the recording, five times as fast, and the runner stays down
    window.runner = RunnerProcess(window.document.file_path(), output_dir=Path("/nonexistent/never-started"))
    bar = window.designer.replay_bar
    assert bar.set_source("my-report")
    window.designer.clock.speed = 5.0
    replayed = preview_click_until_done(qtbot, window, "replay_preview.png")
    assert not window.runner.running and window.runner.pid is None, "no runner was started"
    assert {k: v for k, v in replayed.items() if k != "url"} == {k: v for k, v in live.items() if k != "url"}
    assert replayed["url"] == recording.messages[-1].data["downloadUrl"]
