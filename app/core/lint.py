"""Best-practice checks from the product page, each tied to an action id.

- Event Data should stay small (size of its literal part, formulas counted at a nominal size).
- Every message should carry a ``status``.
- Messages of one endpoint should have consistent shapes (``done`` with ``total``; one key set per status).
- A progress Send streaming response directly inside a long Loop sends on every item; suggest every N
  items (``chunk`` messages, which carry the content itself, are exempt).
- Formulas should only name what is in scope at that action.
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from app.core.formula import FormulaSyntaxError, compile_formula
from app.core.problems import Problem
from app.core.project import Action, Endpoint, Project
from app.core.registry import ActionType, Registry, default_registry
from app.core.scope import Scope, endpoint_scope
from app.core.values import is_formula, iter_formulas

PAIRED_KEYS = (("done", "total"),)
FORMULA_NOMINAL_BYTES = 8
CONTENT_STATUSES = {"chunk"}
"""Messages that carry the content itself (text as it arrives): one per item is the point, not noise."""
__all__ = ["LintSettings", "lint_endpoint", "lint_project"]


@dataclass(frozen=True)
class LintSettings:
    max_event_data_bytes: int = 1024
    loop_every: int = 100
    """Loops with more items than this should send every ``loop_every`` items, not every item."""


def lint_project(project: Project, settings: LintSettings | None = None, registry: Registry | None = None) -> list[Problem]:
    settings = settings or LintSettings()
    registry = registry or default_registry()
    problems: list[Problem] = []
    for index, endpoint in enumerate(project.endpoints):
        problems.extend(lint_endpoint(endpoint, settings, registry, f"$.endpoints[{index}]"))
    return problems


def lint_endpoint(endpoint: Endpoint, settings: LintSettings, registry: Registry, base: str) -> list[Problem]:
    linter = _EndpointLinter(endpoint, settings, registry)
    scope = endpoint_scope(endpoint, registry)
    linter.block(endpoint.workflow, f"{base}.workflow", scope, loops=[], streamed=None)
    linter.shapes()
    return linter.problems


class _EndpointLinter:
    def __init__(self, endpoint: Endpoint, settings: LintSettings, registry: Registry) -> None:
        self.endpoint = endpoint
        self.settings = settings
        self.registry = registry
        self.problems: list[Problem] = []
        self.sends: list[tuple[str, Action, dict[str, Any]]] = []

    def warn(self, path: str, message: str, action: Action, code: str, field: str | None = None, position: int | None = None) -> None:
        self.problems.append(Problem(path, message, action.id, field, position, "warning", code))

    def block(self, actions: list[Action], path: str, scope: Scope, loops: list[tuple[Action, bool]], streamed: Action | None) -> None:
        """``streamed``: the innermost action whose body runs once per upstream event, if any."""
        for index, action in enumerate(actions):
            action_path = f"{path}[{index}]"
            self.formulas(action, action_path, scope)
            action_type = self.registry.find(action.type)
            if action_type is not None and action_type.sends is not None:
                for data in action_type.sends(action.params):
                    self.send(action, action_type, action_path, data, loops, streamed)
            for slot in action_type.slots if action_type else ():
                assert action_type is not None
                children = action.slots.get(slot, [])
                inner = scope.inner(action_type, slot)
                inner_loops = loops
                if action_type.iterations is not None:
                    inner_loops = [*loops, (action, self.is_long(action_type.iterations(action.params)))]
                elif action_type.conditional:
                    inner_loops = []
                inner_streamed = action if action_type.streams_in else streamed
                self.block(children, f"{action_path}.slots.{slot}", inner, inner_loops, inner_streamed)
            scope.finish(action, action_type)

    def is_long(self, iterations: int | None) -> bool:
        """Unknown (a formula, an upstream stream) counts as long."""
        return iterations is None or iterations > self.settings.loop_every

    def send(self, action: Action, action_type: ActionType, path: str, data: dict[str, Any], loops: list[tuple[Action, bool]], streamed: Action | None) -> None:
        if streamed is not None and action_type.coalesces and not action.params.get("coalesceMs"):
            self.warn(
                path,
                f"sends a message for every event of {streamed.id}'s stream; set Coalesce (ms), e.g. 50, "
                "to send at most one message per 50 ms with the text joined (a page shows about 60 a second)",
                action,
                "coalesce-streamed",
            )
        self.sends.append((path, action, data))
        if "status" not in data:
            self.warn(
                f"{path}.params.eventData", 'Event Data has no "status"; give every message a status so the interface can tell them apart', action, "missing-status"
            )
        size = len(json.dumps(_nominal(data), separators=(",", ":")))
        if size > self.settings.max_event_data_bytes:
            self.warn(
                f"{path}.params.eventData",
                f"Event Data is about {size} bytes (limit {self.settings.max_event_data_bytes}); keep messages small",
                action,
                "event-data-size",
            )
        long_loops = [loop for loop, long in loops if long]
        if long_loops and data.get("status") not in CONTENT_STATUSES:
            every = self.settings.loop_every
            self.warn(
                path,
                f"sends a message on every item of loop {long_loops[-1].id}; send every {every} items instead "
                f"(wrap it in If/else with condition `loop.count % {every} = 0 or loop.last`)",
                action,
                "message-every-iteration",
            )

    def shapes(self) -> None:
        by_status: dict[str, list[tuple[str, Action, frozenset[str]]]] = defaultdict(list)
        for path, action, data in self.sends:
            keys = frozenset(data)
            for first, second in PAIRED_KEYS:
                if (first in keys) != (second in keys):
                    has, lacks = (first, second) if first in keys else (second, first)
                    self.warn(f"{path}.params.eventData", f'message has "{has}" without "{lacks}"', action, "shape-pair")
            status = data.get("status")
            if isinstance(status, str):
                by_status[status].append((path, action, keys))
        for status, sends in by_status.items():
            shapes = {keys for _, _, keys in sends}
            if len(shapes) > 1:
                common = frozenset.intersection(*shapes)
                for path, action, keys in sends:
                    extra = sorted(keys - common)
                    missing = sorted(frozenset.union(*shapes) - keys)
                    if missing:
                        self.warn(
                            f"{path}.params.eventData",
                            f'"{status}" messages disagree in shape: this one lacks {", ".join(missing)}' + (f" and adds {', '.join(extra)}" if extra else ""),
                            action,
                            "shape-mismatch",
                        )

    def formulas(self, action: Action, path: str, scope: Scope) -> None:
        for key, raw in action.params.items():
            for sub_path, source in iter_formulas(raw):
                field = f"{key}.{sub_path}" if sub_path else key
                try:
                    formula = compile_formula(source)
                except FormulaSyntaxError:
                    continue  # reported by validation
                for formula_path in sorted(formula.paths):
                    message = scope.check(formula_path)
                    if message:
                        self.warn(f"{path}.params.{field}", message, action, "unknown-name", field)


def _nominal(value: Any) -> Any:
    if is_formula(value):
        return "x" * FORMULA_NOMINAL_BYTES
    if isinstance(value, dict):
        return {key: _nominal(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_nominal(item) for item in value]
    return value
