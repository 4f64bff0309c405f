"""Undo commands on actions: every one round-trips, validates before pushing, and is one step."""

from __future__ import annotations

import pytest

from app.core.project import Action
from app.editor.commands import (
    UNSET,
    DuplicateActionCommand,
    InsertActionCommand,
    InsertActionsCommand,
    MoveActionCommand,
    MoveActionsCommand,
    NoChangeError,
    RemoveActionCommand,
    RemoveActionsCommand,
    SetActionParamCommand,
    SetActionTitleCommand,
)
from app.editor.document import Document, StaleCommandError
from tests.conftest import action
from tests.editor.conftest import round_trip, workflow_ids


def ids(document: Document, endpoint: str = "ep") -> list[object]:
    return workflow_ids(document.endpoint(endpoint).workflow)


def test_insert_a_new_action_of_a_type_gets_defaults_and_a_fresh_id(document):
    command = InsertActionCommand(document, "ep", (1, "body", 1), "stream.send")
    assert command.text() == "Add Send streaming response"
    round_trip(document, command)
    added = document.action("ep", (1, "body", 1))
    assert added.id == "send_3" and added.params == {"eventData": {"status": "progress"}, "part": "", "transient": False, "coalesceMs": 0, "appendFields": ["text"]}
    assert command.paths == [(1, "body", 1)]


def test_a_new_container_comes_with_its_empty_slots(document):
    round_trip(document, InsertActionCommand(document, "ep", (0,), "flow.try"))
    assert document.action("ep", (0,)).slots == {"try": [], "catch": []}


def test_insert_a_given_action_renews_a_clashing_id(document):
    round_trip(document, InsertActionCommand(document, "ep", (4,), action("loop_1", "flow.loop", {"body": [action("mine", "debug.log")]})))
    assert ids(document)[-1] == ("loop_2", {"body": ["mine"]})


def test_insert_several_actions_is_one_step(document):
    command = InsertActionsCommand(document, "other", (0,), [action("a", "debug.log"), action("b", "debug.log")])
    assert command.text() == "Paste 2 actions"
    round_trip(document, command)
    assert ids(document, "other") == ["a", "b", "send_1"]


@pytest.mark.parametrize(
    ("path", "action_or_type", "message"),
    [
        ((9,), "debug.log", "cannot insert"),
        ((0, "body", 0), "debug.log", "no slot 'body'"),
        ((1, "nope", 0), "debug.log", "has no slot 'nope'"),
        ((0,), "no.such.type", "unknown action type"),
        ((0,), Action(id="x", type="flow.loop", slots={"bogus": []}), "no slot 'bogus'"),
    ],
)
def test_bad_inserts_raise_before_anything_is_pushed(document, path, action_or_type, message):
    before = document.project
    with pytest.raises(ValueError, match=message):
        InsertActionCommand(document, "ep", path, action_or_type)
    assert document.project is before and document.undo_stack().count() == 0


def test_unknown_endpoint_is_a_clear_error(document):
    with pytest.raises(ValueError, match="no endpoint named 'nope'"):
        InsertActionCommand(document, "nope", (0,), "debug.log")


def test_removing_a_loop_with_its_children_is_one_undo_step(document):
    command = RemoveActionCommand(document, "ep", (1,))
    assert command.text() == "Remove Loop"
    round_trip(document, command)
    assert ids(document) == ["send_1", ("if_1", {"then": ["log_1"], "else": []}), "return_1"]
    document.undo_stack().undo()
    assert ids(document)[1] == ("loop_1", {"body": ["send_2", "wait_1"]})
    assert document.undo_stack().count() == 1


def test_removing_a_selection_is_one_step_made_of_child_commands(document):
    command = RemoveActionsCommand(document, "ep", [(3,), (1, "body", 0), (1,), (2, "then", 0)])
    assert command.text() == "Remove 3 actions" and len(command.children) == 3
    round_trip(document, command)
    assert ids(document) == ["send_1", ("if_1", {"then": [], "else": []})]


def test_move_within_a_slot(document):
    command = MoveActionCommand(document, "ep", (0,), (3,))
    assert command.text() == "Move Send streaming response"
    round_trip(document, command)
    assert [a.id for a in document.endpoint("ep").workflow] == ["loop_1", "if_1", "send_1", "return_1"]
    assert command.paths == [(2,)]


def test_move_into_a_container_slot_and_back_out(document):
    round_trip(document, MoveActionCommand(document, "ep", (3,), (1, "body", 1)))
    assert ids(document)[1] == ("loop_1", {"body": ["send_2", "return_1", "wait_1"]})
    round_trip(document, MoveActionCommand(document, "ep", (1, "body", 0), (0,)))
    assert ids(document)[:3] == ["send_2", "send_1", ("loop_1", {"body": ["return_1", "wait_1"]})]


def test_move_a_container_into_another_container(document):
    round_trip(document, MoveActionCommand(document, "ep", (1,), (2, "else", 0)))
    assert ids(document)[1] == ("if_1", {"then": ["log_1"], "else": [("loop_1", {"body": ["send_2", "wait_1"]})]})


