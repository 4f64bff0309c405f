"""The page designer with layout: drops on the page itself at the insertion marker, rows and columns, width,
alignment and spacing from the inspector, keyboard moves, all undoable, saved, and the same in Preview."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QEvent, QMimeData, QPoint, QPointF, QRect, QSettings, Qt
from PySide6.QtGui import QDragEnterEvent, QDragMoveEvent, QDropEvent, QMouseEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QComboBox, QMessageBox, QSpinBox, QToolButton, QWidget

from app.core.project_file import load_project, save_project
from app.editor.commands.pages import InsertWidgetCommand, SetWidgetPropCommand
from app.editor.document import Document
from app.editor.widget_drops import widget_mime
from app.ui.main_window import MainWindow
from app.ui.page_view import PageView
from app.ui.page_widgets.container import DESIGN_PADDING
from tests.conftest import EXAMPLE
from tests.ui.test_page_designer import outline_ids, palette_mime

SCREENSHOTS = Path(__file__).parent / "screenshots"
SHOTS_COPY = Path("/tmp/shots-designer")


def open_window(qtbot: Any, document: Document, tmp_path: Path, size: tuple[int, int] = (1440, 900)) -> MainWindow:
    main = MainWindow(document, QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat), recovery_dir=tmp_path / "r")
    qtbot.addWidget(main)
    main.resize(*size)
    main.show()
    qtbot.waitExposed(main)
    main.show_page("report")
    return main


@pytest.fixture
def window(qtbot: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[MainWindow]:
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Discard)
    main = open_window(qtbot, Document(load_project(EXAMPLE)), tmp_path)
    yield main
    main.document.undo_stack().setClean()
    main.designer.shut_down()


def page_view(window: MainWindow) -> PageView:
    return window.designer.page_view


def settle(qtbot: Any, window: MainWindow) -> None:
    """Wait until the page's layout has placed every shown widget: their rectangles hold still between two event-loop
    turns (layout requests are queued, as in the app)."""
    view = page_view(window)
    last: dict[str, QRect] | None = None

    def placed() -> bool:
        nonlocal last
        QApplication.processEvents()
        now = {widget_id: rect_of(window, widget_id) for widget_id, v in view.views().items() if v.qwidget.isVisible()}
        steady = now == last and all(rect.width() > 0 for rect in now.values())
        last = now
        return steady

    qtbot.waitUntil(placed, timeout=10_000)


def rect_of(window: MainWindow, widget_id: str) -> QRect:
    """A page widget's rectangle in the page surface's coordinates."""
    view = page_view(window)
    widget = view.view(widget_id).qwidget
    return QRect(widget.mapTo(view.surface, QPoint(0, 0)), widget.size())


def drag_on_page(window: MainWindow, mime: QMimeData, at: QPoint, *, drop: bool = True) -> None:
    """A real drag over the page: enter, move and drop events sent to the Qt widget under ``at`` (surface coordinates),
    which pass them up to the page as Qt does."""
    view = page_view(window)
    in_view = view.surface.mapTo(view, at)
    target: QWidget = view.childAt(in_view) or view
    local = target.mapFrom(view, in_view)
    actions = Qt.DropAction.CopyAction | Qt.DropAction.MoveAction
    buttons, modifiers = Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier
    QApplication.sendEvent(target, QDragEnterEvent(local, actions, mime, buttons, modifiers))
    QApplication.sendEvent(target, QDragMoveEvent(local, actions, mime, buttons, modifiers))
    if drop:
        QApplication.sendEvent(target, QDropEvent(QPointF(local), actions, mime, buttons, modifiers))


def between(upper: QRect, lower: QRect) -> QPoint:
    """A point in the gap between two stacked widgets."""
    return QPoint(upper.center().x(), (upper.bottom() + lower.top()) // 2)


def set_prop_in_inspector(qtbot: Any, window: MainWindow, widget_id: str, prop: str, value: Any) -> None:
    """Select the widget and set a prop with the inspector's own editor (a combo or a spin box), as a user does."""
    window.designer.select_widget(widget_id)
    inspector = window.widget_inspector
    assert inspector.form is not None
    row = inspector.form.row(prop)
    if row.spec.section:
        inspector.form.open_section(row.spec.section)
    editor = row.literal
    combo = editor.findChild(QComboBox)
    spin = editor.findChild(QSpinBox)
    if combo is not None:
        combo.setCurrentIndex(combo.findText(str(value)))
    else:
        assert spin is not None
        spin.setValue(int(value))
        spin.editingFinished.emit()
    qtbot.waitUntil(lambda: window.document.project.page("report") is not None and prop_of(window, widget_id, prop) == value, timeout=10_000)
    settle(qtbot, window)


