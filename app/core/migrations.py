"""Format migrations: one step per format version, applied in order on load.

``MIGRATIONS[n]`` turns a version-``n`` document into version ``n + 1``.
Format 1 is the first released format, so there are no steps yet; a change to
the format adds a step here and bumps ``project.FORMAT_VERSION``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from app.core.project import FORMAT_VERSION

Document = dict[str, Any]
MIGRATIONS: dict[int, Callable[[Document], Document]] = {}


class UnsupportedFormatError(ValueError):
    pass


def migrate(document: Document, *, current: int = FORMAT_VERSION, steps: dict[int, Callable[[Document], Document]] | None = None) -> Document:
    """Bring a parsed document up to ``current``; refuse files from a newer release."""
    steps = MIGRATIONS if steps is None else steps
    version = document.get("formatVersion", 1)
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise UnsupportedFormatError(f"formatVersion must be a positive integer, got {version!r}")
    if version > current:
        raise UnsupportedFormatError(f"formatVersion {version} is newer than this Streamwright supports ({current}); update Streamwright")
    while version < current:
        step = steps.get(version)
        if step is None:
            raise UnsupportedFormatError(f"no migration from formatVersion {version}")
        document = step(dict(document))
        version += 1
        document["formatVersion"] = version
    return document
