"""Run → Run stream tests: the project's streams checked against their expectations, as ``streamwright test`` does in CI."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QTreeWidget, QTreeWidgetItem, QVBoxLayout, QWidget

from app.ui import theme


class StreamTestsDialog(QDialog):
    """Shows one run of the stream tests: a row per test, its differences under it."""

    rerunRequested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Stream tests")
        self.resize(760, 440)
        self.summary = QLabel(self)
        self.summary.setWordWrap(True)
        self.summary.setStyleSheet("font-weight: 600; padding: 4px 0;")
        self.tree = QTreeWidget(self)
        self.tree.setHeaderLabels(["Test", "Endpoint", "Result", "Messages"])
        self.tree.setColumnWidth(0, 260)
        self.tree.setColumnWidth(1, 160)
        self.tree.setWordWrap(True)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        self.rerun = buttons.addButton("Run again", QDialogButtonBox.ButtonRole.ActionRole)
        self.rerun.clicked.connect(self.rerunRequested)
        buttons.rejected.connect(self.close)
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addWidget(self.tree, 1)
        layout.addWidget(buttons)

    def show_running(self) -> None:
        self.tree.clear()
        self.summary.setText("Running the stream tests in a separate process…")
        self.rerun.setEnabled(False)

    def show_error(self, message: str) -> None:
        self.summary.setText(f"The tests could not run: {message}")
        self.summary.setStyleSheet(f"font-weight: 600; color: {theme.ERROR.name()};")
        self.rerun.setEnabled(True)

    def show_report(self, report: dict[str, Any]) -> None:
        self.tree.clear()
        tests = report.get("tests") or []
        failed = [t for t in tests if not t.get("passed")]
        if not tests:
            self.summary.setText("This project has no stream tests yet: record a run, then Run → Add stream test from recording.")
        else:
            self.summary.setText(f"{len(tests)} stream test(s): {len(tests) - len(failed)} passed, {len(failed)} failed")
        colour = theme.ERROR if failed else QColor("#12936b")
        self.summary.setStyleSheet(f"font-weight: 600; color: {colour.name()};")
        for test in tests:
            passed = bool(test.get("passed"))
            item = QTreeWidgetItem([str(test.get("name")), str(test.get("endpoint")), "PASS" if passed else "FAIL", str(test.get("messages", ""))])
            item.setForeground(2, QColor("#12936b") if passed else theme.ERROR)
            for difference in test.get("differences") or []:
                text = difference.get("message") if isinstance(difference, dict) else str(difference)
                child = QTreeWidgetItem([str(text)])
                child.setToolTip(0, str(text))
                item.addChild(child)
            if test.get("error"):
                item.addChild(QTreeWidgetItem([str(test["error"])]))
            self.tree.addTopLevelItem(item)
            for index in range(item.childCount()):
                item.child(index).setFirstColumnSpanned(True)  # only takes once the item is in the tree
            item.setExpanded(not passed)
        self.rerun.setEnabled(True)

    def results(self) -> list[tuple[str, str]]:
        """(test name, PASS/FAIL) per row, for tests and screen readers alike."""
        return [(self.tree.topLevelItem(i).text(0), self.tree.topLevelItem(i).text(2)) for i in range(self.tree.topLevelItemCount())]
