"""The replay bar: recordings as sources, the speed, Pause/Resume and Step drive the shared clock."""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from app.core.project import Project, RecordedMessage, Recording
from app.editor.commands.recordings import AddRecordingCommand, RemoveRecordingCommand, RenameRecordingCommand
from app.editor.document import Document
from app.editor.preview.replay import ReplayClock
from app.ui.replay_bar import LIVE, ReplayBar
from tests.conftest import ROOT

SCREENSHOTS = ROOT / "tests" / "ui" / "screenshots"


def recording(name: str, endpoint: str = "generate-report", count: int = 5) -> Recording:
    messages = [RecordedMessage(t=0.1 * (i + 1), data={"status": "progress", "done": i}) for i in range(count)]
    return Recording(name=name, endpoint=endpoint, messages=messages, duration=0.1 * (count + 1))


@pytest.fixture
def document(qapp: QApplication) -> Any:
    doc = Document(Project(name="replays", recordings=[recording("report-run"), recording("one-word", "typewriter", 1)]))
    yield doc
    doc.deleteLater()


@pytest.fixture
def bar(qtbot: Any, document: Document) -> ReplayBar:
    widget = ReplayBar(ReplayClock(), document)
    qtbot.addWidget(widget)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def test_it_offers_the_live_runner_and_each_recording(bar: ReplayBar) -> None:
    assert bar.labels() == [LIVE, "Recording: report-run · generate-report · 5 messages", "Recording: one-word · typewriter · 1 message"]
    assert bar.source() is None
    assert not bar.speed_combo.isEnabled() and not bar.pause_button.isEnabled() and not bar.step_button.isEnabled()


def test_choosing_a_source_says_which(qtbot: Any, bar: ReplayBar) -> None:
    with qtbot.waitSignal(bar.sourceChanged) as chosen:
        bar.source_combo.setCurrentIndex(1)
    assert chosen.args == ["report-run"] and bar.recording() is not None and bar.recording().endpoint == "generate-report"
    assert bar.speed_combo.isEnabled() and bar.pause_button.isEnabled() and not bar.step_button.isEnabled()
    with qtbot.waitSignal(bar.sourceChanged) as chosen:
        assert bar.set_source(None)
    assert chosen.args == [None]
    assert not bar.set_source("missing")


def test_speed_pause_and_step_drive_the_clock(qtbot: Any, bar: ReplayBar) -> None:
    bar.set_source("report-run")
    assert [bar.speed_combo.itemText(i) for i in range(bar.speed_combo.count())] == ["0.25×", "0.5×", "1×", "2×", "5×", "10×"]
    assert bar.speed_combo.currentText() == "1×"
    bar.speed_combo.setCurrentIndex(bar.speed_combo.findText("5×"))
    assert bar.clock.speed == 5.0
    qtbot.mouseClick(bar.pause_button, Qt.MouseButton.LeftButton)
    assert bar.clock.paused and bar.pause_button.text() == "Resume" and bar.step_button.isEnabled()
    generation = bar.clock.generation
    qtbot.mouseClick(bar.step_button, Qt.MouseButton.LeftButton)
    assert bar.clock.generation == generation + 1 and bar.clock.take_step() and not bar.clock.take_step()  # exactly one
    qtbot.mouseClick(bar.pause_button, Qt.MouseButton.LeftButton)
    assert not bar.clock.paused and bar.pause_button.text() == "Pause" and not bar.step_button.isEnabled()


def test_it_shows_clock_changes_made_elsewhere(bar: ReplayBar) -> None:
    bar.set_source("report-run")
    bar.clock.speed = 0.25
    bar.clock.pause()
    assert bar.speed_combo.currentText() == "0.25×" and bar.pause_button.isChecked() and bar.step_button.isEnabled()


def test_recordings_added_renamed_and_removed_by_commands_show_up(qtbot: Any, bar: ReplayBar, document: Document) -> None:
    bar.set_source("one-word")
    document.push(AddRecordingCommand(document, recording("report-run", count=7)))  # a clash: kept as report-run-2
    assert bar.labels()[-1] == "Recording: report-run-2 · generate-report · 7 messages"
    assert bar.source() == "one-word"
    document.push(RenameRecordingCommand(document, "report-run-2", "slow-report"))
    assert bar.labels()[-1].startswith("Recording: slow-report ·")
    with qtbot.waitSignal(bar.sourceChanged) as chosen:
        document.push(RemoveRecordingCommand(document, "one-word"))  # the chosen one went: back to live
    assert chosen.args == [None] and bar.source() is None
    document.undo_stack().undo()
    assert "Recording: one-word · typewriter · 1 message" in bar.labels()


def test_commands_refuse_what_makes_no_sense(document: Document) -> None:
    with pytest.raises(ValueError, match="already exists"):
        RenameRecordingCommand(document, "one-word", "report-run")
    with pytest.raises(ValueError, match="no recording named"):
        RemoveRecordingCommand(document, "nope")
    with pytest.raises(ValueError, match="lowercase"):
        RenameRecordingCommand(document, "one-word", "Not A Slug")
    command = AddRecordingCommand(document, recording("fresh"))
    document.push(command)
    assert command.recording.name == "fresh" and document.project.recordings[-1] is command.recording
    document.undo_stack().undo()
    assert [r.name for r in document.project.recordings] == ["report-run", "one-word"]


def test_screenshot(qtbot: Any, bar: ReplayBar) -> None:
    bar.set_source("report-run")
    bar.speed_combo.setCurrentIndex(bar.speed_combo.findText("5×"))
    bar.clock.pause()
    bar.resize(bar.sizeHint().width() + 40, bar.sizeHint().height() + 12)
    QApplication.processEvents()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    assert bar.grab().save(str(SCREENSHOTS / "replay_bar.png"))
