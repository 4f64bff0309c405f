"""The inspector's timeline strip: one lane per action, its spans as bars, the messages it sent as ticks.

Painted by hand and zoomed to fit the whole run. A lane with fewer spans (or
ticks) than pixels draws each one; a busier lane asks, pixel column by pixel
column, which span covers it and how many ticks fall in it, with ``bisect``
on the lane's time columns. So a repaint costs about the strip's width per
lane whether the run sent ten messages or a million.
"""

from __future__ import annotations

import math
from bisect import bisect_left, bisect_right
from collections.abc import Callable

from PySide6.QtCore import QEvent, QLineF, QPointF, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QFontMetrics, QHelpEvent, QMouseEvent, QPainter, QPaintEvent, QPen
from PySide6.QtWidgets import QSizePolicy, QToolTip, QWidget

from app.core.registry import Registry, default_registry
from app.editor.stream_log import Lane, StreamLog
from app.ui import theme

__all__ = ["TimelineStrip", "format_duration", "nice_step"]

AXIS_H = 22
LANE_H = 20
GUTTER = 150
RIGHT_PAD = 12
BAR_INSET = 4
OPEN_COLOUR = QColor("#9aa3b2")
MARKER = QColor("#e0533b")


def format_duration(seconds: float) -> str:
    """``840 µs``, ``12.5 ms``, ``3.20 s``, ``2 min 05 s``: short and readable at a glance."""
    if seconds < 0.001:
        return f"{seconds * 1e6:.0f} µs"
    if seconds < 1:
        return f"{seconds * 1000:.1f} ms" if seconds < 0.1 else f"{seconds * 1000:.0f} ms"
    if seconds < 60:
        return f"{seconds:.2f} s"
    minutes, rest = divmod(seconds, 60)
    return f"{minutes:.0f} min {rest:02.0f} s"


def nice_step(span: float, pixels: float, min_gap: float = 70.0) -> float:
    """A 1-2-5 step of time such that axis labels stand at least ``min_gap`` pixels apart."""
    if span <= 0 or pixels <= 0:
        return 1.0
    raw = span * min_gap / pixels
    power = 10 ** math.floor(math.log10(raw))
    for factor in (1, 2, 5, 10):
        if factor * power >= raw:
            return factor * power
    return 10 * power


def axis_label(t: float, step: float) -> str:
    if step < 0.001:
        return f"{t * 1e6:.0f} µs"
    if step < 1:
        return f"{t * 1000:.0f} ms"
    return f"{t:.0f} s" if step >= 1 and t == int(t) else f"{t:.1f} s"


