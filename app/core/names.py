"""Names the project gives things (endpoints, pages, recordings, stream tests): slugs, made unique with -2, -3..."""

from __future__ import annotations

import re
from collections.abc import Iterable


def slug(text: str, fallback: str = "recording") -> str:
    """``text`` as a name the project accepts: lower case letters, digits and dashes, starting with a letter or digit."""
    made = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    return made or fallback


def unique_slug(wanted: str, taken: Iterable[str], fallback: str) -> str:
    """``wanted`` as a slug, with ``-2``, ``-3``... when it is taken (as importing an endpoint does)."""
    base = slug(wanted, fallback)
    used = set(taken)
    if base not in used:
        return base
    number = 2
    while f"{base}-{number}" in used:
        number += 1
    return f"{base}-{number}"
