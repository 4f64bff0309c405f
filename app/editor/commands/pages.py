"""Undo commands on pages, their variables and their widgets.

Pages are addressed by name (a slug, like endpoint names), widgets by id
(unique in their page). Like every command, each builds the edited project
once and refuses an edit that makes no sense (a name clash, a widget moved
into itself) with a ``ValueError`` that says why.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Literal

from app.core.names import unique_slug
from app.core.project import IDENTIFIER, SLUG, Page, PageVariable, Project, Widget
from app.core.widgets.registry import UnknownWidgetTypeError, WidgetRegistry, default_widget_registry
from app.core.workflow_refs import with_page
from app.editor.action_ids import fresh_id
from app.editor.commands.actions import UNSET
from app.editor.commands.base import MergingCommand, NoChangeError, ProjectCommand
from app.editor.widget_tree import WidgetPathError, children_of, find, ids_in, insert, is_inside, remove, replace

if TYPE_CHECKING:
    from app.editor.document import Document


def _page(project: Project, name: str) -> Page:
    try:
        return project.page(name)
    except KeyError as error:
        raise ValueError(error.args[0]) from None


def free_page_name(project: Project, wanted: str) -> str:
    return unique_slug(wanted, (p.name for p in project.pages), "page")


def check_page_name(project: Project, name: str, ignore: str | None = None) -> None:
    if not re.match(SLUG, name):
        raise ValueError(f"page name {name!r} must be lowercase letters, digits and dashes, starting with a letter or digit")
    if name != ignore and any(p.name == name for p in project.pages):
        raise ValueError(f"a page named {name!r} already exists")


def _with_widgets(project: Project, page: Page, widgets: list[Widget]) -> Project:
    return with_page(project, page.name, page.model_copy(update={"widgets": widgets}))


# -- pages ---------------------------------------------------------------------


class AddPageCommand(ProjectCommand):
    """Add a new empty page (``page``, ``page-2``...) or a given one."""

    def __init__(self, document: Document, page: Page | None = None, *, base: Project | None = None) -> None:
        super().__init__(document, base)
        if page is None:
            name = free_page_name(self.before, "page")
            page = Page(name=name, title=name.replace("-", " ").capitalize())
        check_page_name(self.before, page.name)
        self.page = page
        self._finish(self.before.model_copy(update={"pages": [*self.before.pages, page]}), f"Add page {page.name}")


class RemovePageCommand(ProjectCommand):
    def __init__(self, document: Document, name: str, *, base: Project | None = None) -> None:
        super().__init__(document, base)
        _page(self.before, name)
        self._finish(self.before.model_copy(update={"pages": [p for p in self.before.pages if p.name != name]}), f"Delete page {name}")


class RenamePageCommand(ProjectCommand):
    def __init__(self, document: Document, old: str, new: str, *, base: Project | None = None) -> None:
        super().__init__(document, base)
        page = _page(self.before, old)
        if new == old:
            raise NoChangeError("Rename page: same name")
        check_page_name(self.before, new, ignore=old)
        pages = [p.model_copy(update={"name": new}) if p is page else p for p in self.before.pages]
        self._finish(self.before.model_copy(update={"pages": pages}), f"Rename page {old} to {new}")


class DuplicatePageCommand(ProjectCommand):
    def __init__(self, document: Document, name: str, *, base: Project | None = None) -> None:
        super().__init__(document, base)
        page = _page(self.before, name)
        copy = page.model_copy(deep=True, update={"name": free_page_name(self.before, name)})
        self.page = copy
        index = self.before.pages.index(page)
        pages = [*self.before.pages[: index + 1], copy, *self.before.pages[index + 1 :]]
        self._finish(self.before.model_copy(update={"pages": pages}), f"Duplicate page {name}")


class SetPageTitleCommand(MergingCommand):
    MERGE_ID = 1301

    def __init__(self, document: Document, name: str, title: str, *, base: Project | None = None) -> None:
        super().__init__(document, base)
        self.name = name
        page = _page(self.before, name)
        self._finish(with_page(self.before, name, page.model_copy(update={"title": title})), "Edit page title")

    def merge_key(self) -> tuple[object, ...]:
        return (self.name,)


# -- page variables ------------------------------------------------------------


class AddPageVariableCommand(ProjectCommand):
    def __init__(self, document: Document, page_name: str, name: str | None = None, initial: Any = None, *, base: Project | None = None) -> None:
        super().__init__(document, base)
        page = _page(self.before, page_name)
        taken = {v.name for v in page.variables}
        name = name or fresh_id("variable", taken)
        if not re.match(IDENTIFIER, name):
            raise ValueError(f"variable name {name!r} must be a letter or _ followed by letters, digits or _")
        if name in taken:
            raise ValueError(f"page {page_name!r} already has a variable {name!r}")
        self.name = name
        variables = [*page.variables, PageVariable(name=name, initial=initial)]
        self._finish(with_page(self.before, page_name, page.model_copy(update={"variables": variables})), f"Add variable {name}")


class RemovePageVariableCommand(ProjectCommand):
    def __init__(self, document: Document, page_name: str, name: str, *, base: Project | None = None) -> None:
        super().__init__(document, base)
        page = _page(self.before, page_name)
        if name not in {v.name for v in page.variables}:
            raise ValueError(f"page {page_name!r} has no variable {name!r}")
        variables = [v for v in page.variables if v.name != name]
        self._finish(with_page(self.before, page_name, page.model_copy(update={"variables": variables})), f"Delete variable {name}")


class EditPageVariableCommand(MergingCommand):
    """Rename a variable or change its initial value (typing merges)."""

    MERGE_ID = 1302

    def __init__(self, document: Document, page_name: str, name: str, *, new_name: str | None = None, initial: Any = UNSET, base: Project | None = None) -> None:
        super().__init__(document, base)
        page = _page(self.before, page_name)
        self.page_name, self.name = page_name, new_name or name
        variable = next((v for v in page.variables if v.name == name), None)
        if variable is None:
            raise ValueError(f"page {page_name!r} has no variable {name!r}")
        if new_name is not None and new_name != name:
            if not re.match(IDENTIFIER, new_name):
                raise ValueError(f"variable name {new_name!r} must be a letter or _ followed by letters, digits or _")
            if new_name in {v.name for v in page.variables}:
                raise ValueError(f"page {page_name!r} already has a variable {new_name!r}")
        changes: dict[str, Any] = {"name": self.name}
        if initial is not UNSET:
            changes["initial"] = initial
        variables = [v.model_copy(update=changes) if v is variable else v for v in page.variables]
        self._finish(with_page(self.before, page_name, page.model_copy(update={"variables": variables})), f"Edit variable {self.name}")

    def merge_key(self) -> tuple[object, ...]:
        return (self.page_name, self.name)


# -- widgets ---------------------------------------------------------------------


def new_widget(registry: WidgetRegistry, type_id: str, taken: set[str]) -> Widget:
    """A fresh widget of a type: default props, an unused id like ``progress_bar_2``, a Button with its On click."""
    try:
        widget_type = registry.get(type_id)
    except UnknownWidgetTypeError as error:
        raise ValueError(str(error)) from None
    return Widget(
        id=fresh_id(type_id, taken),
        type=type_id,
        props=widget_type.default_props(),
        events={event: [] for event in widget_type.events},
    )


def with_fresh_widget_ids(widgets: Sequence[Widget], taken: set[str]) -> list[Widget]:
    """Copies (children too) whose ids do not clash with ``taken``; an id still free is kept."""

    def renew(widget: Widget) -> Widget:
        new_id = widget.id if widget.id not in taken else fresh_id(re.sub(r"_\d+$", "", widget.id) or "widget", taken, first=2)
        taken.add(new_id)
        return widget.model_copy(deep=True, update={"id": new_id, "children": [renew(child) for child in widget.children]})

    return [renew(widget) for widget in widgets]


def _check_parent(registry: WidgetRegistry, widgets: list[Widget], parent: str | None) -> None:
    if parent is None:
        return
    container = find(widgets, parent)[0]
    if container.type not in registry or not registry.get(container.type).container:
        raise ValueError(f"{container.id} is not a container: widgets go into a Container")


class InsertWidgetsCommand(ProjectCommand):
    """Add widgets (new of a type, or given ones: paste) under ``parent`` (None: the page) at ``index``."""

    def __init__(
        self,
        document: Document,
        page_name: str,
        parent: str | None,
        index: int,
        widgets: Sequence[Widget | str],
        *,
        registry: WidgetRegistry | None = None,
        verb: str = "Add",
        base: Project | None = None,
    ) -> None:
        super().__init__(document, base)
        registry = registry or default_widget_registry()
        page = _page(self.before, page_name)
        self.page_name, self.parent, self.index = page_name, parent, index
        if not widgets:
            raise NoChangeError(f"{verb}: no widgets")
        taken = ids_in(page.widgets)
        made: list[Widget] = []
        for item in widgets:
            if isinstance(item, str):
                widget = new_widget(registry, item, taken)
                taken.add(widget.id)
                made.append(widget)
            else:
                if item.type not in registry:
                    raise ValueError(f"unknown widget type {item.type!r}")
                made.extend(with_fresh_widget_ids([item], taken))
        try:
            _check_parent(registry, page.widgets, parent)
            tree = insert(page.widgets, parent, index, made)
        except WidgetPathError as error:
            raise ValueError(str(error)) from None
        self.widgets = made
        title = registry.get(made[0].type).title if len(made) == 1 else f"{len(made)} widgets"
        self._finish(_with_widgets(self.before, page, tree), f"{verb} {title}")


class InsertWidgetCommand(InsertWidgetsCommand):
    def __init__(self, document: Document, page_name: str, parent: str | None, index: int, widget: Widget | str, **options: Any) -> None:
        super().__init__(document, page_name, parent, index, [widget], **options)

    @property
    def widget_id(self) -> str:
        return self.widgets[0].id


class RemoveWidgetCommand(ProjectCommand):
    """Remove a widget with its children and its workflows: one undo step."""

    def __init__(self, document: Document, page_name: str, widget_id: str, *, base: Project | None = None) -> None:
        super().__init__(document, base)
        page = _page(self.before, page_name)
        try:
            tree, widget, _, _ = remove(page.widgets, widget_id)
        except WidgetPathError as error:
            raise ValueError(str(error)) from None
        self.removed = widget
        self._finish(_with_widgets(self.before, page, tree), f"Delete {widget.id}")


class MoveWidgetCommand(ProjectCommand):
    """Move a widget to ``index`` under ``parent``; ``index`` is the drop position as shown before the move."""

    def __init__(
        self, document: Document, page_name: str, widget_id: str, parent: str | None, index: int, *, registry: WidgetRegistry | None = None, base: Project | None = None
    ) -> None:
        super().__init__(document, base)
        registry = registry or default_widget_registry()
        page = _page(self.before, page_name)
        try:
            _, old_parent, old_index = find(page.widgets, widget_id)
            if parent is not None and is_inside(page.widgets, parent, widget_id):
                raise ValueError(f"cannot move {widget_id} into itself")
            _check_parent(registry, page.widgets, parent)
            if parent == old_parent and index > old_index:
                index -= 1  # the widget leaves a gap before the drop position
            if parent == old_parent and index == old_index:
                raise NoChangeError("Move: same place")
            tree, widget, _, _ = remove(page.widgets, widget_id)
            if not 0 <= index <= len(children_of(tree, parent)):
                raise ValueError(f"cannot move to position {index}")
            tree = insert(tree, parent, index, [widget])
        except WidgetPathError as error:
            raise ValueError(str(error)) from None
        self.parent, self.index = parent, index
        self._finish(_with_widgets(self.before, page, tree), f"Move {widget_id}")


Step = Literal["up", "down", "out", "in"]


def step_target(widgets: list[Widget], widget_id: str, step: Step, registry: WidgetRegistry) -> tuple[str | None, int]:
    """Where one keyboard step moves a widget, as ``MoveWidgetCommand``'s ``(parent, index)``; ValueError says why not.

    up/down: before the previous / after the next sibling (in a row too:
    earlier / later); out: right after its container; in: to the end of the
    Container just before it, else the start of the one just after it.
    """
    try:
        _, parent, index = find(widgets, widget_id)
    except WidgetPathError as error:
        raise ValueError(str(error)) from None
    siblings = children_of(widgets, parent)
    if step == "up":
        if index == 0:
            raise ValueError(f"{widget_id} is already the first {'in ' + parent if parent else 'on the page'}")
        return parent, index - 1
    if step == "down":
        if index == len(siblings) - 1:
            raise ValueError(f"{widget_id} is already the last {'in ' + parent if parent else 'on the page'}")
        return parent, index + 2  # as shown before the move: after the next sibling
    if step == "out":
        if parent is None:
            raise ValueError(f"{widget_id} is not in a container")
        _, outer, container_index = find(widgets, parent)
        return outer, container_index + 1

    def is_container(widget: Widget) -> bool:
        return widget.type in registry and registry.get(widget.type).container

    if index > 0 and is_container(siblings[index - 1]):
        before = siblings[index - 1]
        return before.id, len(before.children)
    if index + 1 < len(siblings) and is_container(siblings[index + 1]):
        return siblings[index + 1].id, 0
    raise ValueError(f"there is no Container next to {widget_id} to move it into")


class StepWidgetCommand(MoveWidgetCommand):
    """One keyboard move (Alt+arrows): up, down, out of its container, into the container beside it."""

    def __init__(self, document: Document, page_name: str, widget_id: str, step: Step, *, registry: WidgetRegistry | None = None, base: Project | None = None) -> None:
        registry = registry or default_widget_registry()
        before = base if base is not None else document.project
        parent, index = step_target(_page(before, page_name).widgets, widget_id, step, registry)
        super().__init__(document, page_name, widget_id, parent, index, registry=registry, base=base)


class SetWidgetPropCommand(MergingCommand):
    """Set one prop to a literal or a formula (``UNSET`` removes it: the default applies). Typing merges."""

    MERGE_ID = 1303

    def __init__(self, document: Document, page_name: str, widget_id: str, prop: str, value: Any, *, base: Project | None = None) -> None:
        super().__init__(document, base)
        page = _page(self.before, page_name)
        self.page_name, self.widget_id, self.prop = page_name, widget_id, prop

        def change(widget: Widget) -> Widget:
            props = {key: item for key, item in widget.props.items() if key != prop}
            if value is not UNSET:
                props[prop] = value
            return widget.model_copy(update={"props": props})

        try:
            tree = replace(page.widgets, widget_id, change)
        except WidgetPathError as error:
            raise ValueError(str(error)) from None
        self._finish(_with_widgets(self.before, page, tree), f"Edit {prop} of {widget_id}")

    def merge_key(self) -> tuple[object, ...]:
        return (self.page_name, self.widget_id, self.prop)


class RenameWidgetCommand(ProjectCommand):
    def __init__(self, document: Document, page_name: str, widget_id: str, new_id: str, *, base: Project | None = None) -> None:
        super().__init__(document, base)
        page = _page(self.before, page_name)
        if new_id == widget_id:
            raise NoChangeError("Rename: same id")
        if not re.match(IDENTIFIER, new_id):
            raise ValueError(f"widget id {new_id!r} must be a letter or _ followed by letters, digits or _")
        if new_id in ids_in(page.widgets):
            raise ValueError(f"page {page_name!r} already has a widget {new_id!r}")
        try:
            tree = replace(page.widgets, widget_id, lambda w: w.model_copy(update={"id": new_id}))
        except WidgetPathError as error:
            raise ValueError(str(error)) from None
        self._finish(_with_widgets(self.before, page, tree), f"Rename {widget_id} to {new_id}")
