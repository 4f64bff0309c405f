"""The inspector: the selected action's settings, built only from its type's params declaration.

Edits become ``SetActionParamCommand``/``SetActionTitleCommand`` pushes on the
Document, one per keystroke (the commands merge typing in one field into one
undo step). The inspector then follows the Document like any other view: on
``actionChanged`` every row is given the stored value and updates only if it
differs from what it shows, so undo/redo land in the fields and the user's own
typing never echoes back into the cursor.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from app.core.project import Action
from app.core.registry import ActionType
from app.core.workflow_refs import PageWorkflow, is_page_key, parse_key
from app.editor.action_paths import ActionPath, PathError, earlier_results
from app.editor.commands.actions import UNSET, SetActionParamCommand, SetActionTitleCommand
from app.editor.commands.base import NoChangeError
from app.editor.document import Document
from app.ui.fitted_scroll import fitted_scroll
from app.ui.inspector.header import ActionHeader
from app.ui.inspector.problems import ProblemList
from app.ui.inspector.style import stylesheet
from app.ui.inspector.values import same_value, stored_value

if TYPE_CHECKING:  # the form's modules (fields, formula editor) load with the first action shown, not at start-up
    from app.core.scope import Scope
    from app.editor.preview.binding_scope import BindingScope
    from app.ui.inspector.param_form import ParamForm
    from app.ui.inspector.param_row import ParamRow


class Inspector(QWidget):
    def __init__(self, document: Document, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("inspector")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        self.setStyleSheet(stylesheet())
        self.document = document
        self.endpoint: str | None = None
        self.path: ActionPath | None = None
        self.action_id: str | None = None
        self.action_type: ActionType | None = None
        self.rows: list[ParamRow] = []
        self.params: ParamForm | None = None
        self.run_values: dict[str, dict[str, dict[str, str]]] = {}
        """Workflow key -> action id -> param alias -> the value it had in the last run (as shown)."""
        self._built_for: tuple[str | None, str, str] | None = None

        self.header = ActionHeader(self)
        self.problems = ProblemList(self)
        self.empty = QLabel("Select an action on the canvas to edit its settings.", self)
        self.empty.setObjectName("emptyState")
        self.empty.setWordWrap(True)
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.no_params = QLabel("This action has no settings.", self)
        self.no_params.setObjectName("emptyForm")
        content = QWidget(self)
        content.setObjectName("inspectorContent")
        self.form = QVBoxLayout(content)
        self.form.setContentsMargins(14, 12, 14, 16)
        self.form.setSpacing(14)
        self.form.addWidget(self.no_params)
        self.form.addStretch(1)
        self.scroll = fitted_scroll(content, self)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.header)
        layout.addWidget(self.scroll, 1)
        layout.addWidget(self.empty, 1)
        layout.addWidget(self.problems)  # a fixed strip: problems never push the fields

        self.header.titleEdited.connect(self._title_edited)
        document.actionChanged.connect(self._action_changed)
        document.workflowChanged.connect(self._workflow_changed)
        document.endpointRenamed.connect(self._endpoint_renamed)
        document.endpointsChanged.connect(self._endpoints_changed)
        document.projectReset.connect(lambda: self.show_action(None, None))
        document.problemsChanged.connect(self._show_problems)
        self.show_action(None, None)

    # -- public --------------------------------------------------------------
    def show_action(self, endpoint: str | None, path: ActionPath | None) -> None:
        """Show an action (None, or a path that leads nowhere: the empty state)."""
        action = self._find(endpoint, path)
        if action is None or endpoint is None or path is None:
            self.endpoint = self.path = self.action_id = None
            self._set_empty(True)
            return
        self.endpoint, self.path, self.action_id = endpoint, tuple(path), action.id
        self._set_empty(False)
        self._refresh()
        self._show_problems()

    def row(self, param: str) -> ParamRow:
        """The row of a param, by its JSON name (alias) or its Python name."""
        for row in self.rows:
            if param in (row.spec.alias, row.spec.name):
                return row
        raise KeyError(f"the shown action has no param {param!r}")

    def scope(self) -> Scope | BindingScope | None:
        """Names in scope at the shown action (asked by the formula editors when they complete)."""
        if self.endpoint is None or self.path is None:
            return None
        # imported with the first completion, not at start-up (the message shapes of every action type come with them)
        from app.core.scope import scope_at
        from app.editor.preview.binding_scope import binding_scope

        try:
            if is_page_key(self.endpoint):
                ref = parse_key(self.endpoint)
                assert isinstance(ref, PageWorkflow)
                earlier = earlier_results(self.document.workflow(self.endpoint), self.path)
                return binding_scope(self.document.project, self.document.project.page(ref.page), self.document.registry, earlier)
            return scope_at(self.document.endpoint(self.endpoint), self.path, self.document.registry)
        except (KeyError, LookupError):
            return None

    def names(self, kind: str) -> list[str]:
        """What a name field offers: the project's endpoints, or the variables of the page whose workflow is shown."""
        project = self.document.project
        if kind == "endpoint":
            return [e.name for e in project.endpoints]
        if kind == "pagevariable" and self.endpoint is not None and is_page_key(self.endpoint):
            ref = parse_key(self.endpoint)
            if isinstance(ref, PageWorkflow) and self.document.has_page(ref.page):
                return [v.name for v in project.page(ref.page).variables]
        return []

    def set_run_values(self, key: str, values: dict[str, dict[str, str]]) -> None:
        """The param values a run of workflow ``key`` used, by action id: shown beside formula fields."""
        self.run_values[key] = values
        self._show_run_values()

    def _show_run_values(self) -> None:
        values = self.run_values.get(self.endpoint or "", {}).get(self.action_id or "", {})
        for row in self.rows:
            shown = values.get(row.spec.alias)
            row.set_hint(f"Last run: {shown}" if shown is not None else None)

    # -- building ------------------------------------------------------------
    def _find(self, endpoint: str | None, path: ActionPath | None) -> Action | None:
        if endpoint is None or path is None or not self.document.has_workflow(endpoint):
            return None
        try:
            return self.document.action(endpoint, tuple(path))
        except PathError:
            return None

    def _set_empty(self, empty: bool) -> None:
        self.empty.setVisible(empty)
        self.header.setVisible(not empty)
        self.scroll.setVisible(not empty)
        self.problems.setVisible(not empty)
        if empty:
            self._build(None)

    def _build(self, action: Action | None) -> None:
        """One row per declared param; rebuilt only when the shown action's type changes."""
        key = (self.endpoint, action.id, action.type) if action is not None else None
        if key == self._built_for:
            return
        type_id = action.type if action is not None else None
        if self.params is not None:
            self.params.setParent(None)
            self.params.deleteLater()
            self.params = None
        self.rows = []
        registry = self.document.registry
        self.action_type = registry.get(type_id) if type_id is not None and type_id in registry else None
        if self.action_type is not None and self.action_type.specs:
            from app.ui.inspector.param_form import ParamForm

            self.params = ParamForm(self.action_type.specs, self.scope, self.names, self.scroll.widget())
            self.params.edited.connect(self._param_edited)
            self.form.insertWidget(self.form.count() - 1, self.params)
            self.params.show()
            self.rows = self.params.rows
        self.no_params.setVisible(action is not None and not self.rows)
        self._built_for = key

    def _refresh(self) -> None:
        action = self._find(self.endpoint, self.path)
        if action is None:
            return
        self._build(action)
        self.header.set_action(action, self.action_type)
        if self.params is not None:
            self.params.set_values(action.params)
        self._show_run_values()

    def _show_problems(self) -> None:
        if self.endpoint is None or self.action_id is None:
            return
        specs = self.action_type.specs if self.action_type else []
        problems = [p for p in self.document.problems_for(self.endpoint, self.action_id) if p.code != "formula-syntax"]  # shown under its formula
        self.problems.set_problems(problems, specs)

    # -- edits -----------------------------------------------------------------
    def _param_edited(self, param: str, value: Any) -> None:
        action = self._find(self.endpoint, self.path)
        if action is None or self.endpoint is None or self.path is None:
            return
        spec = self.row(param).spec
        if value is None and spec.default is None:
            value = UNSET  # an optional param left blank: drop it, so the file stays minimal
        stored = spec.alias in action.params or spec.name in action.params
        if (value is UNSET and not stored) or (value is not UNSET and stored and same_value(value, stored_value(action.params, spec))):
            return
        try:
            command = SetActionParamCommand(self.document, self.endpoint, self.path, param, value)
        except NoChangeError:
            return
        self.document.push(command)

    def _title_edited(self, text: str) -> None:
        action = self._find(self.endpoint, self.path)
        if action is None or self.endpoint is None or self.path is None or (action.title or "") == text:
            return
        try:
            command = SetActionTitleCommand(self.document, self.endpoint, self.path, text)
        except NoChangeError:
            return
        self.document.push(command)

    # -- following the document --------------------------------------------------
    def _action_changed(self, endpoint: str, action_id: str) -> None:
        if endpoint == self.endpoint and action_id == self.action_id:
            self._refresh()

    def _workflow_changed(self, endpoint: str) -> None:
        """Actions moved: follow the shown one by its id (gone: the empty state)."""
        if endpoint != self.endpoint or self.action_id is None:
            return
        if not self.document.has_workflow(endpoint):  # its widget (or page) went away
            self.show_action(None, None)
            return
        path = self.document.path_of(endpoint, self.action_id)
        if path is None:
            self.show_action(None, None)
        else:
            self.path = path  # the same action, moved: its problems follow with problemsChanged
            self._refresh()

    def _endpoint_renamed(self, old: str, new: str) -> None:
        if old == self.endpoint:
            self.endpoint = new

    def _endpoints_changed(self) -> None:
        if self.endpoint is not None and not self.document.has_workflow(self.endpoint):
            self.show_action(None, None)
