"""Where runs are kept: in this process's memory (the default) or in Redis, shared by several workers.

``open_store(url)`` picks the implementation from ``serve --store``:
``memory`` or ``redis://HOST:PORT/DB`` (``rediss://`` and ``unix://`` too).
Both keep a run's producer in the process that started it; the store says
where a run's items and state live, so another process can follow or stop it.
"""

from __future__ import annotations

from app.runner.store.base import FollowedRun, RunStore, StoreUnavailableError
from app.runner.store.memory import MemoryRunStore

__all__ = ["FollowedRun", "MemoryRunStore", "RunStore", "StoreUnavailableError", "is_shared_store", "open_store", "store_url_problem"]

MEMORY = "memory"
SHARED_SCHEMES = ("redis://", "rediss://", "unix://")


def is_shared_store(url: str) -> bool:
    return url.startswith(SHARED_SCHEMES)


def store_url_problem(url: str) -> str | None:
    """Why ``url`` names no store (None when it names one)."""
    if url == MEMORY or is_shared_store(url):
        return None
    return f"--store must be 'memory' or a Redis URL such as redis://127.0.0.1:6379/0, not {url!r}"


def open_store(url: str, *, capacity: int, keep_s: float, lease_s: float) -> RunStore:
    """The store ``url`` names (not yet connected: ``await store.open()``)."""
    if is_shared_store(url):
        from app.runner.store.redis_store import RedisRunStore

        return RedisRunStore(url, capacity=capacity, keep_s=keep_s, lease_s=lease_s)
    return MemoryRunStore(capacity=capacity, keep_s=keep_s)
