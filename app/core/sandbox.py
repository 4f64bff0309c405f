"""Path checks that keep file names from formulas inside their folder."""

from __future__ import annotations

import re
from pathlib import Path, PurePosixPath


class PathOutsideSandboxError(ValueError):
    pass


def safe_join(root: Path, name: str) -> Path:
    """``root / name`` if it stays inside ``root``; otherwise PathOutsideSandboxError.

    Absolute names, ``..`` segments, backslashes, drive letters (``C:``) and NUL bytes are
    refused outright; the resolved path is checked too, so a symlink inside the
    folder cannot lead out of it.
    """
    if not name or not name.strip():
        raise PathOutsideSandboxError("the file name is empty")
    if "\x00" in name or "\\" in name or re.match(r"^[A-Za-z]:", name):
        raise PathOutsideSandboxError(f"file name {name!r} contains a forbidden character")
    pure = PurePosixPath(name)
    if pure.is_absolute() or any(part == ".." for part in pure.parts):
        raise PathOutsideSandboxError(f"file name {name!r} would leave its folder")
    root_resolved = root.resolve()
    target = (root_resolved / pure).resolve()
    if not target.is_relative_to(root_resolved) or target == root_resolved:
        raise PathOutsideSandboxError(f"file name {name!r} would leave its folder")
    return target
