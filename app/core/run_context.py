"""What an action runs against: the formula scope, the stream, files, HTTP and logs.

The engine (``app.engine.engine``) owns the control flow; actions only read and
write this context. No Qt, no serving.
"""

from __future__ import annotations

import os
import time
import uuid
from collections.abc import AsyncIterator, Callable, Generator, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, Protocol

from app.core.coalesce import Coalescer
from app.core.events import LogEvent, MessageEvent, RunEvent
from app.core.formula import MB, Formula, FormulaLimits, offloading
from app.core.sandbox import safe_join
from app.core.value_size import json_size

if TYPE_CHECKING:
    import ssl

    import httpx  # imported by http() on first use: ~0.1 s that the editor's start-up should not pay

DownloadUrlFor = Callable[[str, str], str]
"""``(run_id, relative_file_name) -> URL`` used for Create file's ``downloadUrl``."""


def file_url(output_root: Path) -> DownloadUrlFor:
    """Download URLs for headless runs: a ``file://`` URL of the file on disk."""
    return lambda run_id, name: (output_root / run_id / name).resolve().as_uri()


@dataclass(frozen=True)
class RunLimits:
    """How much one run may use: each formula's time and memory, and the values the run holds.

    ``run_memory_bytes`` bounds the values a run keeps at once, counted as the size of their
    JSON (``app.core.value_size``): every variable, every action's result, and each message's
    Event Data as it is sent.  A value that would go over it fails its action.
    """

    formula_timeout_s: float = 1.0
    formula_memory_bytes: int = 256 * MB
    run_memory_bytes: int = 256 * MB

    @property
    def formula(self) -> FormulaLimits:
        return FormulaLimits(self.formula_timeout_s, self.formula_memory_bytes)


@dataclass
class RunSettings:
    """Where a run may read and write, how its files are addressed, and its limits."""

    project_dir: Path
    output_root: Path
    download_url: DownloadUrlFor | None = None
    http_transport: httpx.AsyncBaseTransport | None = None
    trace: bool = True
    clock: Callable[[], float] = time.perf_counter
    """Seconds, monotonic: message times and coalescing windows read it, so tests can step time."""
    limits: RunLimits = field(default_factory=RunLimits)


def _size_text(size: int) -> str:
    if size >= MB:
        return f"{size / MB:.1f} MB"
    if size >= 1024:
        return f"{size / 1024:.1f} KB"
    return f"{size} bytes"


_SSL_CONTEXT: ssl.SSLContext | None = None


def _ssl_context() -> ssl.SSLContext:
    """One TLS context for every run's HTTP client, made on first use.

    Building one loads the CA bundle: about 7 ms, which each run paid before its
    first upstream byte (a relayed model's first token waited for it). A context
    is safe to share; it honours ``SSL_CERT_FILE``/``SSL_CERT_DIR`` as httpx's own does.
    """
    global _SSL_CONTEXT
    if _SSL_CONTEXT is None:
        import httpx

        try:
            _SSL_CONTEXT = httpx.create_ssl_context(trust_env=True)
        except OSError as error:  # a missing or unreadable file: say which setting named it
            named = ", ".join(f"{name}={os.environ[name]}" for name in ("SSL_CERT_FILE", "SSL_CERT_DIR") if os.environ.get(name)) or "the default CA bundle"
            raise ValueError(f"the TLS certificates could not be read ({named}): {error.strerror or error}") from None
    return _SSL_CONTEXT


