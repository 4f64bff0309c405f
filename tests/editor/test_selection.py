"""The Document's current action: commands say what to select after them, undo/redo put it back (no widgets)."""

from __future__ import annotations

from app.editor.commands import (
    DuplicateActionCommand,
    InsertActionCommand,
    MoveActionCommand,
    RemoveActionCommand,
    RemoveActionsCommand,
    RenameEndpointCommand,
    SetActionParamCommand,
)
from app.editor.selection import ActionRef


def _selected(document) -> ActionRef | None:
    return document.selection.current


def test_remove_selects_the_next_action_and_undo_the_removed_one(document):
    document.select_path("ep", (0,))
    document.push(RemoveActionCommand(document, "ep", (0,)))
    assert _selected(document) == ActionRef("ep", "loop_1")
    document.undo_stack().undo()
    assert _selected(document) == ActionRef("ep", "send_1")
    document.undo_stack().redo()
    assert _selected(document) == ActionRef("ep", "loop_1")


def test_removing_the_last_of_a_slot_selects_the_previous_then_the_container(document):
    document.push(RemoveActionCommand(document, "ep", (1, "body", 1)))
    assert _selected(document) == ActionRef("ep", "send_2")
    document.push(RemoveActionCommand(document, "ep", (1, "body", 0)))
    assert _selected(document) == ActionRef("ep", "loop_1")


def test_insert_duplicate_and_move_select_the_action_they_touch(document):
    document.select_path("ep", (3,))
    insert = InsertActionCommand(document, "ep", (0,), "flow.wait")
    document.push(insert)
    assert _selected(document) == ActionRef("ep", insert.action.id)
    document.undo_stack().undo()
    assert _selected(document) == ActionRef("ep", "return_1"), "undo goes back to what was selected"
    document.push(DuplicateActionCommand(document, "ep", (0,)))
    copy_id = document.endpoint("ep").workflow[1].id
    assert _selected(document) == ActionRef("ep", copy_id)
    document.push(MoveActionCommand(document, "ep", (3,), (0,)))
    assert _selected(document) == ActionRef("ep", document.endpoint("ep").workflow[0].id)


def test_undo_of_a_param_edit_selects_the_edited_action(document):
    document.push(SetActionParamCommand(document, "other", (0,), "eventData", {"status": "finished"}))
    document.select_path("ep", (2,))
    document.undo_stack().undo()
    assert _selected(document) == ActionRef("other", "send_1")


def test_a_compound_remove_is_one_selection_step(document):
    document.select_path("ep", (0,))
    document.push(RemoveActionsCommand(document, "ep", [(0,), (2,)]))
    assert _selected(document) == ActionRef("ep", "loop_1")
    document.undo_stack().undo()
    assert _selected(document) == ActionRef("ep", "send_1")


def test_the_selection_follows_a_renamed_endpoint_and_clears_on_open(document, tmp_path):
    document.select_path("ep", (0,))
    document.push(RenameEndpointCommand(document, "ep", "renamed"))
    assert _selected(document) == ActionRef("renamed", "send_1")
    document.new()
    assert _selected(document) is None
