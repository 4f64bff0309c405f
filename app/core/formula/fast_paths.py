"""Evaluating a formula without the library where the result is the same and cheaper to get.

A page's bindings re-evaluate up to 60 times a second over a stream that may
hold 100,000 messages: ``stream.chunk.label`` is a chain of dict lookups,
and ``$join(stream.chunks.text)`` only needs the text of the messages added
since the last frame. Anything these cannot answer exactly (a list on a
path, a non-string field) goes to the library, which gives the exact result
or error.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any, Final

from app.core.formula.adapter import UNDEFINED, Formula, to_json_value

__all__ = ["Evaluator", "fast_evaluator"]

Evaluator = Callable[[Mapping[str, Any]], Any]
"""Scope in, JSON value (or UNDEFINED) out; raises the adapter's FormulaError."""

_MISSING: Final = object()
_NAME: Final = r"[A-Za-z_][A-Za-z0-9_]*"
_KEYWORDS: Final = frozenset({"and", "or", "in", "true", "false", "null", "function"})
_PLAIN_PATH: Final = re.compile(rf"\s*({_NAME}(?:\s*\.\s*{_NAME})*)\s*")
_JOIN_FIELD: Final = re.compile(rf"""\s*\$join\(\s*(?P<path>{_NAME}(?:\s*\.\s*{_NAME})+)\s*(?:,\s*(?:"(?P<dq>[^"\\]*)"|'(?P<sq>[^'\\]*)')\s*)?\)\s*""")


def fast_evaluator(source: str, formula: Formula, timeout_ms: int) -> Evaluator:
    """The cheapest way to evaluate ``formula`` that gives the library's result (the library bounded by ``timeout_ms``)."""
    keys = _plain_keys(source)
    if keys is not None:
        return _PathEvaluator(formula, keys, timeout_ms)
    join = _JOIN_FIELD.fullmatch(source)
    if join is not None:
        path = tuple(part.strip() for part in join.group("path").split("."))
        if not any(key in _KEYWORDS for key in path):
            separator = join.group("dq") if join.group("dq") is not None else join.group("sq") or ""
            return _JoinFieldEvaluator(formula, path[:-1], path[-1], separator, timeout_ms)
    return _LibraryEvaluator(formula, timeout_ms)


def _plain_keys(source: str) -> tuple[str, ...] | None:
    match = _PLAIN_PATH.fullmatch(source)
    if match is None:
        return None
    keys = tuple(part.strip() for part in match.group(1).split("."))
    return None if any(key in _KEYWORDS for key in keys) else keys


def _lookup(scope: Mapping[str, Any], keys: tuple[str, ...]) -> Any:
    """Follow ``keys`` through mappings, by reference; UNDEFINED if missing, ``_MISSING`` where JSONata would map over a list."""
    value: Any = scope
    for key in keys:
        if type(value) is dict or isinstance(value, Mapping):
            value = value.get(key, _MISSING)
            if value is _MISSING:
                return UNDEFINED
        elif type(value) is list or type(value) is tuple:
            return _MISSING
        else:
            return UNDEFINED
    return value


class _LibraryEvaluator:
    __slots__ = ("formula", "timeout_ms")

    def __init__(self, formula: Formula, timeout_ms: int) -> None:
        self.formula = formula
        self.timeout_ms = timeout_ms

    def __call__(self, scope: Mapping[str, Any]) -> Any:
        return self.formula.evaluate(scope, timeout_ms=self.timeout_ms)


class _PathEvaluator:
    """``a.b.c`` through dicts: the value itself, a list or object by reference (the adapter would copy it)."""

    __slots__ = ("formula", "keys", "timeout_ms")

    def __init__(self, formula: Formula, keys: tuple[str, ...], timeout_ms: int) -> None:
        self.formula = formula
        self.keys = keys
        self.timeout_ms = timeout_ms

    def __call__(self, scope: Mapping[str, Any]) -> Any:
        value = _lookup(scope, self.keys)
        if value is _MISSING:  # a list on the way: JSONata maps over it
            return self.formula.evaluate(scope, timeout_ms=self.timeout_ms)
        kind = type(value)
        if kind is list or kind is dict or kind is str or kind is bool or value is None or value is UNDEFINED:
            return value
        return to_json_value(value)


class _JoinFieldEvaluator:
    """``$join(<list path>.<field>[, sep])``, appending only the items added since the last call.

    The list is taken to have only grown when it is the same object, or when the
    last item joined so far is still at its place. Any item whose field is not a
    string (or missing) hands the call to the library, which gives the exact
    result or error.
    """

    __slots__ = ("formula", "list_keys", "field", "separator", "timeout_ms", "_items", "_consumed", "_last_item", "_text", "_parts")

    def __init__(self, formula: Formula, list_keys: tuple[str, ...], field: str, separator: str, timeout_ms: int) -> None:
        self.formula = formula
        self.timeout_ms = timeout_ms
        self.list_keys = list_keys
        self.field = field
        self.separator = separator
        self._forget()

    def _forget(self) -> None:
        self._items: list[Any] | None = None
        self._consumed = 0
        self._last_item: Any = _MISSING
        self._text = ""
        self._parts = 0

    def __call__(self, scope: Mapping[str, Any]) -> Any:
        items = _lookup(scope, self.list_keys)
        if type(items) is not list:
            self._forget()
            return self.formula.evaluate(scope, timeout_ms=self.timeout_ms)
        consumed = self._consumed
        grown = len(items) >= consumed and (items is self._items or consumed == 0 or items[consumed - 1] is self._last_item)
        if not grown:
            self._forget()
            consumed = 0
        field = self.field
        new: list[str] = []
        for index in range(consumed, len(items)):
            item = items[index]
            kind = type(item)
            if kind is dict:
                value = item.get(field, _MISSING)
                if value is _MISSING:
                    continue
                if type(value) is str:
                    new.append(value)
                    continue
            elif kind is not list and kind is not tuple:
                continue  # a step into a scalar gives nothing
            self._forget()  # arrays flatten, non-strings are an error: the library says exactly how
            return self.formula.evaluate(scope, timeout_ms=self.timeout_ms)
        if new:
            joined = self.separator.join(new)
            self._text = f"{self._text}{self.separator}{joined}" if self._parts else joined
            self._parts += len(new)
        self._items = items
        self._consumed = len(items)
        self._last_item = items[-1] if items else _MISSING
        return self._text if self._parts else UNDEFINED
