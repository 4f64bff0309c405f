"""How an action type declares its params once: types, formulas, visibility and editor hints.

The inspector form, the JSON Schema, validation and formula compilation are all
derived from these declarations (the n8n ``properties``/``displayOptions`` idea,
expressed as pydantic fields).
"""

from __future__ import annotations

import types
import typing
from dataclasses import dataclass
from typing import TYPE_CHECKING, Annotated, Any, Literal, TypeAlias, Union, get_args, get_origin

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter
from pydantic.fields import FieldInfo

from app.core.values import EnvValue, FormulaValue

T = typing.TypeVar("T")

if TYPE_CHECKING:
    # Action code reads params only after the engine has evaluated every formula and
    # validated its result against T (engine.resolve_params), so there Expr[T] is T.
    Expr: TypeAlias = Annotated[T, "formula"]
else:
    Expr = Annotated[T | FormulaValue, "formula"]
"""A param that is either a literal of type T or a formula computing one.

Bounds go on T, ``Expr[Annotated[int, Field(ge=0, le=10)]]`` (named, as
``WaitMs``), not on the field: a field constraint would also be applied to
the ``{"$formula": ...}`` branch, while T's bounds apply to literals and
formula results alike.
"""


Editor = Literal[
    "text", "multiline", "sql", "json", "number", "switch", "choice", "keyvalue", "eventdata", "formula",
    "endpoint",  # the name of one of the project's endpoints
    "pagevariable",  # the name of one of the page's variables
]  # fmt: skip


class ActionParams(BaseModel):
    """Base of every action's params model: unknown keys are errors, so typos surface on load.

    ``defer_build``: a model's validator is built when it first validates, not
    when its module is imported; the editor imports every declaration to show its
    palette but validates only the types its project uses (start-up time).
    """

    model_config = ConfigDict(extra="forbid", populate_by_name=True, defer_build=True)


def Param(  # noqa: N802 - reads like pydantic's Field at the declaration site
    default: Any = ...,
    *,
    title: str,
    description: str = "",
    shown_when: dict[str, list[Any]] | None = None,
    editor: Editor | None = None,
    secret_ok: bool = False,
    section: str | None = None,
    **constraints: Any,
) -> Any:
    """A declared param: ``shown_when={"mode": ["each"]}`` hides it unless ``mode`` is ``each``.

    ``section`` (e.g. "Advanced") groups params the inspector folds away by default.
    """
    extra: dict[str, Any] = {}
    if section:
        extra["x-section"] = section
    if shown_when:
        extra["x-shownWhen"] = shown_when
    if editor:
        extra["x-editor"] = editor
    if secret_ok:
        extra["x-secretOk"] = True
    return Field(default, title=title, description=description, json_schema_extra=extra or None, **constraints)


@dataclass(frozen=True)
class ParamSpec:
    """One param as the inspector, lint and engine see it."""

    name: str
    alias: str
    title: str
    description: str
    accepts_formula: bool
    value_type: Any
    editor: Editor
    shown_when: dict[str, list[Any]] | None
    secret_ok: bool
    required: bool
    default: Any
    section: str | None = None

    def is_shown(self, values: dict[str, Any]) -> bool:
        if not self.shown_when:
            return True
        return all(values.get(key) in allowed for key, allowed in self.shown_when.items())


def _strip_formula(annotation: Any) -> tuple[Any, bool]:
    """Split ``T | FormulaValue`` (maybe Annotated) into ``(T, True)``."""
    if get_origin(annotation) is Annotated:
        annotation = get_args(annotation)[0]
    if get_origin(annotation) in (Union, types.UnionType):
        members = [a for a in get_args(annotation) if a is not FormulaValue and a is not EnvValue]
        has_formula = len(members) < len(get_args(annotation))
        if len(members) == 1:
            return members[0], has_formula
        return Union[tuple(members)], has_formula  # noqa: UP007 - a union of a run-time tuple of types
    return annotation, False


def _default_editor(value_type: Any, info: FieldInfo) -> Editor:
    if get_origin(value_type) is Annotated:
        value_type = get_args(value_type)[0]
    origin = get_origin(value_type)
    if value_type is bool:
        return "switch"
    if value_type in (int, float):
        return "number"
    if origin is Literal:
        return "choice"
    if origin is dict:
        return "keyvalue"
    if value_type is str:
        return "text"
    return "json"


def param_specs(model: type[ActionParams]) -> list[ParamSpec]:
    """The params of a model in declaration order, derived from the pydantic fields."""
    specs: list[ParamSpec] = []
    for name, info in model.model_fields.items():
        value_type, accepts_formula = _strip_formula(info.annotation)
        if not accepts_formula and any(m == "formula" for m in info.metadata):
            accepts_formula = True
        extra: dict[str, Any] = info.json_schema_extra if isinstance(info.json_schema_extra, dict) else {}
        specs.append(
            ParamSpec(
                name=name,
                alias=info.alias or name,
                title=info.title or name,
                description=info.description or "",
                accepts_formula=accepts_formula,
                value_type=value_type,
                editor=extra.get("x-editor") or _default_editor(value_type, info),
                shown_when=extra.get("x-shownWhen"),
                secret_ok=bool(extra.get("x-secretOk")),
                required=info.is_required(),
                default=None if info.is_required() else info.get_default(call_default_factory=True),
                section=extra.get("x-section"),
            )
        )
    return specs


_adapters: dict[Any, TypeAdapter[Any]] = {}


def value_adapter(value_type: Any) -> TypeAdapter[Any]:
    """A cached validator for a formula's result, so ``Wait ms = "abc"`` fails with a typed message."""
    adapter = _adapters.get(value_type)
    if adapter is None:
        adapter = _adapters[value_type] = TypeAdapter(value_type)
    return adapter
