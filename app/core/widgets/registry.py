"""The widget type registry: one declaration per widget type, everything else derived from it.

A widget type is declared once, in its own module of this package, the way
action types are (``app.core.registry``): its props model gives the inspector
form, the JSON Schema and validation; which props take formulas (``Expr[T]``)
says which ones are bindable. How a widget renders is the UI's business: it
looks the type up here by id. Nothing here imports Qt.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from app.core.params import ActionParams, Expr, Param, ParamSpec, param_specs

CATEGORIES = ("Basic", "Stream", "Input", "Layout")
"""Palette order of the built-in categories; any other category follows them."""


class WidgetProps(ActionParams):
    """Base of every widget's props model: every widget can be hidden or disabled by a binding.

    These two are declared here, once, and come last in ``WidgetType.specs``:
    the inspector shows what is particular to a widget first.
    """

    visible: Expr[bool] = Param(True, title="Visible", description="Hide the widget while this is false.")
    enabled: Expr[bool] = Param(True, title="Enabled", description="Grey the widget out while this is false.")


COMMON_PROPS = tuple(WidgetProps.model_fields)
"""Props every widget has (``visible``, ``enabled``), in inspector order."""


def _specs(props: type[WidgetProps]) -> list[ParamSpec]:
    """Declared props, the widget's own first (in declaration order), then the common ones."""
    specs = param_specs(props)
    own = [spec for spec in specs if spec.name not in COMMON_PROPS]
    common = sorted((spec for spec in specs if spec.name in COMMON_PROPS), key=lambda spec: COMMON_PROPS.index(spec.name))
    return own + common


@dataclass(frozen=True)
class WidgetType:
    """What a widget type is: its identity, palette entry, props, events and whether it holds widgets."""

    id: str
    title: str
    category: str
    icon: str
    """Name of ``resources/icons/widgets/<icon>.svg``."""
    description: str
    props: type[WidgetProps]
    container: bool = False
    """Only a container may have ``children``."""
    events: tuple[str, ...] = ()
    """Triggers of the interface workflows it runs, e.g. ``("click",)`` for a Button's On click."""
    summary: Callable[[dict[str, Any]], str] | None = None
    specs: list[ParamSpec] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "specs", _specs(self.props))

    def parse_props(self, raw: dict[str, Any]) -> WidgetProps:
        """Validate stored props; raises pydantic's ValidationError with paths."""
        return self.props.model_validate(raw)

    def default_props(self) -> dict[str, Any]:
        """The props a newly dropped widget starts with, as stored JSON, in inspector order."""
        dumped = self.props().model_dump(by_alias=True, mode="json", exclude_unset=False)
        return {spec.alias: dumped[spec.alias] for spec in self.specs}


class DuplicateWidgetTypeError(ValueError):
    pass


class UnknownWidgetTypeError(KeyError):
    def __str__(self) -> str:
        return f"unknown widget type {self.args[0]!r}"


class WidgetRegistry:
    """Widget types by id, in registration order."""

    def __init__(self) -> None:
        self._types: dict[str, WidgetType] = {}

    def register(self, widget_type: WidgetType) -> WidgetType:
        if widget_type.id in self._types:
            raise DuplicateWidgetTypeError(f"widget type id {widget_type.id!r} is already registered")
        self._types[widget_type.id] = widget_type
        return widget_type

    def get(self, type_id: str) -> WidgetType:
        try:
            return self._types[type_id]
        except KeyError:
            raise UnknownWidgetTypeError(type_id) from None

    def __contains__(self, type_id: object) -> bool:
        return isinstance(type_id, str) and type_id in self._types

    def __iter__(self) -> Iterator[WidgetType]:
        return iter(self._types.values())

    def __len__(self) -> int:
        return len(self._types)

    def categories(self) -> dict[str, list[WidgetType]]:
        """Types by category, built-in categories first in palette order."""
        grouped: dict[str, list[WidgetType]] = {}
        for widget_type in self._types.values():
            grouped.setdefault(widget_type.category, []).append(widget_type)
        rank = {name: index for index, name in enumerate(CATEGORIES)}
        return dict(sorted(grouped.items(), key=lambda item: rank.get(item[0], len(rank))))


def _load_builtin(registry: WidgetRegistry) -> WidgetRegistry:
    """Import every module of ``app.core.widgets``; each type module exposes ``WIDGET: WidgetType``."""
    package = importlib.import_module("app.core.widgets")
    for module_info in sorted(pkgutil.iter_modules(package.__path__), key=lambda m: m.name):
        module = importlib.import_module(f"{package.__name__}.{module_info.name}")
        declared = getattr(module, "WIDGET", None)
        if isinstance(declared, WidgetType):
            registry.register(declared)
    return registry


_default: WidgetRegistry | None = None


def default_widget_registry() -> WidgetRegistry:
    global _default
    if _default is None:
        _default = _load_builtin(WidgetRegistry())
    return _default
