"""Param values that are literals, formulas (``{"$formula": "..."}``) or secrets (``{"$env": "NAME"}``).

A value is stored as plain JSON so project files stay readable and diffable.
Templates are compiled once into small closures because Event Data is resolved
for every streamed message and must cost next to nothing.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Mapping
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, WithJsonSchema

from app.core.formula import UNDEFINED, Formula, compile_formula

FORMULA_KEY = "$formula"
ENV_KEY = "$env"


class FormulaValue(BaseModel):
    """A value computed by a JSONata formula when the action runs."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True, frozen=True)
    formula: str = Field(alias=FORMULA_KEY, description="A JSONata expression.")

    def to_json(self) -> dict[str, str]:
        return {FORMULA_KEY: self.formula}


class EnvValue(BaseModel):
    """A secret read from an environment variable, so exported files carry no secret."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True, frozen=True)
    env: str = Field(alias=ENV_KEY, pattern=r"^[A-Za-z_][A-Za-z0-9_]*$", description="Environment variable name.")

    def to_json(self) -> dict[str, str]:
        return {ENV_KEY: self.env}


TEMPLATE_SCHEMA: dict[str, Any] = {
    "description": 'Any JSON value; an object {"$formula": "..."} anywhere inside it is a JSONata formula.',
}

Template = Annotated[Any, WithJsonSchema(TEMPLATE_SCHEMA)]
"""A JSON value that may contain formulas at any depth (Event Data, bodies, rows)."""


class SecretMissingError(LookupError):
    """An ``{"$env": NAME}`` value names a variable that is not set."""


def is_formula(value: Any) -> bool:
    return isinstance(value, FormulaValue) or (isinstance(value, dict) and len(value) == 1 and isinstance(value.get(FORMULA_KEY), str))


def is_env(value: Any) -> bool:
    return isinstance(value, EnvValue) or (isinstance(value, dict) and len(value) == 1 and isinstance(value.get(ENV_KEY), str))


def formula_source(value: Any) -> str:
    return value.formula if isinstance(value, FormulaValue) else value[FORMULA_KEY]


def env_name(value: Any) -> str:
    return value.env if isinstance(value, EnvValue) else value[ENV_KEY]


def iter_formulas(value: Any, path: str = "") -> Iterator[tuple[str, str]]:
    """Yield ``(sub_path, source)`` for every formula inside a stored value."""
    if is_formula(value):
        yield path, formula_source(value)
    elif isinstance(value, BaseModel):
        yield from iter_formulas(value.model_dump(by_alias=True), path)
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from iter_formulas(item, f"{path}.{key}" if path else str(key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from iter_formulas(item, f"{path}[{index}]")


Resolver = Callable[[Mapping[str, Any]], Any]


def _constant(value: Any) -> Resolver:
    return lambda scope: value


def _formula(formula: Formula) -> Resolver:
    return formula.resolver()


def _env(name: str) -> Resolver:
    def resolve(scope: Mapping[str, Any]) -> Any:
        try:
            return os.environ[name]
        except KeyError:
            raise SecretMissingError(f"environment variable {name} is not set") from None

    return resolve


def _object(parts: list[tuple[str, Resolver | None, Any]]) -> Resolver:
    """An object's resolver; Event Data is resolved for every message, so the usual shape (constants
    first, then formulas: ``{"status": "progress", "done": ...}``) copies the constants in one go
    and runs only the formulas, which costs about a fifth less than looking at every part."""
    lead = 0
    while lead < len(parts) and parts[lead][1] is None:
        lead += 1
    constants = {key: constant for key, _, constant in parts[:lead]}
    computed = [(key, part) for key, part, _ in parts[lead:] if part is not None]
    if len(computed) == len(parts) - lead:

        def resolve_computed(scope: Mapping[str, Any]) -> dict[str, Any]:
            result = constants.copy()
            for key, part in computed:
                item = part(scope)
                if item is not UNDEFINED:
                    result[key] = item
            return result

        return resolve_computed

    def resolve(scope: Mapping[str, Any]) -> dict[str, Any]:
        result = {}
        for key, part, constant in parts:
            item = constant if part is None else part(scope)
            if item is not UNDEFINED:
                result[key] = item
        return result

    return resolve


def _array(parts: list[Resolver]) -> Resolver:
    def resolve(scope: Mapping[str, Any]) -> list[Any]:
        items = [part(scope) for part in parts]
        return [None if item is UNDEFINED else item for item in items]

    return resolve


def compile_template(value: Any, *, allow_env: bool = False) -> Resolver:
    """Turn a stored value into a resolver; constant sub-trees are shared, formulas compiled once.

    Keys whose formula is undefined are left out of objects, as JSONata's own
    object constructor does, so a missing field stays missing in the message.
    """
    if isinstance(value, BaseModel) and not isinstance(value, (FormulaValue, EnvValue)):
        value = value.model_dump(by_alias=True)
    if is_formula(value):
        return _formula(compile_formula(formula_source(value)))
    if is_env(value):
        if not allow_env:
            raise ValueError('"$env" secrets are only accepted in params meant for secrets (headers, query, API key)')
        return _env(env_name(value))
    if isinstance(value, dict):
        if is_constant(value):
            return lambda scope: dict(value)
        parts: list[tuple[str, Resolver | None, Any]] = [
            (key, None, item) if is_constant(item) else (key, compile_template(item, allow_env=allow_env), None) for key, item in value.items()
        ]
        return _object(parts)
    if isinstance(value, list):
        if all(is_constant(item) for item in value):
            return _constant(value)
        return _array([compile_template(item, allow_env=allow_env) for item in value])
    return _constant(value)


def is_constant(value: Any) -> bool:
    """True when a stored value holds no formula and no secret anywhere inside it."""
    if is_formula(value) or is_env(value) or isinstance(value, BaseModel):
        return False
    if isinstance(value, dict):
        return all(is_constant(item) for item in value.values())
    if isinstance(value, list):
        return all(is_constant(item) for item in value)
    return True


def truthy(value: Any) -> bool:
    """JSONata's ``$boolean`` casting, so If/else agrees with formulas like ``a ? b : c``."""
    if value is UNDEFINED or value is None:
        return False
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float)):
        return value != 0
    if isinstance(value, str):
        return value != ""
    if isinstance(value, list):
        return any(truthy(item) for item in value)
    if isinstance(value, dict):
        return len(value) > 0
    return True


def contains_env(value: Any) -> bool:
    if is_env(value):
        return True
    if isinstance(value, dict):
        return any(contains_env(item) for item in value.values())
    if isinstance(value, list):
        return any(contains_env(item) for item in value)
    return False
