"""The page designer: drop widgets from the palette, reorder and nest by drag, add by keyboard, undo all of it,
and bindings that complete ``stream.chunk.`` with the fields the called endpoint really sends."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QDragEnterEvent, QDragMoveEvent, QDropEvent
from PySide6.QtWidgets import QApplication, QMessageBox

from app.core.project_file import load_project
from app.editor.commands.pages import SetWidgetPropCommand
from app.editor.document import Document
from app.editor.models.widget_palette import WidgetPaletteModel
from app.editor.models.roles import WidgetTypeRole
from app.ui.main_window import MainWindow
from tests.conftest import EXAMPLE, formula

SCREENSHOTS = Path(__file__).parent / "screenshots"


@pytest.fixture
def window(qtbot: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[MainWindow]:
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Discard)
    from PySide6.QtCore import QSettings

    main = MainWindow(Document(load_project(EXAMPLE)), QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat), recovery_dir=tmp_path / "r")
    qtbot.addWidget(main)
    main.resize(1440, 900)
    main.show()
    qtbot.waitExposed(main)
    main.show_page("report")
    yield main
    main.document.undo_stack().setClean()
    main.designer.shut_down()


def outline_ids(window: MainWindow) -> list[object]:
    def walk(widgets):  # type: ignore[no-untyped-def]
        return [w.id if not w.children else (w.id, walk(w.children)) for w in widgets]

    return walk(window.document.project.page(window.designer.page_name).widgets)


def drop_on_outline(window: MainWindow, mime: Any, row_widget: str, where: str) -> None:
    """A real drag through the tree view: enter, move, drop at the top, middle or bottom edge of a row."""
    outline = window.designer.outline
    rect = outline.visualRect(window.designer.outline_model.index_of(row_widget))
    y = {"above": rect.top() + 1, "on": rect.center().y(), "below": rect.bottom() - 1}[where]
    at = QPoint(rect.center().x(), y)
    viewport = outline.viewport()
    actions = Qt.DropAction.CopyAction | Qt.DropAction.MoveAction
    buttons, modifiers = Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier
    QApplication.sendEvent(viewport, QDragEnterEvent(at, actions, mime, buttons, modifiers))
    QApplication.sendEvent(viewport, QDragMoveEvent(at, actions, mime, buttons, modifiers))
    QApplication.sendEvent(viewport, QDropEvent(QPointF(at), actions, mime, buttons, modifiers))


def palette_mime(type_id: str) -> Any:
    model = WidgetPaletteModel()
    index = next(
        model.index(child, 0, model.index(row, 0))
        for row in range(model.rowCount())
        for child in range(model.rowCount(model.index(row, 0)))
        if model.index(child, 0, model.index(row, 0)).data(WidgetTypeRole) == type_id
    )
    return model.mimeData([index])


def test_dropping_a_palette_widget_between_rows_inserts_it_there_and_selects_it(window):
    drop_on_outline(window, palette_mime("chunk_list"), "progress", "below")
    ids = outline_ids(window)
    assert ids.index("chunk_list_1") == ids.index("progress") + 1
    assert window.designer.selected_widget() == "chunk_list_1"
    assert window.widget_inspector.widget_id == "chunk_list_1"
    window.document.undo_stack().undo()
    assert "chunk_list_1" not in str(outline_ids(window))


def test_dropping_onto_a_container_nests_and_dragging_a_row_reorders(window):
    drop_on_outline(window, palette_mime("text"), "controls", "on")
    assert outline_ids(window)[1] == ("controls", ["since_input", "generate_button", "text_1"])
    moved = window.designer.outline_model.mimeData([window.designer.outline_model.index_of("revenue")])
    drop_on_outline(window, moved, "intro", "above")
    assert outline_ids(window)[0] == "revenue"
    moved = window.designer.outline_model.mimeData([window.designer.outline_model.index_of("since_input")])
    drop_on_outline(window, moved, "progress", "below")  # out of the container
    assert outline_ids(window)[2] == ("controls", ["generate_button", "text_1"]) and "since_input" in outline_ids(window)
    for _ in range(3):
        window.document.undo_stack().undo()
    assert outline_ids(window) == [w.id if not w.children else (w.id, [c.id for c in w.children]) for w in load_project(EXAMPLE).page("report").widgets]


def test_a_container_dragged_into_itself_is_refused_with_a_reason(window):
    moved = window.designer.outline_model.mimeData([window.designer.outline_model.index_of("controls")])
    drop_on_outline(window, moved, "generate_button", "above")
    assert "into itself" in window.designer.status.text()
    assert outline_ids(window)[1] == ("controls", ["since_input", "generate_button"])


def test_keyboard_adds_a_widget_after_the_selection_and_delete_removes_it(qtbot, window):
    designer = window.designer
    designer.select_widget("status_label")
    designer.outline.setFocus()
    qtbot.keyClick(designer.outline, Qt.Key.Key_Insert)
    assert designer.quick_add.isVisible()
    qtbot.keyClicks(designer.quick_add.palette_panel.search, "progress")
    qtbot.keyClick(designer.quick_add.palette_panel.search, Qt.Key.Key_Return)
    ids = outline_ids(window)
    assert ids.index("progress_bar_1") == ids.index("status_label") + 1 and designer.selected_widget() == "progress_bar_1"
    designer.outline.setFocus()
    qtbot.keyClick(designer.outline, Qt.Key.Key_Delete)
    assert "progress_bar_1" not in outline_ids(window)


def test_copy_and_paste_a_container_gives_fresh_ids(window):
    window.designer.select_widget("controls")
    window.copy()
    window.paste()
    assert outline_ids(window)[2] == ("controls_2", ["since_input_2", "generate_button_2"])


def test_binding_autocomplete_offers_the_fields_the_endpoint_sends(qtbot, window):
    designer = window.designer
    designer.select_widget("progress")
    row = window.widget_inspector.row("value")
    editor = row.formula
    editor.edit.setFocus()
    editor.edit.selectAll()
    qtbot.keyClicks(editor.edit, "stream.chunk.")
    offered = editor.edit.completer.model().stringList()
    assert {"status", "label", "done", "total", "downloadUrl", "revenue"} <= set(offered)
    qtbot.keyClicks(editor.edit, "dnoe")
    qtbot.waitUntil(lambda: bool(row.warning_text()))
    assert "no message of generate-report carries “dnoe”" in row.warning_text() and "position 13" in row.warning_text()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    QApplication.processEvents()  # queued layout and show requests, as the next event-loop turn would
    window.widget_inspector.grab().save(str(SCREENSHOTS / "binding_warning.png"))


def test_top_level_completion_offers_the_call_page_variables_and_page(window):
    window.designer.select_widget("status_label")
    scope = window.widget_inspector.scope()
    assert scope is not None
    assert scope.fields_of([]) == ["stream", "variables", "page"]
    assert scope.fields_of(["stream"]) == ["chunk", "chunks", "parts", "status", "error", "count", "result"]
    assert scope.fields_of(["variables"]) == ["since"]


def test_widget_prop_edits_in_the_inspector_are_undo_steps_and_reach_the_page(qtbot, window):
    window.designer.select_widget("intro")
    text = window.widget_inspector.row("text").literal
    text.line.selectAll()
    qtbot.keyClicks(text.line, "Hello")
    assert window.document.project.page("report").widgets[0].props["text"] == "Hello"
    assert window.designer.page_view.view("intro").label.text() == "Hello"  # type: ignore[attr-defined]
    window.document.undo_stack().undo()
    assert window.document.project.page("report").widgets[0].props["text"].startswith("Builds the report")


def test_a_buttons_on_click_opens_on_the_canvas_with_the_interface_palette(qtbot, window):
    window.designer.select_widget("generate_button")
    buttons = [b for b in window.widget_inspector.findChildren(type(window.widget_inspector.page_settings.load_button)) if b.objectName() == "openWorkflow" and b.isVisible()]
    assert buttons and buttons[0].text().startswith("On click — 1 action(s)")
    qtbot.mouseClick(buttons[0], Qt.MouseButton.LeftButton)
    assert window.endpoint == "page:report:generate_button:click"
    assert window.canvas.endpoint is not None and window.canvas.endpoint.title == "On click · generate_button"
    assert window.palettes.currentWidget() is window.interface_palette
    window.canvas.select((0,))
    window.inspector.row("handleStream")  # the Advanced section of Call API endpoint
    assert window.inspector.params is not None and window.inspector.params.sections["Advanced"][0].isChecked(), "a changed advanced setting is shown"
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    QApplication.processEvents()  # queued layout and show requests, as the next event-loop turn would
    window.grab().save(str(SCREENSHOTS / "on_click_workflow.png"))
    qtbot.mouseClick(window.back_bar, Qt.MouseButton.LeftButton)
    assert window.center.currentWidget() is window.designer


def test_a_design_screenshot_of_the_example_page(qtbot, window):
    window.document.push(SetWidgetPropCommand(window.document, "report", "progress", "format", "%v of %m"))
    window.designer.select_widget("progress")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    QApplication.processEvents()  # queued layout and show requests, as the next event-loop turn would
    window.grab().save(str(SCREENSHOTS / "page_designer.png"))
    assert window.designer.page_view.selected() == "progress"
    progress = next(w for w in window.document.project.page("report").widgets if w.id == "progress")
    assert progress.props["value"] == formula("stream.chunk.done")


def test_deleting_the_widget_whose_workflow_is_open_goes_back_to_its_page(window):
    window.show_workflow("page:report:generate_button:click")
    window.canvas.select((0,))
    assert window.inspector.action_id == "call_report"
    from app.editor.commands.pages import RemoveWidgetCommand

    window.document.push(RemoveWidgetCommand(window.document, "report", "generate_button"))
    assert window.inspector.action_id is None
    assert window.center.currentWidget() is window.designer
    window.document.undo_stack().undo()
    assert "generate_button" in str(outline_ids(window))


def test_a_renamed_page_stays_open_and_so_does_its_workflow(window):
    from app.editor.commands.pages import RenamePageCommand

    window.document.push(RenamePageCommand(window.document, "report", "sales"))
    assert window.designer.page_name == "sales" and window.page == "sales"
    assert window.sidebar.pages.current == "sales" and "controls" in str(outline_ids(window))
    window.show_workflow("page:sales:generate_button:click")
    window.document.undo_stack().undo()  # back to "report": the canvas follows the workflow's new key
    assert window.endpoint == "page:report:generate_button:click" and window.canvas.endpoint.name == window.endpoint


def test_the_selected_widget_stays_selected_through_its_own_edits(qtbot, window):
    window.designer.select_widget("status_label")
    window.document.push(SetWidgetPropCommand(window.document, "report", "status_label", "style", "heading"))
    assert window.designer.selected_widget() == "status_label"
    assert window.designer.page_view.selected() == "status_label"
    window.widget_inspector.id_edit.setText("headline")
    window.widget_inspector.id_edit.editingFinished.emit()
    assert window.widget_inspector.widget_id == "headline" and window.widget_inspector.form is not None
    assert window.designer.selected_widget() == "headline"


def test_opening_another_page_leaves_preview(qt_loop, window):
    window.designer.set_preview(True)
    window.show_page("typewriter")
    assert not window.designer.previewing and window.designer.design_button.isChecked()


def test_an_endpoint_action_revealed_from_the_designer_opens_its_workflow(window):
    window.reveal_action("generate-report", "send_done")
    assert window.center.currentWidget() is not window.designer
    assert window.endpoint == "generate-report" and window.canvas.selected == (11,)
    window.show_workflow("page:report:generate_button:click")
    window.reveal_action("generate-report", "send_starting")
    assert window.endpoint == "generate-report" and window.canvas.selected == (0,)


def test_export_from_a_page_workflow_says_it_works_on_endpoints(window):
    window.show_workflow("page:report:generate_button:click")
    window.copy_workflow_json()
    assert "Export works on API endpoint workflows" in window.statusBar().currentMessage()


def test_a_new_project_closes_the_page(window):
    window.document.new()
    assert window.page is None and window.center.currentWidget() is not window.designer


def test_a_bindings_live_value_reads_no_value_yet_until_the_stream_gives_one(window):
    from app.core.formula import UNDEFINED

    window.designer.select_widget("progress")
    inspector = window.widget_inspector
    inspector.live_values = lambda _id: {"value": UNDEFINED}
    inspector.refresh_live_values()
    assert inspector.row("value").hint.text() == "Now: no value yet"
    inspector.live_values = lambda _id: {"value": 25}
    inspector.refresh_live_values()
    assert inspector.row("value").hint.text() == "Now: 25"


def test_f6_switches_between_design_and_preview_as_the_preview_tooltip_says(qt_loop, qtbot, window):
    designer = window.designer
    assert "(F6)" in designer.preview_button.toolTip()
    designer.outline.setFocus()
    qtbot.keyClick(designer.outline, Qt.Key.Key_F6)
    assert designer.previewing and designer.preview_button.isChecked()
    qtbot.keyClick(designer.outline, Qt.Key.Key_F6)
    assert not designer.previewing and designer.design_button.isChecked()
