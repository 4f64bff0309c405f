"""JSONata conformance cases, as data.

Written from the language's documented behaviour (docs.jsonata.org) and checked
against the reference implementation (the `jsonata` npm package, 2.x).  Used by
tests/core/test_formula.py (through app.core.formula) and by
tests/perf/bench_formula_libraries.py (through each candidate library).

Conventions:
- CASES: (expression, input, expected).  `UNDEF` as expected means JSONata
  *undefined* (no result), which is distinct from `None` (JSON null).
- EVALUATION_ERROR_CASES: (expression, input) that must raise at evaluation time.
- SYNTAX_ERROR_CASES: (expression, expected_position) where expected_position is
  the 0-based character offset the reference implementation points at, give or
  take the token length (implementations disagree on start vs. end of token).
- `same(actual, expected)` compares JSON values strictly: bool is not a number,
  and ints/floats compare by value (25 == 25.0).
"""

from __future__ import annotations

from typing import Any, Final


class _Undef:
    """Sentinel type for 'JSONata undefined' in expected values."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "UNDEF"


UNDEF: Final = _Undef()

SCOPE: Final[dict[str, Any]] = {
    "loop": {"index": 2, "item": {"name": "alpha"}},
    "inputs": {
        "text": "Hello",
        "n": 7,
        "ratio": 2.5,
        "flag": True,
        "off": False,
        "nothing": None,
        "empty": "",
        "tags": ["x", "y"],
        "one": [1],
        "nums": [1, 2, 3, 4],
        "nested": {"deep": {"er": "bottom"}},
    },
    "stream": {
        "chunk": {"done": 3, "total": 12, "text": "hi"},
        "chunks": [
            {"status": "chunk", "text": "a", "n": 1},
            {"status": "chunk", "text": "b", "n": 2},
            {"status": "done", "text": "c", "n": 3},
        ],
    },
}

ONE_CHUNK: Final[dict[str, Any]] = {"stream": {"chunks": [{"status": "chunk", "text": "only"}]}}
FLOATS: Final[dict[str, Any]] = {"a": 2.0, "b": 0.5, "c": {"d": 4.0}}
ARRAYS_ON_PATH: Final[dict[str, Any]] = {
    "a": [{"b": {"c": 1}}, {"b": {"c": 2}}, {"b": [{"c": 3}, {"c": 4}]}],
    "m": [[{"x": 1}], [{"x": 2}]],
    "s": "text",
}

S = SCOPE
CASES: Final[list[tuple[str, dict[str, Any], Any]]] = [
    # --- paths
    ("loop.index", S, 2),
    ("inputs.text", S, "Hello"),
    ("stream.chunk.done", S, 3),
    ("loop.item.name", S, "alpha"),
    ("inputs.nested.deep.er", S, "bottom"),
    ("inputs.nested.deep", S, {"er": "bottom"}),
    ("inputs.missing", S, UNDEF),
    ("nope.deeper.still", S, UNDEF),
    ("inputs.nothing", S, None),
    ("inputs.nothing.x", S, UNDEF),
    ("inputs.text.length", S, UNDEF),
    ("inputs.empty", S, ""),
    ("inputs.off", S, False),
    ("`inputs`.`text`", S, "Hello"),
    ("$.inputs.n", S, 7),
    # --- mapping over arrays, predicates, singleton arrays
    ("stream.chunks.text", S, ["a", "b", "c"]),
    ("stream.chunks[status='chunk'].text", S, ["a", "b"]),
    ("stream.chunks[status='done'].text", S, "c"),
    ("stream.chunks[status='nope'].text", S, UNDEF),
    ("stream.chunks[status='done'].text[]", S, ["c"]),
    ("stream.chunks[0].text", S, "a"),
    ("stream.chunks[-1].text", S, "c"),
    ("stream.chunks[1]", S, {"status": "chunk", "text": "b", "n": 2}),
    ("stream.chunks[n > 1].n", S, [2, 3]),
    ("inputs.tags[0]", S, "x"),
    ("inputs.tags[5]", S, UNDEF),
    ("inputs.one", S, [1]),
    ("inputs.nums[$ > 2]", S, [3, 4]),
    ("stream.chunks.text", ONE_CHUNK, "only"),
    ("a.b.c", ARRAYS_ON_PATH, [1, 2, 3, 4]),
    ("m.x", ARRAYS_ON_PATH, [1, 2]),
    ("s.x", ARRAYS_ON_PATH, UNDEF),
    # --- arithmetic
    ("stream.chunk.done / stream.chunk.total * 100", S, 25),
    ("1 + 2 * 3", S, 7),
    ("(1 + 2) * 3", S, 9),
    ("7 % 3", S, 1),
    ("-7 % 3", S, -1),
    ("10 / 4", S, 2.5),
    ("inputs.n * 2", S, 14),
    ("inputs.ratio * 2", S, 5),
    ("-inputs.n", S, -7),
    ("inputs.missing + 1", S, UNDEF),
    ("0.1 + 0.2", S, 0.30000000000000004),
    ("a + b", FLOATS, 2.5),
    ("c.d / a", FLOATS, 2),
    # --- strings
    ('"Step " & stream.chunk.done & " of " & stream.chunk.total', S, "Step 3 of 12"),
    ("inputs.text & inputs.missing", S, "Hello"),
    ('"x" & 1.5', S, "x1.5"),
    ('"v=" & inputs.flag', S, "v=true"),
    ('"n=" & null', S, "n=null"),
    ("$join(stream.chunks.text)", S, "abc"),
    ('$join(inputs.tags, ", ")', S, "x, y"),
    ("$join(stream.chunks[status='done'].text)", S, "c"),
    ("$string(inputs.n)", S, "7"),
    ("$string(1.5)", S, "1.5"),
    ("$string(inputs.flag)", S, "true"),
    ('$string({"a": 1})', S, '{"a":1}'),
    ("$string([1, 2])", S, "[1,2]"),
    ("$string(inputs.missing)", S, UNDEF),
    ('$number("42")', S, 42),
    ('$number("3.5")', S, 3.5),
    ("$number(true)", S, 1),
    ("$uppercase(inputs.text)", S, "HELLO"),
    ('$lowercase("ABC")', S, "abc"),
    ("$length(inputs.text)", S, 5),
    ("$substring(inputs.text, 1, 3)", S, "ell"),
    ('$substring("Hello", -3)', S, "llo"),
    ('$substringBefore("a-b", "-")', S, "a"),
    ('$substringAfter("a-b", "-")', S, "b"),
    ('$contains(inputs.text, "ell")', S, True),
    ('$split("a,b,c", ",")', S, ["a", "b", "c"]),
    ('$trim("  a   b ")', S, "a b"),
    ('$replace("abcabc", "b", "x")', S, "axcaxc"),
    ('$pad("7", -3, "0")', S, "007"),
    # --- aggregates and numeric functions
    ("$sum(inputs.nums)", S, 10),
    ("$sum([])", S, 0),
    ("$sum(stream.chunks.n)", S, 6),
    ("$count(stream.chunks)", S, 3),
    ("$count(inputs.missing)", S, 0),
    ("$count(inputs.one)", S, 1),
    ("$max(inputs.nums)", S, 4),
    ("$min(inputs.nums)", S, 1),
    ("$average(inputs.nums)", S, 2.5),
    ("$round(2.5)", S, 2),
    ("$round(3.5)", S, 4),
    ("$round(3.14159, 2)", S, 3.14),
    ("$floor(2.7)", S, 2),
    ("$abs(-3)", S, 3),
    # --- conditionals
    ('inputs.n > 5 ? "big" : "small"', S, "big"),
    ('inputs.n > 50 ? "big" : "small"', S, "small"),
    ('inputs.missing ? "yes" : "no"', S, "no"),
    ('inputs.n > 50 ? "big"', S, UNDEF),
    ("inputs.text ? 1 : 0", S, 1),
    ("inputs.empty ? 1 : 0", S, 0),
    ("0 ? 1 : 0", S, 0),
    ("[] ? 1 : 0", S, 0),
    # --- comparisons and boolean logic
    ("inputs.n = 7", S, True),
    ("inputs.n != 7", S, False),
    ('inputs.text = "Hello"', S, True),
    ('"a" < "b"', S, True),
    ("2 >= 2", S, True),
    ("inputs.missing = 1", S, False),
    ("inputs.missing > 1", S, UNDEF),
    ('"x" in inputs.tags', S, True),
    ('"z" in inputs.tags', S, False),
    ("inputs.flag and inputs.n > 5", S, True),
    ("inputs.flag and inputs.missing", S, False),
    ("false or inputs.n = 7", S, True),
    ("$not(inputs.flag)", S, False),
    ("$exists(inputs.missing)", S, False),
    ("$exists(inputs.nothing)", S, True),
    ('$boolean("")', S, False),
    # --- object and array constructors
    (
        '{"done": stream.chunk.done, "pct": stream.chunk.done / stream.chunk.total * 100}',
        S,
        {"done": 3, "pct": 25},
    ),
    ('{"a": inputs.missing, "b": 1}', S, {"b": 1}),
    ('{"n": null}', S, {"n": None}),
    ("stream.chunks{status: text}", S, {"chunk": ["a", "b"], "done": "c"}),
    ("[1, 2, 3]", S, [1, 2, 3]),
    ('[inputs.n, inputs.missing, "x"]', S, [7, "x"]),
    ("[stream.chunks.text]", S, ["a", "b", "c"]),
    ("[stream.chunks[status='done'].text]", S, ["c"]),
    ("[[1, 2], [3]]", S, [[1, 2], [3]]),
    ("[1..5]", S, [1, 2, 3, 4, 5]),
    # --- lambdas, $map and friends, variables
    ("$map(inputs.nums, function($v) { $v * 2 })", S, [2, 4, 6, 8]),
    ("$map(inputs.nums, function($v, $i) { $i })", S, [0, 1, 2, 3]),
    ("$filter(inputs.nums, function($v) { $v % 2 = 0 })", S, [2, 4]),
    ("$reduce(inputs.nums, function($a, $b) { $a + $b })", S, 10),
    ("($f := function($x) { $x * $x }; $f(inputs.n))", S, 49),
    ("($x := 5; $x + inputs.n)", S, 12),
    ("inputs.nums.($ * 10)", S, [10, 20, 30, 40]),
    ('stream.chunks.(status & ":" & text)', S, ["chunk:a", "chunk:b", "done:c"]),
    ("inputs.nums ~> $sum()", S, 10),
    ("$keys(loop)", S, ["index", "item"]),
    ("$sort([3, 1, 2])", S, [1, 2, 3]),
    ("$reverse(inputs.tags)", S, ["y", "x"]),
    ("$append(inputs.tags, \"z\")", S, ["x", "y", "z"]),
    ("$distinct([1, 1, 2])", S, [1, 2]),
    ("$lookup(loop, \"index\")", S, 2),
    # --- further operators and functions (wildcards, ordering, regex, formatting)
    ("loop.*", S, [2, {"name": "alpha"}]),
    ("inputs.**.er", S, "bottom"),
    ("$$.loop.index", S, 2),
    ("stream.chunks#$i[$i > 0].text", S, ["b", "c"]),
    ("stream.chunks^(>n).text", S, ["c", "b", "a"]),
    ('inputs.missing ?? "dflt"', S, "dflt"),
    ('inputs.empty ?: "dflt"', S, "dflt"),
    ("$string(0.1 + 0.2)", S, "0.3"),
    ('"x" & (0.1 + 0.2)', S, "x0.3"),
    ('$number("1e3")', S, 1000),
    ('$formatNumber(1234.5, "#,##0.00")', S, "1,234.50"),
    ("$formatBase(255, 16)", S, "ff"),
    ("$fromMillis(0)", S, "1970-01-01T00:00:00.000Z"),
    ('$length("h\u00e9\U0001F600")', S, 3),
    ('$substring("h\u00e9\U0001F600x", 2, 1)', S, "\U0001F600"),
    ('$replace("abc", /B/i, "x")', S, "axc"),
    ('$contains("abc", /^a/)', S, True),
    ('$match("a1b22", /\\d+/).match', S, ["1", "22"]),
    ('$merge([{"a": 1}, {"b": 2}])', S, {"a": 1, "b": 2}),
    ("$type(inputs.nothing)", S, "null"),
    ("$type(inputs.missing)", S, UNDEF),
    ('$each(loop.item, function($v, $k) { $k & "=" & $v })', S, "name=alpha"),
    ("$substring(?, 0, 2)(inputs.text)", S, "He"),
    ('$ ~> |inputs|{"text": "changed"}, ["nested"]| ~> $lookup("inputs")', S,
     {"text": "changed", "n": 7, "ratio": 2.5, "flag": True, "off": False, "nothing": None,
      "empty": "", "tags": ["x", "y"], "one": [1], "nums": [1, 2, 3, 4]}),
    ("$zip([1, 2], [3, 4])", S, [[1, 3], [2, 4]]),
    ("$string(1e21)", S, "1e+21"),
    ("9007199254740991 + 0", S, 9007199254740991),
    ("$floor(-0.5)", S, -1),
    ("$sqrt(16)", S, 4),
    ("2 * 3.5", S, 7),
]

EVALUATION_ERROR_CASES: Final[list[tuple[str, dict[str, Any]]]] = [
    ('"a" + 1', S),  # T2001: left side of + is not a number
    ('1 < "a"', S),  # T2009: operands of different types
    ("$nosuchfunction(1)", S),  # T1006: attempted to invoke a non-function
    ('$sum("a")', S),  # T0412: argument must be an array of numbers
    ("inputs.text - 1", S),  # T2001
]

SYNTAX_ERROR_CASES: Final[list[tuple[str, int]]] = [
    ("(1 + 2", 6),
    ("stream.chunk.done +", 19),
    ('"unterminated', 13),
    ("$join(stream.chunks.text", 24),
    ("{\"a\": 1", 7),
    ("[1, 2", 5),
    ("1 2", 3),
    ("a[", 2),
    ("inputs.n > 5 ? ", 15),
    ("1 + )", 5),
]


def same(actual: Any, expected: Any) -> bool:
    """Strict JSON equality: bools are not numbers, 25 == 25.0, dict order ignored."""
    if isinstance(expected, _Undef):
        return isinstance(actual, _Undef)
    if isinstance(expected, bool) or isinstance(actual, bool):
        return type(actual) is type(expected) and actual == expected
    if isinstance(expected, (int, float)):
        return isinstance(actual, (int, float)) and actual == expected
    if isinstance(expected, list):
        return (
            isinstance(actual, list)
            and len(actual) == len(expected)
            and all(same(a, e) for a, e in zip(actual, expected))
        )
    if isinstance(expected, dict):
        return (
            isinstance(actual, dict)
            and actual.keys() == expected.keys()
            and all(same(actual[k], v) for k, v in expected.items())
        )
    return type(actual) is type(expected) and actual == expected
