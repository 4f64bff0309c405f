"""How long the stream reader may hold the event loop, and which turns of the loop it leaves to the UI.

A connection often delivers thousands of buffered messages at once (a fast
run, or a stream resumed after a pause); parsing them in one go would freeze
the UI for as long as that takes. The reader asks :meth:`TurnBudget.due`
before each message and, when it says so, awaits :meth:`TurnBudget.share`.

Under qasync (the editor) ``asyncio.sleep(0)`` is a real turn: the task's next
step becomes a zero-delay Qt timer, and Qt activates only the timers already
due when a pass began, then lets posted events (paints) and sockets in before
its timers again.

The budget is measured in time, not messages, so a slow machine hands over
fewer messages per turn rather than holding the loop longer. ``clock`` is
injectable: a test steps it and sees exactly where the reader gives way.

Keeping out of the UI's way (``app.client.foreground``): the preview's frame
is a timer in the same timer pass as the reader's turns, and the repaint it
causes runs at the start of the next pass. A share that lands in the frame's
pass adds itself to the frame and its repaint: the UI's longest gaps were
exactly that sum. So the frame says when it is next due and when it ran, and:

- a share ends before the frame is due rather than run into its pass;
- a reader that resumes from its share after the frame ran stands aside for
  one more pass (the repaint's), and one that resumes when the frame is due
  stands aside once (the frame then runs alone, or it is late or slow and the
  stream goes on); ``MAX_ASIDE_S`` bounds the whole, so a foreground that
  misbehaves cannot starve the stream;
- a read of the body that waited ``AWAY_S`` or more for the network
  (:meth:`TurnBudget.came_back`) was not time the reader held the loop: the
  budget starts afresh, and the reader reads at once unless a frame ran
  meanwhile, so a message that arrives as a frame is due is in that frame.

Times compared with the foreground's are taken on its clock.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable

from app.client.foreground import FOREGROUND_LEAD_S, Foreground

__all__ = ["AWAY_S", "MAX_ASIDE_S", "MIN_SHARE_S", "TURN_BUDGET_S", "TurnBudget"]

TURN_BUDGET_S = 0.002
"""The reader's share of one pass of the loop: alone in its pass, a quarter of the 8 ms the UI may stall."""
AWAY_S = 0.0005
"""A read of the body that took this long waited for the network (a buffered read returns in microseconds)."""
MIN_SHARE_S = 0.0005
"""The shortest share: a share is cut short to end before the next frame, but not below this (a trickle's message
that arrives just as a frame is due is still read in time for it)."""
MAX_ASIDE_S = 0.020
"""The longest a reader stands aside for the foreground in a row: a bit more than one frame."""


class TurnBudget:
    """A reader's share of the loop: :meth:`due` once ``budget_s`` of ``clock`` has passed since its turn began,
    or when it comes back from a wait into a pass that ``foreground`` needs."""

    def __init__(self, budget_s: float = TURN_BUDGET_S, clock: Callable[[], float] = time.perf_counter, foreground: Foreground | None = None) -> None:
        if budget_s <= 0:
            raise ValueError("the turn budget must be positive")
        self.budget_s = budget_s
        self.clock = clock
        self.foreground = foreground
        self.shares = 0
        """Turns given back so far (for tests and benchmarks)."""
        self.asides = 0
        """Passes left to the foreground so far (for tests and benchmarks)."""
        self._until = clock() + budget_s
        self._back_from: float | None = None

    def restart(self) -> None:
        """A new turn begins now; it ends before the foreground's next run if that comes first."""
        share = self.budget_s
        foreground = self.foreground
        if foreground is not None:  # on the foreground's own clock: a test may give each its own
            before_frame = foreground.next_due - FOREGROUND_LEAD_S - foreground.clock()
            if -FOREGROUND_LEAD_S <= before_frame < share:  # due soon or just now (a frame long overdue is late: no cut)
                share = max(before_frame, MIN_SHARE_S)
        self._until = self.clock() + share

    def spent(self) -> bool:
        return self.clock() >= self._until

    def mark(self) -> float:
        """Now, on the foreground's clock (what :meth:`came_back` takes)."""
        return self.foreground.clock() if self.foreground is not None else 0.0

    def came_back(self, since: float) -> None:
        """The reader waited for the network from ``since`` (a :meth:`mark`) until now: not time it held the loop,
        so a fresh budget; and :meth:`due` asks whether the foreground ran meanwhile."""
        self._back_from = since
        self.restart()

    def due(self) -> bool:
        """Before a message: whether to :meth:`share` the loop first. Back from the network, only to leave a
        frame's repaint its pass: a message that arrives as a frame is due is read first, so the frame shows it
        (the share is cut short then, see :meth:`restart`)."""
        back_from = self._back_from
        if back_from is not None:
            self._back_from = None
            foreground = self.foreground
            return foreground is not None and foreground.ran_since(back_from)
        return self.clock() >= self._until

    async def share(self) -> None:
        """Give the loop a turn, and more while the foreground needs them (up to ``MAX_ASIDE_S``); then start a fresh budget."""
        self.shares += 1
        foreground, waited_for_due = self.foreground, False
        started = since = self.mark()
        await asyncio.sleep(0)
        while foreground is not None and foreground.clock() - started < MAX_ASIDE_S:
            if foreground.ran_since(since):  # this pass repaints what the foreground just did
                pass
            elif foreground.is_due() and not waited_for_due:  # once: a late or slow frame must not stop the stream
                waited_for_due = True
            else:
                break
            self.asides += 1
            since = foreground.clock()
            await asyncio.sleep(0)
        self.restart()
