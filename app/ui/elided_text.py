"""Text that is cut to fit, with the whole text as a tooltip: labels, table cells and tree rows.

Why by hand: Qt elides item text but gives no tooltip for it, and a QLabel
never elides; a label whose text grows would instead grow its layout (and
the dock around it). Both helpers here keep the geometry fixed and let the
user read the rest by hovering.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QModelIndex, QPersistentModelIndex, QSize, Qt
from PySide6.QtGui import QFontMetrics, QHelpEvent, QResizeEvent
from PySide6.QtWidgets import QAbstractItemView, QLabel, QPushButton, QSizePolicy, QStyledItemDelegate, QStyleOptionViewItem, QToolTip, QWidget


class _CutText:
    """What a label and a button that cut their text share: the whole text kept and returned by ``text()``,
    the cut one shown, and a tooltip that starts with the whole text when it is cut."""

    _full: str
    _own_tooltip: str

    def text(self) -> str:  # the whole text, not the cut one
        return self._full

    def shown_text(self) -> str:
        return super().text()  # type: ignore[misc]

    def setToolTip(self, text: str) -> None:  # noqa: N802 - Qt override
        """A tooltip of its own, shown under the whole text when the text is cut."""
        self._own_tooltip = text
        self._elide()

    def _elide(self) -> None:
        raise NotImplementedError

    def _show(self, shown: str) -> None:
        super().setText(shown)  # type: ignore[misc]
        cut = shown != self._full
        super().setToolTip("\n".join(part for part in (self._full if cut else "", self._own_tooltip) if part))  # type: ignore[misc]


class ElidedLabel(_CutText, QLabel):
    """One line of text cut with "…" to the label's width; the whole text is the tooltip when it is cut.

    Its size hints do not depend on the text, so setting a long text never moves
    anything around it.
    """

    def __init__(self, text: str = "", parent: QWidget | None = None, *, wants_whole: bool = False) -> None:
        super().__init__(parent)
        self._full = ""
        self._own_tooltip = ""
        self._wants_whole = wants_whole
        """Asks for its whole text's width (a title), cut only when the row has less; else its size never follows the text."""
        self.setSizePolicy(QSizePolicy.Policy.Preferred if wants_whole else QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
        self.setTextFormat(Qt.TextFormat.PlainText)
        self.setText(text)

    def setText(self, text: str) -> None:  # noqa: N802 - Qt override
        self._full = text
        self._elide()
        if self._wants_whole:
            self.updateGeometry()

    def sizeHint(self) -> QSize:  # noqa: N802
        margins = self.contentsMargins()
        width = self.fontMetrics().horizontalAdvance(self._full) + margins.left() + margins.right() + 2 if self._wants_whole else 80
        return QSize(width, self.fontMetrics().height() + margins.top() + margins.bottom() + 2)

    def minimumSizeHint(self) -> QSize:  # noqa: N802
        return QSize(min(40, self.sizeHint().width()), self.sizeHint().height())

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802
        super().resizeEvent(event)
        self._elide()

    def _elide(self) -> None:
        width = self.contentsRect().width()
        self._show(QFontMetrics(self.font()).elidedText(self._full, Qt.TextElideMode.ElideRight, max(width, 0)) if width > 0 else self._full)


class ElidedButton(_CutText, QPushButton):
    """A push button whose one line of text is cut with "…" to the width its layout gives it.

    A QPushButton is never narrower than its text, so a long caption ("On click -
    3 action(s). Edit workflow") would widen the whole column it sits in (and
    clip every row beside it in a scroll area). This one asks only for a short
    width; when the text is cut, the tooltip starts with the whole text.
    """

    def __init__(self, text: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._full = ""
        self._own_tooltip = ""
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
        self.setText(text)

    def setText(self, text: str) -> None:  # noqa: N802 - Qt override
        self._full = text
        self._elide()

    def sizeHint(self) -> QSize:  # noqa: N802
        return QSize(80, super().sizeHint().height())

    def minimumSizeHint(self) -> QSize:  # noqa: N802
        return QSize(40, super().sizeHint().height())

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802
        super().resizeEvent(event)
        self._elide()

    def _elide(self) -> None:
        super().setText(self._full)  # measured whole: the style's padding is what is left around the text
        padding = QPushButton.sizeHint(self).width() - self.fontMetrics().horizontalAdvance(self._full)
        room = self.width() - padding
        self._show(self.fontMetrics().elidedText(self._full, Qt.TextElideMode.ElideRight, max(room, 0)))


class ElidedToolTips(QStyledItemDelegate):
    """A view delegate that shows a cell's whole text as a tooltip when the cell cuts it (and only then)."""

    def helpEvent(self, event: QHelpEvent, view: QAbstractItemView, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex) -> bool:  # noqa: N802
        if event is None or event.type() != QEvent.Type.ToolTip or not index.isValid():
            return super().helpEvent(event, view, option, index)
        own = index.data(Qt.ItemDataRole.ToolTipRole)
        text = index.data(Qt.ItemDataRole.DisplayRole)
        if own or not isinstance(text, str):
            return super().helpEvent(event, view, option, index)
        if is_cut(self, option, index):
            QToolTip.showText(event.globalPos(), text, view)
            return True
        QToolTip.hideText()
        event.ignore()
        return False


def is_cut(delegate: QStyledItemDelegate, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex) -> bool:
    """Whether ``index``'s text is wider than its cell (or has more than one line)."""
    text = index.data(Qt.ItemDataRole.DisplayRole)
    if not isinstance(text, str):
        return False
    full = QStyleOptionViewItem(option)
    delegate.initStyleOption(full, index)
    needed = delegate.sizeHint(full, index).width()
    return "\n" in text or needed > option.rect.width()


def elide_with_tooltips(view: QAbstractItemView) -> ElidedToolTips:
    """Cut long cells with "…" and show the whole text on hover."""
    view.setTextElideMode(Qt.TextElideMode.ElideRight)
    delegate = ElidedToolTips(view)
    view.setItemDelegate(delegate)
    return delegate
