"""The workflow canvas as a user drives it: clicks, "+", keyboard, drops with real mime data."""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import pytest
from PySide6.QtCore import QMimeData, QPoint, QPointF, Qt
from PySide6.QtGui import QDragEnterEvent, QDragMoveEvent, QDropEvent
from PySide6.QtWidgets import QApplication

from app.core.lint import lint_project
from app.core.project_file import load_project
from app.editor.models.roles import ACTION_PATH_MIME, ACTION_TYPE_MIME
from app.ui.workflow_canvas import WorkflowCanvas
from tests.conftest import EXAMPLE, ROOT, action, endpoint

SCREENSHOTS = ROOT / "tests" / "ui" / "screenshots"


@pytest.fixture
def canvas(qtbot) -> WorkflowCanvas:
    widget = WorkflowCanvas()
    qtbot.addWidget(widget)
    widget.resize(760, 900)
    project = load_project(EXAMPLE)
    widget.set_endpoint(project.endpoint("long-import"), lint_project(project))
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def _view_point(canvas: WorkflowCanvas, x: float, y: float) -> QPoint:
    offset = canvas._offset()
    return QPoint(int(x + offset.x()), int(y + offset.y()))


def _card_centre(canvas: WorkflowCanvas, path) -> QPoint:
    card = canvas.layout_.card_for(path)
    return _view_point(canvas, card.rect.x + 80, card.rect.y + card.rect.height / 2)


def _drop(canvas: WorkflowCanvas, mime: QMimeData, at: QPoint) -> QDropEvent:
    """The event sequence a real drag makes: enter, move over the target, drop."""
    actions = Qt.DropAction.MoveAction | Qt.DropAction.CopyAction
    buttons, modifiers = Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # Qt 6 keeps only QPoint constructors for these two
        QApplication.sendEvent(canvas.viewport(), QDragEnterEvent(at, actions, mime, buttons, modifiers))
        QApplication.sendEvent(canvas.viewport(), QDragMoveEvent(at, actions, mime, buttons, modifiers))
    event = QDropEvent(QPointF(at), actions, mime, buttons, modifiers)
    QApplication.sendEvent(canvas.viewport(), event)
    return event


def test_clicking_a_card_selects_it(qtbot, canvas):
    with qtbot.waitSignal(canvas.selectionChanged) as blocker:
        qtbot.mouseClick(canvas.viewport(), Qt.MouseButton.LeftButton, pos=_card_centre(canvas, (1, "body", 0)))
    assert blocker.args == [(1, "body", 0)] and canvas.selected == (1, "body", 0)


def test_clicking_plus_asks_to_insert_there(qtbot, canvas):
    point = next(p for p in canvas.layout_.inserts if p.path == (1, "body", 1, "else", 0))
    with qtbot.waitSignal(canvas.insertRequested) as blocker:
        qtbot.mouseClick(canvas.viewport(), Qt.MouseButton.LeftButton, pos=_view_point(canvas, point.x + point.width / 2, point.y))
    assert blocker.args == [(1, "body", 1, "else", 0)]


def test_keyboard_moves_selection_deletes_and_inserts(qtbot, canvas):
    canvas.setFocus()
    qtbot.keyClick(canvas, Qt.Key.Key_Down)
    qtbot.keyClick(canvas, Qt.Key.Key_Down)
    assert canvas.selected == (1,)
    with qtbot.waitSignal(canvas.deleteRequested) as deleted:
        qtbot.keyClick(canvas, Qt.Key.Key_Delete)
    assert deleted.args == [(1,)]
    with qtbot.waitSignal(canvas.insertRequested) as inserted:
        qtbot.keyClick(canvas, Qt.Key.Key_Insert)
    assert inserted.args == [(2,)], "insert goes after the selected action"
    with qtbot.waitSignal(canvas.activated) as activated:
        qtbot.keyClick(canvas, Qt.Key.Key_Return)
    assert activated.args == [(1,)]


def test_dropping_a_palette_item_asks_to_insert_that_type_at_the_drop_point(qtbot, canvas):
    mime = QMimeData()
    mime.setData(ACTION_TYPE_MIME, b"flow.wait")
    point = next(p for p in canvas.layout_.inserts if p.path == (1, "body", 1))
    with qtbot.waitSignal(canvas.typeDropped) as blocker:
        event = _drop(canvas, mime, _view_point(canvas, point.x + 40, point.y + 3))
    assert event.isAccepted()
    assert blocker.args == [(1, "body", 1), "flow.wait"]


def test_dragging_a_card_into_a_slot_asks_to_move_it(qtbot, canvas):
    mime = QMimeData()
    mime.setData(ACTION_PATH_MIME, json.dumps({"endpoint": "long-import", "paths": [[0]]}).encode())
    point = next(p for p in canvas.layout_.inserts if p.path == (1, "body", 1, "else", 0))
    with qtbot.waitSignal(canvas.moveRequested) as blocker:
        _drop(canvas, mime, _view_point(canvas, point.x + 40, point.y))
    assert blocker.args == [(0,), (1, "body", 1, "else", 0)]


def test_a_container_cannot_be_dropped_into_itself(qtbot, canvas):
    mime = QMimeData()
    mime.setData(ACTION_PATH_MIME, json.dumps({"endpoint": "long-import", "paths": [[1]]}).encode())
    point = next(p for p in canvas.layout_.inserts if p.path == (1, "body", 1))
    with qtbot.assertNotEmitted(canvas.moveRequested):
        event = _drop(canvas, mime, _view_point(canvas, point.x + 40, point.y))
    assert not event.isAccepted()
    assert canvas.drop_insert is None, "no drop indicator is left behind"


def test_a_card_from_another_endpoint_is_refused(qtbot, canvas):
    mime = QMimeData()
    mime.setData(ACTION_PATH_MIME, json.dumps({"endpoint": "typewriter", "paths": [[0]]}).encode())
    with qtbot.assertNotEmitted(canvas.moveRequested):
        event = _drop(canvas, mime, _card_centre(canvas, (0,)))
    assert not event.isAccepted()


def test_cards_show_their_lint_problems(qtbot):
    widget = WorkflowCanvas()
    qtbot.addWidget(widget)
    ep = endpoint([action("s", "stream.send", eventData={"done": 1})])
    from app.core.project import Project

    project = Project(endpoints=[ep])
    widget.set_endpoint(ep, lint_project(project))
    assert {p.code for p in widget.problems["s"]} == {"missing-status", "shape-pair"}


def test_selection_survives_a_refresh_and_is_cleared_when_its_card_goes(qtbot, canvas):
    canvas.select((2,))
    project = load_project(EXAMPLE)
    canvas.set_endpoint(project.endpoint("long-import"))
    assert canvas.selected == (2,)
    with qtbot.waitSignal(canvas.selectionChanged) as blocker:
        canvas.set_endpoint(project.endpoint("typewriter"))
    assert blocker.args == [None]


def test_screenshot_of_the_example(qtbot, canvas):
    canvas.select((1, "body", 1))
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path: Path = SCREENSHOTS / "workflow-canvas.png"
    assert canvas.grab().save(str(path))
    assert path.stat().st_size > 10_000
