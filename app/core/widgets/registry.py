"""The widget type registry: one declaration per widget type, everything else derived from it.

A widget type is declared once, in its own module of this package, the way
action types are (``app.core.registry``): its props model gives the inspector
form, the JSON Schema and validation; which props take formulas (``Expr[T]``)
says which ones are bindable. How a widget renders is the UI's business: it
looks the type up here by id. Nothing here imports Qt.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from app.core.params import ActionParams, Expr, Param, ParamSpec, param_specs
from app.core.type_registry import DuplicateTypeError, TypeRegistry, UnknownTypeError
from app.core.widgets.layout import DEFAULT_FIXED_WIDTH, LAYOUT_SECTION, FixedWidth, SelfAlign, Width

CATEGORIES = ("Basic", "Stream", "Input", "Layout")
"""Palette order of the built-in categories; any other category follows them."""


class WidgetProps(ActionParams):
    """Base of every widget's props model: what every widget has, declared here once.

    Every widget can be hidden or disabled by a binding, and sits in its
    container with a width and an alignment (``layout``). These come last in
    ``WidgetType.specs``, the layout ones in the inspector's folded Layout
    section: the inspector shows what is particular to a widget first.
    Layout props are literals, not bindable: a page does not reflow while it
    streams.
    """

    visible: Expr[bool] = Param(True, title="Visible", description="Hide the widget while this is false.")
    enabled: Expr[bool] = Param(True, title="Enabled", description="Grey the widget out while this is false.")
    width: Width = Param(
        "auto", title="Width", section=LAYOUT_SECTION,
        description="auto: buttons fit their label, other widgets fill; fill: all the room the container gives (shared in a row); fixed: the width below.",
    )  # fmt: skip
    fixed_width: FixedWidth = Param(DEFAULT_FIXED_WIDTH, alias="fixedWidth", title="Fixed width (px)", section=LAYOUT_SECTION, shown_when={"width": ["fixed"]})
    align: SelfAlign = Param(
        "auto", title="Align", section=LAYOUT_SECTION,
        description="Where it sits across its container: left, center, right in a column; top, center, bottom in a row. auto: as the container's Align children.",
    )  # fmt: skip


LAYOUT_PROPS = ("width", "fixed_width", "align")
"""How a widget sits in its container: every widget has them; a new widget does not store them (defaults apply)."""
COMMON_PROPS = tuple(name for name in WidgetProps.model_fields if name not in LAYOUT_PROPS)
"""Props every widget has and may bind (``visible``, ``enabled``), in inspector order."""


def _specs(props: type[WidgetProps]) -> list[ParamSpec]:
    """Declared props, the widget's own first (in declaration order), then the common ones, then the layout ones."""
    specs = param_specs(props)
    shared = (*COMMON_PROPS, *LAYOUT_PROPS)
    own = [spec for spec in specs if spec.name not in shared]
    rest = sorted((spec for spec in specs if spec.name in shared), key=lambda spec: shared.index(spec.name))
    return own + rest


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
    legacy_ids: tuple[str, ...] = ()
    placeholder_props: tuple[str, ...] = ()
    """Bound props that, while their formula has no value yet (before the first message), make the widget show its
    ``placeholder`` prop instead of design text ("Text", "Step 0 of 100")."""
    specs: list[ParamSpec] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "specs", _specs(self.props))

    def parse_props(self, raw: dict[str, Any]) -> WidgetProps:
        """Validate stored props; raises pydantic's ValidationError with paths."""
        return self.props.model_validate(raw)

    def default_props(self) -> dict[str, Any]:
        """The props a newly dropped widget starts with, as stored JSON, in inspector order.

        The shared layout props are left out: their defaults apply, and a file
        names only the layout a user chose.
        """
        dumped = self.props().model_dump(by_alias=True, mode="json", exclude_unset=False)
        return {spec.alias: dumped[spec.alias] for spec in self.specs if spec.name not in LAYOUT_PROPS}


class DuplicateWidgetTypeError(DuplicateTypeError):
    pass


class UnknownWidgetTypeError(UnknownTypeError):
    kind = "widget type"


class WidgetRegistry(TypeRegistry[WidgetType]):
    """Widget types by id, in registration order."""

    kind = "widget type"
    unknown_error = UnknownWidgetTypeError
    duplicate_error = DuplicateWidgetTypeError
    category_order = CATEGORIES


_default: WidgetRegistry | None = None


def default_widget_registry() -> WidgetRegistry:
    """The built-in widget types: every module of ``app.core.widgets`` declares one as ``WIDGET``."""
    global _default
    if _default is None:
        registry = WidgetRegistry()
        registry.load_package("app.core.widgets", "WIDGET", WidgetType)
        _default = registry
    return _default
