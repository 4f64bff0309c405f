"""The window's stream tools: the Stream dock, recordings, and stream tests run from the Run menu.

A mixin of ``MainWindow`` (it uses the window's Document, docks, Run panel and
status bar), kept apart so the window module stays about views and files.
Heavy pieces (the inspector, the tests dialog) are imported when first used.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QDockWidget, QStatusBar

from app.core.project_file import to_document
from app.editor.commands.base import ProjectCommand
from app.editor.document import Document
from app.ui.async_runtime import spawn
from app.ui.dock_layout import dock_body
from app.ui.stream_dock_parts import PARTS

STREAM_PART_KEY = "streamDockPart"
"""The settings key of the Stream dock's tab, beside the window's ``geometry`` and ``windowState``."""

if TYPE_CHECKING:
    from app.ui.run_panel import RunPanel
    from app.ui.stream_inspector import StreamInspector
    from app.ui.stream_tests_dialog import StreamTestsDialog


class StreamToolsMixin:
    document: Document
    run_panel: RunPanel
    stream_dock: QDockWidget
    tests_dialog: StreamTestsDialog | None
    _stream_inspector: StreamInspector | None
    stream_part: str
    """The Stream dock's tab (one of the inspector's ``PARTS``), shown when the inspector is built."""
    _tests_task: Any
    _scratch: tempfile.TemporaryDirectory[str] | None

    if TYPE_CHECKING:

        def statusBar(self) -> QStatusBar: ...  # noqa: N802 - QMainWindow's
        def _push(self, make: Callable[[], ProjectCommand]) -> ProjectCommand | None: ...
        def reveal_action(self, endpoint: str, action_id: str) -> None: ...

    @property
    def stream_inspector(self) -> StreamInspector:
        """The Stream dock's inspector, built when a run first needs it or the dock is first shown."""
        if self._stream_inspector is None:
            from app.ui.stream_inspector import StreamInspector

            inspector = self._stream_inspector = StreamInspector(self.document.registry)
            inspector.actionSelected.connect(self.reveal_action)
            inspector.saveRequested.connect(self.save_recording_dialog)
            inspector.show_part(self.stream_part)
            inspector.partChanged.connect(self._stream_part_chosen)
            self.stream_dock.setWidget(dock_body(inspector))  # live text never resizes the dock
        return self._stream_inspector

    # -- the Stream dock's tab, kept with the window's layout ---------------------------
    # Read with the dock state (``restore_window_state``), written when the window closes, back to the first
    # tab on View -> Reset layout. Kept here, not only in the inspector: the inspector is built on first use.
    def restore_stream_part(self, settings: QSettings) -> None:
        self._set_stream_part(str(settings.value(STREAM_PART_KEY, "") or ""))

    def save_stream_part(self, settings: QSettings) -> None:
        settings.setValue(STREAM_PART_KEY, self.stream_part)

    def reset_stream_part(self) -> None:
        self._set_stream_part("")

    def _set_stream_part(self, name: str) -> None:
        self.stream_part = name if name in PARTS else PARTS[0]
        if self._stream_inspector is not None:
            self._stream_inspector.show_part(self.stream_part)

    def _stream_part_chosen(self, name: str) -> None:
        self.stream_part = name

    def _inspect_preview_call(self, _name: str, endpoint: str, state: object) -> None:
        from app.ui.stream_inspector import ORIGIN_PREVIEW

        self.stream_inspector.follow(state, endpoint, ORIGIN_PREVIEW)

    def _inspect_run(self, endpoint: str) -> None:
        state = self.run_panel.state
        if state is not None:
            from app.ui.stream_inspector import ORIGIN_RUN

            self.stream_inspector.follow(state, endpoint, ORIGIN_RUN, inputs=self.run_panel.last_inputs)

    def save_recording_dialog(self) -> None:
        """Keep the stream the inspector shows as a recording in the project (one undo step)."""
        from PySide6.QtWidgets import QInputDialog

        from app.editor.commands.recordings import AddRecordingCommand  # with the first recording, not at start-up

        name, ok = QInputDialog.getText(self, "Save as recording", "Recording name (lowercase letters, digits, -):", text=self.stream_inspector.suggested_name())
        if not ok or not name:
            return
        try:
            recording = self.stream_inspector.recording(name, self.document.project)
        except ValueError as error:
            self.statusBar().showMessage(f"Not saved: {error}", 8000)
            return
        command = self._push(lambda: AddRecordingCommand(self.document, recording))
        if isinstance(command, AddRecordingCommand):
            self.statusBar().showMessage(f"Saved recording {command.recording.name}: replay it in the page Preview, or make a stream test of it", 8000)

    def new_recording_dialog(self) -> bool:
        """A recording written by hand or pasted from ``curl -N``, to design a page before its endpoint exists."""
        from app.editor.commands.recordings import AddRecordingCommand
        from app.ui.new_recording_dialog import NewRecordingDialog

        dialog = NewRecordingDialog(self.document.project, self)
        if dialog.exec() != NewRecordingDialog.DialogCode.Accepted or dialog.result_recording is None:
            return False
        recording = dialog.result_recording
        command = self._push(lambda: AddRecordingCommand(self.document, recording))
        if isinstance(command, AddRecordingCommand):
            self.stream_inspector.show_recording(command.recording)
            self.statusBar().showMessage(f"Added recording {command.recording.name}: choose it as the Preview's source to design against it", 8000)
        return command is not None

    def show_recording_dialog(self) -> None:
        from PySide6.QtWidgets import QInputDialog

        names = [r.name for r in self.document.project.recordings]
        if not names:
            self.statusBar().showMessage("No recordings yet: run an endpoint, then Save as recording in the Stream dock", 8000)
            return
        name, ok = QInputDialog.getItem(self, "Show recording", "Recording:", names, 0, False)
        if ok and name:
            self.stream_inspector.show_recording(next(r for r in self.document.project.recordings if r.name == name))
            self.stream_dock.show()
            self.stream_dock.raise_()

    def run_stream_tests(self) -> None:
        """Check every endpoint against its stream tests in a child process (``streamwright test``), as CI does."""
        from app.client.stream_tests_process import StreamTestsError, run_stream_tests
        from app.ui.stream_tests_dialog import StreamTestsDialog

        if self.tests_dialog is None:
            self.tests_dialog = StreamTestsDialog(self)
            self.tests_dialog.rerunRequested.connect(self.run_stream_tests)
        dialog = self.tests_dialog
        if self._tests_task is not None and not self._tests_task.done():
            dialog.show()
            dialog.raise_()
            return  # one run at a time: its report is the one shown
        dialog.show_running()
        dialog.show()
        dialog.raise_()
        path = self.document.file_path()
        if path is None:
            if self._scratch is None:
                self._scratch = tempfile.TemporaryDirectory(prefix="streamwright-unsaved-")
            folder = Path(self._scratch.name)
        else:
            folder = path.parent
        project = to_document(self.document.project)

        async def run() -> None:
            try:
                report = await run_stream_tests(project, folder)
            except TimeoutError:
                dialog.show_error("the stream tests took longer than 5 minutes and were stopped")
                return
            except (StreamTestsError, OSError) as error:
                dialog.show_error(str(error) or type(error).__name__)
                return
            dialog.show_report(report)

        self._tests_task = spawn(run(), name="stream tests")

    def add_stream_test_dialog(self) -> None:
        from PySide6.QtWidgets import QInputDialog

        from app.editor.commands.stream_tests import AddStreamTestFromRecordingCommand

        names = [r.name for r in self.document.project.recordings]
        if not names:
            self.statusBar().showMessage("No recordings yet: run an endpoint, then save its stream as a recording (Stream inspector)", 8000)
            return
        name, ok = QInputDialog.getItem(self, "Add stream test", "Expect the stream of this recording:", names, 0, False)
        if ok and name:
            command = self._push(lambda: AddStreamTestFromRecordingCommand(self.document, name))
            if isinstance(command, AddStreamTestFromRecordingCommand):
                self.statusBar().showMessage(f"Added stream test {command.test.name}: Run → Run stream tests checks it", 8000)
