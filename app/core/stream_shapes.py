"""The shapes of the messages an endpoint streams, read statically from its Send streaming responses.

A page binds to ``stream.chunk.<field>``; the editor offers those fields and
warns about ones no message carries. Both need to know, without running
anything, which keys each message has and, by the convention of always
sending a ``status``, which status it is sent with.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from app.core.inputs import json_type
from app.core.project import Action, Endpoint, walk_actions
from app.core.registry import Registry, default_registry
from app.core.scope_names import FieldKind
from app.core.values import formula_source, is_formula


@dataclass(frozen=True)
class FieldInfo:
    name: str
    kind: FieldKind
    """The JSON type of the value; ``any`` for a formula whose type is not obvious from its source."""


@dataclass(frozen=True)
class MessageShape:
    """One kind of message: its status (when a literal) and its fields, and which actions send it."""

    status: str | None
    """The literal ``status`` of the Event Data; None when it is a formula or absent."""
    fields: tuple[FieldInfo, ...]
    """In the order the first sender declares them."""
    action_ids: tuple[str, ...]
    """The Send streaming response actions that send this shape, in workflow order."""

    @property
    def field_names(self) -> tuple[str, ...]:
        return tuple(info.name for info in self.fields)


def infer_message_shapes(endpoint: Endpoint, registry: Registry | None = None) -> list[MessageShape]:
    """Every distinct ``(status, key set)`` the endpoint's workflow sends, in workflow order.

    Sends inside Loops, If/else branches and Try/catch slots count like any
    other: what might be sent is what a binding must expect. Two sends with
    the same status and keys are one shape; where their field kinds differ
    the kind becomes ``any``.
    """
    registry = registry or default_registry()
    merged: dict[tuple[str | None, frozenset[str]], _Shape] = {}
    for _, action in walk_actions(endpoint.workflow):
        for data in _sent(action, registry):
            _merge(merged, action, data)
    return [shape.freeze() for shape in merged.values()]


def _sent(action: Action, registry: Registry) -> list[dict[str, Any]]:
    """The Event Data an action's declaration says it may send."""
    action_type = registry.find(action.type)
    if action_type is None or action_type.sends is None:
        return []
    return [data for data in action_type.sends(action.params) if isinstance(data, dict)]


def _merge(merged: dict[tuple[str | None, frozenset[str]], _Shape], action: Action, data: dict[str, Any]) -> None:
    status = data.get("status")
    key = (status if isinstance(status, str) else None, frozenset(data))
    shape = merged.get(key)
    if shape is None:
        merged[key] = _Shape(key[0], {name: value_kind(value) for name, value in data.items()}, [action.id])
    else:
        shape.add(action.id, {name: value_kind(value) for name, value in data.items()})


def part_fields(endpoint: Endpoint, registry: Registry | None = None) -> dict[str, list[str]]:
    """Literal part id -> the fields its messages carry, in workflow order: completion after ``stream.parts.``.

    A part id set by a formula is known only when the endpoint runs, so it is not offered.
    """
    registry = registry or default_registry()
    parts: dict[str, list[str]] = {}
    for _, action in walk_actions(endpoint.workflow):
        action_type = registry.find(action.type)
        if action_type is None or action_type.part_ids is None:
            continue
        for part in action_type.part_ids(action.params):
            if part is None:
                continue
            fields = parts.setdefault(part, [])
            for data in _sent(action, registry):
                fields.extend(name for name in data if name not in fields)
    return parts


def keys_parts(endpoint: Endpoint, registry: Registry | None = None) -> bool:
    """Whether any message of the endpoint may carry a part id (literal or formula)."""
    registry = registry or default_registry()
    for _, action in walk_actions(endpoint.workflow):
        action_type = registry.find(action.type)
        if action_type is not None and action_type.part_ids is not None and action_type.part_ids(action.params):
            return True
    return False


