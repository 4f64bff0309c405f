"""The open project: its file, its undo stack, its problems, and signals for the views.

Every user change goes through an undo command pushed with ``push``. Commands
never mutate the project in place: they hand the Document an edited copy via
``commit``, so an object a view holds never changes under it and undo can put
back the exact previous version. The Document compares old and new and emits
only what really changed (``changes.diff_projects``).

Problems (validation + lint of the whole project) are computed lazily: an
edit marks them stale and ``problemsChanged`` follows ``PROBLEMS_DELAY_MS``
after the last edit of a burst (typing, a drag). Checking a 2,000-action
project costs ~30 ms, which would otherwise be paid on every keystroke and
every reorder before the canvas can redraw. ``problems()`` is always exact:
it computes on the spot when the last edit is not checked yet.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtGui import QUndoStack

from app.core.lint import lint_project
from app.core.problems import Problem
from app.core.project import Action, Endpoint, Project
from app.core.project_file import load_project, save_project
from app.core.registry import Registry, default_registry
from app.core.validate import validate_project
from app.core.workflow_refs import has_workflow, is_page_key, workflow_json_path, workflow_of
from app.editor.action_paths import ActionPath, action_at, path_of
from app.editor.changes import ProjectChanges, diff_projects
from app.editor.selection import KEEP, ActionRef, ActionSelection, Selected

if TYPE_CHECKING:
    from app.editor.commands.base import ProjectCommand


PROBLEMS_DELAY_MS = 150
"""How long after the last edit the problem list is refreshed and announced."""


class StaleCommandError(RuntimeError):
    """A command built for an older version of the project was pushed."""


class Document(QObject):
    """One open project. Views observe these signals; each fires only when its part really changed."""

    projectReset = Signal()
    """A different project was loaded (New, Open, recovery): views rebuild from scratch."""
    projectChanged = Signal()
    """Anything in the project changed (after the finer signals below, and after a reset)."""
    endpointsChanged = Signal()
    """Endpoints were added, removed, renamed or reordered."""
    endpointRenamed = Signal(str, str)
    """(old name, new name), before ``endpointsChanged``: a view showing that endpoint follows it."""
    endpointChanged = Signal(str)
    """An endpoint's method, path, description or inputs changed."""
    workflowChanged = Signal(str)
    """A workflow changed shape (actions added, removed, moved): its key (an endpoint name or a page workflow key)."""
    actionChanged = Signal(str, str)
    """An action's params or title changed: (workflow key, action id)."""
    pagesChanged = Signal()
    """Pages were added, removed, renamed or reordered."""
    pageRenamed = Signal(str, str)
    """(old name, new name), before ``pagesChanged``: a view showing that page follows it."""
    pageChanged = Signal(str)
    """A page's title, variables or widgets changed (by page name)."""
    recordingsChanged = Signal()
    """Recordings or stream tests were added, removed, renamed or changed."""
    dirtyChanged = Signal(bool)
    filePathChanged = Signal(str)
    """The file path, or "" for a project never saved."""
    problemsChanged = Signal()

    def __init__(self, project: Project | None = None, registry: Registry | None = None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.registry = registry or default_registry()
        self._project = project if project is not None else Project()
        self._file_path: Path | None = None
        self._undo_stack = QUndoStack(self)
        self.selection = ActionSelection(self)
        """The current action, followed by the canvas and the inspector; commands put it back on undo/redo."""
        self._pending_selection: Selected = KEEP
        self._dirty = False
        self._batch_depth = 0
        self._batch_start: Project | None = None
        self._holding_dirty = False
        self._problems = self._compute_problems()
        self._announced_problems = self._problems
        self._problems_stale = False
        self._problems_timer = QTimer(self)
        self._problems_timer.setSingleShot(True)
        self._problems_timer.setInterval(PROBLEMS_DELAY_MS)
        self._problems_timer.timeout.connect(self.flush_problems)
        self._undo_stack.cleanChanged.connect(self._update_dirty)
        self._undo_stack.indexChanged.connect(self._update_dirty)

    # -- state ---------------------------------------------------------------

    @property
    def project(self) -> Project:
        """The current project. Treat it as read-only: change it through commands."""
        return self._project

    def file_path(self) -> Path | None:
        return self._file_path

    def display_name(self) -> str:
        if self._file_path is None:
            return self._project.name or "Untitled"
        return self._file_path.name

    def undo_stack(self) -> QUndoStack:
        return self._undo_stack

    def is_dirty(self) -> bool:
        return self._dirty

    def endpoint(self, name: str) -> Endpoint:
        """Raises ``KeyError`` naming the known endpoints."""
        return self._project.endpoint(name)

    def has_endpoint(self, name: str) -> bool:
        return any(e.name == name for e in self._project.endpoints)

    def has_page(self, name: str) -> bool:
        return any(p.name == name for p in self._project.pages)

    def workflow(self, key: str) -> list[Action]:
        """A workflow by key: an endpoint's name or a page workflow key (``app.core.workflow_refs``)."""
        return workflow_of(self._project, key)

    def has_workflow(self, key: str) -> bool:
        return has_workflow(self._project, key)

    def action(self, key: str, path: ActionPath) -> Action:
        return action_at(self.workflow(key), path)

    def path_of(self, key: str, action_id: str) -> ActionPath | None:
        return path_of(self.workflow(key), action_id)

    def selected_path(self, key: str | None) -> ActionPath | None:
        """Where the selected action is, when it belongs to workflow ``key`` (None otherwise)."""
        current = self.selection.current
        if key is None or current is None or current.workflow != key or not self.has_workflow(key):
            return None
        return self.path_of(key, current.action_id)

    def select_path(self, key: str | None, path: ActionPath | None) -> None:
        """Select the action at ``path`` of workflow ``key`` (None, or a path to nothing: no selection)."""
        if key is None or path is None or not self.has_workflow(key):
            self.selection.select(None)
            return
        try:
            self.selection.select(ActionRef(key, self.action(key, tuple(path)).id))
        except ValueError:  # PathError: nothing there
            self.selection.select(None)

    def problems(self) -> list[Problem]:
        """Validation errors and lint warnings of the current project."""
        self._check_now()
        return list(self._problems)

    def flush_problems(self) -> None:
        """Check the project now if an edit is unchecked, and announce a changed problem list."""
        self._problems_timer.stop()
        self._check_now()
        if self._problems != self._announced_problems:
            self._announced_problems = self._problems
            self.problemsChanged.emit()

    def problems_for(self, endpoint: str, action_id: str | None = None) -> list[Problem]:
        """Problems of one endpoint or page workflow (or one of its actions), matched by their JSON path."""
        self._check_now()
        if not self.has_workflow(endpoint):
            return []
        if is_page_key(endpoint):
            prefix = workflow_json_path(self._project, endpoint)
        else:
            prefix = f"$.endpoints[{next(i for i, e in enumerate(self._project.endpoints) if e.name == endpoint)}]"
        return [p for p in self._problems if (p.path == prefix or p.path.startswith((prefix + ".", prefix + "["))) and (action_id is None or p.action_id == action_id)]

    # -- editing ---------------------------------------------------------------

    def push(self, command: ProjectCommand) -> None:
        """Apply a command as one undo step. Commands validate when built, so a bad edit never gets here."""
        if command.before is not self._project:
            raise StaleCommandError(f"{command.text()!r} was built for an older version of the project")
        self._undo_stack.push(command)

    def commit(self, project: Project, select: Selected = KEEP) -> None:
        """Replace the project with an edited version and select ``select`` once views have redrawn.

        For undo commands only; views push commands.
        """
        if not isinstance(select, type(KEEP)):
            self._pending_selection = select
        if project is not self._project:
            previous, self._project = self._project, project
            if self._batch_depth == 0:
                self._announce(diff_projects(previous, project))
        if self._batch_depth == 0:
            self._apply_pending_selection()

    def _apply_pending_selection(self) -> None:
        pending, self._pending_selection = self._pending_selection, KEEP
        self.selection.apply(pending)

    @contextmanager
    def batch(self) -> Iterator[None]:
        """Group several commits into one round of signals (compound commands)."""
        if self._batch_depth == 0:
            self._batch_start = self._project
        self._batch_depth += 1
        try:
            yield
        finally:
            self._batch_depth -= 1
            if self._batch_depth == 0:
                start, self._batch_start = self._batch_start, None
                assert start is not None
                self._announce(diff_projects(start, self._project))
                self._apply_pending_selection()

    # -- files -----------------------------------------------------------------

    def new(self) -> None:
        self._reset(Project(), None)

    def open(self, path: str | Path) -> None:
        """Load a project file; a broken one raises ``ProjectInvalidError`` and changes nothing."""
        project = load_project(path, self.registry)
        self._reset(project, Path(path))

    def save(self) -> None:
        if self._file_path is None:
            raise ValueError("this project has never been saved; use save_as with a file path")
        self.save_as(self._file_path)

    def save_as(self, path: str | Path) -> None:
        """Write atomically, then mark clean. A failed write raises ``OSError`` and changes nothing."""
        path = Path(path)
        save_project(self._project, path)
        with self._dirty_held():
            self._undo_stack.setClean()
        self._set_file_path(path)
        self._update_dirty()

    def restore(self, project: Project, original_path: Path | None) -> None:
        """Take over a recovered project: unsaved (dirty) until saved."""
        self._reset(project, original_path, dirty=True)

    # -- internals -------------------------------------------------------------

    def _reset(self, project: Project, path: Path | None, dirty: bool = False) -> None:
        with self._dirty_held():
            self._undo_stack.clear()
            if dirty:
                self._undo_stack.resetClean()
        self._project = project
        self._pending_selection = KEEP
        self.selection.select(None)
        self._problems_timer.stop()
        self._refresh_problems()
        self._set_file_path(path)
        self.projectReset.emit()
        self.projectChanged.emit()
        self.flush_problems()
        self._update_dirty()

    def _set_file_path(self, path: Path | None) -> None:
        if path != self._file_path:
            self._file_path = path
            self.filePathChanged.emit(str(path) if path else "")

    @contextmanager
    def _dirty_held(self) -> Iterator[None]:
        """Hold back the stack's clean-state signals until the project, path and stack agree."""
        self._holding_dirty = True
        try:
            yield
        finally:
            self._holding_dirty = False

    def _update_dirty(self) -> None:
        if self._holding_dirty:
            return
        dirty = not self._undo_stack.isClean()
        if dirty != self._dirty:
            self._dirty = dirty
            self.dirtyChanged.emit(dirty)

    def _announce(self, changes: ProjectChanges) -> None:
        if not changes.any:
            return
        self._problems_stale = True
        self._problems_timer.start()
        for old, new in changes.renamed:
            self.selection.rename_workflow(old, new)
            self.endpointRenamed.emit(old, new)
        if changes.endpoint_list:
            self.endpointsChanged.emit()
        for name in changes.endpoint_settings:
            self.endpointChanged.emit(name)
        for old, new in changes.page_renames:
            self.selection.rename_page(old, new)
            self.pageRenamed.emit(old, new)
        if changes.page_list:
            self.pagesChanged.emit()
        for name in changes.pages:
            self.pageChanged.emit(name)
        if changes.recordings:
            self.recordingsChanged.emit()
        for name in changes.workflows:
            self.workflowChanged.emit(name)
        for name, action_id in changes.actions:
            self.actionChanged.emit(name, action_id)
        self.projectChanged.emit()

    def _check_now(self) -> None:
        """Bring the problem list up to date without announcing it (the timer still will)."""
        if self._problems_stale:
            self._refresh_problems()

    def _refresh_problems(self) -> bool:
        self._problems_stale = False
        problems = self._compute_problems()
        if problems == self._problems:
            return False
        self._problems = problems
        return True

    def _compute_problems(self) -> list[Problem]:
        return validate_project(self._project, self.registry) + lint_project(self._project, registry=self.registry)
