"""What paces the preview's frames: a clock the preview driver starts while something runs and stops when idle.

The editor uses a ~60 Hz Qt timer (``TimerFrames`` in ``app/ui/preview_driver.py``).
``ManualFrames`` runs a frame only when told to, so a test (or a tool that
renders a page frame by frame) decides exactly when the page is updated and
asserts on what a frame shows: the newest value, and only the bindings whose
inputs changed re-evaluated. How many ticks a timer fits into a stream depends
on how busy the machine is; what one frame shows does not.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

__all__ = ["FrameClock", "ManualFrames"]

Frame = Callable[[], None]


class FrameClock(Protocol):
    """Calls ``frame`` repeatedly between ``start`` and ``stop``; ``start`` while active only replaces the callback."""

    def start(self, frame: Frame) -> None: ...

    def stop(self) -> None: ...

    @property
    def active(self) -> bool: ...


class ManualFrames:
    """A frame clock that ticks only on :meth:`step`, as a timer's next tick would: never while stopped."""

    def __init__(self) -> None:
        self._frame: Frame | None = None
        self.steps = 0
        """Frames run by :meth:`step` so far."""

    def start(self, frame: Frame) -> None:
        self._frame = frame

    def stop(self) -> None:
        self._frame = None

    @property
    def active(self) -> bool:
        return self._frame is not None

    def step(self) -> bool:
        """Run one frame now; False (and nothing runs) when the driver has stopped its clock, being idle."""
        frame = self._frame
        if frame is None:
            return False
        self.steps += 1
        frame()
        return True
