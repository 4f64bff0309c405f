"""Message shapes read from an endpoint's Send streaming responses: what ``stream.chunk`` can hold."""

from __future__ import annotations

from app.core.project_file import load_project
from app.core.stream_shapes import FieldInfo, MessageShape, chunk_fields, formula_kind, infer_message_shapes
from tests.conftest import EXAMPLE, action, endpoint, formula


def send(id: str, **event_data: object):
    return action(id, "stream.send", eventData=event_data)


def test_the_bundled_report_sends_starting_progress_and_done_with_a_download_url():
    report = load_project(EXAMPLE).endpoint("generate-report")
    shapes = infer_message_shapes(report)
    assert [shape.status for shape in shapes] == ["starting", "progress", "done"]
    progress = shapes[1]
    assert progress.field_names == ("status", "label", "done", "total")
    assert progress.action_ids == ("send_retrieving", "send_calculating", "send_generating")
    assert FieldInfo("done", "number") in progress.fields and FieldInfo("label", "string") in progress.fields
    assert "downloadUrl" in shapes[2].field_names
    fields = chunk_fields(shapes)
    assert {"label", "done", "total", "downloadUrl"} <= set(fields)
    assert fields["label"] == ["starting", "progress", "done"]
    assert fields["downloadUrl"] == ["done"]


def test_sends_inside_loops_branches_and_try_catch_all_count():
    workflow = [
        send("start", status="starting"),
        action("each", "flow.loop", slots={"body": [
            action("check", "flow.if", condition=formula("loop.last"), slots={
                "then": [send("last", status="chunk", text=formula("loop.item"), last=True)],
                "else": [send("word", status="chunk", text=formula("loop.item"))],
            }),
        ]}, items=["a", "b"]),
        action("guard", "flow.try", slots={
            "try": [send("ok", status="done", words=formula("$count(variables.words)"))],
            "catch": [send("failed", status="error", message=formula("caughtError.message"))],
        }),
    ]  # fmt: skip
    shapes = infer_message_shapes(endpoint(workflow))
    assert [(s.status, s.action_ids) for s in shapes] == [
        ("starting", ("start",)),
        ("chunk", ("last",)),
        ("chunk", ("word",)),
        ("done", ("ok",)),
        ("error", ("failed",)),
    ]
    assert dict((f.name, f.kind) for f in shapes[3].fields) == {"status": "string", "words": "number"}


def test_identical_shapes_merge_and_differing_kinds_become_any():
    workflow = [
        send("a", status="progress", done=1, total=3),
        send("b", status="progress", done=formula("loop.count"), total=3),
        send("c", status="progress", done=formula("variables.n"), total=3),
        send("d", status="progress", done=2),
    ]
    shapes = infer_message_shapes(endpoint(workflow))
    assert shapes == [
        MessageShape("progress", (FieldInfo("status", "string"), FieldInfo("done", "any"), FieldInfo("total", "number")), ("a", "b", "c")),
        MessageShape("progress", (FieldInfo("status", "string"), FieldInfo("done", "number")), ("d",)),
    ]


def test_a_status_that_is_a_formula_or_missing_has_no_literal_status():
    workflow = [
        send("dynamic", status=formula("variables.phase"), text="x"),
        send("bare", text="y"),
    ]
    shapes = infer_message_shapes(endpoint(workflow))
    assert [s.status for s in shapes] == [None, None]
    assert [s.field_names for s in shapes] == [("status", "text"), ("text",)]
    assert chunk_fields(shapes) == {"status": [], "text": []}


def test_only_send_streaming_response_counts():
    workflow = [action("log", "debug.log", message="hi"), action("ret", "response.return", body={"status": "done"})]
    assert infer_message_shapes(endpoint(workflow)) == []


def test_literal_kinds():
    data = {"status": "s", "n": 1.5, "b": False, "o": {"x": 1}, "a": [1], "z": None}
    (shape,) = infer_message_shapes(endpoint([send("s", **data)]))
    assert [f.kind for f in shape.fields] == ["string", "number", "boolean", "object", "array", "null"]


def test_formula_kinds_are_guessed_only_when_obvious():
    assert formula_kind("loop.count") == "number"
    assert formula_kind("loop.parent.index") == "number"
    assert formula_kind("loop.last") == "boolean"
    assert formula_kind("loop.item") == "any"
    assert formula_kind("42") == "number"
    assert formula_kind('"text"') == "string"
    assert formula_kind("$count(variables.rows)") == "number"
    assert formula_kind('$join(stream.chunks.text, ")")') == "string"
    assert formula_kind("$count(a) & $string(b)") == "any"  # not one call
    assert formula_kind("$exists(variables.x)") == "boolean"
    assert formula_kind("variables.report.downloadUrl") == "any"
