"""Everything in the editor's main views is shown whole at 1280×800 and 1600×1000: inspector rows within the
dock, a Run dock tall enough to read, a table header that never covers a row.

Geometry, not pixels: each test asks where Qt put a widget and compares it with
the edges of what shows it. Screenshots of each view (the Stream dock's tabs
after a run too) go to /tmp/shots-polish/ (``SHOTS_DIR`` overrides) to be looked at.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, QRect, QSettings, Qt
from PySide6.QtWidgets import QApplication, QMessageBox, QScrollArea, QWidget

from app.core.project import Recording, walk_widgets
from app.core.workflow_refs import page_workflow_key
from app.editor.commands.actions import SetActionParamCommand
from app.editor.document import Document
from app.ui.main_window import MainWindow
from app.ui.stream_dock_parts import PARTS
from app.ui.stream_inspector import ORIGIN_RUN
from app.ui.stream_inspector.rate_plot import MIN_HEIGHT as RATE_MIN_HEIGHT
from tests.conftest import EXAMPLE
from tests.ui.test_layout import visible_cards

SIZES = [(1280, 800), (1600, 1000)]
SHOTS = Path(os.environ.get("SHOTS_DIR", "/tmp/shots-polish"))


def settle() -> None:
    """Qt lays nested layouts out over a few posted events."""
    for _ in range(8):
        QApplication.processEvents()


def shoot(window: MainWindow, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    assert window.grab().save(str(SHOTS / f"{name}-{window.width()}x{window.height()}.png"))


def open_window(qtbot, tmp_path: Path, size: tuple[int, int]) -> MainWindow:
    shutil.copy(EXAMPLE, tmp_path / EXAMPLE.name)
    shutil.copy(EXAMPLE.parent / "demo.sqlite", tmp_path / "demo.sqlite")
    document = Document()
    document.open(tmp_path / EXAMPLE.name)
    window = MainWindow(document, QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat), recovery_dir=tmp_path / "recovery")
    qtbot.addWidget(window)
    window.resize(*size)
    window.show()
    qtbot.waitExposed(window)
    settle()
    return window


@pytest.fixture(params=SIZES, ids=lambda size: f"{size[0]}x{size[1]}")
def window(request, qtbot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[MainWindow]:
    monkeypatch.setattr(QMessageBox, "question", lambda *args, **kwargs: QMessageBox.StandardButton.Discard)
    main = open_window(qtbot, tmp_path, request.param)
    yield main
    main.document.undo_stack().setClean()


def rect_in(widget: QWidget, ancestor: QWidget) -> QRect:
    return QRect(widget.mapTo(ancestor, QPoint(0, 0)), widget.size())


def overflowing(scroll: QScrollArea) -> list[str]:
    """The shown children of a scroll area's content whose right edge is past the viewport's (with what they are)."""
    viewport = scroll.viewport()
    content = scroll.widget()
    assert content is not None
    found = []
    if content.width() > viewport.width():
        found.append(f"the content: {content.width()} px in a viewport of {viewport.width()} px")
    for child in content.findChildren(QWidget):
        if not child.isVisibleTo(content) or child.width() <= 1:
            continue
        right = rect_in(child, viewport).right()
        if right > viewport.rect().right():
            text = child.text() if hasattr(child, "text") and callable(child.text) else ""
            found.append(f"{type(child).__name__}#{child.objectName()} {str(text)[:40]!r}: right edge {right} > {viewport.rect().right()}")
    return found


def test_every_widget_inspector_row_fits_the_dock(qtbot, window):
    """Select each widget of each page of the example: no row, hint, help text or button runs past the dock's edge."""
    inspector_width = window.inspector_dock.width()
    for page in window.document.project.pages:
        window.show_page(page.name)
        for _path, widget in walk_widgets(page.widgets):
            window.designer.select_widget(widget.id)
            settle()
            assert window.widget_inspector.widget_id == widget.id
            assert overflowing(window.widget_inspector.findChild(QScrollArea, "inspectorScroll")) == [], f"{page.name} / {widget.id}"
    window.show_page("report")
    window.designer.select_widget("progress")
    settle()
    shoot(window, "interface-progress")
    assert window.inspector_dock.width() == inspector_width, "selecting a widget never resizes the dock"


