"""The page view and its frame driver: selection in design mode, signals when live, errors, frames only while busy."""

from __future__ import annotations

import gc
import math
from collections.abc import Set as AbstractSet
from typing import Any

import pytest
from PySide6.QtCore import QPoint, QRect, Qt
from PySide6.QtWidgets import QLabel

from app.client.foreground import Foreground
from app.client.stream_state import StreamState
from app.core.project import Page, PageVariable, Widget
from app.editor.preview.frames import ManualFrames
from app.editor.preview.live_bindings import ALL, BindingUpdate, StaticSource, static_scope
from app.ui.page_view import PAGE_SELECTED, PageView
from app.ui.page_widgets.chunk_list import FLOOD_INSERT_EVERY_S, ChunkListView
from app.ui.page_widgets.live_output import LiveOutputView
from app.ui.page_widgets.progress_bar import ProgressBarView
from app.ui.page_widgets.text import TextView
from app.ui.preview_driver import PreviewDriver, TimerFrames
from tests.conftest import SteppedClock, formula

WAIT_MS = 30_000
"""A failure guard only: the 60 Hz timer ticks within milliseconds on an idle machine."""


def report_page() -> Page:
    return Page(
        name="report",
        title="Report",
        variables=[PageVariable(name="topic", initial="sales")],
        widgets=[
            Widget(id="status", type="text", props={"text": formula("stream.chunk.status")}),
            Widget(id="bar", type="progress_bar", props={"value": formula("stream.chunk.done"), "max": formula("stream.chunk.total")}),
            Widget(id="out", type="live_output", props={"text": formula("$join(stream.chunks.text)")}),
            Widget(
                id="row",
                type="container",
                props={"direction": "row"},
                children=[
                    Widget(id="go", type="button", props={"label": "Go"}),
                    Widget(id="get", type="download_button", props={"url": formula("stream.chunk.downloadUrl"), "fileName": "r.csv"}),
                ],
            ),
            Widget(id="topic_in", type="text_input", props={"variable": "topic"}),
        ],
    )


def shown_page(qtbot: Any, page: Page) -> PageView:
    view = PageView()
    qtbot.addWidget(view)
    view.resize(700, 800)
    view.set_page(page)
    view.show()
    qtbot.waitExposed(view)
    qtbot.waitUntil(lambda: view.body.height() >= view.body.sizeHint().height())
    return view


class FakeSession:
    """A BindingSource over one StreamState, reporting changes the way the page session does (coarsely)."""

    def __init__(self, page: Page) -> None:
        self.state = StreamState(stall_after_s=None)
        self.variables: dict[str, Any] = {v.name: v.initial for v in page.variables}
        self.page = page
        self.errors: list[str] = []
        self.running = True
        self.asked = 0
        self._seen = -1

    def scope(self) -> dict[str, Any]:
        return {"variables": self.variables, "page": {"name": self.page.name, "title": self.page.title}, "stream": self.state.to_json()}

    def changes(self) -> AbstractSet[tuple[str, str | None]]:
        self.asked += 1
        if self.state.version == self._seen:
            return frozenset()
        self._seen = self.state.version
        return frozenset({("stream", "chunk"), ("stream", "chunks"), ("stream", "count"), ("stream", "status")})


def test_set_page_builds_every_widget_with_the_title(qtbot: Any) -> None:
    view = shown_page(qtbot, report_page())
    assert view.title_label.text() == "Report"
    assert set(view.views()) == {"status", "bar", "out", "row", "go", "get", "topic_in"}
    assert isinstance(view.view("bar"), ProgressBarView)
    view.set_page(Page(name="empty", title=""))
    assert view.views() == {} and view.title_label.text() == "empty" and not view.empty_label.isHidden()


def test_apply_gives_each_widget_its_changed_props(qtbot: Any) -> None:
    view = shown_page(qtbot, report_page())
    view.apply([BindingUpdate("bar", "max", 4), BindingUpdate("bar", "value", 3), BindingUpdate("status", "text", "done"), BindingUpdate("gone", "text", "x")])
    bar = view.view("bar")
    assert isinstance(bar, ProgressBarView) and (bar.bar.value(), bar.bar.maximum()) == (3, 4)
    status = view.view("status")
    assert isinstance(status, TextView) and status.label.text() == "done"


