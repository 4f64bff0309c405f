"""Property: any text or JSON given as an endpoint's inputs is converted, or refused with InputError."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from app.core.inputs import InputError, coerce_inputs
from app.core.project import Endpoint, EndpointInput
from tests.fuzz.strategies import ANY_TEXT, JSON_VALUES, nested

TYPES = ["string", "number", "integer", "boolean", "object", "array"]
ENDPOINT = Endpoint(
    name="ep",
    path="/ep",
    inputs=[EndpointInput(name=f"{kind}_in", type=kind, required=index % 2 == 0) for index, kind in enumerate(TYPES)],  # type: ignore[arg-type]
)
NAMES = st.sampled_from([spec.name for spec in ENDPOINT.inputs]) | ANY_TEXT


def _check(values: dict[str, Any]) -> None:
    json.dumps(values, allow_nan=False).encode("utf-8")


@given(st.dictionaries(NAMES, ANY_TEXT | nested() | st.sampled_from(["NaN", "-Infinity", "1e999", "true", "2.0", "[1]", "{}"]), max_size=8))
def test_text_inputs_convert_or_are_refused(raw: dict[str, str]) -> None:
    try:
        values = coerce_inputs(ENDPOINT, raw, from_text=True)
    except InputError as error:
        assert error.errors and all(isinstance(message, str) for message in error.errors.values())
        return
    _check(values)


@given(st.dictionaries(NAMES, JSON_VALUES, max_size=8))
def test_json_inputs_are_checked_or_refused(raw: dict[str, Any]) -> None:
    try:
        coerce_inputs(ENDPOINT, raw)
    except InputError as error:
        assert error.errors
