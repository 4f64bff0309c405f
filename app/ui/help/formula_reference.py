"""Help → Formula reference, and F1 in a formula field: every function and name a formula can use.

The entries are data (``app.core.formula.reference`` for the functions,
``app.core.scope_reference`` for the names, drawn from the declarations); this
dialog only lists, filters and shows them. Opened from a formula field it
inserts into that field: Enter, a double-click or **Insert** puts ``$name(``
at the cursor and closes. One dialog per window, built on first use and kept
(non-modal, so the formula stays visible beside it).
"""

from __future__ import annotations

import html
import json
from typing import TYPE_CHECKING, Any

import shiboken6
from PySide6.QtCore import QEvent, QModelIndex, QObject, QPersistentModelIndex, QPoint, QRect, QSize, QSortFilterProxyModel, Qt
from PySide6.QtGui import QFont, QKeyEvent, QStandardItem, QStandardItemModel
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSplitter,
    QTextBrowser,
    QTreeView,
    QVBoxLayout,
    QWidget,
)

from app.core.formula.reference import CATEGORIES, FUNCTIONS, FunctionEntry
from app.core.scope_reference import NameEntry, scope_names
from app.ui import theme
from app.ui.help.enter_key import handle_enter

if TYPE_CHECKING:
    from app.ui.formula_editor import FormulaEdit

EntryRole = Qt.ItemDataRole.UserRole + 1
"""A leaf's ``FunctionEntry`` or ``NameEntry``; None on a group row."""
SearchRole = Qt.ItemDataRole.UserRole + 2
"""The lower-case text a search matches: name, signature, description, group."""

Entry = FunctionEntry | NameEntry
MONO = "monospace"
"""Signatures and examples are code: shown in the fixed-width family, as formulas are in their fields."""
NAVIGATION_KEYS = (Qt.Key.Key_Up, Qt.Key.Key_Down, Qt.Key.Key_PageUp, Qt.Key.Key_PageDown)


def entry_title(entry: Entry) -> str:
    return f"${entry.name}" if isinstance(entry, FunctionEntry) else entry.name


def _code(text: str) -> str:
    return f"<code>{html.escape(text)}</code>"


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


def entry_html(entry: Entry) -> str:
    """The details pane: signature (or name and kind), description, and the example with what it gives."""
    head = f'<p style="font-family: {MONO}; font-size: 12pt; font-weight: 600;">{html.escape(entry.signature if isinstance(entry, FunctionEntry) else entry.name)}</p>'
    if isinstance(entry, NameEntry):
        kind = "" if entry.kind == "any" else f"{html.escape(entry.kind)} · "
        description = entry.description[:1].upper() + entry.description[1:]
        return f'{head}<p>{html.escape(description)}</p><p style="color: {theme.TEXT_MUTED.name()};">{kind}{html.escape(entry.where)}</p>'
    parts = [head, f"<p>{html.escape(entry.description)}</p>", "<p><b>Example</b></p>", f'<pre style="font-family: {MONO};">{html.escape(entry.example)}</pre>']
    if entry.given:
        given = "<br>".join(_code(f"{name} = {_json(value)}") for name, value in entry.given.items())
        parts.append(f"<p>with {given}</p>")
    if entry.fails_with is not None:
        parts.append(f"<p>fails with the message {_code(entry.fails_with)}</p>")
    else:
        parts.append(f"<p>gives {_code(_json(entry.result))}</p>")
    parts.append(f'<p style="color: {theme.TEXT_MUTED.name()};">{html.escape(entry.category)} function</p>')
    return "".join(parts)


