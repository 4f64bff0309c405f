"""Item models: the palette from the registry, the workflow tree and the endpoint list following the Document."""

from __future__ import annotations

import json
from typing import Any

import pytest
from PySide6.QtCore import QMimeData, QModelIndex, QPersistentModelIndex, Qt

from app.core.registry import default_registry
from app.editor.clipboard import ACTIONS_MIME_TYPE, dump_actions
from app.editor.commands import (
    AddEndpointCommand,
    DuplicateActionCommand,
    InsertActionCommand,
    MoveActionCommand,
    RemoveActionCommand,
    RemoveEndpointCommand,
    RenameEndpointCommand,
    SetActionParamCommand,
    SetActionTitleCommand,
)
from app.editor.document import Document
from app.editor.models import ACTION_PATH_MIME, ACTION_TYPE_MIME, EndpointListModel, PaletteModel, WorkflowModel
from app.editor.models.roles import (
    ActionIdRole,
    ActionPathRole,
    ActionTypeRole,
    DescriptionRole,
    IconNameRole,
    IsContainerRole,
    KindRole,
    MethodRole,
    ProblemsRole,
    RoutePathRole,
    SlotNameRole,
)
from app.editor.models.row_sync import plan_rows
from tests.conftest import action
from tests.editor.conftest import sample_project

pytestmark = pytest.mark.qt_log_level_fail("WARNING")
"""QAbstractItemModelTester reports broken model contracts as Qt warnings: make them failures."""


def model_tree(model: Any, parent: QModelIndex | None = None) -> list[Any]:
    """The titles of a model's rows, nested: ``["Loop", ["Body", [...]]]``."""
    parent = parent or QModelIndex()
    rows: list[Any] = []
    for row in range(model.rowCount(parent)):
        index = model.index(row, 0, parent)
        children = model_tree(model, index)
        rows.append([index.data(), children] if children else index.data())
    return rows


def document_tree(document: Document, endpoint: str) -> list[Any]:
    """What the workflow model should show, derived from the project and the registry independently."""
    registry = default_registry()

    def actions(items):
        rows = []
        for item in items:
            action_type = registry.get(item.type)
            title = item.title or action_type.title
            slots = [[slot.capitalize(), actions(item.slots.get(slot, []))] if item.slots.get(slot) else slot.capitalize() for slot in action_type.slots]
            rows.append([title, slots] if slots else title)
        return rows

    return actions(document.endpoint(endpoint).workflow)


# -- row planning ---------------------------------------------------------------


def test_plan_rows():
    plan = plan_rows(["a", "b", "c", "d"], ["a", "x", "c", "d", "y"])
    assert plan.removals == [(1, 1)] and plan.insertions == [(1, 1), (4, 4)]
    assert plan.kept == [(0, 0), (2, 2), (3, 3)]
    move = plan_rows(["a", "b", "c"], ["b", "c", "a"])
    assert move.removals == [(0, 0)] and move.insertions == [(2, 2)]


# -- palette -----------------------------------------------------------------------


def test_palette_groups_the_registry_by_category(qapp, qtmodeltester):
    model = PaletteModel()
    qtmodeltester.check(model)
    categories = [model.index(row, 0).data() for row in range(model.rowCount())]
    assert categories[:4] == ["Response", "Flow", "AI", "Streams"]
    assert sorted(categories) == sorted(default_registry().categories("endpoint"))
    total = sum(model.rowCount(model.index(row, 0)) for row in range(model.rowCount()))
    assert total == sum(1 for t in default_registry() if "endpoint" in t.where)


def test_an_interface_workflow_palette_offers_page_actions_and_if_else_only(qapp, qtmodeltester):
    model = PaletteModel(where="interface")
    qtmodeltester.check(model)
    types = {model.index(child, 0, model.index(row, 0)).data(ActionTypeRole) for row in range(model.rowCount()) for child in range(model.rowCount(model.index(row, 0)))}
    assert types == {"api.call", "page.set_variable", "page.open_url", "flow.if"}


