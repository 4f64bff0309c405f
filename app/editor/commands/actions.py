"""Undo commands on the actions of one workflow (an endpoint's or a page's, by key), addressed by ``action_paths``."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from app.core.project import Action, Project
from app.core.registry import ActionType, UnknownActionTypeError
from app.core.workflow_refs import parse_key
from app.editor.action_ids import fresh_id, id_stem, ids_in, with_fresh_ids
from app.editor.action_paths import (
    ActionPath,
    PathError,
    action_at,
    after_removal,
    check_shape,
    format_path,
    insert_at,
    is_inside,
    outermost,
    remove_at,
    split,
)
from app.editor.commands.base import CompoundCommand, MergingCommand, NoChangeError, ProjectCommand, edit_workflow, workflow_of_key
from app.editor.selection import ActionRef

if TYPE_CHECKING:
    from app.editor.document import Document

UNSET: Any = object()
"""``SetActionParamCommand(..., value=UNSET)`` removes the param so its default applies."""


def _workflow(project: Project, key: str) -> list[Action]:
    """``key``: an endpoint's name or a page workflow's key (``app.core.workflow_refs``)."""
    return workflow_of_key(project, key)


def _label(document: Document, action: Action) -> str:
    """What the user sees on the card: the custom title, else the type's title."""
    if action.title:
        return action.title
    return document.registry.get(action.type).title if action.type in document.registry else action.type


def _check_insertion_point(document: Document, workflow: list[Action], path: ActionPath) -> None:
    """The slot exists on its container's type and the index is within it."""
    slot_path, index = split(path)
    if slot_path:
        container = action_at(workflow, slot_path[:-1])
        slot = slot_path[-1]
        allowed = document.registry.get(container.type).slots if container.type in document.registry else ()
        if slot not in allowed:
            names = ", ".join(allowed) or "none"
            raise PathError(f"{_label(document, container)} has no slot {slot!r} (slots: {names})")
        size = len(container.slots.get(slot, []))
    else:
        size = len(workflow)
    if index > size:
        raise PathError(f"cannot insert at {format_path(path)}: the slot has {size} action(s)")


def _check_known_types(document: Document, actions: Sequence[Action], key: str | None = None) -> None:
    """Every action is of a known type that this kind of workflow can run (Send streaming response not in a page)."""
    kind = parse_key(key).kind if key is not None else None
    for action in actions:
        if action.type not in document.registry:
            raise ValueError(f"unknown action type {action.type!r}")
        action_type = document.registry.get(action.type)
        if kind is not None and kind not in action_type.where:
            where = "API endpoints" if kind == "interface" else "interface workflows (a page's On click or On page load)"
            raise ValueError(f"{action_type.title} runs only in {where}")
        for slot, children in action.slots.items():
            if slot not in action_type.slots:
                raise ValueError(f"{action_type.title} has no slot {slot!r}")
            _check_known_types(document, children, key)


def _selected_ref(document: Document, key: str) -> ActionRef | None:
    """The current selection when it is an action of workflow ``key`` (what undo goes back to)."""
    current = document.selection.current
    return current if current is not None and current.workflow == key else None


def _neighbour_after_removal(workflow: list[Action], path: ActionPath) -> str | None:
    """The action a keyboard user expects selected after a delete: the next one, else the previous, else the container."""
    *slot, index = path
    siblings = action_at(workflow, tuple(slot[:-1])).slots.get(str(slot[-1]), []) if slot else workflow
    if not isinstance(index, int):
        return None
    if index < len(siblings):
        return siblings[index].id
    if index > 0 and siblings:
        return siblings[index - 1].id
    return action_at(workflow, tuple(slot[:-1])).id if slot else None


def new_action(action_type: ActionType, taken: set[str]) -> Action:
    """A fresh action of a type: default params, empty slots, an unused id like ``send_3``."""
    return Action(
        id=fresh_id(id_stem(action_type.id), taken),
        type=action_type.id,
        params=action_type.default_params(),
        slots={slot: [] for slot in action_type.slots},
    )


