"""Undo commands on endpoints and their inputs: round trips, clashes refused before pushing."""

from __future__ import annotations

import pytest

from app.core.project import Endpoint, EndpointInput
from app.editor.commands import (
    AddEndpointCommand,
    AddEndpointInputCommand,
    DuplicateEndpointCommand,
    EditEndpointInputCommand,
    NoChangeError,
    RemoveEndpointCommand,
    RemoveEndpointInputCommand,
    RenameEndpointCommand,
    SetEndpointDescriptionCommand,
    SetEndpointMethodCommand,
    SetEndpointPathCommand,
)
from tests.editor.conftest import round_trip


def names(document) -> list[str]:
    return [e.name for e in document.project.endpoints]


def test_add_a_new_endpoint_with_a_free_name(document):
    command = AddEndpointCommand(document)
    assert command.text() == "Add endpoint endpoint"
    round_trip(document, command)
    document.push(AddEndpointCommand(document))
    assert names(document) == ["ep", "other", "endpoint", "endpoint-2"]
    assert document.endpoint("endpoint-2").path == "/endpoint-2"


def test_add_a_given_endpoint_at_a_position_and_refuse_a_name_clash(document):
    round_trip(document, AddEndpointCommand(document, Endpoint(name="first", path="/first"), index=0))
    assert names(document)[0] == "first"
    with pytest.raises(ValueError, match="already exists"):
        AddEndpointCommand(document, Endpoint(name="ep", path="/x"))


def test_remove_endpoint_comes_back_at_its_position(document):
    round_trip(document, RemoveEndpointCommand(document, "ep"))
    assert names(document) == ["other"]
    document.undo_stack().undo()
    assert names(document) == ["ep", "other"]


def test_rename_endpoint_validates_and_merges_consecutive_typing(document):
    with pytest.raises(ValueError, match="already exists"):
        RenameEndpointCommand(document, "ep", "other")
    with pytest.raises(ValueError, match="lowercase"):
        RenameEndpointCommand(document, "ep", "Bad Name")
    with pytest.raises(NoChangeError):
        RenameEndpointCommand(document, "ep", "ep")
    round_trip(document, RenameEndpointCommand(document, "ep", "ep-r"))
    document.push(RenameEndpointCommand(document, "ep-r", "ep-re"))
    document.push(RenameEndpointCommand(document, "ep-re", "ep-report"))
    assert names(document) == ["ep-report", "other"] and document.undo_stack().count() == 1
    document.undo_stack().undo()
    assert names(document) == ["ep", "other"]


def test_duplicate_endpoint_gets_a_free_name_and_route(document):
    command = DuplicateEndpointCommand(document, "ep")
    round_trip(document, command)
    copy = document.endpoint("ep-copy")
    assert names(document) == ["ep", "ep-copy", "other"] and copy.path == "/ep-copy"
    assert copy.workflow == document.endpoint("ep").workflow
    document.push(DuplicateEndpointCommand(document, "ep"))
    assert document.endpoint("ep-copy-2").path == "/ep-copy-2"


def test_set_method_path_and_description(document):
    round_trip(document, SetEndpointMethodCommand(document, "ep", "GET"))
    round_trip(document, SetEndpointPathCommand(document, "ep", "/ep/{id}"))
    round_trip(document, SetEndpointDescriptionCommand(document, "ep", "Does things"))
    endpoint = document.endpoint("ep")
    assert (endpoint.method, endpoint.path, endpoint.description) == ("GET", "/ep/{id}", "Does things")


def test_endpoint_fields_are_validated_like_a_loaded_file(document):
    with pytest.raises(ValueError, match="method"):
        SetEndpointMethodCommand(document, "ep", "FETCH")
    with pytest.raises(ValueError, match="path"):
        SetEndpointPathCommand(document, "ep", "no-slash")
    assert document.undo_stack().count() == 0 and document.endpoint("ep").method == "POST"


def test_typing_a_path_merges_but_picking_methods_does_not(document):
    for path in ("/e", "/ex", "/exp"):
        document.push(SetEndpointPathCommand(document, "ep", path))
    assert document.undo_stack().count() == 1
    document.push(SetEndpointMethodCommand(document, "ep", "GET"))
    document.push(SetEndpointMethodCommand(document, "ep", "PUT"))
    assert document.undo_stack().count() == 3


def test_a_route_clash_is_allowed_while_typing_and_reported(document):
    document.push(SetEndpointPathCommand(document, "ep", "/other"))
    assert any("used by 2 endpoints" in p.message for p in document.problems())


def test_add_remove_and_edit_inputs(document):
    round_trip(document, AddEndpointInputCommand(document, "ep"))
    round_trip(document, AddEndpointInputCommand(document, "ep", EndpointInput(name="count", type="integer"), index=0))
    assert [i.name for i in document.endpoint("ep").inputs] == ["count", "text", "input"]
    round_trip(document, EditEndpointInputCommand(document, "ep", "count", required=True, default=3))
    round_trip(document, EditEndpointInputCommand(document, "ep", "input", name="title"))
    round_trip(document, RemoveEndpointInputCommand(document, "ep", "text"))
    assert [(i.name, i.required, i.default) for i in document.endpoint("ep").inputs] == [("count", True, 3), ("title", False, None)]


def test_input_clashes_and_bad_values_are_refused(document):
    with pytest.raises(ValueError, match="already has an input named 'text'"):
        AddEndpointInputCommand(document, "ep", EndpointInput(name="text"))
    document.push(AddEndpointInputCommand(document, "ep"))
    with pytest.raises(ValueError, match="already has an input named 'text'"):
        EditEndpointInputCommand(document, "ep", "input", name="text")
    with pytest.raises(ValueError, match="type"):
        EditEndpointInputCommand(document, "ep", "input", type="date")
    with pytest.raises(ValueError, match="has no input 'nope'"):
        RemoveEndpointInputCommand(document, "ep", "nope")


def test_typing_an_input_description_merges(document):
    for text in ("T", "Th", "The"):
        document.push(EditEndpointInputCommand(document, "ep", "text", description=text))
    document.push(EditEndpointInputCommand(document, "ep", "text", required=True))
    assert document.undo_stack().count() == 2
