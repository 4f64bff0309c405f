"""The stream inspector (the Stream dock): every message of the latest run, its actions in time, its rates and its health.

It follows a live call (``follow``: the Run panel's runs and the Preview's
calls) or shows a saved recording (``show_recording``). The stream task only
writes into the ``StreamState``; a :class:`StreamLog` hooked on it stores
each message in a few columns. A ~60 Hz frame timer, running only while
something changes, appends the new rows to the table in one insert and
redraws the timeline and the plot at most every fourth frame, so 10,000
messages a second never reach a widget one by one and the table never resets
while a run streams. While it ticks, Python's full garbage collections wait
(as the preview's driver does): a full pass over a long run's retained
messages would freeze the window for a few hundred milliseconds.

Layout: the messages on the left, the timeline, the rate and the health in
tabs on the right (``PARTS``), side by side because the bottom dock is short
(see ``_build``); every part is usable at about 110 px of height, and the
Health tab's badge shows the verdict from whichever tab is shown.

Saving: "Save…" (as recording) emits ``saveRequested``; the window asks a name
and pushes ``AddRecordingCommand(document, inspector.recording(name, project))``.
The inspector never edits the project itself.
"""

from __future__ import annotations

import contextlib
import threading
import time
from typing import Any

from PySide6.QtCore import QEvent, QItemSelectionModel, QModelIndex, QObject, QSignalBlocker, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QAbstractItemView, QComboBox, QFrame, QHBoxLayout, QHeaderView, QLabel, QScrollArea, QSplitter, QTabWidget, QVBoxLayout, QWidget

from app.client.stream_state import StreamState
from app.core.project import Project, Recording
from app.core.registry import Registry, default_registry
from app.core.stream_health import HealthReport
from app.editor.stream_log import StreamLog
from app.ui.column_widget import column_widget
from app.ui.compact_button import compact_button
from app.ui.elided_text import ElidedLabel
from app.ui.fitted_scroll import fitted_scroll
from app.ui.message_table import message_table
from app.ui.preview_driver import defer_full_gc, resume_full_gc
from app.ui.stream_dock_parts import PART_HEALTH, PART_RATE, PART_TIMELINE, PART_TITLES, PARTS
from app.ui.stream_inspector.health_panel import HealthPanel, Verdict, badge_icon
from app.ui.stream_inspector.messages_model import ACTION, DATA, GAP, PART, SEQUENCE, SIZE, STATUS, TIME, StreamLogModel
from app.ui.stream_inspector.rate_plot import RatePlot, format_bytes, format_count
from app.ui.stream_inspector.timeline import TimelineStrip, format_duration

__all__ = ["ORIGIN_PREVIEW", "ORIGIN_RECORDING", "ORIGIN_RUN", "StreamInspector"]

ORIGIN_RUN = "Run panel"
ORIGIN_PREVIEW = "Preview"
ORIGIN_RECORDING = "Recording"
SHOWN_ORDER = (SEQUENCE, TIME, STATUS, DATA, ACTION, PART, GAP, SIZE)
"""The messages' columns left to right: the Event Data right after the status, so a narrow dock (about
320 px at 1280x800) shows what each message said and scrolls sideways only for its action and figures
(the timeline and the Rate tab show those too)."""
DATA_MIN_WIDTH = 180
"""The Event Data column takes the room the other columns leave, but never less than this."""
FRAME_MS = 16
PAINT_EVERY = 4
"""Frames between redraws of the timeline, the plot and the header while streaming (~15 Hz)."""
LIVE_HEALTH_MAX = 2_000
"""While streaming, health is re-checked once a second up to this many messages (~10 ms); beyond, when the stream ends."""
HEALTH_IN_THREAD = 5_000
"""A longer stream is checked on a worker thread (about 3 s per million messages), so no frame waits for it."""
_STATUS_COLOURS = {"done": "#12936b", "error": "#d0343a", "cancelled": "#c98a00", "streaming": "#3b6fe0", "connecting": "#6b7280"}
_HEADER_STYLE = """
QHeaderView::section { background: #f4f5f7; color: #4b5563; font-weight: bold; padding: 4px 6px;
    border: none; border-bottom: 1px solid #d5d8de; border-right: 1px solid #e3e6eb; }
"""
# Style sheets are set on the few widgets they style, never on the inspector: one on an ancestor would send
# every table cell through QStyleSheetStyle, about 2 ms more per repaint at 60 repaints a second.


