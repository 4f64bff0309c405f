"""Formula syntax problems of a stored value, for action params and widget props alike."""

from __future__ import annotations

from typing import Any

from app.core.formula import FormulaSyntaxError, compile_formula
from app.core.problems import Problem
from app.core.values import iter_formulas


def formula_problems(raw: Any, field: str, path: str, *, action_id: str | None = None, widget_id: str | None = None) -> list[Problem]:
    """One problem per formula in ``raw`` (a literal, a formula, or a template holding formulas) that does not parse."""
    problems = []
    for sub_path, source in iter_formulas(raw):
        try:
            compile_formula(source)
        except FormulaSyntaxError as error:
            problems.append(
                Problem(
                    f"{path}.{sub_path}" if sub_path else path,
                    f"formula syntax error: {error.message}",
                    action_id,
                    f"{field}.{sub_path}" if sub_path else field,
                    error.position,
                    code="formula-syntax",
                    widget_id=widget_id,
                )
            )
    return problems
