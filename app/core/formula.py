"""JSONata formulas: the one place where formula source is compiled and evaluated.

Library choice: **jlens** (``jlens>=0.25,<0.26``; Rust engine, MIT), chosen by measurement.
Figures from ``python tests/perf/bench_formula_libraries.py`` (jsonata-rs shares the import
name ``jsonata`` with jsonata-python, so it was run from a second venv).  Conformance is
tests/core/jsonata_cases.py: 167 values + 5 evaluation errors + 10 syntax errors with a
position, every expected value checked against the reference jsonata-js 2.x.  Speeds are
ops/s on small scopes for (a) ``loop.index`` (b) ``stream.chunk.done / stream.chunk.total * 100``
(c) ``"Step " & done & " of " & total`` (d) ``$join(stream.chunks.text)``; "100k/10" is the cost
of (a)/(b) with 100,000 unread ``stream.chunks`` divided by the cost with 10.

    library                conformance   (a)      (b)      (c)      (d)   100k/10 (a)  (b)
    jlens 0.25.0           182/182       1.81M    1.04M    515k     364k      1.1      1.0
    jsonatapy 2.2.13       172/182 (1)   2.21M    1.15M    769k     599k      1.0      1.0
    jsonata2py 0.1.3       181/182       1.34M    611k     490k     275k      1.0      1.1
    jsonata-python 0.7.1   182/182       108k     28k      24k      33k       0.9      1.0 (2)
    jsonata-rs 0.1.4       181/182 (3)   264k     167k     144k     211k    10671     7224
    zopyx-pyjsonata 0.3.7  171/182 (4)   60k      51k      47k      55k      5058     5498
    this adapter           182/182       3.76M    618k     501k     415k      0.9      1.1

Ops/s vary by +-30% between runs on this 2-core machine.  (1) all 10 syntax errors lack a
position.  (2) with set_validate_input(False); by default it walks the whole input on every
call.  (3) wrong ``$substring`` on astral characters; converts the whole input per call.
(4) no ``$average``/``$type``/``$formatNumber``/``??``/``?:``, a Rust panic (a BaseException)
on partial application, syntax errors only at evaluation; converts the whole input per call.
jsonata2py compiles formulas to Python source (a larger attack surface) and bounds recursion
by Python's RecursionError.  All six stop the runaway formulas at a 1 s timeout.

Why jlens: full conformance including error positions; it reads its Python input lazily, so
unread scope data costs nothing (no pruning needed: the 100k/10 ratio is 1.0, and a test puts
a non-JSON object in unread data to prove it is never touched); per-call ``timeout`` and
``max_depth`` (it also catches native stack overflow); ``Expression.reads()`` gives the
static read set, which becomes ``Formula.paths``; no built-in reaches the host, and host
functions exist only via ``register_function`` or callables in ``bindings``, neither of which
is used here.  jsonatapy is ~20% faster on (b)-(d) but gives syntax errors no position and has
no read analysis; plain paths (a) never reach the library anyway: they are direct dict lookups.

Semantics to know: jlens returns ``None`` for both undefined and null, so a ``None`` result
is re-evaluated as ``{"v": <source>}`` (undefined keys are dropped) to tell them apart.
Numbers are IEEE doubles as in JavaScript: ints beyond 2**53 lose precision, integral values
below 1e21 come back as ``int``, non-finite values as null.  A function result is undefined.
A tail-recursive runaway never grows the depth: only the time bound stops it.  A ``None``
result costs a second evaluation (~2x).
"""

from __future__ import annotations

import math
import re
import time
from collections.abc import Iterator, Mapping
from functools import lru_cache
from typing import Any, Final

from jlens import Expression, JlensError

__all__ = [
    "MAX_DEPTH",
    "UNDEFINED",
    "Formula",
    "FormulaError",
    "FormulaEvaluationError",
    "FormulaSyntaxError",
    "FormulaTimeoutError",
    "compile_formula",
    "to_json_value",
]

MAX_DEPTH: Final = 1000
"""Default evaluation depth bound (jlens counts ~3 levels per recursive call: ~330 calls)."""


