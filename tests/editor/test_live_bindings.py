"""Live bindings: compiled once, re-evaluated only when what they read changed, only changes pushed."""

from __future__ import annotations

import random
from typing import Any

import pytest

from app.client.stream_state import StreamState
from app.core.formula import compile_formula
from app.core.project import Page, PageVariable, Widget
from app.editor.preview.live_bindings import (
    PENDING,
    ALL,
    TEXT_INPUT_VALUE,
    BindingError,
    BindingUpdate,
    LiveBindings,
    StaticSource,
    static_scope,
)
from tests.conftest import formula


def page_of(*widgets: Widget, variables: list[PageVariable] | None = None) -> Page:
    return Page(name="report", title="Report", variables=variables or [], widgets=list(widgets))


def streaming_page() -> Page:
    return page_of(
        Widget(id="label", type="text", props={"text": formula("stream.chunk.label")}),
        Widget(id="bar", type="progress_bar", props={"value": formula("stream.chunk.done"), "max": formula("stream.chunk.total")}),
        Widget(id="out", type="live_output", props={"text": formula("$join(stream.chunks.text)")}),
        Widget(id="rows", type="chunk_list"),
        Widget(id="who", type="text", props={"text": formula('"Hello " & variables.name')}),
        variables=[PageVariable(name="name", initial="Ada")],
    )


class Stream:
    """A scope fed the way a page session feeds it: one StreamState, ``to_json()`` per frame."""

    def __init__(self, page: Page) -> None:
        self.state = StreamState(stall_after_s=None)
        self.variables: dict[str, Any] = {v.name: v.initial for v in page.variables}
        self.page = page

    def scope(self) -> dict[str, Any]:
        return {"variables": self.variables, "page": {"name": self.page.name, "title": self.page.title}, "stream": self.state.to_json()}

    def send(self, **data: Any) -> None:
        self.state.add_message(data, str(self.state.count + 1))


def as_dict(updates: list[BindingUpdate]) -> dict[tuple[str, str], Any]:
    return {(u.widget_id, u.prop): u.value for u in updates}


def test_first_frame_pushes_every_prop_then_nothing_when_nothing_moved() -> None:
    page = streaming_page()
    bindings, stream = LiveBindings(page), Stream(page)
    first = as_dict(bindings.evaluate(stream.scope(), ALL))
    assert first[("label", "text")] is PENDING  # undefined before any message: the widget shows its placeholder, not "Text"
    assert first[("bar", "value")] is PENDING and first[("bar", "max")] is PENDING and first[("bar", "format")] == "%p%"
    assert first[("rows", "items")] == [] and first[("rows", "columns")] == []
    assert first[("who", "text")] == "Hello Ada"
    assert first[("label", "visible")] is True and first[("label", "style")] == "body"
    assert bindings.evaluate(stream.scope(), ALL) == []
    assert bindings.evaluate(stream.scope(), frozenset()) == []
    assert bindings.errors() == []


def test_only_bindings_whose_inputs_changed_are_evaluated() -> None:
    page = streaming_page()
    bindings, stream = LiveBindings(page), Stream(page)
    bindings.evaluate(stream.scope(), ALL)
    before = {prop: bindings.evaluation_count(*prop) for prop in bindings.props()}

    stream.variables["name"] = "Grace"
    assert as_dict(bindings.evaluate(stream.scope(), {("variables", "name")})) == {("who", "text"): "Hello Grace"}
    moved = {prop for prop in bindings.props() if bindings.evaluation_count(*prop) != before[prop]}
    assert moved == {("who", "text")}

    stream.send(status="progress", label="Generating", done=1, total=3, text="a")
    counts = {prop: bindings.evaluation_count(*prop) for prop in bindings.props()}
    updates = as_dict(bindings.evaluate(stream.scope(), {("stream", "chunk")}))
    assert updates == {("label", "text"): "Generating", ("bar", "value"): 1, ("bar", "max"): 3}
    moved = {prop for prop in bindings.props() if bindings.evaluation_count(*prop) != counts[prop]}
    assert moved == {("label", "text"), ("bar", "value"), ("bar", "max")}  # not the chunks' join, not the variable

    counts = {prop: bindings.evaluation_count(*prop) for prop in bindings.props()}
    updates = as_dict(bindings.evaluate(stream.scope(), {("stream", "chunks"), ("stream", "count")}))
    assert updates[("out", "text")] == "a"
    assert updates[("rows", "items")] is stream.state.chunks
    moved = {prop for prop in bindings.props() if bindings.evaluation_count(*prop) != counts[prop]}
    assert moved == {("out", "text"), ("rows", "items")}


