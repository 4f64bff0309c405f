"""Help figures: what the Help dialogs cost to open, against building the main window in the same run.

Run: ``QT_QPA_PLATFORM=offscreen .venv/bin/python tests/perf/bench_help.py``.
Prints medians and ratios against the baseline (constructing and showing the
main window on the bundled example); never fails on time. The dialogs are
built on first use, so the window's start-up pays only for the Help menu's
actions; the figures say what the first and later openings cost.
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from PySide6.QtCore import QSettings  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

ROUNDS = 5


def _median_ms(samples: list[float]) -> float:
    return statistics.median(samples) * 1000


def _timed(action: Callable[[], object], app: QApplication) -> float:
    started = time.perf_counter()
    action()
    app.processEvents()
    return time.perf_counter() - started


def _one_round(app: QApplication, folder: Path, index: int) -> dict[str, float]:
    """Build the window once, then open each Help dialog: seconds per step."""
    from tests.conftest import EXAMPLE

    from app.editor.document import Document
    from app.ui.help.formula_reference import FormulaReference, show_formula_reference
    from app.ui.help.getting_started import show_getting_started
    from app.ui.help.shortcuts import show_shortcuts
    from app.ui.main_window import MainWindow

    settings = QSettings(str(folder / f"settings-{index}.ini"), QSettings.Format.IniFormat)
    started = time.perf_counter()
    document = Document()
    document.open(EXAMPLE)
    window = MainWindow(document, settings, recovery_dir=folder / f"recovery-{index}")
    window.show()
    app.processEvents()
    times = {BASELINE: time.perf_counter() - started}
    times["formula reference, first opening"] = _timed(lambda: show_formula_reference(window), app)
    dialog = window.findChild(FormulaReference)
    assert dialog is not None
    dialog.close()
    times["formula reference, later opening"] = _timed(lambda: show_formula_reference(window, select="join"), app)
    times["formula reference, one search"] = _timed(lambda: dialog.search.setText("round"), app)
    dialog.close()
    times["keyboard shortcuts (generated)"] = _timed(lambda: show_shortcuts(window), app)
    times["getting started, first opening"] = _timed(lambda: show_getting_started(window), app)
    window.document.undo_stack().setClean()
    window.close()
    window.deleteLater()
    app.processEvents()
    return times


BASELINE = "main window built and shown (baseline)"


def main() -> None:
    app = QApplication.instance() or QApplication([])
    assert isinstance(app, QApplication)
    with tempfile.TemporaryDirectory() as folder:
        rounds = [_one_round(app, Path(folder), index) for index in range(ROUNDS)]
    baseline = _median_ms([times[BASELINE] for times in rounds])
    print(f"{BASELINE}: {baseline:.1f} ms (median of {ROUNDS})")
    for label in rounds[0]:
        if label != BASELINE:
            value = _median_ms([times[label] for times in rounds])
            print(f"{label:<38} {value:8.1f} ms   {value / baseline:5.2f}x the window")


if __name__ == "__main__":
    main()
