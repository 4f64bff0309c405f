"""Joining text without the library: ``"Step " & loop.count & " of " & loop.total``.

A message's label or a binding's text is usually string literals and plain
paths joined with ``&``. Through the library such a formula costs about five
times a plain path, on every message; here it is a few dict lookups and one
``str.join``. Only what has one obvious text takes this path: strings, integers
a double holds exactly, ``true``/``false``, ``null`` and a missing value (empty,
as JSONata's ``&`` makes it). A float (JavaScript's number formatting), an
object or array (JSON text), a list on the path (JSONata maps over it), a
mapping that is not a plain dict, or a result longer than the caller's limit
returns None, and the library gives the exact result, error or bound.
"""

from __future__ import annotations

import re
from typing import Any, Final

Part = str | tuple[str, ...]
"""A string literal's text, or the keys of a plain path."""

_NAME: Final = r"[A-Za-z_][A-Za-z0-9_]*"
_KEYWORDS: Final = frozenset({"and", "or", "in", "true", "false", "null", "function"})
_OPERAND: Final = rf"""(?:"[^"\\]*"|'[^'\\]*'|{_NAME}(?:\s*\.\s*{_NAME})*)"""
_CONCAT: Final = re.compile(rf"\s*{_OPERAND}(?:\s*&\s*{_OPERAND})+\s*")
_TOKEN: Final = re.compile(rf"""\s*(?:"(?P<dq>[^"\\]*)"|'(?P<sq>[^'\\]*)'|(?P<path>{_NAME}(?:\s*\.\s*{_NAME})*))\s*(?:&|$)""")
_SAFE_INT: Final = 2**53
_ABSENT: Final = object()


def concat_parts(source: str) -> tuple[Part, ...] | None:
    """The operands of ``source`` when it is only literals and plain paths joined by ``&``, else None."""
    if _CONCAT.fullmatch(source) is None:
        return None
    parts: list[Part] = []
    for token in _TOKEN.finditer(source):
        path = token.group("path")
        if path is None:
            literal = token.group("dq")
            parts.append(token.group("sq") if literal is None else literal)
            continue
        keys = tuple(key.strip() for key in path.split("."))
        if any(key in _KEYWORDS for key in keys):
            return None
        parts.append(keys)
    return tuple(parts)


def _text(value: Any) -> str | None:
    kind = type(value)
    if kind is str:
        return value
    if kind is int:
        return str(value) if -_SAFE_INT <= value <= _SAFE_INT else None
    if kind is bool:
        return "true" if value else "false"
    if value is None:
        return "null"
    return None


def concat(parts: tuple[Part, ...], scope: Any, max_length: int) -> str | None:
    """The joined text, or None when the library must decide (see the module's docstring)."""
    texts: list[str] = []
    append = texts.append
    for part in parts:
        if isinstance(part, str):
            append(part)
            continue
        value = scope
        for key in part:  # inline rather than a helper: this runs for every message
            kind = type(value)
            if kind is dict:
                value = value.get(key, _ABSENT)
                if value is _ABSENT:
                    break
            elif kind is list or kind is tuple or (kind is not str and hasattr(value, "keys")):
                return None  # JSONata maps over a list; other mappings are the library's to read
            else:
                value = _ABSENT  # a step into a scalar or null has no value
                break
        kind = type(value)
        if kind is str:
            append(value)
        elif kind is int and -_SAFE_INT <= value <= _SAFE_INT:
            append(str(value))
        elif value is not _ABSENT:  # a missing value joins as nothing
            text = _text(value)
            if text is None:
                return None
            append(text)
    text = "".join(texts)
    return text if len(text) <= max_length else None
