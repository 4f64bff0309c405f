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

Bounds (``FormulaLimits``: time, default 1 s; memory, default 256 MB; depth).  Measured with
``python tests/perf/bench_formula_bounds.py``: the library checks its time limit between steps
but not inside one built-in (``$distinct`` of 10,000 items ran 0.6 s past a 10 ms limit, a string
doubled 30 times 5 s past 1 s), its size options stop one value but not the sum
(``[1..10000].([1..10000])`` reached 1.2 GB with every option set), a range is built before its
size is checked (``[1..10000000]``: 250 MB), and ``evaluate`` holds the GIL.  So a formula runs
*inline* only under a small budget that bounds what one built-in can do: it reads at most
``INLINE_READ_ITEMS`` items and strings of at most ``INLINE_MAX_STRING`` characters from the
scope (checked along its read paths before evaluating), may build arrays of at most
``INLINE_MAX_ITEMS`` and strings of at most ``INLINE_MAX_STRING``, for at most
``INLINE_TIMEOUT_S``; a range whose bounds are not small literal numbers never runs inline.
Small formulas (the ones users write for messages and bindings) stay at ~1-2 us.  A formula
over that budget is evaluated again in a bounded worker process (``app.core.formula.worker``)
with the rest of its time and its full memory bound: ``RLIMIT_AS``, killed at the deadline.
The synchronous ``evaluate`` waits for the worker; the engine uses ``offloading()`` so the
wait happens off its event loop (``FormulaOffload.evaluate``).  Bound errors are
``FormulaBoundError``s: ``FormulaTimeoutError`` (time, depth) and ``FormulaMemoryError``.
"""

from __future__ import annotations

import json
import math
import re
import threading
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Final

from jlens import Expression, JlensError

from app.core.formula.concat import Part, concat, concat_parts
from app.core.formula.resolvers import Resolve, concat_resolver, path_resolver
from app.core.formula.worker import POOL, WorkerCall, WorkerDied, WorkerReply, WorkerTimeout, executor

MAX_DEPTH: Final = 1000
"""Default evaluation depth bound (jlens counts ~3 levels per recursive call: ~330 calls)."""

MB: Final = 1024 * 1024


@dataclass(frozen=True, slots=True)
class FormulaLimits:
    """What one evaluation may use: wall time, memory (the worker's address space beyond its start) and depth."""

    timeout_s: float = 1.0
    memory_bytes: int = 256 * MB
    max_depth: int = MAX_DEPTH


DEFAULT_LIMITS: Final = FormulaLimits()

INLINE_TIMEOUT_S: Final = 0.005
"""Longest a formula runs on the caller's thread before it is handed to a worker."""
INLINE_MAX_ITEMS: Final = 1000
"""Largest array a formula may build inline (``$distinct`` of 1,000 items: ~6 ms)."""
INLINE_MAX_STRING: Final = 64 * 1024
"""Largest string a formula may build or read inline (``$split`` of it: ~9 ms)."""
INLINE_MAX_RESULT: Final = 1 * MB
"""Largest inline result, as JSON bytes."""
INLINE_READ_ITEMS: Final = 2000
"""Most array items and object fields a formula may read from its scope and still run inline."""


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


class FormulaBoundError(FormulaEvaluationError):
    """Evaluation stopped at one of its bounds; ``bound`` is ``"time"``, ``"memory"`` or ``"depth"``."""

    bound = "time"


class FormulaTimeoutError(FormulaBoundError):
    """Evaluation exceeded its time or depth bound."""


class FormulaMemoryError(FormulaBoundError):
    """Evaluation exceeded its memory bound (the worker ran out of its address space, or a value would)."""

    bound = "memory"


def _seconds(value: float) -> str:
    return f"{value:g} s"


def _megabytes(value: int) -> str:
    return f"{value / MB:g} MB"


class _Bounds(threading.local):
    """Per thread: ``cell[0]`` is the ``offloading`` an engine entered around resolving one action's params.

    A one-item list rather than an attribute: the engine takes its thread's list once per
    block and sets the item twice per action, and setting an attribute of a thread-local
    costs about three times as much, a measurable share of a Loop x Send's cost per message.
    """

    def __init__(self) -> None:
        self.cell: list[offloading | None] = [None]


_BOUNDS: Final = _Bounds()


def evaluation_bounds() -> list[offloading | None]:
    """This thread's bounds cell: item 0 is the ``offloading()`` in force (None outside one); the engine sets it directly."""
    return _BOUNDS.cell


class offloading:  # noqa: N801 - used like a function: ``with offloading(limits, table):``
    """Within it, formulas use ``limits``, and one over its inline budget raises ``FormulaOffload``
    instead of blocking on a worker; values the caller got from ``FormulaOffload.evaluate`` are
    put in ``precomputed`` and taken from there on the next try.  A class, not a generator
    context manager: the engine enters it once per action on the per-message path.
    """

    __slots__ = ("limits", "precomputed")

    def __init__(self, limits: FormulaLimits, precomputed: dict[Formula, Any]) -> None:
        self.limits = limits
        self.precomputed = precomputed

    def __enter__(self) -> None:
        _BOUNDS.cell[0] = self

    def __exit__(self, *exc: object) -> None:
        _BOUNDS.cell[0] = None


class FormulaOffload(Exception):
    """Raised inside ``offloading()``: ``formula`` needs a worker; await ``evaluate()`` off the event loop."""

    def __init__(self, formula: Formula, call: WorkerCall, limits: FormulaLimits) -> None:
        super().__init__(f"{formula.source!r} is evaluated in a worker")
        self.formula = formula
        self.call = call
        self.limits = limits

    async def evaluate(self) -> Any:
        """The value (or a FormulaError), waiting in a thread; cancelling kills the worker at once."""
        import asyncio  # here, not at the top: the editor's window shows before asyncio is imported

        future = asyncio.get_running_loop().run_in_executor(executor(), self.call.run)
        try:
            reply = await future
        except asyncio.CancelledError:
            self.call.cancel()
            raise
        except (WorkerDied, WorkerTimeout) as error:
            raise self.formula._worker_error(error, self.limits) from None
        return self.formula._reply_value(reply, self.limits)


_SAFE_INT: Final = 2**53
_INT_LIMIT: Final = 1e21  # like JavaScript, the library prints integral numbers below 1e21 as ints
_BOUND_CODES: Final = frozenset({"D1011", "D1012"})  # stack overflow, timeout
_OVER_BUDGET: Final = frozenset({"D1012", "U1001", "U1006"})  # inline: timeout, size, steps -> a worker
_RANGE: Final = re.compile(r"\.\.")
_SMALL_RANGE: Final = re.compile(r"(?<![\w.$])(-?\d+)\s*\.\.\s*(-?\d+)(?![\w.])")
_STRING_LITERAL: Final = re.compile(r'"(?:[^"\\]|\\.)*"|\'(?:[^\'\\]|\\.)*\'|`[^`]*`')
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


def _inline_ranges(source: str) -> bool:
    """True when every range in ``source`` has literal bounds spanning at most INLINE_MAX_ITEMS.

    The library builds a range whole before its size check (``[1..10000000]``: 250 MB in
    one step), so a formula with any other range is evaluated in a worker.  Lexical, and
    conservative: a ``..`` inside a regular expression also counts as a range.
    """
    text = _STRING_LITERAL.sub('""', source)
    ranges = len(_RANGE.findall(text))
    if not ranges:
        return True
    small = 0
    for match in _SMALL_RANGE.finditer(text):
        low, high = int(match.group(1)), int(match.group(2))
        if high - low >= INLINE_MAX_ITEMS:
            return False
        small += 1
    return small == ranges


def _reads_fit(value: Any, read: Any, budget: int) -> int:
    """What is left of ``budget`` (items and fields) after reading ``read`` of ``value``; negative when over.

    A string longer than INLINE_MAX_STRING is over at once.  The cost is bounded by the
    budget, so a formula over a large list is sent to a worker after a few lookups.
    """
    kind = type(value)
    if kind is dict:
        if read is True:
            budget -= len(value)
            for item in value.values():
                if budget < 0:
                    return budget
                if type(item) is not int and type(item) is not bool and item is not None:
                    budget = _reads_fit(item, True, budget)
            return budget
        if read:
            for key, sub in read.items():
                item = value.get(key, _MISSING)
                if item is not _MISSING and type(item) is not int and type(item) is not bool and item is not None:
                    budget = _reads_fit(item, sub, budget)
                    if budget < 0:
                        return budget
        return budget
    if kind is list or kind is tuple:
        budget -= len(value)
        for item in value:
            if budget < 0:
                return budget
            if type(item) is not int and type(item) is not bool and item is not None:
                budget = _reads_fit(item, read, budget)
        return budget
    if kind is str:
        return budget if len(value) <= INLINE_MAX_STRING else -1
    if isinstance(value, Mapping):
        return _reads_fit(dict(value), read, budget)
    return budget


def _prune(value: Any, read: Any) -> Any:
    """The part of ``value`` that ``read`` covers, as plain JSON (the library guarantees the same result)."""
    if read is True:
        return to_json_value(value)
    if isinstance(value, Mapping):
        if not read:
            return {}
        return {key: _prune(value[key], sub) for key, sub in read.items() if key in value}
    if isinstance(value, (list, tuple)):
        return [_prune(item, read) for item in value]
    return to_json_value(value)


class Formula:
    """A compiled formula: its static reads, and ``evaluate`` with a fast path for plain paths.

    ``paths`` come from the library's own read analysis, so they follow variables
    (``($x := a.b; $x.c)`` reads ``("a","b","c")``) and ``$.a``/``$$.a`` give ``("a",)``.  A path
    may end at a value read whole (``loop.*`` and ``$count(loop)`` give ``("loop",)``).
    ``reads_whole_scope`` is True when the whole scope is read (``$``, ``$$``, ``*``, ``**``
    at the top, ``$keys($)``, ``$eval``); ``paths`` is then empty.
    """

    __slots__ = ("source", "paths", "roots", "reads_whole_scope", "inline", "_read", "_expr", "_wrapped", "_keys", "_concat", "_resolver")

    def __init__(self, source: str, expr: Expression, keys: tuple[str, ...] | None):
        reads = expr.reads().get("input")
        self.source = source
        self.reads_whole_scope: bool = reads is True
        self.paths: frozenset[tuple[str, ...]] = frozenset() if reads is None or reads is True else frozenset(_flatten_reads(reads, ()))
        self.roots: frozenset[str] = frozenset(path[0] for path in self.paths)
        self.inline: bool = _inline_ranges(source)
        """False when the formula always runs in a worker (a range that may be large)."""
        self._read: Any = reads
        self._expr = expr
        self._wrapped: Expression | None = None
        self._keys = keys
        self._concat: tuple[Part, ...] | None = None if keys is not None else concat_parts(source)
        """Literals and plain paths joined by ``&``: joined here without the library (``concat``)."""
        self._resolver: Resolve | None = None

    def resolver(self) -> Resolve:
        """``evaluate`` with the kind of formula decided once, for a template that evaluates it per message
        (``app.core.formula.resolvers``); the same results, bounds and errors."""
        if self._resolver is None:
            if self._keys is not None:
                self._resolver = path_resolver(self._keys, self.evaluate)
            elif self._concat is not None:
                self._resolver = concat_resolver(self._concat, INLINE_MAX_STRING, self.evaluate)
            else:
                self._resolver = self.evaluate
        return self._resolver

    def __repr__(self) -> str:
        return f"Formula({self.source!r})"

    def evaluate(self, scope: Mapping[str, Any], *, timeout_ms: int = 1000, max_depth: int = MAX_DEPTH) -> Any:
        """Evaluate against a JSON scope; JSON values or UNDEFINED out, FormulaEvaluationError on failure.

        ``timeout_ms``/``max_depth`` apply unless an ``offloading()`` block sets limits.
        """
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
        parts = self._concat
        if parts is not None:
            text = concat(parts, scope, INLINE_MAX_STRING)
            if text is not None:
                return text
        active = _BOUNDS.cell[0]
        if active is not None:
            return self._evaluate_library(scope, active.limits, active.precomputed)
        limits = DEFAULT_LIMITS if timeout_ms == 1000 and max_depth == MAX_DEPTH else FormulaLimits(timeout_ms / 1000, DEFAULT_LIMITS.memory_bytes, max_depth)
        return self._evaluate_library(scope, limits)

    def _evaluate_library(self, scope: Mapping[str, Any], limits: FormulaLimits, precomputed: dict[Formula, Any] | None = None) -> Any:
        if precomputed:
            value = precomputed.pop(self, _MISSING)
            if value is not _MISSING:
                if isinstance(value, FormulaError):
                    raise value
                return value
        if type(scope) is not dict:
            scope = dict(scope)
        spent = 0.0
        read = self._read
        if self.inline and (read is None or _reads_fit(scope, read, INLINE_READ_ITEMS) >= 0):
            started = time.perf_counter()
            try:
                result = self._inline(self._expr, scope, limits)
                if result is not None:
                    # jlens already returns fresh plain dict/list/str/bool values and numbers as JSON
                    # doubles (integral ones as int); tests/core/test_formula.py checks that this holds.
                    return result
                if self._wrapped is None:
                    self._wrapped = Expression(f"{_WRAP_PREFIX}{self.source}\n}}")
                boxed = self._inline(self._wrapped, scope, limits, len(_WRAP_PREFIX))
                return None if isinstance(boxed, dict) and "v" in boxed else UNDEFINED
            except _OverBudget:
                spent = time.perf_counter() - started
        return self._in_worker(scope, limits, spent, precomputed is not None)

    def _inline(self, expr: Expression, scope: dict[str, Any], limits: FormulaLimits, shift: int = 0) -> Any:
        """One evaluation on this thread under the inline budget; ``_OverBudget`` when it needs a worker."""
        timeout = min(INLINE_TIMEOUT_S, limits.timeout_s)
        try:
            return expr.evaluate(
                scope,
                timeout=timeout,
                max_depth=limits.max_depth,
                max_string_length=INLINE_MAX_STRING,
                max_array_length=INLINE_MAX_ITEMS,
                max_result_size=INLINE_MAX_RESULT,
            )
        except JlensError as exc:
            code = getattr(exc, "code", None)
            if code in _OVER_BUDGET and not (code == "D1012" and timeout >= limits.timeout_s):
                raise _OverBudget() from None
            raise self._error(exc, shift, limits) from None
        except BaseException as exc:  # noqa: BLE001 - the library's Rust panics are BaseExceptions; _error passes KeyboardInterrupt on as it is
            raise self._error(exc, shift, limits) from None

    def _in_worker(self, scope: dict[str, Any], limits: FormulaLimits, spent: float, offload: bool) -> Any:
        read = self._read
        document = {} if read is None else _prune(scope, read)
        timeout = max(limits.timeout_s - spent, 0.001)
        request = {
            "source": self.source,
            "input": json.dumps(document, ensure_ascii=False, allow_nan=False),
            "timeout": timeout,
            "max_depth": limits.max_depth,
            "memory": limits.memory_bytes,
        }
        call = POOL.call(request, timeout, limits.memory_bytes)
        if offload:
            raise FormulaOffload(self, call, limits)
        try:
            reply = call.run()
        except (WorkerDied, WorkerTimeout) as error:
            raise self._worker_error(error, limits) from None
        return self._reply_value(reply, limits)

    def _reply_value(self, reply: WorkerReply, limits: FormulaLimits) -> Any:
        if reply.error_code is not None:
            code = reply.error_code
            position = reply.error_position if isinstance(reply.error_position, int) else None
            if code == "U1001":
                raise FormulaMemoryError(
                    f"the formula exceeded its memory bound of {_megabytes(limits.memory_bytes)}: {reply.error_message}", self.source, position, code
                )
            if code == "D1012":
                raise self._timeout(limits, code)
            kind = FormulaTimeoutError if code in _BOUND_CODES else FormulaEvaluationError
            raise kind(reply.error_message, self.source, position, code)
        return UNDEFINED if reply.value is None else json.loads(reply.value)

    def _timeout(self, limits: FormulaLimits, code: str | None = "D1012") -> FormulaTimeoutError:
        return FormulaTimeoutError(f"the formula ran past its time limit of {_seconds(limits.timeout_s)}", self.source, None, code)

    def _worker_error(self, error: Exception, limits: FormulaLimits) -> FormulaBoundError:
        if isinstance(error, WorkerTimeout):
            return self._timeout(limits)
        return FormulaMemoryError(f"the formula exceeded its memory bound of {_megabytes(limits.memory_bytes)}", self.source, None, "memory")

    def _error(self, exc: BaseException, shift: int, limits: FormulaLimits = DEFAULT_LIMITS) -> BaseException:
        """Map a library exception to a FormulaError (position shifted back for the wrapper)."""
        if isinstance(exc, JlensError):
            code = getattr(exc, "code", None)
            if code == "D1012":
                return self._timeout(limits)
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


class _OverBudget(Exception):
    """The inline attempt hit the inline budget: the formula goes to a worker."""


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
        raise FormulaSyntaxError(str(exc), source, position if isinstance(position, int) else None, getattr(exc, "code", None)) from None
    return Formula(source, expr, _plain_path(source))
