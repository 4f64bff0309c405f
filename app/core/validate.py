"""Whole-project validation: every problem with its JSON path, before anything runs.

The loader refuses a project with any error here, so the engine and the editor
only ever see projects whose params parse and whose formulas compile.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from pydantic import ValidationError

from app.core.formula_checks import formula_problems
from app.core.inputs import check_type
from app.core.problems import Problem
from app.core.project import Action, Endpoint, EndpointInput, Project, walk_actions
from app.core.recordings import validate_recordings
from app.core.registry import Registry, UnknownActionTypeError, WorkflowKind, default_registry, format_validation_error
from app.core.validate_pages import validate_pages
from app.core.values import ENV_KEY, contains_env
from app.core.workflow_refs import page_workflow_keys, workflow_json_path, workflow_of


def validate_project(project: Project, registry: Registry | None = None) -> list[Problem]:
    registry = registry or default_registry()
    problems: list[Problem] = []
    for name, count in Counter(e.name for e in project.endpoints).items():
        if count > 1:
            problems.append(Problem("$.endpoints", f"endpoint name {name!r} is used {count} times"))
    for route, count in Counter((e.method, e.path) for e in project.endpoints).items():
        if count > 1:
            problems.append(Problem("$.endpoints", f"{route[0]} {route[1]} is used by {count} endpoints"))
    for index, endpoint in enumerate(project.endpoints):
        problems.extend(validate_endpoint(endpoint, registry, f"$.endpoints[{index}]"))
        problems.extend(_declared_checks(project, endpoint.workflow, f"$.endpoints[{index}].workflow", registry))
    problems.extend(validate_pages(project))
    problems.extend(validate_interface_workflows(project, registry))
    problems.extend(validate_recordings(project))
    return problems


RESERVED_PATHS = ("/_", "/runs/", "/ai-sdk/")
"""Path prefixes the runner keeps for itself: admin routes, downloads and the AI SDK UI message stream."""
RESERVED_ROUTES = ("/", "/openapi.json", "/docs", "/v1/chat/completions", "/v1/models")
"""Single routes the runner keeps: the endpoint list, the API description and the OpenAI-compatible routes."""


def _limit_problems(spec: EndpointInput, path: str) -> list[Problem]:
    """Limits that fit the input's type and leave some value allowed."""
    problems: list[Problem] = []
    numeric = spec.type in ("number", "integer")
    for key, value in (("minimum", spec.minimum), ("maximum", spec.maximum)):
        if value is not None and not numeric:
            problems.append(Problem(f"{path}.{key}", f"{key} applies to number and integer inputs, not {spec.type} ({spec.name!r})"))
    if spec.max_length is not None and spec.type != "string":
        problems.append(Problem(f"{path}.maxLength", f"maxLength applies to string inputs, not {spec.type} ({spec.name!r})"))
    if spec.minimum is not None and spec.maximum is not None and spec.minimum > spec.maximum:
        problems.append(Problem(f"{path}.minimum", f"minimum {spec.minimum} is above maximum {spec.maximum} ({spec.name!r})"))
    return problems


def validate_endpoint(endpoint: Endpoint, registry: Registry, base: str = "$") -> list[Problem]:
    problems: list[Problem] = []
    if endpoint.path in RESERVED_ROUTES or endpoint.path.startswith(RESERVED_PATHS):
        problems.append(
            Problem(
                f"{base}.path",
                f"path {endpoint.path} is reserved by the runner (/, /openapi.json, /docs, /v1/chat/completions, /v1/models, /_..., /runs/..., /ai-sdk/...)",
            )
        )
    for name, count in Counter(spec.name for spec in endpoint.inputs).items():
        if count > 1:
            problems.append(Problem(f"{base}.inputs", f"input name {name!r} is declared {count} times"))
    for index, spec in enumerate(endpoint.inputs):
        problems.extend(_limit_problems(spec, f"{base}.inputs[{index}]"))
        if spec.default is not None:
            try:
                check_type(spec, spec.default)
            except ValueError as error:
                problems.append(Problem(f"{base}.inputs[{index}].default", f"default of {spec.name!r}: {error}"))
    problems.extend(validate_workflow(endpoint.workflow, registry, f"{base}.workflow", "endpoint"))
    return problems