class InsertActionsCommand(ProjectCommand):
    """Insert actions (pasted, dropped) at one point; ids that clash in the endpoint are renewed."""

    def __init__(self, document: Document, endpoint: str, path: ActionPath, actions: Sequence[Action], *, verb: str = "Paste", base: Project | None = None) -> None:
        super().__init__(document, base)
        self.endpoint = endpoint
        self.path = check_shape(path)
        if not actions:
            raise NoChangeError(f"{verb}: no actions")
        workflow = _workflow(self.before, endpoint)
        _check_known_types(document, actions, endpoint)
        _check_insertion_point(document, workflow, self.path)
        self.actions = with_fresh_ids(actions, ids_in(workflow), keep_free=True)
        after = edit_workflow(self.before, endpoint, lambda w: insert_at(w, self.path, self.actions), [self.path[:-1]])
        what = _label(document, self.actions[0]) if len(self.actions) == 1 else f"{len(self.actions)} actions"
        self._finish(after, f"{verb} {what}")
        self.select_before = _selected_ref(document, endpoint)
        self.select_after = ActionRef(endpoint, self.actions[0].id)

    @property
    def paths(self) -> list[ActionPath]:
        """Where the inserted actions are once applied (to select them)."""
        *slot, index = self.path
        return [(*slot, index + offset) for offset in range(len(self.actions))]


class InsertActionCommand(InsertActionsCommand):
    """Add one action: a new one of a type (by type id) or a given one (e.g. from paste)."""

    def __init__(self, document: Document, endpoint: str, path: ActionPath, action: str | Action, *, base: Project | None = None) -> None:
        if isinstance(action, str):
            try:
                action_type = document.registry.get(action)
            except UnknownActionTypeError as error:
                raise ValueError(str(error)) from None
            taken = ids_in(_workflow(base if base is not None else document.project, endpoint))
            action = new_action(action_type, taken)
        super().__init__(document, endpoint, path, [action], verb="Add", base=base)

    @property
    def action(self) -> Action:
        return self.actions[0]


class RemoveActionCommand(ProjectCommand):
    """Remove one action; a container goes with everything inside it, as one step."""

    def __init__(self, document: Document, endpoint: str, path: ActionPath, *, base: Project | None = None) -> None:
        super().__init__(document, base)
        self.endpoint = endpoint
        self.path = check_shape(path)
        self.removed = action_at(_workflow(self.before, endpoint), self.path)
        after = edit_workflow(self.before, endpoint, lambda w: remove_at(w, self.path), [self.path[:-1]])
        self._finish(after, f"Remove {_label(document, self.removed)}")
        neighbour = _neighbour_after_removal(_workflow(after, endpoint), self.path)
        self.select_before = ActionRef(endpoint, self.removed.id)
        self.select_after = ActionRef(endpoint, neighbour) if neighbour is not None else None


class RemoveActionsCommand(CompoundCommand):
    """Remove a selection: one child command per action, last first so earlier paths stay valid."""

    def __init__(self, document: Document, endpoint: str, paths: Sequence[ActionPath], *, base: Project | None = None) -> None:
        self.endpoint = endpoint
        project = base if base is not None else document.project
        targets = outermost(_workflow(project, endpoint), paths)
        if not targets:
            raise NoChangeError("Remove: no actions")

        def build(start: Project) -> list[ProjectCommand]:
            children: list[ProjectCommand] = []
            state = start
            for path in reversed(targets):
                child = RemoveActionCommand(document, endpoint, path, base=state)
                children.append(child)
                state = child.after
            return children

        text = f"Remove {_label(document, action_at(_workflow(project, endpoint), targets[0]))}" if len(targets) == 1 else f"Remove {len(targets)} actions"
        super().__init__(document, text, build, base)
        self.select_before = ActionRef(endpoint, action_at(_workflow(project, endpoint), targets[0]).id)