def test_moving_a_container_into_its_own_slot_is_refused(document):
    with pytest.raises(ValueError, match="cannot move Loop into itself"):
        MoveActionCommand(document, "ep", (1,), (1, "body", 0))
    document.push(InsertActionCommand(document, "ep", (1, "body", 0), "flow.if"))
    with pytest.raises(ValueError, match="into itself"):
        MoveActionCommand(document, "ep", (1,), (1, "body", 0, "then", 0))
    assert document.undo_stack().count() == 1


@pytest.mark.parametrize("target", [(1,), (2,)])
def test_moving_to_where_it_already_is_changes_nothing(document, target):
    with pytest.raises(NoChangeError):
        MoveActionCommand(document, "ep", (1,), target)


def test_move_several_keeps_their_order(document):
    command = MoveActionsCommand(document, "ep", [(3,), (0,)], (1, "body", 2))
    assert command.text() == "Move 2 actions"
    round_trip(document, command)
    assert ids(document) == [("loop_1", {"body": ["send_2", "wait_1", "send_1", "return_1"]}), ("if_1", {"then": ["log_1"], "else": []})]
    assert command.paths == [(0, "body", 2), (0, "body", 3)]


def test_duplicate_gives_fresh_ids_to_the_copy_and_its_children(document):
    command = DuplicateActionCommand(document, "ep", (1,))
    assert command.text() == "Duplicate Loop"
    round_trip(document, command)
    assert ids(document)[1:3] == [("loop_1", {"body": ["send_2", "wait_1"]}), ("loop_2", {"body": ["send_3", "wait_2"]})]
    copy = document.action("ep", (2,))
    assert copy.params == document.action("ep", (1,)).params and command.path == (2,)


def test_set_param(document):
    command = SetActionParamCommand(document, "ep", (0,), "eventData", {"status": "started"})
    assert command.text() == "Edit Event Data"
    round_trip(document, command)
    assert document.action("ep", (0,)).params == {"eventData": {"status": "started"}}


def test_unset_param_removes_it_so_the_default_applies(document):
    round_trip(document, SetActionParamCommand(document, "ep", (1, "body", 1), "milliseconds", UNSET))
    assert document.action("ep", (1, "body", 1)).params == {}


def test_half_typed_formulas_are_allowed_and_reported_as_problems(document):
    document.push(SetActionParamCommand(document, "ep", (1, "body", 1), "milliseconds", {"$formula": "1 +"}))
    assert any(p.action_id == "wait_1" and p.code == "formula-syntax" for p in document.problems())


def test_unknown_param_and_same_value_are_refused(document):
    with pytest.raises(ValueError, match="has no param 'bogus'"):
        SetActionParamCommand(document, "ep", (0,), "bogus", 1)
    with pytest.raises(NoChangeError):
        SetActionParamCommand(document, "ep", (0,), "eventData", {"status": "starting"})


def test_typing_in_a_field_merges_into_one_step(document):
    original = document.project
    for text in ("s", "st", "sta"):
        document.push(SetActionParamCommand(document, "ep", (0,), "eventData", {"status": text}))
    stack = document.undo_stack()
    assert stack.count() == 1 and stack.text(0) == "Edit Event Data"
    assert document.action("ep", (0,)).params["eventData"] == {"status": "sta"}
    stack.undo()
    assert document.project == original
    stack.redo()
    assert document.action("ep", (0,)).params["eventData"] == {"status": "sta"}


def test_typing_does_not_merge_across_params_actions_or_other_commands(document):
    document.push(SetActionParamCommand(document, "ep", (0,), "eventData", {"status": "a"}))
    document.push(SetActionParamCommand(document, "ep", (1, "body", 1), "milliseconds", 5))
    document.push(SetActionParamCommand(document, "ep", (1, "body", 1), "milliseconds", 50))
    document.push(SetActionParamCommand(document, "ep", (0,), "eventData", {"status": "ab"}))
    document.push(SetActionTitleCommand(document, "ep", (0,), "x"))
    assert document.undo_stack().count() == 4


def test_typing_back_to_the_original_value_leaves_no_step(document):
    original = document.project
    document.push(SetActionParamCommand(document, "ep", (0,), "eventData", {"status": "startingX"}))
    document.push(SetActionParamCommand(document, "ep", (0,), "eventData", {"status": "starting"}))
    assert document.undo_stack().count() == 0 and document.project == original and not document.is_dirty()


def test_typing_after_a_save_starts_a_new_step(document, tmp_path):
    document.push(SetActionParamCommand(document, "ep", (0,), "eventData", {"status": "a"}))
    document.save_as(tmp_path / "p.streamwright.json")
    document.push(SetActionParamCommand(document, "ep", (0,), "eventData", {"status": "ab"}))
    assert document.undo_stack().count() == 2


