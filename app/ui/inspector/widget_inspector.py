"""The inspector for pages: the selected widget's props and workflows, or the page's own settings.

Props come from the widget type's declaration, like action params: every
bindable prop has the same literal/formula ("fx") toggle and formula editor,
here completing ``stream.chunk.`` with the fields the called endpoint really
sends. Beside a binding it shows the value it has in the running or last
preview, and it warns about a message field no message of the endpoint
carries. Edits are undo commands on the Document.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.core.formula import UNDEFINED
from app.core.page_bindings import chunk_fields_read
from app.core.project import Page, Widget
from app.core.values import formula_source, is_formula
from app.core.widgets.registry import WidgetRegistry, WidgetType, default_widget_registry
from app.core.workflow_refs import TRIGGER_TITLES, find_widget, page_workflow_key
from app.editor.commands.actions import UNSET
from app.editor.commands.base import push_or_explain
from app.editor.commands.pages import (
    AddPageVariableCommand,
    EditPageVariableCommand,
    RemovePageVariableCommand,
    RenameWidgetCommand,
    SetPageTitleCommand,
    SetWidgetPropCommand,
)
from app.editor.document import Document
from app.editor.preview.binding_scope import BindingScope, binding_scope
from app.ui import theme
from app.ui.elided_text import ElidedButton, elide_with_tooltips
from app.ui.fitted_scroll import fitted_scroll
from app.ui.inspector.header import BADGE, badge_pixmap
from app.ui.inspector.param_form import ParamForm
from app.ui.inspector.problems import ProblemList
from app.ui.inspector.style import stylesheet
from app.ui.inspector.values import same_value, stored_value

LiveValues = Callable[[str], Mapping[str, Any]]
"""``widget id -> {prop: value}``: what the preview's bindings show now (or showed last)."""


def short(value: Any, limit: int = 80) -> str:
    """A binding's current value as JSON on one line; *undefined* (no value yet) says so in words."""
    if value is UNDEFINED:
        return "no value yet"
    text = json.dumps(value, ensure_ascii=False, default=str)
    return text if len(text) <= limit else text[: limit - 1] + "…"


