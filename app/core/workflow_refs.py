"""Which workflow of a project: an API endpoint's, or one of a page's interface workflows.

The editor names a workflow by one string (a *workflow key*) so that
everything built for endpoint workflows (undo commands, the canvas, the
inspector, problems) works on interface workflows unchanged:

- ``generate-report``: the endpoint of that name (endpoint names are slugs);
- ``page:report:load``: the On page load workflow of page ``report``;
- ``page:report:generate_button:click``: a widget's workflow for one trigger.

A slug never holds ``:``, so the two forms cannot clash.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from app.core.project import Action, Page, Project, Widget

PAGE_PREFIX = "page:"
LOAD = "load"

TRIGGER_TITLES = {"load": "On page load", "click": "On click"}


@dataclass(frozen=True)
class EndpointWorkflow:
    endpoint: str

    @property
    def kind(self) -> Literal["endpoint"]:
        return "endpoint"


@dataclass(frozen=True)
class PageWorkflow:
    page: str
    widget: str | None
    """None for the page's own On page load."""
    trigger: str

    @property
    def kind(self) -> Literal["interface"]:
        return "interface"


WorkflowRef = EndpointWorkflow | PageWorkflow


def page_workflow_key(page: str, widget: str | None = None, trigger: str = LOAD) -> str:
    return f"{PAGE_PREFIX}{page}:{trigger}" if widget is None else f"{PAGE_PREFIX}{page}:{widget}:{trigger}"


def parse_key(key: str) -> WorkflowRef:
    """Raises ``KeyError`` for a key of neither form."""
    if not key.startswith(PAGE_PREFIX):
        return EndpointWorkflow(key)
    parts = key[len(PAGE_PREFIX) :].split(":")
    if len(parts) == 2:
        return PageWorkflow(parts[0], None, parts[1])
    if len(parts) == 3:
        return PageWorkflow(parts[0], parts[1], parts[2])
    raise KeyError(f"not a workflow key: {key!r}")


def is_page_key(key: str) -> bool:
    return key.startswith(PAGE_PREFIX)


def find_widget(widgets: list[Widget], widget_id: str) -> Widget | None:
    for widget in widgets:
        if widget.id == widget_id:
            return widget
        found = find_widget(widget.children, widget_id)
        if found is not None:
            return found
    return None


def has_workflow(project: Project, key: str) -> bool:
    try:
        workflow_of(project, key)
    except KeyError:
        return False
    return True


def workflow_of(project: Project, key: str) -> list[Action]:
    """The actions of a workflow; ``KeyError`` names what is missing."""
    ref = parse_key(key)
    if isinstance(ref, EndpointWorkflow):
        return project.endpoint(ref.endpoint).workflow
    page = project.page(ref.page)
    if ref.widget is None:
        if ref.trigger != LOAD:
            raise KeyError(f"a page has no {ref.trigger!r} workflow (only {LOAD!r})")
        return page.on_load
    widget = find_widget(page.widgets, ref.widget)
    if widget is None:
        raise KeyError(f"page {page.name!r} has no widget {ref.widget!r}")
    return widget.events.get(ref.trigger, [])


def with_workflow(project: Project, key: str, workflow: list[Action]) -> Project:
    """A new project with one workflow replaced, sharing everything else."""
    ref = parse_key(key)
    if isinstance(ref, EndpointWorkflow):
        endpoints = list(project.endpoints)
        index = next((i for i, e in enumerate(endpoints) if e.name == ref.endpoint), None)
        if index is None:
            project.endpoint(ref.endpoint)  # raises the KeyError naming the endpoints
            raise AssertionError
        endpoints[index] = endpoints[index].model_copy(update={"workflow": workflow})
        return project.model_copy(update={"endpoints": endpoints})
    page = project.page(ref.page)
    if ref.widget is None:
        new_page = page.model_copy(update={"on_load": workflow})
    else:
        widgets = _replace_widget(page.widgets, ref.widget, lambda w: w.model_copy(update={"events": {**w.events, ref.trigger: workflow}}))
        new_page = page.model_copy(update={"widgets": widgets})
    return with_page(project, page.name, new_page)


def with_page(project: Project, name: str, page: Page) -> Project:
    pages = [page if p.name == name else p for p in project.pages]
    return project.model_copy(update={"pages": pages})


def _replace_widget(widgets: list[Widget], widget_id: str, change: Callable[[Widget], Widget]) -> list[Widget]:
    result: list[Widget] = []
    found = False
    for widget in widgets:
        if widget.id == widget_id:
            result.append(change(widget))
            found = True
        elif not found and widget.children and find_widget(widget.children, widget_id) is not None:
            result.append(widget.model_copy(update={"children": _replace_widget(widget.children, widget_id, change)}))
            found = True
        else:
            result.append(widget)
    if not found:
        raise KeyError(f"no widget {widget_id!r}")
    return result


def workflow_json_path(project: Project, key: str) -> str:
    """Where a workflow is in the project file, e.g. ``$.pages[0].widgets[1].events.click``."""
    ref = parse_key(key)
    if isinstance(ref, EndpointWorkflow):
        index = next(i for i, e in enumerate(project.endpoints) if e.name == ref.endpoint)
        return f"$.endpoints[{index}].workflow"
    page_index = next(i for i, p in enumerate(project.pages) if p.name == ref.page)
    base = f"$.pages[{page_index}]"
    if ref.widget is None:
        return f"{base}.onLoad"
    return f"{base}.{_widget_path(project.pages[page_index].widgets, ref.widget, 'widgets')}.events.{ref.trigger}"


def _widget_path(widgets: list[Widget], widget_id: str, prefix: str) -> str:
    for index, widget in enumerate(widgets):
        here = f"{prefix}[{index}]"
        if widget.id == widget_id:
            return here
        if widget.children:
            try:
                return _widget_path(widget.children, widget_id, f"{here}.children")
            except KeyError:
                pass
    raise KeyError(f"no widget {widget_id!r}")


def page_workflow_keys(page: Page) -> list[str]:
    """Every interface workflow a page has (On page load first, then widgets in page order)."""
    keys = [page_workflow_key(page.name)]
    stack = list(page.widgets)
    ordered: list[Widget] = []
    while stack:
        widget = stack.pop(0)
        ordered.append(widget)
        stack[0:0] = widget.children
    for widget in ordered:
        keys.extend(page_workflow_key(page.name, widget.id, trigger) for trigger in widget.events)
    return keys


def describe(project: Project, key: str) -> str:
    """A short title for the trigger card and the window: ``On click · generate_button``."""
    ref = parse_key(key)
    if isinstance(ref, EndpointWorkflow):
        return ref.endpoint
    trigger = TRIGGER_TITLES.get(ref.trigger, ref.trigger)
    return f"{trigger} · {ref.widget}" if ref.widget else f"{trigger} · {ref.page}"