def test_design_mode_selects_on_click_and_outlines_the_selection(qtbot: Any) -> None:
    view = shown_page(qtbot, report_page())
    view.set_design_mode(True)
    go = view.view("go").qwidget
    clicked: list[str] = []
    view.buttonClicked.connect(clicked.append)
    with qtbot.waitSignal(view.widgetSelected) as selected:
        qtbot.mouseClick(go, Qt.MouseButton.LeftButton)
    assert selected.args == ["go"] and clicked == [] and view.selected() == "go"
    assert view.selection.isVisible()
    frame, target = view.selection.geometry(), view.view("go").qwidget
    assert frame.contains(target.mapTo(view.surface, QPoint(0, 0)))

    with qtbot.waitSignal(view.widgetSelected) as selected:
        out = view.view("out")
        assert isinstance(out, LiveOutputView)
        qtbot.mouseClick(out.edit.viewport(), Qt.MouseButton.LeftButton)
    assert selected.args == ["out"]
    with qtbot.waitSignal(view.widgetSelected) as selected:
        qtbot.mouseClick(view.surface, Qt.MouseButton.LeftButton, pos=QPoint(5, 5))
    assert selected.args == [PAGE_SELECTED] and view.selected() is None and not view.selection.isVisible()

    view.select("bar")
    assert view.selected() == "bar" and view.selection.isVisible()
    view.set_design_mode(False)
    assert not view.selection.isVisible()
    view.set_page(report_page())  # a rebuild keeps the selection
    assert view.selected() == "bar"


def test_live_widgets_emit_page_signals(qtbot: Any) -> None:
    view = shown_page(qtbot, report_page())
    with qtbot.waitSignal(view.buttonClicked) as clicked:
        qtbot.mouseClick(view.view("go").qwidget, Qt.MouseButton.LeftButton)
    assert clicked.args == ["go"]
    view.apply([BindingUpdate("get", "url", "http://127.0.0.1/f.csv")])
    with qtbot.waitSignal(view.downloadRequested) as download:
        qtbot.mouseClick(view.view("get").qwidget, Qt.MouseButton.LeftButton)
    assert download.args == ["get", "http://127.0.0.1/f.csv", "save", "r.csv"]
    with qtbot.waitSignal(view.inputEdited) as edited:
        qtbot.keyClicks(view.view("topic_in").line, "x")  # type: ignore[attr-defined]
    assert edited.args == ["topic_in", "topic", "x"]


def test_errors_show_in_a_strip(qtbot: Any) -> None:
    view = shown_page(qtbot, report_page())
    assert view.error_label.isHidden()
    view.show_errors([f"problem {i}" for i in range(8)])
    assert not view.error_label.isHidden() and "problem 0" in view.error_label.text() and "… and 3 more" in view.error_label.text()
    view.show_errors([])
    assert view.error_label.isHidden() and view.errors() == []


# -- the driver --------------------------------------------------------------------------------
def test_driver_applies_a_first_frame_and_binding_errors(qtbot: Any) -> None:
    page = report_page()
    page.widgets.append(Widget(id="bad", type="text", props={"text": formula("stream.chunk.done +")}))
    view = shown_page(qtbot, Page(name="blank"))
    source = StaticSource(static_scope(page), errors=["generate: the endpoint failed"])
    driver = PreviewDriver(view, source)
    driver.set_page(page)
    assert view.view("topic_in").text == "sales"  # type: ignore[attr-defined]
    assert view.errors() == ["bad.text: Unexpected end of expression at position 19", "generate: the endpoint failed"]
    assert not driver.active  # a static source is idle: nothing ticks


