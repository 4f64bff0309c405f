"""Undo commands on pages, page variables and widgets: each one step, each refusing what makes no sense."""

from __future__ import annotations

import pytest

from app.core.project import Page, Project, Widget
from app.core.workflow_refs import page_workflow_key
from app.editor.commands.actions import InsertActionCommand
from app.editor.commands.pages import (
    AddPageCommand,
    AddPageVariableCommand,
    DuplicatePageCommand,
    EditPageVariableCommand,
    InsertWidgetCommand,
    InsertWidgetsCommand,
    MoveWidgetCommand,
    RemovePageCommand,
    RemoveWidgetCommand,
    RenamePageCommand,
    RenameWidgetCommand,
    SetWidgetPropCommand,
)
from app.editor.document import Document
from tests.conftest import formula
from tests.editor.conftest import round_trip


def tree(widgets: list[Widget]) -> list[object]:
    return [w.id if not w.children else (w.id, tree(w.children)) for w in widgets]


@pytest.fixture
def doc(qapp) -> Document:
    page = Page(
        name="report",
        title="Report",
        widgets=[
            Widget(id="title", type="text", props={"text": "Report"}),
            Widget(id="row", type="container", props={"direction": "row"}, children=[Widget(id="go", type="button", events={"click": []})]),
            Widget(id="bar", type="progress_bar"),
        ],
    )
    return Document(Project(name="p", pages=[page]))


def widgets(doc: Document) -> list[object]:
    return tree(doc.project.page("report").widgets)


def test_add_rename_duplicate_remove_pages_each_one_undo_step(doc):
    add = AddPageCommand(doc)
    round_trip(doc, add)
    assert [p.name for p in doc.project.pages] == ["report", "page"]
    round_trip(doc, RenamePageCommand(doc, "page", "typewriter"))
    with pytest.raises(ValueError, match="already exists"):
        RenamePageCommand(doc, "typewriter", "report")
    with pytest.raises(ValueError, match="lowercase"):
        RenamePageCommand(doc, "typewriter", "Bad Name")
    round_trip(doc, DuplicatePageCommand(doc, "report"))
    assert [p.name for p in doc.project.pages] == ["report", "report-2", "typewriter"]
    round_trip(doc, RemovePageCommand(doc, "report-2"))
    assert [p.name for p in doc.project.pages] == ["report", "typewriter"]


def test_a_new_widget_gets_its_types_defaults_a_fresh_id_and_its_triggers(doc):
    command = InsertWidgetCommand(doc, "report", None, 1, "button")
    round_trip(doc, command)
    added = doc.project.page("report").widgets[1]
    assert added.id == "button_1" and added.events == {"click": []} and added.props["label"]
    assert widgets(doc) == ["title", "button_1", ("row", ["go"]), "bar"]


def test_widgets_go_only_into_containers(doc):
    with pytest.raises(ValueError, match="not a container"):
        InsertWidgetCommand(doc, "report", "bar", 0, "text")
    round_trip(doc, InsertWidgetCommand(doc, "report", "row", 0, "text"))
    assert widgets(doc) == ["title", ("row", ["text_1", "go"]), "bar"]


def test_move_reorders_nests_and_unnests_and_refuses_a_container_into_itself(doc):
    round_trip(doc, MoveWidgetCommand(doc, "report", "bar", None, 0))
    assert widgets(doc) == ["bar", "title", ("row", ["go"])]
    round_trip(doc, MoveWidgetCommand(doc, "report", "title", "row", 1))
    assert widgets(doc) == ["bar", ("row", ["go", "title"])]
    round_trip(doc, MoveWidgetCommand(doc, "report", "go", None, 2))
    assert widgets(doc) == ["bar", ("row", ["title"]), "go"]
    with pytest.raises(ValueError, match="into itself"):
        MoveWidgetCommand(doc, "report", "row", "row", 0)


def test_moving_down_in_the_same_list_counts_the_drop_position_as_shown(doc):
    round_trip(doc, MoveWidgetCommand(doc, "report", "title", None, 2))  # between row and bar
    assert widgets(doc) == [("row", ["go"]), "title", "bar"]


def test_removing_a_container_removes_its_children_and_their_workflows_in_one_step(doc):
    key = page_workflow_key("report", "go", "click")
    doc.push(InsertActionCommand(doc, key, (0,), "api.call"))
    round_trip(doc, RemoveWidgetCommand(doc, "report", "row"))
    assert widgets(doc) == ["title", "bar"]
    assert not doc.has_workflow(key)