def test_a_whole_root_change_reaches_every_binding_under_it() -> None:
    page = streaming_page()
    bindings, stream = LiveBindings(page), Stream(page)
    bindings.evaluate(stream.scope(), ALL)
    counts = {prop: bindings.evaluation_count(*prop) for prop in bindings.props()}
    bindings.evaluate(stream.scope(), {("stream", None)})
    moved = {prop for prop in bindings.props() if bindings.evaluation_count(*prop) != counts[prop]}
    assert moved == {("label", "text"), ("bar", "value"), ("bar", "max"), ("out", "text"), ("rows", "items")}


def test_a_binding_reading_a_whole_root_follows_any_key_of_it() -> None:
    page = page_of(Widget(id="n", type="text", props={"text": formula("$count($keys(stream))")}))
    bindings = LiveBindings(page)
    scope = static_scope(page)
    bindings.evaluate(scope, ALL)
    before = bindings.evaluation_count()
    bindings.evaluate(scope, {("stream", "status")})
    bindings.evaluate(scope, {("variables", "x")})
    assert bindings.evaluation_count() == before + 1


def test_only_values_that_differ_are_pushed() -> None:
    page = streaming_page()
    bindings, stream = LiveBindings(page), Stream(page)
    bindings.evaluate(stream.scope(), ALL)
    stream.send(status="progress", label="Generating", done=1, total=3, text="a")
    bindings.evaluate(stream.scope(), {("stream", "chunk"), ("stream", "chunks")})
    stream.send(status="progress", label="Generating", done=2, total=3, text="")
    updates = as_dict(bindings.evaluate(stream.scope(), {("stream", "chunk"), ("stream", "chunks")}))
    assert updates == {("bar", "value"): 2, ("rows", "items"): stream.state.chunks}  # same label, max and joined text
    assert bindings.value_of("label", "text") == "Generating"
    assert bindings.value_of("out", "text") == "a"


def test_the_same_growing_list_is_pushed_again_when_it_grew() -> None:
    page = page_of(Widget(id="rows", type="chunk_list"))
    bindings, stream = LiveBindings(page), Stream(page)
    bindings.evaluate(stream.scope(), ALL)
    stream.send(status="a")
    first = as_dict(bindings.evaluate(stream.scope(), {("stream", "chunks")}))[("rows", "items")]
    stream.send(status="b")
    second = as_dict(bindings.evaluate(stream.scope(), {("stream", "chunks")}))[("rows", "items")]
    assert first is second is stream.state.chunks and len(second) == 2
    assert bindings.evaluate(stream.scope(), {("stream", "chunks")}) == []


def test_literal_props_and_declared_defaults() -> None:
    page = page_of(
        Widget(id="get", type="download_button", props={"url": "http://x/report.csv", "fileName": "r.csv"}),
        Widget(id="box", type="container", props={"direction": "row"}, children=[Widget(id="inner", type="text", props={"text": "hi"})]),
    )
    bindings = LiveBindings(page)
    assert bindings.value_of("get", "label") == "Download"
    assert bindings.value_of("get", "fileName") == "r.csv"
    assert bindings.source_of("get", "url") is None
    updates = as_dict(bindings.evaluate(static_scope(page), ALL))
    assert updates[("get", "url")] == "http://x/report.csv" and updates[("get", "action")] == "save"
    assert updates[("box", "direction")] == "row" and updates[("inner", "text")] == "hi"
    with pytest.raises(KeyError):
        bindings.value_of("nope", "text")


