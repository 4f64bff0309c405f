"""Preview coordination without widgets: a click in Preview runs the page's workflow against the chosen stream source."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from app.core.project_file import load_project
from app.editor.document import Document
from app.editor.preview.page_preview import PagePreview
from app.editor.preview.session import PageError
from tests.conftest import EXAMPLE


class NoRunner:
    """The live caller: a replayed preview must never reach it."""

    async def run(self, *args: Any, **kwargs: Any) -> Any:
        raise AssertionError("the live runner was called while replaying a recording")

    async def download(self, url: str, destination: str | Path) -> Path:
        raise AssertionError("the live runner was called while replaying a recording")


async def until(condition: Any, timeout: float = 30.0) -> None:
    async with asyncio.timeout(timeout):
        while not condition():
            await asyncio.sleep(0.01)


async def test_a_click_in_preview_replays_the_chosen_recording_with_no_runner(qapp, tmp_path: Path) -> None:
    tasks: list[asyncio.Task[Any]] = []
    preview = PagePreview(Document(load_project(EXAMPLE)), NoRunner, lambda coro: tasks.append(asyncio.ensure_future(coro)), downloads_dir=tmp_path)
    preview.clock.speed = 10.0
    calls: list[str] = []
    preview.on_call.append(lambda name, endpoint, state: calls.append(f"{name}:{endpoint}"))
    errors: list[PageError] = []
    preview.on_error.append(errors.append)
    assert preview.set_page("report")
    preview.set_source("report-run")
    preview.click("generate_button")  # in Design a click does nothing
    assert calls == []
    assert preview.set_preview(True)
    assert preview.status_text().startswith("Preview (replaying report-run)")
    preview.click("generate_button")
    session = preview.session
    assert session is not None
    await until(lambda: "stream" in session.calls and session.calls["stream"].status == "done" and not session.running)
    assert calls == ["stream:generate-report"] and errors == []
    assert session.calls["stream"].chunk["status"] == "done"
    assert "stream: done" in preview.status_text()
    assert preview.set_page("typewriter") and not preview.previewing and preview.session is None  # another page stops the preview
    await asyncio.gather(*tasks)