@pytest.mark.parametrize("dock_width", [None, 260], ids=["default", "narrowed"])
def test_every_action_inspector_row_fits_the_dock(qtbot, window, dock_width):
    """The same for every action of every endpoint of the example, at the default width and in a dock the user narrowed."""
    window.sidebar.setCurrentIndex(1)
    if dock_width is not None:
        window.resizeDocks([window.inspector_dock], [dock_width], Qt.Orientation.Horizontal)
        settle()
        assert window.inspector_dock.width() <= dock_width + 4
    project = window.document.project
    keys = [endpoint.name for endpoint in project.endpoints]
    for page in project.pages:  # the interface workflows too: Call API endpoint's Advanced section, page variables
        keys += [page_workflow_key(page.name, widget.id, trigger) for _path, widget in walk_widgets(page.widgets) for trigger in widget.events]
    for key in keys:
        window.show_workflow(key)
        for card in window.canvas.layout_.cards:
            window.inspector.show_action(key, card.path)
            for name in getattr(window.inspector.params, "sections", {}):
                window.inspector.params.open_section(name)
            settle()
            assert window.inspector.action_id == card.action.id
            assert overflowing(window.inspector.findChild(QScrollArea, "inspectorScroll")) == [], f"{key} / {card.action.id}"
    window.show_workflow("generate-report")
    window.inspector.show_action("generate-report", (3,))
    settle()
    shoot(window, "data-api-sql" if dock_width is None else f"data-api-sql-dock{dock_width}")


def test_the_designer_leaves_the_inspector_its_default_width(qtbot, window):
    """Opening a page (its toolbar, a long recording name) does not squeeze the inspector below its width on the canvas."""
    window.show_workflow("generate-report")
    settle()
    width = window.inspector_dock.width()
    window.show_page("report")
    window.designer.replay_bar.set_recordings([Recording(name="generate-report-for-the-quarterly-sales-review-" + "x" * 40, endpoint="generate-report")])
    settle()
    assert window.inspector_dock.width() == width
    assert window.designer.minimumSizeHint().width() <= window.centralWidget().width()


USABLE_ROWS = 3
"""Whole message rows the Run dock's table shows under its header in the default layout, at both sizes."""


def visible_rect(widget: QWidget, scroll: QScrollArea) -> bool:
    """Whether ``widget`` is whole inside what the scroll area shows now."""
    return scroll.viewport().rect().contains(rect_in(widget, scroll.viewport()))


def run_the_report(qtbot, window: MainWindow) -> None:
    """Run the example's report from the Run panel on a real runner, its pauses made short, and stop the runner."""
    from tests.ui.conftest import RUN_TIMEOUT_MS, drive

    window.sidebar.setCurrentIndex(1)
    window.show_workflow("generate-report")
    for path in [(1,), (4,), (7,), (10,)]:
        window.document.push(SetActionParamCommand(window.document, "generate-report", path, "milliseconds", 5))
    try:
        window.run_endpoint()
        qtbot.waitUntil(lambda: not window.run_panel.is_running, timeout=RUN_TIMEOUT_MS)
    finally:
        drive(qtbot, window.runner.stop())
    settle()


def test_the_run_dock_shows_run_and_rows_under_a_header_that_covers_none(qtbot, qt_loop, window):
    """A run of the report in the default layout: Run in sight, the header above the rows, three rows whole."""
    panel = window.run_panel
    run_the_report(qtbot, window)
    assert panel.messages.rowCount() == 5
    body = window.run_dock.widget()
    assert isinstance(body, QScrollArea)
    assert visible_rect(panel.run_button, body), "Run is in sight without scrolling the dock"
    assert visible_rect(panel.table, body), "the table is whole in the dock"
    table = panel.table
    header = rect_in(table.horizontalHeader(), table)
    assert table.rowViewportPosition(4) + table.rowHeight(4) <= table.viewport().height(), "it follows the newest message"
    table.scrollToTop()  # (a row scrolled half out of view is scrolling; the header must not cover an unscrolled one)
    first = table.rowAt(0)
    assert first == 0
    first_top = table.viewport().mapTo(table, QPoint(0, table.rowViewportPosition(first))).y()
    assert header.bottom() < first_top, f"the header (bottom {header.bottom()}) covers row {first} (top {first_top})"
    row_height = table.rowHeight(first)
    whole_rows = (table.viewport().height() - table.rowViewportPosition(first)) // row_height
    assert whole_rows >= USABLE_ROWS, f"{whole_rows} whole rows in a table of {table.height()} px"
    shoot(window, "run-dock")