def test_each_frame_shows_the_newest_values_and_re_evaluates_only_what_changed(qtbot: Any) -> None:
    page = report_page()
    page.widgets.append(Widget(id="topic", type="text", props={"text": formula('"Topic: " & variables.topic')}))
    view = shown_page(qtbot, Page(name="blank"))
    session = FakeSession(page)
    frames = ManualFrames()
    driver = PreviewDriver(view, session, frames=frames)
    driver.set_page(page)
    bindings = driver.bindings
    assert bindings is not None and not driver.active and not frames.step()  # nothing woke it: no frame
    out, bar, status = view.view("out"), view.view("bar"), view.view("status")
    assert isinstance(out, LiveOutputView) and isinstance(bar, ProgressBarView) and isinstance(status, TextView)
    topic_evaluations = bindings.evaluation_count("topic")
    for done in range(1, 6):
        session.state.add_message({"status": "progress", "done": done, "total": 5, "text": f"{done} "}, str(done))
        driver.wake()
        before = bindings.evaluation_count("status")
        assert frames.step()
        assert (bar.bar.value(), bar.bar.maximum()) == (done, 5) and out.text == "".join(f"{i} " for i in range(1, done + 1))
        assert bindings.evaluation_count("status") == before + 1  # read the stream, which moved
    assert bindings.evaluation_count("topic") == topic_evaluations  # reads only a variable, which did not
    assert out.replacements == 0  # the live output appended each new piece
    asked = session.asked
    assert frames.step() and session.asked == asked + 1 and bindings.evaluation_count("status") == before + 1  # nothing moved: nothing evaluated
    session.state.add_message({"status": "progress", "done": 5, "total": 5, "text": "more "}, "6")
    session.state.add_message({"status": "done", "done": 5, "total": 5, "downloadUrl": "http://x/f.csv"}, "7")
    session.running = False  # the call ended: one more frame shows where it got to, then the clock stops
    assert frames.step() and not driver.active and not frames.active
    assert status.label.text() == "done" and out.text.endswith("5 more ") and view.view("get").qwidget.isEnabled()
    session.state.add_message({"status": "late"}, "8")  # nobody woke the driver: an idle editor does not poll
    assert not frames.step() and status.label.text() == "done"
    driver.wake()
    assert frames.step() and status.label.text() == "late" and not driver.active


def test_the_editor_s_frame_timer_ticks_while_the_source_runs_and_stops_after_a_last_frame(qtbot: Any) -> None:
    page = report_page()
    view = shown_page(qtbot, Page(name="blank"))
    session = FakeSession(page)
    driver = PreviewDriver(view, session)  # the default clock: a 60 Hz QTimer
    driver.set_page(page)
    assert isinstance(driver.frame_clock, TimerFrames)
    driver.start()
    assert driver.active
    bar = view.view("bar")
    assert isinstance(bar, ProgressBarView)
    for done in range(1, 6):
        session.state.add_message({"status": "progress", "done": done, "total": 5, "text": f"{done} "}, str(done))
    qtbot.waitUntil(lambda: bar.bar.value() == 5, timeout=WAIT_MS)
    session.state.add_message({"status": "done"}, "6")
    session.running = False
    qtbot.waitUntil(lambda: not driver.active, timeout=WAIT_MS)
    assert view.view("status").label.text() == "done"  # type: ignore[attr-defined]
    driver.set_frame_clock(frames := ManualFrames())  # a stopped driver moves over stopped
    assert not frames.active
    driver.start()
    assert frames.active and driver.frame_clock is frames
    driver.stop()
    assert not frames.active


def test_the_frame_timer_tells_the_loop_s_foreground_when_it_ran_and_when_it_is_next_due(qtbot: Any) -> None:
    """Stream readers keep their share of the loop out of the frame's turn by this (``app.client.loop_turns``)."""
    foreground = Foreground()
    frames = TimerFrames(interval_ms=16, foreground=foreground)
    ticks: list[float] = []
    frames.start(lambda: ticks.append(foreground.clock()))
    assert foreground.next_due < math.inf and foreground.last_ran == -math.inf
    qtbot.waitUntil(lambda: len(ticks) >= 2, timeout=WAIT_MS)
    assert ticks[0] <= foreground.last_ran and foreground.next_due == pytest.approx(ticks[-1] + 0.016, abs=0.002)
    frames.stop()
    assert foreground.next_due == math.inf  # stopped: nothing to keep out of the way of


def test_full_garbage_collections_wait_while_the_driver_ticks(qtbot: Any) -> None:
    page = report_page()
    view = shown_page(qtbot, Page(name="blank"))
    session = FakeSession(page)
    before = gc.get_threshold()
    driver = PreviewDriver(view, session)
    driver.set_page(page)
    driver.start()
    assert gc.get_threshold()[:2] == before[:2] and gc.get_threshold()[2] > 10**6
    other = PreviewDriver(view, session)
    other.set_page(page)
    other.start()
    driver.stop()
    assert gc.get_threshold()[2] > 10**6  # another preview still ticks
    other.stop()
    assert gc.get_threshold() == before


