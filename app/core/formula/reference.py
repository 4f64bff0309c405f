"""The formula reference: every JSONata function the engine knows, as data.

One entry per built-in: its signature, one line on what it does, and an example
with the value it gives. The formula editor's completion, its F1 reference and
the Help menu's reference all read this tuple, and a test proves that it lists
every function the library knows and that every example evaluates, with the
real engine, to the value stated here. Examples use the names a Streamwright
formula reads (``stream.chunks``, ``loop.count``) where that says more than a
literal; ``given`` is the scope they run against.

Beside the data, two small text helpers for the editor: which function a
position in a formula is about (``function_at``, F1 selects it) and how to put
a function in at the cursor (``function_insertion``).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Final

from app.core.formula.adapter import FormulaError, compile_formula


@dataclass(frozen=True)
class FunctionEntry:
    """One built-in function. ``result`` is the example's value; ``fails_with`` instead when the example raises."""

    name: str
    """Without the ``$``: ``join``."""
    category: str
    signature: str
    description: str
    example: str
    result: Any = None
    given: Mapping[str, Any] = field(default_factory=dict)
    """The scope the example reads (``stream``, ``loop``, ``inputs``...); empty when it reads none."""
    fails_with: str | None = None
    """Text the example's error message contains, for the functions whose point is to fail."""

    @property
    def call(self) -> str:
        """What inserting the function puts in a formula: ``$join(``."""
        return f"${self.name}("


def _chunks(*texts: str) -> dict[str, Any]:
    return {"stream": {"chunks": [{"status": "chunk", "text": text} for text in texts]}}


_PROGRESS: Final = {"stream": {"chunk": {"status": "progress", "label": "Generating file", "done": 2, "total": 3}}}

CATEGORIES: Final = ("String", "Numeric", "Aggregation", "Boolean", "Array", "Object", "Date and time", "Higher-order")
"""The groups, in the order the reference shows them (JSONata's own documentation groups functions so)."""