class MoveActionsCommand(ProjectCommand):
    """Move actions to an insertion point, within a slot or into/out of containers.

    ``target`` is the drop position as shown before the move (the place between
    two cards). Moving a container into itself or its own slots is refused.
    """

    def __init__(self, document: Document, endpoint: str, sources: Sequence[ActionPath], target: ActionPath, *, base: Project | None = None) -> None:
        super().__init__(document, base)
        self.endpoint = endpoint
        workflow = _workflow(self.before, endpoint)
        self.sources = outermost(workflow, sources)
        if not self.sources:
            raise NoChangeError("Move: no actions")
        target = check_shape(target)
        _check_insertion_point(document, workflow, target)
        moved = [action_at(workflow, path) for path in self.sources]
        for path, action in zip(self.sources, moved, strict=True):
            if is_inside(target[:-1], path):
                raise ValueError(f"cannot move {_label(document, action)} into itself")
        touches = [path[:-1] for path in self.sources] + [target[:-1]]  # as they are before the edit
        for path in reversed(self.sources):
            target = after_removal(target, path)
        self.target = target

        def edit(w: list[Action]) -> None:
            for path in reversed(self.sources):
                remove_at(w, path)
            insert_at(w, self.target, moved)

        after = edit_workflow(self.before, endpoint, edit, touches)
        what = _label(document, moved[0]) if len(moved) == 1 else f"{len(moved)} actions"
        self._finish(after, f"Move {what}")
        self.select_before = self.select_after = ActionRef(endpoint, moved[0].id)

    @property
    def paths(self) -> list[ActionPath]:
        """Where the moved actions are once applied (to keep them selected)."""
        *slot, index = self.target
        return [(*slot, index + offset) for offset in range(len(self.sources))]


class MoveActionCommand(MoveActionsCommand):
    def __init__(self, document: Document, endpoint: str, source: ActionPath, target: ActionPath, *, base: Project | None = None) -> None:
        super().__init__(document, endpoint, [source], target, base=base)


class DuplicateActionCommand(ProjectCommand):
    """Insert a copy right after the original; the copy and all its children get fresh ids."""

    def __init__(self, document: Document, endpoint: str, path: ActionPath, *, base: Project | None = None) -> None:
        super().__init__(document, base)
        self.endpoint = endpoint
        workflow = _workflow(self.before, endpoint)
        path = check_shape(path)
        original = action_at(workflow, path)
        self.copy = with_fresh_ids([original], ids_in(workflow))[0]
        *slot, index = path
        self.path: ActionPath = (*slot, index + 1)
        after = edit_workflow(self.before, endpoint, lambda w: insert_at(w, self.path, [self.copy]), [self.path[:-1]])
        self._finish(after, f"Duplicate {_label(document, original)}")
        self.select_before = ActionRef(endpoint, original.id)
        self.select_after = ActionRef(endpoint, self.copy.id)


class SetActionParamCommand(MergingCommand):
    """Set (or with ``UNSET`` remove) one param. Values are not validated: half-typed
    formulas are allowed and show up in ``Document.problems()``; unknown params are refused."""

    MERGE_ID = 1101

    def __init__(self, document: Document, endpoint: str, path: ActionPath, param: str, value: Any, *, base: Project | None = None) -> None:
        super().__init__(document, base)
        self.endpoint = endpoint
        self.path = check_shape(path)
        action = action_at(_workflow(self.before, endpoint), self.path)
        spec = next((s for s in document.registry.get(action.type).specs if param in (s.alias, s.name)), None) if action.type in document.registry else None
        if spec is None:
            raise ValueError(f"{_label(document, action)} has no param {param!r}")
        self.param = spec.alias

        def edit(w: list[Action]) -> None:
            target = action_at(w, self.path)
            params = {key: item for key, item in target.params.items() if key != spec.name}  # stored by alias
            if value is UNSET:
                params.pop(self.param, None)
            else:
                params[self.param] = value
            target.params = params

        self._finish(edit_workflow(self.before, endpoint, edit, [self.path]), f"Edit {spec.title}")
        self.select_before = self.select_after = ActionRef(endpoint, action.id)

    def merge_key(self) -> tuple[object, ...]:
        return (self.endpoint, self.path, self.param)


class SetActionTitleCommand(MergingCommand):
    """Rename the card: a custom title, or ``None``/blank for the type's own title.

    The title is stored as typed (no stripping), so a view echoing it back
    never fights the cursor."""

    MERGE_ID = 1102

    def __init__(self, document: Document, endpoint: str, path: ActionPath, title: str | None, *, base: Project | None = None) -> None:
        super().__init__(document, base)
        self.endpoint = endpoint
        self.path = check_shape(path)
        action = action_at(_workflow(self.before, endpoint), self.path)
        label = _label(document, action)
        new_title = title if title and title.strip() else None

        def edit(w: list[Action]) -> None:
            action_at(w, self.path).title = new_title

        self._finish(edit_workflow(self.before, endpoint, edit, [self.path]), f"Rename {label}")
        self.select_before = self.select_after = ActionRef(endpoint, action.id)

    def merge_key(self) -> tuple[object, ...]:
        return (self.endpoint, self.path)
