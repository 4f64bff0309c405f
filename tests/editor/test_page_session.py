"""A page session against a real runner: a click runs the On click workflow, the stream lands in its state."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from app.client import RunnerProcess
from app.core.project import Project
from app.core.project_file import load_project
from app.core.workflow_refs import page_workflow_key, with_workflow
from app.editor.preview.session import ALL, PageSession
from tests.conftest import EXAMPLE, action, formula, with_step_delay

FAST = 5  # ms per report step


def fast_example() -> Project:
    """The bundled example with the report's pauses shortened (the runner runs what it is given)."""
    return with_step_delay(load_project(EXAMPLE), FAST)


@pytest.fixture
async def runner(tmp_path: Path) -> AsyncIterator[RunnerProcess]:
    process = RunnerProcess(EXAMPLE, output_dir=tmp_path / "output")
    yield process
    await process.stop()


def session_for(project: Project, runner: RunnerProcess, tmp_path: Path, page: str = "report") -> PageSession:
    return PageSession(project, page, runner, downloads_dir=tmp_path / "downloads")


async def test_before_any_click_the_call_is_idle_and_every_binding_is_due(runner, tmp_path):
    session = session_for(fast_example(), runner, tmp_path)
    assert session.scope()["stream"]["status"] == "idle"
    assert session.scope()["variables"] == {"since": "2026-01-01"}
    assert session.changes() == ALL
    assert session.changes() == frozenset()


async def test_a_click_streams_the_report_into_the_calls_state_and_says_what_changed(runner, tmp_path):
    session = session_for(fast_example(), runner, tmp_path)
    session.changes()
    task = session.trigger("generate_button", "click")
    assert task is not None
    await task
    state = session.calls["stream"]
    assert state.status == "done", session.errors
    assert [c["status"] for c in state.chunks] == ["starting", "progress", "progress", "progress", "done"]
    assert state.chunk["downloadUrl"].startswith(runner.url + "/runs/")
    assert {("stream", "chunk"), ("stream", "status")} <= session.changes()
    assert session.call_endpoints == {"stream": "generate-report"}


async def test_the_download_url_saves_the_real_file_and_never_overwrites(runner, tmp_path):
    session = session_for(fast_example(), runner, tmp_path)
    await session.trigger("generate_button", "click")  # type: ignore[misc]
    url = session.calls["stream"].chunk["downloadUrl"]
    first = await session.download(url)
    second = await session.download(url)
    assert first.name == "sales-report-2026-01-01.csv" and second.name == "sales-report-2026-01-01 (2).csv"
    assert first.read_text().splitlines()[0].startswith("region,orders,units,revenue")
    assert first.parent == tmp_path / "downloads"


async def test_the_text_inputs_variable_reaches_the_endpoint(runner, tmp_path):
    session = session_for(fast_example(), runner, tmp_path)
    session.changes()
    session.set_variable("since", "2099-01-01")
    assert session.changes() == {("variables", "since")}
    await session.trigger("generate_button", "click")  # type: ignore[misc]
    assert "/files/sales-report-2099-01-01.csv?" in session.calls["stream"].chunk["downloadUrl"]


async def test_with_handle_stream_off_the_call_waits_and_gives_one_result(runner, tmp_path):
    project = fast_example()
    key = page_workflow_key("report", "generate_button", "click")
    call = action("call_report", "api.call", endpoint="generate-report", handleStream=False, name="stream")
    keep = action("keep", "page.set_variable", name="result", value=formula("results.call_report"))
    project = with_workflow(project, key, [call, keep])
    session = session_for(project, runner, tmp_path)
    await session.trigger("generate_button", "click")  # type: ignore[misc]
    state = session.calls["stream"]
    assert state.status == "done" and state.chunks == [] and state.count == 0
    assert [m["status"] for m in session.variables["result"]] == ["starting", "progress", "progress", "progress", "done"]


async def test_cancel_stops_the_workflow_and_the_run(runner, tmp_path):
    session = session_for(load_project(EXAMPLE), runner, tmp_path)  # the real 2.4 s steps
    task = session.trigger("generate_button", "click")
    state = session.calls["stream"]
    await _until(lambda: state.count >= 1)
    await session.cancel()
    assert task is not None and task.done()
    assert state.status == "cancelled" and state.count < 5
    assert not session.running


async def test_an_endpoint_error_is_reported_with_the_workflow_and_the_page_keeps_working(runner, tmp_path):
    project = fast_example()
    key = page_workflow_key("report", "generate_button", "click")
    project = with_workflow(project, key, [action("call_report", "api.call", endpoint="typewriter", inputs={"delayMs": -5}, handleStream=True)])
    session = session_for(project, runner, tmp_path)
    seen = []
    session.on_error.append(seen.append)
    await session.trigger("generate_button", "click")  # type: ignore[misc]
    assert session.calls["stream"].status == "error"
    assert len(seen) == 1 and seen[0].workflow == key and seen[0].action_id == "call_report"
    assert "typewriter failed" in seen[0].message and "On click · generate_button" in seen[0].message
    session.clear_errors()
    await session.trigger("generate_button", "click")  # type: ignore[misc]
    assert len(session.errors) == 1  # it runs again, and fails again, the same way


async def test_an_error_on_click_names_the_action_and_the_field(tmp_path):
    key = page_workflow_key("report", "generate_button", "click")
    project = with_workflow(fast_example(), key, [action("set_x", "page.set_variable", name="since", value=formula('1 + "a"'))])
    session = PageSession(project, "report", None, downloads_dir=tmp_path / "downloads")  # type: ignore[arg-type]  # no call: no runner
    await session.trigger("generate_button", "click")  # type: ignore[misc]
    (error,) = session.errors
    assert error.message.startswith("On click · generate_button › Set page variable (set_x) › value: ")
    assert "position 3" in error.message and error.action_id == "set_x"


async def _until(condition, timeout: float = 20.0) -> None:  # type: ignore[no-untyped-def]
    """Poll a condition another process makes true (no signal crosses the process boundary)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not condition():
        assert loop.time() < deadline, "timed out"
        await asyncio.sleep(0.01)
