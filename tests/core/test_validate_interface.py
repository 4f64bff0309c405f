"""Interface workflows are validated like endpoint workflows, and each action runs only where it can."""

from __future__ import annotations

from tests.conftest import action, endpoint


def test_interface_workflows_are_validated_where_they_are_in_the_page():
    from app.core.project import Page, Project, Widget
    from app.core.validate import validate_project

    button = Widget(
        id="go",
        type="button",
        events={"click": [action("call_1", "api.call", endpoint="x", handleStream="maybe"), action("send_1", "stream.send")]},
    )
    project = Project(pages=[Page(name="report", widgets=[button], on_load=[action("loop_1", "flow.loop")])])
    problems = {(p.path, p.message) for p in validate_project(project)}
    assert any(path == "$.pages[0].widgets[0].events.click[0].params.handleStream" for path, _ in problems)
    assert ("$.pages[0].widgets[0].events.click[1].type", "Send streaming response runs only in API endpoints") in problems
    assert ("$.pages[0].onLoad[0].type", "Loop runs only in API endpoints") in problems


def test_an_interface_action_in_an_endpoint_is_an_error_naming_where_it_runs():
    from app.core.project import Project
    from app.core.validate import validate_project

    project = Project(endpoints=[endpoint([action("call_1", "api.call", endpoint="ep")])])
    assert any("runs only in interface workflows" in p.message and p.path == "$.endpoints[0].workflow[0].type" for p in validate_project(project))


def test_a_call_names_an_endpoint_and_its_inputs_as_warnings_that_keep_the_file_openable():
    from app.core.project import EndpointInput, Page, Project, Widget
    from app.core.validate import validate_project

    ep = endpoint([], inputs=[EndpointInput(name="since"), EndpointInput(name="must", required=True)], name="report")
    calls = [action("a", "api.call"), action("b", "api.call", endpoint="nope"), action("c", "api.call", endpoint="report", inputs={"sinec": 1})]
    project = Project(endpoints=[ep], pages=[Page(name="p", widgets=[Widget(id="go", type="button", events={"click": calls})])])
    found = {(p.path.rsplit("click", 1)[1], p.message, p.severity) for p in validate_project(project)}
    assert ("[0].params.endpoint", "choose the API endpoint to call", "warning") in found
    assert ("[1].params.endpoint", "no API endpoint named 'nope' (endpoints: report)", "warning") in found
    assert ("[2].params.inputs.sinec", "report has no input 'sinec' (inputs: since, must)", "warning") in found
    assert ("[2].params.inputs", "report needs its input 'must'", "warning") in found
