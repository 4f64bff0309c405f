"""Start the editor: Qt application, the main window, then an asyncio loop inside Qt's (qasync).

Workflows never run here: the Run panel and the preview talk to a runner
process through ``app.client``, whose coroutines run on this loop.

The window is shown, with its project open, before asyncio and qasync are
imported and the loop installed (about 60 ms of the start-up): nothing runs
a coroutine before the loop runs, and input given meanwhile waits in Qt's queue.
"""

from __future__ import annotations

import gc
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QEventLoop, QSettings, QTimer
from PySide6.QtGui import QGuiApplication, QIcon
from PySide6.QtWidgets import QApplication

from app import __version__
from app.resources import resource_path
from app.ui.main_window import APPLICATION, ORGANIZATION, MainWindow
from app.ui.qt_system_libs import check_before_qt, default_memo

EXAMPLE = resource_path("examples", "demo.streamwright.json")
DESKTOP_FILE_NAME = "io.streamwright.Streamwright"
QUIT_WHEN_SHOWN_ENV = "STREAMWRIGHT_QUIT_WHEN_SHOWN"
"""Set to 1: print ``main window shown at <time.time()>`` once the window is up, then quit (smoke test, start-up timing)."""


def initial_file(argument: str | None, settings: QSettings) -> Path | None:
    """The file given, else the one open last time (if it still exists), else the bundled example."""
    if argument:
        return Path(argument)
    last = settings.value("lastFile")
    if isinstance(last, str) and Path(last).is_file():
        return Path(last)
    return EXAMPLE if EXAMPLE.is_file() else None


def keep_clipboard_as_text() -> None:
    """At quit, turn clipboard data this app set (actions as JSON) into plain text.

    PySide6 crashes at interpreter exit while tearing down a ``QMimeData`` the
    clipboard still holds; plain text is safe, and it keeps the copied JSON
    pasteable into other programs.
    """
    clipboard = QGuiApplication.clipboard()
    mime = clipboard.mimeData()
    if mime is None or not mime.formats() or mime.formats() == ["text/plain"]:
        return
    text = clipboard.text()
    clipboard.clear()
    if text:
        clipboard.setText(text)


def app_icon() -> QIcon:
    """The icon at every rendered size, so title bars and task switchers pick a sharp one instead of scaling."""
    icon = QIcon()
    for png in sorted(resource_path("icons", "app").glob("streamwright-*.png")):
        icon.addFile(str(png))
    return icon


def handle_show() -> None:
    """Run Qt's event loop until it has handled what is pending (the window's show and first paint)."""
    settle = QEventLoop()
    QTimer.singleShot(0, settle.quit)
    settle.exec()


def collect_garbage_again() -> None:
    """Turn the cycle collector back on once the window is shown, leaving out what start-up built.

    ``streamwright FILE`` starts with it off (``app.cli.launch``): start-up
    allocates the modules, classes, validators and widgets the app keeps for
    its whole life, and collecting them over and over (about 130 passes) cost a
    tenth of the start. ``gc.freeze`` keeps later passes from walking them
    again; start-up garbage is still freed by reference counting, only cycles
    made before the show stay (a bounded, one-off amount).
    """
    gc.freeze()
    gc.enable()


def report_shown_and_quit() -> None:
    """Say when the main window was up, for whoever launched us to time it, then quit the normal way.

    Called once the event loop has handled the show; the quit is queued, so the
    asyncio loop is still installed and run, as in any start.
    """
    print(f"main window shown at {time.time()}", flush=True)
    QTimer.singleShot(0, QApplication.quit)


def main(argument: str | None = None, when_shown: Callable[[], None] | None = None) -> int:
    """Show the editor on ``argument`` (see ``initial_file``); ``when_shown`` runs once the window is up (the launcher undoes its start-up settings)."""
    if QApplication.instance() is None:
        problem = check_before_qt(memo=default_memo())  # Qt would abort here, blaming the wrong library
        if problem is not None:
            print(problem, file=sys.stderr)
            return 1
    application = QApplication.instance() or QApplication(sys.argv[:1])
    application.setOrganizationName(ORGANIZATION)
    application.setApplicationName(APPLICATION)
    application.setApplicationVersion(__version__)
    QGuiApplication.setWindowIcon(app_icon())
    QGuiApplication.setDesktopFileName(DESKTOP_FILE_NAME)  # Wayland takes the window icon from the installed .desktop entry
    window = MainWindow()
    window.restore_window_state()
    window.show()
    if not window.offer_recovery():
        path = initial_file(argument, window.settings)
        if path is not None and not window.open_file(path) and argument:
            return 1
    handle_show()
    collect_garbage_again()
    if when_shown is not None:
        when_shown()
    if os.environ.get(QUIT_WHEN_SHOWN_ENV) == "1":
        report_shown_and_quit()
    import asyncio  # after the show, with qasync: the window needs no coroutine to appear

    import qasync

    loop = qasync.QEventLoop(application)
    asyncio.set_event_loop(loop)
    closed = asyncio.Event()
    application.aboutToQuit.connect(keep_clipboard_as_text)
    application.aboutToQuit.connect(closed.set)
    with loop:
        loop.run_until_complete(closed.wait())
    return 0
