"""The Run panel: fill in an endpoint's inputs, run it on the runner process, watch its messages arrive.

Nothing here runs a workflow or speaks HTTP: ``Run`` starts a coroutine (on
the qasync loop, see ``async_runtime``) that asks :class:`RunnerProcess` to
push the project on screen and call the endpoint with ``trace=True``. That
stream task only writes into a fresh :class:`StreamState`; a ~60 Hz frame
timer compares ``state.version`` with the one it saw and, when it grew,
appends the new rows in one insert and refreshes the status line.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from app.client.runner_process import RunnerProcess
from app.client.stream_state import ConnectionLostError, RunnerCrashedError, StreamError, StreamState
from app.core.project import Project
from app.editor.document import Document
from app.ui.async_runtime import spawn
from app.ui.column_widget import column_widget
from app.ui.elided_text import ElidedLabel
from app.ui.fitted_scroll import fitted_scroll
from app.ui.message_table import message_table
from app.ui.run_inputs_form import InputsError, InputsForm
from app.ui.run_messages_model import DATA, SEQUENCE, STATUS, TIME, RunMessagesModel

if TYPE_CHECKING:
    import asyncio

    from app.client.endpoint_client import StreamCall

__all__ = ["RunPanel"]

FRAME_MS = 16
CONTROLS_WIDTH = 250
"""The form column's default width; the messages table takes the rest of the dock."""
CONTROLS_MIN_WIDTH = 170


_STATUS_COLOURS = {"done": "#12936b", "error": "#d0343a", "cancelled": "#c98a00", "invalid": "#d0343a"}
_RUN_BUTTON_STYLE = """
QPushButton { background: #3b6fe0; color: white; border: 1px solid #2f5cc0; border-radius: 4px; padding: 4px 16px; font-weight: bold; }
QPushButton:hover { background: #3363cf; }
QPushButton:disabled { background: #a9bce8; border-color: #a9bce8; }
"""
_ERROR_BOX_STYLE = "QLabel#runError { background: #fdeeee; border: 1px solid #f0b9bb; border-radius: 4px; padding: 6px 8px; color: #1f2430; }"


