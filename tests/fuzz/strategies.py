"""Inputs for the fuzz tests: JSON (valid and not quite), nesting, text with surrogates, SSE-ish lines."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import strategies as st

ANY_TEXT = st.text(alphabet=st.characters(codec=None, exclude_categories=()), max_size=60)
"""Any code points, unpaired surrogates included."""

SCALARS = st.none() | st.booleans() | st.integers(min_value=-(2**70), max_value=2**70) | st.floats(allow_nan=True, allow_infinity=True) | ANY_TEXT

JSON_VALUES: st.SearchStrategy[Any] = st.recursive(
    SCALARS, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(ANY_TEXT, inner, max_size=4), max_leaves=20
)
"""JSON-like values; floats include NaN and infinities, text includes surrogates."""


def dumps_loose(value: Any) -> str:
    """json.dumps that writes NaN/Infinity and lone surrogates as json.dumps does by default: the inputs users send."""
    return json.dumps(value)


@st.composite
def nested(draw: st.DrawFn) -> str:
    """Arrays and objects nested from a few levels to far beyond any bound."""
    depth = draw(st.sampled_from([1, 5, 127, 128, 129, 1_000, 50_000]))
    opener = draw(st.sampled_from(["[", '{"a":', '{"endpoints":']))
    closer = "]" if opener == "[" else "}"
    closed = draw(st.booleans())
    return opener * depth + ("1" + closer * depth if closed else "")


def json_texts(documents: st.SearchStrategy[Any]) -> st.SearchStrategy[str | bytes]:
    """Documents as text, raw bytes (often not UTF-8), mangled text and deep nesting."""
    as_text = documents.map(dumps_loose)
    mangled = st.tuples(as_text, st.integers(min_value=0, max_value=400), ANY_TEXT).map(lambda t: t[0][: t[1]] + t[2] + t[0][t[1] :])
    return as_text | mangled | nested() | st.binary(max_size=200) | as_text.map(lambda t: t.encode("utf-8", "surrogatepass"))
