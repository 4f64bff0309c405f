"""The formula reference: every function the engine knows, each example true, the names drawn from the declarations."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import jlens
import pytest
from jlens import Expression, JlensError

from app.core.formula import FormulaEvaluationError, compile_formula
from app.core.formula.reference import CATEGORIES, FUNCTIONS, function_at, function_entry, function_insertion, is_builtin
from app.core.registry import ActionType, Registry, default_registry
from app.core.scope_names import SlotScope
from app.core.scope_reference import PAGE, scope_names


def _engine_functions() -> set[str]:
    """Ask the engine itself which names are functions.

    jlens has no call that lists its built-ins, but their names are in its
    native library's text (its catalogue of names, signatures and summaries).
    Every identifier-like piece of that text is a candidate, and the engine
    says which candidates ``$type`` calls a function; a candidate that is no
    function is simply not one.
    """
    data = Path(jlens._jlens.__file__).read_bytes()
    candidates: set[str] = set()
    for run in set(re.findall(rb"[a-z][A-Za-z0-9]+", data)):
        text = run.decode()
        ends = [end for end in range(2, len(text) + 1) if end == len(text) or not text[end].islower()]
        for start, char in enumerate(text):
            if char.islower():
                candidates.update(text[start:end] for end in ends if start + 2 <= end <= start + 24)
    found = set()
    for name in candidates:
        try:
            if Expression(f"$type(${name})").evaluate(None) == "function":
                found.add(name)
        except JlensError:
            continue
    return found


def test_the_reference_lists_every_function_the_engine_knows_and_no_other():
    known = _engine_functions()
    assert len(known) >= 60, f"the search of the engine's names found only {sorted(known)}"
    listed = {entry.name for entry in FUNCTIONS}
    assert sorted(known - listed) == [], "functions the engine knows that the reference leaves out"
    assert sorted(listed - known) == [], "reference entries that are no function of the engine"
    assert all(is_builtin(name) for name in listed)
    assert len(listed) == len(FUNCTIONS), "each function once"


@pytest.mark.parametrize("entry", FUNCTIONS, ids=[entry.name for entry in FUNCTIONS])
def test_every_example_evaluates_with_the_real_engine_to_the_result_it_states(entry):
    assert entry.category in CATEGORIES
    assert f"${entry.name}(" in entry.example, "the example uses its own function"
    assert entry.signature.startswith(f"${entry.name}(")
    assert entry.description.endswith(".") and "\n" not in entry.description
    formula = compile_formula(entry.example)
    if entry.fails_with is not None:
        with pytest.raises(FormulaEvaluationError) as failure:
            formula.evaluate(dict(entry.given))
        assert entry.fails_with in failure.value.message
        return
    value = formula.evaluate(dict(entry.given))
    assert value == entry.result
    assert type(value) is type(entry.result), f"{value!r} is not {entry.result!r}"


def test_entries_are_found_with_or_without_the_dollar():
    assert function_entry("$join") is function_entry("join") is not None
    assert function_entry("nope") is None


@pytest.mark.parametrize(
    ("text", "position", "expected"),
    [
        ("$join(stream.chunks.text)", 0, "join"),
        ("$join(stream.chunks.text)", 3, "join"),
        ("$join(stream.chunks.text)", 5, "join"),  # just before the parenthesis
        ("$join(stream.chunks.text)", 14, "join"),  # inside the call's argument
        ("$uppercase($join(a))", 15, "join"),  # the innermost call
        ("$uppercase($join(a), x)", 21, "uppercase"),  # after the inner call closed
        ('$split(text, ") $x")', 16, "split"),  # a parenthesis in a string does not count
        ("loop.count / loop.total", 5, None),
        ("$upp", 4, None),  # half typed: no function yet
        ("", 0, None),
    ],
)
def test_the_function_under_the_cursor(text, position, expected):
    assert function_at(text, position) == expected


def test_inserting_a_function_completes_or_replaces_the_word_at_the_cursor():
    def apply(text: str, position: int, name: str) -> tuple[str, int]:
        insertion = function_insertion(text, position, name)
        return text[: insertion.start] + insertion.replacement + text[insertion.end :], insertion.cursor

    assert apply("", 0, "join") == ("$join(", 6)
    assert apply('"Step " & ', 10, "string") == ('"Step " & $string(', 18)
    assert apply("$jo", 3, "join") == ("$join(", 6)
    assert apply("$join(stream.chunks.text)", 2, "join") == ("$join(stream.chunks.text)", 6), "an existing parenthesis is not doubled"
    assert apply("$join(a)", 2, "split") == ("$split(a)", 7)
    assert apply("$join(a)", 0, "trim") == ("$trim($join(a)", 6), "before a word: inserted, as typing would"
    assert apply('"$jo" & x', 4, "join") == ('"$jo$join(" & x', 10), "not in a string: that is text"


def test_the_names_come_from_the_declarations():
    names = scope_names()
    by_name = {(entry.name, entry.where) for entry in names}
    for root in ("inputs.<name>", "variables.<name>", "results.<action id>"):
        assert any(name == root for name, _where in by_name)
    for action_type in default_registry():
        for field in action_type.result_shape or {}:
            assert any(entry.name == f"results.<action id>.{field}" and action_type.title in entry.description for entry in names)
        for slot, given in action_type.slot_scopes.items():
            where = f"Inside {action_type.title} › {slot}"
            assert {f"{given.root}.{field}" for field in given.field_names(has_parent=True)} <= {entry.name for entry in names if entry.where == where}
    loop_count = next(entry for entry in names if entry.name == "loop.count")
    assert loop_count.kind == "number" and "from 1" in loop_count.description
    assert {"stream.chunk", "stream.chunks", "page.title"} <= {entry.name for entry in names if entry.where == PAGE}
    assert next(entry for entry in names if entry.name == "results.<action id>").insert_text == "results."


def test_a_new_container_declaration_brings_its_names_without_touching_the_reference():
    registry = Registry()
    for action_type in default_registry():
        registry.register(action_type)
    loop = registry.get("flow.loop")
    registry.register(
        dataclasses.replace(
            loop,
            id="flow.batch",
            title="Batch",
            legacy_ids=(),
            slot_scopes={"body": SlotScope("batch", {"size": "number"}, notes={"size": "items in this batch"})},
            result_shape={"batches": "number"},
        )
    )
    names = {(entry.name, entry.where, entry.description) for entry in scope_names(registry)}
    assert ("batch.size", "Inside Batch › body", "items in this batch") in names
    assert ("results.<action id>.batches", "Endpoint formulas", "in the result of Batch") in names
    assert isinstance(loop, ActionType)
