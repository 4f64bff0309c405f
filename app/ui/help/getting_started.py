"""Help → Getting started: a short walk through the product page's example, in the bundled project.

The example (``resources/examples/demo.streamwright.json``) is the report of
WeWeb's "Handling streaming responses" page: an endpoint that sends a message
after each big step, and a page whose label, progress bar and Download button
follow them. Each step says what to look at or click, in order; its **Show me**
brings that endpoint, action, page or widget forward in the window, the way a
click in the sidebar, canvas or outline would. Everything in ``<code>`` in a
step is quoted from the example (a test holds it to that), so the walk stays
true to the file. With another project open, Show me offers to open the
example instead of pointing at nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QDialog, QHBoxLayout, QLabel, QListWidget, QPushButton, QVBoxLayout

from app.core.project import walk_widgets
from app.core.workflow_refs import page_workflow_key
from app.resources import resource_path
from app.ui import theme
from app.ui.help.enter_key import handle_enter

if TYPE_CHECKING:
    from app.ui.main_window import MainWindow

EXAMPLE = resource_path("examples", "demo.streamwright.json")


@dataclass(frozen=True)
class ShowEndpoint:
    """The endpoint's workflow on the canvas (Data & API → Workflows); with ``run_panel``, the Run panel raised too."""

    endpoint: str
    run_panel: bool = False

    def available(self, window: MainWindow) -> bool:
        return window.document.has_endpoint(self.endpoint)

    def show(self, window: MainWindow) -> None:
        window.show_workflow(self.endpoint)
        if self.run_panel:
            window.run_dock.show()
            window.run_dock.raise_()


@dataclass(frozen=True)
class ShowAction:
    """An action selected on its workflow's canvas, so the inspector edits it."""

    workflow: str
    action_id: str

    def available(self, window: MainWindow) -> bool:
        return window.document.has_workflow(self.workflow) and window.document.path_of(self.workflow, self.action_id) is not None

    def show(self, window: MainWindow) -> None:
        window.reveal_found(self.workflow, self.action_id)
        window.inspector_dock.show()


@dataclass(frozen=True)
class ShowPage:
    """A page open in the designer (Interface tab); with ``widget``, that widget selected; with ``preview``, focus on ▶ Preview."""

    page: str
    widget: str | None = None
    preview: bool = False

    def available(self, window: MainWindow) -> bool:
        if not window.document.has_page(self.page):
            return False
        return self.widget is None or any(widget.id == self.widget for _path, widget in walk_widgets(window.document.project.page(self.page).widgets))

    def show(self, window: MainWindow) -> None:
        window.show_page(self.page)
        if self.widget is not None:
            window.designer.select_widget(self.widget)
            window.inspector_dock.show()
        if self.preview:
            window.designer.preview_button.setFocus()


Target = ShowEndpoint | ShowAction | ShowPage


@dataclass(frozen=True)
class Step:
    title: str
    text: str
    """Rich text; ``<code>`` only around what the example really holds."""
    target: Target | None = None


REPORT = "generate-report"
BUTTON_CLICK = page_workflow_key("report", "generate_button", "click")

STEPS: tuple[Step, ...] = (
    Step(
        "What you will build",
        "The bundled example holds the product page's report: an API endpoint that takes a while and sends a small "
        "message after each big step, and a page whose label, progress bar and Download button follow those messages "
        "live. Each step below shows you where it is; <b>Show me</b> brings it forward.",
    ),
    Step(
        "The API endpoint",
        "In the sidebar, <b>Data &amp; API → Workflows</b> lists the endpoints. <code>generate-report</code> "
        "(<code>POST</code> <code>/generate-report</code>) builds the report; its workflow is on the canvas, trigger on top.",
        ShowEndpoint(REPORT),
    ),
    Step(
        "The first message starts the stream",
        "The first <b>Send streaming response</b> (<code>send_starting</code>) starts the stream. Its <b>Event Data</b>, "
        "in the inspector, is a small object with a status: <code>starting</code>.",
        ShowAction(REPORT, "send_starting"),
    ),
    Step(
        "A message after each big step",
        "Each later Send adds a message to the same stream, e.g. <code>send_generating</code>: status "
        "<code>progress</code>, label <code>Generating file</code>, <code>done</code> 2 of <code>total</code> 3. "
        "Keep Event Data small and give every message a status.",
        ShowAction(REPORT, "send_generating"),
    ),
    Step(
        "The report's work",
        "Between the messages, a <b>SQL query</b> (<code>fetch_sales</code>) reads the orders and <b>Create file</b> "
        "(<code>create_report</code>) writes the CSV; its result holds the file's <code>downloadUrl</code>.",
        ShowAction(REPORT, "create_report"),
    ),
    Step(
        "The last message",
        "<code>send_done</code> sends status <code>done</code> with what the page needs next: "
        "<code>variables.report.downloadUrl</code>. The stream ends when the endpoint finishes.",
        ShowAction(REPORT, "send_done"),
    ),
    Step(
        "Run the endpoint",
        "<b>Run → Run endpoint</b> (Ctrl+Enter) runs it in the local runner: the <b>Run</b> panel shows each message the "
        "moment it is sent, and the <b>Stream</b> dock its timeline.",
        ShowEndpoint(REPORT, run_panel=True),
    ),
    Step(
        "The page",
        "On the sidebar's <b>Interface</b> tab, the <code>Sales report</code> page holds a button, a status label, a "
        "progress bar and a Download button; click one on the page or in the outline to edit it.",
        ShowPage("report"),
    ),
    Step(
        "The button calls the endpoint",
        "The <code>Generate report</code> button's <b>On click</b> has a <b>Call API endpoint</b> action "
        "(<code>call_report</code>) on <code>generate-report</code>. Under <b>Advanced</b>, <b>Handle stream</b> is on: "
        "while the call runs, bindings read <code>stream.chunk</code> (the latest message) and <code>stream.chunks</code> "
        "(all so far).",
        ShowAction(BUTTON_CLICK, "call_report"),
    ),
    Step(
        "Bind the progress bar",
        "Its value is bound (the <b>fx</b> toggle) to <code>stream.chunk.done</code> and its maximum to "
        "<code>stream.chunk.total</code>. Press F1 in a formula field for the formula reference.",
        ShowPage("report", "progress"),
    ),
    Step(
        "Show the latest step",
        "The status label's text reads <code>stream.chunk.label</code> while the stream runs.",
        ShowPage("report", "status_label"),
    ),
    Step(
        "The Download button",
        "Its URL is <code>stream.chunk.downloadUrl</code> and it is visible only when <code>$exists(stream.chunk.downloadUrl)</code>: after the last message.",
        ShowPage("report", "download_button"),
    ),
    Step(
        "Preview it",
        "Press <b>▶ Preview</b> above the page, then <code>Generate report</code>: the label, the progress bar and the "
        "Download button follow the stream as each message arrives. <b>Design</b> takes you back.",
        ShowPage("report", preview=True),
    ),
)


