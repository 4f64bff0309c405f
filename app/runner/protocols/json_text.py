"""Compact JSON for the wire: every protocol writes Event Data through here.

Encoding was the largest share of ``serve``'s CPU per message with ``json.dumps``;
orjson (a Rust extension, MIT/Apache-2.0) writes the same compact text about ten
times faster, as UTF-8 bytes ready to send. What it writes differs from
``json.dumps(..., ensure_ascii=False, separators=(",", ":"))`` only where the
value is the same or where ``json.dumps`` wrote something that is not JSON:

- a float is written in its shortest form (``1e16``, not ``1e+16``): the same number;
- NaN and the infinities become ``null``, as formulas already give them: JSON has
  no such numbers, and a browser's ``JSON.parse`` refuses the ``NaN`` token.

What orjson refuses goes through ``json.dumps`` instead: integers beyond 64 bits,
keys that are not strings, and unpaired UTF-16 surrogates (an upstream's
``"\\ud800"``), which are then written as ``\\u`` escapes so the text is still
valid UTF-8 (encoding them raw used to end the stream with an exception).
"""

from __future__ import annotations

import json
import re
from typing import Any, Final

import orjson

_SEPARATORS: Final = (",", ":")
_SURROGATE: Final = re.compile("[\ud800-\udfff]")


def json_bytes(data: Any) -> bytes:
    """``data`` as compact JSON on one line (newlines inside strings are escaped), UTF-8."""
    try:
        return orjson.dumps(data)
    except TypeError:  # orjson.JSONEncodeError is a TypeError
        return _fallback(data).encode()


def json_text(data: Any) -> str:
    """``json_bytes`` as text, for protocols that build their lines as strings."""
    try:
        return orjson.dumps(data).decode()
    except TypeError:
        return _fallback(data)


def _fallback(data: Any) -> str:
    text = json.dumps(data, ensure_ascii=False, separators=_SEPARATORS)
    if _SURROGATE.search(text):
        text = json.dumps(data, ensure_ascii=True, separators=_SEPARATORS)
    return text
