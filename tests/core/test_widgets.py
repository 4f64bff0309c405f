"""One declaration per widget type: props, bindable fields, events, palette entry, icon and schema."""

from __future__ import annotations

import json
import re

import pytest
from jsonschema import Draft202012Validator
from pydantic import ValidationError

from app.core.schema import project_json_schema
from app.core.widgets.registry import (
    COMMON_PROPS,
    LAYOUT_PROPS,
    DuplicateWidgetTypeError,
    UnknownWidgetTypeError,
    WidgetProps,
    WidgetRegistry,
    WidgetType,
    default_widget_registry,
)
from app.core.params import Expr, Param
from tests.conftest import EXAMPLE, ROOT

EXPECTED = {"text", "button", "progress_bar", "live_output", "download_button", "text_input", "chunk_list", "container"}
ICONS = ROOT / "resources" / "icons" / "widgets"


def formula(source: str) -> dict[str, str]:
    return {"$formula": source}


def test_every_builtin_widget_type_is_registered_with_a_complete_declaration():
    registry = default_widget_registry()
    assert {t.id for t in registry} == EXPECTED
    for widget_type in registry:
        assert widget_type.title and widget_type.icon and widget_type.description
        assert widget_type.category in ("Basic", "Stream", "Input", "Layout")
        assert widget_type.summary is not None
        widget_type.parse_props({})  # defaults are valid
        widget_type.parse_props(widget_type.default_props())
        assert widget_type.summary(widget_type.default_props())


def test_every_widget_can_be_hidden_or_disabled_by_a_binding_and_those_come_after_its_own_props():
    for widget_type in default_widget_registry():
        specs = widget_type.specs[: -len(LAYOUT_PROPS)]
        assert [s.name for s in specs[-2:]] == ["visible", "enabled"] == list(COMMON_PROPS)
        assert all(s.accepts_formula and s.value_type is bool for s in specs[-2:])
        widget_type.parse_props({"visible": formula("$exists(stream.chunk.downloadUrl)"), "enabled": False})
        assert list(widget_type.default_props())[-2:] == ["visible", "enabled"]


def test_which_props_are_bindable():
    registry = default_widget_registry()
    bindable = {t.id: {s.alias for s in t.specs if s.accepts_formula} - set(COMMON_PROPS) for t in registry}
    assert bindable == {
        "text": {"text"},
        "button": {"label"},
        "progress_bar": {"value", "max", "format"},
        "live_output": {"text"},
        "download_button": {"url", "label", "fileName"},
        "text_input": {"label", "placeholder"},
        "chunk_list": {"items"},
        "container": set(),
    }


def test_defaults_users_start_from():
    registry = default_widget_registry()
    assert registry.get("chunk_list").default_props()["items"] == formula("stream.chunks")
    assert registry.get("chunk_list").default_props()["columns"] == []
    assert registry.get("live_output").default_props()["text"] == ""
    bar = registry.get("progress_bar").default_props()
    assert (bar["value"], bar["max"], bar["format"]) == (0, 100, "%p%")
    download = registry.get("download_button").default_props()
    assert download["label"] == "Download" and download["action"] == "save" and download["url"] is None
    assert "fileName" in download
    assert registry.get("container").default_props()["direction"] == "column"


def test_events_and_containers():
    registry = default_widget_registry()
    assert registry.get("button").events == ("click",)
    assert [t.id for t in registry if t.container] == ["container"]
    assert all(t.events == () for t in registry if t.id != "button")


def test_text_input_names_a_page_variable_and_is_not_bindable_there():
    spec = next(s for s in default_widget_registry().get("text_input").specs if s.name == "variable")
    assert spec.editor == "pagevariable" and not spec.accepts_formula


def test_props_are_checked_by_type_literal_or_formula():
    registry = default_widget_registry()
    bar = registry.get("progress_bar")
    parsed = bar.parse_props({"value": formula("stream.chunk.done"), "max": 3})
    assert parsed.max == 3
    with pytest.raises(ValidationError):
        bar.parse_props({"value": "half"})
    with pytest.raises(ValidationError):
        registry.get("text").parse_props({"style": "huge"})
    with pytest.raises(ValidationError):
        registry.get("text").parse_props({"txt": "typo"})
    with pytest.raises(ValidationError):
        registry.get("chunk_list").parse_props({"columns": formula("x")})


