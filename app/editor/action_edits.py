"""The Edit menu on a workflow, without widgets: each edit is one undo command and says what to select next.

Views (the canvas, the palette, quick add, the menus) ask for an edit; the
answer is an ``EditOutcome`` with the path to select (what was added, moved
or pasted) or the reason the edit was refused, for the status bar.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtCore import QMimeData

from app.core.problems import ProjectInvalidError
from app.editor.action_paths import ActionPath
from app.editor.commands.actions import DuplicateActionCommand, InsertActionCommand, InsertActionsCommand, MoveActionCommand, RemoveActionCommand
from app.editor.commands.base import ProjectCommand, push_or_explain
from app.editor.document import Document

NO_WORKFLOW = "Create or select an endpoint first"


@dataclass(frozen=True)
class EditOutcome:
    """What an edit did: ``select`` the path to select afterwards, ``refused`` why nothing changed, as the user reads it."""

    select: ActionPath | None = None
    refused: str | None = None
    done: bool = False


class ActionEdits:
    """Insert, move, remove, duplicate, copy and paste actions of the workflow ``key`` (an endpoint or a page workflow)."""

    def __init__(self, document: Document) -> None:
        self.document = document

    def _push(self, make: Callable[[], ProjectCommand], select: Callable[[ProjectCommand], ActionPath | None]) -> EditOutcome:
        command, refused = push_or_explain(self.document, make)
        if command is None:
            return EditOutcome(refused=f"Not done: {refused}" if refused else None)
        return EditOutcome(select=select(command), done=True)

    def insert(self, key: str | None, path: ActionPath, type_id: str) -> EditOutcome:
        """A new action of ``type_id`` at ``path``; it becomes the selection."""
        if key is None:
            return EditOutcome(refused=NO_WORKFLOW)
        return self._push(lambda: InsertActionCommand(self.document, key, path, type_id), lambda c: _first_path(c))

    def move(self, key: str | None, source: ActionPath, target: ActionPath) -> EditOutcome:
        if key is None:
            return EditOutcome(refused=NO_WORKFLOW)
        return self._push(lambda: MoveActionCommand(self.document, key, source, target), lambda c: _first_path(c))

    def remove(self, key: str | None, path: ActionPath | None) -> EditOutcome:
        if key is None or path is None:
            return EditOutcome()
        return self._push(lambda: RemoveActionCommand(self.document, key, path), lambda _c: None)

    def duplicate(self, key: str | None, path: ActionPath | None) -> EditOutcome:
        """A copy right after the original, selected."""
        if key is None or path is None:
            return EditOutcome()
        return self._push(lambda: DuplicateActionCommand(self.document, key, path), lambda c: c.path if isinstance(c, DuplicateActionCommand) else None)

    def copy(self, key: str | None, path: ActionPath | None) -> QMimeData | None:
        """The selected action as clipboard data (JSON text, readable by other projects and programs)."""
        if key is None or path is None:
            return None
        from app.editor.clipboard import actions_mime_data  # with the first copy or paste, not at start-up

        return actions_mime_data([self.document.action(key, path)])

    def paste(self, key: str | None, path: ActionPath, mime: QMimeData | None) -> EditOutcome:
        """Actions from clipboard data at ``path``; the first pasted one is selected."""
        if key is None or mime is None:
            return EditOutcome()
        from app.editor.clipboard import actions_from_mime_data

        try:
            actions = actions_from_mime_data(mime, self.document.registry)
        except (ValueError, ProjectInvalidError) as error:
            return EditOutcome(refused=f"Nothing to paste: {error}")
        if not actions:
            return EditOutcome()
        return self._push(lambda: InsertActionsCommand(self.document, key, path, actions), lambda c: _first_path(c))


def _first_path(command: ProjectCommand) -> ActionPath | None:
    paths = getattr(command, "paths", None)
    return paths[0] if paths else None
