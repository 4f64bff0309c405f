"""Page widget renderers: real Qt widgets that take only changed props and touch Qt only when the shown value moves."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QFontMetrics
from PySide6.QtWidgets import QHeaderView, QLabel, QPushButton, QWidget

from app.core.project import Page, PageVariable, Widget
from app.core.widgets.registry import default_widget_registry
from app.editor.preview.live_bindings import TEXT_INPUT_VALUE, StaticSource, static_scope
from app.ui import theme
from app.ui.page_view import PageView
from app.ui.page_widgets import RENDERERS, WidgetView, view_for
from app.ui.page_widgets.button import ButtonView
from app.ui.page_widgets.chunk_list import FLOOD_INSERT_EVERY_S, ROW_HEIGHT, TEXT_MARGIN, CellLook, ChunkListView, ChunkTable
from app.ui.page_widgets.container import ContainerView
from app.ui.page_widgets.download_button import DownloadButtonView
from app.ui.page_widgets.live_output import SOFT_BREAK_AT, LiveOutputView, soft_break
from app.ui.page_widgets.progress_bar import ProgressBarView
from app.ui.page_widgets.registry import UnknownWidgetView
from app.ui.page_widgets.text import TextView
from app.ui.page_widgets.text_input import TextInputView
from app.ui.preview_driver import PreviewDriver
from tests.conftest import SteppedClock, formula

SCREENSHOTS = Path(__file__).parent / "screenshots"


def make(qtbot: Any, type_id: str, widget_id: str = "w", **props: Any) -> Any:
    """A renderer on its own (a shown top-level widget), for one widget."""
    view = view_for(Widget(id=widget_id, type=type_id, props=props))
    qtbot.addWidget(view.qwidget)
    view.qwidget.resize(420, 240)
    view.qwidget.show()
    qtbot.waitExposed(view.qwidget)
    return view


class Counter:
    """Wraps a Qt method on an instance and counts the calls."""

    def __init__(self, owner: Any, name: str) -> None:
        self.calls: list[tuple[Any, ...]] = []
        original = getattr(owner, name)

        def counted(*args: Any) -> Any:
            self.calls.append(args)
            return original(*args)

        setattr(owner, name, counted)


def test_every_widget_type_has_a_renderer(qtbot: Any) -> None:
    for widget_type in default_widget_registry():
        assert widget_type.id in RENDERERS, f"no renderer for {widget_type.id}"
        view = view_for(Widget(id="w", type=widget_type.id))
        qtbot.addWidget(view.qwidget)
        assert isinstance(view, RENDERERS[widget_type.id]) and isinstance(view.qwidget, QWidget)
    unknown = view_for(Widget(id="w", type="from_the_future"))
    qtbot.addWidget(unknown.qwidget)
    assert isinstance(unknown, UnknownWidgetView) and isinstance(unknown.qwidget, QLabel) and "from_the_future" in unknown.qwidget.text()


# -- text --------------------------------------------------------------------------------
def test_text_shows_values_as_people_read_them(qtbot: Any) -> None:
    view: TextView = make(qtbot, "text", text="Hello")
    assert view.label.text() == "Hello" and view.style == "body"
    for value, shown in [(3.0, "3"), (2.5, "2.5"), (True, "true"), (None, ""), ({"a": 1}, '{"a": 1}'), ([1, 2], "[1, 2]")]:
        view.apply({"text": value})
        assert view.label.text() == shown


def test_a_status_text_is_a_badge_coloured_by_its_text(qtbot: Any) -> None:
    view: TextView = make(qtbot, "text", text="starting", style="status")
    assert view.style == "status" and view.tone == "active"
    view.apply({"text": "done"})
    assert view.tone == "success"
    view.apply({"text": "error"})
    assert view.tone == "error"
    view.apply({"text": "something else", "style": "heading"})
    assert view.style == "heading" and view.tone == "neutral"


# -- button ------------------------------------------------------------------------------
def test_a_button_click_emits_its_id_but_not_in_design_mode(qtbot: Any) -> None:
    view: ButtonView = make(qtbot, "button", "go", label="Generate")
    assert view.button.text() == "Generate" and view.button.property("variant") == "primary"
    with qtbot.waitSignal(view.clicked) as clicked:
        qtbot.mouseClick(view.button, Qt.MouseButton.LeftButton)
    assert clicked.args == ["go"]

    view.set_design_mode(True)
    selected: list[str] = []
    emitted: list[str] = []
    view.selectRequested.connect(selected.append)
    view.clicked.connect(emitted.append)
    qtbot.mouseClick(view.button, Qt.MouseButton.LeftButton)
    view.button.click()  # even a programmatic click does nothing in design mode
    assert selected == ["go"] and emitted == []
    assert view.button.focusPolicy() == Qt.FocusPolicy.NoFocus

    view.set_design_mode(False)
    qtbot.mouseClick(view.button, Qt.MouseButton.LeftButton)
    assert emitted == ["go"] and view.button.focusPolicy() != Qt.FocusPolicy.NoFocus


def test_visible_and_enabled_are_handled_for_every_widget(qtbot: Any) -> None:
    view: ButtonView = make(qtbot, "button")
    view.apply({"enabled": False})
    assert not view.button.isEnabled()
    view.apply({"enabled": True, "visible": 0})
    assert view.button.isEnabled() and not view.qwidget.isVisible()
    view.set_design_mode(True)  # hidden widgets still show (faded) in design mode, so they can be selected
    assert view.qwidget.isVisible() and view.qwidget.graphicsEffect() is not None
    view.set_design_mode(False)
    assert not view.qwidget.isVisible() and view.qwidget.graphicsEffect() is None
    view.apply({"visible": "yes"})
    assert view.qwidget.isVisible()


# -- progress bar ----------------------------------------------------------------------------
def test_progress_is_set_only_when_its_whole_value_changes(qtbot: Any) -> None:
    view: ProgressBarView = make(qtbot, "progress_bar")
    set_value = Counter(view.bar, "setValue")
    changes: list[int] = []
    view.bar.valueChanged.connect(changes.append)
    view.apply({"max": 10})
    for value in (1, 1.2, 1.9, 2, 2.0, 2.5, 3):
        view.apply({"value": value})
    assert [args[0] for args in set_value.calls] == [1, 2, 3]
    assert changes == [1, 2, 3]
    assert view.bar.value() == 3 and view.bar.maximum() == 10


def test_a_progress_update_is_painted_with_the_frame_not_in_the_middle_of_it(qtbot: Any) -> None:
    """Qt repaints a bar synchronously when its fill moves; during a flood that was a paint in the middle of every frame."""
    from PySide6.QtCore import QEvent, QObject

    class Paints(QObject):
        count = 0

        def eventFilter(self, _watched: QObject, event: QEvent) -> bool:  # noqa: N802
            if event.type() == QEvent.Type.Paint:
                self.count += 1
            return False

    view = PageView()
    qtbot.addWidget(view)
    view.set_page(Page(name="p", title="P", widgets=[Widget(id="bar", type="progress_bar", props={"value": 0, "max": 50_000})]))
    view.resize(900, 600)
    bar = view.view("bar")
    assert isinstance(bar, ProgressBarView)
    paints = Paints()
    bar.bar.installEventFilter(paints)
    view.show()
    qtbot.waitUntil(lambda: paints.count >= 1, timeout=10_000)  # the page is on screen, as when a stream starts
    paints.count = 0
    for value in range(160, 16_000, 160):  # a frame's worth of a flood, a hundred times: the fill moves every time
        bar.apply_props({"value": value})
    assert paints.count == 0, "painted while the frame was still applying values"
    assert bar.bar.value() == 15_840
    qtbot.waitUntil(lambda: paints.count >= 1, timeout=10_000)  # the user sees it with the next paint


def test_progress_clamps_and_treats_nothing_as_zero(qtbot: Any) -> None:
    view: ProgressBarView = make(qtbot, "progress_bar", format="%v of %m")
    view.apply({"value": 7, "max": 12})
    assert view.text == "7 of 12"
    view.apply({"value": 40})
    assert view.bar.value() == 12 and view.text == "12 of 12"
    view.apply({"value": None})
    assert view.bar.value() == 0
    view.apply({"value": -5})
    assert view.bar.value() == 0
    view.apply({"value": "6"})
    assert view.bar.value() == 6
    view.apply({"value": 9, "max": 5})  # a smaller maximum in the same frame
    assert (view.bar.value(), view.bar.maximum()) == (5, 5)
    view.apply({"format": "%p%"})
    assert view.text == "100%"


# -- live output --------------------------------------------------------------------------------
def test_live_output_appends_only_the_new_suffix(qtbot: Any) -> None:
    view: LiveOutputView = make(qtbot, "live_output", monospace=True)
    replaced = Counter(view.edit, "setPlainText")
    document = view.edit.document()
    text = ""
    for index in range(20):
        text += f"line {index}\n"
        view.apply({"text": text})
        assert document.blockCount() == index + 2  # each line ends with a newline: one more (empty) block
    assert view.edit.toPlainText() == text
    assert view.appends == 20 and replaced.calls == []
    view.apply({"text": text})  # the same text: nothing happens
    assert view.appends == 20

    view.apply({"text": "something else"})
    assert view.edit.toPlainText() == "something else" and view.replacements == 1 and len(replaced.calls) == 1


def test_live_output_stays_at_the_bottom_unless_the_reader_scrolled_up(qtbot: Any) -> None:
    view: LiveOutputView = make(qtbot, "live_output")
    bar = view.edit.verticalScrollBar()
    text = "".join(f"line {i}\n" for i in range(200))
    view.apply({"text": text})
    assert bar.maximum() > 0 and bar.value() == bar.maximum()
    text += "more\n" * 10
    view.apply({"text": text})
    assert bar.value() == bar.maximum()
    bar.setValue(5)  # the reader scrolls up
    text += "more\n" * 10
    view.apply({"text": text})
    assert bar.value() == 5


def test_live_output_keeps_its_text_across_design_mode_and_visibility(qtbot: Any) -> None:
    view: LiveOutputView = make(qtbot, "live_output")
    view.apply({"text": "one "})
    view.set_design_mode(True)
    view.apply({"visible": False, "text": "one two "})
    view.set_design_mode(False)
    view.apply({"visible": True, "text": "one two three"})
    assert view.text == view.edit.toPlainText() == "one two three" and view.replacements == 0


def test_a_very_long_line_is_shown_in_paragraphs_but_copied_exactly(qtbot: Any) -> None:
    view: LiveOutputView = make(qtbot, "live_output")
    document = view.edit.document()
    text = ""
    for _ in range(40):
        text += "word " * 100  # one line of 20,000 characters in 40 appends
        view.apply({"text": text})
    assert view.text == text and view.replacements == 0
    shown = view.edit.toPlainText()
    assert len(shown) == len(text) and shown.replace("\n", " ") == text
    assert document.blockCount() >= len(text) // SOFT_BREAK_AT  # laid out in pieces, not one 20,000-character paragraph
    assert max(len(block) for block in shown.split("\n")) <= SOFT_BREAK_AT + len("word ")
    view.edit.selectAll()
    assert view.edit.createMimeDataFromSelection().text() == text


def test_soft_break_keeps_length_and_breaks_only_at_spaces() -> None:
    assert soft_break("abc def", 0, limit=100) == ("abc def", 7)
    assert soft_break("aaaa bbbb cccc", 0, limit=6) == ("aaaa bbbb\ncccc", 4)
    assert soft_break("xxxxxxxxxx", 3, limit=4) == ("xxxxxxxxxx", 13)  # no space: stays long
    assert soft_break(" tail", 13, limit=4) == ("\ntail", 4)
    assert soft_break("a\nbb cc dd", 0, limit=3) == ("a\nbb cc\ndd", 2)


def test_live_output_placeholder_and_font(qtbot: Any) -> None:
    view: LiveOutputView = make(qtbot, "live_output", placeholder="Output appears here")
    assert view.edit.placeholderText() == "Output appears here"
    proportional = view.edit.font().family()
    view.apply({"monospace": True})
    assert view.edit.font().fixedPitch() or view.edit.font().family() != proportional
    view.apply({"monospace": False})
    assert view.edit.font().family() == proportional


# -- download button ------------------------------------------------------------------------------
def test_download_button_is_enabled_by_its_url_and_emits_it(qtbot: Any) -> None:
    view: DownloadButtonView = make(qtbot, "download_button", "get", label="Download CSV", action="open", fileName="r.csv")
    assert view.button.text() == "Download CSV" and not view.button.isEnabled()
    assert "No URL" in view.button.toolTip()
    url = "http://127.0.0.1:8000/runs/abc/files/report.csv?sig=1"
    view.apply({"url": url})
    assert view.button.isEnabled() and view.button.toolTip() == url
    with qtbot.waitSignal(view.download) as download:
        qtbot.mouseClick(view.button, Qt.MouseButton.LeftButton)
    assert download.args == ["get", url, "open", "r.csv"]
    view.apply({"enabled": False})
    assert not view.button.isEnabled()
    view.apply({"enabled": True, "url": None})
    assert not view.button.isEnabled()


# -- text input ---------------------------------------------------------------------------------------
def test_text_input_emits_what_the_user_types_and_not_what_it_is_told(qtbot: Any) -> None:
    view: TextInputView = make(qtbot, "text_input", "topic_in", variable="topic", label="Topic", placeholder="What about?")
    assert view.label.text() == "Topic" and not view.label.isHidden() and view.line.placeholderText() == "What about?"
    edits: list[tuple[str, str, str]] = []
    view.edited.connect(lambda *args: edits.append(args))
    view.apply({TEXT_INPUT_VALUE: "sales"})
    view.set_text("sales figures")
    assert view.text == "sales figures" and edits == []
    view.line.clear()
    qtbot.keyClicks(view.line, "Q3")
    assert edits == [("topic_in", "topic", "Q"), ("topic_in", "topic", "Q3")]
    view.apply({"label": ""})
    assert view.label.isHidden()


# -- chunk list -------------------------------------------------------------------------------------------
def test_chunk_list_inserts_only_new_rows_of_a_growing_list(qtbot: Any) -> None:
    view: ChunkListView = make(qtbot, "chunk_list")
    model = view.model
    inserted: list[tuple[int, int]] = []
    resets: list[int] = []
    model.rowsInserted.connect(lambda _parent, first, last: inserted.append((first, last)))
    model.modelReset.connect(lambda: resets.append(1))
    chunks: list[Any] = []
    view.apply({"items": chunks})
    chunks.extend({"status": "progress", "done": i, "total": 5} for i in range(1, 4))
    view.apply({"items": chunks})  # the same list object, grown
    chunks.append({"status": "done", "done": 5, "total": 5, "downloadUrl": "http://x"})
    view.apply({"items": chunks})
    assert inserted == [(0, 2), (3, 3)] and resets == []
    assert model.columns() == ["#", "status", "done", "total", "downloadUrl"]
    assert model.index(3, 0).data() == "4" and model.index(3, 1).data() == "done" and model.index(0, 4).data() == ""

    longer = [*chunks, {"status": "done"}]  # a new list whose prefix is unchanged
    view.apply({"items": longer})
    assert inserted[-1] == (4, 4) and resets == []

    view.apply({"items": [{"status": "other"}]})  # anything else resets
    assert resets == [1] and model.rowCount() == 1 and model.columns() == ["#", "status"]
    view.apply({"items": None})
    assert model.rowCount() == 0


def test_chunk_list_shows_given_columns_and_bare_values(qtbot: Any) -> None:
    view: ChunkListView = make(qtbot, "chunk_list", columns=["label", "done"])
    view.apply({"items": [{"label": "a", "done": 1.0, "extra": True}]})
    assert view.model.columns() == ["#", "label", "done"]
    assert [view.model.index(0, c).data() for c in range(3)] == ["1", "a", "1"]
    view.apply({"columns": [], "items": ["plain", 3]})
    assert view.model.columns() == ["#", "value"] and view.model.index(1, 1).data() == "3"


def test_chunk_list_follows_the_bottom_unless_scrolled_up(qtbot: Any) -> None:
    view: ChunkListView = make(qtbot, "chunk_list")
    view.clock = clock = SteppedClock()  # each batch comes after the flood hold, so the next tick lets it in
    bar = view.table.verticalScrollBar()
    chunks = [{"n": i} for i in range(200)]
    view.apply({"items": chunks})
    assert view.pending and view.catch_up_due  # a screenful or more waits for the driver's next tick
    view.catch_up()
    chunks.extend({"n": i} for i in range(200, 210))
    clock.advance(2 * FLOOD_INSERT_EVERY_S)
    view.apply({"items": chunks})
    view.catch_up()
    assert view.model.rowCount() == 210 and bar.maximum() > 0 and bar.value() == bar.maximum()
    bar.setValue(10)
    chunks.extend({"n": i} for i in range(210, 220))
    clock.advance(2 * FLOOD_INSERT_EVERY_S)
    view.apply({"items": chunks})
    view.catch_up()
    assert view.model.rowCount() == 220 and bar.value() == 10


def test_chunk_list_cells_are_painted_from_one_model_call_and_cut_with_an_ellipsis_only_when_too_long(qtbot: Any) -> None:
    view: ChunkListView = make(qtbot, "chunk_list")
    long_label = "a label far too long for its column " * 4
    view.apply({"items": [{"status": "error", "label": "short"}, {"status": "progress", "label": long_label, "done": 2.0}]})
    model = view.model
    assert isinstance(view.table, ChunkTable)
    assert model.paint_cell(0, 0) == ("1", theme.TEXT_MUTED, True)  # the row number: muted, right-aligned
    assert model.paint_cell(0, 1) == ("error", theme.ERROR, False)  # a status in its tone
    assert model.paint_cell(1, 2) == (long_label, None, False) and model.paint_cell(1, 3) == ("2", None, False)
    assert [model.paint_cell(1, column)[0] for column in range(4)] == [model.index(1, column).data() for column in range(4)]  # what Qt reads
    look = CellLook(view.table)
    metrics = QFontMetrics(view.table.font())
    for sample in ["", "x", "Writing row 35", "WWWWWWWWWWWW", "naïve ﬁle ✓ 漢字", long_label]:
        for width in (0, 10, 40, 87, 120, 400, 2000):
            if not look.may_overflow(sample, width):  # drawn uncut only when it surely fits
                assert metrics.horizontalAdvance(sample) <= width, (sample, width)
    assert look.may_overflow(long_label, 200) and not look.may_overflow("x", 200)


def test_chunk_list_paints_each_visible_cell_with_its_text_in_place_and_selected_rows_highlighted(qtbot: Any) -> None:
    view: ChunkListView = make(qtbot, "chunk_list")
    view.apply({"items": [{"status": "error", "label": "short"}, {"status": "progress", "label": "next"}, {"status": "done", "label": "last"}]})
    table = view.table
    look = table.look()
    table.selectRow(1)
    image = table.viewport().grab().toImage()
    header = table.horizontalHeader()

    def inked(row: int, column: int, colour: QColor | None = None) -> list[int]:
        """x positions in a cell where text is drawn (pixels far from the row's background, or of ``colour``)."""
        top, x0 = table.rowViewportPosition(row), header.sectionViewportPosition(column)
        background = image.pixelColor(x0 + 1, top + 1)
        found = []
        for x in range(x0, x0 + header.sectionSize(column)):
            for y in range(top + 4, top + ROW_HEIGHT - 4):
                pixel = image.pixelColor(x, y)
                if colour is not None and abs(pixel.red() - colour.red()) + abs(pixel.green() - colour.green()) + abs(pixel.blue() - colour.blue()) < 60:
                    found.append(x)
                    break
                if colour is None and abs(pixel.lightness() - background.lightness()) > 60:
                    found.append(x)
                    break
        return found

    assert image.pixelColor(header.sectionViewportPosition(1) + 2, table.rowViewportPosition(1) + 2) == look.highlight
    assert image.pixelColor(header.sectionViewportPosition(1) + 2, table.rowViewportPosition(0) + 2) != look.highlight
    assert image.pixelColor(header.sectionViewportPosition(1) + 2, table.rowViewportPosition(2) + 2) != look.highlight
    status = header.sectionViewportPosition(1)
    error_ink = inked(0, 1, theme.ERROR)
    assert error_ink and min(error_ink) >= status + TEXT_MARGIN - 1  # "error" in its tone, after the left margin
    number = inked(0, 0)
    edge = header.sectionViewportPosition(0) + header.sectionSize(0)
    assert number and max(number) >= edge - TEXT_MARGIN - 3 and max(number) < edge - TEXT_MARGIN + 1  # the row number: right-aligned
    assert inked(2, 2)  # every visible cell is painted, the last row too


def test_chunk_list_header_takes_the_page_s_style(qtbot: Any) -> None:
    """The page's style sheet finds the table by its name (``QTableView#pageChunkList QHeaderView::section``):
    bold titles with 5 px above and below them, not Qt's plain header."""
    view = PageView()
    qtbot.addWidget(view)
    view.set_page(Page(name="p", widgets=[Widget(id="rows", type="chunk_list")]))
    rows = view.view("rows")
    assert isinstance(rows, ChunkListView)
    rows.apply({"items": [{"status": "done", "n": 1}]})
    view.show()
    qtbot.waitExposed(view)
    header = rows.table.horizontalHeader()
    plain = QHeaderView(Qt.Orientation.Horizontal)
    plain.setModel(rows.model)
    assert header.height() >= plain.sizeHint().height() + 6, (header.height(), plain.sizeHint().height())


def test_chunk_list_widens_a_column_when_a_new_row_would_not_fit_and_never_narrows_it(qtbot: Any) -> None:
    view: ChunkListView = make(qtbot, "chunk_list")
    view.clock = clock = SteppedClock()
    chunks: list[Any] = [{"label": "a", "n": n} for n in range(1, 10)]
    view.apply({"items": chunks})
    view.catch_up()
    header = view.table.horizontalHeader()
    look = view.table.look()
    narrow = header.sectionSize(0), header.sectionSize(1)
    chunks.extend({"label": "a much longer label than before", "n": n} for n in range(10, 100_001))
    clock.advance(2 * FLOOD_INSERT_EVERY_S)
    view.apply({"items": chunks})
    view.catch_up()
    assert view.model.rowCount() == 100_000
    assert header.sectionSize(0) >= look.width("100000") + 2 * TEXT_MARGIN > narrow[0]  # the row number shows whole
    assert header.sectionSize(1) >= look.width("a much longer label than before") + 2 * TEXT_MARGIN > narrow[1]
    chunks.append({"label": "b", "n": 0})
    clock.advance(2 * FLOOD_INSERT_EVERY_S)
    wide = header.sectionSize(1)
    view.apply({"items": chunks})
    assert header.sectionSize(1) == wide


# -- container ------------------------------------------------------------------------------------------------
def test_container_holds_its_children_in_a_row_or_a_column(qtbot: Any) -> None:
    widget = Widget(
        id="box",
        type="container",
        props={"direction": "row"},
        children=[Widget(id="a", type="button"), Widget(id="b", type="text", props={"text": "hi"})],
    )
    view = view_for(widget)
    qtbot.addWidget(view.qwidget)
    view.qwidget.show()
    assert isinstance(view, ContainerView) and view.direction == "row"
    assert [v.widget_id for v in view.iter_views()] == ["box", "a", "b"]
    first, second = view.child_views
    assert first.qwidget.parent() is view.qwidget and second.qwidget.isVisible()
    view.apply({"direction": "column"})
    assert view.direction == "column"
    view.apply({"visible": False})
    assert not second.qwidget.isVisible()
    view.set_design_mode(True)
    assert first.design_mode and second.design_mode


# -- the whole page ----------------------------------------------------------------------------------------------
def every_widget_page() -> Page:
    return Page(
        name="report",
        title="Generate report",
        variables=[PageVariable(name="topic", initial="Quarterly sales")],
        widgets=[
            Widget(id="intro", type="text", props={"text": "Generate the report, watch it stream in, then download it.", "style": "caption"}),
            Widget(id="topic_input", type="text_input", props={"variable": "topic", "label": "Topic", "placeholder": "What about?"}),
            Widget(
                id="actions",
                type="container",
                props={"direction": "row"},
                children=[
                    Widget(id="generate", type="button", props={"label": "Generate report"}),
                    Widget(id="cancel", type="button", props={"label": "Cancel", "style": "secondary"}),
                    Widget(id="download", type="download_button", props={"url": formula("stream.chunk.downloadUrl"), "label": "Download CSV"}),
                ],
            ),
            Widget(id="status", type="text", props={"text": formula("stream.chunk.status"), "style": "status"}),
            Widget(id="step", type="text", props={"text": formula("stream.chunk.label"), "style": "heading"}),
            Widget(
                id="progress",
                type="progress_bar",
                props={"value": formula("stream.chunk.done"), "max": formula("stream.chunk.total"), "format": "%v of %m"},
            ),
            Widget(id="output", type="live_output", props={"text": formula("$join(stream.chunks.text)"), "monospace": True}),
            Widget(id="rows", type="chunk_list", props={"columns": ["status", "label", "done", "total"]}),
        ],
    )


def streaming_scope(page: Page, messages: int) -> dict[str, Any]:
    scope = static_scope(page)
    chunks: list[dict[str, Any]] = [
        {"status": "progress", "label": "Generating rows", "done": i, "total": 12, "text": f"row {i}: 42 records aggregated\n"} for i in range(1, messages + 1)
    ]
    chunks[-1]["downloadUrl"] = "http://127.0.0.1:8000/runs/7f3a/files/report.csv"
    scope["stream"].update(chunk=chunks[-1], chunks=chunks, status="streaming", count=len(chunks))
    return scope


def test_screenshot_of_a_page_with_every_widget_type(qtbot: Any) -> None:
    page = every_widget_page()
    assert {w.type for _, w in _walk(page.widgets)} == {t.id for t in default_widget_registry()}
    view = PageView()
    qtbot.addWidget(view)
    view.resize(760, 1010)
    driver = PreviewDriver(view, StaticSource(streaming_scope(page, 7)))
    driver.set_page(page)
    view.show()
    qtbot.waitExposed(view)
    output = view.view("output")
    qtbot.waitUntil(lambda: view.body.height() >= view.body.sizeHint().height())  # the posted layout requests ran
    generate = view.view("generate").qwidget
    assert isinstance(generate, QPushButton)
    assert generate.palette().button().color().name() == "#3b6fe0" or "#3b6fe0" in view.styleSheet()
    progress = view.view("progress")
    assert isinstance(progress, ProgressBarView) and progress.bar.value() == 7 and progress.text == "7 of 12"
    assert isinstance(output, LiveOutputView) and output.text.count("\n") == 7
    SCREENSHOTS.mkdir(exist_ok=True)
    assert view.grab().save(str(SCREENSHOTS / "page_widgets.png"))
    view.set_design_mode(True)
    view.select("progress")
    qtbot.waitUntil(lambda: view.selection.isVisible())
    assert view.grab().save(str(SCREENSHOTS / "page_widgets_design.png"))


def _walk(widgets: list[Widget]) -> list[tuple[str, Widget]]:
    found = []
    for widget in widgets:
        found.append((widget.id, widget))
        found.extend(_walk(widget.children))
    return found


@pytest.mark.parametrize("type_id", sorted(RENDERERS))
def test_design_mode_makes_every_renderer_select_on_press(qtbot: Any, type_id: str) -> None:
    view: WidgetView = make(qtbot, type_id, "x")
    view.set_design_mode(True)
    with qtbot.waitSignal(view.selectRequested) as selected:
        target = view.qwidget.findChildren(QWidget)[0] if view.qwidget.findChildren(QWidget) else view.qwidget
        if isinstance(view.qwidget, QLabel):
            target = view.qwidget
        qtbot.mousePress(target, Qt.MouseButton.LeftButton)
    assert selected.args == ["x"]
