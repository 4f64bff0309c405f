"""Editor fixtures: a small project with a Loop and an If/else, and a Document holding it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtWidgets import QApplication

from app.core.project import Action, Endpoint, EndpointInput, Project
from app.core.project_file import dump_project
from app.editor.commands import ProjectCommand
from app.editor.document import Document
from tests.conftest import action, formula


def sample_project() -> Project:
    """``ep``: send_1, loop_1{body: send_2, wait_1}, if_1{then: log_1, else: []}, return_1; ``other``: send_1."""
    progress = {"status": "progress", "done": formula("loop.count"), "total": formula("loop.total")}
    workflow = [
        action("send_1", "stream.send", eventData={"status": "starting"}),
        action(
            "loop_1",
            "flow.loop",
            {"body": [action("send_2", "stream.send", eventData=progress), action("wait_1", "flow.wait", milliseconds=10)]},
            items=[1, 2, 3],
        ),
        action("if_1", "flow.if", {"then": [action("log_1", "debug.log", message="hi")], "else": []}, condition=True),
        action("return_1", "response.return", statusCode=200, body={"ok": True}),
    ]
    return Project(
        name="sample",
        endpoints=[
            Endpoint(name="ep", path="/ep", inputs=[EndpointInput(name="text")], workflow=workflow),
            Endpoint(name="other", path="/other", workflow=[action("send_1", "stream.send", eventData={"status": "done"})]),
        ],
    )


@pytest.fixture
def document(qapp: QApplication) -> Iterator[Document]:
    doc = Document(sample_project())
    yield doc
    doc.deleteLater()


def workflow_ids(actions: list[Action]) -> list[object]:
    """``["send_1", ("loop_1", {"body": [...]}), ...]``: the shape of a workflow at a glance."""
    return [a.id if not a.slots else (a.id, {slot: workflow_ids(children) for slot, children in a.slots.items()}) for a in actions]


def round_trip(document: Document, command: ProjectCommand) -> Project:
    """Push, undo, redo: undo gives back exactly the original, redo exactly the edit. Returns the edit."""
    stack = document.undo_stack()
    before, before_text = document.project, dump_project(document.project)
    count = stack.count()
    document.push(command)
    assert stack.count() == count + 1, "one user edit is one undo step"
    after, after_text = document.project, dump_project(document.project)
    assert after != before
    stack.undo()
    assert document.project == before and dump_project(document.project) == before_text
    stack.redo()
    assert document.project == after and dump_project(document.project) == after_text
    return after
