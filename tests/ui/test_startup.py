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

from app.cli.launch import COMMANDS, opens_editor
from app.cli.main import build_parser
from tests.conftest import EXAMPLE, ROOT

NOT_BEFORE_THE_WINDOW = (
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

SHOW_AND_LIST_MODULES = """
import json, os, sys
os.environ["STREAMWRIGHT_QUIT_WHEN_SHOWN"] = "1"
from app.cli.launch import main
code = main([sys.argv[1]])
print("modules " + json.dumps(sorted(sys.modules)))
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
