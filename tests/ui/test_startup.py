"""Start-up stays lean: `streamwright FILE` shows its window without the modules only later work needs.

Start-up time is measured by ``tests/perf/bench_editor.py`` (never asserted here); this
keeps what it measured from creeping back: the command line's own modules, the HTTP
client and server, and the views built on first use are not imported before the window
shows. A module added to this list is one the window does not need to show.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QInputDialog, QMessageBox, QPushButton

from app.cli.launch import COMMANDS, opens_editor
from app.cli.main import build_parser
from tests.conftest import EXAMPLE, ROOT

NOT_BEFORE_THE_WINDOW = (
    "app.editor.commands.pages",  # with the first page edit
    "app.editor.commands.recordings",  # with the first recording saved
    "app.editor.preview.binding_scope",  # with the first completion (the message shapes of every action type)
    "app.core.stream_shapes",
    "app.core.upstream",  # with the first upstream stream (AI chat, HTTP stream) run
    "difflib",  # with the first change to a list
    "html",  # with the first run error shown
    "app.cli.main",  # every command's imports (rich, the health checks, the API description, ...)
    "rich",
    "httpx",  # with the first run
    "uvicorn",
    "starlette",
    "app.runner",
    "app.ui.page_designer",  # with the first page shown
    "app.ui.stream_inspector",  # with the first run followed or the Stream dock shown
    "app.ui.inspector.param_form",  # with the first action selected
    "app.ui.inspector.widget_inspector",
    "app.ui.quick_add",
    "app.ui.find_action",
)

AFTER_THE_SHOW = (
    "asyncio",  # with the loop (qasync), installed once the window is shown; with it ssl, sockets, subprocesses
    "ssl",
    "concurrent.futures",  # the formula workers' threads, made on first use
    "subprocess",  # with asyncio; ldd only on X11
    "qasync",
    "app.core.read_deadline",  # with the first upstream stream read
)
"""Modules the editor imports only after its window is shown (the list above: not even then)."""

SHOW_AND_LIST_MODULES = """
import json, os, sys
os.environ["STREAMWRIGHT_QUIT_WHEN_SHOWN"] = "1"
from app.cli.launch import main
code = main([sys.argv[1]])
print("modules " + json.dumps(sorted(sys.modules)))
sys.exit(code)
"""


SHOWN_THEN_LOOP = """
import gc, json, os, sys
os.environ["STREAMWRIGHT_QUIT_WHEN_SHOWN"] = "1"
import app.cli.launch as launch
seen = {}
AFTER_THE_SHOW = json.loads(sys.argv[2])

def shown():
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication
    window = next(w for w in QApplication.topLevelWidgets() if w.objectName() == "MainWindow")
    seen.update(at_show=sorted(name for name in AFTER_THE_SHOW if name in sys.modules))
    import linecache  # PySide's import hook reads a module's source through it when it has no answer for the module
    ours = [path for path in linecache.cache if any(f"/app/{layer}/" in path for layer in ("ui", "editor"))]
    libraries = [path for path in linecache.cache if "/site-packages/" in path and not any(f"/{pyside}/" in path for pyside in ("PySide6", "shiboken6"))]
    read = ours + libraries  # PySide reads its own two packages while it starts, before it has its table
    seen.update(sources_read=sorted(read))
    seen.update(qasync=("qasync" in sys.modules), visible=window.isVisible(), title=window.windowTitle(), endpoint=window.endpoint)
    seen.update(collecting=gc.isenabled(), frozen=gc.get_freeze_count())
    from pydantic.plugin import _loader
    seen.update(plugins_looked_up=_loader._plugins is not None, plugins_env=os.environ.get("PYDANTIC_DISABLE_PLUGINS"))
    import PySide6.QtGui as gui
    import PySide6.QtWidgets as widgets
    built = [name for name in ("QStyle", "QWizard", "QColorDialog", "QMdiArea", "QFileDialog", "QMessageBox", "QInputDialog") if name in vars(widgets)]
    built += [name for name in ("QGradient", "QFontDatabase") if name in vars(gui)]  # fillRect(rect, colour) and QBrush(colour) build QGradient (their overloads)
    seen.update(qt_classes_built=sorted(built))
    from app.ui.async_runtime import spawn
    QTimer.singleShot(0, lambda: spawn(after()))

async def after():
    import asyncio
    from PySide6.QtWidgets import QApplication
    await asyncio.sleep(0)
    seen["coroutine_ran"] = True
    QApplication.quit()

import app.ui.pyside_source_check as source_check
record = source_check.record_known_modules

