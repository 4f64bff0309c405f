"""app.core.formula: conformance, errors, undefined, bounds, fast path, unread data, safety, cache."""

from __future__ import annotations

import inspect
import re
from typing import Any

import pytest

import app.core.formula.adapter as formula_module
from app.core.formula import (
    MAX_DEPTH,
    UNDEFINED,
    Formula,
    FormulaBoundError,
    FormulaError,
    FormulaEvaluationError,
    FormulaLimits,
    FormulaSyntaxError,
    FormulaTimeoutError,
    compile_formula,
    to_json_value,
)
from tests.core.jsonata_cases import CASES, EVALUATION_ERROR_CASES, SYNTAX_ERROR_CASES, UNDEF, same


def _as_case_value(value: Any) -> Any:
    return UNDEF if value is UNDEFINED else value


def _assert_json_only(value: Any) -> None:
    """Plain JSON types only: no subclasses, no library-internal list or number types."""
    if value is UNDEFINED or value is None:
        return
    kind = type(value)
    assert kind in (dict, list, str, int, float, bool), f"{value!r} is a {kind}"
    if kind is float:
        assert not value.is_integer() or abs(value) >= 1e21, f"integral float {value!r} leaked"
    if kind is dict:
        for key, item in value.items():
            assert type(key) is str
            _assert_json_only(item)
    if kind is list:
        for item in value:
            _assert_json_only(item)


# --- conformance -----------------------------------------------------------------------------


@pytest.mark.parametrize(("source", "scope", "expected"), CASES, ids=[c[0][:60] for c in CASES])
def test_conformance(source: str, scope: dict[str, Any], expected: Any) -> None:
    result = compile_formula(source).evaluate(scope)
    assert same(_as_case_value(result), expected), f"{source!r} gave {result!r}, expected {expected!r}"
    _assert_json_only(result)


@pytest.mark.parametrize(("source", "scope"), EVALUATION_ERROR_CASES, ids=[c[0] for c in EVALUATION_ERROR_CASES])
def test_evaluation_errors(source: str, scope: dict[str, Any]) -> None:
    formula = compile_formula(source)
    with pytest.raises(FormulaEvaluationError) as info:
        formula.evaluate(scope)
    error = info.value
    assert not isinstance(error, FormulaTimeoutError)
    assert error.source == source
    assert error.message and error.code
    assert error.position is not None and 0 <= error.position <= len(source)
    assert str(error) == f"{error.message} at position {error.position}"


@pytest.mark.parametrize(("source", "position"), SYNTAX_ERROR_CASES, ids=[c[0] for c in SYNTAX_ERROR_CASES])
def test_syntax_errors_have_a_position(source: str, position: int) -> None:
    with pytest.raises(FormulaSyntaxError) as info:
        compile_formula(source)
    error = info.value
    assert isinstance(error, FormulaError)
    assert error.source == source
    assert error.position is not None and abs(error.position - position) <= 2
    assert str(error) == f"{error.message} at position {error.position}"


def test_syntax_error_message_format() -> None:
    with pytest.raises(FormulaSyntaxError, match=r'^Expected "\)" before end of expression at position 6$'):
        compile_formula("(1 + 2")
    with pytest.raises(FormulaSyntaxError):
        compile_formula("   ")


# --- undefined vs null -----------------------------------------------------------------------


def test_undefined_sentinel() -> None:
    assert UNDEFINED is not None
    assert not UNDEFINED
    assert repr(UNDEFINED) == "UNDEFINED"


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("a.missing", UNDEFINED),  # fast path
        ("a.n", None),  # fast path, JSON null
        ("a.missing + 1", UNDEFINED),  # library
        ("a.n ? 1 : null", None),  # library, null
        ("a.n ? 1", UNDEFINED),
        ("[a.missing]", []),
        ('{"k": a.missing}', {}),
        ('{"k": a.n}', {"k": None}),
        ("function($x) { $x }", UNDEFINED),  # a function is not a JSON value
        ("$lookup(a, 'n')", None),
    ],
)
def test_undefined_is_not_null(source: str, expected: Any) -> None:
    result = compile_formula(source).evaluate({"a": {"n": None}})
    assert result is expected if expected is UNDEFINED or expected is None else result == expected