def test_summaries_show_the_bindings():
    registry = default_widget_registry()
    assert registry.get("progress_bar").summary({"value": formula("stream.chunk.done"), "max": formula("stream.chunk.total")}) == (
        "stream.chunk.done / stream.chunk.total"
    )
    assert registry.get("text").summary({"text": formula("stream.chunk.label")}) == "stream.chunk.label"
    assert registry.get("download_button").summary({"url": formula("stream.chunk.downloadUrl")}) == '"Download" → stream.chunk.downloadUrl'
    assert registry.get("text_input").summary({"variable": "query"}) == "variables.query"


def test_every_widget_has_an_icon_in_the_action_icons_style():
    for widget_type in default_widget_registry():
        path = ICONS / f"{widget_type.icon}.svg"
        assert path.exists(), path
        svg = path.read_text()
        assert 'viewBox="0 0 24 24"' in svg and 'stroke="#ffffff"' in svg and 'stroke-width="2"' in svg and 'fill="none"' in svg
        assert not re.search(r'stroke-width="(?!2")', svg)


class _Props(WidgetProps):
    size: Expr[int] = Param(1, title="Size")


def _type(type_id: str, category: str = "Basic") -> WidgetType:
    return WidgetType(id=type_id, title="T", category=category, icon="x", description="", props=_Props)


def test_registry_refuses_duplicates_and_names_unknown_ids():
    registry = WidgetRegistry()
    registry.register(_type("a"))
    with pytest.raises(DuplicateWidgetTypeError):
        registry.register(_type("a"))
    assert "a" in registry and "b" not in registry and len(registry) == 1
    with pytest.raises(UnknownWidgetTypeError, match="unknown widget type 'b'"):
        registry.get("b")


def test_palette_categories_in_a_fixed_order():
    registry = WidgetRegistry()
    for type_id, category in (("x", "Custom"), ("l", "Layout"), ("s", "Stream"), ("b", "Basic")):
        registry.register(_type(type_id, category))
    assert list(registry.categories()) == ["Basic", "Stream", "Layout", "Custom"]
    assert list(default_widget_registry().categories()) == ["Basic", "Stream", "Input", "Layout"]


def _project_with_page(widgets: list[dict]) -> dict:
    example = json.loads(EXAMPLE.read_text())
    example["pages"] = [{"name": "report", "title": "Report", "variables": [], "onLoad": [], "widgets": widgets}]
    return example


def _widget(id: str, type: str, props: dict | None = None, children: list | None = None, events: dict | None = None) -> dict:
    return {"id": id, "type": type, "props": props or {}, "children": children or [], "events": events or {}}


def test_schema_describes_each_widget_types_props_and_events():
    schema = project_json_schema()
    branches = schema["$defs"]["Widget"]["oneOf"]
    assert {b["properties"]["type"]["enum"][0] for b in branches} == EXPECTED
    button = next(b for b in branches if b["properties"]["type"]["enum"] == ["button"])
    assert list(button["properties"]["events"]["properties"]) == ["click"]
    assert list(schema["$defs"]["Props_progress_bar"]["properties"]) == ["value", "max", "format", "placeholder", "visible", "enabled", "width", "fixedWidth", "align"]
    validator = Draft202012Validator(schema)
    page = _project_with_page(
        [
            _widget("go", "button", {"label": "Generate"}, events={"click": []}),
            _widget("box", "container", {"direction": "row"}, children=[
                _widget("bar", "progress_bar", {"value": formula("stream.chunk.done"), "max": formula("stream.chunk.total")}),
            ]),
        ]
    )  # fmt: skip
    assert list(validator.iter_errors(page)) == []
    for bad in (
        _widget("t", "text", {"txt": "typo"}),
        _widget("t", "text", {}, children=[_widget("u", "text")]),
        _widget("t", "text", {}, events={"click": []}),
        _widget("t", "nope"),
    ):
        assert list(validator.iter_errors(_project_with_page([bad]))), bad