def reference_model(parent: QObject | None = None) -> QStandardItemModel:
    """Groups (String functions, ..., then the names by where they are read) with their entries as children."""
    model = QStandardItemModel(parent)
    groups: dict[str, QStandardItem] = {}

    def group(title: str) -> QStandardItem:
        if title not in groups:
            item = groups[title] = QStandardItem(title)
            item.setFlags(Qt.ItemFlag.ItemIsEnabled)
            font = QFont()
            font.setBold(True)
            item.setFont(font)
            item.setForeground(theme.TEXT_MUTED)
            model.appendRow(item)
        return groups[title]

    for category in CATEGORIES:
        group(f"{category} functions")
    entries: list[tuple[str, Entry]] = [(f"{entry.category} functions", entry) for entry in FUNCTIONS]
    entries += [(f"Names · {entry.where}", entry) for entry in scope_names()]
    for title, entry in entries:
        item = QStandardItem(entry_title(entry))
        item.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable)
        item.setData(entry, EntryRole)
        item.setToolTip(entry.signature if isinstance(entry, FunctionEntry) else entry.description)
        searched = [entry_title(entry), entry.description, title]
        if isinstance(entry, FunctionEntry):
            searched.append(entry.signature)
        item.setData(" ".join(searched).lower(), SearchRole)
        group(title).appendRow(item)
    return model


