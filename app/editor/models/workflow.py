"""The workflow tree of one endpoint: action rows, and under a container one row per slot.

```
Loop                 for each item of inputs.rows     <- action row (columns: title, summary)
  Body                                                <- slot row
    Send streaming response   {status: "progress"}   <- action row in the slot
```

The model follows the Document: after each change it re-reads the workflow
and applies the difference as row removals/insertions (``row_sync``), so a
view keeps its selection and expanded rows. Drops push undo commands: a
palette type is added, a dragged action is moved (or copied with Ctrl).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Hashable, Sequence
from typing import Any

from PySide6.QtCore import QAbstractItemModel, QMimeData, QModelIndex, QObject, QPersistentModelIndex, Qt

from app.core.problems import Problem
from app.core.project import Action
from app.editor.action_paths import ActionPath, SlotPath, check_shape
from app.editor.clipboard import ACTIONS_MIME_TYPE, actions_from_mime_data, actions_mime_data
from app.editor.commands import InsertActionCommand, InsertActionsCommand, MoveActionsCommand, RemoveActionsCommand
from app.editor.commands.base import CompoundCommand, ProjectCommand
from app.editor.document import Document
from app.editor.models.palette import type_ids_from_mime
from app.editor.models.roles import (
    ACTION_PATH_MIME,
    ACTION_TYPE_MIME,
    ActionIdRole,
    ActionPathRole,
    ActionTypeRole,
    DescriptionRole,
    IconNameRole,
    IsContainerRole,
    KindRole,
    ProblemsRole,
    SlotNameRole,
)
from app.editor.models.row_sync import plan_rows

Index = QModelIndex | QPersistentModelIndex
TITLE_COLUMN, SUMMARY_COLUMN = 0, 1


class _Node:
    """One row: an action (``action`` set) or a slot of its parent action (``slot`` set)."""

    __slots__ = ("parent", "children", "action", "slot")

    def __init__(self, parent: _Node | None, action: Action | None = None, slot: str | None = None) -> None:
        self.parent = parent
        self.children: list[_Node] = []
        self.action = action
        self.slot = slot

    def row(self) -> int:
        assert self.parent is not None
        return next(i for i, sibling in enumerate(self.parent.children) if sibling is self)

    def key(self) -> Hashable:
        return (self.action.id, self.action.type) if self.action is not None else self.slot


class WorkflowModel(QAbstractItemModel):
    def __init__(self, document: Document, endpoint: str | None = None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.document = document
        self._endpoint: str | None = None
        self._root = _Node(None)
        self._problems: dict[str, tuple[Problem, ...]] = {}
        document.projectReset.connect(self._on_reset)
        document.workflowChanged.connect(self._on_endpoint_edited)
        document.actionChanged.connect(self._on_action_edited)
        document.endpointRenamed.connect(self._on_renamed)
        document.endpointsChanged.connect(self._on_endpoints_changed)
        document.problemsChanged.connect(self._refresh_problems)
        self.set_endpoint(endpoint)

    # -- which endpoint ------------------------------------------------------

    def endpoint_name(self) -> str | None:
        return self._endpoint

    def set_endpoint(self, name: str | None) -> None:
        """Show another endpoint's workflow (``None`` or an unknown name shows nothing)."""
        self.beginResetModel()
        self._endpoint = name
        self._root = _Node(None)
        self._root.children = [self._build(self._root, action) for action in self._workflow()]
        self._problems = self._current_problems()
        self.endResetModel()

    def _workflow(self) -> list[Action]:
        if self._endpoint is None or not self.document.has_workflow(self._endpoint):
            return []
        return self.document.workflow(self._endpoint)

    # -- addressing ------------------------------------------------------------

    def path_of(self, index: Index) -> ActionPath | SlotPath | None:
        """An action row's path, a slot row's slot path, ``None`` for the root."""
        if not index.isValid():
            return None
        node: _Node | None = self._node(index)
        parts: list[int | str] = []
        while node is not None and node.parent is not None:
            parts.insert(0, node.slot if node.slot is not None else node.row())
            node = node.parent
        return tuple(parts)

    def index_of(self, path: Sequence[int | str], column: int = TITLE_COLUMN) -> QModelIndex:
        """The row of an action path (or slot path); invalid if there is none."""
        node = self._root
        for part in path:
            if isinstance(part, int):
                if not 0 <= part < len(node.children) or node.children[part].action is None:
                    return QModelIndex()
                node = node.children[part]
            else:
                node = next((c for c in node.children if c.slot == part), None)
                if node is None:
                    return QModelIndex()
        return self._index(node, column) if node is not self._root else QModelIndex()

    def index_of_action(self, action_id: str, column: int = TITLE_COLUMN) -> QModelIndex:
        path = self.document.path_of(self._endpoint, action_id) if self._endpoint and self.document.has_workflow(self._endpoint) else None
        return self.index_of(path, column) if path is not None else QModelIndex()

    def action_at(self, index: Index) -> Action | None:
        return self._node(index).action if index.isValid() else None

    # -- QAbstractItemModel ------------------------------------------------------

    def index(self, row: int, column: int, parent: Index = QModelIndex()) -> QModelIndex:  # noqa: B008
        node = self._node(parent)
        if parent.isValid() and parent.column() != TITLE_COLUMN:
            return QModelIndex()
        if 0 <= row < len(node.children) and 0 <= column < 2:
            return self.createIndex(row, column, node.children[row])
        return QModelIndex()

    def parent(self, index: Index = QModelIndex()) -> QModelIndex:  # noqa: B008
        if not index.isValid():
            return QModelIndex()
        parent = self._node(index).parent
        if parent is None or parent is self._root:
            return QModelIndex()
        return self._index(parent, TITLE_COLUMN)

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: N802, B008
        if parent.isValid() and parent.column() != TITLE_COLUMN:
            return 0
        return len(self._node(parent).children)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: N802, B008
        return 2

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:  # noqa: N802
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return ("Action", "Summary")[section] if 0 <= section < 2 else None
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        node = self._node(index)
        if node.action is None:
            return self._slot_data(node, index.column(), role)
        return self._action_data(node, node.action, index.column(), role)

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.ItemIsDropEnabled
        flags = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemIsDropEnabled
        if self._node(index).action is not None:
            flags |= Qt.ItemFlag.ItemIsDragEnabled
        return flags

    # -- data ------------------------------------------------------------------

    def _action_data(self, node: _Node, action: Action, column: int, role: int) -> Any:
        registry = self.document.registry
        action_type = registry.get(action.type) if action.type in registry else None
        if role == Qt.ItemDataRole.DisplayRole:
            if column == TITLE_COLUMN:
                return action.title or (action_type.title if action_type else action.type)
            return self._summary(action)
        if role == Qt.ItemDataRole.ToolTipRole:
            problems = self._problems.get(action.id, ())
            lines = [f"{action.id} ({action_type.title if action_type else action.type})"] + [f"{p.severity}: {p.message}" for p in problems]
            return "\n".join(lines)
        values: dict[int, Callable[[], Any]] = {
            KindRole: lambda: "action",
            ActionIdRole: lambda: action.id,
            ActionTypeRole: lambda: action.type,
            ActionPathRole: lambda: self.path_of(self._index(node, TITLE_COLUMN)),
            IconNameRole: lambda: action_type.icon if action_type else None,
            DescriptionRole: lambda: action_type.description if action_type else None,
            IsContainerRole: lambda: bool(action_type and action_type.is_container),
            ProblemsRole: lambda: list(self._problems.get(action.id, ())),
        }
        getter = values.get(role)
        return getter() if getter else None

    def _slot_data(self, node: _Node, column: int, role: int) -> Any:
        assert node.slot is not None
        if role == Qt.ItemDataRole.DisplayRole:
            return node.slot.capitalize() if column == TITLE_COLUMN else ""
        if role == KindRole:
            return "slot"
        if role == SlotNameRole:
            return node.slot
        if role == ActionPathRole:
            return self.path_of(self._index(node, TITLE_COLUMN))
        return None

    def _summary(self, action: Action) -> str:
        registry = self.document.registry
        if action.type not in registry:
            return ""
        summary = registry.get(action.type).summary
        try:
            return summary(action.params) if summary else ""
        except Exception:  # noqa: BLE001 - half-typed params must not break painting
            return ""

    # -- following the document ----------------------------------------------------

    def _on_reset(self) -> None:
        self.set_endpoint(self._endpoint)

    def _on_renamed(self, old: str, new: str) -> None:
        if self._endpoint == old:
            self._endpoint = new

    def _on_endpoints_changed(self) -> None:
        if self._endpoint is not None and not self.document.has_workflow(self._endpoint) and self._root.children:
            self.set_endpoint(self._endpoint)  # our endpoint was removed: show nothing
        elif self._endpoint is not None and self.document.has_workflow(self._endpoint):
            self._sync()  # e.g. removal undone: it is back

    def _on_action_edited(self, name: str, action_id: str) -> None:
        self._on_endpoint_edited(name)

    def _on_endpoint_edited(self, name: str) -> None:
        if name == self._endpoint:
            self._sync()

    def _sync(self) -> None:
        self._sync_children(self._root, self._workflow())

    def _sync_children(self, parent: _Node, actions: list[Action]) -> None:
        plan = plan_rows([child.key() for child in parent.children], [(a.id, a.type) for a in actions])
        self._apply_plan(parent, plan, lambda row: self._build(parent, actions[row]))
        for _, new_row in plan.kept:
            self._sync_action(parent.children[new_row], actions[new_row])

    def _apply_plan(self, parent: _Node, plan: Any, build: Callable[[int], _Node]) -> None:
        """Remove, then insert, the row ranges a plan names, with the model's row signals."""
        parent_index = self._index(parent, TITLE_COLUMN)
        for first, last in plan.removals:
            self.beginRemoveRows(parent_index, first, last)
            del parent.children[first : last + 1]
            self.endRemoveRows()
        for first, last in plan.insertions:
            self.beginInsertRows(parent_index, first, last)
            parent.children[first:first] = [build(row) for row in range(first, last + 1)]
            self.endInsertRows()

    def _sync_action(self, node: _Node, action: Action) -> None:
        old = node.action
        node.action = action
        if old is not None and (old.title, old.params) != (action.title, action.params):
            self.dataChanged.emit(self._index(node, TITLE_COLUMN), self._index(node, SUMMARY_COLUMN))
        names = self._slot_names(action)
        plan = plan_rows([child.slot for child in node.children], names)
        self._apply_plan(node, plan, lambda row: self._build_slot(node, action, names[row]))
        for slot_node in node.children:
            self._sync_children(slot_node, action.slots.get(slot_node.slot or "", []))

    def _refresh_problems(self) -> None:
        problems = self._current_problems()
        changed = {key for key in problems.keys() | self._problems.keys() if problems.get(key) != self._problems.get(key)}
        self._problems = problems
        for action_id in changed:
            index = self.index_of_action(action_id)
            if index.isValid():
                self.dataChanged.emit(index, index.siblingAtColumn(SUMMARY_COLUMN), [ProblemsRole, Qt.ItemDataRole.ToolTipRole])

    def _current_problems(self) -> dict[str, tuple[Problem, ...]]:
        if self._endpoint is None:
            return {}
        grouped: dict[str, list[Problem]] = {}
        for problem in self.document.problems_for(self._endpoint):
            if problem.action_id:
                grouped.setdefault(problem.action_id, []).append(problem)
        return {key: tuple(sorted(found, key=lambda p: p.severity != "error")) for key, found in grouped.items()}

    # -- building nodes ------------------------------------------------------------

    def _slot_names(self, action: Action) -> list[str]:
        """Declared slots in declaration order (even when empty, to drop into), then any others."""
        registry = self.document.registry
        declared = list(registry.get(action.type).slots) if action.type in registry else []
        return declared + [name for name in action.slots if name not in declared]

    def _build(self, parent: _Node, action: Action) -> _Node:
        node = _Node(parent, action=action)
        node.children = [self._build_slot(node, action, name) for name in self._slot_names(action)]
        return node

    def _build_slot(self, parent: _Node, action: Action, name: str) -> _Node:
        slot = _Node(parent, slot=name)
        slot.children = [self._build(slot, child) for child in action.slots.get(name, [])]
        return slot

    def _node(self, index: Index) -> _Node:
        return index.internalPointer() if index.isValid() else self._root

    def _index(self, node: _Node, column: int) -> QModelIndex:
        if node is self._root or node.parent is None:
            return QModelIndex()
        return self.createIndex(node.row(), column, node)

    # -- drag and drop -----------------------------------------------------------

    def mimeTypes(self) -> list[str]:  # noqa: N802
        return [ACTION_PATH_MIME, ACTION_TYPE_MIME, ACTIONS_MIME_TYPE]

    def supportedDropActions(self) -> Qt.DropAction:  # noqa: N802
        return Qt.DropAction.MoveAction | Qt.DropAction.CopyAction

    def supportedDragActions(self) -> Qt.DropAction:  # noqa: N802
        return Qt.DropAction.MoveAction | Qt.DropAction.CopyAction

    def mimeData(self, indexes: Sequence[Index]) -> QMimeData | None:  # noqa: N802
        """Dragged actions: their paths (to move them) and their JSON (to drop them elsewhere)."""
        paths = list(dict.fromkeys(self.path_of(i) for i in indexes if i.isValid() and self._node(i).action is not None))
        if not paths or self._endpoint is None:
            return None
        mime = actions_mime_data([self.document.action(self._endpoint, path) for path in paths])
        payload = {"endpoint": self._endpoint, "paths": [list(path) for path in paths]}
        mime.setData(ACTION_PATH_MIME, json.dumps(payload).encode("utf-8"))
        return mime

    def drop_target(self, row: int, parent: Index) -> ActionPath | None:
        """The insertion point for a drop at ``row`` under ``parent`` (row -1: onto ``parent``)."""
        node = self._node(parent)
        if node.action is not None:
            if row >= 0:
                return None  # between the slot rows of a container
            path = self.path_of(parent)
            assert path is not None
            if node.children:  # onto a container: the end of its first slot
                first = node.children[0]
                return (*path, first.slot, len(first.children))
            return (*path[:-1], path[-1] + 1)  # onto a card: right after it
        slot_path = self.path_of(parent) or ()
        return (*slot_path, row if row >= 0 else len(node.children))

    def canDropMimeData(self, data: QMimeData, action: Qt.DropAction, row: int, column: int, parent: Index) -> bool:  # noqa: N802
        try:
            return self._drop_command(data, action, row, parent) is not None
        except ValueError:
            return False

    def dropMimeData(self, data: QMimeData, action: Qt.DropAction, row: int, column: int, parent: Index) -> bool:  # noqa: N802
        """Push the matching undo command. Returns False (nothing changes) when the drop is refused.

        The source rows are never removed by the view afterwards: this model
        does not implement ``removeRows``; the move command did the work.
        """
        try:
            command = self._drop_command(data, action, row, parent)
        except ValueError:
            return False
        if command is None:
            return False
        self.document.push(command)
        return True

    def _drop_command(self, data: QMimeData, action: Qt.DropAction, row: int, parent: Index) -> ProjectCommand | None:
        if self._endpoint is None or not self.document.has_workflow(self._endpoint):
            return None
        target = self.drop_target(row, parent)
        if target is None:
            return None
        endpoint = self._endpoint
        type_ids = type_ids_from_mime(data)
        if type_ids:
            return InsertActionCommand(self.document, endpoint, target, type_ids[0])
        if data.hasFormat(ACTION_PATH_MIME):
            payload = json.loads(bytes(data.data(ACTION_PATH_MIME).data()).decode("utf-8"))
            source_endpoint = payload["endpoint"]
            paths = [check_shape(tuple(path)) for path in payload["paths"]]
            if action == Qt.DropAction.MoveAction and source_endpoint == endpoint:
                return MoveActionsCommand(self.document, endpoint, paths, target)
            if action == Qt.DropAction.MoveAction and self.document.has_workflow(source_endpoint):
                return self._move_between_endpoints(source_endpoint, paths, target)
        actions = actions_from_mime_data(data, self.document.registry)
        return InsertActionsCommand(self.document, endpoint, target, actions, verb="Copy" if data.hasFormat(ACTION_PATH_MIME) else "Paste")

    def _move_between_endpoints(self, source: str, paths: list[ActionPath], target: ActionPath) -> ProjectCommand:
        """One step: copy into this endpoint, remove from the other."""
        document, endpoint = self.document, self._endpoint
        assert endpoint is not None
        moved = [document.action(source, path) for path in paths]

        def build(start: Any) -> list[ProjectCommand]:
            insert = InsertActionsCommand(document, endpoint, target, moved, verb="Move", base=start)
            return [insert, RemoveActionsCommand(document, source, paths, base=insert.after)]

        what = "actions" if len(moved) > 1 else (moved[0].title or document.registry.get(moved[0].type).title)
        return CompoundCommand(document, f"Move {what} to {endpoint}", build)
