"""The product page's example built from an empty project by mouse and keyboard alone, then previewed for real.

Every step is a mouse click or a key press on the widget a user would click or type into
(a "+" on the canvas, quick add, the inspector's fields, a modal name dialog): the test
never calls the Document or a command, and reads the project only to check the result. The Preview runs the
endpoint in the runner the editor starts itself, and the test checks what the page
shows at the end: the label, the progress bar and the Download button (whose file is
then downloaded). Every wait is on a condition with a generous deadline, so a loaded
machine only makes it slower.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QPoint, QSettings, Qt, QTimer
from PySide6.QtWidgets import QAbstractButton, QApplication, QInputDialog, QLineEdit, QPushButton, QWidget

from app.editor.document import Document
from app.ui.main_window import MainWindow
from app.ui.page_widgets.download_button import DownloadButtonView
from app.ui.page_widgets.progress_bar import ProgressBarView
from app.ui.page_widgets.text import TextView
from tests.conftest import EXAMPLE
from tests.ui.conftest import drive

WAIT_MS = 60_000
"""Deadline of every wait: far above what each step takes, so only a real failure reaches it."""
SHOTS = Path("/tmp/shots-e2e")

STARTING = '{"status": "starting", "label": "Starting", "done": 0, "total": 3}'
PROGRESS = (
    '{"status": "progress", "label": {"$formula": "\\"Step \\" & loop.count & \\" of \\" & loop.total"},'
    ' "done": {"$formula": "loop.count"}, "total": {"$formula": "loop.total"}}'
)
DONE = '{"status": "done", "label": "Report ready", "done": 3, "total": 3, "downloadUrl": {"$formula": "variables.report.downloadUrl"}}'
REPORT_ROWS = '[{"region": "North", "orders": 12}, {"region": "South", "orders": 7}]'


@pytest.fixture
def window(qtbot: Any, qt_loop: Any, tmp_path: Path) -> Iterator[MainWindow]:
    """The editor as it starts on the bundled example, with settings and recovery files of its own."""
    document = Document()
    document.open(EXAMPLE)
    main = MainWindow(document, QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat), recovery_dir=tmp_path / "recovery")
    main.resize(1280, 800)
    main.show()
    qtbot.waitExposed(main)
    main.activateWindow()  # keys go to the focused field of the active window, as on a desktop
    qtbot.waitActive(main)
    yield main
    main.document.undo_stack().setClean()
    if main._designer is not None:
        session = main.designer.session
        main.designer.shut_down()
        if session is not None:
            drive(qtbot, session.close())
    drive(qtbot, main.runner.stop())
    main.close()  # the built project is unsaved: closing asks unless it is marked clean first, as above
    main.deleteLater()


# -- what a user does ----------------------------------------------------------------------------
def click(qtbot: Any, widget: QWidget, pos: QPoint | None = None) -> None:
    qtbot.waitUntil(widget.isVisible, timeout=WAIT_MS)
    qtbot.mouseClick(widget, Qt.MouseButton.LeftButton, pos=pos if pos is not None else widget.rect().center())


def type_over(qtbot: Any, widget: QWidget, text: str) -> None:
    """Focus a field, select what it holds (Ctrl+A) and type ``text`` over it."""
    click(qtbot, widget)
    qtbot.keyClick(widget, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClicks(widget, text)


def answer_dialog(qtbot: Any, main: MainWindow, text: str, trigger: Callable[[], None]) -> None:
    """``trigger`` opens a modal name dialog: type ``text`` into it and press Enter (as a user does)."""
    answered: list[bool] = []

    def answer() -> None:
        dialog = QApplication.activeModalWidget()
        if not isinstance(dialog, QInputDialog):
            QTimer.singleShot(20, answer)  # not open yet: look again (the trigger's exec() runs this loop)
            return
        line = dialog.findChild(QLineEdit)
        assert line is not None
        line.setFocus()
        qtbot.keyClick(line, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
        qtbot.keyClicks(line, text)
        qtbot.keyClick(line, Qt.Key.Key_Return)
        answered.append(True)

    QTimer.singleShot(0, answer)
    trigger()
    qtbot.waitUntil(lambda: bool(answered), timeout=WAIT_MS)
    reactivate(qtbot, main)


def reactivate(qtbot: Any, main: MainWindow) -> None:
    """What the window manager does when a dialog or popup closes: the main window is active again (offscreen has none)."""
    if QApplication.activeWindow() is not main:
        main.activateWindow()
        qtbot.waitUntil(lambda: QApplication.activeWindow() is main, timeout=WAIT_MS)


def press(qtbot: Any, key: Qt.Key, modifiers: Qt.KeyboardModifier = Qt.KeyboardModifier.NoModifier) -> None:
    """A key pressed on the keyboard: it goes to the focused widget (shortcuts included)."""
    target = QApplication.focusWidget() or QApplication.activeWindow()
    assert target is not None, "no window has the keyboard"
    qtbot.keyClick(target, key, modifiers)


def button(parent: QWidget, text: str) -> QWidget:
    found = [b for b in parent.findChildren(QAbstractButton) if b.text() == text and b.isVisible()]
    assert len(found) == 1, f"{len(found)} visible buttons {text!r}"
    return found[0]


def quick_add(qtbot: Any, main: MainWindow, popup: Any, search: str) -> None:
    """Type into the quick-add popup's search and press Enter on the first match."""
    qtbot.waitUntil(popup.isVisible, timeout=WAIT_MS)
    qtbot.keyClicks(popup.palette_panel.search, search)
    qtbot.keyClick(popup.palette_panel.search, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: not popup.isVisible(), timeout=WAIT_MS)
    reactivate(qtbot, main)