class ReferenceFilter(QSortFilterProxyModel):
    """Keeps entries whose name, signature or description holds every word searched for (and their groups)."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.words: list[str] = []
        self.setRecursiveFilteringEnabled(True)

    def set_search(self, text: str) -> None:
        self.beginFilterChange()
        self.words = text.lower().removeprefix("$").split()
        self.endFilterChange(QSortFilterProxyModel.Direction.Rows)

    def filterAcceptsRow(self, source_row: int, source_parent: QModelIndex | QPersistentModelIndex) -> bool:  # noqa: N802 - Qt override
        index = self.sourceModel().index(source_row, 0, source_parent)
        searched = index.data(SearchRole)
        if searched is None:
            return not self.words  # a group shows by itself only when nothing is searched (else through its entries)
        return all(word in searched for word in self.words)


class FormulaReference(QDialog):
    """Search field and list on the left, the selected entry on the right; Insert when opened from a formula field."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("formulaReference")
        self.setWindowTitle("Formula reference")
        self.setModal(False)
        self.target: FormulaEdit | None = None
        self.search = QLineEdit(self)
        self.search.setObjectName("referenceSearch")
        self.search.setPlaceholderText("Search, e.g. join or loop")
        self.search.setClearButtonEnabled(True)
        self.search.installEventFilter(self)
        self.model = reference_model(self)
        self.proxy = ReferenceFilter(self)
        self.proxy.setSourceModel(self.model)
        self.tree = QTreeView(self)
        self.tree.setObjectName("referenceList")
        self.tree.setModel(self.proxy)
        self.tree.setHeaderHidden(True)
        self.tree.setRootIsDecorated(False)
        self.tree.setItemsExpandable(False)
        self.tree.setExpandsOnDoubleClick(False)
        self.tree.setUniformRowHeights(True)
        self.tree.setIndentation(12)
        self.tree.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.tree.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.tree.expandAll()
        self.tree.doubleClicked.connect(lambda index: self.insert_current() if index.data(EntryRole) is not None else None)
        self.tree.selectionModel().currentChanged.connect(lambda current, _previous: self._show(current))
        self.details = QTextBrowser(self)
        self.details.setObjectName("referenceDetails")
        self.details.setOpenLinks(False)
        self.details.setFrameShape(QTextBrowser.Shape.NoFrame)
        self.details.setFocusPolicy(Qt.FocusPolicy.ClickFocus)  # Tab goes search → list → buttons
        self.details.document().setDocumentMargin(12)
        left = QWidget(self)
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addWidget(self.search)
        left_layout.addWidget(self.tree, 1)
        splitter = self.splitter = QSplitter(Qt.Orientation.Horizontal, self)
        splitter.addWidget(left)
        splitter.addWidget(self.details)
        splitter.setStretchFactor(0, 2)
        splitter.setStretchFactor(1, 3)
        splitter.setChildrenCollapsible(False)
        self.hint = QLabel(self)
        self.hint.setObjectName("referenceHint")
        self.hint.setStyleSheet(f"color: {theme.TEXT_MUTED.name()};")
        self.insert_button = QPushButton("&Insert", self)
        self.insert_button.setObjectName("referenceInsert")
        close = QPushButton("Close", self)
        for button in (self.insert_button, close):
            button.setAutoDefault(False)  # Enter is the dialog's own (insert), whichever child has focus
        self.insert_button.clicked.connect(self.insert_current)
        close.clicked.connect(self.reject)
        buttons = QHBoxLayout()
        buttons.addWidget(self.hint, 1)
        buttons.addWidget(self.insert_button)
        buttons.addWidget(close)
        layout = QVBoxLayout(self)
        layout.addWidget(splitter, 1)
        layout.addLayout(buttons)
        self.search.textChanged.connect(self._search_changed)
        self._set_target(None)

    # -- opening ---------------------------------------------------------
    def open_for(self, target: FormulaEdit | None, select: str | None = None, search: str = "") -> None:
        """Show the dialog for ``target`` (None: nothing to insert into), at function ``select`` or filtered by ``search``."""
        self._set_target(target)
        self.search.setText(search)
        if select is not None:
            self.select(select)
        elif not self.current_entry():
            self._select_first()
        if not self.isVisible():
            self._fit_to_parent()
            self._place_beside(self._usable_target())
        self.show()
        self.raise_()
        self.activateWindow()
        self.search.setFocus()
        self.search.selectAll()

    def _fit_to_parent(self) -> None:
        parent = self.parentWidget()
        size = parent.window().size() if parent is not None else QSize(1280, 800)
        width = min(max(int(size.width() * 0.5), 640), 900)
        self.resize(width, min(max(int(size.height() * 0.6), 440), 640))
        self.splitter.setSizes([int(width * 0.36), width - int(width * 0.36)])

    def _place_beside(self, target: QWidget | None) -> None:
        """Beside the formula it was opened from (left of it, else right), never over it; else over the window's middle."""
        parent = self.parentWidget()
        if parent is None:
            return
        area = parent.window().frameGeometry()
        frame = self.frameGeometry()
        width, height = frame.width(), frame.height()
        if target is None:
            self.move(area.center() - QPoint(width // 2, height // 2))
            return
        field = QRect(target.mapToGlobal(QPoint(0, 0)), target.size())
        gap = 16
        x = field.left() - width - gap
        if x < area.left() and field.right() + gap + width <= area.right():
            x = field.right() + gap
        x = max(area.left(), min(x, area.right() - width))
        y = max(area.top(), min(field.top() - height // 4, area.bottom() - height))
        self.move(x, y)

    def _set_target(self, target: FormulaEdit | None) -> None:
        if self.target is not None and shiboken6.isValid(self.target):
            self.target.destroyed.disconnect(self._target_gone)
        self.target = target
        if target is not None:
            target.destroyed.connect(self._target_gone)
        self._update_insert()

    def _target_gone(self, *_: object) -> None:
        self.target = None
        self._update_insert()

    def _update_insert(self) -> None:
        usable = self._usable_target() is not None
        self.insert_button.setVisible(usable)
        self.hint.setText("Enter or double-click inserts into the formula." if usable else "Press F1 in a formula field to insert from here.")

    def _usable_target(self) -> FormulaEdit | None:
        target = self.target
        if target is None or not shiboken6.isValid(target) or not target.isVisible() or target.isReadOnly():
            return None
        return target

    # -- the list --------------------------------------------------------
    def entries_shown(self) -> list[str]:
        """The titles of the entries the list shows now (``$join``, ``loop.count``), in order."""
        shown: list[str] = []
        for row in range(self.proxy.rowCount()):
            group = self.proxy.index(row, 0)
            shown += [self.proxy.index(child, 0, group).data() for child in range(self.proxy.rowCount(group))]
        return shown

    def current_entry(self) -> Entry | None:
        entry = self.tree.currentIndex().data(EntryRole)
        return entry if isinstance(entry, (FunctionEntry, NameEntry)) else None

    def select(self, title: str) -> bool:
        """Make the entry ``$join`` / ``join`` / ``loop.count`` current; False when the list does not show it."""
        wanted = {title, f"${title}"}
        for row in range(self.proxy.rowCount()):
            group = self.proxy.index(row, 0)
            for child in range(self.proxy.rowCount(group)):
                index = self.proxy.index(child, 0, group)
                if index.data() in wanted:
                    self._make_current(index)
                    return True
        return False

    def _make_current(self, index: QModelIndex) -> None:
        self.tree.setCurrentIndex(index)
        self.tree.scrollTo(index)
        self._show(index)

    def _select_first(self) -> None:
        """After a search: the first entry whose name starts with the text searched, else the first shown."""
        typed = self.search.text().strip().lower().removeprefix("$")
        first: QModelIndex | None = None
        for row in range(self.proxy.rowCount()):
            group = self.proxy.index(row, 0)
            for child in range(self.proxy.rowCount(group)):
                index = self.proxy.index(child, 0, group)
                first = first or index
                if typed and str(index.data()).lower().removeprefix("$").startswith(typed):
                    self._make_current(index)
                    return
        if first is not None:
            self._make_current(first)
        else:
            self.tree.setCurrentIndex(QModelIndex())
            self._show(QModelIndex())

    def _search_changed(self, text: str) -> None:
        self.proxy.set_search(text)
        self.tree.expandAll()
        self._select_first()

    def _show(self, index: QModelIndex) -> None:
        entry = index.data(EntryRole) if index.isValid() else None
        if isinstance(entry, (FunctionEntry, NameEntry)):
            self.details.setHtml(entry_html(entry))
        elif index.isValid():
            self.details.setHtml(f"<p><b>{html.escape(str(index.data()))}</b></p>")
        else:
            self.details.setHtml(f"<p>Nothing matches <b>{html.escape(self.search.text())}</b>.</p>")
        self.insert_button.setEnabled(isinstance(entry, (FunctionEntry, NameEntry)))

    # -- inserting -------------------------------------------------------
    def insert_current(self) -> bool:
        """Put the current entry into the formula the dialog was opened from, close, and give that formula the focus."""
        target = self._usable_target()
        entry = self.current_entry()
        if target is None or entry is None:
            self._update_insert()  # the formula went away (another action selected): say how to insert again
            return False
        if isinstance(entry, FunctionEntry):
            target.insert_function(entry.name)
        else:
            target.insert_name(entry.insert_text)
        self.accept()
        target.window().activateWindow()
        target.setFocus()
        return True

    # -- keys ------------------------------------------------------------
    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt override
        """Up, Down, Page Up and Page Down in the search field move in the list, so typing and choosing need no Tab."""
        if watched is self.search and event.type() == QEvent.Type.KeyPress and isinstance(event, QKeyEvent) and event.key() in NAVIGATION_KEYS:
            QApplication.sendEvent(self.tree, QKeyEvent(event.type(), event.key(), event.modifiers(), event.text()))
            return True
        return super().eventFilter(watched, event)

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802
        if not handle_enter(self, event, self.insert_current):
            super().keyPressEvent(event)


def show_formula_reference(origin: QWidget, target: FormulaEdit | None = None, select: str | None = None, search: str = "") -> FormulaReference:
    """Open the window's formula reference (built the first time), for inserting into ``target`` when given."""
    host = origin.window()
    dialog = host.findChild(FormulaReference, options=Qt.FindChildOption.FindDirectChildrenOnly)
    if dialog is None:
        dialog = FormulaReference(host)
    dialog.open_for(target, select, search)
    return dialog
