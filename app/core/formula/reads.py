"""What a formula reads from its scope, from the library's own read analysis, and where a path is written.

Used where only changed inputs may trigger work (a page's bindings re-evaluate
only when what they read changed), so a read set is never narrower than the
truth: where it cannot be precise it is coarser (a whole root). The read
analysis follows ``$x := ...`` variables, lambdas and ``$lookup``; the
tokenizer here only places a path's field in the source, for messages that
point at it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Final

from app.core.formula.adapter import FormulaSyntaxError, compile_formula

ANY_ROOT: Final = "*"
"""``(ANY_ROOT, None)``: the formula reads the whole scope (``$``, ``$$``, ``$eval``); every change matters."""

Input = tuple[str, str | None]
"""``(root, first key)``; a key of None means anything under the root."""


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
    return frozenset((path[0], None if len(path) == 1 else path[1]) for path in formula.paths if len(path) == 1 or path[0] not in whole)


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


def fields_read(source: str, roots: Iterable[str], containers: frozenset[str]) -> list[tuple[str, str, int]]:
    """``(root, field, position)`` for each field the formula reads as ``<root>.<container>.<field>``
    (a page's ``stream.chunk.label``: root ``stream``, containers ``chunk``/``chunks``).

    For the warning "no message of endpoint X carries field Y": the position is
    where the field's name starts. Paths written out (``stream.chunk.label``) are
    found in the source and kept when the read analysis agrees they are read from
    the scope; those reached another way (``($c := stream.chunk; $c.label)``)
    come from the read analysis alone and point at the field's first mention,
    else at the stream's. A formula with a syntax error gives nothing (validation
    reports it).
    """
    names = set(roots)
    try:
        formula = compile_formula(source)
    except FormulaSyntaxError:
        return []
    read = {(path[0], path[2]) for path in formula.paths if len(path) >= 3 and path[0] in names and path[1] in containers}
    read_whole = (
        names if formula.reads_whole_scope else {path[0] for path in formula.paths if path[0] in names and (len(path) == 1 or (len(path) == 2 and path[1] in containers))}
    )
    tokens = _tokens(source)
    found: list[tuple[str, str, int]] = []
    for index in range(len(tokens) - 4):
        root, dot1, chunk, dot2, leaf = tokens[index : index + 5]
        if not (root[0] == "name" and root[1] in names and _is_root(tokens, index)):
            continue
        if dot1[1] != "." or chunk[0] != "name" or chunk[1] not in containers or dot2[1] != "." or leaf[0] != "name":
            continue
        if (root[1], leaf[1]) in read or root[1] in read_whole:
            found.append((root[1], leaf[1], leaf[2]))
    located = {(name, field) for name, field, _ in found}
    for name, field in sorted(read - located):
        position = next((pos for kind, text, pos in tokens if kind == "name" and text == field), None)
        if position is None:
            position = next((pos for kind, text, pos in tokens if kind == "name" and text == name), 0)
        found.append((name, field, position))
    return sorted(found, key=lambda item: item[2])
