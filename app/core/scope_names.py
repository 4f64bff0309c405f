"""The words declarations use for what they put in scope: JSON kinds, object shapes, the names a container gives a slot.

Action types say here, once, what the formulas after them or inside them can
read (``loop.count``, ``caughtError.message``, ``results.<id>.downloadUrl``);
scope checks, completion and message-shape inference read it from the
declaration instead of knowing any action type.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

FieldKind = Literal["string", "number", "boolean", "object", "array", "null", "any"]
"""A JSON type as a message shape or completion names it; ``any`` when it cannot be told."""

Shape = Mapping[str, FieldKind]
"""The top-level fields of an object value and their kinds."""


@dataclass(frozen=True)
class SlotScope:
    """A name a container binds for the formulas in one of its slots while the slot runs.

    ``parent``: the field through which a nested one reaches the enclosing one
    (``loop.parent``); absent in the outermost.
    """

    root: str
    fields: Shape
    parent: str | None = None
    notes: Mapping[str, str] = field(default_factory=dict)
    """One line per field for the formula reference ("0-based position of the item")."""

    def field_names(self, has_parent: bool) -> list[str]:
        """The fields in declaration order; the parent field only when there is an enclosing one."""
        names = list(self.fields)
        if self.parent is not None and has_parent:
            names.append(self.parent)
        return names

    def kind_of(self, name: str) -> FieldKind:
        return self.fields.get(name, "object" if name == self.parent else "any")
