"""The action type registry: one declaration per type, everything else derived from it.

Like orange-canvas-core's widget descriptions, declarations are plain objects;
the editor adapts them to Qt models. Nothing here imports Qt.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

from pydantic import ValidationError

from app.core.params import ActionParams, ParamSpec, param_specs
from app.core.scope_names import Shape, SlotScope
from app.core.type_registry import DuplicateTypeError, TypeRegistry, UnknownTypeError

if TYPE_CHECKING:
    from app.core.events import RunEvent
    from app.core.problems import Problem
    from app.core.project import Action, Project
    from app.core.run_context import RunContext, Slots

WorkflowKind = Literal["endpoint", "interface"]

RESULT_VARIABLE_PARAM = "resultVariable"
"""The param by which any action type may store its result under ``variables.<value>``."""

LeafRun = Callable[[Any, "RunContext"], Awaitable[Any]]
InstantRun = Callable[[Any, "RunContext"], Any]
"""A leaf that never waits may run as a plain function (no coroutine per call): see ``ActionType``."""
ContainerRun = Callable[[Any, "RunContext", "Slots"], AsyncIterator["RunEvent"]]


@dataclass(frozen=True)
class ActionType:
    """What an action type is: its identity, palette entry, params, slots and how it runs.

    A leaf's ``run`` is a coroutine whose return value is the action's result
    (stored in ``results.<id>``), or a plain function when the action never
    waits (Send streaming response, Set variable): the engine then calls it
    without making and driving a coroutine, which is a measurable share of a
    Loop x Send's cost per message. Such an *instant* action must not keep its
    params object past returning: the engine gives it the same one each time,
    with that call's values. A container's ``run`` is an async generator that
    drives its slots and re-yields their events.
    """

    id: str
    title: str
    category: str
    icon: str
    description: str
    params: type[ActionParams]
    run: LeafRun | InstantRun | ContainerRun
    slots: tuple[str, ...] = ()
    legacy_ids: tuple[str, ...] = ()
    summary: Callable[[dict[str, Any]], str] | None = None
    where: tuple[WorkflowKind, ...] = ("endpoint",)
    """Which workflows may hold it: API endpoints (run by the runner) and/or interface workflows (run by a page)."""
    slot_scopes: Mapping[str, SlotScope] = field(default_factory=dict)
    """What a container binds for the formulas of each slot (a Loop's ``loop``, a catch's ``caughtError``)."""
    iterations: Callable[[dict[str, Any]], int | None] | None = None
    """For a container whose slots run once per item: how many times its stored params say (None: unknown or many)."""
    conditional: bool = False
    """Its slots run only when a condition holds (If/else), so a message inside is not one per enclosing item."""
    result_shape: Shape | None = None
    """The fields of the object it leaves as ``results.<id>`` (and in its result variable), for completion."""
    sets_variables: Callable[[dict[str, Any]], list[str]] | None = None
    """The variables it sets, from its stored params; by default the value of a ``resultVariable`` param."""
    sends: Callable[[dict[str, Any]], list[dict[str, Any]]] | None = None
    """It sends stream messages: the Event Data it may send, read from its stored params (lint, message shapes, completion)."""
    part_ids: Callable[[dict[str, Any]], list[str | None]] | None = None
    """The part ids its messages carry (keyed parts, ``stream.parts.<id>``): literals, None for one a formula gives."""
    coalesces: bool = False
    """It may join its message into a held coalesced one; any other action starting sends a held message first."""
    streams_in: bool = False
    """Its ``body`` runs once per event of an upstream stream (lint suggests coalescing Sends there)."""
    project_files: Callable[[dict[str, Any]], list[str]] | None = None
    """Files in the project's folder it reads, named literally in its stored params (a copy of the project takes them along)."""
    response: Callable[[dict[str, Any]], tuple[Any, Any]] | None = None
    """It ends the endpoint with one response: its status code and body as stored (the API description reads them)."""
    exposes_call: Callable[[dict[str, Any]], tuple[str, str]] | None = None
    """It calls an endpoint from a page: the name bindings read the call by, and the endpoint's name."""
    check: Callable[[Action, str, Project], list[Problem]] | None = None
    """Its own checks against the whole project (an endpoint it names exists, ...): problems at the action's JSON path."""
    specs: list[ParamSpec] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "specs", param_specs(self.params))

    @property
    def sends_messages(self) -> bool:
        return self.sends is not None

    @property
    def repeats(self) -> bool:
        return self.iterations is not None

    def variables_set(self, params: dict[str, Any]) -> list[str]:
        """The variable names an action of this type sets, given its stored params."""
        if self.sets_variables is not None:
            return [name for name in self.sets_variables(params) if name]
        name = params.get(RESULT_VARIABLE_PARAM)
        return [name] if isinstance(name, str) and name else []

    @property
    def is_container(self) -> bool:
        return bool(self.slots)

    def parse_params(self, raw: dict[str, Any]) -> ActionParams:
        """Validate stored params; raises pydantic's ValidationError with paths."""
        return self.params.model_validate(raw)

    def default_params(self) -> dict[str, Any]:
        return self.params().model_dump(by_alias=True, mode="json", exclude_unset=False)


class DuplicateActionTypeError(DuplicateTypeError):
    pass


class UnknownActionTypeError(UnknownTypeError):
    kind = "action type"


ACTION_CATEGORIES = ("Response", "API", "Page", "Flow", "AI", "Streams", "Data", "Integrations", "Files", "Debug")
"""Action categories in palette order; others follow alphabetically."""


class Registry(TypeRegistry[ActionType]):
    """Action types by id; legacy ids resolve to the type that replaced them."""

    kind = "action type"
    unknown_error = UnknownActionTypeError
    duplicate_error = DuplicateActionTypeError
    category_order = ACTION_CATEGORIES

    def admits(self, declared: ActionType, where: str) -> bool:
        """An interface workflow's palette has no Send streaming response; an endpoint's no Call API endpoint."""
        return where in declared.where


_default: Registry | None = None


def default_registry() -> Registry:
    """The built-in action types: every module of ``app.core.actions`` declares one as ``ACTION``."""
    global _default
    if _default is None:
        registry = Registry()
        registry.load_package("app.core.actions", "ACTION", ActionType)
        _default = registry
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