def test_palette_rows_carry_the_type_and_drag_it(qapp):
    model = PaletteModel()
    index = model.index_of_type("stream.send")
    assert index.data() == "Send streaming response"
    assert index.data(ActionTypeRole) == "stream.send" and index.data(IconNameRole) == "stream"
    assert index.data(DescriptionRole).startswith("Start the stream") and index.data(KindRole) == "action_type"
    assert index.flags() & Qt.ItemFlag.ItemIsDragEnabled
    assert not index.parent().flags() & Qt.ItemFlag.ItemIsDragEnabled
    mime = model.mimeData([index])
    assert bytes(mime.data(ACTION_TYPE_MIME).data()) == b"stream.send"
    assert model.mimeData([index.parent()]) is None
    assert not model.index_of_type("nope").isValid()


# -- workflow tree -----------------------------------------------------------------


@pytest.fixture
def workflow_model(document: Document, qtmodeltester) -> WorkflowModel:
    model = WorkflowModel(document, "ep")
    qtmodeltester.check(model)
    return model


def test_workflow_rows_columns_and_roles(workflow_model, document):
    assert model_tree(workflow_model) == document_tree(document, "ep")
    assert model_tree(workflow_model)[1] == ["Loop", [["Body", ["Send streaming response", "Wait"]]]]
    loop = workflow_model.index(1, 0)
    assert loop.siblingAtColumn(1).data() == "for each item of [1, 2, 3]"
    assert loop.data(ActionIdRole) == "loop_1" and loop.data(IsContainerRole) and loop.data(KindRole) == "action"
    body = workflow_model.index(0, 0, loop)
    assert body.data(KindRole) == "slot" and body.data(SlotNameRole) == "body" and body.data(ActionPathRole) == (1, "body")
    send = workflow_model.index(0, 0, body)
    assert send.data(ActionPathRole) == (1, "body", 0)
    assert send.siblingAtColumn(1).data() == "{status: \"progress\", done: loop.count, total: loop.total}"
    assert workflow_model.index_of((1, "body", 0)) == send
    assert workflow_model.index_of_action("wait_1").data(ActionIdRole) == "wait_1"
    assert not workflow_model.index_of((7,)).isValid()
    assert workflow_model.path_of(send) == (1, "body", 0)
    assert workflow_model.headerData(1, Qt.Orientation.Horizontal) == "Summary"


def test_empty_slots_are_rows_to_drop_into(workflow_model):
    if_row = workflow_model.index(2, 0)
    assert [workflow_model.index(r, 0, if_row).data() for r in range(workflow_model.rowCount(if_row))] == ["Then", "Else"]
    assert workflow_model.rowCount(workflow_model.index(1, 0, if_row)) == 0


@pytest.mark.parametrize(
    "make",
    [
        lambda d: InsertActionCommand(d, "ep", (1, "body", 1), "flow.if"),
        lambda d: RemoveActionCommand(d, "ep", (1,)),
        lambda d: MoveActionCommand(d, "ep", (3,), (1, "body", 0)),
        lambda d: MoveActionCommand(d, "ep", (1, "body", 0), (4,)),
        lambda d: MoveActionCommand(d, "ep", (1,), (2, "else", 0)),
        lambda d: DuplicateActionCommand(d, "ep", (1,)),
        lambda d: SetActionTitleCommand(d, "ep", (1,), "Each row"),
    ],
)
def test_the_tree_follows_edits_undo_and_redo_without_resetting(workflow_model, document, qtbot, make):
    resets: list[int] = []
    workflow_model.modelReset.connect(lambda: resets.append(1))
    untouched = QPersistentModelIndex(workflow_model.index(2, 0))  # the If/else row
    document.push(make(document))
    assert model_tree(workflow_model) == document_tree(document, "ep")
    document.undo_stack().undo()
    assert model_tree(workflow_model) == document_tree(document, "ep")
    document.undo_stack().redo()
    assert model_tree(workflow_model) == document_tree(document, "ep")
    assert resets == []
    assert untouched.isValid() and untouched.data(ActionIdRole) == "if_1", "views keep their selection"


