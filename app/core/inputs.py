"""Typed endpoint inputs: defaults, required checks and conversion from text (CLI ``-i``, query strings)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from app.core.json_input import JsonInputError, read_json, unpaired_surrogate
from app.core.project import Endpoint, EndpointInput

_TYPES: dict[str, tuple[type, ...]] = {
    "string": (str,),
    "number": (int, float),
    "integer": (int,),
    "boolean": (bool,),
    "object": (dict,),
    "array": (list,),
}


class InputError(ValueError):
    """Bad or missing inputs; ``errors`` maps each input name to what is wrong with it."""

    def __init__(self, errors: dict[str, str]) -> None:
        self.errors = errors
        super().__init__("; ".join(f"input {name!r}: {message}" for name, message in errors.items()))


def _from_text(spec: EndpointInput | None, text: str) -> Any:
    surrogate = unpaired_surrogate(text)
    if surrogate is not None:  # e.g. bytes that were not UTF-8 on a command line, kept by Python as surrogates
        raise ValueError(f"not UTF-8 text (at character {surrogate})")
    if spec is None or spec.type == "string":
        return text
    if spec.type == "boolean":
        lowered = text.strip().lower()
        if lowered in ("true", "1", "yes", "on"):
            return True
        if lowered in ("false", "0", "no", "off"):
            return False
        raise ValueError(f"expected true or false, got {text!r}")
    try:
        return read_json(text)
    except JsonInputError as error:
        if error.code == "json-syntax":
            raise ValueError(f"expected {spec.type}, got {text[:80]!r}") from None
        raise ValueError(f"expected {spec.type}: {error}") from None


def check_type(spec: EndpointInput, value: Any) -> Any:
    """The value if it has the declared type (an integral number passes as integer)."""
    if spec.type == "integer" and isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, bool) and spec.type in ("number", "integer"):
        raise ValueError(f"expected {spec.type}, got boolean")
    if not isinstance(value, _TYPES[spec.type]):
        raise ValueError(f"expected {spec.type}, got {json_type(value)}")
    _check_limits(spec, value)
    return value


def _check_limits(spec: EndpointInput, value: Any) -> None:
    if spec.type in ("number", "integer"):
        if spec.minimum is not None and value < spec.minimum:
            raise ValueError(f"must be at least {spec.minimum}, got {value}")
        if spec.maximum is not None and value > spec.maximum:
            raise ValueError(f"must be at most {spec.maximum}, got {value}")
    if spec.type == "string" and spec.max_length is not None and len(value) > spec.max_length:
        raise ValueError(f"must be at most {spec.max_length} characters, got {len(value)}")


def json_type(value: Any) -> str:
    """The JSON type name of a Python value (``null``, ``boolean``, ``number``...); else its Python type's name."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    return "object" if isinstance(value, dict) else type(value).__name__


def parse_text_inputs(endpoint: Endpoint, raw: Mapping[str, str]) -> dict[str, Any]:
    """Text values (CLI ``-i``, query strings) turned into their declared types and checked against their limits.

    Checked here too, not only in ``coerce_inputs``, because a JSON body may override a query value: a bad
    value is refused wherever it was given. Unknown names pass through (``coerce_inputs`` names them).
    """
    declared = {spec.name: spec for spec in endpoint.inputs}
    values: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for name, text in raw.items():
        spec = declared.get(name)
        try:
            values[name] = check_type(spec, _from_text(spec, text)) if spec is not None else text
        except ValueError as error:
            errors[name] = str(error)
    if errors:
        raise InputError(errors)
    return values


def coerce_inputs(endpoint: Endpoint, raw: Mapping[str, Any], *, from_text: bool = False) -> dict[str, Any]:
    """Validated inputs with defaults applied; unknown names are refused so typos are caught."""
    if from_text:
        raw = parse_text_inputs(endpoint, raw)
    errors: dict[str, str] = {}
    declared = {spec.name: spec for spec in endpoint.inputs}
    for name in raw:
        if name not in declared:
            known = ", ".join(declared) or "none"
            errors[name] = f"not an input of {endpoint.name} (inputs: {known})"
    values: dict[str, Any] = {}
    for spec in endpoint.inputs:
        if spec.name in raw:
            try:
                values[spec.name] = check_type(spec, raw[spec.name])
            except ValueError as error:
                errors[spec.name] = str(error)
        elif spec.required:
            errors[spec.name] = "is required"
        else:
            values[spec.name] = spec.default
    if errors:
        raise InputError(errors)
    return values