FUNCTIONS: Final[tuple[FunctionEntry, ...]] = (
    # -- String ------------------------------------------------------------------------------
    FunctionEntry("string", "String", "$string(arg[, prettify])", "Casts a value to a string; objects and arrays become JSON.",
                  "$string(stream.chunk.done) & \"%\"", "2%", _PROGRESS),
    FunctionEntry("length", "String", "$length(str)", "The number of characters in a string.", '$length("Hello")', 5),
    FunctionEntry("substring", "String", "$substring(str, start[, length])", "The characters from a 0-based start position, optionally only so many.",
                  '$substring("Streamwright", 0, 6)', "Stream"),
    FunctionEntry("substringBefore", "String", "$substringBefore(str, chars)", "The part of a string before the first occurrence of chars.",
                  '$substringBefore("report.csv", ".")', "report"),
    FunctionEntry("substringAfter", "String", "$substringAfter(str, chars)", "The part of a string after the first occurrence of chars.",
                  '$substringAfter("report.csv", ".")', "csv"),
    FunctionEntry("uppercase", "String", "$uppercase(str)", "The string in upper case.", "$uppercase(stream.chunk.status)", "PROGRESS", _PROGRESS),
    FunctionEntry("lowercase", "String", "$lowercase(str)", "The string in lower case.", '$lowercase("DONE")', "done"),
    FunctionEntry("trim", "String", "$trim(str)", "Removes leading and trailing whitespace and turns each run of whitespace into one space.",
                  '$trim("  Hello   world ")', "Hello world"),
    FunctionEntry("pad", "String", "$pad(str, width[, char])", "Pads a string to a width: on the right when width is positive, on the left when negative.",
                  '$pad("7", -3, "0")', "007"),
    FunctionEntry("contains", "String", "$contains(str, pattern)", "Whether a string contains a substring or matches a regular expression.",
                  "$contains(stream.chunk.label, \"file\")", True, _PROGRESS),
    FunctionEntry("split", "String", "$split(str, separator[, limit])", "Splits a string into an array at a separator or regular expression.",
                  '$split("a few words", " ")', ["a", "few", "words"]),
    FunctionEntry("join", "String", "$join(array[, separator])", "Joins an array of strings into one, with an optional separator.",
                  "$join(stream.chunks.text)", "Hello world", _chunks("Hello ", "world")),
    FunctionEntry("match", "String", "$match(str, pattern[, limit])", "The matches of a regular expression: each with match, index and groups.",
                  '$match("a1b22c333", /[0-9]+/).match', ["1", "22", "333"]),
    FunctionEntry("replace", "String", "$replace(str, pattern, replacement[, limit])", "Replaces occurrences of a substring or regular expression.",
                  '$replace("2026-01-31", "-", "/")', "2026/01/31"),
    FunctionEntry("eval", "String", "$eval(expr[, context])", "Parses and evaluates a JSONata expression given as a string.", '$eval("1 + 2")', 3),
    FunctionEntry("base64encode", "String", "$base64encode(str)", "Encodes a string as Base64.", '$base64encode("hi")', "aGk="),
    FunctionEntry("base64decode", "String", "$base64decode(str)", "Decodes a Base64 string.", '$base64decode("aGk=")', "hi"),
    FunctionEntry("encodeUrlComponent", "String", "$encodeUrlComponent(str)", "Percent-encodes a URL component (a query value, a path segment).",
                  '$encodeUrlComponent("a b&c")', "a%20b%26c"),
    FunctionEntry("encodeUrl", "String", "$encodeUrl(str)", "Percent-encodes a whole URL, leaving its reserved characters as they are.",
                  '$encodeUrl("https://example.com/a b")', "https://example.com/a%20b"),
    FunctionEntry("decodeUrlComponent", "String", "$decodeUrlComponent(str)", "Decodes a percent-encoded URL component.",
                  '$decodeUrlComponent("a%20b%26c")', "a b&c"),
    FunctionEntry("decodeUrl", "String", "$decodeUrl(str)", "Decodes a percent-encoded URL.", '$decodeUrl("https://example.com/a%20b")',
                  "https://example.com/a b"),
    # -- Numeric -----------------------------------------------------------------------------
    FunctionEntry("number", "Numeric", "$number(arg)", "Casts a string or boolean to a number.", '$number("42")', 42),
    FunctionEntry("abs", "Numeric", "$abs(number)", "The absolute value.", "$abs(-3.5)", 3.5),
    FunctionEntry("floor", "Numeric", "$floor(number)", "Rounds down to a whole number.", "$floor(2.7)", 2),
    FunctionEntry("ceil", "Numeric", "$ceil(number)", "Rounds up to a whole number.", "$ceil(2.1)", 3),
    FunctionEntry("round", "Numeric", "$round(number[, precision])", "Rounds half to even, optionally to a number of decimal places.",
                  "$round(stream.chunk.done / stream.chunk.total * 100)", 67, _PROGRESS),
    FunctionEntry("power", "Numeric", "$power(base, exponent)", "A number raised to a power.", "$power(2, 10)", 1024),
    FunctionEntry("sqrt", "Numeric", "$sqrt(number)", "The square root.", "$sqrt(16)", 4),
    FunctionEntry("random", "Numeric", "$random()", "A pseudo-random number from 0 (included) to 1 (excluded).", "$random() < 1", True),
    FunctionEntry("formatNumber", "Numeric", "$formatNumber(number, picture[, options])", "Formats a number with a picture such as \"#,##0.00\".",
                  '$formatNumber(1234.5, "#,##0.00")', "1,234.50"),
    FunctionEntry("formatBase", "Numeric", "$formatBase(number[, radix])", "Writes a number in another base, 2 to 36.", "$formatBase(255, 16)", "ff"),
    FunctionEntry("formatInteger", "Numeric", "$formatInteger(number, picture)", "Writes an integer as words, roman numerals, letters or digits.",
                  '$formatInteger(2026, "I")', "MMXXVI"),
    FunctionEntry("parseInteger", "Numeric", "$parseInteger(str, picture)", "Reads an integer written as $formatInteger writes it.",
                  '$parseInteger("MMXXVI", "I")', 2026),
    # -- Aggregation -------------------------------------------------------------------------
    FunctionEntry("sum", "Aggregation", "$sum(array)", "The sum of an array of numbers.", "$sum([5, 10, 15])", 30),
    FunctionEntry("count", "Aggregation", "$count(array)", "The number of items in an array.", "$count(stream.chunks)", 3, _chunks("a", "b", "c")),
    FunctionEntry("max", "Aggregation", "$max(array)", "The largest number in an array.", "$max([3, 9, 4])", 9),
    FunctionEntry("min", "Aggregation", "$min(array)", "The smallest number in an array.", "$min([3, 9, 4])", 3),
    FunctionEntry("average", "Aggregation", "$average(array)", "The mean of an array of numbers.", "$average([2, 4, 9])", 5),
    # -- Boolean -----------------------------------------------------------------------------
    FunctionEntry("boolean", "Boolean", "$boolean(arg)", "The value's truthiness: \"\", 0, [], {} and null are false.", '$boolean("")', False),
    FunctionEntry("not", "Boolean", "$not(arg)", "The opposite of the value's truthiness.", '$not(stream.chunk.status = "done")', True, _PROGRESS),
    FunctionEntry("exists", "Boolean", "$exists(arg)", "Whether the value is there at all (a missing field is not).",
                  "$exists(stream.chunk.downloadUrl)", False, _PROGRESS),
    # -- Array -------------------------------------------------------------------------------
    FunctionEntry("append", "Array", "$append(array1, array2)", "Joins two values into one array.", "$append([1, 2], [3])", [1, 2, 3]),
    FunctionEntry("reverse", "Array", "$reverse(array)", "The array in reverse order.", '$reverse(["a", "b", "c"])', ["c", "b", "a"]),
    FunctionEntry("shuffle", "Array", "$shuffle(array)", "The items in a random order.", "$sort($shuffle([3, 1, 2]))", [1, 2, 3]),
    FunctionEntry("distinct", "Array", "$distinct(array)", "The array without duplicate values.", "$distinct(stream.chunks.status)", ["starting", "progress", "done"],
                  {"stream": {"chunks": [{"status": "starting"}, {"status": "progress"}, {"status": "progress"}, {"status": "done"}]}}),
    FunctionEntry("sort", "Array", "$sort(array[, function])", "Sorts an array, optionally by a function($a, $b) that is true when $a goes after $b.",
                  "$sort([3, 1, 2])", [1, 2, 3]),
    FunctionEntry("zip", "Array", "$zip(array1, ...)", "Pairs arrays item by item into an array of arrays.", '$zip([1, 2], ["a", "b"])', [[1, "a"], [2, "b"]]),
    # -- Object ------------------------------------------------------------------------------
    FunctionEntry("keys", "Object", "$keys(object)", "The keys of an object (of all objects, for an array of them).", "$keys(stream.chunk)",
                  ["status", "label", "done", "total"], _PROGRESS),
    FunctionEntry("lookup", "Object", "$lookup(object, key)", "The value of a key (the key may be any string, even one with spaces).",
                  '$lookup({"a b": 1}, "a b")', 1),
    FunctionEntry("spread", "Object", "$spread(object)", "Splits an object into an array of one-key objects.", '$spread({"a": 1, "b": 2})', [{"a": 1}, {"b": 2}]),
    FunctionEntry("merge", "Object", "$merge(array)", "Merges an array of objects into one; later keys win.", '$merge([{"a": 1}, {"a": 2, "b": 3}])', {"a": 2, "b": 3}),
    FunctionEntry("sift", "Object", "$sift(object, function)", "The key/value pairs for which function($value, $key) is true.",
                  '$sift({"a": 1, "b": 0}, function($v) { $v > 0 })', {"a": 1}),
    FunctionEntry("each", "Object", "$each(object, function)", "Calls function($value, $key) on each pair and gives the results as an array.",
                  '$each({"a": 1, "b": 2}, function($v, $k) { $k & "=" & $v })', ["a=1", "b=2"]),
    FunctionEntry("error", "Object", "$error([message])", "Fails the formula with a message (the action that evaluates it fails).",
                  '$error("No rows for this date")', fails_with="No rows for this date"),
    FunctionEntry("assert", "Object", "$assert(condition[, message])", "Fails the formula with a message when the condition is false.",
                  '$assert(inputs.total > 0, "total must be positive")', given={"inputs": {"total": 0}}, fails_with="total must be positive"),
    FunctionEntry("type", "Object", "$type(value)", "The value's type: null, number, string, boolean, array, object or function.",
                  "$type(stream.chunks)", "array", _chunks("a")),
    FunctionEntry("clone", "Object", "$clone(value)", "A deep copy of a value.", '$clone({"a": [1, 2]})', {"a": [1, 2]}),
    # -- Date and time -----------------------------------------------------------------------
    FunctionEntry("now", "Date and time", "$now([picture[, timezone]])", "The time of the evaluation as an ISO 8601 string (or formatted by a picture).",
                  '$now() > "2020"', True),
    FunctionEntry("millis", "Date and time", "$millis()", "The time of the evaluation in milliseconds since 1970.", "$millis() > 1700000000000", True),
    FunctionEntry("fromMillis", "Date and time", "$fromMillis(number[, picture[, timezone]])", "Writes milliseconds since 1970 as a timestamp.",
                  "$fromMillis(1767225600000)", "2026-01-01T00:00:00.000Z"),
    FunctionEntry("toMillis", "Date and time", "$toMillis(timestamp[, picture])", "Reads a timestamp into milliseconds since 1970.",
                  '$toMillis("2026-01-01T00:00:00.000Z")', 1767225600000),
    # -- Higher-order ------------------------------------------------------------------------
    FunctionEntry("map", "Higher-order", "$map(array, function)", "Calls function($value, $index) on each item and gives the results.",
                  "$map([1, 2, 3], function($v) { $v * 10 })", [10, 20, 30]),
    FunctionEntry("filter", "Higher-order", "$filter(array, function)", "The items for which function($value, $index) is true.",
                  "$filter([1, 5, 8], function($v) { $v > 4 })", [5, 8]),
    FunctionEntry("single", "Higher-order", "$single(array[, function])", "The one item for which the function is true; an error when there is not exactly one.",
                  "$single([1, 5, 8], function($v) { $v > 6 })", 8),
    FunctionEntry("reduce", "Higher-order", "$reduce(array, function[, init])", "Folds an array into one value with function($total, $value).",
                  "$reduce([1, 2, 3], function($total, $v) { $total + $v })", 6),
)  # fmt: skip