def click_plus(qtbot: Any, window: MainWindow, path: tuple[Any, ...]) -> None:
    """Click the "+" of an insertion point on the canvas."""
    canvas = window.canvas
    qtbot.waitUntil(lambda: canvas.layout_ is not None and any(p.path == path for p in canvas.layout_.inserts), timeout=WAIT_MS)
    point = next(p for p in canvas.layout_.inserts if p.path == path)
    bar = canvas.verticalScrollBar()
    if not bar.value() + 20 <= point.y <= bar.value() + canvas.viewport().height() - 20:
        bar.setValue(int(point.y - canvas.viewport().height() / 2))  # scrolled to it, as a user would
    offset = canvas._offset()
    at = QPoint(int(point.x + point.width / 2 + offset.x()), int(point.y + offset.y()))
    qtbot.mouseClick(canvas.viewport(), Qt.MouseButton.LeftButton, pos=at)


def event_data(qtbot: Any, window: MainWindow, json_text: str) -> None:
    """The selected Send streaming response's Event Data, typed as JSON in the inspector's raw view."""
    field = window.inspector.row("eventData").literal
    if not field.raw_toggle.isChecked():
        click(qtbot, field.raw_toggle)
    type_over(qtbot, field.raw, json_text)
    assert not field.error.isVisible(), field.error.text()


