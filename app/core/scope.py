"""What a formula at one action may name: inputs, variables and results so far, ``loop``, ``caughtError``.

One definition shared by lint (is ``variables.x`` set before this action?) and
the formula editor's completion (what to offer after ``variables.``). Scope
follows document order, as lint always has: an action sees every action that
comes before it in the workflow, including those inside earlier containers and
earlier branches, but not its own containers (their result is not there yet).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from app.core.project import Action, Endpoint
from app.core.registry import Registry, default_registry

LOOP = "flow.loop"
SET_VARIABLE = "variable.set"
CATCH_SLOT = "catch"
LOOP_FIELDS = ("index", "count", "total", "item", "first", "last", "parent")
CAUGHT_ERROR_FIELDS = ("message", "action", "actionType")
RESULT_VARIABLE_PARAMS = ("resultVariable",)
"""Params of any action type that store its result under ``variables.<value>``."""
ROOTS = ("inputs", "variables", "results", "loop", "caughtError")


@dataclass
class Scope:
    """Names in scope at one point of a workflow.

    ``variables`` and ``results`` are shared with the scopes of nested slots
    (``inner``), as the runtime shares one context: what a Loop's body sets is
    still set after the Loop.
    """

    inputs: tuple[str, ...]
    """Declared input names, in declaration order."""
    variables: set[str] = field(default_factory=set)
    results: set[str] = field(default_factory=set)
    loop_depth: int = 0
    in_catch: bool = False
    slot_names: dict[str, tuple[str, ...]] = field(default_factory=dict)
    """Names the enclosing containers declare for their slots (``event``, ``delta``), with their fields."""

    def inner(self, container: str, slot: str, names: dict[str, tuple[str, ...]] | None = None) -> Scope:
        """The scope of a slot of a container (by canonical type id); ``names`` are the ones its declaration adds."""
        depth = self.loop_depth + (1 if container == LOOP else 0)
        slot_names = {**self.slot_names, **names} if names else self.slot_names
        return Scope(self.inputs, self.variables, self.results, depth, self.in_catch or slot == CATCH_SLOT, slot_names)

    def finish(self, action: Action, type_id: str | None) -> None:
        """Record what an action leaves behind once it has run: its result and the variables it sets."""
        self.results.add(action.id)
        name = action.params.get("name") if type_id == SET_VARIABLE else None
        for variable in (name, *(action.params.get(key) for key in RESULT_VARIABLE_PARAMS)):
            if isinstance(variable, str) and variable:
                self.variables.add(variable)

    def snapshot(self) -> Scope:
        return Scope(self.inputs, set(self.variables), set(self.results), self.loop_depth, self.in_catch, dict(self.slot_names))

    def roots(self) -> list[str]:
        """Top-level names usable here, in the order a user looks for them."""
        fixed = [root for root in ROOTS if (root != "loop" or self.loop_depth) and (root != "caughtError" or self.in_catch)]
        return fixed + [name for name in self.slot_names if name not in fixed]

    def names(self) -> dict[str, list[str]]:
        """``{root: [field, ...]}`` for every root in scope (inputs in declaration order, the rest sorted)."""
        names: dict[str, list[str]] = {
            "inputs": list(self.inputs),
            "variables": sorted(self.variables),
            "results": sorted(self.results),
        }
        if self.loop_depth:
            names["loop"] = _loop_fields(has_parent=self.loop_depth > 1)
        if self.in_catch:
            names["caughtError"] = list(CAUGHT_ERROR_FIELDS)
        for name, fields in self.slot_names.items():
            names.setdefault(name, list(fields))
        return names

    def fields_of(self, path: Sequence[str]) -> list[str]:
        """What may follow ``path.`` (``("loop",)`` gives the loop fields; ``("loop", "parent")`` too in a nested loop)."""
        if not path:
            return self.roots()
        names = self.names()
        if len(path) == 1:
            return names.get(path[0], [])
        if path[0] == "loop" and all(part == "parent" for part in path[1:]) and len(path) <= self.loop_depth:
            return _loop_fields(has_parent=len(path) < self.loop_depth)
        return []

    def check(self, path: tuple[str, ...]) -> str | None:
        """Why a formula's read path is out of scope here, or None when it is fine."""
        root, rest = path[0], path[1:]
        name = rest[0] if rest else None
        if root in self.slot_names and root not in ROOTS:
            fields = self.slot_names[root]
            if name is not None and name not in fields:
                return f"{root}.{name} does not exist ({root} has {', '.join(sorted(fields))})"
            return None
        if root == "inputs":
            if name is not None and name not in self.inputs:
                known = ", ".join(sorted(self.inputs)) or "none"
                return f"inputs.{name} is not an input of this endpoint (inputs: {known})"
            return None
        if root == "variables":
            if name is not None and name not in self.variables:
                return f"variables.{name} is not set by any earlier action"
            return None
        if root == "results":
            if name is not None and name not in self.results:
                return f"results.{name} is not an earlier action's id"
            return None
        if root == "loop":
            if self.loop_depth == 0:
                return "loop is only in scope inside a Loop's body"
            if name is not None and name not in LOOP_FIELDS:
                return f"loop.{name} does not exist (loop has {', '.join(sorted(LOOP_FIELDS))})"
            return None
        if root == "caughtError":
            if not self.in_catch:
                return "caughtError is only in scope inside a Try/catch's catch branch"
            if name is not None and name not in CAUGHT_ERROR_FIELDS:
                return f"caughtError.{name} does not exist (caughtError has {', '.join(sorted(CAUGHT_ERROR_FIELDS))})"
            return None
        return f"{root} is not in scope (names in scope: {', '.join(self.roots())})"


