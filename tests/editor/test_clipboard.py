"""Clipboard JSON: copy actions out, paste them back (here or in another project) with fresh ids."""

from __future__ import annotations

import json

import pytest
from PySide6.QtCore import QMimeData

from app.core.exchange import export_endpoint
from app.core.problems import ProjectInvalidError
from app.editor.clipboard import (
    ACTIONS_KIND,
    ACTIONS_MIME_TYPE,
    actions_from_mime_data,
    actions_mime_data,
    can_paste,
    dump_actions,
    parse_actions,
)
from app.editor.commands import InsertActionsCommand
from app.editor.document import Document
from tests.editor.conftest import round_trip, sample_project, workflow_ids


def test_round_trip_keeps_actions_with_their_children(document):
    selected = [document.action("ep", (1,)), document.action("ep", (3,))]
    text = dump_actions(selected)
    envelope = json.loads(text)
    assert envelope["kind"] == ACTIONS_KIND and envelope["formatVersion"] == 1
    assert parse_actions(text) == selected


def test_paste_into_the_same_endpoint_renews_every_clashing_id(document):
    pasted = parse_actions(dump_actions([document.action("ep", (1,))]))
    round_trip(document, InsertActionsCommand(document, "ep", (4,), pasted))
    assert workflow_ids(document.endpoint("ep").workflow)[-1] == ("loop_2", {"body": ["send_3", "wait_2"]})


def test_paste_into_another_project_keeps_free_ids_and_renews_clashing_ones(document, qapp):
    text = dump_actions([document.action("ep", (0,)), document.action("ep", (1,))])
    target = Document(sample_project().model_copy(update={"endpoints": sample_project().endpoints[1:]}))
    command = InsertActionsCommand(target, "other", (1,), parse_actions(text))
    round_trip(target, command)
    assert workflow_ids(target.endpoint("other").workflow) == ["send_1", "send_2", ("loop_1", {"body": ["send_3", "wait_1"]})]
    assert command.paths == [(1,), (2,)]


def test_an_exported_endpoint_pastes_as_its_workflow(document):
    text = json.dumps(export_endpoint(document.project, "other"))
    actions = parse_actions(text)
    assert actions == document.endpoint("other").workflow


def test_problems_are_reported_with_paths():
    text = json.dumps(
        {
            "kind": ACTIONS_KIND,
            "formatVersion": 1,
            "actions": [
                {"id": "ok", "type": "flow.loop", "slots": {"body": [{"id": "x", "type": "no.such"}]}},
                {"id": "bad id", "type": "debug.log"},
                {"id": "w", "type": "flow.wait", "params": {"milliseconds": "soon"}},
            ],
        }
    )
    with pytest.raises(ProjectInvalidError) as raised:
        parse_actions(text)
    paths = {problem.path for problem in raised.value.problems}
    assert "$.actions[1].id" in paths
    assert "$.actions[0].slots.body[0].type" in paths
    assert any(path.startswith("$.actions[1].params.milliseconds") for path in paths) is False
    assert any(path.startswith("$.actions[2].params.milliseconds") for path in paths)


@pytest.mark.parametrize("text", ["hello", "[1, 2]", '{"kind": "something.else"}', "{broken"])
def test_other_text_is_refused(text):
    with pytest.raises(ProjectInvalidError):
        parse_actions(text)


def test_newer_format_is_refused():
    with pytest.raises(ProjectInvalidError, match="newer"):
        parse_actions(json.dumps({"kind": ACTIONS_KIND, "formatVersion": 99, "actions": []}))


def test_mime_data_carries_our_type_and_plain_text(document, qapp):
    selected = [document.action("ep", (2,))]
    mime = actions_mime_data(selected)
    assert mime.hasFormat(ACTIONS_MIME_TYPE) and ACTIONS_KIND in mime.text() and can_paste(mime)
    assert actions_from_mime_data(mime) == selected
    plain = QMimeData()
    plain.setText(dump_actions(selected))
    assert can_paste(plain) and actions_from_mime_data(plain) == selected
    empty = QMimeData()
    assert not can_paste(empty)
    with pytest.raises(ProjectInvalidError):
        actions_from_mime_data(empty)
