"""Runs in progress on the server: a producer task per run and a bounded buffer of its wire items.

The HTTP response only *follows* a run's buffer, so a client that reconnects
with ``Last-Event-ID`` replays what it missed and continues live, and a run
may outlive its connection for a short *linger* time when the client asked
for it. Without linger, the last client leaving cancels the run at once.

Flow control: the producer waits while it is more than ``capacity`` items
ahead of what was delivered, so a slow client slows the workflow instead of
growing memory; the buffer keeps ``2 * capacity`` items for replay. With a
shared store, "delivered" is what the store holds (clients on any worker read
from there), so the run waits for the store instead, and a client here is
sent only what the store already holds.
"""

from __future__ import annotations

import asyncio
import time
from collections import deque
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import Any, Literal, TypeAlias

from app.core.events import ErrorEvent, MessageEvent, ResultEvent, RunEvent, event_to_json
from app.runner.heartbeat import HeartbeatClock

ItemKind = Literal["message", "error", "result", "trace", "heartbeat"]


@dataclass(slots=True)
class WireEvent:
    """What a client receives besides a stream message: the end (error or result), a trace event, a heartbeat.

    Treated as immutable, but not ``frozen``: a frozen dataclass sets each field
    through ``object.__setattr__``, which tripled its cost on the per-message path.
    """

    kind: ItemKind
    data: Any
    seq: int | None = None
    part: str | None = None
    """A message's part id: a later message with the same id replaces that part (``stream.parts.<id>``)."""
    transient: bool = False
    """A keyed message a client shows but does not keep in ``stream.chunks``."""


WireItem: TypeAlias = WireEvent | MessageEvent
"""What a run's buffer holds and a protocol encodes: both have ``kind``, ``data``, ``seq``, ``part`` and ``transient``.

A stream message is the engine's ``MessageEvent`` itself, not a copy: it already has
every field a client receives, and making a copy was a measurable share of serve's
CPU per message (``tests/perf/bench_cpu_per_message.py``).
"""

HEARTBEAT = WireEvent("heartbeat", None)
BATCH_LIMIT = 512
"""Most items written to a response in one send."""
SWEEP_EVERY_S = 1.0


def to_wire_item(event: RunEvent, trace: bool) -> WireItem | None:
    if isinstance(event, MessageEvent):
        return event
    if isinstance(event, ErrorEvent):
        return WireEvent("error", {"message": event.message, "action": event.action_id, "actionType": event.action_type})
    if isinstance(event, ResultEvent):
        if event.streamed and not event.returned:
            return None  # a stream without Return response simply ends
        return WireEvent("result", {"statusCode": event.status_code, "body": event.body})
    if trace:  # action spans and logs, for the editor's timeline and Run panel
        return WireEvent("trace", event_to_json(event))
    return None


class RunGoneError(LookupError):
    """The messages a reconnecting client asked for are no longer buffered."""


