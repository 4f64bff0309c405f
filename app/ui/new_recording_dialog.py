"""Run → New recording…: a stream written by hand, or pasted from an SSE capture (the text of ``curl -N``).

So a page can be designed against a stream before its endpoint exists: the
endpoint is only a name here, and the recording replays in the Preview.
What is pasted decides the kind: text with ``data:`` lines is an SSE capture;
otherwise it is JSON, a list of messages or one message per line.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtGui import QFontDatabase
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from app.core.json_input import JsonInputError, read_json
from app.core.names import slug
from app.core.project import Project, Recording
from app.core.recordings import CaptureError, manual_recording, recording_from_sse, unique_recording_name
from app.ui import theme

EXAMPLE = """{"status": "starting"}
{"status": "progress", "label": "Retrieving data", "done": 1, "total": 3}
{"status": "progress", "label": "Generating file", "done": 2, "total": 3}
{"status": "done", "downloadUrl": "file:///tmp/report.csv"}"""


def is_sse_capture(text: str) -> bool:
    return any(line.lstrip().startswith(("data:", "id:", "event:")) for line in text.splitlines())


def parse_messages(text: str) -> list[Any]:
    """A JSON list of messages, or one JSON message per line; ``ValueError`` naming the line that is not JSON."""
    stripped = text.strip()
    if stripped.startswith("["):
        try:
            value = read_json(stripped)
        except JsonInputError as error:
            raise ValueError(str(error)) from None
        if not isinstance(value, list):
            raise ValueError("a list of messages was expected")
        return value
    messages = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            messages.append(read_json(line))
        except JsonInputError as error:
            raise ValueError(f"line {number}: {error.message}" + (f" (at {error.path})" if error.line is None else f" (column {error.column})")) from None
    return messages


def build_recording(project: Project, name: str, endpoint: str, text: str, interval_s: float) -> Recording:
    """The recording the dialog describes; ``ValueError`` (with the line) when the text cannot be read."""
    if not endpoint.strip():
        raise ValueError("name the endpoint this is a stream of (it need not exist yet)")
    wanted = unique_recording_name(project, slug(name or endpoint))
    if is_sse_capture(text):
        try:
            return recording_from_sse(text, wanted, endpoint.strip())
        except CaptureError as error:
            raise ValueError(str(error)) from None
    messages = parse_messages(text)
    if not messages:
        raise ValueError("write at least one message (one JSON object per line)")
    return manual_recording(wanted, endpoint.strip(), messages, interval_s)


class NewRecordingDialog(QDialog):
    def __init__(self, project: Project, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.project = project
        self.result_recording: Recording | None = None
        self.setWindowTitle("New recording")
        self.resize(640, 480)
        self.endpoint = QComboBox(self)
        self.endpoint.setEditable(True)
        self.endpoint.addItems([e.name for e in project.endpoints])
        self.name = QLineEdit(self)
        self.name.setPlaceholderText("recording name (default: the endpoint's)")
        self.interval = QDoubleSpinBox(self)
        self.interval.setRange(0.01, 60.0)
        self.interval.setValue(0.5)
        self.interval.setSuffix(" s between messages")
        self.text = QPlainTextEdit(self)
        self.text.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.text.setPlaceholderText(EXAMPLE)
        self.error = QLabel(self)
        self.error.setWordWrap(True)
        self.error.setStyleSheet(f"color: {theme.ERROR.name()};")
        self.error.hide()
        form = QFormLayout()
        form.addRow("Endpoint", self.endpoint)
        form.addRow("Name", self.name)
        form.addRow("Timing", self.interval)
        hint = QLabel("One message per line (JSON), or paste the output of <code>curl -N</code> against an SSE endpoint.", self)
        hint.setWordWrap(True)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self)
        buttons.accepted.connect(self._accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(hint)
        layout.addWidget(self.text, 1)
        layout.addWidget(self.error)
        layout.addWidget(buttons)

    def _accept(self) -> None:
        try:
            self.result_recording = build_recording(self.project, self.name.text(), self.endpoint.currentText(), self.text.toPlainText(), self.interval.value())
        except ValueError as error:
            self.error.setText(str(error))
            self.error.show()
            return
        self.accept()
