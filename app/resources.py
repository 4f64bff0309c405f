"""Where bundled resources (icons, examples, schema) live, from a checkout or an install."""

from __future__ import annotations

from pathlib import Path

RESOURCES = Path(__file__).resolve().parent.parent / "resources"


def resource_path(*parts: str) -> Path:
    return RESOURCES.joinpath(*parts)
