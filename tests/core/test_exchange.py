"""Export one endpoint as self-contained JSON; import it back, renamed on clash."""

from __future__ import annotations

import json

import pytest

from app.core.exchange import endpoint_from_document, export_endpoint, import_endpoint
from app.core.problems import ProjectInvalidError
from app.core.project_file import load_project
from tests.conftest import EXAMPLE


def test_export_then_import_into_the_same_project_renames_name_and_path():
    project = load_project(EXAMPLE)
    document = json.loads(json.dumps(export_endpoint(project, "typewriter")))
    assert document["kind"] == "streamwright.endpoint" and document["formatVersion"] == 1
    endpoint = endpoint_from_document(document)
    updated, added = import_endpoint(project, endpoint)
    assert (added.name, added.path) == ("typewriter-2", "/typewriter-2")
    assert added.workflow == project.endpoint("typewriter").workflow
    updated_again, third = import_endpoint(updated, endpoint)
    assert third.name == "typewriter-3"
    assert len(project.endpoints) == 4, "import returns a new project and leaves the old one alone"


def test_import_into_a_project_without_clash_keeps_the_name():
    project = load_project(EXAMPLE)
    endpoint = endpoint_from_document(export_endpoint(project, "typewriter"))
    empty = project.model_copy(update={"endpoints": []})
    _, added = import_endpoint(empty, endpoint)
    assert (added.name, added.path) == ("typewriter", "/typewriter")


def test_importing_something_that_is_not_an_export_is_refused():
    with pytest.raises(ProjectInvalidError, match="not an exported workflow"):
        endpoint_from_document({"endpoints": []})


def test_an_invalid_exported_workflow_names_the_path():
    document = export_endpoint(load_project(EXAMPLE), "typewriter")
    document["endpoint"]["workflow"][0]["params"]["eventData"] = {"status": {"$formula": "(("}}
    with pytest.raises(ProjectInvalidError) as caught:
        endpoint_from_document(document)
    assert caught.value.problems[0].path == "$.endpoint.workflow[0].params.eventData.status"
