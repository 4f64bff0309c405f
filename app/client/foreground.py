"""The UI's claim on its event loop: when its next frame is due and when one ran (see ``app.client.loop_turns``).

Kept apart from the reader (and from asyncio) so the editor's frame clock can
report here without loading the async stack at start-up.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable

__all__ = ["FOREGROUND", "FOREGROUND_LEAD_S", "Foreground"]

FOREGROUND_LEAD_S = 0.001
"""Foreground work due this soon counts as due now: Qt fires a coarse timer up to 5% (~1 ms of a frame) early."""


class Foreground:
    """Work the loop's owner needs done on time (the preview's frames); background readers keep out of its pass.

    The owner calls :meth:`due` with when it will next run, :meth:`ran` each time
    it ran, and :meth:`idle` when it stops. With nobody calling them (a headless
    run) a reader is never in the way.
    """

    def __init__(self, clock: Callable[[], float] = time.perf_counter) -> None:
        self.clock = clock
        self.next_due = math.inf
        self.last_ran = -math.inf

    def due(self, at: float) -> None:
        self.next_due = at

    def ran(self) -> None:
        self.last_ran = self.clock()

    def idle(self) -> None:
        self.next_due = math.inf

    def ran_since(self, since: float) -> bool:
        """Whether it ran after ``since``: then the pass starting now carries the repaint it caused."""
        return self.last_ran > since

    def is_due(self) -> bool:
        """Whether it is due now (and so will run in this pass)."""
        return self.clock() >= self.next_due - FOREGROUND_LEAD_S


FOREGROUND = Foreground()
"""The editor's UI loop: its preview frames report here (one UI loop per process)."""
