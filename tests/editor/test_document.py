"""The Document: signals only on real change, dirty state, open/save/new, problems."""

from __future__ import annotations

import json
import os

import pytest

from app.core.problems import ProjectInvalidError
from app.core.project_file import dump_project, load_project
from app.editor.commands import (
    AddEndpointCommand,
    InsertActionCommand,
    RemoveActionsCommand,
    RenameEndpointCommand,
    SetActionParamCommand,
    SetEndpointPathCommand,
)
from app.editor.document import Document
from tests.editor.conftest import sample_project

SIGNALS = (
    "projectReset",
    "projectChanged",
    "endpointsChanged",
    "endpointRenamed",
    "endpointChanged",
    "workflowChanged",
    "recordingsChanged",
    "actionChanged",
    "dirtyChanged",
    "filePathChanged",
    "problemsChanged",
)


class Recorder:
    """Every signal the document emits, in order, with its arguments."""

    def __init__(self, document: Document) -> None:
        self.events: list[tuple[object, ...]] = []
        for name in SIGNALS:
            getattr(document, name).connect(lambda *args, name=name: self.events.append((name, *args)))

    def names(self) -> list[str]:
        return [str(event[0]) for event in self.events]

    def clear(self) -> None:
        self.events.clear()


@pytest.fixture
def recorder(document: Document) -> Recorder:
    return Recorder(document)


def test_editing_a_param_emits_action_changed_once_and_becomes_dirty(document, recorder):
    document.push(SetActionParamCommand(document, "ep", (1, "body", 1), "milliseconds", 20))
    assert recorder.events == [("actionChanged", "ep", "wait_1"), ("projectChanged",), ("dirtyChanged", True)]
    recorder.clear()
    document.push(SetActionParamCommand(document, "ep", (1, "body", 1), "milliseconds", 25))
    assert recorder.events == [("actionChanged", "ep", "wait_1"), ("projectChanged",)], "already dirty: no dirtyChanged"


def test_structure_changes_emit_workflow_changed(document, recorder):
    document.push(InsertActionCommand(document, "ep", (0,), "debug.log"))
    assert recorder.names() == ["workflowChanged", "projectChanged", "dirtyChanged"]
    assert recorder.events[0] == ("workflowChanged", "ep")


def test_undo_back_to_clean_emits_dirty_false(document, recorder):
    document.push(InsertActionCommand(document, "ep", (0,), "debug.log"))
    recorder.clear()
    document.undo_stack().undo()
    assert recorder.names() == ["workflowChanged", "projectChanged", "dirtyChanged"]
    assert recorder.events[-1] == ("dirtyChanged", False) and not document.is_dirty()


def test_compound_command_emits_one_round_of_signals(document, recorder):
    document.push(RemoveActionsCommand(document, "ep", [(0,), (3,)]))
    assert recorder.names() == ["workflowChanged", "projectChanged", "dirtyChanged"]
    recorder.clear()
    document.undo_stack().undo()
    assert recorder.names() == ["workflowChanged", "projectChanged", "dirtyChanged"]


def test_rename_and_endpoint_settings_signals(document, recorder):
    document.push(RenameEndpointCommand(document, "ep", "ep2"))
    assert recorder.events[:2] == [("endpointRenamed", "ep", "ep2"), ("endpointsChanged",)]
    recorder.clear()
    document.undo_stack().undo()
    assert recorder.events[:2] == [("endpointRenamed", "ep2", "ep"), ("endpointsChanged",)]
    recorder.clear()
    document.push(SetEndpointPathCommand(document, "ep", "/ep2"))
    assert recorder.events[0] == ("endpointChanged", "ep")
    assert "workflowChanged" not in recorder.names()
    recorder.clear()
    document.push(AddEndpointCommand(document))
    assert recorder.names() == ["endpointsChanged", "projectChanged"]


def test_problems_are_exact_at_once_and_signalled_after_the_burst_only_when_they_change(document, recorder, qtbot):
    assert document.problems() == []
    document.push(SetActionParamCommand(document, "ep", (0,), "eventData", {"label": "no status"}))
    assert [p.code for p in document.problems_for("ep", "send_1")] == ["missing-status"]  # exact before the signal
    assert document.problems_for("other") == []
    assert "problemsChanged" not in recorder.names()
    with qtbot.waitSignal(document.problemsChanged):
        pass
    assert recorder.names().count("problemsChanged") == 1
    recorder.clear()
    document.push(SetActionParamCommand(document, "ep", (1, "body", 1), "milliseconds", 20))
    document.flush_problems()
    assert "problemsChanged" not in recorder.names()


def test_a_burst_of_edits_is_checked_and_announced_once(document, recorder, qtbot):
    for text in ("a", "ab", "abc"):
        document.push(SetActionParamCommand(document, "ep", (0,), "eventData", {"label": text}))
    with qtbot.waitSignal(document.problemsChanged):
        pass
    document.flush_problems()
    assert recorder.names().count("problemsChanged") == 1


