"""Help → Keyboard shortcuts: generated, each time it opens, from the window's own QActions.

Nothing here lists a key: the menus are walked in order (File, Edit, ...;
a submenu is its own group), then any other QAction of the window or its
views with a shortcut (grouped under the dock or view it belongs to), then
QShortcuts that describe themselves with ``whatsThis``. An action added
later, or a shortcut changed, shows the next time the dialog opens.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QObject, QPoint, Qt
from PySide6.QtGui import QAction, QKeySequence, QShortcut
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QDockWidget, QHeaderView, QLineEdit, QMainWindow, QMenu, QTreeWidget, QTreeWidgetItem, QVBoxLayout, QWidget

OTHER = "Other"


@dataclass(frozen=True)
class ShortcutRow:
    group: str
    """The menu (``Edit``, ``File › Open Recent``), dock or view it belongs to."""
    text: str
    keys: str
    """As the platform writes them: ``Ctrl+S``; several bindings joined by ``, ``."""


def _clean(text: str) -> str:
    """Menu text without its ``&`` mnemonic (``&&`` is a real ampersand)."""
    return text.replace("&&", "\0").replace("&", "").replace("\0", "&").strip()


def _keys(sequences: list[QKeySequence]) -> str:
    return ", ".join(sequence.toString(QKeySequence.SequenceFormat.NativeText) for sequence in sequences if not sequence.isEmpty())


def _menu_rows(menu: QMenu, group: str, seen: set[int], rows: list[ShortcutRow]) -> None:
    for action in menu.actions():
        seen.add(id(action))
        submenu = action.menu()
        if isinstance(submenu, QMenu):
            _menu_rows(submenu, f"{group} › {_clean(submenu.title())}", seen, rows)
        elif not action.isSeparator() and action.isVisible():
            keys = _keys(action.shortcuts())
            if keys:
                rows.append(ShortcutRow(group, _clean(action.text()), keys))


def _owner_group(widget: QObject | None) -> str:
    """The dock (or titled view) an action or shortcut outside the menus belongs to."""
    while isinstance(widget, QWidget):
        if isinstance(widget, QDockWidget):
            return widget.windowTitle()
        if widget.accessibleName():
            return widget.accessibleName()
        if isinstance(widget, QMainWindow):
            return OTHER
        widget = widget.parentWidget()
    return OTHER


def collect_shortcuts(window: QWidget) -> list[ShortcutRow]:
    """Every action of ``window`` that has a shortcut: the menus' first, in menu order, then the others."""
    rows: list[ShortcutRow] = []
    seen: set[int] = set()
    if isinstance(window, QMainWindow):
        for top in window.menuBar().actions():
            menu = top.menu()
            if isinstance(menu, QMenu):
                _menu_rows(menu, _clean(menu.title()), seen, rows)
    for action in window.findChildren(QAction):
        if id(action) in seen or action.isSeparator() or not action.isVisible():
            continue
        keys = _keys(action.shortcuts())
        if keys and _clean(action.text()):
            rows.append(ShortcutRow(_owner_group(action.parent()), _clean(action.text()), keys))
    for shortcut in window.findChildren(QShortcut):
        keys = _keys(shortcut.keys())
        if keys and shortcut.whatsThis() and shortcut.isEnabled():
            rows.append(ShortcutRow(_owner_group(shortcut.parent()), shortcut.whatsThis(), keys))
    return rows


class ShortcutsDialog(QDialog):
    """A searchable two-column list (action, keys) grouped by menu; rebuilt by ``refresh`` each time it opens."""

    def __init__(self, window: QWidget) -> None:
        super().__init__(window)
        self.window_ = window
        self.setObjectName("keyboardShortcuts")
        self.setWindowTitle("Keyboard shortcuts")
        self.setModal(False)
        self.search = QLineEdit(self)
        self.search.setObjectName("shortcutSearch")
        self.search.setPlaceholderText("Search actions or keys, e.g. save or ctrl+z")
        self.search.setClearButtonEnabled(True)
        self.search.textChanged.connect(self._filter)
        self.tree = QTreeWidget(self)
        self.tree.setObjectName("shortcutList")
        self.tree.setColumnCount(2)
        self.tree.setHeaderLabels(["Action", "Shortcut"])
        self.tree.setRootIsDecorated(False)
        self.tree.setItemsExpandable(False)
        self.tree.setUniformRowHeights(True)
        header = self.tree.header()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.search)
        layout.addWidget(self.tree, 1)
        layout.addWidget(buttons)
        self.rows: list[ShortcutRow] = []

    def refresh(self) -> None:
        """Read the window's actions again and show them."""
        self.rows = collect_shortcuts(self.window_)
        self.tree.clear()
        groups: dict[str, QTreeWidgetItem] = {}
        for row in self.rows:
            group = groups.get(row.group)
            if group is None:
                group = groups[row.group] = QTreeWidgetItem(self.tree, [row.group])
                group.setFlags(Qt.ItemFlag.ItemIsEnabled)
                font = group.font(0)
                font.setBold(True)
                group.setFont(0, font)
                group.setFirstColumnSpanned(True)
            QTreeWidgetItem(group, [row.text, row.keys])
        self.tree.expandAll()
        self._filter(self.search.text())

    def _groups(self) -> list[tuple[QTreeWidgetItem, list[QTreeWidgetItem]]]:
        """Each group row with its action rows."""
        groups = []
        for group in (self.tree.topLevelItem(index) for index in range(self.tree.topLevelItemCount())):
            if group is not None:
                children = (group.child(index) for index in range(group.childCount()))
                groups.append((group, [child for child in children if child is not None]))
        return groups

    def _filter(self, text: str) -> None:
        words = text.lower().split()
        for group, children in self._groups():
            shown = 0
            for child in children:
                haystack = f"{group.text(0)} {child.text(0)} {child.text(1)}".lower()
                hidden = not all(word in haystack for word in words)
                child.setHidden(hidden)
                shown += not hidden
            group.setHidden(shown == 0)

    def _fit(self) -> None:
        """As tall as the list (capped at 80% of the window), centred over the window."""
        rows = sum(1 + len(children) for _group, children in self._groups())
        row_height = self.fontMetrics().height() + 2
        chrome = self.search.sizeHint().height() + self.tree.header().sizeHint().height() + 90
        size = self.window_.size()
        self.resize(min(max(int(size.width() * 0.36), 480), 640), max(min(rows * row_height + chrome, int(size.height() * 0.8)), 320))
        frame = self.window_.frameGeometry()
        self.move(frame.center() - QPoint(self.width() // 2, self.height() // 2))

    def shown(self) -> dict[str, str]:
        """``{"Edit › Undo": "Ctrl+Z", ...}`` for the rows the list shows now."""
        return {
            f"{group.text(0)} › {child.text(0)}": child.text(1)
            for group, children in self._groups()
            for child in children
            if not child.isHidden() and not group.isHidden()
        }

    def open_fresh(self) -> None:
        self.refresh()
        if not self.isVisible():
            self._fit()
        self.show()
        self.raise_()
        self.activateWindow()
        self.search.setFocus()
        self.search.selectAll()


def show_shortcuts(window: QWidget) -> ShortcutsDialog:
    """Open the window's shortcuts dialog (built the first time), listing what the window has now."""
    dialog = window.findChild(ShortcutsDialog, options=Qt.FindChildOption.FindDirectChildrenOnly)
    if dialog is None:
        dialog = ShortcutsDialog(window)
    dialog.open_fresh()
    return dialog