_BY_NAME: Final = {entry.name: entry for entry in FUNCTIONS}


def function_entry(name: str) -> FunctionEntry | None:
    """The entry of ``join`` or ``$join``; None for a name that is no built-in."""
    return _BY_NAME.get(name.removeprefix("$"))


def is_builtin(name: str) -> bool:
    """Whether the formula engine itself knows ``$name`` as a function (asked of the engine, not of this table)."""
    if not re.fullmatch(r"\$?[A-Za-z_]\w*", name):
        return False
    try:
        return compile_formula(f"$type(${name.removeprefix('$')})").evaluate({}) == "function"
    except FormulaError:
        return False


_NAME_CHAR: Final = re.compile(r"\w")


def _word_around(text: str, position: int) -> tuple[int, int]:
    """The span of the ``$word`` (or plain word) that touches ``position``."""
    start = position
    while start > 0 and _NAME_CHAR.match(text[start - 1]):
        start -= 1
    if start > 0 and text[start - 1] == "$":
        start -= 1
    end = position
    if end < len(text) and text[end] == "$" and end == start:
        end += 1
    while end < len(text) and _NAME_CHAR.match(text[end]):
        end += 1
    return start, end


def function_at(text: str, position: int) -> str | None:
    """The built-in a position in a formula is about: the ``$name`` at the cursor, else the call the cursor is inside.

    ``$join(stream.chunks.te|xt)`` gives ``join``; positions in a string literal
    only count for the call around the string.
    """
    position = max(0, min(position, len(text)))
    start, end = _word_around(text, position)
    word = text[start:end]
    if word.startswith("$") and function_entry(word) is not None and not inside_string(text[:start]):
        return word[1:]
    calls: list[str | None] = []
    quote: str | None = None
    index = 0
    while index < position:
        char = text[index]
        if quote is not None:
            if char == "\\":
                index += 1
            elif char == quote:
                quote = None
        elif char in "\"'`":
            quote = char
        elif char == "(":
            before = text[:index].rstrip()
            name = re.search(r"\$(\w+)$", before)
            calls.append(name.group(1) if name and function_entry(name.group(1)) else None)
        elif char == ")" and calls:
            calls.pop()
        index += 1
    return next((name for name in reversed(calls) if name is not None), None)


