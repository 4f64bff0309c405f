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
from app.core.registry import RESULT_VARIABLE_PARAM, ActionType, Registry, default_registry
from app.core.scope_names import Shape, SlotScope

BASE_ROOTS = ("inputs", "variables", "results")
"""Names every formula of an endpoint may read; containers add theirs (``SlotScope``) inside their slots."""
BASE_ROOT_NOTES = {
    "inputs": "the endpoint's inputs, by name, as the caller sent them",
    "variables": "the variables earlier actions set (Set variable, a result variable)",
    "results": "each earlier action's result, by action id",
}
"""One line per base root, for the formula reference."""


def given_roots(registry: Registry) -> dict[str, tuple[ActionType, str]]:
    """Every name a container binds, with the first type and slot that binds it (for "only in scope inside ...")."""
    roots: dict[str, tuple[ActionType, str]] = {}
    for action_type in registry:
        for slot, given in action_type.slot_scopes.items():
            roots.setdefault(given.root, (action_type, slot))
    return roots


@dataclass
class Scope:
    """Names in scope at one point of a workflow.

    ``variables``, ``results`` and ``shapes`` are shared with the scopes of
    nested slots (``inner``), as the runtime shares one context: what a Loop's
    body sets is still set after the Loop. ``given`` holds what the enclosing
    containers bind, outermost first; ``shapes`` the known fields of a
    variable's or a result's value (``("results", "file")`` gives
    ``downloadUrl``, ...).
    """

    inputs: tuple[str, ...]
    """Declared input names, in declaration order."""
    variables: set[str] = field(default_factory=set)
    results: set[str] = field(default_factory=set)
    given: tuple[SlotScope, ...] = ()
    shapes: dict[tuple[str, str], Shape] = field(default_factory=dict)
    registry: Registry = field(default_factory=default_registry, repr=False, compare=False)

    def inner(self, container: ActionType | None, slot: str) -> Scope:
        """The scope of a slot of a container: what its declaration binds there is added."""
        bound = container.slot_scopes.get(slot) if container is not None else None
        given = (*self.given, bound) if bound is not None else self.given
        return Scope(self.inputs, self.variables, self.results, given, self.shapes, self.registry)

    def finish(self, action: Action, action_type: ActionType | None) -> None:
        """Record what an action leaves behind once it has run: its result and the variables it sets."""
        self.results.add(action.id)
        if action_type is None:
            return
        shape = action_type.result_shape
        if shape is not None:
            self.shapes[("results", action.id)] = shape
        for variable in action_type.variables_set(action.params):
            self.variables.add(variable)
            if shape is not None and variable == action.params.get(RESULT_VARIABLE_PARAM):
                self.shapes[("variables", variable)] = shape

    def snapshot(self) -> Scope:
        return Scope(self.inputs, set(self.variables), set(self.results), self.given, dict(self.shapes), self.registry)

    def depth(self, root: str) -> int:
        """How many enclosing containers bind ``root`` here (2 in a Loop inside a Loop)."""
        return sum(1 for given in self.given if given.root == root)

    def _innermost(self) -> dict[str, SlotScope]:
        innermost: dict[str, SlotScope] = {}
        for given in self.given:
            innermost.pop(given.root, None)
            innermost[given.root] = given
        return innermost

    def roots(self) -> list[str]:
        """Top-level names usable here, in the order a user looks for them."""
        return [*BASE_ROOTS, *sorted(self._innermost(), key=self._root_rank)]

    def _root_rank(self, root: str) -> int:
        return next(index for index, given in enumerate(self.given) if given.root == root)

    def names(self) -> dict[str, list[str]]:
        """``{root: [field, ...]}`` for every root in scope (inputs in declaration order, the rest sorted)."""
        names: dict[str, list[str]] = {
            "inputs": list(self.inputs),
            "variables": sorted(self.variables),
            "results": sorted(self.results),
        }
        for root in self.roots()[len(BASE_ROOTS) :]:
            names[root] = self._innermost()[root].field_names(has_parent=self.depth(root) > 1)
        return names

    def fields_of(self, path: Sequence[str]) -> list[str]:
        """What may follow ``path.`` (``("loop",)`` gives the loop fields; ``("loop", "parent")`` too in a nested loop)."""
        if not path:
            return self.roots()
        names = self.names()
        if len(path) == 1:
            return names.get(path[0], [])
        root = path[0]
        if len(path) == 2 and root in ("variables", "results") and path[1] in names[root]:
            return list(self.shapes.get((root, path[1]), {}))
        given = self._innermost().get(root)
        depth = self.depth(root)
        if given is not None and given.parent is not None and all(part == given.parent for part in path[1:]) and len(path) <= depth:
            return given.field_names(has_parent=len(path) < depth)
        return []

    def check(self, path: tuple[str, ...]) -> str | None:
        """Why a formula's read path is out of scope here, or None when it is fine."""
        root, rest = path[0], path[1:]
        name = rest[0] if rest else None
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
        declared = given_roots(self.registry)
        if root in declared:
            given = self._innermost().get(root)
            if given is None:
                container, slot = declared[root]
                return f"{root} is only in scope inside a {container.title}'s {slot}"
            fields = given.field_names(has_parent=True)
            if name is not None and name not in fields:
                return f"{root}.{name} does not exist ({root} has {', '.join(sorted(fields))})"
            return None
        return f"{root} is not in scope (names in scope: {', '.join(self.roots())})"


def endpoint_scope(endpoint: Endpoint, registry: Registry | None = None) -> Scope:
    """The scope at the start of an endpoint's workflow: only its inputs."""
    return Scope(tuple(dict.fromkeys(spec.name for spec in endpoint.inputs)), registry=registry or default_registry())


def slots_in_order(action: Action, registry: Registry) -> Iterator[tuple[str, list[Action]]]:
    """The declared slots of an action's type, in declaration order (unknown types have none)."""
    action_type = registry.find(action.type)
    for slot in action_type.slots if action_type else ():
        yield slot, action.slots.get(slot, [])


def scope_at(endpoint: Endpoint, path: Sequence[int | str], registry: Registry | None = None) -> Scope:
    """The scope of the formulas of the action at ``path`` (see ``app.editor.action_paths``).

    Raises ``LookupError`` when no action is there.
    """
    registry = registry or default_registry()
    target = tuple(path)
    found = _walk(endpoint.workflow, (), target, endpoint_scope(endpoint, registry), registry)
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
        action_type = registry.find(action.type)
        for slot, children in slots_in_order(action, registry):
            found = _walk(children, (*here, slot), target, scope.inner(action_type, slot), registry)
            if found is not None:
                return found
        scope.finish(action, action_type)
    return None
