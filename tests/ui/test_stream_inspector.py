"""The stream inspector fed by real runs: rows, gaps, sizes, the status filter, the timeline, the plot, health, saving."""

from __future__ import annotations

import bisect
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QApplication, QScrollArea

from app.client import RunnerProcess, StreamState
from app.core.project import Project
from app.core.project_file import load_project
from app.editor.commands.recordings import AddRecordingCommand
from app.editor.document import Document
from app.editor.stream_log import message_text
from app.ui.stream_dock_parts import PART_HEALTH, PART_TIMELINE, PARTS
from app.ui.stream_inspector import ORIGIN_PREVIEW, ORIGIN_RECORDING, ORIGIN_RUN, StreamInspector
from app.ui.stream_inspector.health_panel import OK_COLOUR, SEVERITY_COLOURS
from app.ui import theme
from app.ui.stream_inspector.messages_model import ACTION, DATA, GAP, PART, SEQUENCE, SIZE, STATUS, TIME, format_ms
from app.ui.stream_inspector.timeline import AXIS_H, LANE_H
from tests.conftest import ROOT, action, endpoint, formula
from tests.ui.conftest import RUN_TIMEOUT_MS, drive

SCREENSHOTS = ROOT / "tests" / "ui" / "screenshots"
WORDS = "streams show progress while the work is still running so nobody waits"


def inspector_project(path: Path) -> Project:
    """The demo project plus an endpoint that breaks the best practices and a busy import."""
    project = load_project(path)
    progress = {"status": "progress", "label": "Importing rows", "done": formula("loop.count"), "total": formula("loop.total")}
    project.endpoints += [
        endpoint(
            [action("hello", "stream.send", eventData={"status": "starting"}), action("half", "stream.send", eventData={"done": 1})],
            name="unfinished",
        ),
        endpoint(
            [
                action("send_starting", "stream.send", eventData={"status": "starting", "label": "Reading the file"}),
                action("read_file", "flow.wait", milliseconds=40),
                action(
                    "each_row",
                    "flow.loop",
                    {
                        "body": [
                            action("send_progress", "stream.send", eventData=progress),
                            action("store_row", "flow.wait", milliseconds=6),
                            action(
                                "every_25",
                                "flow.if",
                                {"then": [action("checkpoint", "stream.send", eventData={"status": "checkpoint", "rows": formula("loop.count")}), action("flush", "flow.wait", milliseconds=30)], "else": []},
                                condition=formula("loop.count % 25 = 0"),
                            ),
                        ]
                    },
                    mode="repeat",
                    times=100,
                ),
                action("send_done", "stream.send", eventData={"status": "done", "label": "Import finished", "done": 100, "total": 100}),
            ],
            name="import-rows",
        ),
        endpoint(
            [
                action("hello", "stream.send", eventData={"status": "starting"}),
                action("forecast", "stream.send", eventData={"status": "weather", "temp": 3}, part="weather"),
                action(
                    "rows",
                    "flow.loop",
                    {
                        "body": [
                            action("tick", "stream.send", eventData={"status": "progress", "done": formula("loop.count")}, part="status", transient=True),
                            action("row", "stream.send", eventData={"status": "chunk", "text": formula('"row " & loop.count')}),
                        ]
                    },
                    mode="repeat",
                    times=4,
                ),
                action("hold", "flow.wait", milliseconds=120_000),  # still under way when the dock starts following; the test cancels it
                action("bye", "stream.send", eventData={"status": "done"}),
            ],
            name="keyed-parts",
        ),
    ]
    return project


@pytest.fixture
def project(project_file: Path) -> Project:
    return inspector_project(project_file)


@pytest.fixture
def inspector(qtbot: Any) -> StreamInspector:
    widget = StreamInspector()
    qtbot.addWidget(widget)
    widget.resize(1400, 720)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def run_live(qtbot: Any, inspector: StreamInspector, runner: RunnerProcess, project: Project, name: str, inputs: dict[str, Any], *, state: StreamState | None = None, origin: str = ORIGIN_RUN) -> StreamState:
    """Start a traced call fed to the inspector, and wait until the inspector's own frames have shown all of it."""
    state = state if state is not None else StreamState()
    if inspector.log is None or inspector.log.state is not state:
        inspector.follow(state, name, origin, inputs=inputs)
    call = drive(qtbot, runner.run(project, name, inputs, state=state, trace=True))
    drive(qtbot, call.wait())
    log = inspector.log
    assert log is not None
    qtbot.waitUntil(lambda: log.ended and inspector.model.rowCount() == log.count == state.count and not inspector._frame.isActive(), timeout=RUN_TIMEOUT_MS)
    return state


def cell(inspector: StreamInspector, row: int, column: int, role: Qt.ItemDataRole = Qt.ItemDataRole.DisplayRole) -> Any:
    return inspector.model.data(inspector.model.index(row, column), role)


