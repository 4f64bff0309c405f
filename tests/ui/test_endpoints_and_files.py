"""Endpoints named by the user with paths that follow, the bundled example never overwritten, files saved with the user's umask."""

from __future__ import annotations

import os
import shutil
import stat
from pathlib import Path

import pytest
from PySide6.QtWidgets import QFileDialog, QInputDialog, QMessageBox

from app.core.project_file import load_project, save_project
from app.editor.commands.endpoints import RenameEndpointCommand, SetEndpointPathCommand
from app.editor.document import Document
from app.resources import resource_path
from app.ui.main_window import MainWindow
from tests.conftest import EXAMPLE

BUNDLED = resource_path("examples", "demo.streamwright.json")


@pytest.fixture
def copy(tmp_path: Path) -> Path:
    path = tmp_path / "mine" / EXAMPLE.name
    path.parent.mkdir()
    shutil.copy(EXAMPLE, path)
    return path


def test_new_endpoint_asks_for_its_name_and_derives_its_path(qtbot, window_on, copy, monkeypatch):
    window = window_on(copy)
    window.sidebar.setCurrentIndex(1)
    asked: list[str] = []

    def answer(parent, title, label, text=""):  # type: ignore[no-untyped-def]
        asked.append(title)
        return "orders-export", True

    monkeypatch.setattr(QInputDialog, "getText", answer)
    window.sidebar.new_endpoint()
    endpoint = window.document.endpoint("orders-export")
    assert asked == ["New endpoint"] and endpoint.path == "/orders-export" and endpoint.method == "POST"
    assert window.sidebar.current == "orders-export" and window.endpoint == "orders-export"
    monkeypatch.setattr(QInputDialog, "getText", lambda *a, **k: ("Bad Name", True))
    window.sidebar.new_endpoint()
    assert "lowercase" in window.sidebar.message.text() and not window.document.has_endpoint("Bad Name")
    window.document.undo_stack().setClean()


def test_rename_keeps_a_derived_path_in_step_but_never_an_edited_one(qtbot, tmp_path, copy):
    document = Document()
    document.open(copy)
    document.push(RenameEndpointCommand(document, "typewriter", "typist"))
    assert document.endpoint("typist").path == "/typist"
    document.undo_stack().undo()
    assert document.endpoint("typewriter").path == "/typewriter"
    document.push(SetEndpointPathCommand(document, "typewriter", "/v1/type"))
    document.push(RenameEndpointCommand(document, "typewriter", "typist"))
    assert document.endpoint("typist").path == "/v1/type", "the user's own path stays"


@pytest.fixture
def shipped() -> bytes:
    """The bundled example as shipped; put back whatever happens, so a failing test never leaves the checkout edited."""
    original = BUNDLED.read_bytes()
    yield original  # type: ignore[misc]
    if BUNDLED.read_bytes() != original:
        BUNDLED.write_bytes(original)


def test_the_bundled_example_is_never_overwritten(qtbot, window_on, tmp_path, monkeypatch, shipped):
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Save)
    window = window_on(BUNDLED)
    from app.editor.commands.actions import SetActionParamCommand

    window.document.push(SetActionParamCommand(window.document, "typewriter", (0,), "eventData", {"status": "starting", "text": "edited"}))
    target = tmp_path / "saved" / "report.streamwright.json"
    target.parent.mkdir()
    offered: list[str] = []

    def choose(parent, title, directory, file_filter):  # type: ignore[no-untyped-def]
        offered.append(directory)
        return str(target), file_filter

    monkeypatch.setattr(QFileDialog, "getSaveFileName", choose)
    assert window.save()  # Save asks where
    assert offered and not offered[0].startswith(str(BUNDLED.parent))
    assert BUNDLED.read_bytes() == shipped
    assert window.document.file_path() == target and load_project(target).endpoint("typewriter").workflow[0].params["eventData"]["text"] == "edited"
    assert (target.parent / "demo.sqlite").is_file(), "the database the report reads came along"
    monkeypatch.setattr(QMessageBox, "warning", lambda *a, **k: None)
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(BUNDLED), ""))
    assert not window.save_as_dialog(confirmed=True)
    assert BUNDLED.read_bytes() == shipped


def test_a_saved_project_keeps_the_users_umask(tmp_path):
    old = os.umask(0o022)
    try:
        path = tmp_path / "new.streamwright.json"
        save_project(load_project(EXAMPLE), path)
        assert stat.S_IMODE(path.stat().st_mode) == 0o644
        os.umask(0o007)
        other = tmp_path / "group.streamwright.json"
        save_project(load_project(EXAMPLE), other)
        assert stat.S_IMODE(other.stat().st_mode) == 0o660
        os.chmod(path, 0o600)  # a mode the user chose stays
        save_project(load_project(EXAMPLE), path)
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
    finally:
        os.umask(old)


def _consistent(window: MainWindow) -> bool:
    """The sidebar's tab and the centre show the same kind of thing (a page in the designer, an endpoint on the canvas)."""
    if window.sidebar.currentIndex() == 0:
        return window._designing() and window.designer.page_name == window.sidebar.pages.current
    return not window._designing() and window.endpoint == window.sidebar.current


@pytest.mark.parametrize("tab", [0, 1])
def test_after_opening_a_project_the_sidebar_and_the_canvas_agree(qtbot, window_on, copy, tab):
    window = window_on(copy)
    if tab == 0:
        window.show_page("typewriter")
    else:
        window.show_workflow("long-import")
    assert _consistent(window)
    assert window.open_file(copy)
    assert _consistent(window), (window.sidebar.currentIndex(), window.endpoint, window._designing())
    window.new_project()
    assert _consistent(window) or (window.sidebar.currentIndex() == 1 and window.endpoint is None and not window._designing())
