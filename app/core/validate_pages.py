"""Validation of interface pages: names, variables and every widget's type, props, children and events.

Like endpoint validation, every problem names its JSON path (down to the
prop), so the Problems panel can select the widget and the loader can say
exactly what is wrong. The actions of interface workflows (``events``,
``onLoad``) are validated apart, with the workflows themselves.
"""

from __future__ import annotations

from collections import Counter

from pydantic import ValidationError

from app.core.formula_checks import formula_problems
from app.core.problems import Problem
from app.core.project import Page, Project, Widget, walk_widgets
from app.core.registry import format_validation_error
from app.core.values import ENV_KEY, contains_env
from app.core.widgets.registry import UnknownWidgetTypeError, WidgetRegistry, WidgetType, default_widget_registry

TEXT_INPUT = "text_input"


def validate_pages(project: Project, widget_registry: WidgetRegistry | None = None) -> list[Problem]:
    registry = widget_registry or default_widget_registry()
    problems: list[Problem] = []
    seen: set[str] = set()
    for index, page in enumerate(project.pages):
        if page.name in seen:
            problems.append(Problem(f"$.pages[{index}].name", f"page name {page.name!r} is used more than once", field="name"))
        seen.add(page.name)
        problems.extend(validate_page(page, registry, f"$.pages[{index}]"))
    return problems


def validate_page(page: Page, registry: WidgetRegistry, base: str = "$") -> list[Problem]:
    problems: list[Problem] = []
    variables: Counter[str] = Counter()
    for index, variable in enumerate(page.variables):
        variables[variable.name] += 1
        if variables[variable.name] == 2:
            problems.append(Problem(f"{base}.variables[{index}].name", f"page variable {variable.name!r} is declared more than once", field="name"))
    ids: Counter[str] = Counter()
    for path, widget in walk_widgets(page.widgets, f"{base}.widgets"):
        ids[widget.id] += 1
        if ids[widget.id] == 2:
            problems.append(Problem(f"{path}.id", f"widget id {widget.id!r} is used more than once", field="id", widget_id=widget.id))
        problems.extend(validate_widget(widget, registry, path, set(variables)))
    return problems


def validate_widget(widget: Widget, registry: WidgetRegistry, path: str, page_variables: set[str]) -> list[Problem]:
    """The widget itself, not its children (``walk_widgets`` reaches those)."""
    try:
        widget_type = registry.get(widget.type)
    except UnknownWidgetTypeError as error:
        return [Problem(f"{path}.type", str(error), field="type", widget_id=widget.id)]
    problems: list[Problem] = []
    if widget.children and not widget_type.container:
        problems.append(Problem(f"{path}.children", f"{widget_type.title} cannot hold widgets; put them in a Container", widget_id=widget.id))
    for event in widget.events:
        if event not in widget_type.events:
            allowed = ", ".join(widget_type.events) or "none"
            problems.append(Problem(f"{path}.events.{event}", f"{widget_type.title} has no event {event!r} (events: {allowed})", widget_id=widget.id))
    problems.extend(_props_problems(widget, widget_type, f"{path}.props"))
    if widget_type.id == TEXT_INPUT:
        problems.extend(_variable_problems(widget, f"{path}.props.variable", page_variables))
    return problems


def _props_problems(widget: Widget, widget_type: WidgetType, path: str) -> list[Problem]:
    problems: list[Problem] = []
    with_env = {name for name, raw in widget.props.items() if contains_env(raw)}
    for name in sorted(with_env):
        problems.append(Problem(f"{path}.{name}", f'"{ENV_KEY}" secrets are not accepted in widget props', field=name, widget_id=widget.id))
    try:
        widget_type.parse_props(widget.props)
    except ValidationError as error:
        for error_path, message in format_validation_error(error, path):
            field = error_path.removeprefix(path + ".").split(".")[0].split("[")[0]
            if field not in with_env:  # the secret is the problem, not its type
                problems.append(Problem(error_path, message, field=field, widget_id=widget.id))
    for spec in widget_type.specs:
        raw = widget.props.get(spec.alias, widget.props.get(spec.name))
        if raw is not None and spec.accepts_formula:  # elsewhere a formula is a type error, reported above
            problems.extend(formula_problems(raw, spec.alias, f"{path}.{spec.alias}", widget_id=widget.id))
    return problems


def _variable_problems(widget: Widget, path: str, page_variables: set[str]) -> list[Problem]:
    """A Text input stores what is typed in a page variable: it must name one the page declares."""
    name = widget.props.get("variable", "")
    if not isinstance(name, str):
        return []  # a type error, reported with the props
    if not name:
        return [
            Problem(path, "choose the page variable this Text input stores its text in", field="variable", severity="warning",
                    code="unbound-input", widget_id=widget.id)
        ]  # fmt: skip
    if name not in page_variables:
        known = ", ".join(sorted(page_variables)) or "none"
        return [Problem(path, f"variables.{name} is not a variable of this page (variables: {known})", field="variable", widget_id=widget.id)]
    return []
