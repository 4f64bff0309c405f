"""A page running for real in the preview: its variables, its calls, its interface workflows.

A click runs the widget's On click workflow on the asyncio loop (qasync in
the editor). Its actions reach the page through ``PageHost``: *Call API
endpoint* goes to the runner process over HTTP and writes the call's
messages into a ``StreamState`` kept under the call's name (``stream`` by
default), which is all the page's bindings read. Nothing here touches a
widget: the preview's frame timer asks ``changes()`` what moved since the
last frame and re-evaluates only the bindings that read it.
"""

from __future__ import annotations

import asyncio
import shutil
import webbrowser
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import unquote, urlparse

from app.client.stream_state import StreamState
from app.core.events import ErrorEvent
from app.core.interface import InterfaceContext
from app.core.project import Project
from app.core.registry import Registry, default_registry
from app.core.run_context import ActionError
from app.core.sandbox import safe_join
from app.core.workflow_refs import describe, has_workflow, page_workflow_key, workflow_of
from app.editor.action_paths import action_at, path_of
from app.editor.preview.binding_scope import page_calls
from app.engine import Engine

ALL: frozenset[tuple[str, str | None]] = frozenset({("*", None)})
"""``changes()`` after a reset: every binding must be evaluated again."""

WATCHED = ("chunk", "chunks", "count", "status", "error", "result", "stalled", "statusCode")


class EndpointCaller(Protocol):
    """What the session needs of the runner: ``RunnerProcess`` is one."""

    async def run(
        self,
        project: Project,
        endpoint: str,
        inputs: Mapping[str, Any] | None = None,
        *,
        handle_stream: bool = True,
        state: StreamState | None = None,
        trace: bool = False,
    ) -> Any: ...

    async def download(self, url: str, destination: str | Path) -> Path: ...


@dataclass(frozen=True)
class PageError:
    """A workflow of the page failed: what and where (shown in the page and the Run panel)."""

    message: str
    workflow: str
    """The workflow key (``page:report:generate_button:click``)."""
    action_id: str | None

    def __str__(self) -> str:
        return self.message


@dataclass
class _Seen:
    version: int = -1
    values: tuple[Any, ...] = ()