class RunChannel:
    def __init__(self, run_id: str, endpoint: str, *, capacity: int, linger_s: float) -> None:
        self.run_id = run_id
        self.endpoint = endpoint
        self.capacity = capacity
        self.linger_s = linger_s
        self._items: deque[WireItem] = deque(maxlen=2 * capacity)
        self._first = 1  # position of _items[0]; positions count from 1
        self.newest_seq = 0
        """The sequence number of the newest message so far (0: none yet)."""
        self.position = 0  # position of the newest item
        self.delivered = 0
        self.done = False
        self.finished_at: float | None = None
        self.attached = 0
        self.task: asyncio.Task[None] | None = None
        self._new: asyncio.Future[None] | None = None
        self._space: asyncio.Future[None] | None = None
        self._linger_timer: asyncio.TimerHandle | None = None
        self.started_stream = asyncio.Event()
        self.streamed = False
        self.cancel_reason = "the run was cancelled"
        self.sink: Callable[[WireItem | None], None] | None = None
        """A shared run store's copy of every item (``None`` last, when the run ends); unset in memory."""
        self.followed_elsewhere: Callable[[], bool] | None = None
        """Whether a client follows this run through another worker (the resume grace waits while one does)."""

    # -- producer side -------------------------------------------------
    def start(self, events: AsyncIterator[RunEvent], trace: bool) -> None:
        self.task = asyncio.create_task(self._produce(events, trace), name=f"run {self.run_id}")

    async def _produce(self, events: AsyncIterator[RunEvent], trace: bool) -> None:
        try:
            async for event in events:
                if type(event) is MessageEvent:  # the per-message path: a message is its own wire item
                    item: WireItem = event
                else:
                    other = to_wire_item(event, trace)
                    if other is None:
                        continue
                    item = other
                self._append(item)
                if item.kind == "message" and not self.streamed:
                    self.streamed = True
                    self.started_stream.set()
                if self.position - self.delivered >= self.capacity:
                    await self._wait_for_space()
        except asyncio.CancelledError:
            self._append(WireEvent("error", {"message": self.cancel_reason, "action": None, "actionType": None}))
            raise
        except Exception as error:  # noqa: BLE001 - an engine failure still ends the stream with a reason
            self._append(WireEvent("error", {"message": f"internal error: {error}", "action": None, "actionType": None}))
        finally:
            await _aclose(events)
            self.done = True
            self.finished_at = time.monotonic()
            self.started_stream.set()
            self._wake_consumers()
            if self.sink is not None:
                self.sink(None)

    def _append(self, item: WireItem) -> None:
        if item.seq is not None:
            self.newest_seq = item.seq
        if len(self._items) == self._items.maxlen:
            self._first += 1
        self._items.append(item)
        self.position += 1
        if self._new is not None:  # a follower waits (checked here: this runs for every message)
            self._wake_consumers()
        if self.sink is not None:
            self.sink(item)

    def _wake_consumers(self) -> None:
        if self._new is not None and not self._new.done():
            self._new.set_result(None)
        self._new = None

    async def _wait_for_space(self) -> None:
        self._space = asyncio.get_running_loop().create_future()
        await self._space

    def cancel(self, reason: str = "the run was cancelled") -> None:
        if self.task is not None and not self.task.done():
            self.cancel_reason = reason
            self.task.cancel()

    # -- consumer side -------------------------------------------------
    async def cursor_after(self, seq: int) -> int:
        """``position_after_message`` for the run-store interface (a shared store has to ask the network)."""
        return self.position_after_message(seq)

    def note_delivered(self, position: int) -> None:
        """Items up to ``position`` are safe elsewhere (a shared store has them): the producer may run ahead of them."""
        if position > self.delivered:
            self.delivered = position
            self._release_producer()
            self._wake_consumers()

    def last_item(self) -> WireItem | None:
        return self._items[-1] if self._items else None

    def position_after_message(self, seq: int) -> int:
        """The position following message ``seq``, for a client resuming with Last-Event-ID.

        A ``seq`` the run never sent is a ``ValueError`` (the client is wrong,
        400); one sent but no longer buffered is ``RunGoneError`` (410).
        """
        if seq > self.newest_seq:
            raise ValueError(f"Last-Event-ID {seq} is beyond the newest message of run {self.run_id} ({self.newest_seq})")
        for offset, item in enumerate(self._items):
            if item.seq is not None and item.seq == seq:
                return self._first + offset
        if seq == 0 and self._first == 1:
            return 0
        raise RunGoneError(f"message {seq} of run {self.run_id} is no longer buffered")

    def attach(self) -> None:
        """A client is following (or about to follow) this run; it will not be cut while one is."""
        self.attached += 1
        self._disarm_linger()

    def detach(self) -> None:
        self.attached -= 1
        if self.attached == 0 and not self.done:
            self._arm_linger()

    async def follow(self, after: int = 0, heartbeat_s: float | None = None) -> AsyncIterator[list[WireItem]]:
        """Batches of the items after position ``after``, live until the run ends; heartbeats while idle.

        A batch is everything already buffered (up to ``BATCH_LIMIT`` items), so a
        response writes it in one send: the per-message cost on the wire is what
        limits throughput. A client that keeps up gets batches of one, at once.

        The caller has called ``attach()``; following ends with a ``detach()``,
        so a client that leaves mid-stream cancels the run (or starts its linger).
        """
        beat = HeartbeatClock(heartbeat_s, self._wake_consumers) if heartbeat_s is not None else None
        try:
            position = after
            while True:
                if position < self._first - 1:
                    raise RunGoneError(f"run {self.run_id} moved past position {position}")
                # with a shared store a client sees only what the store holds: resuming anywhere can never miss one
                visible = self.position if self.sink is None else self.delivered
                if position < visible:
                    end = min(visible, position + BATCH_LIMIT)
                    start = position + 1 - self._first
                    batch = [self._items[index] for index in range(start, start + end - position)]
                    position = end
                    if position > self.delivered:
                        self.delivered = position
                        self._release_producer()
                    yield batch
                    if beat is not None:
                        beat.sent()
                    continue
                if self.done and visible == self.position:
                    return
                if beat is not None:
                    if beat.owed():
                        yield [HEARTBEAT]
                        beat.sent()
                        continue
                    beat.arm()
                if self._new is None:
                    self._new = asyncio.get_running_loop().create_future()
                await asyncio.shield(self._new)  # shielded: this follower leaving must not cancel the others' wake-up
        finally:
            if beat is not None:
                beat.close()
            self.detach()

    def _release_producer(self) -> None:
        if self._space is not None and self.position - self.delivered < self.capacity:
            if not self._space.done():
                self._space.set_result(None)
            self._space = None

    # -- linger --------------------------------------------------------
    def _arm_linger(self) -> None:
        """Cancel the run once no client has followed it for ``linger_s`` (at once for 0)."""
        if self.linger_s <= 0:
            self.cancel()
        elif self._linger_timer is None:
            self._linger_timer = asyncio.get_running_loop().call_later(self.linger_s, self._linger_expired)

    def _disarm_linger(self) -> None:
        if self._linger_timer is not None:
            self._linger_timer.cancel()
            self._linger_timer = None

    def _linger_expired(self) -> None:
        self._linger_timer = None
        if self.attached or self.done:
            return
        if self.followed_elsewhere is not None and self.followed_elsewhere():
            self._arm_linger()  # a client follows through another worker: look again one grace later
            return
        self.cancel(f"nobody resumed the run within its resume grace ({self.linger_s:g} s)")


