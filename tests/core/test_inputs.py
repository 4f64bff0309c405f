"""Typed endpoint inputs from JSON and from text (CLI -i, query strings)."""

from __future__ import annotations

import pytest

from app.core.inputs import InputError, coerce_inputs
from app.core.project import EndpointInput
from tests.conftest import endpoint

EP = endpoint(
    [],
    [
        EndpointInput(name="text", type="string", default="hi"),
        EndpointInput(name="rows", type="integer", default=10),
        EndpointInput(name="ratio", type="number"),
        EndpointInput(name="dry", type="boolean", default=False),
        EndpointInput(name="tags", type="array"),
        EndpointInput(name="meta", type="object"),
    ],
)


def test_defaults_apply_and_text_is_converted_by_declared_type():
    values = coerce_inputs(EP, {"rows": "25", "ratio": "0.5", "dry": "yes", "tags": '["a"]', "meta": '{"k": 1}'}, from_text=True)
    assert values == {"text": "hi", "rows": 25, "ratio": 0.5, "dry": True, "tags": ["a"], "meta": {"k": 1}}


def test_text_input_keeps_digits_as_text():
    assert coerce_inputs(EP, {"text": "123"}, from_text=True)["text"] == "123"


def test_every_bad_input_is_named():
    with pytest.raises(InputError) as caught:
        coerce_inputs(EP, {"rows": 2.5, "dry": "maybe", "tags": {"a": 1}, "nope": 1})
    assert set(caught.value.errors) == {"rows", "dry", "tags", "nope"}
    assert caught.value.errors["rows"] == "expected integer, got number"


def test_text_that_is_not_the_declared_type_is_refused():
    with pytest.raises(InputError, match="expected integer, got 'ten'"):
        coerce_inputs(EP, {"rows": "ten"}, from_text=True)
    with pytest.raises(InputError, match="expected true or false"):
        coerce_inputs(EP, {"dry": "maybe"}, from_text=True)


def test_booleans_are_not_numbers():
    with pytest.raises(InputError, match="expected integer, got boolean"):
        coerce_inputs(EP, {"rows": True})


def test_required_inputs_must_be_given():
    ep = endpoint([], [EndpointInput(name="who", required=True)])
    with pytest.raises(InputError, match="'who': is required"):
        coerce_inputs(ep, {})


LIMITED = endpoint(
    [],
    [
        EndpointInput(name="delay", type="integer", minimum=0, maximum=100),
        EndpointInput(name="ratio", type="number", minimum=0.5),
        EndpointInput(name="code", type="string", max_length=3),
    ],
)


def test_limits_are_inclusive_and_enforced():
    assert coerce_inputs(LIMITED, {"delay": 100, "ratio": 0.5, "code": "abc"}) == {"delay": 100, "ratio": 0.5, "code": "abc"}
    with pytest.raises(InputError) as caught:
        coerce_inputs(LIMITED, {"delay": "101", "ratio": "0.25", "code": "abcd"}, from_text=True)
    assert caught.value.errors == {
        "delay": "must be at most 100, got 101",
        "ratio": "must be at least 0.5, got 0.25",
        "code": "must be at most 3 characters, got 4",
    }


def test_limits_are_saved_only_when_set():
    assert "minimum" not in EndpointInput(name="a").model_dump(by_alias=True)
    assert EndpointInput(name="a", type="string", max_length=4).model_dump(by_alias=True)["maxLength"] == 4


def test_limits_that_do_not_fit_the_type_are_problems():
    from app.core.registry import default_registry
    from app.core.validate import validate_endpoint

    bad = endpoint([], [EndpointInput(name="a", type="string", minimum=1), EndpointInput(name="b", type="integer", minimum=5, maximum=1, default=3)])
    messages = [f"{p.path}: {p.message}" for p in validate_endpoint(bad, default_registry())]
    assert "$.inputs[0].minimum: minimum applies to number and integer inputs, not string ('a')" in messages
    assert "$.inputs[1].minimum: minimum 5 is above maximum 1 ('b')" in messages
    assert any(m.startswith("$.inputs[1].default:") for m in messages)


def test_text_values_are_checked_against_their_limits_when_parsed():
    from app.core.inputs import parse_text_inputs

    with pytest.raises(InputError, match="'delay': must be at most 100, got 101"):
        parse_text_inputs(LIMITED, {"delay": "101"})  # a query value a JSON body would override is still refused
    assert parse_text_inputs(LIMITED, {"delay": "100", "other": "x"}) == {"delay": 100, "other": "x"}
