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

import re
from collections.abc import Iterable, Mapping
from typing import Final

from app.core.formula import FormulaSyntaxError, compile_formula
from app.core.interface import CALL_FIELDS
from app.core.project import Page

ANY_ROOT: Final = "*"
"""``(ANY_ROOT, None)``: the formula reads the whole scope (``$``, ``$$``, ``$eval``); every change matters."""

CHUNK: Final = "chunk"
MESSAGE_KEYS: Final = frozenset({"chunk", "chunks"})
"""Where a call holds messages: the latest, and all so far (``stream.chunks.text`` reads each message's ``text``)."""

Input = tuple[str, str | None]
"""``(root, first key)``; a key of None means anything under the root."""

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


def binding_inputs(source: str) -> frozenset[Input]:
    """The ``(root, first key)`` pairs a formula reads: ``stream.chunk.done / stream.chunk.total`` gives ``{("stream", "chunk")}``.

    ``("stream", None)`` means anything under ``stream`` (``stream``, ``stream[0]``,
    ``$keys(stream)``); ``(ANY_ROOT, None)`` means the whole scope. A formula with a
    syntax error reads nothing: its result (the error) cannot change.
    """
    try:
        formula = compile_formula(source)
    except FormulaSyntaxError:
        return frozenset()
    if formula.reads_whole_scope:
        return frozenset({(ANY_ROOT, None)})
    whole = {path[0] for path in formula.paths if len(path) == 1}
    return frozenset(
        (path[0], None if len(path) == 1 else path[1]) for path in formula.paths if len(path) == 1 or path[0] not in whole
    )


def depends_on(inputs: Iterable[Input], root: str, key: str | None = None) -> bool:
    """Whether a binding with these inputs must be re-evaluated when ``root.key`` changed (key None: anything under root)."""
    for input_root, input_key in inputs:
        if input_root == ANY_ROOT:
            return True
        if input_root == root and (input_key is None or key is None or input_key == key):
            return True
    return False


_TOKEN: Final = re.compile(
    r"""
      (?P<string>"(?:[^"\\]|\\.)*"?|'(?:[^'\\]|\\.)*'?)
    | (?P<comment>/\*.*?(?:\*/|\Z))
    | (?P<quoted>`[^`]*`?)
    | (?P<variable>\$\$?\w*)
    | (?P<name>[^\W\d]\w*)
    | (?P<number>\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)
    | (?P<space>\s+)
    | (?P<other>.)
    """,
    re.VERBOSE | re.DOTALL,
)


def _tokens(source: str) -> list[tuple[str, str, int]]:
    """``(kind, name, position)`` of every token but spaces and comments; names unquoted."""
    tokens = []
    for match in _TOKEN.finditer(source):
        kind = match.lastgroup or "other"
        text = match.group()
        if kind in ("space", "comment"):
            continue
        if kind == "quoted":
            kind, text = "name", text.strip("`")
        tokens.append((kind, text, match.start()))
    return tokens


def _is_root(tokens: list[tuple[str, str, int]], index: int) -> bool:
    """A name starts a path from the scope: it does not follow a ``.``, unless that is ``$.`` or ``$$.``."""
    if index == 0 or tokens[index - 1][1] != ".":
        return True
    return index >= 2 and tokens[index - 2][0] == "variable" and tokens[index - 2][1] in ("$", "$$")


def chunk_fields_read(source: str, stream_names: Iterable[str]) -> list[tuple[str, str, int]]:
    """``(stream name, field, position)`` for each message field the formula reads: ``<stream>.chunk.<field>``
    or ``<stream>.chunks.<field>``.

    For the warning "no message of endpoint X carries field Y": the position is
    where the field's name starts. Paths written out (``stream.chunk.label``) are
    found in the source and kept when the read analysis agrees they are read from
    the scope; those reached another way (``($c := stream.chunk; $c.label)``)
    come from the read analysis alone and point at the field's first mention,
    else at the stream's. A formula with a syntax error gives nothing (validation
    reports it).
    """
    names = set(stream_names)
    try:
        formula = compile_formula(source)
    except FormulaSyntaxError:
        return []
    read = {(path[0], path[2]) for path in formula.paths if len(path) >= 3 and path[0] in names and path[1] in MESSAGE_KEYS}
    read_whole = names if formula.reads_whole_scope else {
        path[0] for path in formula.paths if path[0] in names and (len(path) == 1 or (len(path) == 2 and path[1] in MESSAGE_KEYS))
    }
    tokens = _tokens(source)
    found: list[tuple[str, str, int]] = []
    for index in range(len(tokens) - 4):
        root, dot1, chunk, dot2, field = tokens[index : index + 5]
        if not (root[0] == "name" and root[1] in names and _is_root(tokens, index)):
            continue
        if dot1[1] != "." or chunk[0] != "name" or chunk[1] not in MESSAGE_KEYS or dot2[1] != "." or field[0] != "name":
            continue
        if (root[1], field[1]) in read or root[1] in read_whole:
            found.append((root[1], field[1], field[2]))
    located = {(name, field) for name, field, _ in found}
    for name, field in sorted(read - located):
        position = next((pos for kind, text, pos in tokens if kind == "name" and text == field), None)
        if position is None:
            position = next((pos for kind, text, pos in tokens if kind == "name" and text == name), 0)
        found.append((name, field, position))
    return sorted(found, key=lambda item: item[2])


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
