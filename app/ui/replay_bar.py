"""The preview's replay bar: run the page against the live runner or against a recording, at a chosen speed.

"Live: local runner" calls endpoints for real. A recording replays its
stream with no runner involved (``RecordingCaller``), at 0.25× to 10×, and
can be paused and stepped message by message. The bar only drives a shared
:class:`ReplayClock` and says which source is chosen (``sourceChanged``); the
page designer decides which caller its session uses.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QSignalBlocker, Qt, Signal
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QPushButton, QWidget

from app.core.project import Recording
from app.editor.document import Document
from app.editor.preview.replay import SPEEDS, ReplayClock

__all__ = ["LIVE", "ReplayBar", "recording_label"]

LIVE = "Live: local runner"


def recording_label(recording: Recording) -> str:
    count = len(recording.messages)
    return f"Recording: {recording.name} · {recording.endpoint} · {count:,} message{'s' if count != 1 else ''}"


def speed_label(speed: float) -> str:
    return f"{speed:g}×"


class ReplayBar(QWidget):
    """Source, speed, Pause/Resume and Step for the preview; ``document`` (optional) keeps the sources current."""

    sourceChanged = Signal(object)
    """The chosen recording's name, or None for the live runner."""

    def __init__(self, clock: ReplayClock, document: Document | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.clock = clock
        self.document = document
        self._recordings: list[Recording] = []
        self._build()
        clock.on_change.append(self._clock_changed)
        self.destroyed.connect(lambda *_: self._forget_clock())
        if document is not None:
            document.projectReset.connect(self.refresh)
            document.recordingsChanged.connect(self.refresh)
            self.refresh()
        self._update_controls()

    # -- sources ---------------------------------------------------------------------
    def refresh(self) -> None:
        """Read the document's recordings again."""
        if self.document is not None:
            self.set_recordings(self.document.project.recordings)

    def set_recordings(self, recordings: Sequence[Recording]) -> None:
        """The recordings to offer; the chosen one stays chosen while it exists (else back to live, announced)."""
        recordings = list(recordings)
        if [(r.name, r.endpoint, len(r.messages)) for r in recordings] == [(r.name, r.endpoint, len(r.messages)) for r in self._recordings]:
            self._recordings = recordings
            return
        chosen = self.source()
        self._recordings = recordings
        with QSignalBlocker(self.source_combo):
            self.source_combo.clear()
            self.source_combo.addItem(LIVE, None)
            for recording in recordings:
                self.source_combo.addItem(recording_label(recording), recording.name)
                self.source_combo.setItemData(self.source_combo.count() - 1, _tooltip(recording), Qt.ItemDataRole.ToolTipRole)
            index = self.source_combo.findData(chosen) if chosen is not None else 0
            self.source_combo.setCurrentIndex(max(index, 0))
            list_view = self.source_combo.view()
            list_view.setMinimumWidth(list_view.sizeHintForColumn(0) + 2 * list_view.frameWidth() + 24)  # the open list shows whole names
        self._update_controls()
        if chosen is not None and index < 0:
            self.sourceChanged.emit(None)

    def source(self) -> str | None:
        """The chosen recording's name, None for the live runner."""
        data = self.source_combo.currentData()
        return data if isinstance(data, str) else None

    def recording(self) -> Recording | None:
        name = self.source()
        return next((r for r in self._recordings if r.name == name), None)

    def set_source(self, name: str | None) -> bool:
        """Choose a recording by name (None: live); False if there is none of that name."""
        index = self.source_combo.findData(name) if name is not None else 0
        if index < 0:
            return False
        self.source_combo.setCurrentIndex(index)
        return True

    def labels(self) -> list[str]:
        return [self.source_combo.itemText(i) for i in range(self.source_combo.count())]

    def _source_chosen(self, _index: int) -> None:
        self._update_controls()
        self.sourceChanged.emit(self.source())

    # -- the clock ---------------------------------------------------------------------
    def _speed_chosen(self, _index: int) -> None:
        speed = self.speed_combo.currentData()
        if isinstance(speed, float):
            self.clock.speed = speed

    def _pause_toggled(self, paused: bool) -> None:
        if paused:
            self.clock.pause()
        else:
            self.clock.resume()

    def _step(self) -> None:
        self.clock.step()

    def _clock_changed(self, clock: ReplayClock) -> None:
        """The clock changed (here or elsewhere): show it."""
        with QSignalBlocker(self.speed_combo):
            index = self.speed_combo.findData(clock.speed)
            if index < 0:
                self.speed_combo.addItem(speed_label(clock.speed), clock.speed)
                index = self.speed_combo.count() - 1
            self.speed_combo.setCurrentIndex(index)
        with QSignalBlocker(self.pause_button):
            self.pause_button.setChecked(clock.paused)
        self._update_controls()

    def _forget_clock(self) -> None:
        if self._clock_changed in self.clock.on_change:
            self.clock.on_change.remove(self._clock_changed)

    # -- widgets ------------------------------------------------------------------------
    def _build(self) -> None:
        self.setObjectName("replayBar")
        self.source_combo = QComboBox(self)
        self.source_combo.setObjectName("replaySource")
        self.source_combo.setToolTip("Run the page against the local runner, or replay a recorded stream (no runner)")
        # a recording's long name must not widen the designer (and squeeze the inspector): the combo is cut, the list is whole
        self.source_combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.source_combo.setMinimumContentsLength(len(LIVE))
        self.source_combo.addItem(LIVE, None)
        self.source_combo.currentIndexChanged.connect(self._source_chosen)
        self.speed_combo = QComboBox(self)
        self.speed_combo.setObjectName("replaySpeed")
        self.speed_combo.setToolTip("Replay speed")
        for speed in SPEEDS:
            self.speed_combo.addItem(speed_label(speed), float(speed))
        self.speed_combo.setCurrentIndex(max(0, self.speed_combo.findData(self.clock.speed)))
        self.speed_combo.currentIndexChanged.connect(self._speed_chosen)
        self.pause_button = QPushButton("Pause", self)
        self.pause_button.setObjectName("replayPause")
        self.pause_button.setCheckable(True)
        self.pause_button.setChecked(self.clock.paused)
        self.pause_button.toggled.connect(self._pause_toggled)
        self.step_button = QPushButton("Step", self)
        self.step_button.setObjectName("replayStep")
        self.step_button.setToolTip("Release the next message (while paused)")
        self.step_button.clicked.connect(self._step)
        self.speed_label = QLabel("Speed", self)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(6)
        layout.addWidget(QLabel("Source", self))
        layout.addWidget(self.source_combo)
        layout.addSpacing(6)
        layout.addWidget(self.speed_label)
        layout.addWidget(self.speed_combo)
        layout.addWidget(self.pause_button)
        layout.addWidget(self.step_button)
        layout.addStretch(1)

    def _update_controls(self) -> None:
        replaying = self.source() is not None
        for widget in (self.speed_label, self.speed_combo, self.pause_button):
            widget.setEnabled(replaying)
        self.pause_button.setText("Resume" if self.clock.paused else "Pause")
        self.pause_button.setToolTip("Go on replaying" if self.clock.paused else "Hold the replay: Step then releases one message at a time")
        self.step_button.setEnabled(replaying and self.clock.paused)


def _tooltip(recording: Recording) -> str:
    took = f"{recording.duration:.2f} s" if recording.duration is not None else "unknown length"
    when = f", recorded {recording.recorded_at}" if recording.recorded_at else ""
    return f"{recording.endpoint}: {len(recording.messages):,} messages, {took}, ended {recording.status}{when}"
