"""The one reader for JSON that comes from a user: files, pastes, captures, request bodies, ``-i`` values.

``json.loads`` alone accepts what later breaks us, so every user document goes
through :func:`read_json`, which refuses, with the JSON path or the line and
column:

- bytes that are not UTF-8 (``json.loads`` would raise ``UnicodeDecodeError``);
- nesting deeper than :data:`MAX_DEPTH` (``json.loads`` ends in a ``RecursionError``,
  and so would every recursive walk after it). 128 levels is serde_json's default
  bound too; a project nests about three levels per container action, so it allows
  some 40 containers inside each other, far beyond any workflow a person draws;
- ``NaN``, ``Infinity`` and numbers too large for a double (``1e400``): not JSON
  (RFC 8259 section 6), and ``json.dumps`` would write them back as invalid JSON;
- integers longer than Python's digit limit (4300 digits);
- unpaired UTF-16 surrogates (``"\\ud800"``): no UTF-8 text can hold them (RFC 7493
  section 2.1), and encoding one later fails wherever the text goes.

Depth is checked before parsing, by a scan that skips over strings with one
regular expression, so the parser never sees a document deeper than the bound.
"""

from __future__ import annotations

import json
import math
import re
import sys
from dataclasses import dataclass
from typing import Any, Final

MAX_DEPTH: Final = 128
"""Deepest nesting of arrays and objects accepted from a user."""

_TOKENS: Final = re.compile(r'"(?:[^"\\]|\\.)*"|[\[\]{}]', re.DOTALL)
_SURROGATE_ESCAPE: Final = re.compile(r"\\u[dD][89a-fA-F]")
_SURROGATE: Final = re.compile("[\ud800-\udfff]")


@dataclass
class JsonInputError(ValueError):
    """Why a user's JSON was refused and where: a JSON path (``$.a[2]``) and/or a line and column."""

    message: str
    path: str = "$"
    line: int | None = None
    column: int | None = None
    code: str = "json-syntax"

    def __post_init__(self) -> None:
        super().__init__(str(self))

    @property
    def where(self) -> str:
        if self.line is not None:
            return f"line {self.line}, column {self.column}"
        return self.path

    def __str__(self) -> str:
        return f"{self.where}: {self.message}"


class _Rejected(float):
    """Stands for a number ``json.loads`` would turn into NaN or infinity, until the walk names its path."""

    text: str

    def __new__(cls, text: str) -> _Rejected:
        value = super().__new__(cls, math.nan)
        value.text = text
        return value


def decode_utf8(data: bytes) -> str:
    """Strict UTF-8 (a leading BOM dropped); JsonInputError names the byte offset of the first bad byte."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise JsonInputError(f"not UTF-8 text: {error.reason} at byte {error.start}", code="not-utf8") from None


def _line_column(text: str, index: int) -> tuple[int, int]:
    line = text.count("\n", 0, index) + 1
    return line, index - (text.rfind("\n", 0, index) + 1) + 1


def check_depth(text: str, limit: int = MAX_DEPTH) -> None:
    """JsonInputError at the first bracket that opens level ``limit + 1``."""
    if text.count("[") + text.count("{") <= limit:
        return  # cannot be too deep: the common case costs two counts
    depth = 0
    for token in _TOKENS.finditer(text):
        char = token.group()
        if char == "[" or char == "{":
            depth += 1
            if depth > limit:
                line, column = _line_column(text, token.start())
                raise JsonInputError(f"nested deeper than {limit} levels", line=line, column=column, code="json-too-deep")
        elif char == "]" or char == "}":
            depth -= 1


def _parse_float(text: str) -> float:
    value = float(text)
    return value if math.isfinite(value) else _Rejected(text)


def _key(path: str, key: str) -> str:
    return f"{path}.{key}" if re.fullmatch(r"[A-Za-z_$][A-Za-z0-9_$]*", key) else f"{path}[{json.dumps(key)}]"


def _find_rejected(document: Any, surrogates: bool) -> None:
    """Walk (iteratively: the depth is already bounded, but recursion costs frames) for a refused value."""
    stack: list[tuple[str, Any]] = [("$", document)]
    while stack:
        path, value = stack.pop()
        if isinstance(value, _Rejected):
            raise JsonInputError(f"{value.text}: not a finite number (NaN, Infinity and numbers beyond 1.8e308 are not JSON)", path, code="json-number")
        if isinstance(value, str):
            if surrogates and _SURROGATE.search(value):
                raise JsonInputError("text with an unpaired UTF-16 surrogate (\\ud800-\\udfff)", path, code="json-surrogate")
        elif isinstance(value, dict):
            for key, item in value.items():
                if surrogates and _SURROGATE.search(key):
                    raise JsonInputError("a key with an unpaired UTF-16 surrogate (\\ud800-\\udfff)", path, code="json-surrogate")
                stack.append((_key(path, key), item))
        elif isinstance(value, list):
            stack.extend((f"{path}[{index}]", item) for index, item in enumerate(value))


def read_json(data: str | bytes, max_depth: int = MAX_DEPTH) -> Any:
    """Parse a user's JSON document; JsonInputError (a ValueError) for anything refused, with where."""
    text = decode_utf8(data) if isinstance(data, (bytes, bytearray)) else data
    check_depth(text, max_depth)
    rejected = False

    def constant(name: str) -> float:
        nonlocal rejected
        rejected = True
        return _Rejected(name)

    def number(token: str) -> float:
        nonlocal rejected
        value = _parse_float(token)
        rejected = rejected or isinstance(value, _Rejected)
        return value

    try:
        document = json.loads(text, parse_constant=constant, parse_float=number)
    except json.JSONDecodeError as error:
        raise JsonInputError(error.msg, line=error.lineno, column=error.colno) from None
    except ValueError:  # an integer beyond Python's digit limit
        raise JsonInputError(f"an integer with more than {sys.get_int_max_str_digits()} digits", code="json-number") from None
    except RecursionError:  # only with a lowered recursion limit: the depth scan ran first
        raise JsonInputError(f"nested too deeply (limit {max_depth})", code="json-too-deep") from None
    surrogates = bool(_SURROGATE_ESCAPE.search(text) or _SURROGATE.search(text))
    if rejected or surrogates:
        _find_rejected(document, surrogates)
    return document


def unpaired_surrogate(text: str) -> int | None:
    """The index of the first unpaired UTF-16 surrogate in ``text``, or None."""
    found = _SURROGATE.search(text)
    return found.start() if found else None
