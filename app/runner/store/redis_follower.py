"""Following a run another worker owns: replay and live items from the run's Redis stream.

``XREAD BLOCK`` waits for new entries about a second at a time; between two
waits the follower checks the owner's lease, so a client following a run
whose worker died gets an error event saying the run was lost (within the
lease time) instead of waiting forever. While it follows, it keeps the run's
``followed`` key alive, which holds off the owner's resume grace.
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from redis.exceptions import RedisError

from app.runner.runs import BATCH_LIMIT, HEARTBEAT, RunGoneError, WireEvent, WireItem
from app.runner.store.redis_items import RunKeys, decode_items, id_order

if TYPE_CHECKING:
    from app.runner.store.redis_store import RedisRunStore

LOST = "the run was lost: the worker running it stopped without ending it"


@dataclass(frozen=True, slots=True)
class Cursor:
    """Where a follower starts: after entry ``entry_id``, or, ``inclusive``, in it after message ``skip_through``."""

    entry_id: str
    skip_through: int | None = None
    inclusive: bool = False


def _error(message: str) -> WireItem:
    return WireEvent("error", {"message": message, "action": None, "actionType": None})


class RemoteRun:
    """A run owned by another worker, as one response follows it."""

    done = False

    def __init__(self, store: RedisRunStore, run_id: str, endpoint: str) -> None:
        self.store = store
        self.run_id = run_id
        self.endpoint = endpoint
        self.keys = RunKeys(run_id)
        self._stopped: str | None = None
        self._followed_at = 0.0

    async def cursor_after(self, seq: int) -> Cursor:
        try:
            return await self._cursor_after(seq)
        except (RedisError, OSError) as error:
            raise self.store.unavailable(error) from None

    async def _cursor_after(self, seq: int) -> Cursor:
        redis, keys = self.store.redis, self.keys
        await self._mark_followed()
        if seq == 0:
            first: Any = await redis.xrange(keys.items, count=1)
            if first and first[0][1]["f"] not in ("0-1", "1-0"):  # the run's first items were trimmed away
                raise RunGoneError(f"the first messages of run {self.run_id} are no longer kept")
            return Cursor("0-0")
        pipe = redis.pipeline(transaction=False)
        pipe.xrange(keys.items, f"{seq}-0", "+", count=1)
        pipe.xrevrange(keys.items, count=1)
        holding, newest = await pipe.execute()
        if holding and id_order(holding[0][1]["f"]) <= (seq, 0):
            return Cursor(holding[0][0], skip_through=seq, inclusive=True)
        newest_seq = id_order(newest[0][0])[0] if newest else 0
        if seq > newest_seq:
            raise ValueError(f"Last-Event-ID {seq} is beyond the newest message of run {self.run_id} ({newest_seq})")
        raise RunGoneError(f"message {seq} of run {self.run_id} is no longer kept")

    def attach(self) -> None:
        return None

    def cancel(self, reason: str = "the run was cancelled") -> None:
        self._stopped = reason

    async def _mark_followed(self) -> None:
        self._followed_at = time.monotonic()
        await self.store.redis.set(self.keys.followed, "1", px=self.store.followed_ms)

    async def follow(self, after: Cursor | None = None, heartbeat_s: float | None = None) -> AsyncIterator[list[WireItem]]:
        cursor = after or Cursor("0-0")
        position = cursor.entry_id
        skip_through = cursor.skip_through
        expected = (skip_through or 0) + 1
        quiet_since = time.monotonic()
        store, keys = self.store, self.keys
        inclusive = cursor.inclusive
        while True:
            if self._stopped is not None:
                yield [_error(self._stopped)]
                return
            try:
                if time.monotonic() - self._followed_at >= store.tick_s:
                    await self._mark_followed()
                if inclusive:  # the entry that holds the message resumed after
                    inclusive = False
                    entries: Any = await store.redis.xrange(keys.items, position, position)
                else:
                    found: Any = await store.reads.xread({keys.items: position}, count=BATCH_LIMIT, block=store.block_ms)
                    if not found and not await store.redis.exists(keys.lease):
                        found = await store.redis.xread({keys.items: position}, count=BATCH_LIMIT)  # it may have just ended
                        if not found:
                            yield [_error(LOST)]
                            return
                    entries = found[0][1] if found else []
            except (RedisError, OSError) as error:
                yield [_error(f"lost the run store ({store.safe_url}) while following the run: {error}")]
                return
            if not entries:
                if heartbeat_s is not None and time.monotonic() - quiet_since >= heartbeat_s:
                    quiet_since = time.monotonic()
                    yield [HEARTBEAT]
                continue
            batch: list[WireItem] = []
            for entry_id, fields in entries:
                position = entry_id
                items = decode_items(fields["i"])
                if skip_through is not None:
                    at = next(index for index, item in enumerate(items) if item is not None and item.seq == skip_through)
                    items = items[at + 1 :]
                    skip_through = None
                for item in items:
                    if item is None:
                        if batch:
                            yield batch
                        return
                    if item.seq is not None:
                        if item.seq != expected:
                            batch.append(_error(f"this client fell behind run {self.run_id}: message {expected} is no longer kept"))
                            yield batch
                            return
                        expected += 1
                    batch.append(item)
            quiet_since = time.monotonic()
            if batch:
                yield batch
