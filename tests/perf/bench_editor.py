"""Editor figures: start to main window, a 2,000-action workflow opened and drawn, one reorder, memory.

Run: ``QT_QPA_PLATFORM=offscreen .venv/bin/python tests/perf/bench_editor.py`` (or ``make bench``).
Prints figures and ratios against baselines measured in the same run; never fails on time.
Goals (editor issue): start median < 0.6 s; 2,000 actions opened and drawn < 1 s; one reorder < 50 ms.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

STARTS = 5
REORDERS = 20

START_EDITOR = """
import time, sys
started = float(sys.argv[1])
from PySide6.QtWidgets import QApplication
from PySide6.QtCore import QSettings
app = QApplication([])
from app.editor.document import Document
from app.ui.main_window import MainWindow
document = Document()
document.open(sys.argv[2])
window = MainWindow(document, QSettings(sys.argv[3], QSettings.Format.IniFormat), recovery_dir=sys.argv[4])
window.show()
app.processEvents()
window.canvas.viewport().repaint()
print(time.time() - started)
"""

START_BASELINE = """
import time, sys
started = float(sys.argv[1])
from PySide6.QtWidgets import QApplication, QMainWindow, QLabel
app = QApplication([])
window = QMainWindow(); window.setCentralWidget(QLabel("hello")); window.show()
app.processEvents()
print(time.time() - started)
"""


def _start_time(script: str, *args: str) -> float:
    result = subprocess.run([sys.executable, "-c", script, str(time.time()), *args], capture_output=True, text=True, cwd=ROOT, check=True)
    return float(result.stdout.strip().splitlines()[-1])


def _rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def _big_project(path: Path) -> None:
    from app.core.project import Action, Endpoint, Project
    from app.core.project_file import save_project

    actions: list[Action] = []
    for index in range(400):  # 400 x (loop + 3 children + if) = 2,000 actions
        body = [
            Action(id=f"set_{index}", type="variable.set", params={"name": "n", "value": {"$formula": "loop.count"}}),
            Action(id=f"send_{index}", type="stream.send", params={"eventData": {"status": "progress", "done": {"$formula": "loop.count"}, "total": {"$formula": "loop.total"}}}),
            Action(id=f"wait_{index}", type="flow.wait", params={"milliseconds": 1}),
        ]
        actions.append(Action(id=f"loop_{index}", type="flow.loop", params={"mode": "repeat", "times": 3}, slots={"body": body}))
        actions.append(Action(id=f"log_{index}", type="debug.log", params={"message": "step"}))
    save_project(Project(name="big", endpoints=[Endpoint(name="big", path="/big", workflow=actions)]), path)


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        scratch = Path(folder)
        example = ROOT / "resources" / "examples" / "demo.streamwright.json"
        args = (str(example), str(scratch / "settings.ini"), str(scratch / "recovery"))
        _start_time(START_BASELINE)  # warm the file cache once for both
        editor = [_start_time(START_EDITOR, *args) for _ in range(STARTS)]
        baseline = [_start_time(START_BASELINE) for _ in range(STARTS)]

        from PySide6.QtCore import QSettings
        from PySide6.QtWidgets import QApplication

        app = QApplication.instance() or QApplication([])
        from app.editor.commands.actions import MoveActionCommand
        from app.editor.document import Document
        from app.ui.main_window import MainWindow

        rss_before = _rss_mb()
        document = Document()
        document.open(example)
        window = MainWindow(document, QSettings(str(scratch / "s.ini"), QSettings.Format.IniFormat), recovery_dir=scratch / "recovery")
        window.show()
        app.processEvents()
        rss_example = _rss_mb()

        big = scratch / "big.streamwright.json"
        _big_project(big)
        started = time.perf_counter()
        window.open_file(big)
        app.processEvents()
        window.canvas.viewport().repaint()
        opened = time.perf_counter() - started
        rss_big = _rss_mb()

        reorders: list[float] = []
        checks: list[float] = []
        for index in range(REORDERS):
            started = time.perf_counter()
            document.push(MoveActionCommand(document, "big", (index * 2,), (index * 2 + 4,)))
            app.processEvents()
            window.canvas.viewport().repaint()
            reorders.append(time.perf_counter() - started)
            started = time.perf_counter()
            document.flush_problems()  # what the Document does PROBLEMS_DELAY_MS after the last edit
            app.processEvents()
            checks.append(time.perf_counter() - started)
        document.undo_stack().setClean()  # closing with unsaved edits would ask, and wait for an answer
        window.close()

    from app.editor.document import PROBLEMS_DELAY_MS

    start_median, base_median = statistics.median(editor), statistics.median(baseline)
    reorder_median = statistics.median(reorders)
    print(f"start to main window shown, example loaded: median {start_median:.3f} s over {STARTS} runs "
          f"(bare Qt window: {base_median:.3f} s, ratio {start_median / base_median:.2f})   goal < 0.6 s: {'met' if start_median < 0.6 else 'NOT met'}")
    print(f"2,000-action workflow opened and drawn: {opened:.3f} s   goal < 1 s: {'met' if opened < 1 else 'NOT met'}")
    print(f"one drag-reorder in it (command, signals, redraw): median {1000 * reorder_median:.1f} ms, max {1000 * max(reorders):.1f} ms over {REORDERS}   goal < 50 ms: {'met' if reorder_median < 0.05 else 'NOT met'}")
    print(f"  then, {PROBLEMS_DELAY_MS} ms after the last edit, validation + lint of the project and its markers: median {1000 * statistics.median(checks):.1f} ms")
    print(f"editor memory (RSS): {rss_before:.0f} MB before the window, {rss_example:.0f} MB with the example, {rss_big:.0f} MB with 2,000 actions open")


if __name__ == "__main__":
    main()
