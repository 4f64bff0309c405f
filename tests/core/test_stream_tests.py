"""Stream tests: made from recordings, compared difference by difference, and run in-process with the engine."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from app.core import stream_tests
from app.core.project import Project, Recording, StreamTest
from app.core.project_file import load_project
from app.core.recordings import manual_recording
from app.core.stream_tests import Difference, compare, run_stream_tests
from app.engine import Engine
from tests.conftest import EXAMPLE, action, endpoint, formula, project_of

STARTING = {"status": "starting", "label": "Starting", "done": 0, "total": 3}
RETRIEVING = {"status": "progress", "label": "Retrieving data", "done": 0, "total": 3}
CALCULATING = {"status": "progress", "label": "Calculating totals", "done": 1, "total": 3}
GENERATING = {"status": "progress", "label": "Generating file", "done": 2, "total": 3}
DONE = {"status": "done", "label": "Report ready", "done": 3, "total": 3, "downloadUrl": "file:///x/report.csv", "revenue": 68407.5}
REPORT = [STARTING, RETRIEVING, CALCULATING, GENERATING, DONE]


def recording(messages: list[Any] = REPORT, status: str = "done", **fields: Any) -> Recording:
    made = manual_recording("report-run", "generate-report", messages)
    return made.model_copy(update={"status": status, "inputs": {"since": "2026-01-01"}, **fields})


def report_test(**options: Any) -> StreamTest:
    return stream_tests.test_from_recording(recording(), "report-stream", **options)


def texts(differences: list[Difference]) -> list[str]:
    return [d.message for d in differences]


# -- making a test ---------------------------------------------------------------------------------


def test_a_test_from_a_recording_keeps_order_shapes_final_and_end():
    test = report_test()
    assert (test.name, test.endpoint, test.inputs, test.from_recording) == ("report-stream", "generate-report", {"since": "2026-01-01"}, "report-run")
    assert test.statuses == ["starting", "progress", "done"] and not test.exact_count
    assert test.shapes == {
        "starting": ["done", "label", "status", "total"],
        "progress": ["done", "label", "status", "total"],
        "done": ["done", "downloadUrl", "label", "revenue", "status", "total"],
    }
    assert test.final == {**DONE, "downloadUrl": None}  # a run's file link differs every run: only its presence counts
    assert (test.expect, test.exact, test.messages) == ("done", False, [])


def test_exact_options_keep_every_status_and_value():
    test = report_test(exact=True, exact_count=True, inputs={"stepDelayMs": 0})
    assert test.statuses == ["starting", "progress", "progress", "progress", "done"] and test.exact_count
    assert test.messages == [*REPORT[:4], {**DONE, "downloadUrl": None}] and test.inputs == {"stepDelayMs": 0}


def test_fields_only_some_messages_of_a_status_had_are_optional():
    test = stream_tests.test_from_recording(recording([STARTING, {"status": "progress", "done": 1}, {"status": "progress", "done": 2, "label": "x"}, DONE]))
    assert test.shapes["progress"] == ["done", "label?", "status"]
    assert compare(test, [STARTING, {"status": "progress", "done": 1}, DONE], "done") == []


def test_a_failed_recording_expects_an_error_and_a_cancelled_one_cannot_make_a_test():
    assert stream_tests.test_from_recording(recording(REPORT[:2], status="error", error="boom")).expect == "error"
    assert stream_tests.test_from_recording(recording(REPORT[:2], status="error")).final is None
    with pytest.raises(ValueError, match="cancelled"):
        stream_tests.test_from_recording(recording(REPORT[:2], status="cancelled"))


# -- comparing ---------------------------------------------------------------------------------------


def test_the_recorded_stream_passes_and_so_does_one_with_more_progress():
    test = report_test()
    assert compare(test, REPORT, "done") == []
    assert compare(test, [STARTING, *[RETRIEVING] * 7, DONE], "done") == []
    assert compare(test, [STARTING, RETRIEVING, DONE], "done") == []
    assert compare(test, [STARTING, {**GENERATING, "done": 99}, {**DONE, "downloadUrl": "elsewhere", "revenue": 0}], "done") == []


def test_a_stream_without_its_final_message_says_which_message_is_missing():
    differences = compare(report_test(), REPORT[:4], "done")
    assert texts(differences) == [
        "the stream ended without its final message: expected a message with status 'done' and fields done, downloadUrl, label, revenue, total "
        "(it ended after message 4, status 'progress')"
    ]
    assert differences[0].kind == "final" and differences[0].seq == 4


def test_a_wrong_status_is_named_with_its_position_and_both_orders():
    differences = compare(report_test(), [STARTING, RETRIEVING, {"status": "chunk", "text": "x"}, DONE], "done")
    assert texts(differences) == [
        "message 3: expected status 'done', got 'chunk' (expected starting, progress, done; got starting, progress, chunk, done)"
    ]


def test_an_unexpected_status_after_the_end_and_statuses_still_missing():
    extra = compare(report_test(), [*REPORT, {"status": "progress", "done": 4, "total": 3, "label": "x"}], "done")
    assert texts(extra)[0].startswith("message 6: unexpected status 'progress' after the last expected status 'done'")
    early = compare(report_test(), [STARTING], "done")
    assert texts(early)[0].startswith("the stream ended after message 1 (status 'starting'); still expected: 'progress', 'done'")
    nothing = compare(report_test(), [], "done")
    assert texts(nothing)[0].startswith("the stream ended before any message; still expected: 'starting', 'progress', 'done'")


def test_a_status_listed_twice_needs_at_least_two_in_a_row():
    test = StreamTest(name="t", endpoint="ep", statuses=["starting", "progress", "progress", "done"])
    assert compare(test, [{"status": "starting"}, {"status": "progress"}, {"status": "progress"}, {"status": "progress"}, {"status": "done"}], "done") == []
    differences = compare(test, [{"status": "starting"}, {"status": "progress"}, {"status": "done"}], "done")
    assert texts(differences) == ["message 2: expected at least 2 messages with status 'progress' in a row, got 1"]


def test_exact_count_compares_message_by_message():
    test = report_test(exact_count=True)
    assert compare(test, REPORT, "done") == []
    more = compare(test, [STARTING, RETRIEVING, CALCULATING, GENERATING, GENERATING, DONE], "done")
    assert texts(more) == ["message 5: expected status 'done', got 'progress'"]
    fewer = compare(test, [STARTING, RETRIEVING, CALCULATING, DONE], "done")
    assert texts(fewer) == ["message 4: expected status 'progress', got 'done'"]
    short = compare(test, REPORT[:4], "done")
    assert texts(short)[0].startswith("the stream ended without its final message")
    longer = compare(test, [*REPORT, DONE], "done")
    assert texts(longer) == ["message 6: unexpected message (status 'done'): expected only 5 message(s)"]


def test_a_message_missing_a_field_its_status_had_in_the_recording():
    without_label = {key: value for key, value in CALCULATING.items() if key != "label"}
    differences = compare(report_test(), [STARTING, RETRIEVING, without_label, GENERATING, DONE], "done")
    assert texts(differences) == [
        "message 3 (status progress) has fields {done, status, total} but the recording had {done, label, status, total}: missing label"
    ]
    assert differences[0].kind == "shape" and differences[0].seq == 3


def test_extra_fields_and_several_messages_are_said_once():
    noisy = [STARTING, *[{**RETRIEVING, "eta": 3}] * 3, DONE]
    assert texts(compare(report_test(), noisy, "done")) == [
        "messages 2, 3, 4 (status progress) have fields {done, eta, label, status, total} but the recording had {done, label, status, total}: extra eta"
    ]


def test_the_final_message_lacking_a_field_when_its_status_has_no_shape():
    test = StreamTest(name="t", endpoint="ep", statuses=["starting", "done"], final={"status": "done", "downloadUrl": None, "words": 3})
    assert texts(compare(test, [{"status": "starting"}, {"status": "done", "words": 3}], "done")) == ["the final message (message 2) lacks downloadUrl"]


def test_exact_values_are_compared_except_ignored_fields():
    test = report_test(exact=True)
    assert compare(test, [*REPORT[:4], {**DONE, "downloadUrl": "file:///another/run.csv"}], "done") == []
    changed = compare(test, [STARTING, RETRIEVING, {**CALCULATING, "label": "Calculating"}, GENERATING, {**DONE, "revenue": 1.5}], "done")
    assert texts(changed) == [
        "message 3 (status progress): label expected 'Calculating totals', got 'Calculating'",
        "message 5 (status done): revenue expected 68407.5, got 1.5",
    ]
    counted = compare(test, [*REPORT[:3], GENERATING, GENERATING, DONE], "done")
    assert "expected 5 message(s) with exact values, got 6" in texts(counted)


def test_exact_final_values_without_a_message_list():
    test = StreamTest(name="t", endpoint="ep", statuses=["done"], final={"status": "done", "words": 3}, exact=True)
    assert texts(compare(test, [{"status": "done", "words": 4}], "done")) == ["the final message (message 1): words expected 3, got 4"]


def test_how_the_stream_ended_is_compared():
    test = report_test()
    failed = compare(test, REPORT[:2], "error", "no such table: orders (action fetch_sales)")
    assert texts(failed)[0] == "the stream was expected to end normally, but it failed after message 2: no such table: orders (action fetch_sales)"
    assert failed[0].kind == "end"
    assert texts(compare(test, REPORT, "cancelled"))[0] == "the run was cancelled after message 5, so the stream did not end"
    assert texts(compare(test, REPORT, None))[0] == "the stream stopped after message 5 without a result or an error"
    expects_error = test.model_copy(update={"expect": "error", "final": None})
    assert texts(compare(expects_error, REPORT, "done")) == ["the stream was expected to end with an error, but it ended normally after message 5"]
    assert compare(expects_error, REPORT, "error") == []


# -- running -----------------------------------------------------------------------------------------


@pytest.fixture
def example() -> Project:
    return load_project(EXAMPLE)


def with_tests(project: Project, *tests: StreamTest) -> Project:
    return project.model_copy(update={"stream_tests": list(tests)})


def fast_report_test() -> StreamTest:
    return report_test(inputs={"since": "2026-01-01", "stepDelayMs": 0})


async def test_running_the_tests_passes_on_the_example_and_fails_when_its_final_message_is_dropped(example: Project):
    project = with_tests(example, fast_report_test())
    [outcome] = await run_stream_tests(project, EXAMPLE.parent, engine=Engine(project))
    assert outcome.passed and outcome.message_count == 5 and outcome.ended == "done", outcome.differences

    report = project.endpoint("generate-report")
    dropped = project.model_copy(update={"endpoints": [report.model_copy(update={"workflow": report.workflow[:-1]}), *project.endpoints[1:]]})
    [outcome] = await run_stream_tests(dropped, EXAMPLE.parent, engine=Engine(dropped))
    assert not outcome.passed and [d.kind for d in outcome.differences] == ["final"]
    assert outcome.to_json()["passed"] is False and "without its final message" in outcome.to_json()["differences"][0]["message"]


async def test_only_the_tests_of_the_endpoint_asked_for_run(example: Project):
    typewriter = StreamTest(name="tw", endpoint="typewriter", inputs={"text": "a b", "delayMs": 0}, statuses=["starting", "chunk", "done"])
    project = with_tests(example, fast_report_test(), typewriter)
    outcomes = await run_stream_tests(project, EXAMPLE.parent, "typewriter", engine=Engine(project))
    assert [(o.name, o.passed, o.message_count) for o in outcomes] == [("tw", True, 4)]


async def test_a_test_that_cannot_run_fails_with_the_reason(example: Project, tmp_path: Path):
    ghost = StreamTest(name="ghost", endpoint="nowhere")
    typo = StreamTest(name="typo", endpoint="typewriter", inputs={"delayMs": "soon"})
    project = with_tests(example, ghost, typo)
    outcomes = await run_stream_tests(project, EXAMPLE.parent, output_dir=tmp_path, engine=Engine(project))
    assert [texts(o.differences) for o in outcomes] == [
        ["cannot run: no endpoint named 'nowhere' (endpoints: generate-report, typewriter, long-import, ask-ai)"],
        ["cannot run: invalid inputs: input 'delayMs': expected integer, got string"],
    ]


async def test_a_run_longer_than_the_timeout_fails_its_test(tmp_path: Path):
    workflow = [action("s", "stream.send", eventData={"status": "starting"}), action("slow", "flow.wait", milliseconds=formula("60000"))]
    project = with_tests(project_of(endpoint(workflow)), StreamTest(name="slow", endpoint="ep", statuses=["starting"]))
    [outcome] = await run_stream_tests(project, tmp_path, engine=Engine(project), timeout_s=0.2)
    assert texts(outcome.differences) == ["the run did not finish within 0.2 s (it had sent 1 message(s))"]


async def test_the_bundled_example_s_own_tests_pass(example: Project):
    assert {t.name for t in example.stream_tests} >= {"report-stream", "typewriter-stream"}
    outcomes = await run_stream_tests(example, EXAMPLE.parent, engine=Engine(example))
    assert all(o.passed for o in outcomes), [(o.name, texts(o.differences)) for o in outcomes]