async def _aclose(events: AsyncIterator[RunEvent]) -> None:
    close = getattr(events, "aclose", None)
    if close is not None:
        try:
            await close()
        except BaseException:  # noqa: BLE001 - closing a cancelled generator may raise; nothing to report
            pass


class RunRegistry:
    """Runs by id; finished runs stay replayable for ``keep_s`` seconds."""

    def __init__(self, *, capacity: int = 10_000, keep_s: float = 60.0) -> None:
        self.capacity = capacity
        self.keep_s = keep_s
        self._runs: dict[str, RunChannel] = {}
        self._swept_at = float("-inf")

    def get(self, run_id: str) -> RunChannel | None:
        self._sweep()
        return self._runs.get(run_id)

    def create(self, run_id: str, endpoint: str, linger_s: float) -> RunChannel:
        self._sweep()
        channel = RunChannel(run_id, endpoint, capacity=self.capacity, linger_s=linger_s)
        self._runs[run_id] = channel
        return channel

    def _sweep(self) -> None:
        """Forget runs finished more than ``keep_s`` ago; at most once a second, since it looks at
        every run (on every request it made starting 10,000 streams take minutes, not seconds)."""
        now = time.monotonic()
        if now - self._swept_at < SWEEP_EVERY_S:
            return
        self._swept_at = now
        for run_id, channel in list(self._runs.items()):
            if channel.finished_at is not None and now - channel.finished_at > self.keep_s:
                del self._runs[run_id]

    def active(self) -> list[RunChannel]:
        return [channel for channel in self._runs.values() if not channel.done]

    async def cancel_all(self) -> None:
        tasks = [channel.task for channel in self._runs.values() if channel.task is not None and not channel.task.done()]
        for task in tasks:
            task.cancel()
        if tasks:
            await asyncio.wait(tasks, timeout=1.0)
