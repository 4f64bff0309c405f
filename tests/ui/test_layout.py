"""The editor's layout holds still: default sizes that show the work, docks that keep their size, fields that never jump."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from PySide6.QtCore import QEvent, QPoint, QSettings, Qt
from PySide6.QtGui import QHelpEvent
from PySide6.QtWidgets import QApplication, QMessageBox, QToolTip, QWidget

from app.editor.commands.actions import SetActionParamCommand
from app.editor.models.roles import ActionTypeRole
from app.editor.document import Document
from app.ui.main_window import MainWindow
from app.ui.stream_dock_parts import PARTS
from tests.conftest import EXAMPLE, ROOT
from tests.ui.conftest import RUN_TIMEOUT_MS, drive

SCREENSHOTS = ROOT / "tests" / "ui" / "screenshots"


def _window(qtbot, tmp_path: Path, size: tuple[int, int]) -> MainWindow:
    path = tmp_path / EXAMPLE.name
    if not path.exists():
        shutil.copy(EXAMPLE, path)
        shutil.copy(EXAMPLE.parent / "demo.sqlite", tmp_path / "demo.sqlite")
    document = Document()
    document.open(path)
    window = MainWindow(document, QSettings(str(tmp_path / f"settings-{size[0]}.ini"), QSettings.Format.IniFormat), recovery_dir=tmp_path / "recovery")
    qtbot.addWidget(window)
    window.resize(*size)
    window.show()
    qtbot.waitExposed(window)
    window.sidebar.select_endpoint("generate-report")
    return window


@pytest.fixture
def window(qtbot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> MainWindow:
    monkeypatch.setattr(QMessageBox, "question", lambda *args, **kwargs: QMessageBox.StandardButton.Discard)
    return _window(qtbot, tmp_path, (1280, 800))


def visible_cards(window: MainWindow) -> int:
    viewport = window.canvas.viewport().rect()
    offset = window.canvas._offset()
    return sum(
        1
        for card in window.canvas.layout_.cards
        if viewport.contains(QPoint(int(card.rect.x + offset.x()), int(card.rect.y + offset.y())))
        and viewport.contains(QPoint(int(card.rect.x + card.rect.width + offset.x()) - 1, int(card.rect.bottom + offset.y()) - 1))
    )


def _visible_palette_items(window: MainWindow) -> int:
    tree = window.palette_panel.tree
    proxy = window.palette_panel.proxy
    viewport = tree.viewport().rect()
    count = 0
    for group_row in range(proxy.rowCount()):
        group = proxy.index(group_row, 0)
        for row in range(proxy.rowCount(group)):
            index = proxy.index(row, 0, group)
            if index.data(ActionTypeRole) and viewport.contains(tree.visualRect(index)):
                count += 1
    return count


@pytest.mark.parametrize("size", [(1280, 800), (1600, 1000)])
def test_the_default_layout_shows_ten_cards_and_eight_palette_items(qtbot, tmp_path, monkeypatch, size):
    monkeypatch.setattr(QMessageBox, "question", lambda *args, **kwargs: QMessageBox.StandardButton.Discard)
    window = _window(qtbot, tmp_path, size)
    QApplication.processEvents()
    assert window.size().width() == size[0] and window.size().height() == size[1]
    assert visible_cards(window) >= 10, f"{visible_cards(window)} cards in a canvas of {window.canvas.viewport().size()}"
    assert _visible_palette_items(window) >= 8, f"{_visible_palette_items(window)} palette items"
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    assert window.grab().save(str(SCREENSHOTS / f"main-window-{size[0]}x{size[1]}.png"))


def test_the_bottom_dock_can_be_made_small(qtbot, window):
    window.resizeDocks([window.run_dock], [60], Qt.Orientation.Vertical)
    QApplication.processEvents()
    assert window.run_dock.height() <= 130
    window.stream_dock.raise_()
    window.stream_inspector  # the Stream dock's real content, built on first use
    window.resizeDocks([window.stream_dock], [60], Qt.Orientation.Vertical)
    QApplication.processEvents()
    assert window.stream_dock.height() <= 130


def _dock_sizes(window: MainWindow) -> dict[str, tuple[int, int]]:
    return {dock.objectName(): (dock.width(), dock.height()) for dock in (window.sidebar_dock, window.palette_dock, window.inspector_dock, window.run_dock)}


def _stream_dock_geometry(window: MainWindow) -> dict[str, object]:
    """What must hold still inside the Stream dock: the split between the messages and the tabs, the tabs, the header."""
    inspector = window.stream_inspector
    tabs = inspector.parts.tabBar()
    return {
        "split": inspector.splitter.sizes(),
        "tabs": [tabs.tabRect(i) for i in range(tabs.count())],
        "filter": inspector.status_filter.geometry(),
        "table": inspector.table.geometry(),
        "content": (inspector.width(), inspector.height()),
    }


@pytest.mark.parametrize("shown", ["Run", "Stream"])
def test_docks_keep_their_size_while_a_stream_runs(qtbot, qt_loop, window, shown):
    """A real run of the report: its status line, rows, errors and the Stream dock's health (its badge too) change;
    the docks do not, nor the parts of the Stream dock when it is the one shown."""
    window.stream_inspector  # follows the run
    if shown == "Stream":
        window.stream_dock.raise_()
    QApplication.processEvents()

    def sizes() -> dict[str, object]:
        return {**_dock_sizes(window), **(_stream_dock_geometry(window) if shown == "Stream" else {})}

    before = sizes()
    panel = window.run_panel
    sizes_seen: list[dict[str, object]] = []
    for path in [(1,), (4,), (7,), (10,)]:  # the report's pauses: short
        window.document.push(SetActionParamCommand(window.document, "generate-report", path, "milliseconds", 5))
    try:
        window.run_endpoint()
        qtbot.waitUntil(lambda: panel.messages.rowCount() > 0, timeout=RUN_TIMEOUT_MS)
        sizes_seen.append(sizes())
        qtbot.waitUntil(lambda: not panel.is_running and window.stream_inspector.health.verdict[0] != "", timeout=RUN_TIMEOUT_MS)
        QApplication.processEvents()
        sizes_seen.append(sizes())
        panel._set_status("A status line far longer than any dock is wide, " * 6, "error")  # the longest live text there is
        window.stream_inspector.health.set_summary("A health summary far longer than any dock is wide, " * 6)
        window.stream_inspector.health.verdictChanged.emit(("error", 12))  # a two-figure badge
        QApplication.processEvents()
        sizes_seen.append(sizes())
    finally:
        drive(qtbot, window.runner.stop())
    assert all(seen == before for seen in sizes_seen), (before, sizes_seen)


def test_reset_layout_puts_every_dock_back(qtbot, window):
    default = _dock_sizes(window)
    window.inspector_dock.setFloating(True)
    window.palette_dock.hide()
    window.removeDockWidget(window.stream_dock)
    window.resizeDocks([window.sidebar_dock], [500], Qt.Orientation.Horizontal)
    QApplication.processEvents()
    assert _dock_sizes(window) != default
    window.reset_layout_action.trigger()
    QApplication.processEvents()
    assert not window.inspector_dock.isFloating() and window.palette_dock.isVisible()
    assert window.dockWidgetArea(window.stream_dock) == Qt.DockWidgetArea.BottomDockWidgetArea
    assert window.tabifiedDockWidgets(window.run_dock)
    after = _dock_sizes(window)
    for name, (width, height) in default.items():
        assert abs(after[name][0] - width) <= 4 and abs(after[name][1] - height) <= 4, (name, default[name], after[name])


def test_the_stream_docks_tab_is_kept_with_the_layout_and_reset_layout_brings_back_the_first(qtbot, tmp_path, monkeypatch):
    """The tab a user clicks in the Stream dock is there again in the next window; View -> Reset layout shows Timeline."""
    monkeypatch.setattr(QMessageBox, "question", lambda *args, **kwargs: QMessageBox.StandardButton.Discard)

    def reopened() -> MainWindow:
        window = _window(qtbot, tmp_path, (1280, 800))  # the same settings file each time
        window.restore_window_state()
        window.stream_dock.raise_()
        QApplication.processEvents()
        return window

    first = reopened()
    inspector = first.stream_inspector
    assert inspector.current_part() == PARTS[0]
    tabs = inspector.parts.tabBar()
    qtbot.mouseClick(tabs, Qt.MouseButton.LeftButton, pos=tabs.tabRect(PARTS.index("rate")).center())
    assert inspector.current_part() == "rate"
    first.close()
    second = reopened()
    assert second.stream_inspector.current_part() == "rate", "the chosen tab came back"
    second.reset_layout_action.trigger()
    assert second.stream_inspector.current_part() == PARTS[0]
    second.close()
    third = reopened()
    assert third.stream_part == PARTS[0] and third.stream_inspector.current_part() == PARTS[0]
    third.close()


def _y_in(widget: QWidget, ancestor: QWidget) -> int:
    """Where ``widget`` is once the layout has settled (Qt lays nested layouts out over a few posted events)."""
    positions = [widget.mapTo(ancestor, QPoint(0, 0)).y()]
    for _ in range(50):
        QApplication.processEvents()
        positions.append(widget.mapTo(ancestor, QPoint(0, 0)).y())
        if len(positions) >= 6 and len(set(positions[-6:])) == 1:
            break
    return positions[-1]


def test_a_warning_in_the_inspector_moves_no_field(qtbot, window):
    inspector = window.inspector
    card = window.canvas.layout_.card_for((3,))  # the SQL query
    offset = window.canvas._offset()
    qtbot.mouseClick(window.canvas.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(int(card.rect.x + 80 + offset.x()), int(card.rect.y + 10 + offset.y())))
    assert inspector.action_id == "fetch_sales"
    database, query = inspector.row("database"), inspector.row("sql")
    QApplication.processEvents()
    qtbot.mouseClick(database.fx, Qt.MouseButton.LeftButton)  # the user's own click: the formula takes its place
    before = _y_in(query, inspector)
    database.formula.edit.selectAll()
    qtbot.keyClicks(database.formula.edit, "inputs.")  # a syntax error, shown under the formula once typing pauses
    qtbot.waitUntil(lambda: database.formula.shown_error().startswith("position 7"))
    assert _y_in(query, inspector) == before
    window.document.push(SetActionParamCommand(window.document, "generate-report", (3,), "resultVariable", "1 bad"))  # an error in the strip
    qtbot.waitUntil(lambda: any("Save rows as variable" in text for text in inspector.problems.texts()))
    assert _y_in(query, inspector) == before
    inspector.set_run_values("generate-report", {"fetch_sales": {"database": '"demo.sqlite"'}})  # a run's hint under the formula
    QApplication.processEvents()
    assert _y_in(query, inspector) == before


def test_clipped_cells_show_their_whole_text_on_hover(qtbot, window):
    table = window.sidebar.inputs_editor.table  # the inputs of generate-report
    row = next(r for r in range(table.rowCount()) if table.item(r, 0) is not None and table.item(r, 0).text() == "since")
    item = table.item(row, table.columnCount() - 2)  # Description, narrow in the sidebar
    rect = table.visualItemRect(item)
    QToolTip.hideText()
    QApplication.sendEvent(table.viewport(), QHelpEvent(QEvent.Type.ToolTip, rect.center(), table.viewport().mapToGlobal(rect.center())))
    assert QToolTip.text() == item.text() and len(item.text()) > 10