def test_setting_a_prop_to_a_formula_merges_typing_and_undoes_to_the_default(doc):
    doc.push(SetWidgetPropCommand(doc, "report", "bar", "value", formula("stream.chunk.d")))
    doc.push(SetWidgetPropCommand(doc, "report", "bar", "value", formula("stream.chunk.done")))
    assert doc.undo_stack().count() == 1
    assert doc.project.page("report").widgets[2].props["value"] == formula("stream.chunk.done")
    doc.undo_stack().undo()
    assert "value" not in doc.project.page("report").widgets[2].props


def test_pasted_widgets_get_fresh_ids_when_theirs_are_taken(doc):
    copy = doc.project.page("report").widgets[1]
    round_trip(doc, InsertWidgetsCommand(doc, "report", None, 3, [copy], verb="Paste"))
    assert widgets(doc) == ["title", ("row", ["go"]), "bar", ("row_2", ["go_2"])]


def test_page_variables_add_rename_and_refuse_clashes(doc):
    round_trip(doc, AddPageVariableCommand(doc, "report", "text", "Hello"))
    with pytest.raises(ValueError, match="already has"):
        AddPageVariableCommand(doc, "report", "text")
    round_trip(doc, EditPageVariableCommand(doc, "report", "text", new_name="prompt"))
    assert [(v.name, v.initial) for v in doc.project.page("report").variables] == [("prompt", "Hello")]


def test_renaming_a_widget_refuses_a_taken_id(doc):
    with pytest.raises(ValueError, match="already has a widget"):
        RenameWidgetCommand(doc, "report", "bar", "title")
    round_trip(doc, RenameWidgetCommand(doc, "report", "bar", "progress"))
    assert widgets(doc)[-1] == "progress"


def test_page_edits_signal_the_page_and_workflow_edits_the_workflow(doc, qtbot):
    with qtbot.waitSignal(doc.pageChanged) as changed:
        doc.push(SetWidgetPropCommand(doc, "report", "title", "text", "Sales"))
    assert changed.args == ["report"]
    key = page_workflow_key("report", "go", "click")
    with qtbot.waitSignal(doc.workflowChanged) as changed:
        doc.push(InsertActionCommand(doc, key, (0,), "api.call"))
    assert changed.args == [key]


def test_an_endpoint_only_action_is_refused_in_a_page_workflow(doc):
    with pytest.raises(ValueError, match="runs only in API endpoints"):
        InsertActionCommand(doc, page_workflow_key("report", "go", "click"), (0,), "stream.send")


# -- keyboard steps (Alt+arrows) --------------------------------------------------------------


def test_a_keyboard_step_moves_among_siblings_into_and_out_of_a_container_each_one_undo_step(doc):
    from app.editor.commands.pages import StepWidgetCommand

    round_trip(doc, StepWidgetCommand(doc, "report", "bar", "up"))
    assert widgets(doc) == ["title", "bar", ("row", ["go"])]
    round_trip(doc, StepWidgetCommand(doc, "report", "title", "down"))
    assert widgets(doc) == ["bar", "title", ("row", ["go"])]
    round_trip(doc, StepWidgetCommand(doc, "report", "title", "in"))  # the container just after it: at its start
    assert widgets(doc) == ["bar", ("row", ["title", "go"])]
    round_trip(doc, StepWidgetCommand(doc, "report", "go", "out"))  # right after its container
    assert widgets(doc) == ["bar", ("row", ["title"]), "go"]
    round_trip(doc, StepWidgetCommand(doc, "report", "go", "in"))  # the container just before it: at its end
    assert widgets(doc) == ["bar", ("row", ["title", "go"])]


def test_a_keyboard_step_that_cannot_happen_says_why_and_changes_nothing(doc):
    from app.editor.commands.pages import StepWidgetCommand

    before = widgets(doc)
    for widget_id, step, reason in [
        ("title", "up", "already the first on the page"),
        ("bar", "down", "already the last on the page"),
        ("go", "up", "already the first in row"),
        ("title", "out", "not in a container"),
        ("go", "in", "no Container next to go"),
    ]:
        with pytest.raises(ValueError, match=reason):
            StepWidgetCommand(doc, "report", widget_id, step)
    assert widgets(doc) == before and doc.undo_stack().count() == 0
