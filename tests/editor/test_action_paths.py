"""Paths into a workflow tree: get, insert, remove, and how paths shift around a removal."""

from __future__ import annotations

import pytest

from app.editor.action_ids import fresh_id, id_stem, ids_in, with_fresh_ids
from app.editor.action_paths import (
    PathError,
    action_at,
    after_insertion,
    after_removal,
    check_shape,
    format_path,
    insert_at,
    outermost,
    path_of,
    remove_at,
)
from tests.conftest import action
from tests.editor.conftest import sample_project, workflow_ids


def test_action_at_follows_indexes_and_slots():
    workflow = sample_project().endpoint("ep").workflow
    assert action_at(workflow, (1,)).id == "loop_1"
    assert action_at(workflow, (1, "body", 1)).id == "wait_1"
    assert path_of(workflow, "log_1") == (2, "then", 0)
    with pytest.raises(PathError, match=r"no action at workflow\[1\]\.body\[5\]"):
        action_at(workflow, (1, "body", 5))
    with pytest.raises(PathError):
        action_at(workflow, (0, "body", 0))


@pytest.mark.parametrize("bad", [(), (1, "body"), ("body",), (1, 2, 3), (-1,), (True,)])
def test_malformed_paths_are_refused(bad):
    with pytest.raises(PathError):
        check_shape(bad)


def test_insert_and_remove_in_place():
    workflow = sample_project().endpoint("ep").workflow
    insert_at(workflow, (2, "else", 0), [action("x", "debug.log")])
    assert workflow_ids(workflow[2:3]) == [("if_1", {"then": ["log_1"], "else": ["x"]})]
    assert remove_at(workflow, (2, "else", 0)).id == "x"
    with pytest.raises(PathError, match="cannot insert"):
        insert_at(workflow, (7,), [action("y", "debug.log")])


def test_insert_into_a_slot_the_file_never_mentioned_creates_it():
    workflow = [action("loop_1", "flow.loop")]
    insert_at(workflow, (0, "body", 0), [action("x", "debug.log")])
    assert workflow[0].slots == {"body": [action("x", "debug.log")]}


def test_paths_after_a_removal_shift_only_within_the_same_slot():
    assert after_removal((3,), (1,)) == (2,)
    assert after_removal((3, "body", 0), (1,)) == (2, "body", 0)
    assert after_removal((0,), (1,)) == (0,)
    assert after_removal((1, "body", 2), (1, "body", 0)) == (1, "body", 1)
    assert after_removal((2,), (1, "body", 0)) == (2,)
    with pytest.raises(PathError):
        after_removal((1, "body", 0), (1,))
    assert after_insertion((1, "body", 0), (0,), 2) == (3, "body", 0)


def test_outermost_drops_paths_inside_other_selected_ones_and_sorts():
    workflow = sample_project().endpoint("ep").workflow
    assert outermost(workflow, [(3,), (1, "body", 0), (1,), (0,)]) == [(0,), (1,), (3,)]
    with pytest.raises(PathError):
        outermost(workflow, [(9,)])


def test_format_path():
    assert format_path((1, "body", 0)) == "workflow[1].body[0]"


def test_fresh_ids():
    assert id_stem("stream.send") == "send" and id_stem("x.9lives") == "a_9lives"
    assert fresh_id("send", {"send_1", "send_2"}) == "send_3"
    workflow = sample_project().endpoint("ep").workflow
    taken = ids_in(workflow)
    (copy,) = with_fresh_ids([workflow[1]], taken)
    assert workflow_ids([copy]) == [("loop_2", {"body": ["send_3", "wait_2"]})]
    assert copy.params == workflow[1].params and copy.params is not workflow[1].params
    kept = with_fresh_ids([action("free", "debug.log"), action("send_1", "stream.send")], ids_in(workflow), keep_free=True)
    assert [a.id for a in kept] == ["free", "send_3"]