def prop_of(window: MainWindow, widget_id: str, prop: str) -> Any:
    from app.core.workflow_refs import find_widget

    widget = find_widget(window.document.project.page("report").widgets, widget_id)
    assert widget is not None
    return widget.props.get(prop)


# -- drops on the page itself ----------------------------------------------------------------------


def test_a_palette_widget_dropped_between_two_widgets_lands_there_at_the_marker_in_one_undo_step(qtbot, window):
    settle(qtbot, window)
    status, progress = rect_of(window, "status_label"), rect_of(window, "progress")
    at = between(status, progress)
    mime = palette_mime("chunk_list")
    drag_on_page(window, mime, at, drop=False)
    marker = page_view(window).drop_marker
    assert marker.isVisible() and marker.spot is not None and not marker.spot.fills
    assert (marker.spot.parent, marker.spot.index) == (None, 3)
    line = marker.spot.marker
    assert status.bottom() <= line.center().y() <= progress.top(), "a line in the gap between the two widgets"
    assert line.width() >= status.width() - 2 and line.height() <= 4
    depth = window.document.undo_stack().count()
    drag_on_page(window, mime, at)
    assert not marker.isVisible()
    ids = outline_ids(window)
    assert ids.index("chunk_list_1") == ids.index("status_label") + 1 == ids.index("progress") - 1
    assert window.document.undo_stack().count() == depth + 1
    assert window.designer.selected_widget() == "chunk_list_1" and window.widget_inspector.widget_id == "chunk_list_1"
    assert page_view(window).selected() == "chunk_list_1"
    window.document.undo_stack().undo()
    assert "chunk_list_1" not in str(outline_ids(window))


def test_the_marker_follows_the_mouse_and_a_drop_inside_a_row_lands_between_its_children(qtbot, window):
    settle(qtbot, window)
    mime = palette_mime("button")
    field, button = rect_of(window, "since_input"), rect_of(window, "generate_button")
    drag_on_page(window, mime, QPoint(field.left() + 5, field.center().y()), drop=False)  # left half of the first child
    spot = page_view(window).drop_marker.spot
    assert spot is not None and (spot.parent, spot.index) == ("controls", 0)
    assert spot.marker.height() > spot.marker.width(), "in a row the marker is an upright line"
    drag_on_page(window, mime, QPoint(field.right() - 5, field.center().y()), drop=False)  # its right half: after it
    spot = page_view(window).drop_marker.spot
    assert spot is not None and (spot.parent, spot.index) == ("controls", 1)
    assert field.right() <= spot.marker.center().x() <= button.left()
    drag_on_page(window, mime, QPoint(field.right() - 5, field.center().y()))
    assert outline_ids(window)[1] == ("controls", ["since_input", "button_1", "generate_button"])


def test_an_empty_container_is_highlighted_and_takes_the_drop(qtbot, window):
    window.document.push(InsertWidgetCommand(window.document, "report", None, 2, "container"))
    settle(qtbot, window)
    box = rect_of(window, "container_1")
    assert box.height() >= 40, "an empty container keeps room to drop onto in design mode"
    drag_on_page(window, palette_mime("text"), box.center(), drop=False)
    spot = page_view(window).drop_marker.spot
    assert spot is not None and spot.fills and spot.parent == "container_1"
    assert box.contains(spot.marker), "the highlight fills the empty container"
    drag_on_page(window, palette_mime("text"), box.center())
    assert outline_ids(window)[2] == ("container_1", ["text_1"])
    assert window.designer.selected_widget() == "text_1"


