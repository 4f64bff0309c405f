"""The action type registry: one declaration per type, everything else derived from it.

Like orange-canvas-core's widget descriptions, declarations are plain objects;
the editor adapts them to Qt models. Nothing here imports Qt.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

from pydantic import ValidationError

from app.core.params import ActionParams, ParamSpec, param_specs

if TYPE_CHECKING:
    from app.core.events import RunEvent
    from app.core.run_context import RunContext, Slots

WorkflowKind = Literal["endpoint", "interface"]

LeafRun = Callable[[Any, "RunContext"], Awaitable[Any]]
ContainerRun = Callable[[Any, "RunContext", "Slots"], AsyncIterator["RunEvent"]]


@dataclass(frozen=True)
class ActionType:
    """What an action type is: its identity, palette entry, params, slots and how it runs.

    A leaf's ``run`` is a coroutine whose return value is the action's result
    (stored in ``results.<id>``). A container's ``run`` is an async generator
    that drives its slots and re-yields their events.
    """

    id: str
    title: str
    category: str
    icon: str
    description: str
    params: type[ActionParams]
    run: LeafRun | ContainerRun
    slots: tuple[str, ...] = ()
    legacy_ids: tuple[str, ...] = ()
    summary: Callable[[dict[str, Any]], str] | None = None
    where: tuple[WorkflowKind, ...] = ("endpoint",)
    """Which workflows may hold it: API endpoints (run by the runner) and/or interface workflows (run by a page)."""
    coalesces: bool = False
    """It may join its message into a held coalesced one; any other action starting sends a held message first."""
    streams_in: bool = False
    """Its ``body`` runs once per event of an upstream stream (lint suggests coalescing Sends there)."""
    slot_scope: dict[str, dict[str, tuple[str, ...]]] = field(default_factory=dict, compare=False)
    """Names a slot adds to the formula scope, with their fields: ``{"body": {"event": ("data", "text")}}``."""
    sends: Callable[[dict[str, Any]], list[dict[str, Any]]] | None = field(default=None, compare=False)
    """The Event Data an action may send, read from its stored params (message shapes, completion)."""
    specs: list[ParamSpec] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "specs", param_specs(self.params))

    @property
    def is_container(self) -> bool:
        return bool(self.slots)

    def parse_params(self, raw: dict[str, Any]) -> ActionParams:
        """Validate stored params; raises pydantic's ValidationError with paths."""
        return self.params.model_validate(raw)

    def default_params(self) -> dict[str, Any]:
        return self.params().model_dump(by_alias=True, mode="json", exclude_unset=False)


class DuplicateActionTypeError(ValueError):
    pass


class UnknownActionTypeError(KeyError):
    def __str__(self) -> str:
        return f"unknown action type {self.args[0]!r}"


class Registry:
    """Action types by id; legacy ids resolve to the type that replaced them."""

    def __init__(self) -> None:
        self._types: dict[str, ActionType] = {}
        self._aliases: dict[str, str] = {}

    def register(self, action_type: ActionType) -> ActionType:
        for key in (action_type.id, *action_type.legacy_ids):
            if key in self._types or key in self._aliases:
                raise DuplicateActionTypeError(f"action type id {key!r} is already registered")
        self._types[action_type.id] = action_type
        for legacy in action_type.legacy_ids:
            self._aliases[legacy] = action_type.id
        return action_type

    def get(self, type_id: str) -> ActionType:
        try:
            return self._types[self._aliases.get(type_id, type_id)]
        except KeyError:
            raise UnknownActionTypeError(type_id) from None

    def canonical_id(self, type_id: str) -> str:
        return self.get(type_id).id

    def __contains__(self, type_id: object) -> bool:
        return isinstance(type_id, str) and (type_id in self._types or type_id in self._aliases)

    def __iter__(self):  # type: ignore[no-untyped-def]
        return iter(self._types.values())

    def __len__(self) -> int:
        return len(self._types)

    def categories(self, where: WorkflowKind | None = None) -> dict[str, list[ActionType]]:
        """Types by category; ``where`` keeps those a kind of workflow may hold."""
        grouped: dict[str, list[ActionType]] = {}
        for action_type in self._types.values():
            if where is not None and where not in action_type.where:
                continue
            grouped.setdefault(action_type.category, []).append(action_type)
        return grouped


def _load_builtin(registry: Registry) -> Registry:
    """Import every module of ``app.core.actions``; each exposes ``ACTION: ActionType``."""
    package = importlib.import_module("app.core.actions")
    for module_info in sorted(pkgutil.iter_modules(package.__path__), key=lambda m: m.name):
        module = importlib.import_module(f"{package.__name__}.{module_info.name}")
        declared = getattr(module, "ACTION", None)
        if isinstance(declared, ActionType):
            registry.register(declared)
    return registry


_default: Registry | None = None


def default_registry() -> Registry:
    global _default
    if _default is None:
        _default = _load_builtin(Registry())
    return _default


_UNION_TAGS = {"int", "str", "float", "bool", "none", "FormulaValue", "EnvValue", "list[any]", "dict[str,any]"}
"""Names pydantic adds to an error's location for the member of a union that failed."""


def _is_union_tag(part: str | int) -> bool:
    return isinstance(part, str) and (part in _UNION_TAGS or part.startswith(("constrained-", "function-", "literal[")))


def format_validation_error(error: ValidationError, base_path: str) -> list[tuple[str, str]]:
    """pydantic errors as ``(json_path, message)`` pairs rooted at ``base_path``.

    For a literal-or-formula param pydantic reports one error per union member;
    users only need the literal's, at the field's own path, so the formula
    branch's errors are dropped and member names are left out of the path.
    """
    problems: list[tuple[str, str]] = []
    for item in error.errors(include_url=False):
        if "FormulaValue" in item["loc"] or "EnvValue" in item["loc"]:
            continue
        path = base_path
        for part in item["loc"]:
            if _is_union_tag(part):
                continue
            path += f"[{part}]" if isinstance(part, int) else f".{part}"
        if (path, item["msg"]) not in problems:
            problems.append((path, item["msg"]))
    return problems