def inside_string(text: str) -> bool:
    """Whether ``text`` ends inside a string literal (or a backquoted name): no function or name is offered there."""
    quote: str | None = None
    escaped = False
    for char in text:
        if escaped:
            escaped = False
        elif char == "\\" and quote:
            escaped = True
        elif quote and char == quote:
            quote = None
        elif not quote and char in "\"'`":
            quote = char
    return quote is not None


@dataclass(frozen=True)
class Insertion:
    """Replace ``text[start:end]`` by ``replacement`` and put the cursor at ``cursor`` (an offset in the new text)."""

    start: int
    end: int
    replacement: str
    cursor: int


def function_insertion(text: str, position: int, name: str) -> Insertion:
    """How to put ``$name(`` into a formula at the cursor.

    A ``$word`` the cursor is in or just after (half typed, or the function F1
    was pressed on) is replaced, so choosing ``$join`` on ``$jo|`` gives ``$join(|``, and an
    opening parenthesis already after it is not doubled: the cursor goes
    inside it.
    """
    position = max(0, min(position, len(text)))
    start, end = _word_around(text, position)
    if start == position or not text[start:end].startswith("$") or inside_string(text[:start]):
        start = end = position  # the cursor before a word (or on none): insert, as typing would
    call = f"${name.removeprefix('$')}"
    rest = text[end:]
    if rest.lstrip(" ").startswith("("):
        spaces = len(rest) - len(rest.lstrip(" "))
        return Insertion(start, end + spaces + 1, call + "(", start + len(call) + 1)
    return Insertion(start, end, call + "(", start + len(call) + 1)
