"""The page outline: a page's widgets as a tree, with drag and drop that becomes undo commands.

Dropping a palette type inserts a new widget; dragging a row moves it,
between rows or into a Container (dropping onto a widget that is not a
container puts it right after that widget). Every drop is one command on the
Document; a refused one (a container into itself) is reported through
``refused`` and changes nothing. The tree is rebuilt from the Document after
each change, like every other view of it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from PySide6.QtCore import QAbstractItemModel, QMimeData, QModelIndex, QObject, QPersistentModelIndex, Qt, Signal

from app.core.project import Widget
from app.core.widgets.registry import WidgetRegistry, default_widget_registry
from app.editor.document import Document
from app.editor.models.roles import WIDGET_ID_MIME, WIDGET_TYPE_MIME, DescriptionRole, IconNameRole, IsContainerRole, WidgetIdRole, WidgetTypeRole
from app.editor.widget_drops import drop_widgets, is_widget_drag, widget_mime

Index = QModelIndex | QPersistentModelIndex


@dataclass(eq=False)
class _Node:
    widget: Widget | None
    parent: _Node | None
    children: list[_Node] = field(default_factory=list)

    def row(self) -> int:
        return self.parent.children.index(self) if self.parent is not None else 0


class PageOutlineModel(QAbstractItemModel):
    refused = Signal(str)
    """A drop was refused: why."""
    inserted = Signal(list)
    """Widget ids a drop just added or moved (the view selects them)."""

    def __init__(self, document: Document, registry: WidgetRegistry | None = None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.document = document
        self.registry = registry or default_widget_registry()
        self.page_name: str | None = None
        self._root = _Node(None, None)
        document.pageChanged.connect(self._page_changed)
        document.pageRenamed.connect(self._page_renamed)
        document.pagesChanged.connect(self._rebuild)
        document.projectReset.connect(self._rebuild)

    def set_page(self, name: str | None) -> None:
        self.page_name = name
        self._rebuild()

    def _page_renamed(self, old: str, new: str) -> None:
        if self.page_name == old:
            self.page_name = new

    def _page_changed(self, name: str) -> None:
        if name == self.page_name:
            self._rebuild()

    def _rebuild(self) -> None:
        self.beginResetModel()
        self._root = _Node(None, None)
        if self.page_name is not None and self.document.has_page(self.page_name):
            self._root.children = self._nodes(self.document.project.page(self.page_name).widgets, self._root)
        else:
            self.page_name = None
        self.endResetModel()

    def _nodes(self, widgets: list[Widget], parent: _Node) -> list[_Node]:
        nodes = []
        for widget in widgets:
            node = _Node(widget, parent)
            node.children = self._nodes(widget.children, node)
            nodes.append(node)
        return nodes

    # -- lookup ----------------------------------------------------------------
    def index_of(self, widget_id: str) -> QModelIndex:
        def search(node: _Node) -> _Node | None:
            for child in node.children:
                if child.widget is not None and child.widget.id == widget_id:
                    return child
                found = search(child)
                if found is not None:
                    return found
            return None

        node = search(self._root)
        return self.createIndex(node.row(), 0, node) if node is not None else QModelIndex()

    def _node(self, index: Index) -> _Node:
        return index.internalPointer() if index.isValid() else self._root

    # -- QAbstractItemModel ---------------------------------------------------------
    def index(self, row: int, column: int, parent: Index = QModelIndex()) -> QModelIndex:  # noqa: B008 - Qt's signature
        node = self._node(parent)
        if column != 0 or not 0 <= row < len(node.children):
            return QModelIndex()
        return self.createIndex(row, 0, node.children[row])

    def parent(self, index: Index = QModelIndex()) -> QModelIndex:  # noqa: B008
        if not index.isValid():
            return QModelIndex()
        parent = self._node(index).parent
        if parent is None or parent is self._root:
            return QModelIndex()
        return self.createIndex(parent.row(), 0, parent)

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: N802, B008
        return len(self._node(parent).children) if parent.column() <= 0 else 0

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: N802, B008
        return 1

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        widget = self._node(index).widget
        if widget is None:
            return None
        widget_type = self.registry.get(widget.type) if widget.type in self.registry else None
        if role == Qt.ItemDataRole.DisplayRole:
            title = widget_type.title if widget_type else widget.type
            return f"{title}  ·  {widget.id}"
        if role == Qt.ItemDataRole.ToolTipRole:
            summary = widget_type.summary(widget.props) if widget_type and widget_type.summary else ""
            return f"{widget.id} ({widget_type.title if widget_type else widget.type})" + (f"\n{summary}" if summary else "")
        if role == WidgetIdRole:
            return widget.id
        if role == WidgetTypeRole:
            return widget.type
        if role == IconNameRole:
            return widget_type.icon if widget_type else "error"
        if role == DescriptionRole:
            return widget_type.category if widget_type else "Unknown"
        if role == IsContainerRole:
            return bool(widget_type and widget_type.container)
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        base = Qt.ItemFlag.ItemIsDropEnabled  # the page itself takes drops
        if not index.isValid():
            return base
        flags = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemIsDragEnabled
        return flags | base  # onto any row: into a container, or right after a widget

    # -- drag and drop --------------------------------------------------------------
    def mimeTypes(self) -> list[str]:  # noqa: N802
        return [WIDGET_ID_MIME, WIDGET_TYPE_MIME]

    def supportedDropActions(self) -> Qt.DropAction:  # noqa: N802
        return Qt.DropAction.MoveAction | Qt.DropAction.CopyAction

    def supportedDragActions(self) -> Qt.DropAction:  # noqa: N802
        return Qt.DropAction.MoveAction

    def mimeData(self, indexes: Sequence[Index]) -> QMimeData | None:  # noqa: N802
        ids = [i.data(WidgetIdRole) for i in indexes if i.isValid()]
        if not ids or self.page_name is None:
            return None
        return widget_mime(self.page_name, ids[0])

    def drop_target(self, row: int, parent: Index) -> tuple[str | None, int]:
        """Where a drop at (row, parent) puts widgets: (container id or None for the page, index)."""
        node = self._node(parent)
        if row >= 0:
            return (node.widget.id if node.widget is not None else None), row
        if node.widget is None:
            return None, len(node.children)
        if self.registry.get(node.widget.type).container if node.widget.type in self.registry else False:
            return node.widget.id, len(node.children)
        outer = node.parent
        return (outer.widget.id if outer is not None and outer.widget is not None else None), node.row() + 1

    def dropMimeData(self, data: QMimeData, action: Qt.DropAction, row: int, column: int, parent: Index) -> bool:  # noqa: N802
        if self.page_name is None or not is_widget_drag(data):
            return False
        container, index = self.drop_target(row, parent)
        outcome = drop_widgets(self.document, self.page_name, data, container, index, self.registry)
        if outcome.refused:
            self.refused.emit(outcome.refused)
            return False
        if outcome.ids:
            self.inserted.emit(outcome.ids)
        return bool(outcome.ids)