class WidgetInspector(QWidget):
    openWorkflow = Signal(str)
    """A workflow key: the user wants to edit a widget's (or the page's) workflow."""
    widgetRenamed = Signal(str, str)
    """(old id, new id) after the user renamed the shown widget: the designer selects it again."""

    def __init__(self, document: Document, registry: WidgetRegistry | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("inspector")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        self.setStyleSheet(stylesheet())
        self.document = document
        self.registry = registry or default_widget_registry()
        self.page_name: str | None = None
        self.widget_id: str | None = None
        self.widget_type: WidgetType | None = None
        self.form: ParamForm | None = None
        self.live_values: LiveValues = lambda _id: {}
        self.message = QLabel(self)
        self.message.setObjectName("paramWarning")
        self.message.setWordWrap(True)
        self.message.hide()

        self.badge = QLabel(self)
        self.badge.setFixedSize(BADGE, BADGE)
        self.type_label = QLabel(self)
        self.type_label.setFont(theme.font(12, bold=True))
        self.type_label.setWordWrap(True)
        self.id_edit = QLineEdit(self)
        self.id_edit.setObjectName("actionTitle")
        self.id_edit.setAccessibleName("Widget id")
        self.id_edit.setToolTip("The widget's id, unique in its page")
        self.id_edit.editingFinished.connect(self._rename)
        header = QWidget(self)
        header.setObjectName("actionHeader")
        header_layout = QHBoxLayout(header)
        header_layout.setContentsMargins(14, 12, 14, 12)
        header_layout.addWidget(self.badge, 0, Qt.AlignmentFlag.AlignTop)
        titles = QVBoxLayout()
        titles.setSpacing(2)
        titles.addWidget(self.type_label)
        titles.addWidget(self.id_edit)
        header_layout.addLayout(titles, 1)
        self.header = header

        self.problems = ProblemList(self)
        self.content = QWidget(self)
        self.content.setObjectName("inspectorContent")
        self.body = QVBoxLayout(self.content)
        self.body.setContentsMargins(14, 12, 14, 16)
        self.body.setSpacing(14)
        self.body.addWidget(self.message)
        self.events_box = QVBoxLayout()
        self.body.addLayout(self.events_box)
        self.page_settings = PageSettings(document, self.content)
        self.page_settings.openWorkflow.connect(self.openWorkflow)
        self.body.addWidget(self.page_settings)
        self.body.addStretch(1)
        scroll = self.scroll = fitted_scroll(self.content, self)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(header)
        layout.addWidget(scroll, 1)
        layout.addWidget(self.problems)  # a fixed strip: problems never push the fields
        document.pageChanged.connect(self._page_changed)
        document.pageRenamed.connect(self._page_renamed)
        document.workflowChanged.connect(self._workflow_changed)
        document.projectReset.connect(lambda: self.show_widget(None, None))
        document.problemsChanged.connect(self._show_problems)
        self.show_widget(None, None)

    # -- public ---------------------------------------------------------------
    def show_widget(self, page_name: str | None, widget_id: str | None) -> None:
        """Show a widget of a page; no widget: the page's settings; no page: nothing."""
        if page_name is not None and not self.document.has_page(page_name):
            page_name = widget_id = None
        self.page_name = page_name
        self.widget_id = widget_id
        widget = self._widget() if widget_id is not None else None
        self.widget_id = widget.id if widget is not None else None
        self.message.hide()
        self._build(widget)
        self._refresh()

    def row(self, prop: str):
        assert self.form is not None
        return self.form.row(prop)

    def scope(self) -> BindingScope | None:
        page = self._page()
        return binding_scope(self.document.project, page, self.document.registry) if page is not None else None

    def names(self, kind: str) -> list[str]:
        page = self._page()
        if kind == "pagevariable" and page is not None:
            return [v.name for v in page.variables]
        if kind == "endpoint":
            return [e.name for e in self.document.project.endpoints]
        return []

    def refresh_live_values(self) -> None:
        """Show each binding's current value (the preview calls this at a calm rate, not per message)."""
        if self.form is None or self.widget_id is None:
            return
        values = self.live_values(self.widget_id)
        for row in self.form.rows:
            if row.spec.alias in values:
                row.set_hint(f"Now: {short(values[row.spec.alias])}")

    # -- building -------------------------------------------------------------------
    def _page(self) -> Page | None:
        return self.document.project.page(self.page_name) if self.page_name and self.document.has_page(self.page_name) else None

    def _widget(self) -> Widget | None:
        page = self._page()
        return find_widget(page.widgets, self.widget_id or "") if page is not None and self.widget_id else None

    def _build(self, widget: Widget | None) -> None:
        if self.form is not None:
            self.form.setParent(None)
            self.form.deleteLater()
            self.form = None
        while self.events_box.count():
            item = self.events_box.takeAt(0)
            if item.widget():
                item.widget().hide()  # out of the layout now, gone only at the next event-loop turn: never drawn over the rows
                item.widget().deleteLater()
        self.widget_type = self.registry.get(widget.type) if widget is not None and widget.type in self.registry else None
        self.header.setVisible(widget is not None)
        self.page_settings.setVisible(widget is None and self.page_name is not None)
        self.page_settings.set_page(self.page_name)
        if widget is None or self.widget_type is None:
            return
        self.form = ParamForm(self.widget_type.specs, self.scope, self.names, self.content)
        self.form.edited.connect(self._prop_edited)
        self.body.insertWidget(2, self.form)
        self.form.show()
        for trigger in self.widget_type.events:
            button = ElidedButton(parent=self.content)
            button.setObjectName("openWorkflow")
            button.clicked.connect(lambda _checked=False, t=trigger: self.openWorkflow.emit(page_workflow_key(self.page_name or "", self.widget_id, t)))
            self.events_box.addWidget(button)
            button.show()

    def _refresh(self) -> None:
        widget = self._widget()
        if widget is None:
            self.header.setVisible(False)
            return
        widget_type = self.widget_type
        colour = theme.category_colour(widget_type.category if widget_type else "Unknown")
        self.badge.setPixmap(badge_pixmap(widget_type.icon if widget_type else "error", colour, self.devicePixelRatioF(), folder="widgets"))
        self.type_label.setText(widget_type.title if widget_type else f"Unknown widget type {widget.type}")
        if not self.id_edit.hasFocus():
            self.id_edit.setText(widget.id)
        if self.form is not None:
            self.form.set_values(widget.props)
            self._warn_fields(widget)
        for index in range(self.events_box.count()):
            button = self.events_box.itemAt(index).widget()
            trigger = (widget_type.events if widget_type else ())[index]
            actions = widget.events.get(trigger, [])
            title = TRIGGER_TITLES.get(trigger, trigger)
            detail = f"{len(actions)} action(s)" if actions else "no actions yet"
            button.setText(f"{title} — {detail}.  Edit workflow ▸")
            button.setToolTip(f"Open the {title} workflow of {widget.id} on the canvas")
        self.refresh_live_values()
        self._show_problems()

    def _warn_fields(self, widget: Widget) -> None:
        """A binding reading ``stream.chunk.x`` where no message of the called endpoint carries ``x``."""
        scope = self.scope()
        assert self.form is not None
        for row in self.form.rows:
            raw = widget.props.get(row.spec.alias)
            warning = None
            if scope is not None and is_formula(raw):
                for call, name, position in chunk_fields_read(formula_source(raw), scope.calls):
                    endpoints = scope.calls.get(call) or []
                    if endpoints and scope.carried_by(call, name) is None:
                        known = ", ".join(sorted(scope.chunk_fields.get(call, {}))) or "none"
                        warning = f"position {position}: no message of {', '.join(endpoints)} carries “{name}” (fields: {known})"
                        break
            row.set_warning(warning)

    def _show_problems(self) -> None:
        if self.page_name is None or self.widget_id is None:
            self.problems.set_problems([], [])
            return
        page_index = next((i for i, p in enumerate(self.document.project.pages) if p.name == self.page_name), None)
        prefix = f"$.pages[{page_index}]"
        found = [
            p
            for p in self.document.problems()
            if p.widget_id == self.widget_id and (p.path == prefix or p.path.startswith((prefix + ".", prefix + "["))) and p.code != "formula-syntax"
        ]  # a syntax error shows under its formula, not twice
        self.problems.set_problems(found, self.widget_type.specs if self.widget_type else [])

    def _page_renamed(self, old: str, new: str) -> None:
        if self.page_name == old:
            self.page_name = new
            self.page_settings.page_name = new

    def _workflow_changed(self, key: str) -> None:
        """Actions added to or removed from one of this page's workflows: the "N action(s)" counts follow."""
        if self.page_name is not None and key.startswith(f"page:{self.page_name}:"):
            self._refresh() if self.widget_id is not None else self.page_settings.set_page(self.page_name)

    # -- edits -------------------------------------------------------------------------
    def _prop_edited(self, prop: str, value: Any) -> None:
        widget = self._widget()
        if widget is None or self.page_name is None or self.widget_type is None:
            return
        spec = self.form.row(prop).spec if self.form is not None else None
        if spec is not None and value is None and spec.default is None:
            value = UNSET
        if spec is not None and value is not UNSET and same_value(value, stored_value(widget.props, spec)) and prop in widget.props:
            return
        self._push(lambda: SetWidgetPropCommand(self.document, self.page_name or "", widget.id, prop, value))

    def _rename(self) -> None:
        widget = self._widget()
        new_id = self.id_edit.text().strip()
        if widget is None or not new_id or new_id == widget.id or self.page_name is None:
            return
        old_id, self.widget_id = widget.id, new_id  # before the push: the page change it makes shows the new id
        if self._push(lambda: RenameWidgetCommand(self.document, self.page_name or "", old_id, new_id)):
            self.widgetRenamed.emit(old_id, new_id)
        else:
            self.widget_id = old_id

    def _push(self, make: Callable[[], Any]) -> bool:
        command, refused = push_or_explain(self.document, make)
        self.message.setText(refused or "")
        self.message.setVisible(bool(refused))
        return command is not None

    def _page_changed(self, name: str) -> None:
        if name != self.page_name:
            return
        widget = self._widget()
        if self.widget_id is not None and widget is None:
            self.show_widget(self.page_name, None)
        elif widget is not None and (self.widget_type is None or widget.type != self.widget_type.id):
            self.show_widget(self.page_name, widget.id)
        else:
            self._refresh()
            self.page_settings.set_page(self.page_name)


class PageSettings(QWidget):
    """A page's title, its variables (name and initial value) and its On page load workflow."""

    openWorkflow = Signal(str)

    def __init__(self, document: Document, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.document = document
        self.page_name: str | None = None
        self._showing = False
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(8)
        heading = QLabel("Page", self)
        heading.setFont(theme.font(12, bold=True))
        layout.addWidget(heading)
        title = QLabel("Title", self)
        title.setObjectName("paramTitle")
        layout.addWidget(title)
        self.title = QLineEdit(self)
        self.title.setAccessibleName("Page title")
        self.title.textEdited.connect(lambda text: self._push(lambda: SetPageTitleCommand(self.document, self.page_name or "", text)))
        layout.addWidget(self.title)
        variables = QLabel("Variables", self)
        variables.setObjectName("paramTitle")
        layout.addWidget(variables)
        help_text = QLabel("Values the page keeps: bindings read them as variables.<name>; a Text input edits one.", self)
        help_text.setObjectName("paramHelp")
        help_text.setWordWrap(True)
        layout.addWidget(help_text)
        self.table = QTableWidget(0, 2, self)
        self.table.setHorizontalHeaderLabels(["Name", "Initial value (JSON)"])
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.verticalHeader().hide()
        self.table.setMinimumHeight(120)
        elide_with_tooltips(self.table)
        self.table.itemChanged.connect(self._cell_edited)
        layout.addWidget(self.table)
        buttons = QHBoxLayout()
        add = QPushButton("Add variable", self)
        add.setObjectName("addRow")
        add.clicked.connect(lambda: self._push(lambda: AddPageVariableCommand(self.document, self.page_name or "")))
        remove = QPushButton("Remove selected", self)
        remove.setObjectName("addRow")
        remove.clicked.connect(self._remove_selected)
        buttons.addWidget(add)
        buttons.addWidget(remove)
        buttons.addStretch(1)
        layout.addLayout(buttons)
        self.load_button = ElidedButton(parent=self)
        self.load_button.setObjectName("openWorkflow")
        self.load_button.clicked.connect(lambda: self.openWorkflow.emit(page_workflow_key(self.page_name or "")))
        layout.addWidget(self.load_button)
        self.message = QLabel(self)
        self.message.setObjectName("paramWarning")
        self.message.setWordWrap(True)
        self.message.hide()
        layout.addWidget(self.message)

    def set_page(self, name: str | None) -> None:
        self.page_name = name if name is not None and self.document.has_page(name) else None
        if self.page_name is None:
            return
        page = self.document.project.page(self.page_name)
        if not self.title.hasFocus():
            self.title.setText(page.title)
        self._showing = True
        self.table.setRowCount(len(page.variables))
        for row, variable in enumerate(page.variables):
            self.table.setItem(row, 0, QTableWidgetItem(variable.name))
            self.table.setItem(row, 1, QTableWidgetItem(json.dumps(variable.initial, ensure_ascii=False)))
        self._showing = False
        count = len(page.on_load)
        self.load_button.setText(f"On page load — {f'{count} action(s)' if count else 'no actions yet'}.  Edit workflow ▸")

    def _cell_edited(self, item: QTableWidgetItem) -> None:
        if self._showing or self.page_name is None:
            return
        page = self.document.project.page(self.page_name)
        if item.row() >= len(page.variables):
            return
        variable = page.variables[item.row()]
        if item.column() == 0:
            self._push(lambda: EditPageVariableCommand(self.document, self.page_name or "", variable.name, new_name=item.text().strip()))
            return
        try:
            initial = json.loads(item.text()) if item.text().strip() else None
        except json.JSONDecodeError:
            initial = item.text()  # plain text is a string, as in the other JSON fields
        self._push(lambda: EditPageVariableCommand(self.document, self.page_name or "", variable.name, initial=initial))

    def _remove_selected(self) -> None:
        if self.page_name is None:
            return
        page = self.document.project.page(self.page_name)
        rows = sorted({index.row() for index in self.table.selectedIndexes()}, reverse=True)
        for row in rows:
            if row < len(page.variables):
                name = page.variables[row].name
                self._push(lambda n=name: RemovePageVariableCommand(self.document, self.page_name or "", n))

    def _push(self, make: Callable[[], Any]) -> None:
        if self.page_name is None:
            return
        _, refused = push_or_explain(self.document, make)
        self.message.setText(refused or "")
        self.message.setVisible(bool(refused))
        if refused:
            self.set_page(self.page_name)
