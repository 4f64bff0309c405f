"""Crash recovery: a recovery file while dirty, gone after save or close, found after a crash."""

from __future__ import annotations

import gc
import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from app.editor.autosave import Autosave, find_recovery
from app.editor.commands import InsertActionCommand
from app.editor.document import Document
from tests.conftest import ROOT
from tests.editor.conftest import sample_project


@pytest.fixture
def recovery_dir(tmp_path: Path) -> Path:
    return tmp_path / "recovery"


@pytest.fixture
def autosave(document: Document, recovery_dir: Path):
    saver = Autosave(document, recovery_dir, interval_ms=20)
    yield saver
    saver.close()


def edit(document: Document) -> None:
    document.push(InsertActionCommand(document, "ep", (0,), "debug.log"))


def test_nothing_is_written_while_clean(document, autosave):
    assert not autosave.write_now() and not autosave.recovery_file.exists()


def test_a_recovery_file_appears_while_dirty(document, autosave, qtbot, tmp_path):
    document.save_as(tmp_path / "p.streamwright.json")
    edit(document)
    qtbot.waitUntil(autosave.recovery_file.exists, timeout=5000)
    content = json.loads(autosave.recovery_file.read_text())
    assert content["kind"] == "streamwright.recovery"
    assert content["originalPath"] == str(tmp_path / "p.streamwright.json")
    assert content["project"]["endpoints"][0]["workflow"][0]["id"] == "log_2"


def test_later_changes_are_written_too_and_unchanged_projects_are_not_rewritten(document, autosave, qtbot):
    edit(document)
    assert autosave.write_now()
    assert not autosave.write_now(), "nothing changed since the last write"
    edit(document)
    qtbot.waitUntil(lambda: "log_3" in autosave.recovery_file.read_text(), timeout=5000)


def test_saving_removes_the_recovery_file(document, autosave, tmp_path):
    edit(document)
    autosave.write_now()
    assert autosave.recovery_file.exists()
    document.save_as(tmp_path / "p.streamwright.json")
    assert not autosave.recovery_file.exists()


def test_undoing_back_to_the_saved_state_removes_it(document, autosave):
    edit(document)
    autosave.write_now()
    document.undo_stack().undo()
    assert not autosave.recovery_file.exists()


def test_closing_removes_it_and_leaves_nothing_to_recover(document, recovery_dir):
    saver = Autosave(document, recovery_dir, interval_ms=20)
    edit(document)
    saver.write_now()
    saver.close()
    assert find_recovery(recovery_dir) == [] and list(recovery_dir.iterdir()) == []


def test_a_running_session_is_not_offered_for_recovery(document, autosave, recovery_dir):
    edit(document)
    autosave.write_now()
    assert find_recovery(recovery_dir) == []


def test_recovery_after_the_document_is_discarded_without_saving(qapp, recovery_dir, tmp_path):
    document = Document(sample_project())
    document.save_as(tmp_path / "p.streamwright.json")
    saver = Autosave(document, recovery_dir, interval_ms=20)
    edit(document)
    saver.write_now()
    edited = document.project
    del saver, document  # a "crash": no save, no close
    gc.collect()

    (recovery,) = find_recovery(recovery_dir)
    assert recovery.project == edited and recovery.original_path == tmp_path / "p.streamwright.json"

    restored = Document()
    restored.restore(recovery.project, recovery.original_path)
    recovery.discard()
    assert restored.is_dirty() and restored.project == edited
    assert find_recovery(recovery_dir) == []


CRASHING_SESSION = textwrap.dedent(
    """
    import os, sys
    from app.editor.autosave import Autosave
    from app.editor.commands import InsertActionCommand
    from app.editor.document import Document
    from tests.editor.conftest import sample_project

    document = Document(sample_project())
    saver = Autosave(document, sys.argv[1], interval_ms=60_000)
    document.push(InsertActionCommand(document, "ep", (0,), "flow.wait"))
    saver.write_now()
    os._exit(3)  # a real crash: no cleanup, the session lock stays behind
    """
)


def test_recovery_after_a_real_crash_of_another_process(recovery_dir):
    crashed = subprocess.run([sys.executable, "-c", CRASHING_SESSION, str(recovery_dir)], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert crashed.returncode == 3, crashed.stderr
    assert any(p.suffix == ".lock" for p in recovery_dir.iterdir()), "the dead session's lock is still there"
    (recovery,) = find_recovery(recovery_dir)
    assert recovery.project.endpoint("ep").workflow[0].id == "wait_2" and recovery.original_path is None


def test_unreadable_recovery_files_are_skipped(recovery_dir):
    recovery_dir.mkdir()
    (recovery_dir / "junk.recovery.json").write_text("{not json")
    (recovery_dir / "other.recovery.json").write_text('{"kind": "something"}')
    assert find_recovery(recovery_dir) == []


def test_the_interval_is_configurable(autosave):
    autosave.set_interval_ms(1234)
    assert autosave.interval_ms() == 1234
