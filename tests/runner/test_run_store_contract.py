"""The run store contract: the same cases against the memory store and the Redis store (a real redis-server).

Each case has an owner store (where the run is produced) and a reader store:
the same store in memory, and a second store on the same Redis for Redis (a
second worker), so "resume anywhere" is what is tested there.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import pytest

from app.core.events import LogEvent, MessageEvent, ResultEvent, RunEvent
from app.runner.runs import RunGoneError, WireItem
from app.runner.store import RunStore, open_store

GUARD_S = 30


class Feed:
    """A run's events, sent by the test one at a time: the run moves only when the test says so."""

    def __init__(self) -> None:
        self.queue: asyncio.Queue[RunEvent | None] = asyncio.Queue()
        self.closed = asyncio.Event()

    def message(self, seq: int, **data: Any) -> None:
        self.queue.put_nowait(MessageEvent(seq, {"n": seq, **data}, "send", 0.0))

    def log(self, text: str) -> None:
        self.queue.put_nowait(LogEvent(text, "info", "log", 0.0))

    def end(self) -> None:
        self.queue.put_nowait(ResultEvent(200, {"ok": True}, True, True, 0, 0.0))
        self.queue.put_nowait(None)

    async def events(self) -> AsyncIterator[RunEvent]:
        try:
            while (event := await self.queue.get()) is not None:
                yield event
        finally:
            self.closed.set()


@pytest.fixture(params=["memory", "redis"])
async def stores(request: pytest.FixtureRequest) -> AsyncIterator[tuple[RunStore, RunStore]]:
    if request.param == "memory":
        store = open_store("memory", capacity=100, keep_s=60, lease_s=4)
        await store.open()
        yield store, store
        await store.close()
        return
    server = request.getfixturevalue("redis_server")
    owner = open_store(server.url, capacity=100, keep_s=60, lease_s=4)
    reader = open_store(server.url, capacity=100, keep_s=60, lease_s=4)
    await owner.open()
    await reader.open()
    yield owner, reader
    await reader.close()
    await owner.close()


async def _collect(batches: AsyncIterator[list[WireItem]], until: int | None = None) -> list[WireItem]:
    """Items (without heartbeats) to the run's end, or until ``until`` messages came."""
    items: list[WireItem] = []
    async with asyncio.timeout(GUARD_S):
        async for batch in batches:
            items += [item for item in batch if item.kind != "heartbeat"]
            if until is not None and sum(item.kind == "message" for item in items) >= until:
                break
    return items


async def _started(store: RunStore, run_id: str, feed: Feed, linger_s: float = 30.0) -> Any:
    channel = await store.create(run_id, "ep", linger_s)
    channel.attach()
    channel.start(feed.events(), trace=False)
    return channel


async def _seen_by(reader: RunStore, run_id: str, newest: int) -> None:
    """Wait until the reader's view has message ``newest`` (a shared store gets it a moment after the owner)."""
    async with asyncio.timeout(GUARD_S):
        while True:
            run = await reader.find(run_id)
            if run is not None:
                try:
                    await run.cursor_after(newest)
                    return
                except ValueError:
                    pass
            await asyncio.sleep(0.005)  # polling with a deadline


async def test_a_reader_replays_then_follows_live_in_order(stores) -> None:
    owner, reader = stores
    feed = Feed()
    await _started(owner, "contract-run-1", feed)
    for seq in (1, 2, 3):
        feed.message(seq)
    await _seen_by(reader, "contract-run-1", 3)
    run = await reader.find("contract-run-1")
    assert run is not None and run.endpoint == "ep"
    after = await run.cursor_after(1)
    run.attach()
    followed = run.follow(after, heartbeat_s=None)
    first = await _collect(followed, until=2)
    assert [item.seq for item in first] == [2, 3]
    feed.log("not a message")
    feed.message(4, text="live")
    feed.end()
    rest = await _collect(followed)
    assert [(item.kind, item.seq) for item in rest] == [("message", 4), ("result", None)]
    assert rest[0].data == {"n": 4, "text": "live"}


async def test_from_the_start_a_reader_gets_everything(stores) -> None:
    owner, reader = stores
    feed = Feed()
    await _started(owner, "contract-run-2", feed)
    for seq in range(1, 6):
        feed.message(seq)
    feed.end()
    await _seen_by(reader, "contract-run-2", 5)
    run = await reader.find("contract-run-2")
    assert run is not None
    items = await _collect(run.follow(await run.cursor_after(0), heartbeat_s=None))
    assert [item.seq for item in items] == [1, 2, 3, 4, 5, None]


async def test_a_message_never_sent_is_a_value_error_and_an_unknown_run_is_none(stores) -> None:
    owner, reader = stores
    feed = Feed()
    await _started(owner, "contract-run-3", feed)
    feed.message(1)
    await _seen_by(reader, "contract-run-3", 1)
    run = await reader.find("contract-run-3")
    assert run is not None
    with pytest.raises(ValueError, match="beyond the newest message"):
        await run.cursor_after(7)
    assert await reader.find("never-ran-run") is None
    assert await reader.stop("never-ran-run") is None
    feed.end()


async def test_messages_no_longer_kept_are_gone(stores) -> None:
    owner, reader = stores
    feed = Feed()
    channel = await _started(owner, "contract-run-4", feed)
    total = 1000  # far beyond twice the capacity of 100
    for seq in range(1, total + 1):
        feed.message(seq)
    feed.end()
    live = await _collect(channel.follow(0, heartbeat_s=None))  # the first client reads it all (the producer waits for it)
    assert [item.seq for item in live] == [*range(1, total + 1), None]
    await _seen_by(reader, "contract-run-4", total)
    run = await reader.find("contract-run-4")
    assert run is not None
    with pytest.raises(RunGoneError):
        await run.cursor_after(1)
    assert [item.seq for item in await _collect(run.follow(await run.cursor_after(total - 1), heartbeat_s=None))] == [total, None]


async def test_a_stop_from_the_reader_cancels_the_run_at_once(stores) -> None:
    owner, reader = stores
    feed = Feed()
    channel = await _started(owner, "contract-run-5", feed)
    feed.message(1)
    await _seen_by(reader, "contract-run-5", 1)
    assert await reader.stop("contract-run-5") is True
    async with asyncio.timeout(GUARD_S):
        await feed.closed.wait()  # the producer was cancelled, its events closed
    assert channel.task.cancelled()
    assert channel.last_item().data["message"] == "the run was cancelled"
    run = await reader.find("contract-run-5")
    assert run is not None
    items = await _collect(run.follow(await run.cursor_after(1), heartbeat_s=None))
    assert [(item.kind, item.data["message"]) for item in items] == [("error", "the run was cancelled")]


async def test_a_message_the_owners_client_got_can_be_resumed_from_at_once_elsewhere(stores) -> None:
    owner, reader = stores
    feed = Feed()
    channel = await _started(owner, "contract-run-6", feed)
    followed = channel.follow(0, heartbeat_s=None)
    for seq in range(1, 21):
        feed.message(seq)
        [item] = await _collect(followed, until=1)
        assert item.seq == seq
        run = await reader.find("contract-run-6")
        assert run is not None
        await run.cursor_after(seq)  # no "beyond the newest message": the store had it before the client did
    feed.end()