def test_save_as_writes_the_file_marks_clean_and_sets_the_path(document, recorder, tmp_path):
    document.push(InsertActionCommand(document, "ep", (0,), "debug.log"))
    recorder.clear()
    path = tmp_path / "p.streamwright.json"
    document.save_as(path)
    assert recorder.events == [("filePathChanged", str(path)), ("dirtyChanged", False)]
    assert load_project(path) == document.project and document.file_path() == path
    assert document.display_name() == "p.streamwright.json"
    document.push(InsertActionCommand(document, "ep", (0,), "debug.log"))
    recorder.clear()
    document.save()
    assert recorder.events == [("dirtyChanged", False)]


def test_save_without_a_path_asks_for_one(document):
    with pytest.raises(ValueError, match="save_as"):
        document.save()


def test_a_failed_save_leaves_the_old_file_and_the_document_dirty(document, tmp_path, monkeypatch):
    path = tmp_path / "p.streamwright.json"
    document.save_as(path)
    saved = path.read_text()
    document.push(InsertActionCommand(document, "ep", (0,), "debug.log"))

    def crash(*_args: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", crash)
    with pytest.raises(OSError, match="disk full"):
        document.save()
    assert path.read_text() == saved, "atomic: the old file is intact"
    assert [p.name for p in tmp_path.iterdir()] == ["p.streamwright.json"], "no temporary file left behind"
    assert document.is_dirty()


def test_open_replaces_the_project_and_clears_history(document, recorder, tmp_path):
    path = tmp_path / "other.streamwright.json"
    other = sample_project().model_copy(update={"name": "from disk"})
    path.write_text(dump_project(other))
    document.push(InsertActionCommand(document, "ep", (0,), "debug.log"))
    recorder.clear()
    document.open(path)
    assert document.project == other and document.file_path() == path
    assert document.undo_stack().count() == 0 and not document.is_dirty()
    assert recorder.names()[:3] == ["filePathChanged", "projectReset", "projectChanged"]
    assert recorder.events[-1] == ("dirtyChanged", False)


@pytest.mark.parametrize(
    "content",
    [
        "{ not json",
        json.dumps({"endpoints": [{"name": "x", "path": "/x", "workflow": [{"id": "a", "type": "no.such"}]}]}),
    ],
)
def test_opening_a_broken_file_raises_and_leaves_the_document_untouched(document, recorder, tmp_path, content):
    document.push(InsertActionCommand(document, "ep", (0,), "debug.log"))
    before, count = document.project, document.undo_stack().count()
    recorder.clear()
    path = tmp_path / "broken.streamwright.json"
    path.write_text(content)
    with pytest.raises(ProjectInvalidError) as raised:
        document.open(path)
    assert raised.value.problems
    assert document.project is before and document.undo_stack().count() == count and document.is_dirty()
    assert document.file_path() is None and recorder.events == []


def test_opening_a_missing_file_is_a_project_invalid_error(document, tmp_path):
    with pytest.raises(ProjectInvalidError, match="cannot read file"):
        document.open(tmp_path / "missing.streamwright.json")


def test_new_gives_an_empty_clean_project(document, recorder, tmp_path):
    document.save_as(tmp_path / "p.streamwright.json")
    document.push(InsertActionCommand(document, "ep", (0,), "debug.log"))
    recorder.clear()
    document.new()
    assert document.project.endpoints == [] and document.file_path() is None and not document.is_dirty()
    assert recorder.events[0] == ("filePathChanged", "")
    assert document.display_name() == "Untitled"


def test_restore_makes_a_dirty_document_until_saved(document, recorder, tmp_path):
    original = tmp_path / "orig.streamwright.json"
    document.restore(sample_project(), original)
    assert document.is_dirty() and document.file_path() == original and recorder.events[-1] == ("dirtyChanged", True)
    document.push(InsertActionCommand(document, "ep", (0,), "debug.log"))
    document.undo_stack().undo()
    assert document.is_dirty(), "undoing past the restore point is still unsaved work"
    document.save()
    assert not document.is_dirty() and load_project(original) == document.project


def test_views_read_current_problems_when_signalled(document):
    seen: list[int] = []
    document.actionChanged.connect(lambda *_: seen.append(len(document.problems())))
    document.push(SetActionParamCommand(document, "ep", (0,), "eventData", {"label": "no status"}))
    assert seen == [1]


def test_path_helpers(document):
    assert document.path_of("ep", "wait_1") == (1, "body", 1)
    assert document.action("ep", (1, "body", 1)).id == "wait_1"
    assert document.path_of("ep", "nope") is None
    assert not document.has_endpoint("nope")


def test_saving_a_recording_is_signalled(document, recorder):
    from app.core.project import Recording
    from app.editor.commands.recordings import AddRecordingCommand

    document.push(AddRecordingCommand(document, Recording(name="run", endpoint="ep")))
    assert recorder.names() == ["recordingsChanged", "projectChanged", "dirtyChanged"]