def test_rename_action_title_merges_and_blank_means_the_type_title(document):
    command = SetActionTitleCommand(document, "ep", (1,), "E")
    assert command.text() == "Rename Loop"
    round_trip(document, command)
    document.push(SetActionTitleCommand(document, "ep", (1,), "Each row "))
    assert document.action("ep", (1,)).title == "Each row " and document.undo_stack().count() == 1
    document.push(SetActionTitleCommand(document, "ep", (1,), "  "))
    assert document.action("ep", (1,)).title is None
    assert document.undo_stack().count() == 0, "typed back to no title: the merged step disappears"
    round_trip(document, SetActionTitleCommand(document, "ep", (0,), "Start"))
    round_trip(document, SetActionTitleCommand(document, "ep", (3,), "Finish"))
    round_trip(document, SetActionTitleCommand(document, "ep", (0,), ""))
    assert document.action("ep", (0,)).title is None


def test_a_command_built_for_an_older_state_is_refused(document):
    stale = InsertActionCommand(document, "ep", (0,), "debug.log")
    document.push(InsertActionCommand(document, "ep", (0,), "flow.wait"))
    with pytest.raises(StaleCommandError):
        document.push(stale)


def test_empty_selections_change_nothing(document):
    with pytest.raises(NoChangeError):
        RemoveActionsCommand(document, "ep", [])
    with pytest.raises(NoChangeError):
        MoveActionsCommand(document, "ep", [], (0,))
    with pytest.raises(NoChangeError):
        InsertActionsCommand(document, "ep", (0,), [])


def test_an_edit_copies_only_the_edited_branch_and_never_changes_the_previous_version(document):
    before = document.project
    snapshot = before.model_copy(deep=True)
    command = SetActionParamCommand(document, "ep", (1, "body", 1), "milliseconds", 99)
    document.push(command)
    after = document.endpoint("ep").workflow
    old = before.endpoint("ep").workflow
    assert before == snapshot, "the previous version (undo's state) is untouched"
    assert after[0] is old[0] and after[2] is old[2] and after[3] is old[3], "untouched actions are shared"
    assert after[1] is not old[1] and after[1].slots["body"][0] is old[1].slots["body"][0]
    assert after[1].slots["body"][1].params["milliseconds"] == 99
    assert old[1].slots["body"][1].params["milliseconds"] == 10
    document.undo_stack().undo()
    assert document.project is before


def test_moving_into_a_slot_leaves_both_versions_whole(document):
    before = document.project
    snapshot = before.model_copy(deep=True)
    document.push(MoveActionCommand(document, "ep", (0,), (2, "then", 1)))
    assert before == snapshot
    assert ids(document) == [("loop_1", {"body": ["send_2", "wait_1"]}), ("if_1", {"then": ["log_1", "send_1"], "else": []}), "return_1"]
    assert document.endpoint("ep").workflow[0] is before.endpoint("ep").workflow[1]


def test_no_sequence_of_moves_changes_an_earlier_version(document):
    """Every move between every pair of places (seeded sample): earlier versions stay exactly as they were."""
    import random

    from app.editor.action_paths import walk_paths

    rng = random.Random(7)
    versions = [(document.project, document.project.model_copy(deep=True))]
    for _ in range(60):
        workflow = document.endpoint("ep").workflow
        paths = [path for path, _ in walk_paths(workflow)]
        source = rng.choice(paths)
        slots = [()] + [(*path, slot) for path, found in walk_paths(workflow) for slot in document.registry.get(found.type).slots]
        slot = rng.choice(slots)
        try:
            target_list = document.action("ep", slot[:-1]).slots.get(slot[-1], []) if slot else workflow
            command = MoveActionCommand(document, "ep", source, (*slot, rng.randint(0, len(target_list))))
        except (ValueError, NoChangeError):
            continue
        document.push(command)
        versions.append((document.project, document.project.model_copy(deep=True)))
    assert len(versions) > 20
    for project, snapshot in versions:
        assert project == snapshot
    while document.undo_stack().canUndo():
        document.undo_stack().undo()
    assert document.project == versions[0][1]


def test_a_duplicated_container_reads_its_own_copies_results_not_the_originals(document):
    from tests.conftest import formula

    loop = action(
        "loop_1",
        "flow.loop",
        {"body": [action("fetch_1", "variable.set", name="row", value=1), action("send_9", "stream.send", eventData={"status": "x", "n": formula("results.fetch_1 + results.send_1")})]},
        items=[1],
    )
    document.push(InsertActionCommand(document, "other", (1,), loop))
    document.push(DuplicateActionCommand(document, "other", (1,)))
    copy = document.action("other", (2,))
    copied_send = copy.slots["body"][1]
    fetch_copy = copy.slots["body"][0].id
    assert fetch_copy != "fetch_1"
    # the copy's own child is followed; send_1 (outside the copied loop) is still read as it was
    assert copied_send.params["eventData"]["n"] == formula(f"results.{fetch_copy} + results.send_1")
    assert document.action("other", (1,)).slots["body"][1].params["eventData"]["n"] == formula("results.fetch_1 + results.send_1")