def test_a_live_run_fills_the_table_the_timeline_and_the_plot(qtbot: Any, runner: RunnerProcess, project: Project, inspector: StreamInspector) -> None:
    words = WORDS.split()
    state = StreamState()
    inspector.follow(state, "typewriter", ORIGIN_RUN)
    resets, inserts = [], []
    inspector.model.modelReset.connect(lambda: resets.append(1))
    inspector.model.rowsInserted.connect(lambda _parent, first, last: inserts.append(last - first + 1))
    run_live(qtbot, inspector, runner, project, "typewriter", {"text": WORDS, "delayMs": 10}, state=state)
    log = inspector.log
    assert log is not None and state.status == "done"
    count = len(words) + 2
    assert not resets and sum(inserts) == count and len(inserts) <= count  # appended in batches, never reset
    assert inspector.model.rowCount() == count
    assert inspector.table.isColumnHidden(PART), "no message carries a part: the column leaves its room to the data"
    assert [cell(inspector, row, SEQUENCE) for row in range(count)] == [str(n) for n in range(1, count + 1)]
    assert [cell(inspector, row, STATUS) for row in range(count)] == ["starting", *["chunk"] * len(words), "done"]
    assert [cell(inspector, row, ACTION) for row in range(count)] == ["send_starting", *["send_word"] * len(words), "send_done"]
    assert cell(inspector, 1, DATA) == message_text(state.chunks[1]) == '{"status":"chunk","text":"streams "}'
    for row in range(count):
        assert cell(inspector, row, SIZE) == f"{len(message_text(state.chunks[row]).encode()):,}"
        assert cell(inspector, row, TIME) == format_ms(log.t[row])
        assert cell(inspector, row, GAP) == ("—" if row == 0 else format_ms(log.t[row] - log.t[row - 1]))
    assert all(log.t[row] >= log.t[row - 1] for row in range(1, count))

    lanes = inspector.timeline.lanes()
    assert [lane.action_id for lane in lanes] == ["send_starting", "split_words", "each_word", "send_word", "pause_word", "send_done"]
    by_id = {lane.action_id: lane for lane in lanes}
    assert len(by_id["send_word"].ticks) == len(words) and by_id["pause_word"].runs == len(words)
    assert by_id["each_word"].runs == 1 and by_id["each_word"].total >= 0.1
    assert by_id["pause_word"].total >= 0.009 * len(words)
    # hovering a span tells its duration
    lane_y = 22 + 4 * 20 + 10  # the axis, then the fifth lane (pause_word)
    x = inspector.timeline.x_of(by_id["pause_word"].starts[3] + 0.004)
    text = inspector.timeline.describe_at(QPointF(x, lane_y))
    assert "pause_word" in text and "run 4 of" in text and "took" in text and "ms" in text

    buckets = inspector.plot.buckets()
    assert sum(buckets.messages) == count
    assert sum(buckets.bytes) == sum(log.size[i] for i in range(count)) == log.bytes_total()
    assert buckets.bucket_s == 0.1  # a short run is plotted in tenths of a second
    assert "typewriter" in inspector.title.text() and inspector.origin_label.text() == ORIGIN_RUN
    assert f"{count} messages" in inspector.details.text() and "done" in inspector.status_label.text()


def test_the_status_filter_shows_one_status_without_copying_rows(qtbot: Any, runner: RunnerProcess, project: Project, inspector: StreamInspector) -> None:
    run_live(qtbot, inspector, runner, project, "typewriter", {"text": "one two three", "delayMs": 0})
    combo = inspector.status_filter
    assert [combo.itemText(i) for i in range(combo.count())] == ["All · 5", "starting · 1", "chunk · 3", "done · 1"]
    inspector.table.selectRow(2)  # "two "
    inspector.set_status_filter("chunk")
    assert inspector.model.rowCount() == 3
    assert [cell(inspector, row, DATA) for row in range(3)] == ['{"status":"chunk","text":"one "}', '{"status":"chunk","text":"two "}', '{"status":"chunk","text":"three"}']
    assert [cell(inspector, row, SEQUENCE) for row in range(3)] == ["2", "3", "4"]
    assert cell(inspector, 1, GAP) == format_ms(inspector.log.gap(2))  # the gap is to the previous message, shown or not
    assert inspector.selected_log_index() == 2  # the selection follows the filter
    inspector.set_status_filter("done")
    assert inspector.model.rowCount() == 1 and cell(inspector, 0, SEQUENCE) == "5"
    inspector.set_status_filter(None)
    assert inspector.model.rowCount() == 5


