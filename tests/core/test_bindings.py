"""Binding analysis: what a page's formulas read, so the frame timer re-evaluates exactly what may have changed."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from app.core.page_bindings import (
    ANY_ROOT,
    binding_inputs,
    binding_scope_names,
    chunk_field_entries,
    chunk_fields_read,
    depends_on,
)
from app.core.formula import FormulaError, compile_formula
from app.core.project import Page, PageVariable

STREAM = ("stream", "chunk")


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("stream.chunk.done / stream.chunk.total * 100", {STREAM}),
        ('"Step " & stream.chunk.done & " of " & stream.chunk.total', {STREAM}),
        ("$join(stream.chunks.text)", {("stream", "chunks")}),
        ("variables.name", {("variables", "name")}),
        ("page.title", {("page", "title")}),
        ("stream", {("stream", None)}),
        ("stream[0]", {("stream", None)}),
        ('stream["chunk"]', {("stream", None)}),
        ("$keys(stream)", {("stream", None)}),
        ("stream.chunks[-1].text", {("stream", "chunks")}),
        ('"stream.chunk.done is " & variables.x', {("variables", "x")}),  # a string is not a read
        ("'stream.chunk' & page.name", {("page", "name")}),
        ("($x := stream.chunk; $x.done)", {STREAM}),
        ("stream.chunk.done > 1 ? variables.a : page.title", {STREAM, ("variables", "a"), ("page", "title")}),
        ("stream.status = 'done' ? stream.result : stream.chunk.label", {("stream", "status"), ("stream", "result"), STREAM}),
        ("$map(stream.chunks, function($c) { $c.text })", {("stream", "chunks")}),
        ("($f := function($s) { $s.chunk.done }; $f(stream))", {("stream", None)}),
        ("report.chunk.done & stream.count", {("report", "chunk"), ("stream", "count")}),
        ("stream.`chunk`.done", {STREAM}),
        ("$count(stream.chunks)", {("stream", "chunks")}),
        ("stream.chunk.done.%.total", {STREAM}),  # the parent operator
        ("$", {(ANY_ROOT, None)}),
        ("$$.stream.chunk.done", {STREAM}),
        ('$eval("stream.status")', {(ANY_ROOT, None)}),
        ("42", set()),
    ],
)
def test_binding_inputs(source: str, expected: set[tuple[str, str | None]]) -> None:
    assert binding_inputs(source) == frozenset(expected)


def test_names_the_formula_binds_itself_are_not_roots():
    assert binding_inputs("($stream := 1; $stream + 1)") == frozenset()
    assert binding_inputs("(function($variables) { $variables.x })(page)") == frozenset({("page", None)})
    assert binding_inputs("stream.chunks@$c.($c.text)") == frozenset({("stream", "chunks")})


def test_a_formula_with_a_syntax_error_reads_nothing():
    assert binding_inputs("stream.chunk.done /") == frozenset()
    assert binding_inputs("$x := stream.chunk; $x.done") == frozenset()  # needs parentheses in JSONata


def test_depends_on_matches_changes_to_a_key_or_a_whole_root():
    inputs = binding_inputs("stream.chunk.done & variables.name")
    assert depends_on(inputs, "stream", "chunk") and depends_on(inputs, "stream")
    assert not depends_on(inputs, "stream", "chunks") and not depends_on(inputs, "stream", "status")
    assert depends_on(inputs, "variables", "name") and not depends_on(inputs, "variables", "other")
    assert not depends_on(inputs, "page")
    assert depends_on(binding_inputs("stream[0]"), "stream", "status")
    assert depends_on(binding_inputs("$"), "page", "name")


SCOPE: dict[str, Any] = {
    "stream": {
        "chunk": {"status": "progress", "label": "Generating", "done": 2, "total": 3, "text": "b"},
        "chunks": [{"status": "chunk", "text": "a"}, {"status": "chunk", "text": "b"}],
        "status": "running",
        "error": None,
        "count": 2,
        "result": None,
    },
    "report": {"chunk": {"done": 1}, "chunks": [], "status": "idle", "error": None, "count": 0, "result": None},
    "variables": {"name": "Ada", "a": 1, "b": 2},
    "page": {"name": "report", "title": "Report"},
}

TRICKY = [
    "stream.chunk.done / stream.chunk.total * 100",
    '"Step " & stream.chunk.done & " of " & stream.chunk.total',
    "$join(stream.chunks.text)",
    '"stream.chunk" & variables.name',
    "($x := stream.chunk; $x.done)",
    "stream.chunk.done > 1 ? variables.a : variables.b",
    "stream.chunks[-1].text",
    'stream["chunk"]',
    "stream[0]",
    "$keys(stream)",
    '$lookup(stream, "status")',
    "$lookup(stream, variables.name)",
    "$sift(stream, function($v, $k) { $k = 'count' })",
    "($f := function($s) { $s.chunk.done }; $f(stream))",
    "stream.chunks.%.status",
    "stream.*",
    "$.stream.count",
    "$string($)",
    "$count(stream.chunks) & page.title",
    "report.chunk.done + stream.chunk.done",
]


def _evaluate(source: str, scope: dict[str, Any]) -> Any:
    try:
        return ("value", compile_formula(source).evaluate(scope))
    except FormulaError as error:
        return ("error", error.message)


def _mutations(scope: dict[str, Any]):
    """Every ``(root, key, changed scope)`` that changes one key of one root, or a whole root."""
    for root, value in scope.items():
        for key in [*value, "added"]:
            changed = copy.deepcopy(scope)
            changed[root][key] = {"changed": [key, 1]}
            yield root, key, changed
        changed = copy.deepcopy(scope)
        changed[root] = {"replaced": True}
        yield root, None, changed


@pytest.mark.parametrize("source", TRICKY)
def test_a_change_outside_the_inputs_never_changes_the_result(source: str) -> None:
    """The frame timer skips a binding when nothing it reads changed: that must never hide a new value."""
    inputs = binding_inputs(source)
    before = _evaluate(source, SCOPE)
    skipped = 0
    for root, key, changed in _mutations(SCOPE):
        if not depends_on(inputs, root, key):
            skipped += 1
            assert _evaluate(source, changed) == before, (root, key)
    if (ANY_ROOT, None) not in inputs:
        assert skipped, "every formula here leaves some part of the scope unread"


def test_chunk_fields_read_with_positions():
    source = "stream.chunk.done / stream.chunk.total * 100"
    assert chunk_fields_read(source, ["stream"]) == [("stream", "done", 13), ("stream", "total", 33)]
    assert chunk_fields_read('"stream.chunk.nope" & stream.chunk.label', ["stream"]) == [("stream", "label", 35)]
    assert chunk_fields_read("$join(stream.chunks.txt)", ["stream"]) == [("stream", "txt", 20)]
    assert chunk_fields_read("report.chunk.done & stream.chunk.x", ["report"]) == [("report", "done", 13)]
    assert chunk_fields_read("/* stream.chunk.q */ stream.chunk.r", ["stream"]) == [("stream", "r", 34)]
    assert chunk_fields_read("stream . `chunk` . `my field`", ["stream"]) == [("stream", "my field", 19)]


def test_chunk_fields_read_follows_variables_and_ignores_relative_paths():
    assert chunk_fields_read("($c := stream.chunk; $c.lable)", ["stream"]) == [("stream", "lable", 24)]
    assert chunk_fields_read("variables.(stream.chunk.x)", ["stream"]) == []  # relative to variables, not the call
    assert chunk_fields_read("$count(stream.chunks)", ["stream"]) == []
    assert chunk_fields_read("stream.chunk.", ["stream"]) == []  # syntax error: validation says so


def test_completion_entries_for_a_page():
    page = Page(name="report", title="Report", variables=[PageVariable(name="query"), PageVariable(name="since")])
    entries = dict(binding_scope_names(page, ["stream", "import"]))
    for call in ("stream", "import"):
        assert {f"{call}.{field}" for field in ("chunk", "chunks", "status", "error", "count", "result")} <= set(entries)
    assert "variables.query" in entries and "variables.since" in entries
    assert "page.name" in entries
    assert "idle" in entries["stream.status"] and "running" in entries["stream.status"]
    names = [name for name, _ in binding_scope_names(page, ["stream", "stream"])]
    assert len(names) == len(set(names))


def test_chunk_field_entries_say_which_statuses_send_a_field():
    entries = dict(chunk_field_entries("stream", {"label": ["starting", "progress"], "text": []}))
    assert entries["stream.chunk.label"] == "sent with status starting, progress"
    assert "stream.chunk.text" in entries


def test_a_binding_with_an_unpaired_surrogate_is_read_as_nothing_not_a_crash():
    from app.core.page_bindings import binding_inputs, chunk_fields_read

    assert binding_inputs('"\ud800" & stream.chunk.done') == frozenset()
    assert chunk_fields_read("stream.chunk.\udc00x", ["stream"]) == []