class _Undefined:
    """JSONata's *undefined* (no value), distinct from None (JSON null)."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "UNDEFINED"

    def __bool__(self) -> bool:
        return False

    def __reduce__(self) -> str:
        return "UNDEFINED"


UNDEFINED: Final = _Undefined()


class FormulaError(Exception):
    """A formula failed; ``position`` is a 0-based offset into ``source`` when known."""

    def __init__(self, message: str, source: str, position: int | None = None, code: str | None = None):
        self.message = message
        self.source = source
        self.position = position
        self.code = code
        super().__init__(message if position is None else f"{message} at position {position}")


class FormulaSyntaxError(FormulaError):
    """The source is not valid JSONata."""


class FormulaEvaluationError(FormulaError):
    """Evaluation failed: type errors, unknown functions, unreadable scope values."""


class FormulaTimeoutError(FormulaEvaluationError):
    """Evaluation exceeded its time or depth bound."""


_SAFE_INT: Final = 2**53
_INT_LIMIT: Final = 1e21  # like JavaScript, the library prints integral numbers below 1e21 as ints
_BOUND_CODES: Final = frozenset({"D1011", "D1012"})  # stack overflow, timeout
_WRAP_PREFIX: Final = '{"v":'
_NAME: Final = r"[A-Za-z_][A-Za-z0-9_]*"
_PLAIN_PATH: Final = re.compile(rf"\s*({_NAME}(?:\s*\.\s*{_NAME})*)\s*")
_KEYWORDS: Final = frozenset({"and", "or", "in", "true", "false", "null", "function"})
_MISSING: Final = object()
_SURROGATE: Final = re.compile("[\ud800-\udfff]")


def _number(value: int | float) -> int | float | None:
    """Normalize a number the way the library does (doubles; integral ones below 1e21 as int)."""
    if type(value) is int and -_SAFE_INT <= value <= _SAFE_INT:
        return value
    as_float = float(value)
    if not math.isfinite(as_float):
        return None
    if as_float.is_integer() and abs(as_float) < _INT_LIMIT:
        return int(as_float)
    return as_float


def to_json_value(value: Any) -> Any:
    """Return a plain JSON value (new containers, str keys, normalized numbers) or UNDEFINED.

    Non-JSON leaves (e.g. a function returned by a formula) become None, as the library does.
    """
    kind = type(value)
    if kind is str or kind is bool or value is None or value is UNDEFINED:
        return value
    if kind is int or kind is float:
        return _number(value)
    if isinstance(value, Mapping):
        return {str(k): to_json_value(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [to_json_value(v) for v in value]
    if isinstance(value, (int, float)):  # int/float subclasses
        return _number(value)
    if isinstance(value, str):
        return str(value)
    return None


def _flatten_reads(read: Any, prefix: tuple[str, ...]) -> Iterator[tuple[str, ...]]:
    """Leaf paths of a jlens Read tree (True = whole value, {} = the value but no field)."""
    if isinstance(read, dict) and read:
        for key, sub in read.items():
            yield from _flatten_reads(sub, (*prefix, key))
    elif prefix:
        yield prefix


class Formula:
    """A compiled formula: its static reads, and ``evaluate`` with a fast path for plain paths.

    ``paths`` come from the library's own read analysis, so they follow variables
    (``($x := a.b; $x.c)`` reads ``("a","b","c")``) and ``$.a``/``$$.a`` give ``("a",)``.  A path
    may end at a value read whole (``loop.*`` and ``$count(loop)`` give ``("loop",)``).
    ``reads_whole_scope`` is True when the whole scope is read (``$``, ``$$``, ``*``, ``**``
    at the top, ``$keys($)``, ``$eval``); ``paths`` is then empty.
    """

    __slots__ = ("source", "paths", "roots", "reads_whole_scope", "_expr", "_wrapped", "_keys")

    def __init__(self, source: str, expr: Expression, keys: tuple[str, ...] | None):
        reads = expr.reads().get("input")
        self.source = source
        self.reads_whole_scope: bool = reads is True
        self.paths: frozenset[tuple[str, ...]] = (
            frozenset() if reads is None or reads is True else frozenset(_flatten_reads(reads, ()))
        )
        self.roots: frozenset[str] = frozenset(path[0] for path in self.paths)
        self._expr = expr
        self._wrapped: Expression | None = None
        self._keys = keys

    def __repr__(self) -> str:
        return f"Formula({self.source!r})"

    def evaluate(self, scope: Mapping[str, Any], *, timeout_ms: int = 1000, max_depth: int = MAX_DEPTH) -> Any:
        """Evaluate against a JSON scope; JSON values or UNDEFINED out, FormulaEvaluationError on failure."""
        keys = self._keys
        if keys is not None:  # plain dotted path: direct dict lookups while every step is a dict
            value: Any = scope
            for key in keys:
                if type(value) is not dict:
                    if type(value) is list or type(value) is tuple:
                        break  # JSONata maps over arrays: leave it to the library
                    return UNDEFINED  # a step into a scalar or null has no value
                value = value.get(key, _MISSING)
                if value is _MISSING:
                    return UNDEFINED
            else:
                kind = type(value)
                if kind is str or kind is bool or value is None:
                    return value
                if kind is int and -_SAFE_INT <= value <= _SAFE_INT:
                    return value
                return to_json_value(value)
        return self._evaluate_library(scope, timeout_ms, max_depth)

    def _evaluate_library(self, scope: Mapping[str, Any], timeout_ms: int, max_depth: int) -> Any:
        if type(scope) is not dict:
            scope = dict(scope)
        started = time.perf_counter()
        try:
            result = self._expr.evaluate(scope, timeout=timeout_ms / 1000, max_depth=max_depth)
        except BaseException as exc:
            raise self._error(exc, 0)
        if result is None:
            return self._null_or_undefined(scope, timeout_ms / 1000 - (time.perf_counter() - started), max_depth)
        # jlens already returns fresh plain dict/list/str/bool values and numbers as JSON
        # doubles (integral ones as int); tests/core/test_formula.py checks that this holds.
        return result

    def _null_or_undefined(self, scope: dict[str, Any], timeout_s: float, max_depth: int) -> Any:
        """Tell null from undefined: an object constructor keeps null and drops undefined."""
        if self._wrapped is None:
            self._wrapped = Expression(f"{_WRAP_PREFIX}{self.source}\n}}")
        try:
            boxed = self._wrapped.evaluate(scope, timeout=max(timeout_s, 0.001), max_depth=max_depth)
        except BaseException as exc:
            raise self._error(exc, len(_WRAP_PREFIX))
        return None if isinstance(boxed, dict) and "v" in boxed else UNDEFINED

    def _error(self, exc: BaseException, shift: int) -> BaseException:
        """Map a library exception to a FormulaError (position shifted back for the wrapper)."""
        if isinstance(exc, JlensError):
            code = getattr(exc, "code", None)
            position = getattr(exc, "position", None)
            if isinstance(position, int):
                position = min(max(position - shift, 0), len(self.source))
            kind = FormulaTimeoutError if code in _BOUND_CODES else FormulaEvaluationError
            error: FormulaError = kind(str(exc), self.source, position, code)
            error.__suppress_context__ = True  # the library's exception adds nothing
            return error
        if isinstance(exc, Exception) or type(exc).__name__ == "PanicException":  # a Rust panic
            error = FormulaEvaluationError(f"internal error in the formula library: {exc}", self.source)
            error.__cause__ = exc
            return error
        return exc  # KeyboardInterrupt, SystemExit, ...


def _plain_path(source: str) -> tuple[str, ...] | None:
    """The names of a formula that is only ``name.name...``, else None."""
    match = _PLAIN_PATH.fullmatch(source)
    if match is None:
        return None
    keys = tuple(part.strip() for part in match.group(1).split("."))
    return None if any(key in _KEYWORDS for key in keys) else keys


@lru_cache(maxsize=4096)
def compile_formula(source: str) -> Formula:
    """Compile once per distinct source (cached); FormulaSyntaxError carries the position."""
    surrogate = _SURROGATE.search(source)
    if surrogate is not None:  # no UTF-8 text holds one: the library could not even receive the source
        raise FormulaSyntaxError("an unpaired UTF-16 surrogate is not text", source, surrogate.start(), "S0000")
    try:
        expr = Expression(source)
    except JlensError as exc:
        position = getattr(exc, "position", None)
        raise FormulaSyntaxError(
            str(exc), source, position if isinstance(position, int) else None, getattr(exc, "code", None)
        ) from None
    return Formula(source, expr, _plain_path(source))