class ActionError(Exception):
    """An error raised by an action; Try/catch catches it, otherwise it ends the run."""

    def __init__(self, message: str, action_id: str | None = None, action_type: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.action_id = action_id
        self.action_type = action_type


class Slots(Protocol):
    """Lets a container run one of its named slots."""

    def run(self, slot: str) -> AsyncIterator[RunEvent]: ...

    def reads(self, slot: str, root: str, key: str) -> bool:
        """Whether a formula in ``slot`` (nested actions too) may read ``root.key``.

        Never narrower than the truth (a formula reading ``root`` whole, or the whole
        scope, counts), so a container may skip computing a scope field nothing reads.
        """
        ...

    def repeat(self, slot: str, passes: Generator[object, None, None]) -> AsyncIterator[RunEvent]:
        """Run ``slot`` once per item ``passes`` gives, all in one iterator (a Loop's per-item path).

        ``passes`` sets the scope up before each pass (``loop.*``) and is closed when the
        slot ends, fails or is cancelled, so its ``finally`` can put the scope back. The
        engine gives other tasks a turn every so many passes, so a tight loop stays cancellable.
        """
        ...


class RunContext:
    """State of one run of one endpoint."""

    def __init__(self, settings: RunSettings, inputs: Mapping[str, Any], run_id: str | None = None) -> None:
        self.settings = settings
        self.run_id = run_id or uuid.uuid4().hex[:12]
        self.variables: dict[str, Any] = {}
        self.results: dict[str, Any] = {}
        self.scope: dict[str, Any] = {"inputs": dict(inputs), "variables": self.variables, "results": self.results}
        self.pending: list[RunEvent] = []
        self.message_count = 0
        self.action_id = ""
        self._clock = settings.clock
        self.started = self._clock()
        self._http: httpx.AsyncClient | None = None
        self._stream_http: httpx.AsyncClient | None = None
        self.coalescer = Coalescer()
        self.stream_depth = 0
        """How many streamed loops (For each streamed event, AI chat completion) are running their body now."""
        self.precomputed: dict[Formula, Any] = {}
        """Values of formulas evaluated in a worker, for the next try at resolving an action's params."""
        self.formula_limits = settings.limits.formula
        self.bounds = offloading(self.formula_limits, self.precomputed)
        """Entered around resolving params: the run's formula limits, and workers awaited off the loop."""
        self.memory_limit = settings.limits.run_memory_bytes
        self.held_bytes = 0
        """JSON bytes of the values the run holds now (variables and results)."""
        self._held: dict[str, dict[str, int]] = {"variables": {}, "results": {}}
        # the value sized last, so the result that is the same object is not sized again
        self._sized_value: Any = None
        self._sized_bytes = 0
        self._sized_held = False  # already held under another name (a variable): its result costs nothing more

    def now(self) -> float:
        """Seconds since the run started."""
        return self._clock() - self.started

    @property
    def streaming(self) -> bool:
        return self.message_count > 0

    def send_message(
        self,
        data: dict[str, Any],
        *,
        coalesce_ms: int = 0,
        append: tuple[str, ...] = ("text",),
        part: str | None = None,
        transient: bool = False,
    ) -> None:
        """Queue one stream message; the engine yields it as soon as the action returns.

        Its Event Data must fit in the room the run's memory bound leaves (the action's
        previous result, which this one replaces, counts as room). With ``coalesce_ms``
        the message joins the held one (``app.core.coalesce``) and goes out at most
        once per window; without, a held message goes out first. ``part`` names the
        part a keyed message replaces and ``transient`` keeps it out of ``stream.chunks``
        (both only ride along: the run treats a keyed message like any other).
        """
        limit = self.memory_limit
        size = json_size(data, limit)
        if self.held_bytes + size > limit:
            room = limit - self.held_bytes + self._held["results"].get(self.action_id, 0)
            if size > room:
                raise ActionError(self._over("the Event Data", size))
        self._sized_value, self._sized_bytes, self._sized_held = data, size, False
        if coalesce_ms > 0:
            ready = self.coalescer.offer(data, coalesce_ms / 1000, append, self.action_id, self.stream_depth, self.now(), part, transient)
            for held in ready:
                self._queue(held.data, held.action_id, held.part, held.transient)
            return
        if self.coalescer.held is not None:
            self.release_held()
        self.message_count += 1  # _queue, inline: this is the per-message path
        self.pending.append(MessageEvent(self.message_count, data, self.action_id, self._clock() - self.started, "message", part, transient))

    def _queue(self, data: dict[str, Any], action_id: str, part: str | None = None, transient: bool = False) -> None:
        self.message_count += 1
        self.pending.append(MessageEvent(self.message_count, data, action_id, self._clock() - self.started, "message", part, transient))

    def release_held(self) -> None:
        """Queue the held coalesced message now, if there is one: the workflow moves on or ends."""
        held = self.coalescer.take()
        if held is not None:
            self._queue(held.data, held.action_id, held.part, held.transient)

    def moves_on(self) -> bool:
        """Release a held message because another kind of action starts; True when one was queued.

        Inside the body of the streamed loop whose Send holds it, other actions
        (a Set variable beside the Send) do not release it: the loop's end does.
        """
        held = self.coalescer.held
        if held is None or (held.stream_depth > 0 and self.stream_depth >= held.stream_depth):
            return False
        self.release_held()
        return True

    def log(self, message: Any, level: Literal["info", "warning", "error"] = "info") -> None:
        self.pending.append(LogEvent(message, level, self.action_id, self.now()))

    def set_variable(self, name: str, value: Any) -> None:
        """``variables.<name>`` = value, refused when the run would hold more than its memory bound."""
        self.hold("variables", name, value)
        self.variables[name] = value

    def hold_result(self, action_id: str, value: Any) -> None:
        """``results.<action id>`` = value; a value just held under another name counts once."""
        if value is self._sized_value and value is not None and not self._sized_held:  # a message just sized: the per-message path
            sizes = self._held["results"]
            size = self._sized_bytes
            self.held_bytes += size - sizes.get(action_id, 0)  # send_message checked the room
            sizes[action_id] = size
            self._sized_held = True
        else:
            self.hold("results", action_id, value)
        self.results[action_id] = value

    def hold(self, kind: str, key: str, value: Any) -> None:
        """Account for ``value`` kept as ``<kind>.<key>`` (replacing what was there); ActionError when over the bound."""
        sizes = self._held[kind]
        if value is None:
            self.held_bytes -= sizes.pop(key, 0)
            return
        if value is self._sized_value:
            size = 0 if self._sized_held else self._sized_bytes
        else:
            size = json_size(value, self.memory_limit)
        held = self.held_bytes + size - sizes.get(key, 0)
        if held > self.memory_limit:
            raise ActionError(self._over(f"{kind}.{key}", size))
        sizes[key] = size
        self.held_bytes = held
        self._sized_value, self._sized_bytes, self._sized_held = value, size, True

    def _over(self, what: str, size: int) -> str:
        held = self.held_bytes
        return f"{what} would take {_size_text(size)} with {_size_text(held)} already held: over the run's memory bound of {_size_text(self.memory_limit)}"

    @contextmanager
    def bound(self, name: str, value: Any) -> Iterator[None]:
        """Bind a scope name (``loop``, ``caughtError``) for the duration of a slot."""
        missing = object()
        previous = self.scope.get(name, missing)
        self.scope[name] = value
        try:
            yield
        finally:
            if previous is missing:
                self.scope.pop(name, None)
            else:
                self.scope[name] = previous

    @property
    def output_dir(self) -> Path:
        return self.settings.output_root / self.run_id

    def output_path(self, name: str) -> Path:
        """A path for a file this run creates, refused if ``name`` tries to leave the run's folder."""
        self.output_dir.mkdir(parents=True, exist_ok=True)
        return safe_join(self.output_dir, name)

    def download_url(self, path: Path) -> str:
        relative = path.relative_to(self.output_dir.resolve()).as_posix()
        make = self.settings.download_url or file_url(self.settings.output_root)
        return make(self.run_id, relative)

    def project_path(self, name: str) -> Path:
        """A data file (e.g. a SQLite database) inside the project's folder."""
        return safe_join(self.settings.project_dir, name)

    def http(self) -> httpx.AsyncClient:
        if self._http is None:
            import httpx

            self._http = httpx.AsyncClient(transport=self.settings.http_transport, follow_redirects=True, verify=_ssl_context())
        return self._http

    def stream_http(self) -> httpx.AsyncClient:
        """The client for upstream streams (``app.core.upstream_client``: bigger reads than ``http()``'s)."""
        if self._stream_http is None:
            from app.core.upstream_client import stream_client

            self._stream_http = stream_client(_ssl_context(), self.settings.http_transport)
        return self._stream_http

    async def aclose(self) -> None:
        if self._http is not None:
            await self._http.aclose()
            self._http = None
        if self._stream_http is not None:
            await self._stream_http.aclose()
            self._stream_http = None