def _loop_fields(has_parent: bool) -> list[str]:
    """``loop.parent`` exists only in a nested Loop."""
    return [name for name in LOOP_FIELDS if has_parent or name != "parent"]


def endpoint_scope(endpoint: Endpoint) -> Scope:
    """The scope at the start of an endpoint's workflow: only its inputs."""
    return Scope(tuple(dict.fromkeys(spec.name for spec in endpoint.inputs)))


def canonical_type(action: Action, registry: Registry) -> str | None:
    return registry.canonical_id(action.type) if action.type in registry else None


def slots_in_order(action: Action, registry: Registry) -> Iterator[tuple[str, list[Action]]]:
    """The declared slots of an action's type, in declaration order (unknown types have none)."""
    action_type = registry.get(action.type) if action.type in registry else None
    for slot in action_type.slots if action_type else ():
        yield slot, action.slots.get(slot, [])


def scope_at(endpoint: Endpoint, path: Sequence[int | str], registry: Registry | None = None) -> Scope:
    """The scope of the formulas of the action at ``path`` (see ``app.editor.action_paths``).

    Raises ``LookupError`` when no action is there.
    """
    registry = registry or default_registry()
    target = tuple(path)
    found = _walk(endpoint.workflow, (), target, endpoint_scope(endpoint), registry)
    if found is None:
        raise LookupError(f"no action at {target!r} in endpoint {endpoint.name!r}")
    return found


def names_in_scope(endpoint: Endpoint, path: Sequence[int | str], registry: Registry | None = None) -> dict[str, list[str]]:
    """``{"inputs": [...], "variables": [...], "results": [...], "loop": [...]?, "caughtError": [...]?}``."""
    return scope_at(endpoint, path, registry).names()


def _walk(actions: list[Action], prefix: tuple[Any, ...], target: tuple[Any, ...], scope: Scope, registry: Registry) -> Scope | None:
    for index, action in enumerate(actions):
        here = (*prefix, index)
        if here == target:
            return scope.snapshot()
        type_id = canonical_type(action, registry)
        declared = registry.get(action.type).slot_scope if type_id else {}
        for slot, children in slots_in_order(action, registry):
            found = _walk(children, (*here, slot), target, scope.inner(type_id or "", slot, declared.get(slot)), registry)
            if found is not None:
                return found
        scope.finish(action, type_id)
    return None
