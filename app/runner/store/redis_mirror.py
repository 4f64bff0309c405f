"""The owners' side of runs in Redis: every item written to its run's stream, and each owner's lease kept alive.

One writer task per process (:class:`StoreWriter`) sends what all its runs
accumulated since its last write in one pipeline, so many concurrent runs
cost one round trip per batch, not one per run or per message, and a handful
of connections. The producer may run at most ``capacity`` items ahead of what
Redis holds (flow control against the store: clients anywhere read from
there). About once a second (``tick_s``) the same pipeline refreshes each
run's lease and the keys' expiry and asks whether a stop was requested or a
client follows elsewhere.

If Redis cannot be reached, the runs that were writing are cancelled with
that reason: their clients get an error event instead of a stream no other
worker could resume.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from redis.exceptions import RedisError

from app.runner.runs import BATCH_LIMIT, RunChannel, WireItem
from app.runner.store.redis_items import EntryIds, RunKeys, encode_items

if TYPE_CHECKING:
    from redis.asyncio.client import Pipeline

    from app.runner.store.redis_store import RedisRunStore


@dataclass(frozen=True, slots=True)
class _Queued:
    """What one run put in a pipeline: its commands, the items among them, and what to read back."""

    commands: int
    added: int
    ended: bool
    upkeep: bool


class RunMirror:
    """One run's copy in Redis, fed by the run's channel and written by the store's writer."""

    def __init__(self, store: RedisRunStore, channel: RunChannel) -> None:
        self.store = store
        self.channel = channel
        self.run_id = channel.run_id
        self.keys = RunKeys(channel.run_id)
        self.ids = EntryIds()
        self.pending: list[WireItem | None] = []
        self.written = 0
        self.followed = False
        self.finished = False
        self.maintained = time.monotonic()
        channel.sink = self.add
        channel.followed_elsewhere = lambda: self.followed

    def add(self, item: WireItem | None) -> None:
        self.pending.append(item)
        self.store.writer.mark(self)

    def upkeep_due(self, now: float) -> bool:
        return not self.finished and now - self.maintained >= self.store.tick_s

    def queue(self, pipe: Pipeline, now: float) -> _Queued:
        """Add this run's pending items (a bounded batch) and, when due, its upkeep to ``pipe``."""
        store, keys = self.store, self.keys
        batch = self.pending[:BATCH_LIMIT]
        del self.pending[: len(batch)]
        ended = bool(batch) and batch[-1] is None
        commands = 0
        if batch:
            ids = [self.ids.next(item) for item in batch]
            oldest_kept = f"{max(0, self.ids.seq - store.stream_length)}-0"  # about the newest 2 x capacity messages stay
            pipe.xadd(keys.items, {"f": ids[0], "i": encode_items(batch)}, id=ids[-1], minid=oldest_kept, approximate=True)
            commands = 1
        added = len(batch) - ended
        upkeep = not ended and self.upkeep_due(now)
        if ended:
            pipe.hset(keys.run, "status", "done")
            for key in (keys.run, keys.items):
                pipe.expire(key, max(1, round(store.keep_s)))
            pipe.delete(keys.lease, keys.stop, keys.followed)
            commands += 4
        elif upkeep:
            self.maintained = now
            pipe.set(keys.lease, store.worker_id, px=store.lease_ms)
            for key in (keys.run, keys.items):
                pipe.expire(key, max(1, round(store.keep_s + store.lease_s)))
            pipe.exists(keys.stop)
            pipe.exists(keys.followed)
            commands += 5
        return _Queued(commands, added, ended, upkeep)

    def settle(self, queued: _Queued, results: list[Any]) -> None:
        """Take in what Redis answered to this run's part of a pipeline."""
        self.written += queued.added
        self.channel.note_delivered(self.written)
        if queued.ended:
            self.finished = True
            return
        if queued.upkeep:
            stop_requested, followed = results[-2], results[-1]
            self.followed = bool(followed)
            if stop_requested:
                self.channel.cancel()
        if self.pending:
            self.store.writer.mark(self)

    def fail(self, error: BaseException) -> None:
        self.finished = True
        self.pending.clear()
        self.channel.sink = None
        self.channel.cancel(f"the run store became unreachable ({self.store.safe_url}): {error}")


class StoreWriter:
    """The one task that writes every run of this process to Redis, one pipeline per round.

    New runs are registered (owner, endpoint, status, lease) in the same
    rounds, so a burst of requests costs a round trip, not a connection each.
    """

    def __init__(self, store: RedisRunStore) -> None:
        self.store = store
        self.registrations: list[tuple[str, str, asyncio.Future[None]]] = []
        self.dirty: dict[str, RunMirror] = {}
        self.wake = asyncio.Event()
        self._scanned = time.monotonic()
        self.task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self.task = asyncio.create_task(self._run(), name="run store writer")

    async def register(self, run_id: str, endpoint: str) -> None:
        """Record a new run of ours in Redis; ``RedisError``/``OSError`` when Redis cannot be reached."""
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self.registrations.append((run_id, endpoint, future))
        self.wake.set()
        await future

    def mark(self, mirror: RunMirror) -> None:
        self.dirty[mirror.run_id] = mirror
        self.wake.set()

    async def _run(self) -> None:
        while True:
            if not self.dirty and not self.registrations:
                try:
                    async with asyncio.timeout(self.store.tick_s):
                        await self.wake.wait()
                except TimeoutError:
                    pass
            self.wake.clear()
            await self.write_round()

    async def write_round(self) -> None:
        """Write what is pending (and the upkeep that is due) for every run, in one pipeline."""
        now = time.monotonic()
        work, self.dirty = self.dirty, {}
        if now - self._scanned >= self.store.tick_s:  # look for idle runs whose upkeep is due about once a tick
            self._scanned = now
            for mirror in self.store.mirrors.values():
                if mirror.upkeep_due(now):
                    work.setdefault(mirror.run_id, mirror)
        work = {run_id: mirror for run_id, mirror in work.items() if not mirror.finished}
        registrations, self.registrations = self.registrations, []
        if not work and not registrations:
            return
        store = self.store
        pipe = store.redis.pipeline(transaction=False)
        for run_id, endpoint, _ in registrations:
            keys = RunKeys(run_id)
            pipe.hset(keys.run, mapping={"owner": store.worker_id, "endpoint": endpoint, "status": "running"})
            pipe.expire(keys.run, max(1, round(store.keep_s + store.lease_s)))
            pipe.set(keys.lease, store.worker_id, px=store.lease_ms)
        queued = [(mirror, mirror.queue(pipe, now)) for mirror in work.values()]
        try:
            results = await pipe.execute()
        except (RedisError, OSError) as error:
            for _, _, future in registrations:
                if not future.done():
                    future.set_exception(error)
            for mirror, _ in queued:
                mirror.fail(error)
            return
        for _, _, future in registrations:
            if not future.done():
                future.set_result(None)
        at = 3 * len(registrations)
        for mirror, plan in queued:
            mirror.settle(plan, results[at : at + plan.commands])
            at += plan.commands

    async def flush(self, timeout_s: float) -> None:
        """Write until nothing is pending (the ends of runs just cancelled reach Redis), for at most ``timeout_s``."""
        try:
            async with asyncio.timeout(timeout_s):
                while any(mirror.pending for mirror in self.store.mirrors.values() if not mirror.finished):
                    await self.write_round()
        except TimeoutError:
            pass
