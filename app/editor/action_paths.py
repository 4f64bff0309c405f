"""Addressing an action inside an endpoint's workflow tree.

An action is addressed by a path of alternating indexes and slot names:
``(2,)`` is the third top-level action, ``(2, "body", 0)`` the first action in
the ``body`` slot of that one. The same shape names an *insertion point*: the
last index may equal the slot's length (append). A *slot path* is a path
without its last index: ``()`` is the workflow itself, ``(2, "body")`` a slot.

These helpers are pure Python (no Qt). The mutating ones change the list they
are given in place, so callers pass a copy (commands copy the endpoint first).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from app.core.project import Action

ActionPath = tuple[int | str, ...]
SlotPath = tuple[int | str, ...]


class PathError(ValueError):
    """A path that does not lead to an action (or insertion point) in this workflow."""


def format_path(path: Sequence[int | str]) -> str:
    """``(2, "body", 0)`` as ``workflow[2].body[0]``, for messages."""
    text = "workflow"
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else f".{part}"
    return text


def check_shape(path: Sequence[int | str]) -> ActionPath:
    """A tuple of alternating ints and strings that starts and ends with an int."""
    path = tuple(path)
    if not path or len(path) % 2 == 0:
        raise PathError(f"{path!r} is not an action path (index, slot, index, ...)")
    for position, part in enumerate(path):
        want_index = position % 2 == 0
        if want_index and (not isinstance(part, int) or isinstance(part, bool) or part < 0):
            raise PathError(f"{path!r}: expected an index at position {position}")
        if not want_index and not isinstance(part, str):
            raise PathError(f"{path!r}: expected a slot name at position {position}")
    return path


def split(path: ActionPath) -> tuple[SlotPath, int]:
    """The slot holding the addressed position, and the index in it."""
    path = check_shape(path)
    return path[:-1], path[-1]


def slot_list(workflow: list[Action], slot_path: SlotPath, create: bool = False) -> list[Action]:
    """The list of actions a slot path names (``()`` is the workflow itself).

    ``create`` adds a missing slot key to its container, for inserting into a
    container whose file never mentioned that slot.
    """
    actions = workflow
    for position in range(0, len(slot_path), 2):
        index, slot = slot_path[position], slot_path[position + 1]
        if not isinstance(index, int) or not isinstance(slot, str) or not 0 <= index < len(actions):
            raise PathError(f"no action at {format_path(slot_path[: position + 1])}")
        container = actions[index]
        if slot not in container.slots:
            if not create:
                raise PathError(f"{format_path(slot_path[: position + 1])} has no slot {slot!r}")
            container.slots[slot] = []
        actions = container.slots[slot]
    return actions


def action_at(workflow: list[Action], path: ActionPath) -> Action:
    slot_path, index = split(path)
    actions = slot_list(workflow, slot_path)
    if not 0 <= index < len(actions):
        raise PathError(f"no action at {format_path(path)}")
    return actions[index]


def has_action(workflow: list[Action], path: ActionPath) -> bool:
    try:
        action_at(workflow, path)
    except PathError:
        return False
    return True


def insert_at(workflow: list[Action], path: ActionPath, actions: Sequence[Action]) -> None:
    """Insert ``actions`` so the first lands at ``path`` (in place)."""
    slot_path, index = split(path)
    target = slot_list(workflow, slot_path, create=True)
    if not 0 <= index <= len(target):
        raise PathError(f"cannot insert at {format_path(path)}: the slot has {len(target)} action(s)")
    target[index:index] = list(actions)


def remove_at(workflow: list[Action], path: ActionPath) -> Action:
    """Remove and return the action at ``path`` with everything inside it (in place)."""
    slot_path, index = split(path)
    actions = slot_list(workflow, slot_path)
    if not 0 <= index < len(actions):
        raise PathError(f"no action at {format_path(path)}")
    return actions.pop(index)


def is_inside(path: ActionPath, ancestor: ActionPath) -> bool:
    """True when ``path`` is ``ancestor`` itself or somewhere in its slots."""
    return len(path) >= len(ancestor) and path[: len(ancestor)] == ancestor


def after_removal(path: ActionPath, removed: ActionPath) -> ActionPath:
    """Where ``path`` points once the action at ``removed`` is gone.

    Positions after ``removed`` in the same slot (and everything inside them)
    shift up by one; the insertion point right before ``removed`` stays put.
    ``path`` must not be inside ``removed``.
    """
    if path == removed:
        return path
    if is_inside(path, removed):
        raise PathError(f"{format_path(path)} is inside the removed {format_path(removed)}")
    depth = len(removed) - 1
    if len(path) > depth and path[:depth] == removed[:depth] and path[depth] > removed[depth]:
        return (*path[:depth], path[depth] - 1, *path[depth + 1 :])
    return path


def after_insertion(path: ActionPath, inserted: ActionPath, count: int = 1) -> ActionPath:
    """Where ``path`` points once ``count`` actions are inserted at ``inserted``."""
    depth = len(inserted) - 1
    if len(path) > depth and path[:depth] == inserted[:depth] and path[depth] >= inserted[depth]:
        return (*path[:depth], path[depth] + count, *path[depth + 1 :])
    return path


def walk_paths(actions: Sequence[Action], prefix: SlotPath = ()) -> Iterator[tuple[ActionPath, Action]]:
    """Every action with its path, depth first in execution order."""
    for index, action in enumerate(actions):
        path = (*prefix, index)
        yield path, action
        for slot, children in action.slots.items():
            yield from walk_paths(children, (*path, slot))


def path_of(workflow: Sequence[Action], action_id: str) -> ActionPath | None:
    for path, action in walk_paths(workflow):
        if action.id == action_id:
            return path
    return None


def outermost(workflow: Sequence[Action], paths: Sequence[ActionPath]) -> list[ActionPath]:
    """The given paths in document order, without those inside another given one.

    Removing or moving a Loop already takes its children along. Raises
    ``PathError`` for a path that leads nowhere.
    """
    wanted = set(map(check_shape, paths))
    order = {path: rank for rank, (path, _) in enumerate(walk_paths(workflow))}
    missing = [path for path in wanted if path not in order]
    if missing:
        raise PathError(f"no action at {format_path(missing[0])}")
    kept: list[ActionPath] = []
    for path in sorted(wanted, key=order.__getitem__):
        if not any(is_inside(path, other) for other in kept):
            kept.append(path)
    return kept


def earlier_results(workflow: Sequence[Action], path: ActionPath) -> list[str]:
    """Ids of the actions that run before the one at ``path`` (document order, its own containers excluded)."""
    found: list[str] = []
    for other, action in walk_paths(workflow):
        if other == path:
            break
        if not is_inside(path, other):
            found.append(action.id)
    return found
