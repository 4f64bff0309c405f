"""One-line summaries of params for cards and CLI listings: ``{status: "progress", done: loop.index}``."""

from __future__ import annotations

import json
from typing import Any

from app.core.values import env_name, formula_source, is_env, is_formula

MAX_SUMMARY = 120


def inline_json(value: Any, limit: int = MAX_SUMMARY) -> str:
    """JSON with bare keys and formulas shown as their source, cut to ``limit`` characters."""
    text = _render(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _render(value: Any) -> str:
    if is_formula(value):
        return formula_source(value)
    if is_env(value):
        return f"env.{env_name(value)}"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{key}: {_render(item)}" for key, item in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(_render(item) for item in value) + "]"
    return json.dumps(value, ensure_ascii=False)