def test_selecting_a_message_selects_the_action_that_sent_it(qtbot: Any, runner: RunnerProcess, project: Project, inspector: StreamInspector) -> None:
    run_live(qtbot, inspector, runner, project, "generate-report", {"stepDelayMs": 1})
    with qtbot.waitSignal(inspector.actionSelected, timeout=RUN_TIMEOUT_MS) as selected:
        inspector.table.selectRow(2)
    assert selected.args == ["generate-report", "send_calculating"]
    log = inspector.log
    assert log is not None and inspector.timeline.marker == log.tick_time(2) and inspector.timeline.highlighted == "send_calculating"
    with qtbot.waitSignal(inspector.actionSelected, timeout=RUN_TIMEOUT_MS) as selected:
        qtbot.mouseClick(inspector.table.viewport(), Qt.MouseButton.LeftButton, pos=inspector.table.visualRect(inspector.model.index(4, DATA)).center())
    assert selected.args == ["generate-report", "send_done"]


def health_tab(inspector: StreamInspector) -> tuple[str, QColor]:
    """The Health tab's tooltip and the colour of its badge (left of the number or the tick in it)."""
    index = PARTS.index(PART_HEALTH)
    badge = inspector.parts.tabIcon(index).pixmap(16, 16).toImage()
    return inspector.parts.tabToolTip(index), badge.pixelColor(2, 8)


def test_health_findings_are_listed_and_lead_to_their_message(qtbot: Any, runner: RunnerProcess, project: Project, inspector: StreamInspector) -> None:
    tip, badge = health_tab(inspector)
    assert "not checked yet" in tip and badge.alpha() == 0, "no run yet: no badge, but its room is kept"
    run_live(qtbot, inspector, runner, project, "unfinished", {})
    texts = inspector.health.finding_texts()
    errors = sum(1 for text in texts if "without a final message" in text)
    tip, badge = health_tab(inspector)
    assert inspector.health.verdict == ("error", errors) and f"{errors} error" in tip, "seen from any tab: the Health tab has a badge"
    assert badge.name() == SEVERITY_COLOURS["error"].name()
    assert inspector.current_part() == PART_TIMELINE, "a finding never switches the tab under the user"
    assert any("without a final message" in text for text in texts), texts
    assert any("no status" in text for text in texts), texts
    assert "error" in inspector.health.title.text()
    assert "peak" in inspector.health.summary.text()
    inspector.set_status_filter("starting")  # hides message 2
    findings = inspector.health.findings
    row = next(i for i in range(findings.count()) if "no status" in texts[i])
    with qtbot.waitSignal(inspector.actionSelected, timeout=RUN_TIMEOUT_MS) as selected:
        findings.itemClicked.emit(findings.item(row))
    assert selected.args == ["unfinished", "half"]
    assert inspector.status_filter.currentData() is None and inspector.selected_log_index() == 1


def test_saving_a_run_as_a_recording_and_showing_it(qtbot: Any, runner: RunnerProcess, project: Project, inspector: StreamInspector) -> None:
    state = run_live(qtbot, inspector, runner, project, "typewriter", {"text": "one two", "delayMs": 0}, origin=ORIGIN_PREVIEW)
    assert inspector.save_button.isEnabled()
    with qtbot.waitSignal(inspector.saveRequested, timeout=RUN_TIMEOUT_MS):
        qtbot.mouseClick(inspector.save_button, Qt.MouseButton.LeftButton)
    document = Document(project.model_copy(update={"recordings": []}))
    document.push(AddRecordingCommand(document, inspector.recording(inspector.suggested_name(), document.project)))
    document.push(AddRecordingCommand(document, inspector.recording(inspector.suggested_name(), document.project)))
    assert [r.name for r in document.project.recordings] == ["typewriter", "typewriter-2"]
    recording = document.project.recordings[0]
    assert [m.data for m in recording.messages] == state.chunks and recording.inputs == {"text": "one two", "delayMs": 0}
    assert [m.action_id for m in recording.messages] == ["send_starting", "send_word", "send_word", "send_done"]

    inspector.show_recording(recording)
    assert inspector.origin_label.text() == ORIGIN_RECORDING and not inspector.save_button.isEnabled()
    assert inspector.model.rowCount() == 4 and cell(inspector, 1, ACTION) == "send_word"
    assert [lane.action_id for lane in inspector.timeline.lanes()] == ["send_starting", "send_word", "send_done"]
    assert "no problems found" in inspector.health.title.text()
    tip, badge = health_tab(inspector)
    assert inspector.health.verdict == ("ok", 0) and "no problems found" in tip and badge.name() == OK_COLOUR.name()
    document.deleteLater()