# --- bounds ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "source",
    [
        "($f := function($n) { $f($n + 1) }; $f(0))",  # tail call: only the time bound stops it
        "($f := function($n) { $n > 0 ? $f($n - 1) : 0 }; $f(100000000))",
    ],
)
def test_runaway_formula_hits_the_time_bound(source: str) -> None:
    with pytest.raises(FormulaTimeoutError) as info:
        compile_formula(source).evaluate({}, timeout_ms=50)
    assert isinstance(info.value, FormulaEvaluationError)
    assert info.value.code == "D1012"


def test_a_runaway_over_a_huge_range_stops_at_a_bound() -> None:
    """Time or memory, whichever it reaches first on this machine: both stop it with a bound error."""
    with pytest.raises(FormulaBoundError):
        compile_formula("$count($map([1..10000000], function($v) { $v * 2 }))").evaluate({}, timeout_ms=50)


def test_deep_recursion_hits_the_depth_bound() -> None:
    source = "($f := function($n) { 1 + $f($n + 1) }; $f(0))"
    with pytest.raises(FormulaTimeoutError) as info:
        compile_formula(source).evaluate({})
    assert info.value.code == "D1011"
    with pytest.raises(FormulaTimeoutError):
        compile_formula(source).evaluate({}, max_depth=50)


def test_moderate_recursion_fits_the_default_depth() -> None:
    source = "($f := function($n) { $n = 0 ? 0 : 1 + $f($n - 1) }; $f(200))"
    assert MAX_DEPTH >= 1000
    assert compile_formula(source).evaluate({}) == 200


# --- fast path -------------------------------------------------------------------------------

FAST_SCOPES: list[dict[str, Any]] = [
    {"a": {"b": {"c": 1}}},
    {"a": {"b": {"c": 2.0}}},
    {"a": {"b": {"c": 2.5}}},
    {"a": {"b": {"c": 2**60 + 1}}},  # beyond 2**53: the library rounds like a double
    {"a": {"b": {"c": -(2**53)}}},
    {"a": {"b": {"c": 1e300}}},
    {"a": {"b": {"c": -0.0}}},
    {"a": {"b": {"c": None}}},
    {"a": {"b": {"c": True}}},
    {"a": {"b": {"c": "text"}}},
    {"a": {"b": {"c": [1, 2.0, {"d": 3.0}]}}},
    {"a": {"b": {"c": [[1], [2]]}}},
    {"a": {"b": {"c": []}}},
    {"a": {"b": {"c": {"d": [4.0]}}}},
    {"a": {"b": {}}},
    {"a": {"b": None}},
    {"a": {"b": "str"}},
    {"a": {"b": 5}},
    {"a": {"b": []}},
    {"a": {"b": [{"c": 1}, {"c": 2}]}},
    {"a": {"b": [{"c": 1}]}},
    {"a": {"b": [{"c": [1, 2]}, {"x": 0}, {"c": 3}]}},
    {"a": [{"b": {"c": 1}}, {"b": [{"c": 2}, {"c": None}]}]},
    {"a": [{"b": {"c": 7}}]},
    {"a": [[{"b": {"c": 8}}]]},
    {"a": []},
    {"a": None},
    {},
]


@pytest.mark.parametrize("source", ["a.b.c", "a.b", "a", " a . b . c ", "a.b.c.d"])
@pytest.mark.parametrize("scope", FAST_SCOPES)
def test_fast_path_agrees_with_the_library(source: str, scope: dict[str, Any]) -> None:
    formula = compile_formula(source)
    assert formula._keys is not None
    fast = formula.evaluate(scope)
    library = formula._evaluate_library(scope, FormulaLimits())
    assert same(_as_case_value(fast), _as_case_value(library)), f"fast {fast!r} != library {library!r}"
    assert type(fast) is type(library)
    _assert_json_only(fast)


@pytest.mark.parametrize("source", ["a[0]", "$.a", "a.b + 0", "true", "a.and", "`a`.b", "$a", "a.b[]"])
def test_only_plain_paths_take_the_fast_path(source: str) -> None:
    assert compile_formula(source)._keys is None


def count_calls(monkeypatch: pytest.MonkeyPatch, method: str) -> list[str]:
    """The sources of the formulas whose ``Formula.<method>`` runs from now on, in order."""
    calls: list[str] = []
    original = getattr(Formula, method)

    def counting(self: Formula, *args: Any, **kwargs: Any) -> Any:
        calls.append(self.source)
        return original(self, *args, **kwargs)

    monkeypatch.setattr(Formula, method, counting)
    return calls


