"""The editor's controllers without any widget: edits say what to select, files and exchange keep the project whole."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QMimeData, QSettings

from app.core.problems import ProjectInvalidError
from app.editor.action_edits import NO_WORKFLOW, ActionEdits
from app.editor.document import Document
from app.editor.project_files import MAX_RECENT, NOT_EXPORTABLE, ProjectFiles
from tests.editor.conftest import sample_project


@pytest.fixture
def document(qapp) -> Document:
    return Document(sample_project())


@pytest.fixture
def files(document: Document, tmp_path: Path) -> ProjectFiles:
    return ProjectFiles(document, QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat))


def ids(document: Document, key: str = "ep") -> list[str]:
    return [action.id for action in document.endpoint(key).workflow]


def test_an_inserted_action_is_the_next_selection_and_one_undo_step(document: Document) -> None:
    edits = ActionEdits(document)
    outcome = edits.insert("ep", (1,), "debug.log")
    assert outcome.done and outcome.select == (1,)
    assert document.endpoint("ep").workflow[1].type == "debug.log"
    document.undo_stack().undo()
    assert ids(document) == ["send_1", "loop_1", "if_1", "return_1"]


def test_duplicate_selects_the_copy_right_after_the_original(document: Document) -> None:
    outcome = ActionEdits(document).duplicate("ep", (0,))
    assert outcome.select == (1,)
    copy = document.endpoint("ep").workflow[1]
    assert copy.type == "stream.send" and copy.id != "send_1"


def test_paste_selects_the_first_pasted_action_and_bad_text_is_refused_with_the_reason(document: Document) -> None:
    edits = ActionEdits(document)
    mime = edits.copy("ep", (3,))
    assert mime is not None
    outcome = edits.paste("ep", (0,), mime)
    assert outcome.select == (0,) and document.endpoint("ep").workflow[0].type == "response.return"
    bad = QMimeData()
    bad.setText("{not json")
    refused = edits.paste("ep", (0,), bad)
    assert not refused.done and refused.refused is not None and refused.refused.startswith("Nothing to paste:")


def test_an_edit_without_a_workflow_or_refused_changes_nothing_and_says_why(document: Document) -> None:
    edits = ActionEdits(document)
    assert edits.insert(None, (0,), "debug.log").refused == NO_WORKFLOW
    before = document.project
    refused = edits.move("ep", (1,), (1, "body", 0))  # a Loop into its own body
    assert not refused.done and refused.refused is not None and refused.refused.startswith("Not done:")
    assert document.project is before


def test_recent_files_are_newest_first_without_duplicates_and_bounded(files: ProjectFiles, tmp_path: Path) -> None:
    for index in range(MAX_RECENT + 2):
        files.remember(tmp_path / f"p{index}.streamwright.json")
    files.remember(tmp_path / "p3.streamwright.json")
    recent = files.recent_files()
    assert len(recent) == MAX_RECENT and recent[0].endswith("p3.streamwright.json") and len(set(recent)) == MAX_RECENT
    files.settings.setValue("recentFiles", "{broken")
    assert files.recent_files() == []


def test_save_as_then_open_round_trips_and_a_broken_file_leaves_the_project(files: ProjectFiles, tmp_path: Path) -> None:
    assert files.needs_path()
    target = tmp_path / "saved.streamwright.json"
    files.save_as(target)
    assert not files.needs_path() and files.last_folder() == tmp_path
    broken = tmp_path / "broken.streamwright.json"
    broken.write_text("{", encoding="utf-8")
    with pytest.raises(ProjectInvalidError):
        files.open(broken)
    assert files.document.file_path() == target
    files.open(target)
    assert files.recent_files()[0] == str(target.resolve())


def test_export_then_import_adds_a_renamed_copy_and_page_workflows_are_not_exported(files: ProjectFiles) -> None:
    assert files.export_refused("page:report:load") == NOT_EXPORTABLE
    assert files.export_refused("ep") is None
    imported = files.import_text(files.export_text("ep"), "test")
    assert imported.renamed_from == "ep" and imported.name != "ep"
    assert files.document.has_endpoint(imported.name)
    with pytest.raises(ProjectInvalidError):
        files.import_text("[1, 2", "the clipboard")