class PageSession:
    """One page in Preview mode. Create it for a project snapshot; ``close()`` cancels what still runs."""

    def __init__(
        self,
        project: Project,
        page_name: str,
        caller: EndpointCaller,
        *,
        downloads_dir: Path,
        registry: Registry | None = None,
        open_external: Callable[[str], object] = webbrowser.open,
    ) -> None:
        self.project = project
        self.page = project.page(page_name)
        self.caller = caller
        self.downloads_dir = downloads_dir
        self.open_external = open_external
        self.engine = Engine(project, registry or default_registry())
        self.variables: dict[str, Any] = {v.name: v.initial for v in self.page.variables}
        self.calls: dict[str, StreamState] = {}
        for name in page_calls(project, self.page):
            self._add_call(name)  # idle until clicked: bindings read stream.status = "idle" before the first run
        self.call_endpoints: dict[str, str] = {}
        """Which endpoint each call name last called (for the Run panel's title and autocomplete)."""
        self.errors: list[PageError] = []
        self.downloads: list[Path] = []
        self.on_error: list[Callable[[PageError], None]] = []
        self.on_call: list[Callable[[str, str, StreamState], None]] = []
        """(call name, endpoint, state) when a Call API endpoint starts: the Run panel follows it."""
        self.on_change: list[Callable[[], None]] = []
        """Something bindings read may have changed: the preview wakes its frame timer."""
        self._tasks: dict[str, asyncio.Task[None]] = {}
        self._streams: set[Any] = set()
        self._seen: dict[str, _Seen] = {}
        self._changed_variables: set[str] = set()
        self._reset_pending = True
        self._closed = False

    def update_project(self, project: Project, page_name: str | None = None) -> None:
        """The user edited the project while previewing: later runs use the edit; what runs goes on as it started.

        ``page_name``: the page's name now, when it was renamed.
        """
        self.project = project
        self.page = project.page(page_name or self.page.name)
        self.engine = Engine(project, self.engine.registry)
        for variable in self.page.variables:
            if variable.name not in self.variables:
                self.set_variable(variable.name, variable.initial)
        self._reset_pending = True

    # -- what bindings read ---------------------------------------------------
    def scope(self) -> dict[str, Any]:
        scope: dict[str, Any] = {"variables": self.variables, "page": {"name": self.page.name, "title": self.page.title}}
        for name, state in self.calls.items():
            scope[name] = state.to_json()
        return scope

    def changes(self) -> frozenset[tuple[str, str | None]]:
        """What moved since the last call: ``(root, key)`` pairs such as ``("stream", "chunk")``; ``ALL`` after a reset."""
        if self._reset_pending:
            self._reset_pending = False
            self._changed_variables.clear()
            for name, state in self.calls.items():
                self._seen[name] = _Seen(state.version, self._watched(state))
            return ALL
        changed: set[tuple[str, str | None]] = {("variables", name) for name in self._changed_variables}
        self._changed_variables.clear()
        for name, state in self.calls.items():
            seen = self._seen.setdefault(name, _Seen())
            if seen.version == state.version:
                continue
            values = self._watched(state)
            if not seen.values:
                changed.add((name, None))
            else:
                changed.update((name, key) for key, old, new in zip(WATCHED, seen.values, values, strict=True) if old is not new and old != new)
            seen.version, seen.values = state.version, values
        return frozenset(changed)

    @staticmethod
    def _watched(state: StreamState) -> tuple[Any, ...]:
        # chunks is the same growing list while a call streams: its length says it grew
        return (state.chunk, state.count, state.count, state.status, state.error, state.result, state.stalled, state.status_code)

    @property
    def running(self) -> bool:
        """A workflow or a call is still under way (the frame timer keeps ticking)."""
        return any(not task.done() for task in self._tasks.values()) or any(state.active for state in self.calls.values())

    # -- running workflows ------------------------------------------------------
    def trigger(self, widget_id: str | None, trigger: str) -> asyncio.Task[None] | None:
        """Run a widget's workflow for a trigger (None: the page's On page load). Running it again restarts it."""
        key = page_workflow_key(self.page.name, widget_id, trigger)
        if self._closed or not has_workflow(self.project, key):
            return None
        previous = self._tasks.pop(key, None)
        if previous is not None and not previous.done():
            previous.cancel()
        task = asyncio.get_running_loop().create_task(self._run(key), name=f"preview {key}")
        self._tasks[key] = task
        self._notify()
        return task

    def load(self) -> asyncio.Task[None] | None:
        """The page opened: its On page load workflow."""
        return self.trigger(None, "load")

    def _action_label(self, key: str, action_id: str | None) -> str:
        """``Call API endpoint (call_report) › ``: which action failed, before the message that names its field."""
        if action_id is None:
            return ""
        path = path_of(workflow_of(self.project, key), action_id)
        if path is None:
            return f"{action_id} › "
        action = action_at(workflow_of(self.project, key), path)
        registry = self.engine.registry
        title = action.title or (registry.get(action.type).title if action.type in registry else action.type)
        return f"{title} ({action_id}) › "

    async def _run(self, key: str) -> None:
        context = InterfaceContext(self)
        try:
            async for event in self.engine.run_workflow(workflow_of(self.project, key), context):
                if isinstance(event, ErrorEvent):
                    self._error(PageError(f"{describe(self.project, key)} › {self._action_label(key, event.action_id)}{event.message}", key, event.action_id))
        finally:
            self._notify()

    async def cancel(self) -> None:
        """Stop every workflow of the page and every call it made (the runner cancels those runs too)."""
        tasks = [task for task in self._tasks.values() if not task.done()]
        for task in tasks:
            task.cancel()
        streams, self._streams = list(self._streams), set()
        await asyncio.gather(*(stream.cancel() for stream in streams), return_exceptions=True)
        await asyncio.gather(*tasks, return_exceptions=True)
        self._notify()

    async def close(self) -> None:
        self._closed = True
        await self.cancel()

    def set_variable(self, name: str, value: Any) -> None:
        """A Text input was edited, or a Set page variable ran."""
        if name in self.variables and self.variables[name] is value:
            return
        self.variables[name] = value
        self._changed_variables.add(name)
        self._notify()

    def clear_errors(self) -> None:
        self.errors.clear()

    # -- PageHost -----------------------------------------------------------------
    async def call_endpoint(self, endpoint: str, inputs: dict[str, Any], *, handle_stream: bool, name: str) -> Any:
        state = self.calls.get(name) or self._add_call(name)
        self.call_endpoints[name] = endpoint
        for callback in self.on_call:
            callback(name, endpoint, state)
        try:  # a replay needs no endpoint (design before it exists); the runner does
            stream = await self.caller.run(self.project, endpoint, inputs, handle_stream=handle_stream, state=state, trace=True)
        except KeyError:
            raise ActionError(f"no API endpoint named {endpoint!r}: create it, or replay a recording of it") from None
        self._streams.add(stream)
        try:
            await stream.wait()
        except asyncio.CancelledError:
            await stream.cancel()
            raise
        finally:
            self._streams.discard(stream)
        if state.error is not None:
            raise ActionError(f"{endpoint} failed: {state.error}")
        if state.status == "cancelled":
            raise ActionError(f"{endpoint} was cancelled")
        return state.result

    async def open_url(self, url: str, *, download: bool, file_name: str | None) -> str:
        if not download:
            self.open_external(url)
            return url
        return str(await self.download(url, file_name))

    async def download(self, url: str, file_name: str | None = None) -> Path:
        """Save what a download URL points at into the downloads folder, under a name that is not taken yet."""
        parsed = urlparse(url)
        name = file_name or Path(unquote(parsed.path)).name or "download"
        self.downloads_dir.mkdir(parents=True, exist_ok=True)
        target = _free_path(safe_join(self.downloads_dir, Path(name).name))
        if parsed.scheme == "file":
            shutil.copyfile(unquote(parsed.path), target)
        else:
            await self.caller.download(url, target)
        self.downloads.append(target)
        self._notify()
        return target

    # -- internals ----------------------------------------------------------------
    def _add_call(self, name: str) -> StreamState:
        state = self.calls[name] = StreamState()
        state.on_change.append(lambda _state: self._notify())
        self._reset_pending = True
        return state

    def _error(self, error: PageError) -> None:
        self.errors.append(error)
        for callback in self.on_error:
            callback(error)

    def _notify(self) -> None:
        for callback in self.on_change:
            callback()


def _free_path(path: Path) -> Path:
    """``report.csv``, else ``report (2).csv``, ... as browsers name repeated downloads."""
    if not path.exists():
        return path
    number = 2
    while (candidate := path.with_name(f"{path.stem} ({number}){path.suffix}")).exists():
        number += 1
    return candidate