def test_undefined_means_the_declared_default_not_an_error() -> None:
    page = page_of(
        Widget(id="get", type="download_button", props={"url": formula("stream.chunk.downloadUrl")}),
        Widget(id="bar", type="progress_bar", props={"value": formula("stream.chunk.done"), "max": formula("stream.chunk.total")}),
    )
    bindings, stream = LiveBindings(page), Stream(page)
    stream.send(status="starting")
    updates = as_dict(bindings.evaluate(stream.scope(), ALL))
    assert updates[("get", "url")] is None and updates[("bar", "value")] is PENDING and updates[("bar", "max")] is PENDING
    assert bindings.errors() == []
    stream.send(status="done", downloadUrl="http://127.0.0.1/runs/1/files/report.csv")
    assert as_dict(bindings.evaluate(stream.scope(), {("stream", "chunk")})) == {("get", "url"): "http://127.0.0.1/runs/1/files/report.csv"}


def test_a_failing_formula_is_an_error_with_its_position_and_the_prop_falls_back() -> None:
    page = page_of(Widget(id="sum", type="text", props={"text": formula("stream.chunk.done + stream.chunk.extra")}))
    bindings, stream = LiveBindings(page), Stream(page)
    stream.send(done=1, extra="lots")
    assert as_dict(bindings.evaluate(stream.scope(), ALL))[("sum", "text")] is PENDING  # the placeholder, never "Text"
    (error,) = bindings.errors()
    assert isinstance(error, BindingError)
    assert (error.widget_id, error.prop, error.position) == ("sum", "text", 19)
    assert "right side" in error.message and error.source == "stream.chunk.done + stream.chunk.extra"
    assert str(error).startswith("sum.text: ") and str(error).endswith("at position 19")

    stream.send(done=1, extra=2)
    assert as_dict(bindings.evaluate(stream.scope(), {("stream", "chunk")})) == {("sum", "text"): 3}
    assert bindings.errors() == []  # cleared once it evaluates again


def test_a_syntax_error_is_kept_from_the_start_and_reads_nothing() -> None:
    page = page_of(Widget(id="broken", type="progress_bar", props={"value": formula("stream.chunk.done +")}))
    bindings = LiveBindings(page)
    (error,) = bindings.errors()
    assert (error.widget_id, error.prop, error.position) == ("broken", "value", 19)
    assert bindings.inputs_of("broken", "value") == frozenset()
    assert as_dict(bindings.evaluate(static_scope(page), ALL))[("broken", "value")] is PENDING
    assert len(bindings.errors()) == 1


def test_a_text_input_reads_its_page_variable() -> None:
    page = page_of(Widget(id="topic", type="text_input", props={"variable": "topic"}), variables=[PageVariable(name="topic", initial="sales")])
    bindings = LiveBindings(page)
    source = StaticSource(static_scope(page))
    assert as_dict(bindings.evaluate(source.scope(), source.changes()))[("topic", TEXT_INPUT_VALUE)] == "sales"
    assert source.changes() == frozenset()
    assert bindings.inputs_of("topic", TEXT_INPUT_VALUE) == {("variables", "topic")}


@pytest.mark.parametrize(
    "source",
    ["$join(stream.chunks.text)", "$join(stream.chunks.text, ', ')", '$join(stream.chunks.text, "-")', "$join( stream . chunks . text )"],
)
def test_incremental_join_gives_the_library_s_result(source: str) -> None:
    shapes: list[Any] = [{"text": "a"}, {"text": "b c"}, {"status": "progress"}, "bare", 3, {"text": ""}, None]
    page = page_of(Widget(id="out", type="live_output", props={"text": formula(source)}))
    bindings, stream = LiveBindings(page), Stream(page)
    bindings.evaluate(stream.scope(), ALL)
    rng = random.Random(7)
    for _ in range(60):
        for _ in range(rng.randrange(0, 4)):
            stream.state.add_message(rng.choice(shapes), None)
        bindings.evaluate(stream.scope(), {("stream", "chunks")})
        expected = compile_formula(source).evaluate(stream.scope())
        assert bindings.value_of("out", "text") == ("" if expected is None or not isinstance(expected, str) else expected)


