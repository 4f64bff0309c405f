"""What a page's formulas may name, for completion: page variables, ``page``, and each call with its messages' fields.

The fields offered after ``stream.chunk.`` are those the called endpoint's
Send streaming response actions actually send (``app.core.stream_shapes``),
each with the statuses that carry it, so a binding is written against the
stream the endpoint really produces. After ``stream.parts.`` come the literal
part ids those Sends declare, and after ``stream.parts.<id>.`` their fields.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from app.core.interface import CALL_FIELDS, DEFAULT_CALL_NAME
from app.core.project import Page, Project, walk_actions
from app.core.registry import Registry, default_registry
from app.core.stream_shapes import chunk_fields, infer_message_shapes, part_fields
from app.core.workflow_refs import page_workflow_keys, workflow_of

ERROR_FIELDS = ("message", "action", "actionType", "statusCode", "fields")


def page_calls(project: Project, page: Page, registry: Registry | None = None) -> dict[str, list[str]]:
    """Call names the page's workflows expose, each with the endpoints called under it."""
    registry = registry or default_registry()
    calls: dict[str, list[str]] = {}
    for key in page_workflow_keys(page):
        for _, action in walk_actions(workflow_of(project, key)):
            action_type = registry.find(action.type)
            if action_type is None or action_type.exposes_call is None:
                continue
            name, endpoint = action_type.exposes_call(action.params)
            endpoints = calls.setdefault(name, [])
            if endpoint and endpoint not in endpoints:
                endpoints.append(endpoint)
    return calls


@dataclass
class BindingScope:
    """Completion for a page's bindings and interface workflows (the formula editor asks ``fields_of``)."""

    variables: list[str]
    calls: dict[str, list[str]]
    """Call name -> endpoints called under it."""
    chunk_fields: dict[str, dict[str, list[str]]] = field(default_factory=dict)
    """Call name -> field -> statuses of the messages that carry it."""
    results: list[str] = field(default_factory=list)
    """Earlier actions' ids (inside an interface workflow)."""
    parts: dict[str, dict[str, list[str]]] = field(default_factory=dict)
    """Call name -> literal part id its endpoints' Sends declare -> the fields those messages carry."""

    def roots(self) -> list[str]:
        roots = [*self.calls, "variables", "page"]
        return [*roots, "results"] if self.results else roots

    def fields_of(self, path: Sequence[str]) -> list[str]:
        if not path:
            return self.roots()
        root, rest = path[0], list(path[1:])
        if root == "variables" and not rest:
            return list(self.variables)
        if root == "page" and not rest:
            return ["name", "title"]
        if root == "results" and not rest:
            return list(self.results)
        if root in self.calls:
            if not rest:
                return list(CALL_FIELDS)
            if rest == ["chunk"] or (rest[0] == "chunks" and len(rest) == 1):
                return sorted(self.chunk_fields.get(root, {}))
            if rest == ["error"]:
                return list(ERROR_FIELDS)
            if rest == ["parts"]:
                return list(self.parts.get(root, {}))
            if len(rest) == 2 and rest[0] == "parts":
                return list(self.parts.get(root, {}).get(rest[1], []))
        return []

    def carried_by(self, call: str, name: str) -> list[str] | None:
        """The statuses of the messages that carry ``<call>.chunk.<name>``; None when no message does."""
        return self.chunk_fields.get(call, {}).get(name)


def binding_scope(project: Project, page: Page, registry: Registry | None = None, results: Sequence[str] = ()) -> BindingScope:
    registry = registry or default_registry()
    calls = page_calls(project, page)
    fields: dict[str, dict[str, list[str]]] = {}
    parts: dict[str, dict[str, list[str]]] = {}
    for name, endpoints in calls.items():
        merged: dict[str, list[str]] = {}
        keyed = parts.setdefault(name, {})
        for endpoint_name in endpoints:
            try:
                endpoint = project.endpoint(endpoint_name)
            except KeyError:
                continue
            for field_name, statuses in chunk_fields(infer_message_shapes(endpoint, registry)).items():
                known = merged.setdefault(field_name, [])
                known.extend(status for status in statuses if status not in known)
            for part, part_field_names in part_fields(endpoint, registry).items():
                known = keyed.setdefault(part, [])
                known.extend(f for f in part_field_names if f not in known)
        fields[name] = merged
    if not calls:
        calls = {DEFAULT_CALL_NAME: []}
    return BindingScope([v.name for v in page.variables], calls, fields, list(results), parts)
