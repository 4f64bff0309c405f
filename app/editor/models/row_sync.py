"""Turning "rows before" and "rows after" into the fewest row removals and insertions.

Models that follow the Document re-read the project after each change and
apply the difference with ``beginRemoveRows``/``beginInsertRows`` rather than
a reset, so views keep their selection, scroll position and expanded rows.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class RowPlan:
    removals: list[tuple[int, int]]
    """``(first, last)`` row runs to remove, last run first, so earlier rows keep their numbers."""
    insertions: list[tuple[int, int]]
    """``(first, last)`` row runs to insert (in final numbering), first run first."""
    kept: list[tuple[int, int]]
    """``(old row, new row)`` of rows that stay."""


def plan_rows(old: Sequence[Hashable], new: Sequence[Hashable]) -> RowPlan:
    from difflib import SequenceMatcher  # with the first change to a list, not at start-up

    matcher = SequenceMatcher(a=list(old), b=list(new), autojunk=False)
    kept = [(a + k, b + k) for a, b, size in matcher.get_matching_blocks() for k in range(size)]
    kept_old = {a for a, _ in kept}
    kept_new = {b for _, b in kept}
    removals = list(reversed(_runs([row for row in range(len(old)) if row not in kept_old])))
    insertions = _runs([row for row in range(len(new)) if row not in kept_new])
    return RowPlan(removals, insertions, kept)


def _runs(rows: list[int]) -> list[tuple[int, int]]:
    runs: list[tuple[int, int]] = []
    for row in rows:
        if runs and runs[-1][1] == row - 1:
            runs[-1] = (runs[-1][0], row)
        else:
            runs.append((row, row))
    return runs