def record_then_listen(loaded):  # the editor's modules load as in any start, then its shown report is ours
    answers = record(loaded)
    import app.ui.app as editor
    editor.report_shown_and_quit = shown
    return answers

source_check.record_known_modules = record_then_listen
code = launch.main([sys.argv[1]])
print("seen " + json.dumps(seen))
sys.exit(code)
"""


def test_the_launcher_knows_every_command_of_the_command_line() -> None:
    assert build_parser().get_default("command_names") == COMMANDS
    assert opens_editor([]) and opens_editor(["project.streamwright.json"]) and opens_editor(["run.json"])
    assert not opens_editor(["run"]) and not opens_editor(["--version"]) and not opens_editor(["a.json", "b.json"])


def test_the_window_shows_without_what_only_later_work_needs(tmp_path: Path) -> None:
    env = {**os.environ, "HOME": str(tmp_path), "XDG_CONFIG_HOME": str(tmp_path / ".config"), "QT_QPA_PLATFORM": "offscreen"}
    result = subprocess.run([sys.executable, "-c", SHOW_AND_LIST_MODULES, str(EXAMPLE)], capture_output=True, text=True, cwd=ROOT, env=env, timeout=300)
    assert result.returncode == 0, result.stderr
    assert "main window shown at" in result.stdout, result.stdout
    modules = set(json.loads(result.stdout.split("modules ", 1)[1]))
    assert "app.ui.main_window" in modules and "app.core.project" in modules
    loaded = sorted(name for name in modules if any(name == lean or name.startswith(lean + ".") for lean in NOT_BEFORE_THE_WINDOW))
    assert loaded == [], f"imported before the main window showed: {loaded}"
    dialogs = sorted(name for name in modules if name.startswith("app.") and "dialog" in name.rsplit(".", 1)[-1])
    assert dialogs == [], f"a dialog is built when it is asked for, not at start-up: {dialogs}"


def test_the_window_shows_with_its_project_before_the_asyncio_loop_is_installed_and_the_loop_then_runs(tmp_path: Path) -> None:
    """asyncio and qasync are imported once the event loop has handled the show; coroutines (the Run panel, the preview) run as before.

    The cycle collector, off while start-up builds what the app keeps, is on again once the window shows.
    """
    env = {**os.environ, "HOME": str(tmp_path), "XDG_CONFIG_HOME": str(tmp_path / ".config"), "QT_QPA_PLATFORM": "offscreen"}
    command = [sys.executable, "-c", SHOWN_THEN_LOOP, str(EXAMPLE), json.dumps(AFTER_THE_SHOW)]
    result = subprocess.run(command, capture_output=True, text=True, cwd=ROOT, env=env, timeout=300)
    assert result.returncode == 0, result.stderr
    seen = json.loads(result.stdout.split("seen ", 1)[1])
    assert seen["qasync"] is False and seen["visible"] is True
    assert seen["at_show"] == [], f"imported before the main window showed: {seen['at_show']}"
    assert seen["sources_read"] == [], seen["sources_read"]  # PySide had its answers for our Qt modules and for what was loaded before it
    assert EXAMPLE.name.split(".")[0] in seen["title"] and seen["endpoint"], seen  # the project's content, not an empty window
    assert seen["coroutine_ran"] is True
    assert seen["collecting"] is True and seen["frozen"] > 10_000, seen  # start-up's objects are left out of later passes
    assert seen["plugins_looked_up"] is False and seen["plugins_env"] is None, seen  # no plugin scan before the show; the environment is the user's again
    assert seen["qt_classes_built"] == [], seen  # PySide builds a class (and all its enums) on first use: none the window does not need


def test_a_pydantic_plugin_setting_of_the_user_is_kept() -> None:
    from app.cli.launch import PYDANTIC_PLUGINS_ENV, defer_pydantic_plugins

    saved = os.environ.pop(PYDANTIC_PLUGINS_ENV, None)
    try:
        resume = defer_pydantic_plugins()
        assert os.environ[PYDANTIC_PLUGINS_ENV] == "__all__"
        resume()
        assert PYDANTIC_PLUGINS_ENV not in os.environ
        os.environ[PYDANTIC_PLUGINS_ENV] = "logfire"
        defer_pydantic_plugins()()
        assert os.environ[PYDANTIC_PLUGINS_ENV] == "logfire"
    finally:
        os.environ.pop(PYDANTIC_PLUGINS_ENV, None)
        if saved is not None:
            os.environ[PYDANTIC_PLUGINS_ENV] = saved


def test_the_qt_layers_modules_are_listed_from_their_folders() -> None:
    """What the launcher tells PySide about: every module of app.ui and app.editor, packages included, nothing imported to find them."""
    from app.ui.pyside_source_check import module_names

    names = set(module_names("app.ui")) | set(module_names("app.editor"))
    assert {"app.ui", "app.ui.main_window", "app.ui.inspector", "app.ui.inspector.inspector", "app.editor.document", "app.editor.commands.actions"} <= names
    assert all(name.startswith(("app.ui", "app.editor")) for name in names)
    files = [*(ROOT / "app" / "ui").rglob("*.py"), *(ROOT / "app" / "editor").rglob("*.py")]
    assert len(names) == len(files)


def test_the_page_buttons_work_though_their_commands_load_with_the_first_click(qtbot: Any, window: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """The page commands are imported on the first page edit, not at start-up: New, Duplicate, Rename and Delete still act, and undo."""
    panel = window.sidebar.pages
    buttons = {button.text(): button for button in panel.findChildren(QPushButton)}
    document = window.document
    before = [page.name for page in document.project.pages]

    qtbot.mouseClick(buttons["New"], Qt.MouseButton.LeftButton)
    created = panel.current
    assert created is not None and [page.name for page in document.project.pages] == [*before, created]
    qtbot.mouseClick(buttons["Duplicate"], Qt.MouseButton.LeftButton)
    copy = panel.current
    assert copy not in (None, created) and len(document.project.pages) == len(before) + 2
    monkeypatch.setattr(QInputDialog, "getText", lambda *_args, **_kwargs: ("renamed-copy", True))
    qtbot.mouseClick(buttons["Rename…"], Qt.MouseButton.LeftButton)
    assert panel.current == "renamed-copy" and copy not in [page.name for page in document.project.pages]
    monkeypatch.setattr(QMessageBox, "question", lambda *_args, **_kwargs: QMessageBox.StandardButton.Yes)
    qtbot.mouseClick(buttons["Delete"], Qt.MouseButton.LeftButton)
    assert [page.name for page in document.project.pages] == [*before, created]
    for _ in range(4):
        document.undo_stack().undo()
    assert [page.name for page in document.project.pages] == before


def test_the_bottom_docks_tab_bar_is_found_among_the_windows_own_tab_bars(window: Any) -> None:
    """The default layout's fit of the bottom docks looks only at the window's direct children (no wrapper per widget); it finds the same bar."""
    from PySide6.QtWidgets import QTabBar

    from app.ui.dock_layout import tab_bar_height

    dock = window.run_dock
    titles = {dock.windowTitle(), *(other.windowTitle() for other in window.tabifiedDockWidgets(dock))}
    assert len(titles) > 1, titles  # Run shares the bottom with other docks, as in the default layout
    bars = [bar for bar in window.findChildren(QTabBar) if bar.count() and {bar.tabText(i) for i in range(bar.count())} == titles]
    assert len(bars) == 1 and bars[0].isVisible()
    assert tab_bar_height(window, dock) == bars[0].sizeHint().height() > 0
    assert not window.tabifiedDockWidgets(window.inspector_dock) and tab_bar_height(window, window.inspector_dock) == 0


def test_the_canvas_paints_its_background_colour_around_the_cards(window: Any, qtbot: Any) -> None:
    """The background is drawn as a pen-less rectangle (fillRect would build QGradient at the first paint): the same colour, edge to edge."""
    from app.ui import theme

    viewport = window.canvas.viewport()
    qtbot.waitUntil(lambda: viewport.width() > 100 and viewport.height() > 100, timeout=10_000)
    image = viewport.grab().toImage()
    corners = [(0, 0), (image.width() - 1, 0), (0, image.height() - 1), (image.width() - 1, image.height() - 1)]
    assert [image.pixelColor(x, y).name() for x, y in corners] == [theme.CANVAS_BACKGROUND.name()] * 4


def test_the_run_messages_show_in_the_fixed_width_font_looked_up_with_the_first_row(qtbot: Any) -> None:
    """QFontDatabase is not needed to build the Run panel; a message's data cell is still in the system's fixed-width font."""
    from PySide6.QtGui import QFontDatabase

    from app.client.stream_state import StreamState
    from app.ui.run_messages_model import DATA, RunMessagesModel

    model = RunMessagesModel()
    state = StreamState()
    model.follow(state)
    state.add_message({"status": "progress"}, "1")
    assert model.sync() == 1
    font = model.data(model.index(0, DATA), Qt.ItemDataRole.FontRole)
    assert font == QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
    assert "progress" in model.data(model.index(0, DATA), Qt.ItemDataRole.DisplayRole)
