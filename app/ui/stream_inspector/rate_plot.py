"""The inspector's live plot: messages per second (bars) and bytes per second (a line), each on its own axis.

The log keeps 0.1 s buckets up to date as messages arrive, so a repaint reads
a few hundred numbers, never the messages. A short run is plotted in 0.1 s
buckets (still scaled to "per second"), a longer one in 1 s buckets, and
buckets are merged further when there are more of them than pixels.
"""

from __future__ import annotations

import math

from PySide6.QtCore import QEvent, QPointF, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFontMetrics, QPainter, QPainterPath, QPaintEvent, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget

from app.editor.stream_log import BUCKET_S, Rates, StreamLog
from app.ui import theme
from app.ui.stream_inspector.timeline import axis_label, described_tooltip, nice_step

__all__ = ["RatePlot", "format_bytes", "format_count"]

MESSAGES_COLOUR = QColor("#3b6fe0")
BYTES_COLOUR = QColor("#d2691e")
LEFT, RIGHT, TOP, BOTTOM = 52, 60, 22, 18
MIN_HEIGHT = TOP + BOTTOM + 36
"""Readable down to here (the legend, the time axis and three value lines 18 px apart): the Stream dock is short."""
SHORT_RUN_S = 10.0
"""Runs shorter than this are plotted in 0.1 s buckets."""


def format_count(value: float) -> str:
    if value >= 1e6:
        return f"{value / 1e6:.1f}M"
    if value >= 10_000:
        return f"{value / 1e3:.0f}k"
    if value >= 1000:
        return f"{value / 1e3:.1f}k"
    return f"{value:.0f}" if value >= 10 or value == int(value) else f"{value:.1f}"


def format_bytes(value: float) -> str:
    for unit, size in (("GB", 1 << 30), ("MB", 1 << 20), ("KB", 1 << 10)):
        if value >= size:
            return f"{value / size:.1f} {unit}"
    return f"{value:.0f} B"


def _nice_max(value: float) -> float:
    """The axis top: 1, 2 or 5 times a power of ten, at or above ``value``."""
    if value <= 0:
        return 1.0
    power = 10 ** math.floor(math.log10(value))
    for factor in (1, 2, 5, 10):
        if factor * power >= value:
            return factor * power
    return 10 * power