def test_a_flood_of_rows_goes_into_the_chunk_list_in_batches_and_the_driver_ticks_until_all_are_in(qtbot: Any) -> None:
    """Rows that would scroll a whole screenful by are taken in at most every FLOOD_INSERT_EVERY_S of the page's clock,
    in one insert each; the label keeps its newest value every frame; the end of the stream leaves no row behind."""
    page = Page(name="flood", widgets=[Widget(id="label", type="text", props={"text": formula("stream.chunk.done")}), Widget(id="rows", type="chunk_list")])
    view = shown_page(qtbot, Page(name="blank"))
    session, frames, clock = FakeSession(page), ManualFrames(), SteppedClock()
    driver = PreviewDriver(view, session, frames=frames, clock=clock)
    driver.set_page(page)
    rows, label = view.view("rows"), view.view("label")
    assert isinstance(rows, ChunkListView) and isinstance(label, TextView)
    inserts: list[tuple[int, int]] = []
    rows.model.rowsInserted.connect(lambda _parent, first, last: inserts.append((first, last)))
    screenful = rows.table.viewport().height() // 26
    assert screenful >= 1

    def flood(count: int) -> None:
        for _ in range(count):
            done = session.state.count + 1
            session.state.add_message({"status": "progress", "done": done}, str(done))
        driver.wake()

    flood(100)
    assert frames.step() and rows.model.rowCount() == 0 and rows.pending and label.label.text() == "100"
    assert frames.step() and rows.model.rowCount() == 100  # the first rows go in at the next tick, on their own
    for _ in range(5):  # a frame every 16 ms, each with a flood of new rows: held, while the label moves on
        clock.advance(0.016)
        flood(100)
        assert frames.step() and rows.model.rowCount() == 100 and rows.pending and view.pending
        assert label.label.text() == str(session.state.count)
    clock.advance(FLOOD_INSERT_EVERY_S - 5 * 0.016 + 1e-6)
    flood(50)
    shown = label.label.text()
    assert frames.step() and rows.model.rowCount() == 650 and not rows.pending  # all of them, in one insert...
    assert label.label.text() == shown  # ...on a tick of its own: nothing else evaluated or repainted with it
    assert inserts == [(0, 99), (100, 649)]
    assert frames.step() and label.label.text() == "650"  # the next tick moves the rest on

    clock.advance(0.016)
    flood(1)  # a trickle goes in at the next frame
    assert frames.step() and rows.model.rowCount() == 651

    flood(300)
    session.running = False  # the call ended with rows held back: the clock keeps ticking until they are in
    clock.advance(0.016)
    assert frames.step() and rows.model.rowCount() == 651 and driver.active
    clock.advance(FLOOD_INSERT_EVERY_S)
    assert frames.step() and rows.model.rowCount() == 951 and not driver.active and not frames.active
    assert label.label.text() == "951"  # the call is over: the last batch and the last values in one frame
    assert [rows.model.item(index)["done"] for index in range(951)] == list(range(1, 952))  # none lost, in order

    session.state.begin("next-call")  # a new call empties the table at once, however recent the last insert
    driver.wake()
    assert frames.step() and rows.model.rowCount() == 0


def test_flush_does_one_frame_now(qtbot: Any) -> None:
    page = report_page()
    view = shown_page(qtbot, Page(name="blank"))
    session = FakeSession(page)
    driver = PreviewDriver(view, session)
    driver.set_page(page)
    session.state.add_message({"status": "progress", "done": 2, "total": 4}, "1")
    updates = driver.flush()
    assert {(u.widget_id, u.prop) for u in updates} == {("status", "text"), ("bar", "value"), ("bar", "max")}
    assert driver.flush() == []  # nothing moved since
    driver.set_source(StaticSource(session.scope()))
    assert driver.bindings is not None and driver.bindings.evaluate(session.scope(), ALL) == []


