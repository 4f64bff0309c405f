"""The current action: one piece of state that the canvas and the inspector both follow.

It is held by workflow key and action id, not by path, so it survives edits
that move the action (a path would point at a neighbour after a delete above
it). Undo commands remember the selection before and after their edit, and
the Document puts it back on undo and redo, so what is highlighted is always
what the inspector edits.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QObject, Signal


@dataclass(frozen=True)
class ActionRef:
    """An action of a workflow: the workflow's key (an endpoint's name or a page workflow key) and the action's id."""

    workflow: str
    action_id: str


class _Keep:
    """The edit leaves the selection as it is (endpoint settings, pages, recordings)."""

    def __repr__(self) -> str:
        return "KEEP"


KEEP = _Keep()
"""A command's ``select_before``/``select_after`` when it does not change the selection."""

Selected = ActionRef | None | _Keep


class ActionSelection(QObject):
    """The selected action of the open project (or None). ``changed`` fires only on a real change."""

    changed = Signal()

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._current: ActionRef | None = None

    @property
    def current(self) -> ActionRef | None:
        return self._current

    def select(self, ref: ActionRef | None) -> None:
        if ref != self._current:
            self._current = ref
            self.changed.emit()

    def apply(self, selected: Selected) -> None:
        """What a command says to select (``KEEP``: leave it)."""
        if not isinstance(selected, _Keep):
            self.select(selected)

    def rename_workflow(self, old: str, new: str) -> None:
        """Follow a renamed endpoint (its key is its name) without announcing a new selection."""
        if self._current is not None and self._current.workflow == old:
            self._current = ActionRef(new, self._current.action_id)

    def rename_page(self, old: str, new: str) -> None:
        """Follow a renamed page: its workflow keys start with ``page:<name>:``."""
        prefix = f"page:{old}:"
        if self._current is not None and self._current.workflow.startswith(prefix):
            self._current = ActionRef(f"page:{new}:" + self._current.workflow[len(prefix) :], self._current.action_id)
