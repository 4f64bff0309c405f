"""What a page's bindings read: which inputs each formula depends on, and what completion offers.

A page re-evaluates bindings on a frame timer (about 60 Hz), but only those
whose inputs changed since the last frame: a stream's chunk or status, a page
variable. ``binding_inputs`` is that dependency, so it must never leave out
something a formula reads; where it cannot be precise it is coarser (a whole
root), never narrower. It comes from the JSONata library's own read analysis
(through ``app.core.formula``), which follows ``$x := ...`` variables, lambdas
and ``$lookup``, and already knows which names a formula binds itself.

Scope of a binding: each call a Call API endpoint action exposes (``stream``
by default) as ``{chunk, chunks, status, error, count, result}``,
``variables`` (page variables by name) and ``page`` (``{name, title}``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Final

from app.core.formula.reads import ANY_ROOT, Input, binding_inputs, depends_on, fields_read
from app.core.interface import CALL_FIELDS
from app.core.project import Page

__all__ = ["ANY_ROOT", "Input", "binding_inputs", "binding_scope_names", "chunk_field_entries", "chunk_fields_read", "depends_on"]

CHUNK: Final = "chunk"
MESSAGE_KEYS: Final = frozenset({"chunk", "chunks"})
"""Where a call holds messages: the latest, and all so far (``stream.chunks.text`` reads each message's ``text``)."""

CALL_FIELD_DESCRIPTIONS: Final[Mapping[str, str]] = {
    "chunk": "the latest message of the stream",
    "chunks": "every message so far, oldest first",
    "parts": "the latest message of each part id (keyed parts)",
    "status": "idle, running, done, error or cancelled",
    "error": "why the call failed, when it did",
    "count": "how many messages have arrived",
    "result": "the endpoint's response, once it has finished",
}
PAGE_FIELD_DESCRIPTIONS: Final[Mapping[str, str]] = {
    "name": "this page's name",
    "title": "this page's title",
}


def chunk_fields_read(source: str, stream_names: Iterable[str]) -> list[tuple[str, str, int]]:
    """``(stream name, field, position)`` for each message field the formula reads: ``<stream>.chunk.<field>``
    or ``<stream>.chunks.<field>``, for the warning "no message of endpoint X carries field Y"."""
    return fields_read(source, stream_names, MESSAGE_KEYS)


def binding_scope_names(page: Page, call_names: Iterable[str]) -> list[tuple[str, str]]:
    """Completion entries ``(name, description)`` for a binding on ``page``: each call's fields, page variables, ``page``."""
    entries: list[tuple[str, str]] = []
    for call in dict.fromkeys(call_names):
        for field in CALL_FIELDS:
            entries.append((f"{call}.{field}", CALL_FIELD_DESCRIPTIONS.get(field, f"the call's {field}")))
    for variable in dict.fromkeys(v.name for v in page.variables):
        entries.append((f"variables.{variable}", "page variable"))
    for field, description in PAGE_FIELD_DESCRIPTIONS.items():
        entries.append((f"page.{field}", description))
    return entries


def chunk_field_entries(call_name: str, fields: Mapping[str, list[str]]) -> list[tuple[str, str]]:
    """Completion entries for ``<call>.chunk.<field>`` from ``stream_shapes.chunk_fields``: "sent with status progress, done"."""
    entries = []
    for field, statuses in fields.items():
        description = f"sent with status {', '.join(statuses)}" if statuses else "sent by messages without a literal status"
        entries.append((f"{call_name}.{CHUNK}.{field}", description))
    return entries