class TimelineStrip(QWidget):
    """Lanes of action spans and message ticks for a :class:`StreamLog`; ``refresh()`` after the log grew."""

    laneClicked = Signal(str)
    """(action id): the user clicked a lane."""

    def __init__(self, registry: Registry | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.registry = registry or default_registry()
        self.log: StreamLog | None = None
        self.marker: float | None = None
        """Timeline time of the selected message, drawn as a line."""
        self.highlighted: str | None = None
        """The action of the selected message: its lane is highlighted."""
        self._lanes = 0
        self._colours: dict[str, QColor] = {}
        self.setMouseTracking(True)
        self.setMinimumHeight(AXIS_H + LANE_H + 8)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.MinimumExpanding)
        self.setAccessibleName("Timeline of action spans")

    # -- content -------------------------------------------------------------------
    def set_log(self, log: StreamLog | None) -> None:
        self.log = log
        self.marker = None
        self.highlighted = None
        self.refresh()

    def set_marker(self, t: float | None, action_id: str | None = None) -> None:
        self.marker, self.highlighted = t, action_id
        self.update()

    def refresh(self) -> None:
        lanes = len(self.log.lanes) if self.log is not None else 0
        if lanes != self._lanes:
            self._lanes = lanes
            self.setMinimumHeight(self.sizeHint().height())
            self.updateGeometry()
        self.update()

    def lanes(self) -> list[Lane]:
        return list(self.log.lanes.values()) if self.log is not None else []

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt override
        return QSize(480, AXIS_H + max(1, self._lanes) * LANE_H + 8)

    # -- geometry --------------------------------------------------------------------
    def _plot_rect(self) -> QRectF:
        return QRectF(GUTTER, AXIS_H, max(10.0, self.width() - GUTTER - RIGHT_PAD), max(1, self._lanes) * LANE_H)

    def _span_s(self) -> float:
        end = self.log.end_time() if self.log is not None else 0.0
        return max(end * 1.02, 0.001)

    def x_of(self, t: float) -> float:
        rect = self._plot_rect()
        return rect.left() + t / self._span_s() * rect.width()

    def t_of(self, x: float) -> float:
        rect = self._plot_rect()
        return (x - rect.left()) / rect.width() * self._span_s()

    def axis_top(self) -> int:
        """Where the time axis is drawn: the top of the strip's visible part, so it stays in view while the lanes
        scroll under it (a sticky header), as the dock is often only a few lanes high."""
        return max(0, self.visibleRegion().boundingRect().top())

    def lane_at(self, y: float) -> Lane | None:
        if y < self.axis_top() + AXIS_H:
            return None  # on the axis, which covers the lanes scrolled under it
        index = int((y - AXIS_H) // LANE_H)
        lanes = self.lanes()
        return lanes[index] if y >= AXIS_H and 0 <= index < len(lanes) else None

    def _colour(self, action_type: str) -> QColor:
        colour = self._colours.get(action_type)
        if colour is None:
            try:
                colour = theme.category_colour(self.registry.get(action_type).category)
            except KeyError:
                colour = QColor("#5f6b7a")
            self._colours[action_type] = colour
        return colour

    # -- painting --------------------------------------------------------------------
    def paintEvent(self, _event: QPaintEvent) -> None:  # noqa: N802 - Qt override
        painter = QPainter(self)
        painter.fillRect(self.rect(), theme.CARD_BACKGROUND)
        rect = self._plot_rect()
        rect.setHeight(max(rect.height(), 0))
        lanes = self.lanes()
        if not lanes:
            painter.setPen(theme.TEXT_MUTED)
            text = "Action spans show here when a run is traced (the Run panel and the Preview trace theirs)"
            if self.log is not None and self.log.count:
                text = "These messages name no action, so there is nothing to lay out in time"
            painter.drawText(self.rect().adjusted(12, 0, -12, 0), Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft | Qt.TextFlag.TextWordWrap, text)
            painter.end()
            return
        self._paint_grid(painter, rect)
        metrics = QFontMetrics(self.font())
        span = self._span_s()
        for row, lane in enumerate(lanes):
            top = rect.top() + row * LANE_H
            band = QRectF(0, top, self.width(), LANE_H)
            if lane.action_id == self.highlighted:
                painter.fillRect(band, QColor("#e8effd"))
            elif row % 2:
                painter.fillRect(band, QColor("#f7f8fa"))
            colour = self._colour(lane.action_type)
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(colour)
            painter.drawRoundedRect(QRectF(8, top + LANE_H / 2 - 4, 8, 8), 2, 2)
            painter.setPen(theme.TEXT if lane.action_id == self.highlighted else theme.TEXT)
            label = metrics.elidedText(lane.action_id, Qt.TextElideMode.ElideRight, GUTTER - 30)
            painter.drawText(QRectF(22, top, GUTTER - 28, LANE_H), Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft, label)
            self._paint_spans(painter, lane, rect, top, span, colour)
            self._paint_ticks(painter, lane, rect, top, span)
        painter.setPen(QPen(theme.LANE_BORDER, 1))
        painter.drawLine(QPointF(GUTTER - 0.5, AXIS_H), QPointF(GUTTER - 0.5, rect.bottom()))
        top = self.axis_top()
        self._paint_axis(painter, rect, top)
        if self.marker is not None:
            x = rect.left() + self.marker / span * rect.width()
            painter.setPen(QPen(MARKER, 1.5))
            painter.drawLine(QPointF(x, top + AXIS_H - 4), QPointF(x, rect.bottom()))
        painter.end()

    def _axis_times(self, rect: QRectF) -> list[tuple[float, float, str]]:
        """``(t, x, label)`` of each axis mark."""
        span = self._span_s()
        step = nice_step(span, rect.width())
        marks, t = [], 0.0
        while t <= span + 1e-12:
            marks.append((t, rect.left() + t / span * rect.width(), axis_label(t, step)))
            t += step
        return marks

    def _paint_grid(self, painter: QPainter, rect: QRectF) -> None:
        painter.setPen(QPen(QColor("#eceef2"), 1))
        for _, x, _ in self._axis_times(rect):
            painter.drawLine(QPointF(x, AXIS_H), QPointF(x, rect.bottom()))

    def _paint_axis(self, painter: QPainter, rect: QRectF, top: float) -> None:
        """The axis band at ``top``, over whatever lanes scrolled under it."""
        painter.fillRect(QRectF(0, top, self.width(), AXIS_H - 1), theme.CARD_BACKGROUND)
        painter.setPen(QPen(theme.LANE_BORDER, 1))
        painter.drawLine(QPointF(rect.left(), top + AXIS_H - 0.5), QPointF(rect.right(), top + AXIS_H - 0.5))
        small = self.font()
        small.setPointSizeF(max(7.0, small.pointSizeF() - 1))
        painter.setFont(small)
        metrics = QFontMetrics(small)
        painter.setPen(theme.TEXT_MUTED)
        for _, x, label in self._axis_times(rect):
            if x + 3 + metrics.horizontalAdvance(label) <= self.width() - 2:
                painter.drawText(QRectF(x + 3, top + 2, 90, AXIS_H - 4), Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft, label)
        painter.setFont(self.font())

    def _paint_spans(self, painter: QPainter, lane: Lane, rect: QRectF, top: float, span: float, colour: QColor) -> None:
        if not lane.starts:
            return
        y, height = top + BAR_INSET, LANE_H - 2 * BAR_INSET
        scale = rect.width() / span
        left = rect.left()
        end_now = self.log.end_time() if self.log is not None else 0.0
        failed = QColor(theme.ERROR)
        painter.setPen(Qt.PenStyle.NoPen)
        if len(lane.starts) <= rect.width():
            for start, end, ok in zip(lane.starts, lane.ends, lane.oks, strict=True):
                is_open = math.isnan(end)
                x0 = left + start * scale
                x1 = left + (end_now if is_open else end) * scale
                painter.setBrush(OPEN_COLOUR if is_open else failed if ok == 0 else colour)
                painter.drawRect(QRectF(x0, y, max(1.5, x1 - x0), height))
            return
        # busier than the pixels: which span covers each pixel column, drawn as runs of columns
        starts, ends, oks = lane.starts, lane.ends, lane.oks
        runs: dict[int, list[QRectF]] = {}
        brushes = (OPEN_COLOUR, failed, colour)
        run_start, run_kind = -1, -1
        columns = int(rect.width())
        for column in range(columns + 1):
            kind = -1
            if column < columns:
                t0, t1 = column / scale, (column + 1) / scale
                index = bisect_right(starts, t1) - 1
                if index >= 0:
                    end = ends[index]
                    if end != end:  # NaN: still open
                        kind = 0
                    elif end >= t0:
                        kind = 1 if oks[index] == 0 else 2
            if kind != run_kind:
                if run_kind >= 0:
                    runs.setdefault(run_kind, []).append(QRectF(left + run_start, y, column - run_start, height))
                run_start, run_kind = column, kind
        for kind, rects in runs.items():
            painter.setBrush(brushes[kind])
            painter.drawRects(rects)

    def _paint_ticks(self, painter: QPainter, lane: Lane, rect: QRectF, top: float, span: float) -> None:
        ticks = lane.ticks
        if not ticks:
            return
        scale = rect.width() / span
        left = rect.left()
        painter.setPen(QPen(QColor("#1f2430"), 1))
        y0, y1 = top + 2, top + LANE_H - 2
        if len(ticks) <= rect.width():
            columns = {round(t * scale) for t in ticks}
        else:
            columns = set()
            lo = 0
            for column in range(int(rect.width())):
                hi = bisect_left(ticks, (column + 1) / scale, lo)
                if hi > lo:
                    columns.add(column)
                lo = hi
        painter.drawLines([QLineF(left + column + 0.5, y0, left + column + 0.5, y1) for column in sorted(columns)])

    # -- hover and clicks ------------------------------------------------------------
    def event(self, event: QEvent) -> bool:
        return described_tooltip(self, event, self.describe_at) or super().event(event)

    def describe_at(self, point: QPointF) -> str:
        """What hovering ``point`` tells: the span under it with its duration, or the lane's totals."""
        lane = self.lane_at(point.y())
        if lane is None or self.log is None:
            return ""
        type_title = lane.action_type
        try:
            type_title = self.registry.get(lane.action_type).title
        except KeyError:
            pass
        lines = [f"<b>{lane.action_id}</b> · {type_title}"]
        if point.x() >= GUTTER and lane.starts:
            slack = 3 * self._span_s() / max(1.0, self._plot_rect().width())
            index = lane.span_at(self.t_of(point.x()), slack)
            if index is not None:
                span = lane.span(index)
                took = "still running" if span.duration is None else f"took {format_duration(span.duration)}"
                verdict = " · <span style='color:#d0343a'>failed</span>" if span.ok is False else ""
                lines.append(f"run {index + 1} of {lane.runs}: started at {format_duration(span.start)}, {took}{verdict}")
        if lane.starts:
            finished = lane.runs - sum(1 for ok in lane.oks[-1:] if ok == -1)
            mean = lane.total / finished if finished else 0.0
            lines.append(f"{lane.runs:,} run{'s' if lane.runs != 1 else ''} · total {format_duration(lane.total)} · "
                         f"mean {format_duration(mean)} · longest {format_duration(lane.longest)}")  # fmt: skip
            if lane.failed:
                lines.append(f"{lane.failed:,} failed")
        if lane.ticks:
            lines.append(f"sent {len(lane.ticks):,} message{'s' if len(lane.ticks) != 1 else ''}")
        return "<br>".join(lines)

    def mousePressEvent(self, event: QMouseEvent) -> None:  # noqa: N802 - Qt override
        lane = self.lane_at(event.position().y())
        if lane is not None and event.button() == Qt.MouseButton.LeftButton:
            self.laneClicked.emit(lane.action_id)
        super().mousePressEvent(event)


def described_tooltip(widget: QWidget, event: QEvent, describe: Callable[[QPointF], str]) -> bool:
    """Answer a tooltip event with what ``describe`` says of the point hovered (nothing: no tooltip); False for other events."""
    if event.type() != QEvent.Type.ToolTip or not isinstance(event, QHelpEvent):
        return False
    text = describe(QPointF(event.pos()))
    if text:
        QToolTip.showText(event.globalPos(), text, widget)
    else:
        QToolTip.hideText()
        event.ignore()
    return True