@pytest.fixture
def library_calls(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The sources of the formulas that went to the library (not a fast path) during the test."""
    return count_calls(monkeypatch, "_evaluate_library")


def test_fast_path_does_not_call_the_library(library_calls: list[str]) -> None:
    calls = library_calls
    scope = {"loop": {"index": 4}, "stream": {"chunks": [{"text": "a"}, {"text": "b"}]}}
    assert compile_formula("loop.index").evaluate(scope) == 4
    assert compile_formula("loop.missing").evaluate(scope) is UNDEFINED
    assert calls == []
    assert compile_formula("stream.chunks.text").evaluate(scope) == ["a", "b"]  # a list: the library maps
    assert calls == ["stream.chunks.text"]


def test_fast_path_result_is_a_copy() -> None:
    scope = {"a": {"b": {"c": [1, 2]}}}
    result = compile_formula("a.b").evaluate(scope)
    result["c"].append(3)
    assert scope == {"a": {"b": {"c": [1, 2]}}}


@pytest.mark.parametrize("source", ['"Step " & a.b.c', 'a.b.c & " of " & a.b', "'x' & a & a.b.c.d", 'a.b.c & a.b.c', '"a&b" & "c"'])
@pytest.mark.parametrize("scope", FAST_SCOPES)
def test_joined_text_agrees_with_the_library(source: str, scope: dict[str, Any]) -> None:
    formula = compile_formula(source)
    assert formula._concat is not None
    joined = formula.evaluate(scope)
    library = formula._evaluate_library(scope, FormulaLimits())
    assert joined == library and type(joined) is str


@pytest.mark.parametrize("source", ['"a" & 1', '"a" & a[0]', '"a\\"b" & a', '"a" & $x', "a + b", '"a" & a.b & (c)', '"a" & true', "a.b"])
def test_only_literals_and_paths_take_the_join_path(source: str) -> None:
    assert compile_formula(source)._concat is None


def test_joined_text_does_not_call_the_library(library_calls: list[str]) -> None:
    calls = library_calls
    scope = {"loop": {"count": 2, "total": 3, "last": False}, "stream": {"chunk": {"label": "Exporting", "rows": [1, 2]}}}
    assert compile_formula('"Step " & loop.count & " of " & loop.total').evaluate(scope) == "Step 2 of 3"
    assert compile_formula('stream.chunk.label & " (last: " & loop.last & ")" & loop.missing').evaluate(scope) == "Exporting (last: false)"
    assert calls == []
    assert compile_formula('"rows " & stream.chunk.rows').evaluate(scope) == "rows [1,2]"  # JSON text: the library writes it
    assert compile_formula('"n=" & loop.ratio').evaluate({"loop": {"ratio": 0.1}}) == "n=0.1"  # a float: JavaScript's formatting
    assert calls == ['"rows " & stream.chunk.rows', '"n=" & loop.ratio']


RESOLVED_SOURCES = [
    *["a.b.c", "a.b", "a", "a.b.c.d", '"Step " & a.b', '"Step " & a.b.c', 'a.b.c & " of " & a.b', "'x' & a & a.b.c.d", '"a&b" & "c"', "a & a"],
    *["a.b.c * 2", "$count(a.b)"],
]
LONG_TEXT = "x" * (formula_module.INLINE_MAX_STRING - 2)


@pytest.mark.parametrize("source", RESOLVED_SOURCES)
@pytest.mark.parametrize("scope", [*FAST_SCOPES, {}, {"a": "x"}, {"a": 3}, {"a": {"b": LONG_TEXT}}, {"a": LONG_TEXT}])
def test_resolver_gives_what_evaluate_gives(source: str, scope: dict[str, Any]) -> None:
    """A template's per-message resolver only answers sooner: the same value (type included) or the same error."""
    formula = compile_formula(source)
    try:
        expected: Any = formula.evaluate(scope)
    except FormulaError as error:
        with pytest.raises(type(error), match=re.escape(error.message)):
            formula.resolver()(scope)
        return
    resolved = formula.resolver()(scope)
    assert resolved == expected or (resolved is UNDEFINED and expected is UNDEFINED)
    assert type(resolved) is type(expected)


def test_resolver_answers_simple_paths_and_joins_without_evaluate(monkeypatch: pytest.MonkeyPatch) -> None:
    """The point of a resolver: Loop x Send's fields are read by dict lookups, not through ``evaluate``."""
    calls = count_calls(monkeypatch, "evaluate")
    fresh = compile_formula.__wrapped__  # not the cached formulas: their resolvers may hold the unpatched evaluate
    sources = ("loop.count", "loop.last", '"Step " & loop.count & " of " & loop.total', 'loop.label & "!"', "loop.missing")
    resolvers = [fresh(source).resolver() for source in sources]
    scope = {"loop": {"count": 2, "total": 3, "label": "Export", "last": False}}
    assert [resolve(scope) for resolve in resolvers] == [2, False, "Step 2 of 3", "Export!", UNDEFINED]
    assert calls == ["loop.missing"]  # a missing field is evaluate's to settle (UNDEFINED)


def test_long_joined_text_keeps_the_inline_bound() -> None:
    """A result over the inline string budget is the library's (and its worker's) to build, as before."""
    text = "x" * (formula_module.INLINE_MAX_STRING // 2 + 1)
    formula = compile_formula("a & a")
    assert formula._concat is not None
    assert formula.evaluate({"a": text}) == text + text


# --- data the formula does not read ----------------------------------------------------------


def _big_scope(chunks: Any) -> dict[str, Any]:
    return {
        "loop": {"index": 3},
        "stream": {"chunk": {"done": 3, "total": 12}, "chunks": chunks},
    }


class Unreadable:
    """Not JSON: the library raises as soon as it reads one, so reading nothing proves a point."""


def test_100k_unread_chunks_give_the_right_values() -> None:
    scope = _big_scope([{"status": "chunk", "text": f"t{i}"} for i in range(100_000)])
    assert compile_formula("loop.index").evaluate(scope) == 3
    assert compile_formula("stream.chunk.done / stream.chunk.total * 100").evaluate(scope) == 25
    assert compile_formula('"Step " & stream.chunk.done & " of " & stream.chunk.total').evaluate(scope) == "Step 3 of 12"
    assert compile_formula("$count(stream.chunks)").evaluate(scope) == 100_000
    assert compile_formula("stream.chunks[-1].text").evaluate(scope) == "t99999"
    assert len(compile_formula("$join(stream.chunks.text)").evaluate(scope)) == len("".join(f"t{i}" for i in range(100_000)))


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("loop.index", 3),
        ("stream.chunk.done / stream.chunk.total * 100", 25),
        ('"Step " & stream.chunk.done & " of " & stream.chunk.total', "Step 3 of 12"),
        ('{"pct": stream.chunk.done / stream.chunk.total * 100, "i": loop.index}', {"pct": 25, "i": 3}),
        ("stream.chunk.missing", UNDEFINED),
        ("stream.chunk.missing ? 1 : 0", 0),
    ],
)
def test_unread_data_is_never_touched(source: str, expected: Any) -> None:
    formula = compile_formula(source)
    assert ("stream", "chunks") not in {path[:2] for path in formula.paths}
    for chunks in ([Unreadable()] * 100_000, Unreadable()):
        result = formula.evaluate(_big_scope(chunks))
        assert result is UNDEFINED if expected is UNDEFINED else result == expected


