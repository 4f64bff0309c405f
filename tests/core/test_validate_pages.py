"""Page validation: every problem names its JSON path, down to the prop, and its widget."""

from __future__ import annotations

import json
from typing import Any

import pytest

from app.core.problems import Problem, ProjectInvalidError
from app.core.project import Action, Page, PageVariable, Project, Widget
from app.core.project_file import dumps, parse_project, to_document
from app.core.validate import validate_project
from app.core.validate_pages import validate_pages
from tests.conftest import formula


def widget(id: str, type: str, children: list[Widget] | None = None, events: dict[str, list[Action]] | None = None, **props: Any) -> Widget:
    return Widget(id=id, type=type, props=props, children=children or [], events=events or {})


def page(*widgets: Widget, name: str = "report", variables: tuple[str, ...] = ()) -> Page:
    return Page(name=name, variables=[PageVariable(name=v) for v in variables], widgets=list(widgets))


def problems_of(*pages: Page) -> list[Problem]:
    return validate_pages(Project(pages=list(pages)))


def paths(problems: list[Problem]) -> list[str]:
    return [p.path for p in problems]


def test_a_typical_report_page_is_valid():
    report = page(
        widget("go", "button", label="Generate report", events={"click": [Action(id="call", type="api.call")]}),
        widget("status", "text", text=formula("stream.chunk.label"), style="status"),
        widget("box", "container", direction="row", visible=formula("stream.status = 'running'"), children=[
            widget("bar", "progress_bar", value=formula("stream.chunk.done"), max=formula("stream.chunk.total")),
        ]),
        widget("out", "live_output", text=formula("$join(stream.chunks.text)")),
        widget("file", "download_button", url=formula("stream.chunk.downloadUrl"), fileName="report.csv"),
        widget("since", "text_input", variable="since", label="Since"),
        widget("rows", "chunk_list", columns=["status", "label"]),
        variables=("since",),
    )  # fmt: skip
    assert problems_of(report) == []


def test_widget_ids_are_unique_in_a_page_including_inside_containers():
    problems = problems_of(
        page(widget("a", "text"), widget("box", "container", children=[widget("a", "text")])),
        page(widget("a", "text"), name="other"),  # another page may reuse it
    )
    assert [(p.path, p.widget_id, p.field) for p in problems] == [("$.pages[0].widgets[1].children[0].id", "a", "id")]
    assert "widget id 'a' is used more than once" in problems[0].message


def test_unknown_widget_type():
    (problem,) = problems_of(page(widget("x", "slider")))
    assert (problem.path, problem.message, problem.widget_id) == ("$.pages[0].widgets[0].type", "unknown widget type 'slider'", "x")


def test_props_failing_their_type_are_named_down_to_the_prop():
    problems = problems_of(
        page(
            widget("t", "text"),
            widget("bar", "progress_bar", value="half", colour="red"),
            widget("box", "container", children=[widget("label", "text", style="huge")]),
            widget("rows", "chunk_list", columns=["a", 3]),
        )
    )
    found = {(p.path, p.field, p.widget_id): p.message for p in problems}
    assert "number" in found[("$.pages[0].widgets[1].props.value", "value", "bar")]
    assert "Extra inputs are not permitted" in found[("$.pages[0].widgets[1].props.colour", "colour", "bar")]
    assert "'body', 'heading', 'caption' or 'status'" in found[("$.pages[0].widgets[2].children[0].props.style", "style", "label")]
    assert "string" in found[("$.pages[0].widgets[3].props.columns[1]", "columns", "rows")]
    assert len(problems) == 4


def test_formula_syntax_errors_in_props_have_a_position():
    (problem,) = problems_of(page(widget("bar", "progress_bar", value=formula("stream.chunk.done /"))))
    assert problem.path == "$.pages[0].widgets[0].props.value"
    assert problem.code == "formula-syntax" and problem.message.startswith("formula syntax error")
    assert problem.position == 19 and problem.field == "value" and problem.widget_id == "bar"
    assert str(problem).endswith("(widget bar, field value, position 19)")


def test_a_formula_where_the_prop_takes_none_is_a_type_error_not_a_syntax_error():
    (problem,) = problems_of(page(widget("rows", "chunk_list", columns=formula("stream.chunk.("))))
    assert problem.path == "$.pages[0].widgets[0].props.columns" and problem.code == "invalid"


def test_secrets_are_refused_in_props():
    (problem,) = problems_of(page(widget("file", "download_button", url={"$env": "TOKEN"})))
    assert problem.path == "$.pages[0].widgets[0].props.url" and "secrets" in problem.message


def test_only_containers_hold_widgets():
    (problem,) = problems_of(page(widget("t", "text", children=[widget("u", "text")])))
    assert problem.path == "$.pages[0].widgets[0].children" and "Container" in problem.message


def test_events_a_widget_type_does_not_have():
    problems = problems_of(
        page(
            widget("t", "text", events={"click": []}),
            widget("b", "button", events={"click": [], "hover": []}),
        )
    )
    assert paths(problems) == ["$.pages[0].widgets[0].events.click", "$.pages[0].widgets[1].events.hover"]
    assert "events: click" in problems[1].message


def test_actions_inside_events_are_not_validated_here():
    broken = Action(id="bad", type="no.such.action", params={"x": formula("(")})
    assert problems_of(page(widget("b", "button", events={"click": [broken]}))) == []
    assert validate_pages(Project(pages=[Page(name="p", on_load=[broken])])) == []


def test_a_text_input_stores_into_a_declared_page_variable():
    problems = problems_of(
        page(
            widget("ok", "text_input", variable="query"),
            widget("typo", "text_input", variable="qeury"),
            widget("unbound", "text_input"),
            variables=("query",),
        )
    )
    assert [(p.path, p.severity) for p in problems] == [
        ("$.pages[0].widgets[1].props.variable", "error"),
        ("$.pages[0].widgets[2].props.variable", "warning"),
    ]
    assert "variables.qeury is not a variable of this page (variables: query)" in problems[0].message


def test_page_variable_and_page_names_are_unique():
    problems = problems_of(page(variables=("a", "b", "a")), page(name="other"), page(name="report"))
    assert paths(problems) == ["$.pages[0].variables[2].name", "$.pages[2].name"]


def test_the_loader_refuses_a_page_with_an_invalid_widget():
    project = Project(pages=[page(widget("bar", "progress_bar", value="half"))])
    assert [p.path for p in validate_project(project)] == ["$.pages[0].widgets[0].props.value"]
    with pytest.raises(ProjectInvalidError) as caught:
        parse_project(dumps(to_document(project)))
    assert paths(caught.value.problems) == ["$.pages[0].widgets[0].props.value"]


def test_problem_json_names_the_widget():
    (problem,) = problems_of(page(widget("x", "slider")))
    assert json.loads(json.dumps(problem.to_json()))["widget_id"] == "x"
