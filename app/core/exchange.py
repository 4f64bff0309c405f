"""Export one endpoint workflow as self-contained JSON, and import one into a project.

The exported document carries the endpoint's method, path, inputs and
workflow; SQLite files it reads stay with the project and are not embedded.
On import, a clashing name or route gets a ``-2``, ``-3``... suffix.
"""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError

from app.core.migrations import UnsupportedFormatError, migrate
from app.core.problems import Problem, ProjectInvalidError
from app.core.project import FORMAT_VERSION, Endpoint, Project
from app.core.registry import Registry, default_registry, format_validation_error
from app.core.validate import raw_action_problems, validate_endpoint

ENDPOINT_SCHEMA_URL = "https://streamwright.dev/schema/endpoint-v1.json"
KIND = "streamwright.endpoint"


def export_endpoint(project: Project, name: str) -> dict[str, Any]:
    endpoint = project.endpoint(name)
    return {
        "$schema": ENDPOINT_SCHEMA_URL,
        "formatVersion": FORMAT_VERSION,
        "kind": KIND,
        "endpoint": endpoint.model_dump(mode="json", by_alias=True),
    }


def endpoint_from_document(document: Any, source: str = "", registry: Registry | None = None) -> Endpoint:
    if not isinstance(document, dict) or document.get("kind") != KIND or not isinstance(document.get("endpoint"), dict):
        problem = Problem("$", f'not an exported workflow: expected an object with "kind": "{KIND}" and an "endpoint" object')
        raise ProjectInvalidError([problem], source)
    try:
        document = migrate(document)
    except UnsupportedFormatError as error:
        raise ProjectInvalidError([Problem("$.formatVersion", str(error))], source) from None
    try:
        endpoint = Endpoint.model_validate(document["endpoint"])
    except ValidationError as error:
        problems = [Problem(p, m) for p, m in format_validation_error(error, "$.endpoint")]
        reported = {p.path for p in problems}
        problems += [
            p for p in raw_action_problems(document["endpoint"].get("workflow"), registry or default_registry(), "$.endpoint.workflow") if p.path not in reported
        ]
        raise ProjectInvalidError(problems, source) from None
    errors = [p for p in validate_endpoint(endpoint, registry or default_registry(), "$.endpoint") if p.severity == "error"]
    if errors:
        raise ProjectInvalidError(errors, source)
    return endpoint


def _free(candidate: str, taken: set[str], make: Any) -> str:
    if candidate not in taken:
        return candidate
    number = 2
    while make(number) in taken:
        number += 1
    return make(number)


def import_endpoint(project: Project, endpoint: Endpoint) -> tuple[Project, Endpoint]:
    """A new project with ``endpoint`` added, renamed (and re-routed) if it clashes."""
    names = {e.name for e in project.endpoints}
    routes = {(e.method, e.path) for e in project.endpoints}
    name = _free(endpoint.name, names, lambda n: f"{endpoint.name}-{n}")
    path = endpoint.path
    if (endpoint.method, path) in routes:
        base = path.rstrip("/") or ""
        path = _free(path, {p for m, p in routes if m == endpoint.method}, lambda n: f"{base}-{n}")
    added = endpoint.model_copy(update={"name": name, "path": path}, deep=True)
    return project.model_copy(update={"endpoints": [*project.endpoints, added]}), added
