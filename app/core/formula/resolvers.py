"""A formula as the closure a template calls for every message (``Formula.resolver()``).

``Formula.evaluate`` works out at each call what kind of formula it holds (a
plain path, an ``&`` join of literals and paths, anything else for the
library). A Send streaming response in a loop evaluates the same few formulas
for every message, so the resolver decides once and answers the simple cases
itself: every step a plain dict, the value a string, a boolean, null or an
integer a double holds exactly. Anything else (a missing field, a list on the
path, a float, a long result) goes to ``evaluate``, which gives the exact
result, UNDEFINED or error: a resolver cannot answer differently, only sooner.

Paths of one or two names (``loop.count``, ``inputs.n``: nearly all of them)
are unrolled, which takes another fifth off; measured per message with
``tests/perf/bench_cpu_per_message.py``: a path costs about two thirds of
``evaluate``, a join about half.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, Final

from app.core.formula.concat import Part

Resolve = Callable[[Mapping[str, Any]], Any]

SAFE_INT: Final = 2**53
"""Integers a double holds exactly: the library gives these back as they are."""
_ABSENT: Final = object()
"""Not found, or not a plain dict on the way: ``evaluate`` settles it."""


def path_resolver(keys: tuple[str, ...], evaluate: Resolve) -> Resolve:
    """``a.b.c`` read by dict lookups; ``evaluate`` for whatever that cannot settle."""
    read = _reader(keys)

    def resolve(scope: Mapping[str, Any]) -> Any:
        value = read(scope)
        kind = type(value)
        if kind is int:
            if -SAFE_INT <= value <= SAFE_INT:
                return value
        elif kind is str or kind is bool or value is None:
            return value
        return evaluate(scope)

    if len(keys) == 2:  # the same, unrolled: the common case
        first, second = keys

        def resolve_two(scope: Mapping[str, Any]) -> Any:
            if type(scope) is dict:
                value = scope.get(first, _ABSENT)
                if type(value) is dict:
                    value = value.get(second, _ABSENT)
                    kind = type(value)
                    if kind is int:
                        if -SAFE_INT <= value <= SAFE_INT:
                            return value
                    elif kind is str or kind is bool or value is None:
                        return value
            return evaluate(scope)

        return resolve_two
    return resolve


def concat_resolver(parts: tuple[Part, ...], max_length: int, evaluate: Resolve) -> Resolve:
    """Literals and plain paths joined by ``&`` (``app.core.formula.concat``), strings and exact integers only."""
    steps = tuple((part, None) if isinstance(part, str) else ("", _reader(part)) for part in parts)

    def resolve(scope: Mapping[str, Any]) -> Any:
        text = ""
        for literal, read in steps:
            if read is None:
                text += literal
                continue
            value = read(scope)
            kind = type(value)
            if kind is str:
                text += value
            elif kind is int and -SAFE_INT <= value <= SAFE_INT:
                text += str(value)
            else:
                return evaluate(scope)
        return text if len(text) <= max_length else evaluate(scope)

    literal, path = parts[0], parts[-1]
    if len(parts) == 2 and isinstance(literal, str) and isinstance(path, tuple) and len(path) == 2:  # "Step " & loop.count, unrolled
        first, second = path

        def resolve_literal_path(scope: Mapping[str, Any]) -> Any:
            if type(scope) is dict:
                value = scope.get(first, _ABSENT)
                if type(value) is dict:
                    value = value.get(second, _ABSENT)
                    kind = type(value)
                    if kind is str:
                        text = literal + value
                    elif kind is int and -SAFE_INT <= value <= SAFE_INT:
                        text = literal + str(value)
                    else:
                        return evaluate(scope)
                    if len(text) <= max_length:
                        return text
            return evaluate(scope)

        return resolve_literal_path
    return resolve


def _reader(keys: tuple[str, ...]) -> Callable[[Any], Any]:
    """The value at ``keys`` through plain dicts, else ``_ABSENT``."""
    if len(keys) == 1:
        (only,) = keys
        return lambda scope: scope.get(only, _ABSENT) if type(scope) is dict else _ABSENT

    def read(scope: Any) -> Any:
        value = scope
        for key in keys:
            if type(value) is not dict:
                return _ABSENT
            value = value.get(key, _ABSENT)
        return value

    return read
