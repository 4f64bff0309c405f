"""The Qt binding the app ships with must survive a long live preview.

PySide6 6.12.0 loses a reference to ``None`` on every Qt call that returns
nothing (``setValue``, ``setText``...): after some thousands of them Python
frees ``None`` and aborts. A live preview makes such calls on every frame, so
the project pins a release without the bug; this test fails if one comes back.
"""

from __future__ import annotations

import sys

from PySide6.QtWidgets import QLabel, QProgressBar


def test_many_void_qt_calls_leave_the_reference_count_of_none_alone(qtbot):
    bar, label = QProgressBar(), QLabel()
    qtbot.addWidget(bar)
    qtbot.addWidget(label)
    before = sys.getrefcount(None)
    for index in range(5_000):  # well below where the faulty release aborts (~10,000 calls)
        bar.setValue(index % 100)
        label.setText("x")
    drift = sys.getrefcount(None) - before
    assert abs(drift) < 100, f"{drift} references to None lost over 10,000 calls"  # the faulty release: -10,000
