"""What the preview and the Stream dock say is true: the source belongs to its page and names what plays, a new project starts clean."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtWidgets import QMessageBox

from app.ui.main_window import MainWindow
from tests.ui.conftest import RUN_TIMEOUT_MS, close_window, open_example_window


@pytest.fixture
def window(qtbot: Any, qt_loop: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[MainWindow]:
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Discard)
    main = open_example_window(qtbot, tmp_path, 5)
    yield main
    close_window(qtbot, main)


def test_each_page_keeps_its_own_source(qtbot, window):
    window.show_page("report")
    bar, preview = window.designer.replay_bar, window.designer.preview
    assert bar.set_source("report-run")
    assert preview.replay_source == "report-run"
    window.show_page("typewriter")
    assert bar.source() is None and preview.replay_source is None, "another page: its own source, live until chosen"
    assert bar.set_source("typewriter-run")
    window.show_page("report")
    assert bar.source() == "report-run" and preview.replay_source == "report-run"
    window.show_page("typewriter")
    assert bar.source() == "typewriter-run"


def test_the_status_names_the_recording_that_really_plays(qtbot, window):
    window.show_page("typewriter")
    designer = window.designer
    assert designer.replay_bar.set_source("report-run")  # a recording of another endpoint than the page calls
    designer.clock.speed = 10.0
    designer.set_preview(True)
    designer.click("write_button")
    state = designer.stream_state()
    assert state is not None
    qtbot.waitUntil(lambda: state.status == "done", timeout=RUN_TIMEOUT_MS)
    assert not window.runner.running
    status = designer.preview.status_text()
    assert "replaying typewriter-run" in status and "report-run" not in status, status
    designer.set_preview(False)


def test_the_stream_dock_clears_on_new_and_open(qtbot, window):
    inspector = window.stream_inspector
    recording = window.document.project.recordings[0]
    inspector.show_recording(recording)
    assert inspector.log is not None and inspector.model.rowCount() == len(recording.messages)
    path = window.document.file_path()
    window.new_project()
    assert inspector.log is None and inspector.model.rowCount() == 0
    assert window.open_file(path)
    inspector.show_recording(window.document.project.recordings[0])
    assert window.open_file(path)
    assert inspector.log is None and inspector.model.rowCount() == 0