def test_the_selection_tag_never_covers_another_widget(qtbot: Any) -> None:
    view = shown_page(qtbot, report_page())
    view.set_design_mode(True)
    for widget_id in ["status", "bar", "out", "row", "go", "get", "topic_in"]:
        qtbot.mouseClick(view.view(widget_id).qwidget, Qt.MouseButton.LeftButton, pos=QPoint(4, 4))
        assert view.selected() == widget_id
        frame = view.selection
        tag = frame.tag_rect().translated(frame.geometry().topLeft())
        for other_id in ["status", "bar", "out", "row", "go", "get", "topic_in"]:
            other = view.view(other_id).qwidget
            if other_id == widget_id or other.isAncestorOf(view.view(widget_id).qwidget):
                continue
            rect = other.geometry().translated(other.parentWidget().mapTo(view.surface, QPoint(0, 0)))
            assert not tag.intersects(rect), f"the tag of {widget_id} covers {other_id}"


def test_the_selection_tag_never_covers_the_selected_widgets_own_text(qtbot: Any) -> None:
    """A progress bar right under a label (no free strip above it): the tag leaves its text beside the bar whole (it used to
    sit in the top-right corner, on that text), and stays off the label."""
    page = Page(
        name="report",
        widgets=[
            Widget(id="status_label", type="text", props={"text": formula("stream.chunk.label"), "placeholder": "Press Generate report to start"}),
            Widget(id="progress", type="progress_bar", props={"value": formula("stream.chunk.done"), "placeholder": "Waiting for the first step of the report"}),
            Widget(id="after", type="text", props={"text": "More below"}),
        ],
    )
    view = shown_page(qtbot, page)
    view.set_design_mode(True)
    for widget_id in ("status_label", "progress", "after"):
        qtbot.mouseClick(view.view(widget_id).qwidget, Qt.MouseButton.LeftButton, pos=QPoint(4, 4))
        assert view.selected() == widget_id
        frame = view.selection
        tag = frame.tag_rect().translated(frame.geometry().topLeft())
        for label in [*view.view(widget_id).qwidget.findChildren(QLabel), view.view(widget_id).qwidget]:
            if isinstance(label, QLabel) and label.isVisible() and label.text():  # its text, drawn from the left (a label's row is wider)
                text = QRect(label.mapTo(view.surface, QPoint(0, 0)), label.size())
                if label.alignment() & Qt.AlignmentFlag.AlignLeft:
                    text.setWidth(label.fontMetrics().horizontalAdvance(label.text()) + label.contentsMargins().left())
                assert not tag.intersects(text), f"the tag of {widget_id} covers its text {label.text()!r} at {text}: {tag}"
        for other_id in ("status_label", "progress", "after"):
            if other_id != widget_id:
                other = view.view(other_id).qwidget
                assert not tag.intersects(QRect(other.mapTo(view.surface, QPoint(0, 0)), other.size())), f"the tag of {widget_id} covers {other_id}"
    progress = view.view("progress")
    assert isinstance(progress, ProgressBarView) and progress.text, "the bar had text to cover"


def test_a_bound_widget_shows_its_placeholder_until_its_value_arrives(qtbot: Any) -> None:
    page = Page(
        name="report",
        widgets=[
            Widget(id="label", type="text", props={"text": formula("stream.chunk.label"), "placeholder": "Press Generate report to start"}),
            Widget(
                id="bar",
                type="progress_bar",
                props={"value": formula("stream.chunk.done"), "max": formula("stream.chunk.total"), "format": "Step %v of %m", "placeholder": "Not started"},
            ),
            Widget(id="plain", type="text", props={"text": formula("stream.chunk.other")}),
        ],
    )
    view = shown_page(qtbot, Page(name="blank"))
    session = FakeSession(page)
    frames = ManualFrames()
    driver = PreviewDriver(view, session, frames=frames)
    driver.set_page(page)
    label, bar, plain = view.view("label"), view.view("bar"), view.view("plain")
    assert isinstance(label, TextView) and isinstance(bar, ProgressBarView) and isinstance(plain, TextView)
    assert label.label.text() == "Press Generate report to start" and bar.text == "Not started"
    assert plain.label.text() == "", "no placeholder set: nothing, never the design text"
    assert "Text" not in (label.label.text(), plain.label.text()) and "Step 0 of 100" != bar.text
    session.state.add_message({"status": "progress", "label": "Retrieving data", "done": 1, "total": 3}, "1")
    driver.wake()
    assert frames.step()
    assert label.label.text() == "Retrieving data" and bar.text == "Step 1 of 3"