@pytest.mark.parametrize(("chunk", "message"), [({"text": 1}, "must be an array of"), ({"text": None}, "must be an array of")])
def test_incremental_join_hands_odd_items_to_the_library(chunk: dict[str, Any], message: str) -> None:
    page = page_of(Widget(id="out", type="live_output", props={"text": formula("$join(stream.chunks.text)")}))
    bindings, stream = LiveBindings(page), Stream(page)
    stream.send(text="a")
    bindings.evaluate(stream.scope(), ALL)
    stream.state.add_message(chunk, None)
    assert as_dict(bindings.evaluate(stream.scope(), {("stream", "chunks")})) == {("out", "text"): ""}
    (error,) = bindings.errors()
    assert message in error.message and error.position == 6
    stream.state.begin("second run")
    stream.send(text=["x", "y"])  # arrays flatten: the library's answer
    assert as_dict(bindings.evaluate(stream.scope(), ALL)) == {("out", "text"): "xy"}
    assert bindings.errors() == []


def test_a_new_call_restarts_the_joined_text() -> None:
    page = page_of(Widget(id="out", type="live_output", props={"text": formula("$join(stream.chunks.text)")}))
    bindings, stream = LiveBindings(page), Stream(page)
    stream.send(text="old ")
    bindings.evaluate(stream.scope(), ALL)
    stream.state.begin("run 2")
    stream.send(text="new")
    assert as_dict(bindings.evaluate(stream.scope(), {("stream", "chunks")})) == {("out", "text"): "new"}


class Unreadable:
    """Not JSON: the formula library raises as soon as it reads one, so reading nothing proves a point."""


def test_100k_retained_chunks_are_never_read_by_a_binding_on_the_latest_chunk() -> None:
    page = page_of(
        Widget(id="bar", type="progress_bar", props={"value": formula("stream.chunk.done"), "max": formula("stream.chunk.total")}),
        Widget(id="pct", type="text", props={"text": formula("stream.chunk.done / stream.chunk.total * 100")}),
        Widget(id="rows", type="chunk_list"),
    )
    chunks: list[Any] = [Unreadable()] * 100_000
    scope = {"variables": {}, "page": {}, "stream": {"chunk": {"done": 3, "total": 12}, "chunks": chunks}}
    bindings = LiveBindings(page)
    updates = as_dict(bindings.evaluate(scope, ALL))
    assert updates[("bar", "value")] == 3 and updates[("pct", "text")] == 25
    assert updates[("rows", "items")] is chunks  # by reference, never copied
    assert bindings.errors() == []


def test_appending_to_100k_chunks_joins_only_the_new_ones() -> None:
    page = page_of(Widget(id="out", type="live_output", props={"text": formula("$join(stream.chunks.text)")}))
    chunks: list[Any] = [{"text": "x "} for _ in range(100_000)]
    scope = {"stream": {"chunk": chunks[-1], "chunks": chunks}}
    bindings = LiveBindings(page)
    assert len(as_dict(bindings.evaluate(scope, ALL))[("out", "text")]) == 200_000
    for index in range(len(chunks) - 1):  # poison what was joined already (the last one is how growth is recognised)
        chunks[index] = Unreadable()
    chunks.append({"text": "end"})
    text = as_dict(bindings.evaluate(scope, {("stream", "chunks")}))[("out", "text")]
    assert text.endswith("x end") and len(text) == 200_003
    assert bindings.errors() == []
