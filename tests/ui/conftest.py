"""Fixtures shared by the UI tests."""

from __future__ import annotations

import asyncio
import shutil
from collections.abc import Callable, Coroutine, Iterator
from pathlib import Path
from typing import Any, TypeVar

import pytest
import qasync
from PySide6.QtWidgets import QApplication

from app.client.runner_process import RunnerProcess
from app.ui.app import keep_clipboard_as_text
from tests.conftest import EXAMPLE, with_step_delay

RUN_TIMEOUT_MS = 30_000
T = TypeVar("T")


@pytest.fixture(scope="session", autouse=True)
def clipboard_released_at_the_end(qapp) -> Iterator[None]:  # type: ignore[no-untyped-def]
    """Tests copy actions to the clipboard; release it the way the app does at quit, or the process crashes on exit."""
    yield
    keep_clipboard_as_text()


@pytest.fixture
def qt_loop(qapp: QApplication) -> Iterator[qasync.QEventLoop]:
    """The app's arrangement (one qasync loop: Qt's event loop *is* the asyncio loop), for synchronous qtbot tests.

    The loop is created, set as the current loop and marked as the running one
    (``asyncio._set_running_loop``, what ``run_forever`` does), but never run:
    the test body stays synchronous, and whatever processes Qt events -
    ``qtbot.waitUntil``, ``waitSignal``, ``waitExposed`` - also runs the asyncio
    callbacks, which qasync turns into Qt timers and socket notifiers. So a slot
    that calls ``spawn()`` works as in the app, and a test waits for a
    condition with ``qtbot.waitUntil``/``waitSignal``, never by sleeping; to
    await a coroutine from the test body use :func:`drive` (not
    ``loop.run_until_complete``: the loop counts as running).

    Teardown cancels leftover tasks and drives them to their end, unsets the
    running loop (pytest-asyncio tests later in the session need none) and
    closes the loop. qasync's own ``already_running=True`` is avoided: ending
    it means ``stop()``, which calls ``QApplication.exit()`` outside ``exec()``
    and makes every later ``QEventLoop.exec()`` - so ``qtbot.waitSignal`` -
    return at once.
    """
    loop = qasync.QEventLoop(qapp)
    asyncio.set_event_loop(loop)
    asyncio._set_running_loop(loop)
    try:
        yield loop
    finally:
        leftovers = [task for task in asyncio.all_tasks(loop) if not task.done()]
        for task in leftovers:
            task.cancel()
        deadline = loop.time() + 10
        while any(not task.done() for task in leftovers) and loop.time() < deadline:
            qapp.processEvents()
        asyncio._set_running_loop(None)
        asyncio.set_event_loop(None)
        loop.close()


def drive(qtbot: Any, coro: Coroutine[Any, Any, T], timeout_ms: int = RUN_TIMEOUT_MS) -> T:
    """Run ``coro`` to its end on the Qt-driven loop (see ``qt_loop``) and return its result."""
    task = asyncio.get_running_loop().create_task(coro)
    qtbot.waitUntil(task.done, timeout=timeout_ms)
    return task.result()


@pytest.fixture
def project_file(tmp_path: Path) -> Path:
    """The bundled example copied into a folder of its own, with its SQLite database."""
    folder = tmp_path / "project"
    folder.mkdir()
    shutil.copy(EXAMPLE, folder / EXAMPLE.name)
    shutil.copy(EXAMPLE.parent / "demo.sqlite", folder / "demo.sqlite")
    return folder / EXAMPLE.name


@pytest.fixture
def window_on(qtbot: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Callable[[Path], Any]:
    """Opens the editor's main window on a project file, shown, with its settings and recovery folder in ``tmp_path``.

    Closing a window with unsaved work asks; a test that leaves edits behind answers Discard (a test that wants
    another answer patches ``QMessageBox.question`` again in its body).
    """
    from PySide6.QtCore import QSettings
    from PySide6.QtWidgets import QMessageBox

    from app.editor.document import Document
    from app.ui.main_window import MainWindow

    monkeypatch.setattr(QMessageBox, "question", lambda *args, **kwargs: QMessageBox.StandardButton.Discard)

    def open_window(path: Path) -> MainWindow:
        document = Document()
        document.open(path)
        main = MainWindow(document, QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat), recovery_dir=tmp_path / "recovery")
        qtbot.addWidget(main)
        main.show()
        qtbot.waitExposed(main)
        return main

    return open_window


@pytest.fixture
def window(window_on: Callable[[Path], Any], project_file: Path) -> Any:
    """The editor's main window on a copy of the example, shown; a module that needs another window defines its own."""
    return window_on(project_file)


@pytest.fixture
def runner(qt_loop: qasync.QEventLoop, qtbot: Any, project_file: Path, tmp_path: Path) -> Iterator[RunnerProcess]:
    """A started runner process on that copy (stopped at the end)."""
    process = RunnerProcess(project_file, output_dir=tmp_path / "output")
    drive(qtbot, process.start())
    yield process
    drive(qtbot, process.stop())


def open_example_window(qtbot: Any, tmp_path: Path, step_delay_ms: int) -> Any:
    """The editor's main window on a saved copy of the example whose report steps take ``step_delay_ms``,
    with its own runner (not started) and a downloads folder in ``tmp_path``. Close it with ``close_window``."""
    from PySide6.QtCore import QSettings

    from app.core.project_file import load_project, save_project
    from app.editor.document import Document
    from app.ui.main_window import MainWindow

    folder = tmp_path / "project"
    folder.mkdir()
    shutil.copy(EXAMPLE.parent / "demo.sqlite", folder / "demo.sqlite")
    path = folder / EXAMPLE.name
    save_project(with_step_delay(load_project(EXAMPLE), step_delay_ms), path)
    document = Document()
    document.open(path)
    window = MainWindow(document, QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat), recovery_dir=tmp_path / "recovery")
    window.runner = RunnerProcess(path, output_dir=tmp_path / "output")
    window.run_panel.runner = window.runner
    window.designer.downloads_dir = tmp_path / "downloads"
    qtbot.addWidget(window)
    window.resize(1440, 900)
    window.show()
    qtbot.waitExposed(window)
    return window


def close_window(qtbot: Any, window: Any) -> None:
    """Leave nothing running: the preview's session and the window's runner."""
    window.document.undo_stack().setClean()
    session = window.designer.session
    window.designer.shut_down()
    if session is not None:
        drive(qtbot, session.close())
    drive(qtbot, window.runner.stop())