def test_a_param_edit_is_a_data_change_of_that_row(workflow_model, document, qtbot):
    with qtbot.waitSignal(workflow_model.dataChanged) as changed:
        document.push(SetActionParamCommand(document, "ep", (1,), "items", [1]))
    top_left = changed.args[0]
    assert top_left.data(ActionIdRole) == "loop_1" and top_left.siblingAtColumn(1).data() == "for each item of [1]"


def test_problems_show_on_their_row(workflow_model, document, qtbot):
    with qtbot.waitSignal(workflow_model.dataChanged, check_params_cb=lambda _top, _bottom, roles: ProblemsRole in roles) as changed:
        document.push(SetActionParamCommand(document, "ep", (0,), "eventData", {"label": "x"}))
    send = workflow_model.index(0, 0)
    assert [p.code for p in send.data(ProblemsRole)] == ["missing-status"]
    assert "missing" not in str(workflow_model.index(1, 0).data(ProblemsRole))
    assert "no \"status\"" in send.data(Qt.ItemDataRole.ToolTipRole)
    assert changed.args[0].data(ActionIdRole) == "send_1"


def test_the_tree_follows_its_endpoint_through_renames_removal_and_reset(workflow_model, document, tmp_path):
    document.push(RenameEndpointCommand(document, "ep", "renamed"))
    assert workflow_model.endpoint_name() == "renamed" and workflow_model.rowCount() == 4
    document.push(RemoveEndpointCommand(document, "renamed"))
    assert workflow_model.rowCount() == 0
    document.undo_stack().undo()
    assert model_tree(workflow_model) == document_tree(document, "renamed")
    document.new()
    assert workflow_model.rowCount() == 0
    workflow_model.set_endpoint(None)
    assert workflow_model.rowCount() == 0


def test_other_endpoints_do_not_disturb_the_tree(workflow_model, document, qtbot):
    with qtbot.assertNotEmitted(workflow_model.rowsInserted), qtbot.assertNotEmitted(workflow_model.dataChanged):
        document.push(InsertActionCommand(document, "other", (0,), "debug.log"))


def test_drag_data_carries_paths_and_the_actions(workflow_model, document):
    mime = workflow_model.mimeData([workflow_model.index(1, 0), workflow_model.index(1, 1), workflow_model.index(3, 0)])
    payload = json.loads(bytes(mime.data(ACTION_PATH_MIME).data()))
    assert payload == {"endpoint": "ep", "paths": [[1], [3]]}
    assert mime.hasFormat(ACTIONS_MIME_TYPE) and "loop_1" in mime.text()
    assert workflow_model.mimeData([workflow_model.index(0, 0, workflow_model.index(1, 0))]) is None, "slot rows are not dragged"


def palette_mime(type_id: str) -> QMimeData:
    mime = QMimeData()
    mime.setData(ACTION_TYPE_MIME, type_id.encode())
    return mime


def test_dropping_a_palette_type_adds_an_action(workflow_model, document):
    body = workflow_model.index_of((1, "body"))
    assert workflow_model.dropMimeData(palette_mime("stream.send"), Qt.DropAction.CopyAction, 1, 0, body)
    assert document.action("ep", (1, "body", 1)).id == "send_3"
    assert document.undo_stack().text(0) == "Add Send streaming response"
    assert workflow_model.dropMimeData(palette_mime("debug.log"), Qt.DropAction.CopyAction, -1, -1, QModelIndex())
    assert document.action("ep", (4,)).type == "debug.log"


