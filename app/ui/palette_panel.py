"""A palette: types grouped by category, a search box, drag onto the canvas or press Enter.

The same panel lists action types (endpoint or interface workflows) and
widget types (the page designer); only its model differs.
"""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QRectF, QSize, QSortFilterProxyModel, Qt, Signal
from PySide6.QtGui import QIcon, QKeyEvent, QPainter, QPixmap, QStandardItemModel
from PySide6.QtWidgets import QAbstractItemView, QLineEdit, QTreeView, QVBoxLayout, QWidget

from app.editor.models.palette import PaletteModel
from app.editor.models.roles import ActionTypeRole, DescriptionRole, IconNameRole
from app.ui import theme


class PalettePanel(QWidget):
    typeChosen = Signal(str)  # Enter or double-click on a type: add it where the canvas points

    def __init__(
        self,
        parent: QWidget | None = None,
        *,
        model: QStandardItemModel | None = None,
        type_role: int = ActionTypeRole,
        placeholder: str = "Search actions…",
        icon_folder: str = "actions",
    ) -> None:
        super().__init__(parent)
        self.model = model if model is not None else PaletteModel(parent=self)
        self.type_role = type_role
        for row in range(self.model.rowCount()):
            group = self.model.item(row)
            for child_row in range(group.rowCount()):
                item = group.child(child_row)
                item.setIcon(_badge_icon(item.data(IconNameRole), group.text(), icon_folder))
                item.setToolTip(item.data(DescriptionRole))
        self.proxy = QSortFilterProxyModel(self)
        self.proxy.setSourceModel(self.model)
        self.proxy.setRecursiveFilteringEnabled(True)
        self.proxy.setFilterCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.search = QLineEdit(placeholderText=placeholder)
        self.search.setClearButtonEnabled(True)
        self.search.textChanged.connect(self._filter)
        self.search.installEventFilter(self)
        self.tree = QTreeView()
        self.tree.setModel(self.proxy)
        self.tree.setHeaderHidden(True)
        self.tree.setDragEnabled(True)
        self.tree.setDragDropMode(QAbstractItemView.DragDropMode.DragOnly)
        self.tree.setIconSize(QSize(22, 22))
        self.tree.expandAll()
        self.tree.activated.connect(self._choose)  # a double-click activates too: one signal, one insert
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addWidget(self.search)
        layout.addWidget(self.tree)

    def _filter(self, text: str) -> None:
        self.proxy.setFilterFixedString(text)
        self.tree.expandAll()
        first = self._first_type()
        if first.isValid():
            self.tree.setCurrentIndex(first)

    def _first_type(self) -> QModelIndex:
        for row in range(self.proxy.rowCount()):
            group = self.proxy.index(row, 0)
            if self.proxy.rowCount(group):
                return self.proxy.index(0, 0, group)
        return QModelIndex()

    def _choose(self, index: QModelIndex) -> None:
        type_id = index.data(self.type_role)
        if type_id:
            self.typeChosen.emit(type_id)

    def eventFilter(self, watched: object, event: object) -> bool:  # noqa: N802
        """Enter in the search box adds the highlighted type; Down moves into the list."""
        if watched is self.search and isinstance(event, QKeyEvent) and event.type() == QKeyEvent.Type.KeyPress:
            if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
                self._choose(self.tree.currentIndex() if self.tree.currentIndex().isValid() else self._first_type())
                return True
            if event.key() == Qt.Key.Key_Down:
                self.tree.setFocus()
                return True
        return super().eventFilter(watched, event)


def _badge_icon(icon_name: str, category: str, folder: str = "actions") -> QIcon:
    """The same coloured badge the canvas cards show, so a type looks alike in both places."""
    pixmap = QPixmap(44, 44)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(theme.category_colour(category))
    painter.drawRoundedRect(QRectF(0, 0, 44, 44), 10, 10)
    painter.drawPixmap(9, 9, 26, 26, theme.icon_pixmap(icon_name, 26, folder=folder))
    painter.end()
    return QIcon(pixmap)