def test_reading_unreadable_data_is_an_evaluation_error() -> None:
    with pytest.raises(FormulaEvaluationError):
        compile_formula("stream.chunks[0]").evaluate(_big_scope([Unreadable()]))


# --- static paths ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("source", "paths", "whole"),
    [
        ("loop.index", {("loop", "index")}, False),
        (
            "stream.chunk.done / stream.chunk.total * 100",
            {("stream", "chunk", "done"), ("stream", "chunk", "total")},
            False,
        ),
        ("$join(stream.chunks.text)", {("stream", "chunks", "text")}, False),
        ("stream.chunks[status='chunk'].text", {("stream", "chunks", "status"), ("stream", "chunks", "text")}, False),
        ("($x := inputs.n; $x + 1)", {("inputs", "n")}, False),
        ("($f := function($v) { $v.y }; $f(z))", {("z",)}, False),
        ("$.inputs.n", {("inputs", "n")}, False),
        ("loop.*", {("loop",)}, False),
        ("1 + 2", set(), False),
        ("$", set(), True),
        ("$$", set(), True),
        ("*", set(), True),
        ("**.a", set(), True),
        ('$eval("a")', set(), True),
    ],
)
def test_paths(source: str, paths: set[tuple[str, ...]], whole: bool) -> None:
    formula = compile_formula(source)
    assert formula.paths == paths
    assert formula.roots == {path[0] for path in paths}
    assert formula.reads_whole_scope is whole
    assert formula.source == source


