"""Completion after ``stream.parts.``: the literal part ids the called endpoint's Sends declare, then their fields."""

from __future__ import annotations

from app.core.project_file import load_project
from app.editor.preview.binding_scope import binding_scope
from tests.conftest import EXAMPLE, action, formula


def test_completion_offers_the_part_ids_the_endpoint_declares_and_their_fields() -> None:
    project = load_project(EXAMPLE)
    report = project.endpoint("generate-report")
    keyed = [
        action("weather", "stream.send", part="weather", eventData={"status": "weather", "city": "Oslo", "temp": formula("1")}),
        action("by_formula", "stream.send", part=formula('"x" & "y"'), eventData={"status": "other"}),
        action("plain", "stream.send", eventData={"status": "plain"}),
    ]
    report = report.model_copy(update={"workflow": [*keyed, *report.workflow]})
    project = project.model_copy(update={"endpoints": [report if e.name == "generate-report" else e for e in project.endpoints]})
    scope = binding_scope(project, project.page("report"))
    assert "parts" in scope.fields_of(["stream"])
    assert scope.fields_of(["stream", "parts"]) == ["weather"]  # a formula's id is known only when it runs
    assert scope.fields_of(["stream", "parts", "weather"]) == ["status", "city", "temp"]
    assert scope.fields_of(["stream", "parts", "nope"]) == []