class RatePlot(QWidget):
    """Messages/s and bytes/s of a :class:`StreamLog`; ``refresh()`` after the log grew."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.log: StreamLog | None = None
        self._rates: Rates | None = None
        self._seen = -1
        self.setMinimumSize(200, MIN_HEIGHT)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setAccessibleName("Messages and bytes per second")

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt override
        return QSize(360, 150)

    def set_log(self, log: StreamLog | None) -> None:
        self.log = log
        self._seen = -1
        self.refresh()

    def refresh(self) -> None:
        self._seen = -1
        self.update()

    def buckets(self) -> Rates:
        """What is plotted: messages and bytes per bucket, the bucket size chosen by the run's length."""
        log = self.log
        if log is None:
            return Rates(1.0, [], [])
        if self._rates is not None and self._seen == log.version:
            return self._rates
        bucket = BUCKET_S if log.end_time() < SHORT_RUN_S else 1.0
        rates = log.rates(bucket)
        columns = max(1, int(self.width() - LEFT - RIGHT) // 3)
        if len(rates.messages) > columns:
            per = math.ceil(len(rates.messages) / columns)
            count = math.ceil(len(rates.messages) / per)
            rates = Rates(
                rates.bucket_s * per,
                [sum(rates.messages[i * per : (i + 1) * per]) for i in range(count)],
                [sum(rates.bytes[i * per : (i + 1) * per]) for i in range(count)],
            )
        self._rates, self._seen = rates, log.version
        return rates

    def _area(self) -> QRectF:
        return QRectF(LEFT, TOP, max(10.0, self.width() - LEFT - RIGHT), max(10.0, self.height() - TOP - BOTTOM))

    # -- painting --------------------------------------------------------------------
    def paintEvent(self, _event: QPaintEvent) -> None:  # noqa: N802 - Qt override
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.fillRect(self.rect(), theme.CARD_BACKGROUND)
        rates = self.buckets()
        area = self._area()
        self._paint_legend(painter)
        if not rates.messages:
            painter.setPen(theme.TEXT_MUTED)
            painter.drawText(area, Qt.AlignmentFlag.AlignCenter, "No messages yet")
            painter.end()
            return
        per_second = 1.0 / rates.bucket_s
        messages = [count * per_second for count in rates.messages]
        sizes = [size * per_second for size in rates.bytes]
        top_messages, top_bytes = _nice_max(max(messages)), _nice_max(max(sizes))
        small = self.font()
        small.setPointSizeF(max(7.0, small.pointSizeF() - 1))
        painter.setFont(small)
        metrics = QFontMetrics(small)
        # grid and the two value axes
        for fraction in (0.0, 0.5, 1.0):
            y = area.bottom() - fraction * area.height()
            painter.setPen(QPen(QColor("#eceef2") if fraction else theme.LANE_BORDER, 1))
            painter.drawLine(QPointF(area.left(), y), QPointF(area.right(), y))
            painter.setPen(MESSAGES_COLOUR)
            painter.drawText(QRectF(0, y - 8, LEFT - 6, 16), Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter, format_count(top_messages * fraction))
            painter.setPen(BYTES_COLOUR)
            painter.drawText(
                QRectF(area.right() + 6, y - 8, RIGHT - 6, 16), Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, format_bytes(top_bytes * fraction)
            )
        # time axis
        total = len(messages) * rates.bucket_s
        step = nice_step(total, area.width(), 60.0)
        painter.setPen(theme.TEXT_MUTED)
        t = 0.0
        taken = -math.inf
        while t <= total + 1e-9:
            x = area.left() + t / total * area.width()
            label = axis_label(t, step)
            width = metrics.horizontalAdvance(label)
            left = min(x - width / 2, area.right() + RIGHT - width - 4)
            if left > taken + 6:  # never let two labels touch
                painter.drawText(QRectF(left, area.bottom() + 3, width + 2, BOTTOM - 4), Qt.AlignmentFlag.AlignLeft, label)
                taken = left + width
            t += step
        # messages/s as bars
        slot = area.width() / len(messages)
        painter.setPen(Qt.PenStyle.NoPen)
        bar_colour = QColor(MESSAGES_COLOUR)
        bar_colour.setAlpha(150)
        painter.setBrush(bar_colour)
        gap = 1.0 if slot >= 4 else 0.0
        for index, value in enumerate(messages):
            if value <= 0:
                continue
            height = value / top_messages * area.height()
            painter.drawRect(QRectF(area.left() + index * slot + gap / 2, area.bottom() - height, max(1.0, slot - gap), height))
        # bytes/s as a line through the middle of each bucket
        path = QPainterPath()
        for index, value in enumerate(sizes):
            point = QPointF(area.left() + (index + 0.5) * slot, area.bottom() - value / top_bytes * area.height())
            if index == 0:
                path.moveTo(point)
            else:
                path.lineTo(point)
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.setPen(QPen(BYTES_COLOUR, 2))
        painter.drawPath(path)
        if len(sizes) <= area.width() / 8:
            painter.setBrush(BYTES_COLOUR)
            for index, value in enumerate(sizes):
                painter.drawEllipse(QPointF(area.left() + (index + 0.5) * slot, area.bottom() - value / top_bytes * area.height()), 2.5, 2.5)
        painter.end()

    def _paint_legend(self, painter: QPainter) -> None:
        painter.setFont(self.font())
        metrics = QFontMetrics(self.font())
        x, y = float(LEFT), 3.0
        bar_colour = QColor(MESSAGES_COLOUR)
        bar_colour.setAlpha(150)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(bar_colour)
        painter.drawRect(QRectF(x, y + 3, 10, 10))
        painter.setPen(theme.TEXT)
        label = "messages/s"
        painter.drawText(QPointF(x + 15, y + 12), label)
        x += 15 + metrics.horizontalAdvance(label) + 18
        painter.setPen(QPen(BYTES_COLOUR, 2))
        painter.drawLine(QPointF(x, y + 8), QPointF(x + 14, y + 8))
        painter.setPen(theme.TEXT)
        painter.drawText(QPointF(x + 19, y + 12), "bytes/s")
        legend_end = x + 19 + metrics.horizontalAdvance("bytes/s")
        rates = self._rates
        note = f"{rates.bucket_s:g} s buckets" if rates is not None and rates.messages else ""
        if note and legend_end + 12 + metrics.horizontalAdvance(note) <= self.width() - 8:  # only where it fits: never over the legend
            painter.setPen(theme.TEXT_MUTED)
            painter.drawText(QRectF(0, y, self.width() - 8, 16), Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter, note)

    # -- hover -------------------------------------------------------------------------
    def event(self, event: QEvent) -> bool:
        return described_tooltip(self, event, self.describe_at) or super().event(event)

    def describe_at(self, point: QPointF) -> str:
        rates = self.buckets()
        area = self._area()
        if not rates.messages or not area.left() <= point.x() <= area.right():
            return ""
        index = min(len(rates.messages) - 1, int((point.x() - area.left()) / area.width() * len(rates.messages)))
        start = index * rates.bucket_s
        per_second = 1.0 / rates.bucket_s
        return (
            f"{start:.1f}–{start + rates.bucket_s:.1f} s: {rates.messages[index]:,} messages, {format_bytes(rates.bytes[index])}<br>"
            f"{format_count(rates.messages[index] * per_second)} messages/s · {format_bytes(rates.bytes[index] * per_second)}/s"
        )
