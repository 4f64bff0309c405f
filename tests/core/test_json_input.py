"""The one reader for JSON from users: refusals are JsonInputErrors saying what and where, never a crash."""

from __future__ import annotations

import json
import sys

import pytest

from app.core.json_input import MAX_DEPTH, JsonInputError, read_json


def test_ordinary_documents_read_as_json_loads_would():
    text = '{"a": [1, 2.5, -3e2, true, null, "x\\u00e9\\ud83d\\ude00"], "b": {"[not a bracket": "]"}}'
    assert read_json(text) == json.loads(text)
    assert read_json(text.encode()) == json.loads(text)
    assert read_json(b"\xef\xbb\xbf[1]") == [1], "a UTF-8 byte order mark is dropped"


def test_nesting_up_to_the_bound_is_read_and_one_level_more_is_refused_with_its_position():
    assert read_json("[" * MAX_DEPTH + "]" * MAX_DEPTH) is not None
    with pytest.raises(JsonInputError) as caught:
        read_json("\n  " + "[" * (MAX_DEPTH + 1) + "]" * (MAX_DEPTH + 1))
    assert (caught.value.line, caught.value.column, caught.value.code) == (2, 3 + MAX_DEPTH, "json-too-deep")


def test_brackets_inside_strings_do_not_count_as_depth():
    text = json.dumps({"s": "[" * 1000 + "{" * 1000, "t": '\\"[[['})
    assert read_json(text)["s"].startswith("[[[")


@pytest.mark.parametrize("depth", [10_000, 200_000])
def test_very_deep_documents_never_reach_the_parser(depth: int):
    for text in ("[" * depth, '{"a":' * depth + "1" + "}" * depth, "[" * depth + "]" * depth):
        with pytest.raises(JsonInputError, match="nested deeper than"):
            read_json(text)
    assert sys.getrecursionlimit() >= 1000


@pytest.mark.parametrize(
    ("text", "path"),
    [
        ("NaN", "$"),
        ('{"a": [1, Infinity]}', "$.a[1]"),
        ('{"a b": {"c": -Infinity}}', '$["a b"].c'),
        ("[[1e400]]", "$[0][0]"),
        ('{"x": -1E+999}', "$.x"),
    ],
)
def test_nan_infinity_and_out_of_range_numbers_are_refused_with_their_json_path(text: str, path: str):
    with pytest.raises(JsonInputError) as caught:
        read_json(text)
    assert caught.value.path == path and caught.value.code == "json-number"
    assert "not a finite number" in str(caught.value)


def test_an_integer_beyond_the_digit_limit_is_refused():
    with pytest.raises(JsonInputError, match="more than .* digits"):
        read_json("9" * 10_000)


@pytest.mark.parametrize("text", ['"\\ud800"', '["ok", {"k": "a\\udfffb"}]', '{"\\udc00": 1}', '"\\ude00\\ud83d"', '"\ud800"'])
def test_unpaired_surrogates_are_refused(text: str):
    with pytest.raises(JsonInputError, match="surrogate"):
        read_json(text)


def test_a_paired_surrogate_escape_is_a_character():
    assert read_json('"\\ud83d\\ude00"') == "\U0001f600"


def test_invalid_utf8_names_the_byte():
    with pytest.raises(JsonInputError) as caught:
        read_json(b'{"a": "\xc3\x28"}')
    assert caught.value.code == "not-utf8" and "byte 7" in str(caught.value)


def test_syntax_errors_name_line_and_column():
    with pytest.raises(JsonInputError) as caught:
        read_json('{\n  "a": ,\n}')
    assert (caught.value.line, caught.value.column) == (2, 8)