def test_the_table_is_never_squeezed_under_its_header(qtbot, window):
    """A bottom dock made as small as it goes scrolls its content; the table keeps its header and a row."""
    window.resizeDocks([window.run_dock], [60], Qt.Orientation.Vertical)
    settle()
    table = window.run_panel.table
    assert table.viewport().height() >= 2 * table.verticalHeader().defaultSectionSize()
    assert window.run_dock.height() <= 130, "the dock itself did get small"


def test_the_stream_dock_table_keeps_its_header_above_whole_rows(qtbot, qt_loop, window):
    """After a run, the Stream dock's messages table (beside the timeline, rate and health tabs) still shows its header and two rows."""
    inspector = window.stream_inspector
    run_the_report(qtbot, window)
    window.stream_dock.raise_()
    inspector.sync_now()
    settle()
    table = inspector.table
    assert table.model().rowCount() == 5
    table.scrollToTop()
    header = rect_in(table.horizontalHeader(), table)
    first_top = table.viewport().mapTo(table, QPoint(0, table.rowViewportPosition(0))).y()
    assert header.bottom() < first_top
    assert table.viewport().height() >= 2 * table.rowHeight(0), f"a table of {table.height()} px"
    body = window.stream_dock.widget()
    assert isinstance(body, QScrollArea) and body.widget() is not None
    assert body.widget().width() <= body.viewport().width(), "the dock's header and panels fit its width (no sideways scrolling)"
    assert visible_rect(inspector.save_button, body)
    shoot(window, "stream-dock")


def test_the_stream_dock_needs_no_vertical_scrolling_after_a_run(qtbot, qt_loop, window):
    """The default layout after a real run (rows, action lanes, rates and a health verdict all filled): on every tab the
    dock's content fits its height (no vertical scroll bar), the messages and the tab's part are whole in sight, the
    rate chart gets at least the height it is readable at, and the canvas above still shows ten cards."""
    inspector = window.stream_inspector
    run_the_report(qtbot, window)
    window.stream_dock.raise_()
    log = inspector.log
    assert log is not None
    qtbot.waitUntil(lambda: log.ended and inspector.model.rowCount() == 5 and inspector.health.verdict[0] != "", timeout=10_000)
    assert len(inspector.timeline.lanes()) >= 5
    body = window.stream_dock.widget()
    assert isinstance(body, QScrollArea) and body.widget() is inspector
    for part in PARTS:
        inspector.show_part(part)
        settle()
        assert inspector.current_part() == part
        needed, shown = inspector.minimumSizeHint().height(), body.viewport().height()
        assert needed <= shown, f"{part}: the content needs {needed} px, the dock shows {shown} px"
        assert not body.verticalScrollBar().isVisible(), part
        assert inspector.height() <= body.viewport().height(), part
        assert visible_rect(inspector.parts.currentWidget(), body), f"the {part} tab is whole in sight"
        assert visible_rect(inspector.table, body) and visible_rect(inspector.save_button, body)
        tabs = inspector.parts.tabBar()
        assert all(tabs.rect().contains(tabs.tabRect(i)) for i in range(tabs.count())), "every tab is in sight, none behind scroll buttons"
        shoot(window, f"stream-dock-{part}")
    assert inspector.plot.height() >= RATE_MIN_HEIGHT
    assert inspector.title.shown_text() == "generate-report", "the endpoint's name is whole: the origin pill steps aside first"
    assert inspector.origin_label.isVisible() or inspector.title.toolTip() == f"From: {ORIGIN_RUN}"
    assert visible_cards(window) >= 10, f"{visible_cards(window)} cards in a canvas of {window.canvas.viewport().size()}"
