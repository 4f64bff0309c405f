"""Preview coordination without widgets: which page runs, in which session, against the runner or a recording.

The page designer shows the page and forwards clicks, edits and downloads;
this decides what they do: a fresh ``PageSession`` per Preview (its On page
load first), the project as edited pushed into the running session, the
caller each call uses (the live runner, or a replay of the chosen
recording), cancel, and saving a download. Coroutines start through the
``spawn`` the UI gives (its asyncio loop inside Qt's).
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any

from app.core.project import Recording
from app.editor.document import Document
from app.editor.preview.replay import RecordingCaller, ReplayClock, first_recording
from app.editor.preview.session import EndpointCaller, PageError, PageSession

Spawn = Callable[[Coroutine[Any, Any, Any]], object]


class PagePreview:
    """The preview of one page at a time: its session, its stream source, and what clicks and downloads do."""

    def __init__(self, document: Document, live_caller: Callable[[], EndpointCaller], spawn: Spawn, *, downloads_dir: Path, clock: ReplayClock | None = None) -> None:
        self.document = document
        self.live_caller = live_caller
        self.spawn = spawn
        self.downloads_dir = downloads_dir
        self.clock = clock or ReplayClock()
        self.open_external: Callable[[str], object] = lambda url: None
        self.page_name: str | None = None
        self.previewing = False
        self.session: PageSession | None = None
        self.replay_source: str | None = None
        """The recording the shown page's preview replays (by name), or None for the live runner."""
        self.sources: dict[str, str | None] = {}
        """Each page's source: a page keeps the recording chosen for it when another page is shown."""
        self._replayer: RecordingCaller | None = None
        self.on_wake: list[Callable[[], None]] = []
        """Something the page shows changed: a frame should run."""
        self.on_error: list[Callable[[PageError], None]] = []
        self.on_call: list[Callable[[str, str, Any], None]] = []
        """(call name, endpoint, StreamState) of each call a workflow starts."""
        self.on_notice: list[Callable[[str], None]] = []
        """A line for the status."""
        self.on_download: list[Callable[[Path], None]] = []
        """A Download button saved a file (its path): the designer offers Open and Show in folder."""

    # -- page and session ------------------------------------------------------
    def set_page(self, name: str | None) -> bool:
        """Show another page: a running preview stops (its session closes). True when the page changed."""
        changed = name != self.page_name
        self.page_name = name
        if changed:
            self.previewing = False
            self.close_session()
            self._use_source(self.sources.get(name) if name is not None else None)
        return changed

    def page_renamed(self, old: str, new: str) -> None:
        if old in self.sources:
            self.sources[new] = self.sources.pop(old)
        if self.page_name == old:
            self.page_name = new
            if self.session is not None:
                self.session.update_project(self.document.project, new)

    def project_changed(self) -> None:
        """Whatever changed (an endpoint, a workflow of this page) is what the next click runs."""
        if self.session is not None and self.page_name is not None and self.document.has_page(self.page_name):
            self.session.update_project(self.document.project, self.page_name)

    def current_session(self) -> PageSession | None:
        """The page's session as the project says now (made when a page is shown), None without a page."""
        if self.page_name is None or not self.document.has_page(self.page_name):
            return None
        if self.session is None:
            self.session = self._new_session()
        else:
            self.session.update_project(self.document.project)
        return self.session

    def _new_session(self) -> PageSession:
        assert self.page_name is not None
        session = PageSession(
            self.document.project,
            self.page_name,
            _LazyCaller(self._current_caller),
            downloads_dir=self.downloads_dir,
            registry=self.document.registry,
            open_external=self.open_external,
        )
        session.on_change.append(self._wake)
        session.on_error.append(self._error)
        session.on_call.append(lambda name, endpoint, state: [callback(name, endpoint, state) for callback in self.on_call])
        return session

    def close_session(self) -> None:
        session, self.session = self.session, None
        if session is not None:
            session.on_change.clear()  # a closing session must not wake views that may be gone
            session.on_error.clear()
            session.on_call.clear()
            try:
                self.spawn(session.close())
            except RuntimeError:
                pass  # no event loop (tests without one): nothing was started

    def _wake(self) -> None:
        for callback in self.on_wake:
            callback()

    def _error(self, error: PageError) -> None:
        for callback in self.on_error:
            callback(error)

    # -- preview ---------------------------------------------------------------
    def set_preview(self, on: bool) -> bool:
        """Preview: a fresh session runs the page for real (its On page load first); Design: back to arranging.

        True when the mode changed.
        """
        if on == self.previewing:
            return False
        self.previewing = on
        self.close_session()
        session = self.current_session()
        if on and session is not None:
            session.load()
        return True

    @property
    def running(self) -> bool:
        return self.session is not None and self.session.running

    def cancel(self) -> None:
        if self.session is not None:
            self.spawn(self.session.cancel())

    def click(self, widget_id: str) -> None:
        """A click on a button in Preview runs its On click workflow (again: the stream starts from empty)."""
        if not self.previewing or self.session is None:
            return
        self.session.clear_errors()
        self.session.trigger(widget_id, "click")
        self._wake()

    def set_variable(self, variable: str, text: str) -> None:
        if self.session is not None:
            self.session.set_variable(variable, text)

    def download(self, url: str, action: str, file_name: str) -> None:
        """A Download button: open the URL in the browser, or save the file into the downloads folder."""
        if not self.previewing or self.session is None or not url:
            return
        if action == "open":
            self.open_external(url)
            return
        session = self.session

        async def save() -> None:
            try:
                path = await session.download(url, file_name or None)
            except Exception as error:  # noqa: BLE001 - any failure is shown on the page, the editor keeps going
                session.errors.append(PageError(f"Download failed: {error}", "", None))
                self._error(session.errors[-1])
                return
            for callback in self.on_download:
                callback(path)

        self.spawn(save())

    # -- where the stream comes from -------------------------------------------
    def set_source(self, recording: str | None) -> None:
        """The shown page's source: the live runner (None) or a recording by name. The next call uses it; nothing running is interrupted."""
        if self.page_name is not None:
            self.sources[self.page_name] = recording
        self._use_source(recording)

    def _use_source(self, recording: str | None) -> None:
        self.replay_source = recording
        self._replayer = None if recording is None else RecordingCaller(self._recording_for, self.clock)

    def recording_for_call(self, endpoint: str) -> Recording | None:
        """The recording a call of ``endpoint`` replays with the chosen source (the chosen one if it is of that endpoint)."""
        return self._recording_for(endpoint) if self.replay_source is not None else None

    def _recording_for(self, endpoint: str) -> Recording | None:
        return first_recording(self.document.project, endpoint, self.replay_source)

    def _current_caller(self) -> EndpointCaller:
        """The replay of the chosen recording (no runner involved), else the live runner."""
        return self._replayer if self._replayer is not None else self.live_caller()

    def status_text(self) -> str:
        """The preview's one-line status: the source and each call's state."""
        if not self.previewing:
            return "Design: click a widget to edit it"
        session = self.session
        states = [f"{name}: {state.status}" + (f" · {state.count} message(s)" if state.count else "") for name, state in (session.calls.items() if session else [])]
        source = "live"
        if self.replay_source is not None:
            replayed = {r.name for endpoint in (session.call_endpoints.values() if session else []) if (r := self.recording_for_call(endpoint)) is not None}
            source = "replaying " + (", ".join(sorted(replayed)) if replayed else self.replay_source)  # what really played
        return f"Preview ({source}) · " + ("; ".join(states) if states else "click a button to run its workflow")

    def shut_down(self) -> None:
        self.previewing = False
        self.close_session()


class _LazyCaller:
    """The caller as it is when a call starts (the window replaces the runner when the project moves)."""

    def __init__(self, get: Callable[[], EndpointCaller]) -> None:
        self._get = get

    async def run(self, *args: Any, **kwargs: Any) -> Any:
        return await self._get().run(*args, **kwargs)

    async def download(self, url: str, destination: str | Path) -> Path:
        return await self._get().download(url, destination)