def test_the_product_page_example_built_by_hand_and_previewed_against_the_runner(qtbot: Any, window: MainWindow, tmp_path: Path) -> None:
    # File → New: an empty project
    press(qtbot, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: not window.document.project.endpoints and not window.document.project.pages, timeout=WAIT_MS)

    # -- the endpoint: Data & API → New, named generate-report ---------------------------------
    sidebar = window.sidebar
    click(qtbot, sidebar.tabBar(), sidebar.tabBar().tabRect(1).center())
    answer_dialog(qtbot, window, "generate-report", lambda: click(qtbot, button(sidebar, "New")))
    qtbot.waitUntil(lambda: sidebar.current == "generate-report", timeout=WAIT_MS)
    assert [e.path for e in window.document.project.endpoints] == ["/generate-report"]

    # -- its workflow: Send starting, Loop x3 of Send progress, Create file, Send done -------------
    click_plus(qtbot, window, (0,))
    quick_add(qtbot, window, window.quick_add, "Send streaming")
    qtbot.waitUntil(lambda: window.inspector.action_id is not None, timeout=WAIT_MS)
    event_data(qtbot, window, STARTING)

    press(qtbot, Qt.Key.Key_K, Qt.KeyboardModifier.ControlModifier)  # Edit → Add action…, after the selection
    quick_add(qtbot, window, window.quick_add, "Loop")
    mode = window.inspector.row("mode").literal.combo
    click(qtbot, mode)
    qtbot.keyClicks(mode, "repeat")  # a closed combo box takes typed text as a search
    qtbot.waitUntil(lambda: mode.currentText() == "repeat", timeout=WAIT_MS)
    type_over(qtbot, window.inspector.row("times").literal.spin, "3")

    loop_id = window.inspector.action_id
    click_plus(qtbot, window, (1, "body", 0))
    quick_add(qtbot, window, window.quick_add, "Send streaming")
    event_data(qtbot, window, PROGRESS)

    canvas = window.canvas
    card = canvas.layout_.card_for((1,))
    click(qtbot, canvas.viewport(), QPoint(int(card.rect.x + 80 + canvas._offset().x()), int(card.rect.y + card.rect.height / 2 + canvas._offset().y())))
    qtbot.waitUntil(lambda: window.inspector.action_id == loop_id, timeout=WAIT_MS)
    press(qtbot, Qt.Key.Key_K, Qt.KeyboardModifier.ControlModifier)
    quick_add(qtbot, window, window.quick_add, "Create file")
    type_over(qtbot, window.inspector.row("content").literal.text, REPORT_ROWS)
    type_over(qtbot, window.inspector.row("resultVariable").literal.line, "report")

    press(qtbot, Qt.Key.Key_K, Qt.KeyboardModifier.ControlModifier)
    quick_add(qtbot, window, window.quick_add, "Send streaming")
    event_data(qtbot, window, DONE)

    workflow = window.document.project.endpoint("generate-report").workflow
    assert [a.type for a in workflow] == ["stream.send", "flow.loop", "file.create", "stream.send"]
    assert [a.type for a in workflow[1].slots["body"]] == ["stream.send"]
    assert workflow[1].params["mode"] == "repeat" and workflow[1].params["times"] == 3
    assert workflow[2].params["resultVariable"] == "report" and workflow[2].params["content"][0]["region"] == "North"
    assert workflow[3].params["eventData"]["downloadUrl"] == {"$formula": "variables.report.downloadUrl"}
    assert not [p for p in window.document.problems() if p.severity == "error"]

    # -- the page: Interface → New, renamed report, titled Sales report ----------------------------
    click(qtbot, sidebar.tabBar(), sidebar.tabBar().tabRect(0).center())
    click(qtbot, button(sidebar, "New"))
    qtbot.waitUntil(lambda: window.page == "page" and window.center.currentWidget() is window.designer, timeout=WAIT_MS)
    answer_dialog(qtbot, window, "report", lambda: click(qtbot, button(sidebar, "Rename…")))
    qtbot.waitUntil(lambda: window.designer.page_name == "report", timeout=WAIT_MS)
    type_over(qtbot, window.widget_inspector.page_settings.title, "Sales report")
    designer, inspector = window.designer, window.widget_inspector

    def add_widget(search: str, widget_id: str) -> None:
        click(qtbot, button(designer, "+ Add widget"))
        quick_add(qtbot, window, designer.quick_add, search)
        qtbot.waitUntil(lambda: designer.selected_widget() == widget_id and inspector.widget_id == widget_id, timeout=WAIT_MS)

    def bind(prop: str, source: str) -> None:
        """The fx toggle of a prop, then its formula typed over whatever it held."""
        row = inspector.row(prop)
        click(qtbot, row.fx)
        qtbot.waitUntil(row.formula.isVisible, timeout=WAIT_MS)
        type_over(qtbot, row.formula.edit, source)

    add_widget("Button", "button_1")
    type_over(qtbot, inspector.row("label").literal.line, "Generate report")
    add_widget("Text", "text_1")
    bind("text", "stream.chunk.label")
    type_over(qtbot, inspector.row("placeholder").literal.line, "Press Generate report to start")
    add_widget("Progress bar", "progress_bar_1")
    bind("value", "stream.chunk.done")
    bind("max", "stream.chunk.total")
    add_widget("Download button", "download_button_1")
    type_over(qtbot, inspector.row("label").literal.line, "Download report")
    bind("url", "stream.chunk.downloadUrl")
    bind("visible", "$exists(stream.chunk.downloadUrl)")

    # -- the button's On click: Call API endpoint generate-report, Advanced → Handle stream --------
    outline = designer.outline
    click(qtbot, outline.viewport(), outline.visualRect(designer.outline_model.index_of("button_1")).center())
    qtbot.waitUntil(lambda: inspector.widget_id == "button_1", timeout=WAIT_MS)
    on_click = next(b for b in inspector.content.findChildren(QPushButton) if b.objectName() == "openWorkflow" and b.isVisible())
    click(qtbot, on_click)
    qtbot.waitUntil(lambda: (window.endpoint or "").startswith("page:") and window.back_bar.isVisible(), timeout=WAIT_MS)
    click_plus(qtbot, window, (0,))
    quick_add(qtbot, window, window.interface_quick_add, "Call API")
    qtbot.waitUntil(lambda: window.inspector.action_id is not None, timeout=WAIT_MS)
    endpoint_field = window.inspector.row("endpoint").literal.combo
    type_over(qtbot, endpoint_field.lineEdit(), "generate-report")
    params = window.inspector.params
    assert params is not None
    click(qtbot, params.sections["Advanced"][0])
    handle_stream = window.inspector.row("handleStream").literal.check
    click(qtbot, handle_stream, QPoint(8, handle_stream.height() // 2))  # on its box
    qtbot.waitUntil(handle_stream.isChecked, timeout=WAIT_MS)

    page = window.document.project.page("report")
    assert page.title == "Sales report" and [w.id for w in page.widgets] == ["button_1", "text_1", "progress_bar_1", "download_button_1"]
    call = page.widgets[0].events["click"][0]
    assert call.type == "api.call" and call.params["endpoint"] == "generate-report" and call.params["handleStream"] is True
    assert page.widgets[2].props["max"] == {"$formula": "stream.chunk.total"}
    assert not [p for p in window.document.problems() if p.severity == "error"]

    # -- ▶ Preview against the runner the editor starts, and Generate report ------------------------
    designer.downloads_dir = tmp_path / "downloads"  # the user's Downloads folder, kept out of the real home
    click(qtbot, window.back_bar)
    qtbot.waitUntil(lambda: window.center.currentWidget() is designer, timeout=WAIT_MS)
    click(qtbot, designer.preview_button)
    qtbot.waitUntil(lambda: designer.previewing, timeout=WAIT_MS)
    view = designer.page_view
    label, bar, download = view.view("text_1"), view.view("progress_bar_1"), view.view("download_button_1")
    assert isinstance(label, TextView) and isinstance(bar, ProgressBarView) and isinstance(download, DownloadButtonView)
    assert label.label.text() == "Press Generate report to start" and not download.button.isVisible()
    generate = view.view("button_1").button
    assert generate.text() == "Generate report"
    click(qtbot, generate)
    qtbot.waitUntil(lambda: download.button.isVisible(), timeout=WAIT_MS)  # the last message carries the download link
    qtbot.waitUntil(lambda: label.label.text() == "Report ready" and (bar.bar.value(), bar.bar.maximum()) == (3, 3), timeout=WAIT_MS)
    assert download.button.text() == "Download report" and download.button.isEnabled()
    qtbot.waitUntil(lambda: designer.session is not None and designer.session.calls["stream"].status == "done", timeout=WAIT_MS)
    assert designer.session is not None and designer.session.calls["stream"].count == 5  # starting, 3 x progress, done
    assert [m["label"] for m in designer.session.calls["stream"].chunks] == ["Starting", "Step 1 of 3", "Step 2 of 3", "Step 3 of 3", "Report ready"]
    for size in ((1280, 800), (1600, 1000)):
        window.resize(*size)
        qtbot.waitUntil(lambda size=size: (window.width(), window.height()) == size, timeout=WAIT_MS)
        QApplication.processEvents()
        SHOTS.mkdir(parents=True, exist_ok=True)
        assert window.grab().save(str(SHOTS / f"example_built_{size[0]}x{size[1]}.png"))

    click(qtbot, download.button)  # the file the endpoint made, downloaded from the runner
    qtbot.waitUntil(lambda: bool(designer.session.downloads) and designer.download_notice.isVisible(), timeout=WAIT_MS)  # saved whole
    (saved,) = designer.session.downloads
    assert saved.parent == tmp_path / "downloads" and saved.name == "report.csv"
    assert saved.read_text().splitlines()[1:] == ["North,12", "South,7"]
