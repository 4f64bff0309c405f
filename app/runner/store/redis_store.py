"""The Redis run store: runs shared by several workers (``serve --store redis://HOST:PORT/DB``).

The worker that starts a run owns it: it runs the workflow and its clients
follow the run in memory, as with the memory store, while a
:class:`~app.runner.store.redis_mirror.RunMirror` copies every item into the
run's Redis stream. Any other worker finds the run there: a client resuming
on it follows the stream (:class:`~app.runner.store.redis_follower.RemoteRun`),
and a ``DELETE`` on it asks the owner to stop, at once over pub/sub
(``streamwright:stop:<owner>``) and, in case that message is missed, with a
stop key the owner looks at every second.

If Redis goes away, runs that were using it end with an error event, new
requests that need it get a 503, and everything else still answers; redis-py
reconnects on the next command once Redis is back.
"""

from __future__ import annotations

import asyncio
import re
import uuid
from contextlib import suppress

import redis.asyncio as aioredis
from redis.exceptions import RedisError

from app.runner.runs import RunChannel, RunRegistry
from app.runner.store.base import StoreUnavailableError
from app.runner.store.redis_follower import RemoteRun
from app.runner.store.redis_items import RunKeys, stop_channel
from app.runner.store.redis_mirror import RunMirror, StoreWriter

CONNECT_TIMEOUT_S = 3.0
COMMAND_TIMEOUT_S = 10.0
"""Longer than a blocking read (``block_ms``): a Redis that stops answering fails commands after this."""
COMMAND_CONNECTIONS = 64
"""Connections for short commands (every run's writes, lookups, stops): beyond that, commands wait their turn."""
READ_CONNECTIONS = 1024
"""Connections for followers' blocking reads, each held up to ``block_ms``; kept apart so they never starve the writes."""


def _client(url: str, connections: int) -> aioredis.Redis:
    """A client whose pool waits for a free connection (up to ``COMMAND_TIMEOUT_S``) rather than failing when all are busy."""
    pool = aioredis.BlockingConnectionPool.from_url(
        url, max_connections=connections, timeout=COMMAND_TIMEOUT_S, decode_responses=True, socket_connect_timeout=CONNECT_TIMEOUT_S, socket_timeout=COMMAND_TIMEOUT_S
    )
    return aioredis.Redis.from_pool(pool)


def safe_url(url: str) -> str:
    """``url`` without its password, for messages."""
    return re.sub(r"//([^@/]*)@", "//***@", url)


class RedisRunStore:
    shared = True

    def __init__(self, url: str, *, capacity: int = 10_000, keep_s: float = 60.0, lease_s: float = 4.0) -> None:
        self.url = url
        self.safe_url = safe_url(url)
        self.registry = RunRegistry(capacity=capacity, keep_s=keep_s)
        self.keep_s = keep_s
        self.lease_s = lease_s
        self.lease_ms = max(1, round(lease_s * 1000))
        self.tick_s = min(1.0, lease_s / 3)
        """How often an owner refreshes its lease and looks for a stop; how long a follower blocks in one read."""
        self.block_ms = max(1, round(self.tick_s * 1000))
        self.followed_ms = max(1, round(3 * self.tick_s * 1000))
        self.stream_length = 2 * capacity
        self.worker_id = uuid.uuid4().hex
        self.redis = _client(url, COMMAND_CONNECTIONS)
        self.reads = _client(url, READ_CONNECTIONS)
        """For followers' ``XREAD BLOCK``."""
        self.mirrors: dict[str, RunMirror] = {}
        self.writer = StoreWriter(self)
        self._listener: asyncio.Task[None] | None = None

    def unavailable(self, error: BaseException) -> StoreUnavailableError:
        return StoreUnavailableError(f"the run store is unreachable ({self.safe_url}): {error}")

    async def open(self) -> None:
        try:
            await self.redis.ping()
        except (RedisError, OSError) as error:
            raise StoreUnavailableError(f"cannot reach the run store at {self.safe_url}: {error}") from None
        self._listener = asyncio.create_task(self._listen_for_stops(), name="run store stops")
        self.writer.start()

    async def close(self) -> None:
        if self._listener is not None:
            self._listener.cancel()
            with suppress(asyncio.CancelledError):
                await self._listener
        await self.registry.cancel_all()
        if self.writer.task is not None:
            self.writer.task.cancel()
            with suppress(asyncio.CancelledError):
                await self.writer.task
            await self.writer.flush(timeout_s=2.0)  # the ends of cancelled runs reach Redis
        for client in (self.redis, self.reads):
            with suppress(RedisError, OSError):
                await client.aclose()

    async def create(self, run_id: str, endpoint: str, linger_s: float) -> RunChannel:
        try:
            await self.writer.register(run_id, endpoint)
        except (RedisError, OSError) as error:
            raise self.unavailable(error) from None
        channel = self.registry.create(run_id, endpoint, linger_s)
        self._forget_finished()
        self.mirrors[run_id] = RunMirror(self, channel)
        return channel

    def _forget_finished(self) -> None:
        for run_id in [run_id for run_id, mirror in self.mirrors.items() if mirror.finished]:
            del self.mirrors[run_id]

    async def find(self, run_id: str) -> RunChannel | RemoteRun | None:
        local = self.registry.get(run_id)
        if local is not None:
            return local
        try:
            state: dict[str, str] = await self.redis.hgetall(RunKeys(run_id).run)  # type: ignore[assignment]  # decode_responses
        except (RedisError, OSError) as error:
            raise self.unavailable(error) from None
        if not state:
            return None
        return RemoteRun(self, run_id, state.get("endpoint", ""))

    async def stop(self, run_id: str) -> bool | None:
        local = self.registry.get(run_id)
        if local is not None:
            local.cancel()
            return not local.done
        keys = RunKeys(run_id)
        try:
            state: dict[str, str] = await self.redis.hgetall(keys.run)  # type: ignore[assignment]  # decode_responses
            if not state:
                return None
            if state.get("status") != "running":
                return False
            pipe = self.redis.pipeline(transaction=False)
            pipe.set(keys.stop, "1", px=max(1, round(self.keep_s * 1000)))
            pipe.publish(stop_channel(state.get("owner", "")), run_id)
            pipe.exists(keys.lease)
            _, heard, alive = await pipe.execute()
        except (RedisError, OSError) as error:
            raise self.unavailable(error) from None
        return bool(heard or alive)

    async def _listen_for_stops(self) -> None:
        """Cancel a run of ours when another worker relays a DELETE; resubscribe after Redis comes back."""
        delay = 0.1
        while True:
            pubsub = self.redis.pubsub(ignore_subscribe_messages=True)
            try:
                await pubsub.subscribe(stop_channel(self.worker_id))
                delay = 0.1
                while True:
                    message = await pubsub.get_message(timeout=1.0)
                    if message is not None and message.get("type") == "message":
                        channel = self.registry.get(str(message["data"]))
                        if channel is not None:
                            channel.cancel()
            except (RedisError, OSError):
                await asyncio.sleep(delay)
                delay = min(2 * delay, 2.0)
            finally:
                with suppress(RedisError, OSError):
                    await pubsub.aclose()
