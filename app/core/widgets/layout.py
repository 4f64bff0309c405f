"""Page layout, declared once: how a container lays out its children and how each widget sits in its container.

The vocabulary follows CSS flexbox, which most page builders copy, in the
small part a streaming page needs:

- A container lays its children out in a ``row`` (side by side) or a
  ``column`` (stacked), ``spacing`` px apart, and aligns them across that
  direction (``alignChildren``: start, center, end or stretch; stretch is the
  default and what the page itself does).
- Every widget has a ``width`` (``auto``: buttons fit their label, the other
  widgets fill; ``fill``: all the room its container gives it, shared with the
  other filling widgets of a row; ``fixed``: ``fixedWidth`` px) and an
  ``align`` (``auto``: as its container's ``alignChildren``) that places it
  across its container: left, centre or right in a column; top, centre or
  bottom in a row. ``stretch`` fills that direction; a widget that keeps its
  size there (a fixed width, a button's height) sits at the start.
- In a column, a widget of ``auto`` width aligned start, center or end takes
  its natural width, as a flex item does, so centring a Text centres it.

The shared per-widget props live on ``WidgetProps`` (``registry``), the
container's on ``ContainerProps``; this module holds their types and the
resolution renderers use, so the Qt side never guesses a default. Props are
read raw (as stored): a value that does not validate (the Problems panel
reports it) renders as the default.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any, Literal, get_args

from pydantic import Field

Direction = Literal["row", "column"]
Align = Literal["start", "center", "end", "stretch"]
SelfAlign = Literal["auto", "start", "center", "end", "stretch"]
Width = Literal["auto", "fill", "fixed"]
FixedWidth = Annotated[int, Field(ge=16, le=4000)]
Spacing = Annotated[int, Field(ge=0, le=200)]

DEFAULT_DIRECTION: Direction = "column"
DEFAULT_SPACING = 12
DEFAULT_ALIGN: Align = "stretch"
DEFAULT_FIXED_WIDTH = 240
FIXED_WIDTH_RANGE = (16, 4000)
SPACING_RANGE = (0, 200)

LAYOUT_SECTION = "Layout"
"""The inspector section that holds how a widget sits in its container."""


@dataclass(frozen=True)
class ContainerLayout:
    """How a container (or the page itself) lays out its children."""

    direction: Direction = DEFAULT_DIRECTION
    spacing: int = DEFAULT_SPACING
    align: Align = DEFAULT_ALIGN

    @property
    def row(self) -> bool:
        return self.direction == "row"


PAGE_LAYOUT = ContainerLayout("column", 14, "stretch")
"""The page's own body: a column of its top-level widgets."""


@dataclass(frozen=True)
class ItemLayout:
    """How one widget sits in its container, resolved: ``align`` is never ``auto`` here."""

    width: Width
    fixed_width: int
    align: Align


def _choice(value: Any, allowed: Any, default: Any) -> Any:
    return value if isinstance(value, str) and value in get_args(allowed) else default


def _int(value: Any, bounds: tuple[int, int], default: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not bounds[0] <= value <= bounds[1]:
        return default
    return value


def container_layout(props: dict[str, Any]) -> ContainerLayout:
    """A container's layout from its stored props."""
    return ContainerLayout(
        direction=_choice(props.get("direction"), Direction, DEFAULT_DIRECTION),
        spacing=_int(props.get("spacing"), SPACING_RANGE, DEFAULT_SPACING),
        align=_choice(props.get("alignChildren"), Align, DEFAULT_ALIGN),
    )


def item_layout(props: dict[str, Any], container: ContainerLayout) -> ItemLayout:
    """A widget's place in ``container`` from its stored props; ``align: auto`` takes the container's."""
    align = _choice(props.get("align"), SelfAlign, "auto")
    return ItemLayout(
        width=_choice(props.get("width"), Width, "auto"),
        fixed_width=_int(props.get("fixedWidth"), FIXED_WIDTH_RANGE, DEFAULT_FIXED_WIDTH),
        align=container.align if align == "auto" else align,
    )


def fills_width(item: ItemLayout, container: ContainerLayout, natural_fill: bool) -> bool:
    """Whether the widget takes the width its container offers (``natural_fill``: its type fills when ``auto``).

    In a row that is a share of the leftover width; in a column the whole
    width, unless ``auto`` width is aligned start, center or end.
    """
    if item.width != "auto":
        return item.width == "fill"
    if container.row:
        return natural_fill
    return natural_fill and item.align == "stretch"
