"""What one endpoint call looks like from the interface: ``stream.chunk``, ``stream.chunks`` and friends.

The stream task writes into a :class:`StreamState`; the UI only reads it. The
UI's frame timer compares :attr:`StreamState.version` with the one it saw last
and re-evaluates bindings only when it grew, so reading needs no lock and a
quiet stream costs nothing. Writing a message is a handful of attribute
stores: this runs once per message, on the hot path.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    import asyncio

__all__ = [
    "ACTIVE",
    "TERMINAL",
    "CallCancelledError",
    "ConnectionLostError",
    "RunnerCrashedError",
    "Status",
    "StreamError",
    "StreamState",
]

Status = Literal["idle", "connecting", "streaming", "done", "error", "cancelled"]
ACTIVE: frozenset[Status] = frozenset({"connecting", "streaming"})
TERMINAL: frozenset[Status] = frozenset({"done", "error", "cancelled"})


class StreamError(Exception):
    """Why a call failed, said the way the server said it; kept in ``StreamState.error`` and raised by ``call``.

    ``action``/``action_type`` name the failing workflow action, ``fields``
    maps input names to what is wrong with them (a 422), ``status_code`` is the
    HTTP status when the failure was an HTTP answer, ``body`` its JSON body.
    """

    def __init__(
        self,
        message: str,
        *,
        action: str | None = None,
        action_type: str | None = None,
        status_code: int | None = None,
        fields: Mapping[str, str] | None = None,
        body: Any = None,
    ) -> None:
        self.message = message
        self.action = action
        self.action_type = action_type
        self.status_code = status_code
        self.fields = dict(fields) if fields else {}
        self.body = body
        super().__init__(self._describe())

    def _describe(self) -> str:
        text = self.message
        if self.fields:
            text += ": " + "; ".join(f"{name}: {problem}" for name, problem in self.fields.items())
        if self.action:
            text += f" (action {self.action}" + (f", {self.action_type})" if self.action_type else ")")
        return text

    def to_json(self) -> dict[str, Any]:
        """What a binding sees as ``stream.error``."""
        return {
            "message": self.message,
            "action": self.action,
            "actionType": self.action_type,
            "statusCode": self.status_code,
            "fields": self.fields,
        }


class ConnectionLostError(StreamError):
    """The connection dropped and could not be resumed (too many attempts, or the run is gone)."""


class CallCancelledError(StreamError):
    """Raised by ``StreamCall.result()`` for a call that was cancelled (the state says ``cancelled``)."""


class RunnerCrashedError(StreamError):
    """The runner process died under a run; it has been restarted for the next one."""


class StreamState:
    """The live state of one call: the latest message, all of them (or the last ``retention``), and how it ended.

    ``started_at``, ``first_message_at``, ``last_message_at`` and
    ``finished_at`` are readings of ``clock`` (``time.monotonic`` unless
    given): the receive times stream health judges. A test gives a clock it
    steps, so the times it asserts on are the ones it chose, not the ones a
    busy machine happened to deliver.
    ``stalled`` turns True once no message has arrived for ``stall_after_s``
    while the call is active (set by a timer, which also bumps ``version``).
    ``on_change`` callbacks run synchronously after every change: keep them
    as cheap as the change itself (set a flag, wake a task).
    """

    def __init__(self, *, retention: int | None = None, stall_after_s: float | None = 10.0, clock: Callable[[], float] = time.monotonic) -> None:
        if retention is not None and retention < 1:
            raise ValueError("retention must be at least 1 (or None to keep every message)")
        self.retention = retention
        self.stall_after_s = stall_after_s
        self.clock = clock
        self.on_change: list[Callable[[StreamState], None]] = []
        self.version = 0
        self._stall_timer: asyncio.TimerHandle | None = None
        self._reset()

    def _reset(self) -> None:
        """Everything but the settings, ``on_change`` and ``version`` (which only ever grows)."""
        self.status: Status = "idle"
        self.chunk: Any = None
        self.parts: dict[str, Any] = {}
        """Part id -> the latest message sent with it (keyed parts); replaced whole on each, never mutated in place."""
        self._chunks: list[Any] | deque[Any] = [] if self.retention is None else deque(maxlen=self.retention)
        self._snapshot: tuple[int, list[Any]] | None = None
        self.count = 0
        self.last_seq: str | None = None
        self.last_part: str | None = None
        """The part id of the latest message (None for a plain one), and whether it was transient: for the Stream dock."""
        self.last_transient = False
        self._keyed: list[tuple[int, str, bool, Any]] | deque[tuple[int, str, bool, Any]] = [] if self.retention is None else deque(maxlen=self.retention)
        """(message number, part id, transient, its Event Data when transient) of each keyed message, oldest first.

        ``chunks`` leaves transient messages out, so it alone cannot say which
        message was which: ``history`` lines them up with this (a view that
        starts following a call under way). Plain messages cost nothing here;
        a transient one's data is held here instead of in ``chunks`` (bindings
        never read it), within the same ``retention``.
        """
        self._keyed_floor = 0
        """Messages up to this number lost their keyed record to the ``retention``: ``history`` cannot say what they were."""
        self.transient_count = 0
        """Messages counted in ``count`` but not kept in ``chunks``."""
        self.error: StreamError | None = None
        self.result: Any = None
        self.status_code: int | None = None
        self.run_id: str | None = None
        self.started_at: float | None = None
        self.first_message_at: float | None = None
        self.last_message_at: float | None = None
        self.finished_at: float | None = None
        self.reconnects = 0
        self.stalled = False
        self.traces: list[dict[str, Any]] = []

    # -- reading ---------------------------------------------------------
    @property
    def chunks(self) -> list[Any]:
        """Every message so far (the most recent ``retention`` with a limit), oldest first. Do not mutate."""
        if isinstance(self._chunks, list):
            return self._chunks
        snapshot = self._snapshot
        if snapshot is None or snapshot[0] != self.version:
            snapshot = self._snapshot = (self.version, list(self._chunks))
        return snapshot[1]

    @property
    def active(self) -> bool:
        return self.status in ACTIVE

    @property
    def finished(self) -> bool:
        return self.status in TERMINAL

    def history(self, after: int = 0) -> list[tuple[Any, str | None, bool]]:
        """Messages ``after + 1`` to ``count`` as (Event Data, part id, transient), oldest first.

        Plain and kept messages come from ``chunks``, transient ones from the
        keyed record; a message the state no longer holds (beyond a
        ``retention``) is (None, None, False). Costs the length of what is
        asked for, not of the whole stream.
        """
        after = max(after, 0)
        keyed: dict[int, tuple[str, bool, Any]] = {}
        for number, part, transient, data in reversed(self._keyed):
            if number <= after:
                break
            keyed[number] = (part, transient, data)
        chunks = self.chunks
        position = len(chunks) - 1  # the latest kept message; walking back, each earlier kept one is the one before
        out: list[tuple[Any, str | None, bool]] = []
        for number in range(self.count, after, -1):
            if number <= self._keyed_floor:
                out.append((None, None, False))
                continue
            part, transient, data = keyed.get(number, (None, False, None))
            if not transient:
                data = chunks[position] if position >= 0 else None
                position -= 1
            out.append((data, part, transient))
        out.reverse()
        return out

    def to_json(self) -> dict[str, Any]:
        """The ``stream`` object bindings read (``stream.chunk.done``, ``$join(stream.chunks.text)``, ...)."""
        return {
            "status": self.status,
            "chunk": self.chunk,
            "chunks": self.chunks,
            "parts": self.parts,
            "count": self.count,
            "stalled": self.stalled,
            "result": self.result,
            "statusCode": self.status_code,
            "error": self.error.to_json() if self.error is not None else None,
        }

    def __repr__(self) -> str:
        return f"<StreamState {self.status} count={self.count} version={self.version}>"

    # -- writing (the stream task) ----------------------------------------
    def _changed(self) -> None:
        self.version += 1
        for callback in self.on_change:
            callback(self)

    def begin(self, run_id: str) -> None:
        """A new call starts: everything from a previous call is forgotten."""
        self._cancel_stall_timer()
        self._reset()
        self.run_id = run_id
        self.status = "connecting"
        self.started_at = self.clock()
        self._arm_stall_timer(self.stall_after_s)
        self._changed()

    def add_message(self, data: Any, seq: str | None, part: str | None = None, transient: bool = False) -> None:
        """A message arrived: it is ``chunk``; it joins ``chunks`` unless transient; a keyed one replaces ``parts[part]``.

        ``parts`` is a new dict on each keyed message, so a binding that kept the
        previous one (a frame's snapshot) never sees it change under it.
        """
        now = self.clock()
        if self.first_message_at is None:
            self.first_message_at = now
            self.status = "streaming"
        self.last_message_at = now
        self.chunk = data
        self.last_part = part
        self.last_transient = transient
        self.count += 1
        if part is not None:
            self.parts = {**self.parts, part: data}
            keyed = self._keyed
            if isinstance(keyed, deque) and len(keyed) == keyed.maxlen:
                self._keyed_floor = keyed[0][0]
            keyed.append((self.count, part, transient, data if transient else None))
        if transient:
            self.transient_count += 1
        else:
            self._chunks.append(data)
        self.last_seq = seq
        if self.stalled:
            self.stalled = False
            self._arm_stall_timer(self.stall_after_s)
        self._changed()

    def touch(self) -> None:
        """A message arrived that bindings do not see (Handle stream off): it still proves the run is alive."""
        now = self.clock()
        if self.first_message_at is None:
            self.first_message_at = now
        self.last_message_at = now
        if self.stalled:
            self.stalled = False
            self._arm_stall_timer(self.stall_after_s)
            self._changed()

    def add_trace(self, data: Any) -> None:
        self.traces.append(data)
        self._changed()

    def note_reconnect(self) -> None:
        self.reconnects += 1
        self._changed()

    def finish(self, result: Any = None, status_code: int | None = None) -> bool:
        """The call ended well; False (and nothing changes) if it had already ended."""
        if self.status in TERMINAL:
            return False
        self.result = result
        self.status_code = status_code
        return self._end("done")

    def fail(self, error: StreamError) -> bool:
        if self.status in TERMINAL:
            return False
        self.error = error
        self.status_code = error.status_code
        return self._end("error")

    def cancel(self) -> bool:
        if self.status in TERMINAL:
            return False
        return self._end("cancelled")

    def _end(self, status: Status) -> bool:
        self._cancel_stall_timer()
        self.status = status
        self.stalled = False
        self.finished_at = self.clock()
        self._changed()
        return True

    # -- stall watch -----------------------------------------------------
    def _arm_stall_timer(self, delay: float | None) -> None:
        """One timer per quiet period, not per message: when it fires early it re-arms for the rest."""
        if delay is None:
            return
        import asyncio  # here, not at the top: the editor's window shows before asyncio is imported

        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            return  # written outside a loop (tests of the state alone): no watch
        self._stall_timer = loop.call_later(max(delay, 0.0), self._check_stall)

    def _check_stall(self) -> None:
        self._stall_timer = None
        if self.status not in ACTIVE or self.stall_after_s is None:
            return
        since = self.last_message_at if self.last_message_at is not None else self.started_at
        assert since is not None
        idle = self.clock() - since
        if idle >= self.stall_after_s:
            self.stalled = True
            self._changed()
        else:
            self._arm_stall_timer(self.stall_after_s - idle)

    def _cancel_stall_timer(self) -> None:
        if self._stall_timer is not None:
            self._stall_timer.cancel()
            self._stall_timer = None


class StateCall:
    """What every call offers once started: its ``state``, ``done``, ``await call.wait()`` and ``result()``.

    Shared by a live call (``StreamCall``) and a replay (``ReplayCall``):
    both end by setting ``_finished``, and the outcome is whatever the state says.
    """

    state: StreamState
    _finished: asyncio.Event

    @property
    def done(self) -> bool:
        return self._finished.is_set()

    async def wait(self) -> StreamState:
        """The state once the call has ended (done, error or cancelled); never raises the call's error."""
        await self._finished.wait()
        return self.state

    def __await__(self) -> Any:
        return self.wait().__await__()

    async def result(self) -> Any:
        """The final result, or the call's ``StreamError`` raised."""
        state = await self.wait()
        if state.error is not None:
            raise state.error
        if state.status == "cancelled":
            raise CallCancelledError("the call was cancelled")
        return state.result
