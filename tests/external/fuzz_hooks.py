"""Schemathesis hooks for the fuzz run of the example: a time budget, not a change of what is tested.

The example's delays and row counts are valid up to minutes of streaming a
call (``stepDelayMs`` up to 10 s per step, ``rows`` up to 100,000 at 150 ms a
batch). A generated value inside its limits is lowered to a few milliseconds'
worth, so every response stays conforming-or-not exactly as before but a
run of a few hundred calls ends in minutes; values outside the limits
(Schemathesis' negative cases) are left alone, so their 422 is still checked.
The limits themselves are tested in tests/core/test_inputs.py.
"""

from __future__ import annotations

from typing import Any

import schemathesis

CAPS = {"stepDelayMs": (0, 10_000, 5), "delayMs": (0, 2_000, 2), "rows": (0, 100_000, 10)}
"""Input -> (its minimum, its maximum, the value a valid one is lowered to at most)."""


def _capped(values: Any) -> Any:
    if not isinstance(values, dict):
        return values
    changed = dict(values)
    for name, (low, high, cap) in CAPS.items():
        value = changed.get(name)
        number = _number(value)
        if number is not None and low <= number <= high and number > cap:
            changed[name] = str(cap) if isinstance(value, str) else cap
    return changed


def _number(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return value
    if isinstance(value, str):
        try:
            return float(value) if value.strip().lstrip("-").isdigit() else None
        except ValueError:
            return None
    return None


@schemathesis.hook
def map_case(context: schemathesis.HookContext, case: schemathesis.Case) -> schemathesis.Case:
    case.query = _capped(case.query)
    case.body = _capped(case.body)
    return case
