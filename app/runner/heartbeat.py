"""When a follower of a run owes its client a heartbeat: ``interval_s`` after it last sent anything.

Waiting with ``asyncio.wait(..., timeout=heartbeat_s)`` scheduled a timer and
cancelled it again for every message a follower waited for. Here one timer per
follower fires when a heartbeat may be due; if the follower sent something since,
it re-arms itself for the new due time, so a busy stream costs a float store per
batch and one timer per interval, not one per message.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable


class HeartbeatClock:
    """``sent()`` after each write, ``owed()`` before waiting, ``arm()`` just before waiting; ``close()`` at the end.

    ``wake`` is called when a heartbeat falls due while the follower may be waiting.
    """

    __slots__ = ("_loop", "_interval", "_wake", "_due", "_timer")

    def __init__(self, interval_s: float, wake: Callable[[], None]) -> None:
        self._loop = asyncio.get_running_loop()
        self._interval = interval_s
        self._wake = wake
        self._due = self._loop.time() + interval_s
        self._timer: asyncio.TimerHandle | None = None

    def sent(self) -> None:
        self._due = self._loop.time() + self._interval

    def owed(self) -> bool:
        return self._loop.time() >= self._due

    def arm(self) -> None:
        if self._timer is None:
            self._timer = self._loop.call_at(self._due, self._fire)

    def close(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None

    def _fire(self) -> None:
        self._timer = None
        if self._loop.time() < self._due:
            self._timer = self._loop.call_at(self._due, self._fire)  # something was sent since: not due yet
        else:
            self._wake()
