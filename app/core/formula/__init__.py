"""JSONata formulas: everything that knows the expression language and the library behind it.

Swapping the library means touching this package alone:

- ``adapter``: compiling and evaluating (the library choice and its measurements are in its docstring);
- ``worker``: bounded worker processes for formulas too big to run inline;
- ``reads``: which parts of the scope a formula reads (dependencies, field positions);
- ``fast_paths``: evaluators that skip the library for plain paths and grow ``$join`` incrementally.
"""

from app.core.formula.adapter import (
    MAX_DEPTH,
    MB,
    UNDEFINED,
    Formula,
    FormulaBoundError,
    FormulaError,
    FormulaEvaluationError,
    FormulaLimits,
    FormulaMemoryError,
    FormulaOffload,
    FormulaSyntaxError,
    FormulaTimeoutError,
    compile_formula,
    evaluation_bounds,
    offloading,
    to_json_value,
)

__all__ = [
    "MAX_DEPTH",
    "MB",
    "UNDEFINED",
    "Formula",
    "FormulaBoundError",
    "FormulaError",
    "FormulaEvaluationError",
    "FormulaLimits",
    "FormulaMemoryError",
    "FormulaOffload",
    "FormulaSyntaxError",
    "FormulaTimeoutError",
    "compile_formula",
    "evaluation_bounds",
    "offloading",
    "to_json_value",
]