class RunPanel(QWidget):
    """Run the selected endpoint against the runner process and show its stream live."""

    failingAction = Signal(str, str)
    """(endpoint, action id): a run failed in this action; the window selects it on the canvas."""
    runStarted = Signal(str)
    """(endpoint): Run was accepted (inputs valid) and the call is under way."""
    runFinished = Signal(str, str)
    """(endpoint, status): the run ended ``done``, ``error`` or ``cancelled``; every row is in the table."""

    def __init__(self, document: Document, runner: RunnerProcess, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.document = document
        self.runner = runner
        self.messages = RunMessagesModel(self)
        self._endpoint: str | None = None
        self._run_endpoint: str | None = None
        self._state: StreamState | None = None
        self._call: StreamCall | None = None
        self._task: asyncio.Task[None] | None = None
        self._cancel_requested = False
        self._cancelling: asyncio.Task[None] | None = None
        self._seen_version = -1
        self.last_inputs: dict[str, Any] = {}
        """The inputs of the current (or last) run started here."""
        self._external = False
        """The state shown is a preview's call (the page owns it), not a run started here."""
        self._frame = QTimer(self)
        self._frame.setInterval(FRAME_MS)
        self._frame.timeout.connect(self._on_frame)
        self._build()
        document.endpointChanged.connect(self._on_endpoint_changed)
        document.endpointRenamed.connect(self._on_endpoint_renamed)
        document.endpointsChanged.connect(self._on_endpoints_changed)
        document.projectReset.connect(self._on_endpoints_changed)
        self.set_endpoint(None)
        self._set_status("Select an endpoint to run it", None)

    # -- public ------------------------------------------------------------
    @property
    def endpoint_name(self) -> str | None:
        return self._endpoint

    @property
    def state(self) -> StreamState | None:
        """The current (or last) run's state; None before the first run."""
        return self._state

    @property
    def is_running(self) -> bool:
        return self._task is not None

    @property
    def last_traces(self) -> list[dict[str, Any]]:
        """The action spans of the current (or last) run, as the runner traced them."""
        return self._state.traces if self._state is not None else []

    def status_text(self) -> str:
        return self.status_label.text()

    def error_text(self) -> str:
        return self.error_label.text() if self.error_label.isVisible() else ""

    def set_endpoint(self, name: str | None) -> None:
        """Show the form of endpoint ``name`` (None, or a name the project lacks: nothing to run)."""
        if name is not None and not self.document.has_endpoint(name):
            name = None
        same = name == self._endpoint
        self._endpoint = name
        self._refresh_endpoint(keep_values=same)
        if not same and not self.is_running:
            self.messages.clear()
            self._hide_error()
            self._set_status("Ready" if name is not None else "Select an endpoint to run it", None)
        self._update_controls()

    def run(self) -> bool:
        """Run the endpoint with the form's inputs; False (and the problems shown) if it cannot start."""
        if self.is_running or self._endpoint is None:
            return False
        try:
            inputs = self.inputs_form.values()
        except InputsError as error:
            self._hide_error()
            count = len(error.errors)
            self._set_status(f"Fix {count} input{'s' if count != 1 else ''} before running", "invalid")
            return False
        endpoint = self._endpoint
        state = StreamState()
        self._state, self._call, self._run_endpoint, self._external = state, None, endpoint, False
        self._cancel_requested, self._cancelling = False, None
        self._seen_version = -1
        self.messages.follow(state)
        self._hide_error()
        self._set_status("Connecting…", "connecting")
        self.last_inputs = dict(inputs)
        project = self.document.project  # what is on screen now is what runs
        self._task = spawn(self._execute(project, endpoint, inputs, state), name=f"run panel {endpoint}")
        self._frame.start()
        self._update_controls()
        self.runStarted.emit(endpoint)
        return True

    def follow_preview(self, endpoint: str, state: StreamState) -> None:
        """Show a call the page preview makes, live like a run of its own (unless a run from here is under way)."""
        if self.is_running:
            return
        self._state, self._call, self._run_endpoint, self._external = state, None, endpoint, True
        self._seen_version = -1
        self.messages.follow(state)
        self._hide_error()
        self._set_status(f"Preview call of {endpoint}: connecting…", "connecting")
        self._frame.start()

    def cancel(self) -> None:
        """Stop the run: the connection closes and the runner cancels the workflow; then ``runFinished``."""
        if self._task is None or self._cancel_requested:
            return
        self._cancel_requested = True
        self.cancel_button.setEnabled(False)
        if self._call is not None:
            self._cancelling = spawn(self._call.cancel(), name="run panel cancel")
        else:
            self._task.cancel()  # still pushing the project: nothing runs yet

    # -- the run (on the asyncio loop) ----------------------------------------
    async def _execute(self, project: Project, endpoint: str, inputs: dict[str, Any], state: StreamState) -> None:
        import asyncio  # here, not at the top: the editor's window shows before asyncio is imported

        try:
            call = await self.runner.run(project, endpoint, inputs, state=state, trace=True)
        except asyncio.CancelledError:
            state.cancel()
            return
        except Exception as error:  # noqa: BLE001 - a runner that cannot start or take the project is shown, not raised
            state.fail(error if isinstance(error, StreamError) else StreamError(f"the run could not start: {error}"))
            return
        self._call = call
        if self._cancel_requested:
            await call.cancel()
        await call.wait()
        if self._cancelling is not None:  # the run ends once the runner has been told, not just the connection closed
            await asyncio.wait({self._cancelling})

    # -- frames (on the UI thread, ~60 Hz while a run is on) -----------------------
    def _on_frame(self) -> None:
        state = self._state
        if state is None:
            self._frame.stop()
            return
        if state.version != self._seen_version:
            self._seen_version = state.version
            self._sync_rows()
            self._show_state(state)
        if self._task is not None and self._task.done():
            self._finish(state)
        elif self._external and state.finished:
            self._frame.stop()
            self._sync_rows()
            self._show_state(state)
            if state.error is not None:
                self._show_error(self._run_endpoint or "", state.error)

    def _sync_rows(self) -> None:
        bar = self.table.verticalScrollBar()
        at_bottom = bar.value() >= bar.maximum()
        if self.messages.sync() and at_bottom:
            self.table.scrollToBottom()

    def _finish(self, state: StreamState) -> None:
        self._frame.stop()
        self._task, self._call = None, None
        if not state.finished and self._cancel_requested:  # cancelled before it even started
            state.cancel()
        elif not state.finished:  # the task ended without a verdict: never leave the panel "running"
            state.fail(StreamError("the run ended without an answer"))
        self._sync_rows()
        self._show_state(state)
        self._update_controls()
        endpoint = self._run_endpoint or ""
        if state.error is not None:
            self._show_error(endpoint, state.error)
        self.runFinished.emit(endpoint, state.status)

    def _show_state(self, state: StreamState) -> None:
        self._show_status_of(state)
        if self._external:
            self._set_status(f"Preview call of {self._run_endpoint} · {self.status_label.text()}", state.status)

    def _show_status_of(self, state: StreamState) -> None:
        count = f"{state.count} message{'s' if state.count != 1 else ''}"
        took = f" in {state.finished_at - state.started_at:.2f} s" if state.finished_at and state.started_at else ""
        status = state.status
        if status in ("idle", "connecting"):
            text = "Connecting…"
        elif status == "streaming":
            text = f"Streaming · {count}" + (f" · no message for {state.stall_after_s:g} s" if state.stalled else "")
        elif status == "done":
            text = f"Done{took} · {count}"
        elif status == "cancelled":
            text = f"Cancelled · {count}"
        else:
            text = f"Error{took.replace(' in ', ' after ')} · {count}"
        self._set_status(text, status)

    def _show_error(self, endpoint: str, error: StreamError) -> None:
        import html  # with the first error shown, not at start-up

        unplaced = dict(error.fields)
        if error.fields and endpoint == self._endpoint:
            unplaced = self.inputs_form.show_errors(error.fields)
        title = "Runner crashed" if isinstance(error, RunnerCrashedError) else "Connection lost" if isinstance(error, ConnectionLostError) else "Error"
        lines = [f"<b>{title}:</b> {html.escape(error.message)}"]
        lines += [f"{html.escape(name)}: {html.escape(problem)}" for name, problem in unplaced.items()]
        if error.fields and not unplaced:
            lines.append("See the inputs marked above.")
        if error.action:
            lines.append(f'Failing action: <a href="action"><b>{html.escape(error.action)}</b></a>{self._type_note(error.action_type)}')
        self.error_label.setText("<br>".join(lines))
        self.error_label.setToolTip(str(error))
        self.error_label.show()
        if error.action:
            self.failingAction.emit(endpoint, error.action)

    def _type_note(self, action_type: str | None) -> str:
        import html

        if not action_type:
            return ""
        try:
            return f" ({html.escape(self.document.registry.get(action_type).title)})"
        except KeyError:
            return f" ({html.escape(action_type)})"

    def _on_error_link(self, _link: str) -> None:
        error = self._state.error if self._state is not None else None
        if error is not None and error.action and self._run_endpoint:
            self.failingAction.emit(self._run_endpoint, error.action)

    # -- the document -------------------------------------------------------------
    def _on_endpoint_changed(self, name: str) -> None:
        if name == self._endpoint:
            self._refresh_endpoint(keep_values=True)

    def _on_endpoint_renamed(self, old: str, new: str) -> None:
        if old == self._endpoint:
            self._endpoint = new
        if old == self._run_endpoint:
            self._run_endpoint = new

    def _on_endpoints_changed(self) -> None:
        self.set_endpoint(self._endpoint)

    def _refresh_endpoint(self, *, keep_values: bool) -> None:
        if self._endpoint is None:
            self.title_label.setText("Run")
            self.route_label.setText("")
            self.inputs_form.set_inputs([])
            self.inputs_form.setVisible(False)
            return
        endpoint = self.document.endpoint(self._endpoint)
        self.title_label.setText(f"Run {endpoint.name}")
        self.route_label.setText(f"{endpoint.method} {endpoint.path}")
        self.title_label.setToolTip(endpoint.description)
        self.inputs_form.set_inputs(endpoint.inputs, keep_values=keep_values)
        self.inputs_form.setVisible(True)

    # -- widgets ------------------------------------------------------------------
    def _build(self) -> None:
        self.setObjectName("runPanel")
        self.title_label = ElidedLabel(parent=self, wants_whole=True)  # the endpoint's name first; the route gets what is left
        self.title_label.setStyleSheet("font-weight: bold; font-size: 11pt;")
        self.route_label = ElidedLabel(parent=self)
        self.route_label.setStyleSheet("color: #6b7280;")
        self.route_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        self.inputs_form = InputsForm(self)

        self.run_button = QPushButton("Run", self)
        self.run_button.setObjectName("runButton")
        self.run_button.setToolTip("Run the endpoint with these inputs (Ctrl+Return)")
        self.run_button.setStyleSheet(_RUN_BUTTON_STYLE)
        self.run_button.clicked.connect(self.run)
        self.cancel_button = QPushButton("Cancel", self)
        self.cancel_button.setToolTip("Stop the run: the runner cancels the workflow")
        self.cancel_button.clicked.connect(self.cancel)
        self.status_label = ElidedLabel(parent=self)  # live text: cut to the column, whole on hover
        self.status_label.setObjectName("runStatus")
        self.status_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        buttons = QHBoxLayout()
        buttons.addWidget(self.run_button)
        buttons.addWidget(self.cancel_button)
        buttons.addStretch(1)

        self.error_label = QLabel(self)
        self.error_label.setObjectName("runError")
        self.error_label.setStyleSheet(_ERROR_BOX_STYLE)
        self.error_label.setWordWrap(True)
        self.error_label.setTextFormat(Qt.TextFormat.RichText)
        self.error_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextBrowserInteraction)
        self.error_label.linkActivated.connect(self._on_error_link)
        self.error_label.hide()

        self.table = message_table(
            self.messages, self, name="runMessages", widths=((SEQUENCE, 40), (TIME, 76), (STATUS, 84)), stretch=DATA, row_padding=8
        )  # fmt: skip

        # The form on the left, the messages on the right: the bottom dock is short (the canvas keeps its
        # height), so stacking them would leave the table a sliver; side by side the table has the dock's
        # whole height, and the user moves the splitter.
        controls, column = column_widget(self, "runControls", (10, 8, 8, 8))
        title_row = QHBoxLayout()
        title_row.setSpacing(6)
        title_row.addWidget(self.title_label)
        title_row.addWidget(self.route_label, 1)
        column.addLayout(buttons)  # first: Run is in sight however short the dock is
        column.addWidget(self.status_label)
        column.addLayout(title_row)
        column.addWidget(self.inputs_form)
        column.addWidget(self.error_label)
        column.addStretch(1)
        self.controls = fitted_scroll(controls, self, name="runControlsScroll")  # as wide as its column, scrolling up and down
        self.controls.setFrameShape(QFrame.Shape.NoFrame)
        self.controls.setMinimumWidth(CONTROLS_MIN_WIDTH)
        table_box, table_layout = column_widget(self, "runTable", (0, 8, 10, 8))
        table_layout.addWidget(self.table)
        self.splitter = QSplitter(Qt.Orientation.Horizontal, self)
        self.splitter.setObjectName("runSplitter")
        self.splitter.setChildrenCollapsible(False)
        self.splitter.addWidget(self.controls)
        self.splitter.addWidget(table_box)
        self.splitter.setStretchFactor(0, 0)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setSizes([CONTROLS_WIDTH, 10 * CONTROLS_WIDTH])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.splitter)

        for keys in ("Ctrl+Return", "Ctrl+Enter"):
            shortcut = QShortcut(QKeySequence(keys), self)
            shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            shortcut.activated.connect(self.run)

    def _set_status(self, text: str, status: str | None) -> None:
        self.status_label.setText(text)
        colour = _STATUS_COLOURS.get(status or "", "#6b7280")
        self.status_label.setStyleSheet(f"color: {colour};")

    def _hide_error(self) -> None:
        self.error_label.hide()
        self.error_label.clear()

    def _update_controls(self) -> None:
        running = self.is_running
        self.run_button.setEnabled(self._endpoint is not None and not running)
        self.cancel_button.setEnabled(running and not self._cancel_requested)
