"""The inspector's health panel: what ``check_stream`` found about a stream, worst first, with advice.

Each finding shows a severity badge, its message and its advice; clicking one
that points at a message (``seq``) asks the inspector to select that row.
The panel reads findings duck-typed (``code``, ``severity``, ``message``,
``seq``, ``advice``), so it shows whatever the health checks report.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QPointF, QRect, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QFont, QFontMetrics, QIcon, QPainter, QPixmap, QPolygonF, QTextOption
from PySide6.QtWidgets import QAbstractItemView, QLabel, QListWidget, QListWidgetItem, QStyle, QStyledItemDelegate, QStyleOptionViewItem, QVBoxLayout, QWidget

from app.ui import theme

__all__ = ["SEVERITY_ORDER", "HealthPanel", "Verdict", "badge_icon"]

SEVERITY_ORDER = {"error": 0, "warning": 1, "info": 2}
SEVERITY_COLOURS = {"error": theme.ERROR, "warning": theme.WARNING, "info": QColor("#3b6fe0")}
SEVERITY_MARKS = {"error": "!", "warning": "!", "info": "i"}
FINDING_ROLE = Qt.ItemDataRole.UserRole + 1
PAD = 8
BADGE = 16
OK_COLOUR = QColor("#12936b")
Verdict = tuple[str, int]
"""What the health check says in one glance: ("", 0) not checked yet, ("ok", 0), or the worst severity and how many findings."""


def badge_icon(verdict: Verdict, font: QFont) -> QIcon:
    """A round badge for the Health tab: the number of findings in the worst severity's colour, a tick when none.

    Not checked yet, it is blank but the same size, so the tab never changes width (the tabs beside it never move).
    """
    severity, count = verdict
    pixmap = QPixmap(BADGE, BADGE)
    pixmap.fill(Qt.GlobalColor.transparent)
    if severity:
        painter = QPainter(pixmap)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(OK_COLOUR if severity == "ok" else SEVERITY_COLOURS.get(severity, theme.TEXT_MUTED))
        painter.drawEllipse(QRectF(0.5, 0.5, BADGE - 1, BADGE - 1))
        small = QFont(font)
        small.setBold(True)
        small.setPixelSize(10)
        painter.setFont(small)
        painter.setPen(QColor("white"))
        painter.drawText(QRect(0, 0, BADGE, BADGE), Qt.AlignmentFlag.AlignCenter, "✓" if severity == "ok" else str(count) if count < 10 else "9+")
        painter.end()
    return QIcon(pixmap)


class _FindingDelegate(QStyledItemDelegate):
    """A severity badge, the message in bold and the advice below it, wrapped to the list's width."""

    def _texts(self, index: QModelIndex | QPersistentModelIndex) -> tuple[str, str, str, str]:
        finding = index.data(FINDING_ROLE)
        severity = str(getattr(finding, "severity", "info"))
        message = str(getattr(finding, "message", finding))
        message = message[:1].upper() + message[1:]
        advice = str(getattr(finding, "advice", "") or "")
        seq = getattr(finding, "seq", None)
        link = f"Show message #{seq} ›" if seq is not None else ""
        return severity, message, advice, link

    def _fonts(self, option: QStyleOptionViewItem) -> tuple[QFont, QFont]:
        bold = QFont(option.font)
        bold.setBold(True)
        return bold, QFont(option.font)

    def sizeHint(self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex) -> QSize:  # noqa: N802 - Qt override
        _severity, message, advice, link = self._texts(index)
        bold, plain = self._fonts(option)
        width = max(80, option.rect.width() - BADGE - 3 * PAD) if option.rect.width() > 0 else 260
        height = QFontMetrics(bold).boundingRect(QRect(0, 0, width, 10_000), Qt.TextFlag.TextWordWrap, message).height()
        if advice:
            height += 2 + QFontMetrics(plain).boundingRect(QRect(0, 0, width, 10_000), Qt.TextFlag.TextWordWrap, advice).height()
        if link:
            height += 4 + QFontMetrics(plain).height()
        return QSize(width + BADGE + 3 * PAD, height + 2 * PAD)

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex) -> None:
        severity, message, advice, link = self._texts(index)
        bold, plain = self._fonts(option)
        painter.save()
        rect = option.rect
        if option.state & QStyle.StateFlag.State_Selected:
            painter.fillRect(rect, QColor("#e8effd"))
        elif option.state & QStyle.StateFlag.State_MouseOver:
            painter.fillRect(rect, QColor("#f4f6fa"))
        painter.setPen(QColor("#eceef2"))
        painter.drawLine(rect.bottomLeft(), rect.bottomRight())
        colour = SEVERITY_COLOURS.get(severity, theme.TEXT_MUTED)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(colour)
        badge = QRectF(rect.left() + PAD, rect.top() + PAD + 1, BADGE, BADGE)
        if severity == "warning":
            painter.drawPolygon(QPolygonF([QPointF(badge.center().x(), badge.top()), badge.bottomRight(), badge.bottomLeft()]))
        else:
            painter.drawEllipse(badge)
        painter.setPen(QColor("white"))
        mark = QFont(bold)
        mark.setPointSizeF(max(6.0, bold.pointSizeF() - 1))
        painter.setFont(mark)
        painter.drawText(badge.adjusted(0, 2 if severity == "warning" else 0, 0, 0), Qt.AlignmentFlag.AlignCenter, SEVERITY_MARKS.get(severity, "·"))
        left = rect.left() + BADGE + 2 * PAD
        width = rect.width() - BADGE - 3 * PAD
        option_text = QTextOption()
        option_text.setWrapMode(QTextOption.WrapMode.WordWrap)
        painter.setFont(bold)
        painter.setPen(theme.TEXT)
        message_height = QFontMetrics(bold).boundingRect(QRect(0, 0, width, 10_000), Qt.TextFlag.TextWordWrap, message).height()
        painter.drawText(QRectF(left, rect.top() + PAD, width, message_height), message, option_text)
        top = rect.top() + PAD + message_height + 2
        painter.setFont(plain)
        if advice:
            painter.setPen(theme.TEXT_MUTED)
            advice_height = QFontMetrics(plain).boundingRect(QRect(0, 0, width, 10_000), Qt.TextFlag.TextWordWrap, advice).height()
            painter.drawText(QRectF(left, top, width, advice_height), advice, option_text)
            top += advice_height
        if link:
            painter.setPen(theme.CARD_SELECTED)
            painter.drawText(QRectF(left, top + 4, width, QFontMetrics(plain).height()), link, option_text)
        painter.restore()