def test_a_new_call_on_the_same_state_starts_the_table_over(qtbot: Any, runner: RunnerProcess, project: Project, inspector: StreamInspector) -> None:
    state = StreamState()  # the Preview keeps one state per call name and begins it again on each click
    run_live(qtbot, inspector, runner, project, "typewriter", {"text": "one two three four", "delayMs": 0}, state=state, origin=ORIGIN_PREVIEW)
    assert inspector.model.rowCount() == 6
    run_live(qtbot, inspector, runner, project, "typewriter", {"text": "five", "delayMs": 0}, state=state, origin=ORIGIN_PREVIEW)
    assert inspector.model.rowCount() == 3
    assert cell(inspector, 1, DATA) == '{"status":"chunk","text":"five"}'


def test_screenshot_of_a_busy_import(qtbot: Any, runner: RunnerProcess, project: Project, inspector: StreamInspector) -> None:
    run_live(qtbot, inspector, runner, project, "import-rows", {})
    log = inspector.log
    assert log is not None and log.count == 106
    # One message per row arrives faster than a page can show, unless a busy machine spread the arrivals
    # out: the inspector says so exactly when the arrival times it logged show it (the check itself is
    # tested with stepped times in tests/core/test_stream_health.py).
    times = list(log.t)
    peak = max(bisect.bisect_left(times, t + 1.0) - start for start, t in enumerate(times))
    assert any("per second" in text for text in inspector.health.finding_texts()) == (peak > 60), peak
    inspector.select_seq(27)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for _ in range(3):
        QApplication.processEvents()
    assert inspector.grab().save(str(SCREENSHOTS / "stream_inspector.png"))


def test_a_dock_following_a_call_under_way_lines_up_transient_messages(qtbot: Any, runner: RunnerProcess, project: Project, inspector: StreamInspector) -> None:
    """The rows taken in at once include transient (keyed) messages, which stream.chunks leaves out: each row is still its own message."""
    state = StreamState()
    call = drive(qtbot, runner.run(project, "keyed-parts", {}, state=state, trace=True))
    qtbot.waitUntil(lambda: state.count == 10, timeout=RUN_TIMEOUT_MS)  # starting, weather, then 4 x (transient tick, row)
    assert state.active and len(state.chunks) == 6
    inspector.follow(state, "keyed-parts", ORIGIN_RUN)
    inspector.sync_now()
    expected = [({"status": "starting"}, "")]
    expected.append(({"status": "weather", "temp": 3}, "weather"))
    for count in range(1, 5):
        expected += [({"status": "progress", "done": count}, "status · transient"), ({"status": "chunk", "text": f"row {count}"}, "")]
    shown = [(cell(inspector, row, DATA), cell(inspector, row, PART), cell(inspector, row, SEQUENCE)) for row in range(inspector.model.rowCount())]
    assert shown == [(message_text(data), part, str(seq)) for seq, (data, part) in enumerate(expected, start=1)]
    assert not inspector.table.isColumnHidden(PART), "a stream with keyed parts shows its Part column"
    drive(qtbot, call.cancel())
    qtbot.waitUntil(lambda: state.status == "cancelled", timeout=RUN_TIMEOUT_MS)


def test_the_time_axis_stays_in_view_while_the_lanes_scroll_under_it(qtbot: Any, runner: RunnerProcess, project: Project, inspector: StreamInspector) -> None:
    """A short dock shows a few lanes: scrolled down, the lanes pass under the axis, which still tells the time."""
    inspector.resize(900, 150)  # a dock a few lanes high, as at 1280x800
    run_live(qtbot, inspector, runner, project, "typewriter", {"text": WORDS, "delayMs": 1})
    timeline = inspector.timeline
    scroll = inspector.findChild(QScrollArea, "timelineScroll")
    assert scroll is not None and len(timeline.lanes()) == 6
    qtbot.waitUntil(lambda: scroll.verticalScrollBar().maximum() >= LANE_H, timeout=RUN_TIMEOUT_MS)
    scroll.verticalScrollBar().setValue(LANE_H)
    qtbot.waitUntil(lambda: timeline.axis_top() == LANE_H, timeout=RUN_TIMEOUT_MS)
    top = timeline.axis_top()
    assert timeline.lane_at(top + AXIS_H / 2) is None  # a click on the axis picks no lane
    under = timeline.lane_at(top + AXIS_H + 2)
    assert under is not None and under.action_id == timeline.lanes()[1].action_id
    shot = scroll.viewport().grab().toImage()
    first_dot = AXIS_H + LANE_H // 2 - top  # the first lane's colour dot, scrolled under the axis band: covered
    second_dot = first_dot + LANE_H  # the second lane's, below the axis: drawn
    assert 0 < first_dot < AXIS_H - 1 < second_dot < shot.height()
    assert QColor(shot.pixel(12, first_dot)) == QColor(theme.CARD_BACKGROUND)
    assert QColor(shot.pixel(12, second_dot)) != QColor(theme.CARD_BACKGROUND)