class StreamInspector(QWidget):
    """The dock's content. Feed it with ``follow`` or ``show_recording``; it never changes the project."""

    actionSelected = Signal(str, str)
    """(endpoint, action id): a message row (or a timeline lane) was selected; the window selects the action."""
    saveRequested = Signal()
    """"Save as recording…" was clicked (only enabled once the run has ended)."""
    partChanged = Signal(str)
    """(part name, one of ``PARTS``): the user chose another tab; the window keeps it with its layout."""
    _healthReady = Signal(object, object)
    """(log, report) from the worker thread that checked a long stream."""

    def __init__(self, registry: Registry | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.registry = registry or default_registry()
        self.log: StreamLog | None = None
        self.origin = ""
        self.model = StreamLogModel(self)
        self._seen_version = -1
        self._frames = 0
        self._health_at = 0.0
        self._health_version = -1
        self._health_waits = False
        self._statuses: list[str] = []
        self._frame = QTimer(self)
        self._frame.setInterval(FRAME_MS)
        self._frame.timeout.connect(self._on_frame)
        self._deferring = [False]
        deferring = self._deferring
        self.destroyed.connect(lambda *_: resume_full_gc() if deferring[0] else None)
        self._build()
        self._healthReady.connect(self._show_health)
        self._show_header()

    # -- feeding ---------------------------------------------------------------------
    def follow(self, state: StreamState, endpoint: str, origin: str = ORIGIN_RUN, *, inputs: dict[str, Any] | None = None) -> StreamLog:
        """Show ``state``'s call live from now on; a new call on the same state starts the view over.

        A call under way is shown from its start; a state that has ended is
        taken as about to be begun again (the Preview's call of a button
        clicked anew), so its last run is not loaded.
        """
        log = StreamLog(endpoint)
        log.attach(state, endpoint, inputs=inputs, history=state.active)
        self._show_log(log, origin)
        return log

    def show_recording(self, recording: Recording) -> StreamLog:
        """Show a saved recording (its messages, their actions and times, its health); nothing runs."""
        log = StreamLog.from_recording(recording)
        self._show_log(log, ORIGIN_RECORDING)
        return log

    def clear(self) -> None:
        """Show nothing (another project was opened: its runs are not this one's)."""
        self._drop_log()
        self._set_views(None)
        self._stop_frames()
        self._show_header()

    def _drop_log(self) -> None:
        old, self.log = self.log, None
        if old is not None:
            old.detach()
            old.on_change.clear()

    def _set_views(self, log: StreamLog | None) -> None:
        """Every view on ``log`` from its start: all statuses, no health verdict yet."""
        self._statuses = []
        with QSignalBlocker(self.status_filter):
            self.status_filter.clear()
            self.status_filter.addItem("All", None)
        self.model.set_status_filter(None)
        self.model.set_log(log)
        self.timeline.set_log(log)
        self.plot.set_log(log)
        self.health.show_report(None, note="Health is checked when the stream ends.")
        self.health.set_summary("")
        self._show_part_column()

    def _show_log(self, log: StreamLog, origin: str) -> None:
        self._drop_log()
        self.log, self.origin = log, origin
        log.on_change.append(self._log_changed)
        self._seen_version = -1
        self._health_version = -1
        self._health_waits = False
        self._set_views(log)
        self.sync_now()
        if not log.ended and log.status != "idle":
            self._start_frames()  # an idle log wakes the frames itself when its call begins (``_log_changed``)

    def _log_changed(self, _log: StreamLog) -> None:
        """The log started over or ended (from the stream task): make sure the frame timer runs. Cheap."""
        self._start_frames()

    # -- frames ------------------------------------------------------------------------
    def _start_frames(self) -> None:
        """Tick while a run streams; Python's full collections wait meanwhile (see ``preview_driver``)."""
        if not self._frame.isActive():
            self._frame.start()
        if not self._deferring[0]:
            self._deferring[0] = True
            defer_full_gc()

    def _stop_frames(self) -> None:
        self._frame.stop()
        if self._deferring[0]:
            self._deferring[0] = False
            resume_full_gc()

    def _on_frame(self) -> None:
        log = self.log
        if log is None:
            self._stop_frames()
            return
        self._frames += 1
        changed = log.version != self._seen_version
        if changed:
            self._seen_version = log.version
            self._sync_rows()
        if log.ended or log.status == "idle":
            self._stop_frames()
            self._repaint(final=log.ended)
        elif changed and self._frames % PAINT_EVERY == 0:
            self._repaint(final=False)
        elif self._frames % 15 == 0:
            self._show_header()  # the elapsed time goes on even when nothing arrives

    def sync_now(self) -> None:
        """Take in everything logged so far and redraw (what a frame does; tests call it too)."""
        if self.log is not None:
            self._seen_version = self.log.version
        self._sync_rows()
        self._repaint(final=self.log is not None and self.log.ended)

    def _sync_rows(self) -> None:
        bar = self.table.verticalScrollBar()
        at_bottom = bar.value() >= bar.maximum() - 2
        if self.model.sync() and at_bottom and not self.table.selectionModel().hasSelection():
            self.table.scrollToBottom()

    def _repaint(self, *, final: bool) -> None:
        self._show_part_column()
        self.timeline.refresh()
        self.plot.refresh()
        self._show_header()
        self._refresh_filter()
        self._check_health(final)

    def _check_health(self, final: bool) -> None:
        log = self.log
        if log is None or log.version == self._health_version:
            return
        now = time.monotonic()
        if not final:
            if log.count > LIVE_HEALTH_MAX:
                if not self._health_waits:
                    self._health_waits = True
                    self.health.show_report(None, note="Health is checked when the stream ends (a long stream is checked once, whole).")
                return
            if now - self._health_at < 1.0:
                return
        self._health_at, self._health_version, self._health_waits = now, log.version, False
        if log.count <= HEALTH_IN_THREAD:
            self._show_health(log, log.health())
            return
        self.health.show_report(None, note=f"Checking the health of {log.count:,} messages…")

        def check() -> None:
            report = log.health()
            with contextlib.suppress(RuntimeError):  # the inspector was closed meanwhile
                self._healthReady.emit(log, report)

        # started after the final frame has been painted: the check holds the GIL in turns with the window
        QTimer.singleShot(100, threading.Thread(target=check, name="stream health", daemon=True).start)

    def _show_health(self, log: StreamLog, report: HealthReport) -> None:
        if log is not self.log:
            return
        self.health.set_summary(self._summary(log, report))
        self.health.show_report(report)

    @staticmethod
    def _summary(log: StreamLog, report: HealthReport) -> str:
        summary = report.summary
        if not summary.count:
            return "No messages: a normal call with one response."
        parts = [f"peak {summary.peak_rate_per_s:,} msg/s"]
        if summary.mean_rate_per_s is not None:
            parts.append(f"mean {format_count(summary.mean_rate_per_s)} msg/s")
        parts.append(f"mean size {format_bytes(summary.bytes_total / summary.count)}")
        largest = f"largest {format_bytes(summary.max_bytes)}"
        if log.largest >= 0:
            largest += f" (#{log.seq[log.largest]})"
        parts.append(largest)
        parts.append(f"longest silence {format_duration(summary.max_gap)}")
        return " · ".join(part.replace(" ", "\u00a0") for part in parts)  # lines break between figures only

    # -- header and filter ---------------------------------------------------------------
    def _show_header(self) -> None:
        log = self.log
        if log is None:
            self.title.setText("No stream yet")
            self.origin_label.hide()
            self.status_label.setText("")
            self.details.setText("Run an endpoint from the Run panel, or click a button in the Preview, to see its stream here.")
            self._colour_details(error=False)
            self.save_button.setEnabled(False)
            return
        self.title.setText(log.endpoint or "stream")
        if self.origin_label.text() != self.origin:
            self.origin_label.setText(self.origin)
            self.title.setToolTip(f"From: {self.origin}")
        self._fit_header()
        status = log.status
        colour = _STATUS_COLOURS.get(status, "#6b7280")
        self.status_label.setText(f"<span style='color:{colour}; font-weight:bold'>● {status}</span>")
        if log.duration is not None:
            took = log.duration
        elif log.started_at is not None:
            took = time.monotonic() - log.started_at
        else:
            took = log.end_time()
        rate = log.count / took if took > 0 else 0.0
        details = [f"{log.count:,} message{'s' if log.count != 1 else ''}", format_duration(took), format_bytes(log.bytes_total())]
        if log.count > 1 and took > 0:
            details.append(f"{format_count(rate)} msg/s")
        if log.traced:
            details.append(f"{log.span_count:,} span{'s' if log.span_count != 1 else ''}")
        if log.error:
            details.append(log.error)
        self.details.setText(" · ".join(details))
        self._colour_details(error=bool(log.error))
        recorded = log.recording is not None
        self.save_button.setEnabled(log.ended and not recorded)
        self.save_button.setToolTip(
            "Save as recording: " + ("this is a saved recording" if recorded else "keep this stream in the project to replay it in the Preview without a runner"
            if log.ended else "available once the run has ended")
        )  # fmt: skip

    def _colour_details(self, *, error: bool) -> None:
        """Red while the line ends with the run's error; restyled only when that changes (a style sheet re-polishes)."""
        if error != self._details_error:
            self._details_error = error
            self.details.setStyleSheet(f"color: {'#d0343a' if error else '#4b5563'};")

    def _refresh_filter(self) -> None:
        counts = self.model.status_counts
        statuses = list(counts)
        combo = self.status_filter
        with QSignalBlocker(combo):
            if statuses != self._statuses:
                current = combo.currentData()
                self._statuses = statuses
                combo.clear()
                combo.addItem("All", None)
                for status in statuses:
                    combo.addItem("", status)
                combo.setCurrentIndex(max(0, combo.findData(current)) if current is not None else 0)
            total = sum(counts.values())
            combo.setItemText(0, f"All · {total:,}")
            for index, status in enumerate(statuses, start=1):
                combo.setItemText(index, f"{status or '(no status)'} · {counts[status]:,}")

    def set_status_filter(self, status: str | None) -> None:
        """Show only messages of ``status`` (``""``: those without one; None: all)."""
        index = self.status_filter.findData(status) if status is not None else 0
        if index < 0:
            self._statuses.append(status or "")
            self.status_filter.addItem(status or "(no status)", status)
            index = self.status_filter.count() - 1
        self.status_filter.setCurrentIndex(index)
        self._apply_filter()

    def _apply_filter(self) -> None:
        selected = self.selected_log_index()
        self.model.set_status_filter(self.status_filter.currentData())
        if selected is not None:
            row = self.model.row_of(selected)
            if row is not None:
                self._select_row(row)

    # -- selection ----------------------------------------------------------------------
    def selected_log_index(self) -> int | None:
        current = self.table.selectionModel().currentIndex()
        if not current.isValid() or not self.table.selectionModel().isRowSelected(current.row(), QModelIndex()):
            return None
        return self.model.log_index(current.row())

    def select_seq(self, seq: int) -> bool:
        """Select the message with sequence number ``seq`` (clearing a filter that hides it)."""
        log = self.log
        if log is None:
            return False
        self.sync_now()
        index = log.index_of_seq(seq)
        if index is None:
            return False
        row = self.model.row_of(index)
        if row is None:
            self.set_status_filter(None)
            row = self.model.row_of(index)
        if row is None:
            return False
        self._select_row(row)
        return True

    def _select_row(self, row: int) -> None:
        index = self.model.index(row, SEQUENCE)
        self.table.selectionModel().setCurrentIndex(index, QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows)
        self.table.scrollTo(index, QAbstractItemView.ScrollHint.PositionAtCenter)

    def _current_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        log = self.log
        if log is None or not current.isValid():
            self.timeline.set_marker(None)
            return
        at = self.model.log_index(current.row())
        action = log.action_id(at)
        self.timeline.set_marker(log.tick_time(at), action)
        if action:
            self.actionSelected.emit(log.endpoint, action)

    def _lane_clicked(self, action_id: str) -> None:
        if self.log is not None:
            self.timeline.set_marker(self.timeline.marker, action_id)
            self.actionSelected.emit(self.log.endpoint, action_id)

    # -- saving -------------------------------------------------------------------------
    def recording(self, name: str, project: Project | None = None) -> Recording:
        """The shown run as a recording named ``name`` (``ValueError`` if it has not ended or cannot be kept whole)."""
        if self.log is None:
            raise ValueError("there is no run to save")
        return self.log.to_recording(name, project)

    def suggested_name(self) -> str:
        """A default name for "Save as recording…": the endpoint's (the command adds -2, -3… on a clash)."""
        endpoint = self.log.endpoint if self.log is not None else ""
        return endpoint or "recording"

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt override
        if event.type() == QEvent.Type.Resize and watched is self.table.viewport():
            self._fit_data_column()
        elif event.type() == QEvent.Type.Resize and watched is self._messages_column:
            self._fit_header()
        return super().eventFilter(watched, event)

    def _fit_header(self) -> None:
        """The origin pill only where the endpoint's name, the status and the filter leave room for it (the title's tooltip names it too)."""
        shown = (self.title, self.origin_label, self.status_label, self.status_filter)
        needed = sum(widget.sizeHint().width() for widget in shown) + 6 * len(shown)
        self.origin_label.setVisible(self.log is not None and needed <= self._messages_column.width())

    def _show_part_column(self) -> None:
        """The Part column only for a stream with keyed parts: most have none, and a narrow dock needs the room for the data."""
        hidden = self.log is None or not self.log.has_parts
        if self.table.isColumnHidden(PART) != hidden:
            self.table.setColumnHidden(PART, hidden)
            self._fit_data_column()

    def _fit_data_column(self) -> None:
        """Stretch the Event Data column over what the others leave (``DATA_MIN_WIDTH`` at least: then the table scrolls sideways).

        By hand because a Stretch column in the middle is squeezed to a few pixels when the others do not fit.
        """
        header = self.table.horizontalHeader()
        others = sum(header.sectionSize(column) for column in range(header.count()) if column != DATA and not header.isSectionHidden(column))
        width = max(DATA_MIN_WIDTH, self.table.viewport().width() - others)
        if header.sectionSize(DATA) != width:
            header.resizeSection(DATA, width)

    # -- parts -----------------------------------------------------------------------------
    def current_part(self) -> str:
        """The shown tab beside the messages: one of ``PARTS``."""
        return str(self.parts.tabBar().tabData(self.parts.currentIndex()))

    def show_part(self, name: object) -> None:
        """Show the tab ``name`` (the first one for a name that is not a part: an old or hand-edited setting)."""
        self.parts.setCurrentIndex(PARTS.index(name) if name in PARTS else 0)

    def _show_health_badge(self, verdict: Verdict) -> None:
        """The Health tab's badge: the count of the worst findings in their colour, so a problem is seen from any tab."""
        index = PARTS.index(PART_HEALTH)
        self.parts.setTabIcon(index, badge_icon(verdict, self.font()))
        severity, count = verdict
        verdict_text = {"": "not checked yet", "ok": "no problems found"}.get(severity, f"{count} {severity}{'s' if count != 1 else ''}")
        self.parts.setTabToolTip(index, f"Health: {verdict_text}. What the check found about the size, shape and pace of the messages")

    # -- widgets ---------------------------------------------------------------------------
    def _build(self) -> None:
        self.setObjectName("streamInspector")
        self.title = ElidedLabel(parent=self, wants_whole=True)  # an endpoint's name can be long: cut, whole on hover
        self.title.setStyleSheet("font-size: 11pt; font-weight: bold;")
        self.origin_label = QLabel(self)
        self.origin_label.setObjectName("inspectorOrigin")
        self.origin_label.setStyleSheet("background: #eef1f6; color: #4b5563; border-radius: 8px; padding: 1px 6px;")
        self.status_label = QLabel(self)
        self.status_label.setObjectName("inspectorStatus")
        self.details = ElidedLabel(parent=self)  # live text: cut to what the header leaves, whole on hover; never re-lays it out
        self.details.setObjectName("inspectorDetails")
        self._details_error = True  # styled by the first ``_colour_details``
        self.details.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.status_filter = QComboBox(self)
        self.status_filter.setObjectName("statusFilter")
        self.status_filter.setToolTip("Show only the messages of one status")
        self.status_filter.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.status_filter.setMinimumContentsLength(6)  # a steady width while the counts grow (longer entries are cut), narrow enough for 1280 px
        self.status_filter.setAccessibleName("Status")
        self.status_filter.addItem("All", None)
        self.status_filter.currentIndexChanged.connect(lambda _index: self._apply_filter())
        self.save_button = compact_button("Save…", self)  # short: it shares the tab bar's line with three tabs
        self.save_button.setObjectName("saveRecording")
        self.save_button.setAccessibleName("Save as recording")
        self.save_button.clicked.connect(self.saveRequested.emit)
        header = QHBoxLayout()
        header.setSpacing(6)
        header.addWidget(self.title)
        header.addWidget(self.origin_label)
        header.addWidget(self.status_label)
        header.addWidget(self.details, 1)
        header.addWidget(self.status_filter)

        self.timeline = TimelineStrip(self.registry, self)
        self.timeline.laneClicked.connect(self._lane_clicked)
        timeline_scroll = QScrollArea(self)
        timeline_scroll.setObjectName("timelineScroll")
        timeline_scroll.setWidget(self.timeline)
        timeline_scroll.setWidgetResizable(True)
        timeline_scroll.setFrameShape(QFrame.Shape.NoFrame)
        timeline_scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        # the axis stays at the top of the visible part: a scroll repaints the strip instead of moving its pixels
        timeline_scroll.verticalScrollBar().valueChanged.connect(self.timeline.update)
        timeline_scroll.setStyleSheet("QScrollArea, QScrollArea > QWidget > QWidget { background: white; }")
        self.plot = RatePlot(self)

        self.table = message_table(
            self.model, self, name="inspectorMessages", stretch=DATA, row_padding=6, header_style=_HEADER_STYLE,
            widths=((SEQUENCE, 48), (TIME, 76), (GAP, 68), (SIZE, 64), (STATUS, 80), (ACTION, 110), (PART, 80)),
        )  # fmt: skip
        columns = self.table.horizontalHeader()
        columns.setStretchLastSection(False)
        columns.setSectionResizeMode(DATA, QHeaderView.ResizeMode.Interactive)  # fitted by ``_fit_data_column``
        for visual, column in enumerate(SHOWN_ORDER):
            columns.moveSection(columns.visualIndex(column), visual)
        columns.sectionResized.connect(lambda column, _old, _new: self._fit_data_column() if column != DATA else None)
        self.table.viewport().installEventFilter(self)
        self.table.setColumnHidden(PART, True)  # until a message carries a part (``_show_part_column``)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        palette = self.table.palette()
        for role, colour in ((QPalette.ColorRole.Base, "#ffffff"), (QPalette.ColorRole.AlternateBase, "#f7f8fa"),
                             (QPalette.ColorRole.Highlight, "#3b6fe0"), (QPalette.ColorRole.HighlightedText, "#ffffff")):  # fmt: skip
            palette.setColor(role, QColor(colour))
        self.table.setPalette(palette)
        self.table.selectionModel().currentRowChanged.connect(self._current_changed)

        self.health = HealthPanel(self)
        self.health.findingActivated.connect(self.select_seq)
        self.health.verdictChanged.connect(self._show_health_badge)
        health_scroll = fitted_scroll(self.health, self, name="healthScroll")  # a long summary scrolls; squeezed, it was cut mid-line
        health_scroll.setFrameShape(QFrame.Shape.NoFrame)

        # The dock is short (the canvas keeps ten cards above it: about 120 px at 1280x800), so the parts sit
        # side by side, never stacked: the messages on the left under their header line, the timeline, the
        # rate and the health in tabs on the right, whose tab bar shares the header's line.
        self.parts = QTabWidget(self)
        self.parts.setObjectName("inspectorParts")
        self.parts.setDocumentMode(True)
        self.parts.setUsesScrollButtons(True)
        for name, widget, tip in (
            (PART_TIMELINE, timeline_scroll, "Each action's spans and the messages it sent, in time"),
            (PART_RATE, self.plot, "Messages and bytes per second"),
            (PART_HEALTH, health_scroll, ""),  # its tooltip says the verdict (``_show_health_badge``)
        ):
            index = self.parts.addTab(widget, PART_TITLES[name])
            self.parts.setTabToolTip(index, tip)
            self.parts.tabBar().setTabData(index, name)
        self.parts.setCornerWidget(self.save_button, Qt.Corner.TopRightCorner)
        tabs = self.parts.tabBar()
        tabs.setExpanding(False)
        self._show_health_badge(self.health.verdict)  # the badge's room is kept from the start
        self.parts.setMinimumWidth(tabs.sizeHint().width() + self.save_button.sizeHint().width() + 8)  # every tab in sight, never scrolled
        self.parts.currentChanged.connect(lambda _index: self.partChanged.emit(self.current_part()))

        messages, column = column_widget(self, "inspectorMessagesColumn", (0, 0, 0, 0), 4)
        messages.installEventFilter(self)
        self._messages_column = messages
        column.addLayout(header)
        column.addWidget(self.table, 1)
        self.splitter = QSplitter(Qt.Orientation.Horizontal, self)
        self.splitter.setObjectName("inspectorSplitter")
        self.splitter.addWidget(messages)
        self.splitter.addWidget(self.parts)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 2)
        self.splitter.setChildrenCollapsible(False)
        self.splitter.setSizes([3000, 2000])  # scaled to the width it gets: the messages take three fifths

        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 2, 6, 2)
        layout.addWidget(self.splitter, 1)
