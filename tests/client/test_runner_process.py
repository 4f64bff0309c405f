"""RunnerProcess with a real ``streamwright serve`` child: start, push and run, survive a kill, stop."""

from __future__ import annotations

import json
import os
import signal
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from app.client import RunnerCrashedError, RunnerProcess, RunnerStartError, StreamState
from app.core.project_file import load_project
from tests.client.conftest import eventually, until
from tests.conftest import EXAMPLE, action, endpoint


@pytest.fixture
async def runner(tmp_path: Path) -> AsyncIterator[RunnerProcess]:
    process = RunnerProcess(EXAMPLE, output_dir=tmp_path / "output")
    await process.start()
    yield process
    await process.stop()


def gone(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    return False


async def test_it_starts_on_loopback_with_the_token_only_in_its_environment(runner: RunnerProcess) -> None:
    assert runner.running and runner.url.startswith("http://127.0.0.1:")
    names = [e["name"] for e in await runner.client.list_endpoints()]
    assert names == ["generate-report", "typewriter", "long-import", "ask-ai"]
    command_line = Path(f"/proc/{runner.pid}/cmdline").read_bytes().split(b"\0")
    assert b"serve" in command_line and not any(runner.token.encode() in part for part in command_line)
    environment = Path(f"/proc/{runner.pid}/environ").read_bytes().split(b"\0")
    assert f"STREAMWRIGHT_TOKEN={runner.token}".encode() in environment


async def test_a_run_uses_the_project_on_screen_not_the_file(runner: RunnerProcess) -> None:
    project = load_project(EXAMPLE)
    typewriter = project.endpoint("typewriter")
    typewriter.workflow[-1].params["eventData"] = {"status": "finished", "edited": True}
    state = await (await runner.run(project, "typewriter", {"text": "one two", "delayMs": 0})).wait()
    assert state.status == "done", state.error
    assert state.chunks[-1] == {"status": "finished", "edited": True}
    assert [c.get("text") for c in state.chunks[1:-1]] == ["one ", "two"]
    assert json.loads(EXAMPLE.read_text())["endpoints"][1]["workflow"][-1]["params"]["eventData"]["status"] == "done"

    assert await runner.call(load_project(EXAMPLE), "typewriter", {"text": "x", "delayMs": 0}) == [
        {"status": "starting"}, {"status": "chunk", "text": "x"}, {"status": "done", "words": 1},
    ], "each run pushes again: the unedited project is back"  # fmt: skip


async def test_a_killed_runner_is_restarted_and_the_cut_run_says_why(runner: RunnerProcess) -> None:
    project = load_project(EXAMPLE)
    project.endpoints.append(
        endpoint([action("hello", "stream.send", eventData={"status": "starting"}), action("hang", "flow.wait", milliseconds=600_000)], name="hang")
    )
    first_pid = runner.pid
    assert first_pid is not None
    state = StreamState()
    call = await runner.run(project, "hang", state=state)
    await until(state, lambda s: s.status == "streaming")

    os.kill(first_pid, signal.SIGKILL)
    await call.wait()
    assert state.status == "error"
    assert isinstance(state.error, RunnerCrashedError)
    assert str(state.error) == "the runner stopped unexpectedly (exit code -9); it has been restarted"
    assert state.chunks == [{"status": "starting"}]

    assert runner.running and runner.pid != first_pid and runner.restarts == 1
    assert gone(first_pid)
    after = await (await runner.run(project, "typewriter", {"text": "back again", "delayMs": 0})).wait()
    assert (after.status, after.count) == ("done", 4)


async def test_stop_cancels_open_calls_and_ends_the_process(tmp_path: Path) -> None:
    runner = RunnerProcess(EXAMPLE, output_dir=tmp_path / "output")
    await runner.start()
    pid = runner.pid
    assert pid is not None
    state = StreamState()
    await runner.run(load_project(EXAMPLE), "typewriter", {"delayMs": 2_000}, state=state)  # the most the example allows: the run is still going at stop()
    await until(state, lambda s: s.status == "streaming")

    await runner.stop()
    assert state.status == "cancelled"
    assert not runner.running and runner.pid is None
    assert gone(pid), "terminated and reaped"


async def test_the_default_output_folder_is_temporary(tmp_path: Path) -> None:
    async with RunnerProcess(EXAMPLE) as runner:
        state = await (await runner.run(load_project(EXAMPLE), "generate-report", {"stepDelayMs": 0})).wait()
        assert state.status == "done", state.error
        output = runner.output_folder
        assert list(output.rglob("*.csv"))
    await eventually(lambda: not output.exists())


async def test_a_project_file_that_cannot_be_served_is_a_clear_start_error(tmp_path: Path) -> None:
    broken = tmp_path / "broken.streamwright.json"
    broken.write_text('{"endpoints": [{"name": "Bad Name"}]}')
    runner = RunnerProcess(broken, output_dir=tmp_path / "output")
    with pytest.raises(RunnerStartError, match="exited during startup"):
        await runner.start()
    await runner.stop()