def test_drop_positions(workflow_model):
    loop, send = workflow_model.index(1, 0), workflow_model.index(0, 0)
    assert workflow_model.drop_target(-1, loop) == (1, "body", 2), "onto a container: end of its first slot"
    assert workflow_model.drop_target(-1, send) == (1,), "onto a card: right after it"
    assert workflow_model.drop_target(0, loop) is None, "between slot rows"
    assert workflow_model.drop_target(2, QModelIndex()) == (2,)


def test_dragging_an_action_moves_it(workflow_model, document):
    mime = workflow_model.mimeData([workflow_model.index(3, 0)])
    assert workflow_model.canDropMimeData(mime, Qt.DropAction.MoveAction, 0, 0, workflow_model.index_of((1, "body")))
    assert workflow_model.dropMimeData(mime, Qt.DropAction.MoveAction, 0, 0, workflow_model.index_of((1, "body")))
    assert document.action("ep", (1, "body", 0)).id == "return_1" and document.undo_stack().count() == 1
    assert model_tree(workflow_model) == document_tree(document, "ep")


def test_dragging_a_container_into_itself_is_refused(workflow_model, document):
    mime = workflow_model.mimeData([workflow_model.index(1, 0)])
    body = workflow_model.index_of((1, "body"))
    assert not workflow_model.canDropMimeData(mime, Qt.DropAction.MoveAction, 0, 0, body)
    assert not workflow_model.dropMimeData(mime, Qt.DropAction.MoveAction, 0, 0, body)
    assert document.undo_stack().count() == 0


def test_ctrl_drag_copies_with_fresh_ids(workflow_model, document):
    mime = workflow_model.mimeData([workflow_model.index(1, 0)])
    assert workflow_model.dropMimeData(mime, Qt.DropAction.CopyAction, 4, 0, QModelIndex())
    assert document.action("ep", (4,)).id == "loop_2" and document.undo_stack().text(0) == "Copy Loop"


def test_dragging_between_endpoints_moves_in_one_step(document):
    source = WorkflowModel(document, "other")
    target = WorkflowModel(document, "ep")
    mime = source.mimeData([source.index(0, 0)])
    assert target.dropMimeData(mime, Qt.DropAction.MoveAction, 0, 0, QModelIndex())
    assert document.endpoint("other").workflow == [] and document.action("ep", (0,)).id == "send_3"
    assert document.undo_stack().count() == 1 and document.undo_stack().text(0) == "Move Send streaming response to ep"
    document.undo_stack().undo()
    assert document.project == sample_project()
    assert source.rowCount() == 1 and target.rowCount() == 4


def test_pasted_text_can_be_dropped(workflow_model, document):
    mime = QMimeData()
    mime.setText(dump_actions([action("note", "debug.log", message="hi")]))
    assert workflow_model.dropMimeData(mime, Qt.DropAction.CopyAction, 0, 0, QModelIndex())
    assert document.action("ep", (0,)).id == "note" and document.undo_stack().text(0) == "Paste Log"
    junk = QMimeData()
    junk.setText("not actions")
    assert not workflow_model.dropMimeData(junk, Qt.DropAction.CopyAction, 0, 0, QModelIndex())


# -- endpoint list -------------------------------------------------------------------


def test_endpoint_list_follows_the_document(document, qtmodeltester):
    model = EndpointListModel(document)
    qtmodeltester.check(model)
    assert [model.index(r).data() for r in range(model.rowCount())] == ["ep", "other"]
    assert model.index(0).data(MethodRole) == "POST" and model.index(0).data(RoutePathRole) == "/ep"
    selected = QPersistentModelIndex(model.index(1))
    document.push(AddEndpointCommand(document, index=0))
    document.push(RenameEndpointCommand(document, "ep", "first"))
    assert [model.index(r).data() for r in range(model.rowCount())] == ["endpoint", "first", "other"]
    assert selected.row() == 2 and selected.data() == "other"
    document.push(RemoveEndpointCommand(document, "endpoint"))
    assert model.rowCount() == 2 and model.row_of("first") == 0
    document.new()
    assert model.rowCount() == 0
