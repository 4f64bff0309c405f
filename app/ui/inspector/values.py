"""Stored param values as the inspector's editors show them, and back (no widgets here).

Literal cells and JSON fields use one forgiving rule: text that is valid JSON is
that JSON value, other text is a string, so ``starting`` and ``"starting"`` are
the same and ``3`` is a number. Text that starts like JSON (``{``, ``[``, ``"``)
must parse, so a typo in an object is an error rather than a silent string.
"""

from __future__ import annotations

import json
import types
from typing import Annotated, Any, Literal, Union, get_args, get_origin

from app.core.params import ParamSpec
from app.core.values import FORMULA_KEY, formula_source, is_formula

MISSING: Any = object()
JSON_START = ("{", "[", '"')


class JsonTextError(ValueError):
    """Text that starts like JSON but does not parse; the message names line and column."""


def same_value(a: Any, b: Any) -> bool:
    """Equal as stored JSON: ``1``, ``1.0`` and ``true`` differ, and so does key order."""
    if a is b:
        return True
    try:
        return json.dumps(a, sort_keys=False) == json.dumps(b, sort_keys=False)
    except (TypeError, ValueError):
        return a == b


def formula(source: str) -> dict[str, str]:
    return {FORMULA_KEY: source}


def source_of(value: Any) -> str | None:
    """The formula source of a stored formula value, else None."""
    return formula_source(value) if is_formula(value) else None


def stored_value(params: dict[str, Any], spec: ParamSpec) -> Any:
    """The value an action uses for a param: stored by alias (or name), else the declared default."""
    if spec.alias in params:
        return params[spec.alias]
    if spec.name in params:
        return params[spec.name]
    return spec.default


def parse_text(text: str, *, empty: Any) -> Any:
    """A literal from what the user typed (see the module docstring); ``empty`` for blank text."""
    stripped = text.strip()
    if not stripped:
        return empty
    try:
        return json.loads(stripped)
    except json.JSONDecodeError as error:
        if stripped.startswith(JSON_START):
            raise JsonTextError(f"line {error.lineno}, column {error.colno}: {error.msg}") from None
        return text


def format_text(value: Any, *, empty: Any, indent: int | None = None) -> str:
    """The text that ``parse_text`` reads back as ``value``."""
    if same_value(value, empty):
        return ""
    if isinstance(value, str):
        try:
            if same_value(parse_text(value, empty=MISSING), value):
                return value
        except JsonTextError:
            pass
    return json.dumps(value, indent=indent, ensure_ascii=False)


def literal_as_source(value: Any) -> str:
    """A literal as the JSONata formula that computes it (JSON is valid JSONata); an empty field starts an empty formula."""
    if value is None or value is MISSING or value == "":
        return ""
    return json.dumps(value, ensure_ascii=False)


def source_as_literal(source: str, fallback: Any, *, text_like: bool) -> Any:
    """Back from formula to literal: a constant formula keeps its value, text keeps what was typed."""
    try:
        return json.loads(source)
    except ValueError:
        return source if text_like else fallback


def _unwrap(value_type: Any) -> Any:
    return get_args(value_type)[0] if get_origin(value_type) is Annotated else value_type


def is_optional_str(value_type: Any) -> bool:
    return get_origin(value_type) in (Union, types.UnionType) and set(get_args(value_type)) == {str, type(None)}


def bounds(value_type: Any) -> tuple[float | None, float | None]:
    """``ge``/``le`` bounds of a constrained number type (``IntRange``), else ``(None, None)``."""
    low = high = None
    if get_origin(value_type) is Annotated:
        for extra in get_args(value_type)[1:]:
            for item in getattr(extra, "metadata", [extra]):
                low = getattr(item, "ge", low)
                high = getattr(item, "le", high)
    return low, high


def choices(value_type: Any) -> list[Any]:
    value_type = _unwrap(value_type)
    return list(get_args(value_type)) if get_origin(value_type) is Literal else []


def is_float(value_type: Any) -> bool:
    return _unwrap(value_type) is float


def accepts_formula(spec: ParamSpec) -> bool:
    """Formula-capable: declared ``Expr[...]``, or a JSON template (which may be a formula as a whole)."""
    return spec.accepts_formula or spec.value_type is Any


def editor_kind(spec: ParamSpec) -> str:
    """The declared editor hint; ``str | None`` (optional names) is a text field, not JSON."""
    if spec.editor == "json" and is_optional_str(spec.value_type):
        return "text"
    return spec.editor