def test_a_widget_dragged_on_the_page_moves_where_the_marker_was(qtbot, window):
    settle(qtbot, window)
    intro, controls = rect_of(window, "intro"), rect_of(window, "controls")
    depth = window.document.undo_stack().count()
    drag_on_page(window, widget_mime("report", "revenue"), between(intro, controls))
    assert outline_ids(window)[:3] == ["intro", "revenue", ("controls", ["since_input", "generate_button"])]
    assert window.document.undo_stack().count() == depth + 1 and window.designer.selected_widget() == "revenue"
    settle(qtbot, window)
    field = rect_of(window, "since_input")
    drag_on_page(window, widget_mime("report", "download_button"), QPoint(field.right() - 3, field.center().y()))
    assert outline_ids(window)[2] == ("controls", ["since_input", "download_button", "generate_button"])
    window.document.undo_stack().undo()
    window.document.undo_stack().undo()
    assert outline_ids(window)[:2] == ["intro", ("controls", ["since_input", "generate_button"])]


def test_pressing_a_widget_and_moving_past_the_drag_distance_starts_dragging_it(qtbot, window):
    settle(qtbot, window)
    view = page_view(window)
    revenue = view.view("revenue")
    source = revenue.qwidget
    started: list[str] = []
    revenue.dragRequested.connect(started.append)

    def move_to(x: int) -> None:
        local = QPointF(x, 5)
        buttons = Qt.MouseButton.LeftButton
        QApplication.sendEvent(
            source, QMouseEvent(QEvent.Type.MouseMove, local, source.mapToGlobal(local), Qt.MouseButton.NoButton, buttons, Qt.KeyboardModifier.NoModifier)
        )

    QTest.mousePress(source, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, QPoint(5, 5))
    assert window.designer.selected_widget() == "revenue", "a press selects"
    move_to(5 + QApplication.startDragDistance() // 2)
    assert started == [], "a small slip of the hand is still a click"
    move_to(5 + QApplication.startDragDistance() + 2)
    assert started == ["revenue"]  # the page starts a QDrag of it (the offscreen platform ends it at once: no drop)
    assert outline_ids(window)[-1] == "revenue"


def test_a_container_dragged_onto_its_own_child_does_not_go_into_itself(qtbot, window):
    settle(qtbot, window)
    depth = window.document.undo_stack().count()
    button = rect_of(window, "generate_button")
    drag_on_page(window, widget_mime("report", "controls"), button.center(), drop=False)
    spot = page_view(window).drop_marker.spot
    assert spot is not None and spot.parent is None, "over itself it can only go before or after itself"
    drag_on_page(window, widget_mime("report", "controls"), button.center())
    assert outline_ids(window)[1] == ("controls", ["since_input", "generate_button"])
    assert window.document.undo_stack().count() == depth


def test_a_widget_of_another_page_is_not_taken_and_preview_takes_no_drops(qtbot, window):
    settle(qtbot, window)
    at = between(rect_of(window, "status_label"), rect_of(window, "progress"))
    drag_on_page(window, widget_mime("typewriter", "output"), at)
    assert "output" not in str(outline_ids(window)) and not page_view(window).drop_marker.isVisible()
    assert page_view(window).drop_spot(palette_mime("text"), page_view(window).surface.mapTo(page_view(window), at)) is not None
    page_view(window).set_design_mode(False)
    assert page_view(window).drop_spot(palette_mime("text"), page_view(window).surface.mapTo(page_view(window), at)) is None
    page_view(window).set_design_mode(True)


# -- layout from the inspector ----------------------------------------------------------------------


def test_row_puts_children_side_by_side_and_column_stacks_them_each_undoable(qtbot, window):
    settle(qtbot, window)

    def side_by_side() -> bool:
        field, button = rect_of(window, "since_input"), rect_of(window, "generate_button")
        return button.left() > field.right() and button.top() < field.bottom()

    def stacked() -> bool:
        field, button = rect_of(window, "since_input"), rect_of(window, "generate_button")
        return button.top() > field.bottom()

    assert side_by_side()
    set_prop_in_inspector(qtbot, window, "controls", "direction", "column")
    assert stacked()
    window.document.undo_stack().undo()
    settle(qtbot, window)
    assert side_by_side() and prop_of(window, "controls", "direction") == "row"
    window.document.undo_stack().redo()
    settle(qtbot, window)
    assert stacked()


def test_fixed_width_pins_a_widget_and_fill_gives_it_the_room(qtbot, window):
    settle(qtbot, window)
    natural = rect_of(window, "download_button").width()
    set_prop_in_inspector(qtbot, window, "download_button", "width", "fixed")
    set_prop_in_inspector(qtbot, window, "download_button", "fixedWidth", 333)
    assert rect_of(window, "download_button").width() == 333
    set_prop_in_inspector(qtbot, window, "download_button", "width", "fill")
    assert rect_of(window, "download_button").width() == rect_of(window, "progress").width() > 333, "as wide as the page's column"
    window.document.undo_stack().undo()
    settle(qtbot, window)
    assert rect_of(window, "download_button").width() == 333
    window.document.undo_stack().undo()
    window.document.undo_stack().undo()
    settle(qtbot, window)
    assert rect_of(window, "download_button").width() == natural
    # in a row, a button told to fill takes what its fixed-width neighbour leaves
    window.document.push(SetWidgetPropCommand(window.document, "report", "since_input", "width", "fixed"))
    window.document.push(SetWidgetPropCommand(window.document, "report", "since_input", "fixedWidth", 100))
    settle(qtbot, window)
    button_natural = rect_of(window, "generate_button").width()
    set_prop_in_inspector(qtbot, window, "generate_button", "width", "fill")
    row, button = rect_of(window, "controls"), rect_of(window, "generate_button")
    assert rect_of(window, "since_input").width() == 100
    assert button.width() > button_natural and button.right() == row.right() - DESIGN_PADDING - 1


def test_alignment_places_a_widget_across_its_container(qtbot, window):
    settle(qtbot, window)
    column = rect_of(window, "progress")  # fills the page's column
    set_prop_in_inspector(qtbot, window, "download_button", "align", "center")
    assert abs(rect_of(window, "download_button").center().x() - column.center().x()) <= 1
    set_prop_in_inspector(qtbot, window, "download_button", "align", "end")
    assert rect_of(window, "download_button").right() == column.right()
    set_prop_in_inspector(qtbot, window, "intro", "align", "center")  # a Text centred takes its natural width
    intro = rect_of(window, "intro")
    assert intro.width() < column.width() and abs(intro.center().x() - column.center().x()) <= 1
    window.document.undo_stack().undo()
    settle(qtbot, window)
    assert rect_of(window, "intro").width() == column.width()
    # a container's Align children: in a row it places them vertically
    set_prop_in_inspector(qtbot, window, "controls", "alignChildren", "end")
    assert rect_of(window, "generate_button").bottom() == rect_of(window, "since_input").bottom()
    set_prop_in_inspector(qtbot, window, "controls", "alignChildren", "start")
    assert rect_of(window, "generate_button").top() == rect_of(window, "since_input").top()


def test_spacing_is_the_room_between_children(qtbot, window):
    settle(qtbot, window)
    set_prop_in_inspector(qtbot, window, "controls", "spacing", 40)
    assert rect_of(window, "generate_button").left() - rect_of(window, "since_input").right() - 1 == 40
    set_prop_in_inspector(qtbot, window, "controls", "spacing", 0)
    assert rect_of(window, "generate_button").left() - rect_of(window, "since_input").right() - 1 == 0
    window.document.undo_stack().undo()  # one step: edits of one field in a row merge, as typing does
    settle(qtbot, window)
    assert rect_of(window, "generate_button").left() - rect_of(window, "since_input").right() - 1 == 12
    window.document.undo_stack().redo()
    settle(qtbot, window)
    assert rect_of(window, "generate_button").left() - rect_of(window, "since_input").right() - 1 == 0


# -- the keyboard -----------------------------------------------------------------------------------


def test_keyboard_moves_a_widget_up_down_into_and_out_of_a_container(qtbot, window):
    designer = window.designer
    designer.select_widget("status_label")
    designer.outline.setFocus()
    qtbot.waitUntil(designer.outline.hasFocus)
    alt = Qt.KeyboardModifier.AltModifier
    qtbot.keyClick(designer.outline, Qt.Key.Key_Up, alt)
    assert outline_ids(window)[1] == "status_label" and designer.selected_widget() == "status_label"
    qtbot.keyClick(designer.outline, Qt.Key.Key_Right, alt)  # into the container beside it (after it: at its start)
    assert outline_ids(window)[1] == ("controls", ["status_label", "since_input", "generate_button"])
    qtbot.keyClick(designer.outline, Qt.Key.Key_Down, alt)
    assert outline_ids(window)[1] == ("controls", ["since_input", "status_label", "generate_button"])
    qtbot.keyClick(designer.outline, Qt.Key.Key_Left, alt)
    assert outline_ids(window)[1:3] == [("controls", ["since_input", "generate_button"]), "status_label"]
    assert designer.selected_widget() == "status_label" and window.widget_inspector.widget_id == "status_label"
    qtbot.keyClick(designer.outline, Qt.Key.Key_Up, alt)
    qtbot.keyClick(designer.outline, Qt.Key.Key_Up, alt)
    qtbot.keyClick(designer.outline, Qt.Key.Key_Up, alt)  # already first: refused with a reason, nothing moves
    assert outline_ids(window)[0] == "status_label" and "already the first" in designer.status.text()
    for _ in range(6):
        window.document.undo_stack().undo()
    assert outline_ids(window) == [w.id if not w.children else (w.id, [c.id for c in w.children]) for w in load_project(EXAMPLE).page("report").widgets]


def test_on_the_page_up_and_down_select_and_alt_arrows_move_with_the_same_actions(qtbot, window):
    designer = window.designer
    settle(qtbot, window)
    view = page_view(window)
    qtbot.mouseClick(view.view("intro").qwidget, Qt.MouseButton.LeftButton)
    assert designer.selected_widget() == "intro" and view.hasFocus()
    qtbot.keyClick(view, Qt.Key.Key_Down)
    assert designer.selected_widget() == "controls" and window.widget_inspector.widget_id == "controls"
    qtbot.keyClick(view, Qt.Key.Key_Down)
    assert designer.selected_widget() == "since_input"
    qtbot.keyClick(view, Qt.Key.Key_Down, Qt.KeyboardModifier.AltModifier)
    assert outline_ids(window)[1] == ("controls", ["generate_button", "since_input"])
    qtbot.keyClick(view, Qt.Key.Key_Insert)
    assert designer.quick_add.isVisible()
    qtbot.keyClicks(designer.quick_add.palette_panel.search, "text")
    qtbot.keyClick(designer.quick_add.palette_panel.search, Qt.Key.Key_Return)
    assert outline_ids(window)[1] == ("controls", ["generate_button", "since_input", "text_1"]) and designer.selected_widget() == "text_1"
    view.setFocus()
    qtbot.keyClick(view, Qt.Key.Key_Delete)  # Edit → Delete acts on the designer in front
    assert outline_ids(window)[1] == ("controls", ["generate_button", "since_input"])


def test_the_arrange_actions_have_text_and_shortcuts_and_fill_the_context_menus(window):
    designer = window.designer
    shortcuts = {action.text(): action.shortcut().toString() for action in designer.arrange_actions}
    assert shortcuts == {
        "Add widget…": "Ins",
        "Move widget up (earlier)": "Alt+Up",
        "Move widget down (later)": "Alt+Down",
        "Move widget out of its container": "Alt+Left",
        "Move widget into the container beside it": "Alt+Right",
        "Delete widget": "",
    }
    view = page_view(window)
    assert designer.outline.actions() == designer.arrange_actions
    assert view.actions() == [view.previous_action, view.next_action, *designer.arrange_actions], "the page's own Up and Down first"


def test_the_layout_props_are_reached_by_tab_in_the_inspector(qtbot, window):
    window.designer.select_widget("generate_button")
    inspector = window.widget_inspector
    assert inspector.form is not None
    toggle, body = inspector.form.sections["Layout"]
    assert not body.isVisible(), "folded while nothing in it differs from its default"
    inspector.id_edit.setFocus()
    qtbot.waitUntil(inspector.id_edit.hasFocus)

    def tab_until(wanted: Any, limit: int = 40) -> None:
        for _ in range(limit):
            if QApplication.focusWidget() is wanted:
                return
            qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
        raise AssertionError(f"Tab never reached {wanted}")

    tab_until(toggle)
    qtbot.keyClick(toggle, Qt.Key.Key_Space)
    assert body.isVisible()
    width = inspector.form.row("width").literal.findChild(QComboBox)
    tab_until(width)
    qtbot.keyClick(width, Qt.Key.Key_End)  # the last choice: fixed
    assert prop_of(window, "generate_button", "width") == "fixed"
    spin = inspector.form.row("fixedWidth").literal.findChild(QSpinBox)
    assert spin.isVisible(), "Fixed width shows once the width is fixed"
    tab_until(spin)
    align = inspector.form.row("align").literal.findChild(QComboBox)
    tab_until(align)
    assert isinstance(toggle, QToolButton)


# -- saved, reopened, previewed --------------------------------------------------------------------------


def test_the_layout_survives_save_and_reopen_and_shows_in_preview(qt_loop, qtbot, window, tmp_path):
    document = window.document
    for prop, value in [("direction", "column"), ("spacing", 30), ("alignChildren", "center")]:
        document.push(SetWidgetPropCommand(document, "report", "controls", prop, value))
    document.push(SetWidgetPropCommand(document, "report", "progress", "width", "fixed"))
    document.push(SetWidgetPropCommand(document, "report", "progress", "fixedWidth", 300))
    document.push(SetWidgetPropCommand(document, "report", "progress", "align", "end"))
    folder = tmp_path / "saved"
    folder.mkdir()
    shutil.copy(EXAMPLE.parent / "demo.sqlite", folder / "demo.sqlite")
    path = folder / "layout.streamwright.json"
    save_project(document.project, path)
    reopened = Document()
    reopened.open(path)
    again = open_window(qtbot, reopened, tmp_path / "second")
    try:
        again.designer.set_preview(True)
        assert again.designer.previewing and not page_view(again).design_mode
        settle(qtbot, again)
        field, button = rect_of(again, "since_input"), rect_of(again, "generate_button")
        assert button.top() - field.bottom() - 1 == 30, "stacked, 30 px apart"
        controls = rect_of(again, "controls")
        assert abs(button.center().x() - controls.center().x()) <= 1 and abs(field.center().x() - controls.center().x()) <= 1
        progress, column = rect_of(again, "progress"), rect_of(again, "intro")
        assert progress.width() == 300 and progress.right() == column.right()
    finally:
        again.designer.set_preview(False)
        again.document.undo_stack().setClean()
        again.designer.shut_down()


# -- screenshots ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("size", [(1280, 800), (1600, 1000)])
def test_screenshots_of_the_designer_with_a_row_container(qtbot, window, size):
    document = window.document
    window.resize(*size)
    document.push(SetWidgetPropCommand(document, "report", "controls", "alignChildren", "end"))  # the button lines up with the field
    document.push(SetWidgetPropCommand(document, "report", "controls", "spacing", 16))
    document.push(SetWidgetPropCommand(document, "report", "download_button", "width", "fixed"))
    document.push(SetWidgetPropCommand(document, "report", "download_button", "fixedWidth", 240))
    document.push(SetWidgetPropCommand(document, "report", "download_button", "align", "center"))
    window.designer.select_widget("controls")
    window.widget_inspector.form.open_section("Layout")
    settle(qtbot, window)
    field = rect_of(window, "since_input")
    drag_on_page(window, palette_mime("button"), QPoint(field.right() - 4, field.center().y()), drop=False)
    assert page_view(window).drop_marker.isVisible()
    qtbot.waitUntil(lambda: window.width() == size[0] and window.height() == size[1], timeout=10_000)
    QApplication.processEvents()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    SHOTS_COPY.mkdir(parents=True, exist_ok=True)
    name = f"page_designer_row_{size[0]}x{size[1]}.png"
    assert window.grab().save(str(SCREENSHOTS / name))
    shutil.copy(SCREENSHOTS / name, SHOTS_COPY / name)
    field, button = rect_of(window, "since_input"), rect_of(window, "generate_button")
    assert button.bottom() == field.bottom() and button.left() - field.right() - 1 == 16
    assert rect_of(window, "download_button").width() == 240
    assert not page_view(window).scroll_area.horizontalScrollBar().isVisible(), "the page fits its view"
