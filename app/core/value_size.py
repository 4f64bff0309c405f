"""The size of a JSON value, as the bytes of its compact JSON text, counted without writing it.

Why not ``len(json.dumps(value))``: a run checks the size of every value it keeps (each
message's Event Data, each variable), and counting stops as soon as the size is over the
room left, so a huge value costs no more than the room it would need.  Strings count
their characters (not UTF-8 bytes) and numbers 8: an estimate, close for typical data.
"""

from __future__ import annotations

from typing import Any, Final

_SCALAR: Final[dict[type, int]] = {int: 8, float: 8, bool: 5, type(None): 4}


def json_size(value: Any, limit: int) -> int:
    """About how many bytes ``value`` takes as JSON; any number over ``limit`` once it is known to be over."""
    kind = type(value)
    if kind is str:
        return len(value) + 2
    if kind is dict:  # the common case, a message of scalars: one pass, no stack (~0.4 us)
        total = 2
        for key, item in value.items():
            item_kind = type(item)
            if item_kind is str:
                total += len(key) + len(item) + 6
            elif item_kind is int or item_kind is float or item_kind is bool or item is None:
                total += len(key) + 12
            else:
                return _nested(value, limit)
        return total
    scalar = _SCALAR.get(kind)
    if scalar is not None:
        return scalar
    return _nested(value, limit)


def _nested(value: Any, limit: int) -> int:
    total = 0
    stack = [value]
    pop, push = stack.pop, stack.append
    while stack:
        current = pop()
        kind = type(current)
        if kind is dict:
            total += 2 + len(current)
            for key, item in current.items():
                total += len(key) + 3
                item_kind = type(item)
                if item_kind is str:
                    total += len(item)
                elif item_kind is dict or item_kind is list or item_kind is tuple:
                    push(item)
                else:
                    total += 8
        elif kind is list or kind is tuple:
            total += 2 + len(current)
            for item in current:
                item_kind = type(item)
                if item_kind is str:
                    total += len(item) + 2
                elif item_kind is dict or item_kind is list or item_kind is tuple:
                    push(item)
                else:
                    total += 8
        elif kind is str:
            total += len(current) + 2
        else:
            total += 8
        if total > limit:
            return total
    return total
