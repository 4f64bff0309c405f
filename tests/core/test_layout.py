"""Page layout declared once: every widget's width and alignment, a container's direction, spacing and alignment;
old files load with the defaults, bad values are named by path, and the layout reads the same everywhere."""

from __future__ import annotations

import json

import pytest

from app.core.problems import ProjectInvalidError
from app.core.project import Page, Project, Widget, walk_widgets
from app.core.project_file import load_project, parse_project, to_document
from app.core.widgets.layout import PAGE_LAYOUT, ContainerLayout, ItemLayout, container_layout, fills_width, item_layout
from app.core.widgets.registry import LAYOUT_PROPS, default_widget_registry
from tests.conftest import EXAMPLE


def test_every_widget_type_has_the_shared_layout_props_in_the_layout_section():
    for widget_type in default_widget_registry():
        specs = {spec.name: spec for spec in widget_type.specs}
        assert [spec.name for spec in widget_type.specs[-3:]] == list(LAYOUT_PROPS)
        assert {specs[name].section for name in LAYOUT_PROPS} == {"Layout"}
        assert not any(specs[name].accepts_formula for name in LAYOUT_PROPS), "a page does not reflow while it streams"
        assert specs["fixed_width"].is_shown({"width": "fixed"}) and not specs["fixed_width"].is_shown({"width": "fill"})
        assert not set(widget_type.default_props()) & {"width", "fixedWidth", "align"}, "a new widget stores only what a user chose"
    container = {spec.alias: spec for spec in default_widget_registry().get("container").specs}
    assert (container["direction"].default, container["spacing"].default, container["alignChildren"].default) == ("column", 12, "stretch")


def test_an_old_file_without_layout_loads_with_the_defaults_and_saves_unchanged():
    text = EXAMPLE.read_text(encoding="utf-8")
    assert '"width"' not in text and '"alignChildren"' not in text, "the example predates layout"
    project = load_project(EXAMPLE)
    saved = json.dumps([w["props"] for page in to_document(project)["pages"] for w in _walk(page["widgets"])])
    assert saved == json.dumps([w["props"] for page in json.loads(text)["pages"] for w in _walk(page["widgets"])]), "no layout prop is added on save"
    registry = default_widget_registry()
    for _, widget in walk_widgets(project.page("report").widgets):
        props = registry.get(widget.type).parse_props(widget.props)
        assert (props.width, props.fixed_width, props.align) == ("auto", 240, "auto")
    controls = project.page("report").widgets[1]
    assert container_layout(controls.props) == ContainerLayout("row", 12, "stretch")


def _walk(widgets: list[dict]) -> list[dict]:
    return [found for widget in widgets for found in (widget, *_walk(widget.get("children", [])))]


def _project(props: dict, container_props: dict | None = None) -> str:
    page = Page(name="p", widgets=[Widget(id="box", type="container", props=container_props or {}, children=[Widget(id="t", type="text", props=props)])])
    return json.dumps(Project(pages=[page]).model_dump(mode="json", by_alias=True))


def test_layout_values_are_validated_and_each_bad_one_is_named_by_its_path():
    parse_project(_project({"width": "fixed", "fixedWidth": 320, "align": "center"}, {"direction": "row", "spacing": 0, "alignChildren": "end"}))
    with pytest.raises(ProjectInvalidError) as caught:
        parse_project(_project({"width": "wide", "fixedWidth": 5, "align": "middle"}, {"spacing": -1, "alignChildren": "auto"}))
    paths = {problem.path for problem in caught.value.problems}
    assert {
        "$.pages[0].widgets[0].props.spacing",
        "$.pages[0].widgets[0].props.alignChildren",
        "$.pages[0].widgets[0].children[0].props.width",
        "$.pages[0].widgets[0].children[0].props.fixedWidth",
        "$.pages[0].widgets[0].children[0].props.align",
    } <= paths


def test_a_widget_aligned_auto_follows_its_container_and_bad_raw_values_read_as_defaults():
    row = container_layout({"direction": "row", "spacing": 20, "alignChildren": "center"})
    assert item_layout({}, row) == ItemLayout("auto", 240, "center")
    assert item_layout({"align": "end", "width": "fixed", "fixedWidth": 90}, row) == ItemLayout("fixed", 90, "end")
    assert item_layout({"align": 3, "width": "huge", "fixedWidth": True}, PAGE_LAYOUT) == ItemLayout("auto", 240, "stretch")
    assert container_layout({"direction": "diagonal", "spacing": 999}) == ContainerLayout()


@pytest.mark.parametrize(
    ("width", "align", "row", "natural", "fills"),
    [
        ("auto", "stretch", False, True, True),  # a Text in a column fills it
        ("auto", "center", False, True, False),  # ... unless centred: then it takes its natural width
        ("auto", "stretch", False, False, False),  # a Button keeps its size
        ("fill", "center", False, False, True),  # unless told to fill
        ("fixed", "stretch", False, True, False),
        ("auto", "center", True, True, True),  # in a row, align is vertical: width still shares the row
        ("fixed", "stretch", True, True, False),
    ],
)
def test_which_widgets_take_the_width_their_container_offers(width, align, row, natural, fills):
    container = ContainerLayout("row" if row else "column", 12, "stretch")
    assert fills_width(item_layout({"width": width, "align": align}, container), container, natural) is fills