def validate_workflow(workflow: list[Action], registry: Registry, base: str, kind: WorkflowKind) -> list[Problem]:
    """Actions of one workflow: ids unique in it, params valid, and each a type this kind of workflow runs."""
    problems: list[Problem] = []
    seen: Counter[str] = Counter()
    for path, action in walk_actions(workflow, base):
        seen[action.id] += 1
        if seen[action.id] == 2:
            problems.append(Problem(path + ".id", f"action id {action.id!r} is used more than once", action.id, "id"))
        problems.extend(validate_action(action, registry, path))
        if action.type in registry and kind not in registry.get(action.type).where:
            where = "API endpoints" if kind == "interface" else "interface workflows (a page's On click or On page load)"
            problems.append(Problem(path + ".type", f"{registry.get(action.type).title} runs only in {where}", action.id, "type"))
    return problems


def validate_interface_workflows(project: Project, registry: Registry) -> list[Problem]:
    """Every page's On page load and its widgets' workflows."""
    problems: list[Problem] = []
    for page in project.pages:
        for key in page_workflow_keys(page):
            base = workflow_json_path(project, key)
            problems.extend(validate_workflow(workflow_of(project, key), registry, base, "interface"))
            problems.extend(_declared_checks(project, workflow_of(project, key), base, registry))
    return problems


def _declared_checks(project: Project, workflow: list[Action], base: str, registry: Registry) -> list[Problem]:
    """Each action type's own checks against the whole project (what its declaration's ``check`` says)."""
    problems: list[Problem] = []
    for path, action in walk_actions(workflow, base):
        action_type = registry.find(action.type)
        if action_type is not None and action_type.check is not None:
            problems.extend(action_type.check(action, path, project))
    return problems


def validate_action(action: Action, registry: Registry, path: str) -> list[Problem]:
    try:
        action_type = registry.get(action.type)
    except UnknownActionTypeError as error:
        return [Problem(path + ".type", str(error), action.id, "type")]
    problems: list[Problem] = []
    for slot in action.slots:
        if slot not in action_type.slots:
            allowed = ", ".join(action_type.slots) or "none"
            problems.append(Problem(f"{path}.slots.{slot}", f"{action_type.title} has no slot {slot!r} (slots: {allowed})", action.id))
    try:
        action_type.parse_params(action.params)
    except ValidationError as error:
        for error_path, message in format_validation_error(error, path + ".params"):
            field = error_path.removeprefix(path + ".params.").split(".")[0].split("[")[0]
            problems.append(Problem(error_path, message, action.id, field))
    for spec in action_type.specs:
        raw = action.params.get(spec.alias, action.params.get(spec.name))
        if raw is None:
            continue
        problems.extend(formula_problems(raw, spec.alias, f"{path}.params.{spec.alias}", action_id=action.id))
        if not spec.secret_ok:
            problems.extend(_env_problems(raw, spec.alias, action.id, f"{path}.params.{spec.alias}"))
    return problems


def _env_problems(raw: Any, field: str, action_id: str, path: str) -> list[Problem]:
    if contains_env(raw):
        return [Problem(path, f'"{ENV_KEY}" secrets are only accepted in params meant for secrets (headers, query, API key)', action_id, field)]
    return []


def raw_action_problems(workflow: Any, registry: Registry, base: str) -> list[Problem]:
    """Param and formula errors of each action in a workflow that does not validate as a whole."""
    problems: list[Problem] = []
    stack = [(base, workflow)]
    while stack:
        path, actions = stack.pop()
        if not isinstance(actions, list):
            continue
        for index, raw in enumerate(actions):
            if not isinstance(raw, dict) or not isinstance(raw.get("type"), str) or not isinstance(raw.get("params", {}), dict):
                continue
            action = Action.model_construct(id=str(raw.get("id", "")), type=raw["type"], params=raw.get("params", {}), slots={})
            problems += [p for p in validate_action(action, registry, f"{path}[{index}]") if p.severity == "error"]
            slots = raw.get("slots")
            if isinstance(slots, dict):
                stack.extend((f"{path}[{index}].slots.{name}", children) for name, children in slots.items())
    return problems
