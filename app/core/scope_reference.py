"""The names a formula can read, for the formula reference: drawn from the declarations, never listed twice.

Endpoint formulas read ``inputs``, ``variables`` and ``results`` (``app.core.scope``);
an action type's ``result_shape`` says what ``results.<id>`` holds after it, and
a container's ``slot_scopes`` what its slots read (``loop.count``,
``caughtError.message``). Page bindings read each call a Call API endpoint
exposes (``stream.chunk``...), page variables and ``page``
(``app.core.page_bindings``). Adding an action type with a result or a slot
scope adds its names here without touching this module.
"""

from __future__ import annotations

from dataclasses import dataclass

from app.core.interface import CALL_FIELDS, DEFAULT_CALL_NAME
from app.core.page_bindings import CALL_FIELD_DESCRIPTIONS, PAGE_FIELD_DESCRIPTIONS
from app.core.registry import Registry, default_registry
from app.core.scope import BASE_ROOT_NOTES, BASE_ROOTS

ENDPOINT = "Endpoint formulas"
PAGE = "Page bindings"


@dataclass(frozen=True)
class NameEntry:
    """A name a formula reads: ``loop.count`` (a number), read inside a Loop's body."""

    name: str
    kind: str
    where: str
    """Where formulas can read it: "Endpoint formulas", "Inside Loop › body", "Page bindings"."""
    description: str

    @property
    def insert_text(self) -> str:
        """What inserting it puts in a formula: the name up to its first placeholder (``results.`` for ``results.<id>``)."""
        return self.name.split("<", 1)[0]


def scope_names(registry: Registry | None = None) -> tuple[NameEntry, ...]:
    """Every name, endpoint formulas first, then each container's slot names, then page bindings."""
    registry = registry or default_registry()
    entries: list[NameEntry] = []
    placeholders = {"inputs": "<name>", "variables": "<name>", "results": "<action id>"}
    for root in BASE_ROOTS:
        entries.append(NameEntry(f"{root}.{placeholders.get(root, '<name>')}", "any", ENDPOINT, BASE_ROOT_NOTES.get(root, "")))
    for action_type in registry:
        for field, kind in (action_type.result_shape or {}).items():
            entries.append(NameEntry(f"results.<action id>.{field}", kind, ENDPOINT, f"in the result of {action_type.title}"))
    for action_type in registry:
        for slot, given in action_type.slot_scopes.items():
            where = f"Inside {action_type.title} › {slot}"
            entries.append(NameEntry(given.root, "object", where, f"what {action_type.title} gives each run of its {slot}"))
            for field in given.field_names(has_parent=True):
                note = given.notes.get(field, "")
                entries.append(NameEntry(f"{given.root}.{field}", given.kind_of(field), where, note))
    entries.append(NameEntry(DEFAULT_CALL_NAME, "object", PAGE, f"a call, under the name its Call API endpoint gives it ({DEFAULT_CALL_NAME} by default)"))
    for field in CALL_FIELDS:
        entries.append(NameEntry(f"{DEFAULT_CALL_NAME}.{field}", "any", PAGE, CALL_FIELD_DESCRIPTIONS.get(field, f"the call's {field}")))
    entries.append(NameEntry("variables.<name>", "any", PAGE, "a page variable"))
    for field, description in PAGE_FIELD_DESCRIPTIONS.items():
        entries.append(NameEntry(f"page.{field}", "string", PAGE, description))
    return tuple(entries)
