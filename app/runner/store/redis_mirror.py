"""The owner's side of a run in Redis: every item written to the run's stream, and the owner's lease kept alive.

One writer task per run sends what accumulated since its last write in one
pipeline, so a fast run costs one round trip per batch, not per message. The
producer may run at most ``capacity`` items ahead of what Redis holds (flow
control against the store: clients anywhere read from there). About once a
second (``tick_s``) the same pipeline refreshes the lease and the keys' expiry
and asks whether a stop was requested or a client follows elsewhere.

If Redis cannot be reached, the run is cancelled with that reason: its
clients get an error event instead of a stream no other worker could resume.
"""

from __future__ import annotations

import asyncio
import time
from typing import TYPE_CHECKING

from redis.exceptions import RedisError

from app.runner.runs import RunChannel, WireItem
from app.runner.store.redis_items import EntryIds, RunKeys, encode_item

if TYPE_CHECKING:
    from app.runner.store.redis_store import RedisRunStore


class RunMirror:
    def __init__(self, store: RedisRunStore, channel: RunChannel) -> None:
        self.store = store
        self.channel = channel
        self.keys = RunKeys(channel.run_id)
        self.ids = EntryIds()
        self.pending: list[WireItem | None] = []
        self.wake = asyncio.Event()
        self.written = 0
        self.followed = False
        self._maintained = time.monotonic()
        channel.sink = self.add
        channel.followed_elsewhere = lambda: self.followed
        self.task = asyncio.create_task(self._run(), name=f"mirror {channel.run_id}")

    def add(self, item: WireItem | None) -> None:
        self.pending.append(item)
        self.wake.set()

    async def _run(self) -> None:
        try:
            while True:
                if not self.pending:
                    try:
                        async with asyncio.timeout(self.store.tick_s):
                            await self.wake.wait()
                    except TimeoutError:
                        pass
                self.wake.clear()
                batch, self.pending = self.pending, []
                if await self._write(batch):
                    return
        except (RedisError, OSError) as error:
            self.channel.sink = None
            self.channel.cancel(f"the run store became unreachable ({self.store.safe_url}): {error}")

    async def _write(self, batch: list[WireItem | None]) -> bool:
        """Write ``batch`` (and do the periodic upkeep when due); True once the run's end is written."""
        store, keys = self.store, self.keys
        pipe = store.redis.pipeline(transaction=False)
        ended = False
        added = 0
        for item in batch:
            pipe.xadd(keys.items, {"i": encode_item(item)}, id=self.ids.next(item), maxlen=store.stream_length, approximate=True)
            if item is None:
                ended = True
                break
            added += 1
        now = time.monotonic()
        upkeep = not ended and now - self._maintained >= store.tick_s
        if not batch and not upkeep:
            return False
        if ended:
            pipe.hset(keys.run, "status", "done")
            for key in (keys.run, keys.items):
                pipe.expire(key, max(1, round(store.keep_s)))
            pipe.delete(keys.lease, keys.stop, keys.followed)
        elif upkeep:
            self._maintained = now
            pipe.set(keys.lease, store.worker_id, px=store.lease_ms)
            for key in (keys.run, keys.items):
                pipe.expire(key, max(1, round(store.keep_s + store.lease_s)))
            pipe.exists(keys.stop)
            pipe.exists(keys.followed)
        results = await pipe.execute()
        self.written += added
        self.channel.note_delivered(self.written)
        if upkeep:
            stop_requested, followed = results[-2], results[-1]
            self.followed = bool(followed)
            if stop_requested:
                self.channel.cancel()
        return ended