# --- JSON-only results -----------------------------------------------------------------------


def test_integral_floats_come_back_as_int() -> None:
    scope = {"a": 2.0, "b": {"c": [1.0, 2.5]}}
    for source in ("a", "a * 1", "b.c", "b", "[a, 3.0]", "10 / 5"):
        _assert_json_only(compile_formula(source).evaluate(scope))
    assert type(compile_formula("10 / 5").evaluate({})) is int
    assert type(compile_formula("a").evaluate(scope)) is int


def test_to_json_value() -> None:
    assert to_json_value((1, 2.0, {"k": 3.0})) == [1, 2, {"k": 3}]
    assert to_json_value({1: True}) == {"1": True}
    assert to_json_value(float("nan")) is None
    assert to_json_value(1e21) == 1e21 and type(to_json_value(1e21)) is float
    assert to_json_value(UNDEFINED) is UNDEFINED
    assert to_json_value(object()) is None
    _assert_json_only(to_json_value([1.0, [2.0], {"a": (3.0,)}]))


# --- cache -----------------------------------------------------------------------------------


def test_compile_is_cached() -> None:
    source = "stream.chunk.done + 123456"
    before = compile_formula.cache_info().hits
    first = compile_formula(source)
    assert compile_formula(source) is first
    assert compile_formula.cache_info().hits == before + 1


# --- no route to the host --------------------------------------------------------------------


@pytest.mark.parametrize(
    "source",
    [
        "$env('HOME')",
        "$getenv('HOME')",
        "$import('os')",
        "$__import__('os')",
        "$exec('1')",
        "$system('ls')",
        "$readFile('/etc/passwd')",
        "$open('/etc/passwd')",
        "$globals()",
    ],
)
def test_no_host_functions(source: str) -> None:
    with pytest.raises(FormulaEvaluationError) as info:
        compile_formula(source).evaluate({})
    assert info.value.code == "T1006"  # attempted to invoke a non-function


def test_eval_only_evaluates_jsonata() -> None:
    assert compile_formula('$eval("1 + a", {"a": 2})').evaluate({}) == 3
    with pytest.raises(FormulaEvaluationError, match="non-function"):
        compile_formula("$eval(\"$import('os')\")").evaluate({})


def test_python_objects_in_the_scope_are_not_callable() -> None:
    called: list[Any] = []
    scope = {"f": lambda *args: called.append(args)}
    for source in ("f(1)", "$.f(1)", "$string(f)"):
        with pytest.raises(FormulaEvaluationError):
            compile_formula(source).evaluate(scope)
    assert called == []


def test_adapter_registers_no_host_functions_and_passes_no_bindings(monkeypatch: pytest.MonkeyPatch) -> None:
    """Spy on the library's Expression: only evaluate(scope, timeout=, max_depth=) is ever used."""
    real = formula_module.Expression
    used: list[tuple[str, tuple[Any, ...], dict[str, Any]]] = []

    class Spy:
        def __init__(self, source: str) -> None:
            self._expr = real(source)

        def __getattr__(self, name: str) -> Any:
            attr = getattr(self._expr, name)

            def record(*args: Any, **kwargs: Any) -> Any:
                used.append((name, args[1:], kwargs))
                return attr(*args, **kwargs)

            return record

    monkeypatch.setattr(formula_module, "Expression", Spy)
    formula_module.compile_formula.cache_clear()
    try:
        for source in ("a.b + 0", "a.missing + 0", "a.b", "$count(a.l)"):
            compile_formula(source).evaluate({"a": {"b": 1, "l": [1, 2]}})
    finally:
        formula_module.compile_formula.cache_clear()
    assert {name for name, _, _ in used} == {"reads", "evaluate"}
    for name, args, kwargs in used:
        if name == "evaluate":
            assert args == () and set(kwargs) == {"timeout", "max_depth", "max_string_length", "max_array_length", "max_result_size"}
    assert ".register_function(" not in inspect.getsource(formula_module)


def test_an_unpaired_surrogate_is_a_syntax_error_with_its_position():
    """The root of lint, bindings and the formula editor: compile_formula is the one entry for formula text."""
    for source, position in [('"\ud800"', 1), ("\udc00", 0), ('a & "b\ud800c"', 6)]:
        with pytest.raises(FormulaSyntaxError) as caught:
            compile_formula(source)
        assert caught.value.position == position and "surrogate" in caught.value.message
