"""What interface workflows run against: the page that hosts them.

Endpoint workflows run in the runner; interface workflows (a Button's On
click, a page's On page load) run in the page, like a browser runs a WeWeb
page's workflows. Their actions (Call API endpoint, Set page variable, Open
URL) need the page for what they do, so they reach it through ``PageHost``,
which the preview implements over the runner client. Control flow (If/else)
and formulas are the engine's, shared with endpoint workflows.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any, Protocol

from app.core.run_context import ActionError, RunContext, RunSettings

DEFAULT_CALL_NAME = "stream"
"""The name a Call API endpoint exposes its call under when the user keeps the default."""

CALL_FIELDS = ("chunk", "chunks", "parts", "status", "error", "count", "result")
"""What bindings read of a call: ``stream.chunk``, ``stream.chunks``, ``stream.parts.<id>``, ``stream.status``, ..."""


class PageHost(Protocol):
    """The running page, as its workflows' actions see it."""

    variables: dict[str, Any]
    """Page variables by name; bindings read them as ``variables.<name>``."""

    def scope(self) -> Mapping[str, Any]:
        """Names every formula of the page may read: ``variables``, ``page`` and each call by its name."""
        ...

    async def call_endpoint(self, endpoint: str, inputs: dict[str, Any], *, handle_stream: bool, name: str) -> Any:
        """Call an API endpoint; returns its result once it has finished. A failed call raises ``ActionError``."""
        ...

    def set_variable(self, name: str, value: Any) -> None: ...

    async def open_url(self, url: str, *, download: bool, file_name: str | None) -> str:
        """Open a URL, or save what it points at; returns where it went (the URL or the saved file)."""
        ...


class InterfaceContext(RunContext):
    """A run of one interface workflow: the engine's context with the page behind it."""

    def __init__(self, host: PageHost, *, trace: bool = False, run_id: str | None = None) -> None:
        settings = RunSettings(project_dir=Path("."), output_root=Path("."), trace=trace)
        super().__init__(settings, {}, run_id)
        self.host = host
        self.variables = host.variables
        self.scope = {**host.scope(), "variables": host.variables, "results": self.results}


def page_host(ctx: RunContext) -> PageHost:
    """The page running this workflow; an interface action in an endpoint workflow gets a clear error."""
    if isinstance(ctx, InterfaceContext):
        return ctx.host
    raise ActionError("this action runs in interface workflows (a page's On click or On page load), not in API endpoints")
