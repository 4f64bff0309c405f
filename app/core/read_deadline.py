"""A deadline on each read of a stream, with one timer per stream instead of one per read.

``asyncio.timeout_at`` around every read schedules a timer and cancels it again:
for a relayed model that is thousands of timers a second, about a tenth of
``serve``'s CPU per token. Here a read only stores its deadline; the one timer
fires at the deadline it was armed for and, when reads have moved the deadline
on since, re-arms itself once for the new one. A read still waiting at its
deadline is cancelled exactly as ``asyncio.timeout_at`` would cancel it, and
``expired()`` tells that cancellation apart from the task's own.
"""

from __future__ import annotations

import asyncio


class ReadDeadline:
    """``start(deadline)`` before a read, ``stop()`` after it; ``close()`` when the stream ends."""

    __slots__ = ("_loop", "_deadline", "_task", "_cancelling", "_timer", "_timer_at", "_expired")

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self._loop = loop
        self._deadline = 0.0
        self._task: asyncio.Task[object] | None = None
        """The task waiting in a read now (None between reads)."""
        self._cancelling = 0
        self._timer: asyncio.TimerHandle | None = None
        self._timer_at = 0.0
        self._expired = False

    def start(self, deadline: float) -> None:
        """A read begins that may wait until ``deadline`` (on the loop's clock)."""
        task = asyncio.current_task(self._loop)
        if task is None:
            raise RuntimeError("ReadDeadline.start() outside a task")
        self._task = task
        self._cancelling = task.cancelling()
        self._deadline = deadline
        self._expired = False
        if self._timer is None or self._timer_at > deadline:
            self._arm(deadline)

    def stop(self) -> None:
        """The read is over (data, end or error): nothing to cancel until the next one."""
        self._task = None

    def expired(self) -> bool:
        """After a read raised ``CancelledError``: True when the deadline did it and nothing else is cancelling the task."""
        if not self._expired:
            return False
        self._expired = False
        task = asyncio.current_task(self._loop)
        return task is not None and task.uncancel() <= self._cancelling

    def close(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        self._task = None

    def _arm(self, when: float) -> None:
        if self._timer is not None:
            self._timer.cancel()
        self._timer = self._loop.call_at(when, self._fire)
        self._timer_at = when

    def _fire(self) -> None:
        self._timer = None
        task = self._task
        if task is None:
            return  # between reads: the next read arms it again
        if self._loop.time() < self._deadline:
            self._arm(self._deadline)  # reads moved the deadline on since this timer was set
            return
        self._expired = True
        task.cancel()
