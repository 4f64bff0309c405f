"""Property: any text compiles or is a FormulaSyntaxError; a compiled formula gives a value or a FormulaError."""

from __future__ import annotations

from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from app.core.formula import FormulaError, FormulaLimits, FormulaSyntaxError, compile_formula
from tests.fuzz.strategies import ANY_TEXT, JSON_VALUES

PIECES = st.sampled_from(
    ["loop.count", "stream.chunk.done", " / ", " & ", "$join(", "$count(", ")", "(", "[", "]", "{", "}", '"', ":", ",", "?", " and ", "$x := ", ";", "$", "**", "..", "1e999", "-", "$sum(", "\ud800", "function($a){$a}", "~>", "$eval("]
)
SOURCES = st.sampled_from(['"\ud800"', 'loop.count & "\udc00"', "\ud800"]) | ANY_TEXT | st.lists(PIECES | ANY_TEXT, max_size=10).map("".join)
SCOPES = st.fixed_dictionaries({}, optional={"loop": JSON_VALUES, "stream": st.fixed_dictionaries({"chunk": JSON_VALUES}), "inputs": JSON_VALUES})


@given(SOURCES, SCOPES)
def test_any_formula_compiles_and_evaluates_or_raises_a_formula_error(source: str, scope: dict[str, Any]) -> None:
    try:
        formula = compile_formula(source)
    except FormulaSyntaxError as error:
        assert error.position is None or 0 <= error.position <= len(source)
        return
    try:
        formula.evaluate(scope, timeout_ms=200)
    except FormulaError:
        pass


JOIN_OPERANDS = st.sampled_from(['"Step "', "' of '", '""', "loop.count", "loop.total", "loop.item.name", "inputs", "stream.chunk.label", "loop"])
JOINS = st.lists(JOIN_OPERANDS, min_size=2, max_size=5).map(" & ".join)


@given(JOINS, SCOPES)
def test_joined_text_is_the_librarys(source: str, scope: dict[str, Any]) -> None:
    """Literals and paths joined with ``&`` skip the library when it is safe; the result never differs."""
    formula = compile_formula(source)
    assert formula._concat is not None
    try:
        expected: Any = formula._evaluate_library(scope, FormulaLimits(timeout_s=1.0))
    except FormulaError as error:
        expected = type(error)
    try:
        got: Any = formula.evaluate(scope)
    except FormulaError as error:
        got = type(error)
    assert got == expected
