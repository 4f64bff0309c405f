"""The undo command base: compute the edited project once, then swap versions on redo/undo.

A command is built against the current project and validates there, so a bad
edit raises ``ValueError`` before anything is pushed. Redo commits the edited
copy, undo commits the exact object that was there before: undo restores the
project bit for bit, whatever the edit did.

A command on actions also says what is selected before and after it
(``select_before``/``select_after``, an ``ActionRef`` by id): redo selects what
the edit added or moved, undo selects what was selected when it was made, so
the canvas and the inspector always show the action the step touched.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING

from PySide6.QtGui import QUndoCommand

from app.core.project import Action, Endpoint, Project
from app.core.workflow_refs import with_workflow, workflow_of
from app.editor.selection import KEEP, Selected

if TYPE_CHECKING:
    from app.editor.document import Document


class NoChangeError(ValueError):
    """The edit would leave the project as it is (same value, move to the same place)."""


class ProjectCommand(QUndoCommand):
    """One undo step. Subclasses compute the edited project in ``__init__`` and call ``_finish``."""

    def __init__(self, document: Document, base: Project | None = None) -> None:
        super().__init__()
        self.document = document
        self.before: Project = base if base is not None else document.project
        self.after: Project = self.before
        self.select_before: Selected = KEEP
        self.select_after: Selected = KEEP

    def _finish(self, after: Project, text: str) -> None:
        if after == self.before:
            raise NoChangeError(f"{text}: nothing to change")
        self.after = after
        self.setText(text)

    def redo(self) -> None:
        self.document.commit(self.after, self.select_after)

    def undo(self) -> None:
        self.document.commit(self.before, self.select_before)


class MergingCommand(ProjectCommand):
    """Typing in a field: consecutive edits of the same thing merge into one undo step."""

    MERGE_ID = -1

    def id(self) -> int:
        return self.MERGE_ID

    def merge_key(self) -> tuple[object, ...]:
        """What must be equal for two consecutive commands to merge."""
        raise NotImplementedError

    def continues(self, other: MergingCommand) -> bool:
        """``other`` was built right on top of this command's result and edits the same thing."""
        return type(other) is type(self) and other.before is self.after and other.merge_key() == self.merge_key()

    def mergeWith(self, other: QUndoCommand) -> bool:  # noqa: N802 - Qt override
        if not isinstance(other, MergingCommand) or not self.continues(other):
            return False
        self.after = other.after
        self._merged(other)
        if self.after == self.before:
            self.setObsolete(True)  # typed back to the original: the step disappears
        return True

    def _merged(self, other: MergingCommand) -> None:
        """Update what the merge key follows (e.g. a renamed endpoint's new name)."""


class CompoundCommand(ProjectCommand):
    """Several commands as one undo step, with one round of signals.

    Children are kept in a Python list, not as Qt child commands: PySide would
    otherwise delete them twice when the stack is cleared.
    """

    def __init__(self, document: Document, text: str, build: Callable[[Project], Sequence[ProjectCommand]], base: Project | None = None) -> None:
        super().__init__(document, base)
        self.children = list(build(self.before))
        if not self.children:
            raise NoChangeError(f"{text}: nothing to change")
        self._finish(self.children[-1].after, text)
        if any(child.select_before is not KEEP for child in self.children):
            self.select_before = next(c.select_before for c in self.children if c.select_before is not KEEP)
        if any(child.select_after is not KEEP for child in self.children):
            self.select_after = next(c.select_after for c in reversed(self.children) if c.select_after is not KEEP)

    def redo(self) -> None:
        with self.document.batch():
            for child in self.children:
                child.redo()
            self.document.commit(self.document.project, self.select_after)

    def undo(self) -> None:
        with self.document.batch():
            for child in reversed(self.children):
                child.undo()
            self.document.commit(self.document.project, self.select_before)


def endpoint_index(project: Project, name: str) -> int:
    for index, endpoint in enumerate(project.endpoints):
        if endpoint.name == name:
            return index
    known = ", ".join(e.name for e in project.endpoints) or "none"
    raise ValueError(f"no endpoint named {name!r} (endpoints: {known})")


def replace_endpoint(project: Project, index: int, endpoint: Endpoint) -> Project:
    """A new project sharing every other endpoint with ``project``."""
    endpoints = list(project.endpoints)
    endpoints[index] = endpoint
    return project.model_copy(update={"endpoints": endpoints})


def edit_workflow(project: Project, key: str, edit: Callable[[list[Action]], None], touches: Iterable[tuple[int | str, ...]]) -> Project:
    """Apply ``edit`` to a copy of one workflow (``app.core.workflow_refs`` key); the original stays untouched.

    Copy on write: only what ``touches`` names is copied, and ``edit`` may
    change only that. An action path (odd length) makes that action and its
    ancestors writable; a slot path (even length, ``()`` for the workflow)
    makes that list writable. Every other action is shared with the previous
    version, so an edit costs the depth of the tree, not its size, and views
    that remember actions by identity (card texts) keep what did not change.
    """
    workflow = list(workflow_of_key(project, key))
    copied: set[int] = set()
    for path in touches:
        _make_writable(workflow, path, copied)
    edit(workflow)
    return with_workflow(project, key, workflow)


def workflow_of_key(project: Project, key: str) -> list[Action]:
    """A workflow by key (an endpoint's name or a page workflow key); a missing one is a ``ValueError``."""
    try:
        return workflow_of(project, key)
    except KeyError as error:
        raise ValueError(error.args[0]) from None


def _make_writable(workflow: list[Action], path: tuple[int | str, ...], copied: set[int]) -> None:
    actions = workflow
    position = 0
    while position < len(path):
        index = path[position]
        if not isinstance(index, int) or not 0 <= index < len(actions):
            return  # a path that leads nowhere: the edit reports it (PathError)
        action = actions[index]
        if id(action) not in copied:
            action = action.model_copy(update={"slots": {slot: list(children) for slot, children in action.slots.items()}})
            actions[index] = action
            copied.add(id(action))
        if position + 1 == len(path):
            return
        slot = path[position + 1]
        if not isinstance(slot, str) or slot not in action.slots:
            return  # a missing slot is created by insert_at on the (copied) container
        actions = action.slots[slot]
        position += 2


def push_or_explain(document: Document, make: Callable[[], ProjectCommand]) -> tuple[ProjectCommand | None, str | None]:
    """Build a command and push it: ``(command, None)``; a refused edit gives ``(None, reason)``, a no-op ``(None, None)``.

    Views call this so a refused edit is shown to the user, never raised.
    """
    try:
        command = make()
    except NoChangeError:
        return None, None
    except ValueError as error:
        return None, str(error)
    document.push(command)
    return command, None
