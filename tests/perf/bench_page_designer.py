"""Page designer figures: what layout costs when the page is rebuilt, and what the insertion marker costs per mouse move.

Run: ``QT_QPA_PLATFORM=offscreen .venv/bin/python tests/perf/bench_page_designer.py``
Prints figures and ratios against baselines measured in the same run; never fails on time.

1. rebuild: every edit rebuilds the page view. A page of 40 row Containers with 5 widgets each
   (240 widgets) and every layout prop set (direction, spacing, align children, fixed and fill
   widths, alignments), built and laid out, against the same page with no layout props (the
   defaults: what a page cost before layout existed). Goal: under 1.5x.
2. drag move: one ``QDragMoveEvent`` over that page (find the drop place through the nested
   rows, move the marker), against one hover ``QMouseEvent`` delivered to the same point (Qt's
   own hit-testing and delivery). Goal: well under half a frame (8 ms) on a slow machine.
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from PySide6.QtCore import QEvent, QPoint, QPointF, Qt  # noqa: E402
from PySide6.QtGui import QDragEnterEvent, QDragMoveEvent, QMouseEvent  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from app.core.project import Page, Widget  # noqa: E402
from app.editor.models.roles import WidgetTypeRole  # noqa: E402
from app.editor.models.widget_palette import WidgetPaletteModel  # noqa: E402
from app.ui.page_view import PageView  # noqa: E402

ROWS = 40
REPEATS = 7
MOVES = 400


def page(with_layout: bool) -> Page:
    rows = []
    for r in range(ROWS):
        children = [
            Widget(id=f"t{r}", type="text", props={"text": f"Row {r}", **({"align": "center", "width": "fixed", "fixedWidth": 120} if with_layout else {})}),
            Widget(id=f"b{r}", type="button", props={"label": "Go", **({"width": "fill"} if with_layout else {})}),
            Widget(id=f"p{r}", type="progress_bar", props={"value": r}),
            Widget(id=f"i{r}", type="text_input", props={"label": "Name", **({"align": "end"} if with_layout else {})}),
            Widget(id=f"d{r}", type="download_button", props={"url": "file:///x", **({"width": "fixed", "fixedWidth": 140} if with_layout else {})}),
        ]
        layout = {"direction": "row", "spacing": 20, "alignChildren": "center"} if with_layout else {"direction": "row"}
        rows.append(Widget(id=f"row{r}", type="container", props=layout, children=children))
    return Page(name="bench", title="Bench", widgets=rows)


def rebuild_ms(view: PageView, shown: Page) -> float:
    """One rebuild as an edit does it: build the views, lay them out, let the deferred deletes and polish run."""
    started = time.perf_counter()
    view.set_page(shown)
    view.set_design_mode(True)
    view.body.layout().activate()
    for container in view.views().values():
        if container.qwidget.layout() is not None:
            container.qwidget.layout().activate()
    QApplication.processEvents()
    return (time.perf_counter() - started) * 1000


def palette_mime():  # type: ignore[no-untyped-def]
    model = WidgetPaletteModel()
    for row in range(model.rowCount()):
        category = model.index(row, 0)
        for child in range(model.rowCount(category)):
            index = model.index(child, 0, category)
            if index.data(WidgetTypeRole) == "text":
                return model.mimeData([index])
    raise LookupError("text")


def main() -> None:
    app = QApplication.instance() or QApplication([])
    view = PageView()
    view.resize(1200, 900)
    view.show()
    QApplication.processEvents()

    plain_page, laid_out_page = page(False), page(True)
    rebuild_ms(view, plain_page)  # warm up: imports, style sheet, first polish
    plain_times, laid_out_times = [], []
    for _ in range(REPEATS):  # interleaved, so a busy moment of the machine hits both alike
        plain_times.append(rebuild_ms(view, plain_page))
        laid_out_times.append(rebuild_ms(view, laid_out_page))
    plain, laid_out = statistics.median(plain_times), statistics.median(laid_out_times)
    print(f"rebuild: {ROWS} row containers, {ROWS * 6} widgets, median of {REPEATS}")
    print(f"  no layout props (baseline): {plain:.1f} ms")
    print(f"  every layout prop set:      {laid_out:.1f} ms")
    print(f"  ratio (layout / baseline): {laid_out / plain:.2f}x")

    # the marker: moves over the middle rows, inside containers, between their children
    QApplication.processEvents()
    target = view.view(f"row{ROWS // 2}").qwidget
    points = [target.mapTo(view, QPoint(x, target.height() // 2)) for x in range(5, max(6, target.width() - 5), max(1, target.width() // 40))]
    mime = palette_mime()
    actions = Qt.DropAction.CopyAction | Qt.DropAction.MoveAction
    buttons, modifiers = Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier
    QApplication.sendEvent(view, QDragEnterEvent(points[0], actions, mime, buttons, modifiers))
    drag_times, hover_times = [], []
    for index in range(MOVES):
        at = points[index % len(points)]
        started = time.perf_counter()
        QApplication.sendEvent(view, QDragMoveEvent(at, actions, mime, buttons, modifiers))
        drag_times.append((time.perf_counter() - started) * 1e6)
        local = QPointF(at)
        started = time.perf_counter()
        QApplication.sendEvent(view, QMouseEvent(QEvent.Type.MouseMove, local, view.mapToGlobal(local), Qt.MouseButton.NoButton, Qt.MouseButton.NoButton, modifiers))
        hover_times.append((time.perf_counter() - started) * 1e6)
    assert view.drop_marker.spot is not None and view.drop_marker.spot.parent == f"row{ROWS // 2}", "the marker is inside the row"
    drag, hover = statistics.median(drag_times), statistics.median(hover_times)
    p99 = sorted(drag_times)[int(len(drag_times) * 0.99)]
    print(f"drag move over row{ROWS // 2} ({MOVES} moves)")
    print(f"  QDragMoveEvent (find the place, move the marker): median {drag:.0f} us, p99 {p99:.0f} us")
    print(f"  hover QMouseEvent to the same points (baseline): median {hover:.0f} us")
    print(f"  ratio (drag move / hover): {drag / hover:.1f}x; p99 is {p99 / 8000:.1%} of half a 60 Hz frame")
    view.close()
    del app


if __name__ == "__main__":
    main()