class HealthPanel(QWidget):
    """Findings of a stream's health check, and a line of figures about the stream."""

    findingActivated = Signal(int)
    """(seq): the user clicked a finding about one message."""
    verdictChanged = Signal(object)
    """(Verdict): a report (or none) was shown; the inspector badges its Health tab with it."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.verdict: Verdict = ("", 0)
        self.title = QLabel("<b>Health</b>", self)
        self.summary = QLabel(self)
        self.summary.setObjectName("healthSummary")
        self.summary.setWordWrap(True)
        self.summary.setStyleSheet("color: #6b7280;")
        self.findings = QListWidget(self)
        self.findings.setObjectName("healthFindings")
        self.findings.setItemDelegate(_FindingDelegate(self.findings))
        self.findings.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.findings.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.findings.setMouseTracking(True)
        self.findings.setWordWrap(True)
        self.findings.setResizeMode(QListWidget.ResizeMode.Adjust)
        self.findings.setStyleSheet("QListWidget { border: 1px solid #d5d8de; border-radius: 4px; background: white; }")
        self.findings.itemClicked.connect(self._clicked)
        self.findings.itemActivated.connect(self._clicked)
        self.placeholder = QLabel(self)
        self.placeholder.setWordWrap(True)
        self.placeholder.setStyleSheet("color: #6b7280; padding: 6px 2px;")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        layout.addWidget(self.title)
        layout.addWidget(self.summary)
        layout.addWidget(self.findings, 1)
        layout.addWidget(self.placeholder)
        layout.addStretch(0)
        self.show_report(None, note="Health is checked when the stream ends.")

    def show_report(self, report: Any, *, note: str = "") -> None:
        """Findings of ``report`` (a ``HealthReport``; None: none yet, with ``note`` saying why)."""
        self.findings.clear()
        found = list(getattr(report, "findings", []) or []) if report is not None else []
        found.sort(key=lambda f: (SEVERITY_ORDER.get(str(getattr(f, "severity", "info")), 3), getattr(f, "seq", None) or 0))
        for finding in found:
            item = QListWidgetItem()
            item.setData(FINDING_ROLE, finding)
            item.setToolTip(f"{getattr(finding, 'code', '')}: {getattr(finding, 'message', finding)}")
            self.findings.addItem(item)
        counts = {severity: sum(1 for f in found if getattr(f, "severity", "") == severity) for severity in SEVERITY_ORDER}
        if report is None:
            self.title.setText("<b>Health</b>")
            self.placeholder.setText(note)
        elif not found:
            self.title.setText("<b>Health</b> <span style='color:#12936b'>✓ no problems found</span>")
            self.placeholder.setText("The stream follows the best practices: small Event Data, a status on every message, a steady pace.")
        else:
            parts = [f"<span style='color:{SEVERITY_COLOURS[s].name()}'>{n} {s}{'s' if n != 1 else ''}</span>" for s, n in counts.items() if n]
            self.title.setText("<b>Health</b> " + " · ".join(parts))
            self.placeholder.setText("")
        self.findings.setVisible(bool(found))
        self.placeholder.setVisible(bool(self.placeholder.text()))
        worst = min((str(getattr(f, "severity", "info")) for f in found), key=lambda s: SEVERITY_ORDER.get(s, 3), default="ok")
        self.verdict = ("", 0) if report is None else (worst, sum(1 for f in found if getattr(f, "severity", "") == worst))
        self.verdictChanged.emit(self.verdict)

    def set_summary(self, text: str) -> None:
        self.summary.setText(text)
        self.summary.setVisible(bool(text))

    def finding_texts(self) -> list[str]:
        return [str(getattr(self.findings.item(i).data(FINDING_ROLE), "message", "")) for i in range(self.findings.count())]

    def _clicked(self, item: QListWidgetItem) -> None:
        seq = getattr(item.data(FINDING_ROLE), "seq", None)
        if isinstance(seq, int):
            self.findingActivated.emit(seq)
