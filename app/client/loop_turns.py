"""How long the stream reader may hold the event loop before it gives the loop (the editor's UI) a turn.

A connection often delivers thousands of buffered messages at once (a fast
run, or a stream resumed after a pause); parsing them in one go would freeze
the UI for as long as that takes. The reader asks :meth:`TurnBudget.spent`
before each message and, once its share is used up, awaits :meth:`share`.

Under qasync (the editor) ``asyncio.sleep(0)`` is a real turn: the task's next
step becomes a zero-delay Qt timer, and Qt activates only the timers already
due when a pass began, then lets posted events (paints) and sockets in before
its timers again. So the frame timer and a repaint run between two shares.

The budget is measured in time, not messages, so a slow machine hands over
fewer messages per turn rather than holding the loop longer. ``clock`` is
injectable: a test steps it and sees exactly where the reader gives way.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable

__all__ = ["TURN_BUDGET_S", "TurnBudget"]

TURN_BUDGET_S = 0.002
"""The reader's share of one loop turn: with a frame (~1-2 ms) and a repaint in the same gap, well inside 8 ms."""


class TurnBudget:
    """A reader's share of the loop: :meth:`spent` once ``budget_s`` of ``clock`` has passed since the last turn."""

    def __init__(self, budget_s: float = TURN_BUDGET_S, clock: Callable[[], float] = time.perf_counter) -> None:
        if budget_s <= 0:
            raise ValueError("the turn budget must be positive")
        self.budget_s = budget_s
        self.clock = clock
        self.shares = 0
        """Turns given back so far (for tests and benchmarks)."""
        self._until = clock() + budget_s

    def restart(self) -> None:
        """A new turn begins now (after the reader waited for the network, say)."""
        self._until = self.clock() + self.budget_s

    def spent(self) -> bool:
        return self.clock() >= self._until

    async def share(self) -> None:
        """Give the loop a turn, then start a fresh budget."""
        self.shares += 1
        await asyncio.sleep(0)
        self.restart()