class GettingStarted(QDialog):
    """The steps on the left, the current one on the right with Show me, Back and Next. Non-modal: the window stays usable."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window_ = window
        self.setObjectName("gettingStarted")
        self.setWindowTitle("Getting started")
        self.setModal(False)
        self.steps = QListWidget(self)
        self.steps.setObjectName("gettingStartedSteps")
        self.steps.addItems([f"{number}. {step.title}" for number, step in enumerate(STEPS, start=1)])
        self.steps.setMaximumWidth(260)
        self.steps.currentRowChanged.connect(self._show_step)
        self.text = QLabel(self)
        self.text.setObjectName("gettingStartedText")
        self.text.setWordWrap(True)
        self.text.setTextFormat(Qt.TextFormat.RichText)
        self.text.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.note = QLabel(self)
        self.note.setWordWrap(True)
        self.note.setStyleSheet(f"color: {theme.TEXT_MUTED.name()};")
        self.show_me = QPushButton("&Show me", self)
        self.show_me.setObjectName("showMe")
        self.show_me.clicked.connect(self.show_current)
        self.open_example = QPushButton("&Open the example", self)
        self.open_example.clicked.connect(self._open_example)
        self.back = QPushButton("&Back", self)
        self.back.clicked.connect(lambda: self.steps.setCurrentRow(self.steps.currentRow() - 1))
        self.next = QPushButton("&Next", self)
        self.next.clicked.connect(lambda: self.steps.setCurrentRow(self.steps.currentRow() + 1))
        for button in (self.show_me, self.open_example, self.back, self.next):
            button.setAutoDefault(False)
        actions = QHBoxLayout()
        actions.addWidget(self.show_me)
        actions.addWidget(self.open_example)
        actions.addStretch(1)
        actions.addWidget(self.back)
        actions.addWidget(self.next)
        right = QVBoxLayout()
        right.addWidget(self.text, 1)
        right.addWidget(self.note)
        right.addLayout(actions)
        layout = QHBoxLayout(self)
        layout.addWidget(self.steps)
        layout.addLayout(right, 1)
        window.document.projectReset.connect(self._project_changed)
        self.steps.setCurrentRow(0)

    def _project_changed(self) -> None:
        """New or Open: whether Show me can find its targets may have changed."""
        self._show_step(self.steps.currentRow())

    @property
    def current(self) -> Step:
        return STEPS[max(self.steps.currentRow(), 0)]

    def _show_step(self, row: int) -> None:
        if not 0 <= row < len(STEPS):
            return
        step = STEPS[row]
        self.text.setText(f"<p style='font-size: 12pt; font-weight: 600;'>{step.title}</p><p>{step.text}</p>")
        available = step.target is not None and step.target.available(self.window_)
        missing = step.target is not None and not available
        self.show_me.setVisible(step.target is not None)
        self.show_me.setEnabled(available)
        self.open_example.setVisible(missing)
        self.note.setText("This step is about the bundled example, which is not the open project." if missing else "")
        self.back.setEnabled(row > 0)
        self.next.setEnabled(row < len(STEPS) - 1)

    def show_current(self) -> bool:
        """Bring the current step's endpoint, action, page or widget forward; False when the open project lacks it."""
        target = self.current.target
        if target is None or not target.available(self.window_):
            return False
        target.show(self.window_)
        return True

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802
        """Enter is Show me (on a focused button, that button), so the walk needs only arrows and Enter."""
        if not handle_enter(self, event, self.show_current):
            super().keyPressEvent(event)

    def _open_example(self) -> None:
        if self.window_.confirm_discard():
            self.window_.open_file(EXAMPLE)

    def open_at_start(self) -> None:
        if not self.isVisible():
            self.resize(640, 300)
            corner = self.window_.geometry().bottomLeft()
            self.move(corner.x() + 16, corner.y() - self.height() - 48)
        self.show()
        self.raise_()
        self.activateWindow()
        self.steps.setFocus()


def show_getting_started(window: MainWindow) -> GettingStarted:
    dialog = window.findChild(GettingStarted, options=Qt.FindChildOption.FindDirectChildrenOnly)
    if dialog is None:
        dialog = GettingStarted(window)
    dialog.open_at_start()
    return dialog


__all__ = ["STEPS", "GettingStarted", "ShowAction", "ShowEndpoint", "ShowPage", "Step", "show_getting_started"]
