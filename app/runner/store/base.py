"""The one interface every run store has, and what a server follows.

A run's producer always lives in the process that started it (its owner),
as a :class:`~app.runner.runs.RunChannel` in ``store.registry``. What differs
is what another process sees: nothing (memory), or the run's items, owner,
status and endpoint (Redis), so it can replay, follow and stop the run.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any, Protocol

from app.runner.runs import RunChannel, RunRegistry, WireItem


class StoreUnavailableError(ConnectionError):
    """The shared store cannot be reached; the message says which and why (a 503 for a request, exit 1 at start)."""


class FollowedRun(Protocol):
    """A run a response can follow: the owner's own channel, or a view of a run another worker owns."""

    run_id: str
    endpoint: str

    @property
    def done(self) -> bool: ...

    async def cursor_after(self, seq: int) -> Any:
        """Where to follow from after message ``seq`` (0: from the start); ``ValueError`` if never sent, ``RunGoneError`` if no longer kept."""
        ...

    def attach(self) -> None: ...

    def follow(self, after: Any = 0, heartbeat_s: float | None = None) -> AsyncIterator[list[WireItem]]:
        """Batches of items after ``after``, live until the run ends; detaches when it stops."""
        ...

    def cancel(self, reason: str = "the run was cancelled") -> None:
        """End what this process does for the run: its producer (owner), or this follower (elsewhere)."""
        ...


class RunStore(Protocol):
    registry: RunRegistry
    """The runs this process owns."""

    shared: bool
    """Whether other processes see these runs (several workers need that)."""

    async def open(self) -> None:
        """Connect; ``StoreUnavailableError`` when the store cannot be reached."""
        ...

    async def close(self) -> None: ...

    async def create(self, run_id: str, endpoint: str, linger_s: float) -> RunChannel:
        """A new run owned by this process (``StoreUnavailableError`` when it cannot be registered)."""
        ...

    async def find(self, run_id: str) -> FollowedRun | None:
        """The run ``run_id`` wherever it runs, or None when no store keeps it."""
        ...

    async def stop(self, run_id: str) -> bool | None:
        """Stop a run at once, wherever it runs: True if it was running, False if already over, None if unknown."""
        ...