def chunk_fields(shapes: Iterable[MessageShape]) -> dict[str, list[str]]:
    """Field name -> the literal statuses of the messages that carry it, both in first-seen order.

    For completion: offer ``stream.chunk.label`` as "sent with status progress".
    An empty list means only messages whose status is not a literal carry it.
    """
    fields: dict[str, list[str]] = {}
    for shape in shapes:
        for info in shape.fields:
            statuses = fields.setdefault(info.name, [])
            if shape.status is not None and shape.status not in statuses:
                statuses.append(shape.status)
    return fields


@dataclass
class _Shape:
    status: str | None
    kinds: dict[str, FieldKind]
    action_ids: list[str]

    def add(self, action_id: str, kinds: dict[str, FieldKind]) -> None:
        self.action_ids.append(action_id)
        for name, kind in kinds.items():
            if self.kinds[name] != kind:
                self.kinds[name] = "any"

    def freeze(self) -> MessageShape:
        fields = tuple(FieldInfo(name, kind) for name, kind in self.kinds.items())
        return MessageShape(self.status, fields, tuple(self.action_ids))


def value_kind(value: Any) -> FieldKind:
    """The JSON type of a stored Event Data value; a formula's only when its source makes it obvious."""
    if is_formula(value):
        return formula_kind(formula_source(value))
    kind = json_type(value)
    return kind if kind in _JSON_KINDS else "any"  # type: ignore[return-value]  # _JSON_KINDS are FieldKinds


_JSON_KINDS = frozenset({"null", "boolean", "number", "string", "array", "object"})
_NUMBER = re.compile(r"-?\d+(\.\d+)?([eE][+-]?\d+)?")
_STRING = re.compile(r'"(?:[^"\\]|\\.)*"|\'(?:[^\'\\]|\\.)*\'')
_DOTTED = re.compile(r"\w+(?:\.\w+)+")
_CALL = re.compile(r"\$(\w+)\(")
_FUNCTION_KINDS: dict[str, FieldKind] = {
    **dict.fromkeys(("string", "join", "substring", "substringBefore", "substringAfter", "uppercase", "lowercase"), "string"),
    **dict.fromkeys(("trim", "pad", "replace", "formatNumber", "now"), "string"),
    **dict.fromkeys(("number", "count", "length", "sum", "max", "min", "average", "round", "floor", "ceil", "abs", "sqrt", "power", "millis"), "number"),
    **dict.fromkeys(("boolean", "exists", "not", "contains"), "boolean"),
}  # fmt: skip


def formula_kind(source: str) -> FieldKind:
    """A cheap guess from the source alone: literals, ``loop.<field>`` and a whole-formula call of a typed function."""
    text = source.strip()
    if _NUMBER.fullmatch(text):
        return "number"
    if _STRING.fullmatch(text):
        return "string"
    if text in ("true", "false"):
        return "boolean"
    if text == "null":
        return "null"
    if _DOTTED.fullmatch(text):
        return _given_field_kind(text.split("."), default_registry())
    call = _CALL.match(text)
    if call and _closing_paren(text, call.end() - 1) == len(text) - 1:
        return _FUNCTION_KINDS.get(call.group(1), "any")
    return "any"


def _given_field_kind(parts: list[str], registry: Registry) -> FieldKind:
    """The declared kind of a field a container binds (``loop.count``, ``loop.parent.index``); ``any`` otherwise."""
    root, *middle, name = parts
    for action_type in registry:
        for given in action_type.slot_scopes.values():
            if given.root == root and all(part == given.parent for part in middle):
                return given.kind_of(name)
    return "any"


def _closing_paren(text: str, start: int) -> int | None:
    """Index of the parenthesis closing the one at ``start``, skipping string literals."""
    depth = 0
    quote: str | None = None
    index = start
    while index < len(text):
        char = text[index]
        if quote:
            if char == "\\":
                index += 1
            elif char == quote:
                quote = None
        elif char in "\"'":
            quote = char
        elif char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
            if depth == 0:
                return index
        index += 1
    return None
