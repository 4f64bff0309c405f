"""The preview's frame timer: ~60 times a second, what changed -> the bindings that read it -> the widgets.

The stream path never touches a widget: the stream task writes a
``StreamState`` and, at most, wakes this driver (``start``). Each frame asks
the :class:`BindingSource` what changed since the last one, re-evaluates only
the bindings that read it (``LiveBindings``) and applies the values that
differ to the ``PageView`` in one go. The timer runs only while something is
under way: once the source says it is idle and that last frame has been
applied, it stops, so an idle editor does not tick. What ticks is a
:class:`FrameClock`: a 16 ms ``QTimer`` (:class:`TimerFrames`) unless one is
given; tests give ``ManualFrames`` and step each frame themselves.

A renderer may hold a costly update back for a later frame (the chunk list
takes a flood of rows in ~10 times a second, not 60): the page says so
(``PageView.pending``), each frame lets it catch up, and the timer keeps
ticking until nothing is held back, so the page is complete when it stops.
While the stream runs, a batch that is due goes in on a tick of its own, with
nothing else evaluated or applied: its repaint (a screenful of new cells) and
a frame's repaint never add up in one turn of the loop; the other widgets
move on at the next tick. ``clock`` is what renderers time such holds by (a
test steps its own).

While it ticks, Python's *full* garbage collections are deferred (young ones
still run): a full pass walks every object the process holds, and with a
stream's messages retained it took 100-480 ms in ``bench_preview.py`` - a
frozen page mid-stream. Messages are plain JSON, freed by reference counting;
the full pass runs as usual once the preview is idle again.
"""

from __future__ import annotations

import gc
import time
from collections.abc import Callable

from PySide6.QtCore import QObject, QTimer, Signal

from app.client.foreground import FOREGROUND, Foreground
from app.core.project import Page
from app.core.widgets.registry import WidgetRegistry
from app.editor.preview.frames import Frame, FrameClock
from app.editor.preview.live_bindings import ALL, BindingSource, BindingUpdate, LiveBindings
from app.ui.page_view import PageView

__all__ = ["FRAME_MS", "PreviewDriver", "TimerFrames", "defer_full_gc", "resume_full_gc"]

FRAME_MS = 16
_NEVER: int = 2**30
_deferrals = 0
_saved_threshold: tuple[int, int, int] | None = None


def defer_full_gc() -> None:
    """Stop automatic full (generation 2) collections until every caller has called :func:`resume_full_gc`."""
    global _deferrals, _saved_threshold
    _deferrals += 1
    if _deferrals == 1:
        _saved_threshold = gc.get_threshold()
        young, middle, _ = _saved_threshold
        gc.set_threshold(young, middle, _NEVER)


def resume_full_gc() -> None:
    global _deferrals, _saved_threshold
    if _deferrals == 0:
        return
    _deferrals -= 1
    if _deferrals == 0 and _saved_threshold is not None:
        gc.set_threshold(*_saved_threshold)
        _saved_threshold = None


class TimerFrames(QObject):
    """The editor's frame clock: a ``QTimer`` every ``FRAME_MS`` (about 60 Hz).

    It tells ``foreground`` (``app.client.loop_turns``) when the next frame is
    due and when one ran, so a stream reader keeps its share of the loop out of
    the frame's pass and out of the repaint right after it.
    """

    def __init__(self, parent: QObject | None = None, interval_ms: int = FRAME_MS, foreground: Foreground = FOREGROUND) -> None:
        super().__init__(parent)
        self._frame: Frame | None = None
        self._interval_s = interval_ms / 1000
        self._foreground = foreground
        self._timer = QTimer(self)
        self._timer.setInterval(interval_ms)
        self._timer.timeout.connect(self._tick)

    def start(self, frame: Frame) -> None:
        self._frame = frame
        if not self._timer.isActive():
            self._timer.start()
            self._foreground.due(self._foreground.clock() + self._interval_s)

    def stop(self) -> None:
        if self._timer.isActive():
            self._timer.stop()
            self._foreground.idle()

    @property
    def active(self) -> bool:
        return self._timer.isActive()

    def _tick(self) -> None:
        foreground = self._foreground
        started = foreground.clock()
        if self._frame is not None:
            self._frame()
        foreground.ran()
        if self._timer.isActive():  # the timer keeps its own beat, from when it fired
            foreground.due(started + self._interval_s)


class PreviewDriver(QObject):
    """Drive ``view`` from ``source``; see the module docstring.

    ``set_page`` builds the page's bindings and widgets and applies a first
    frame; ``set_source`` switches what the bindings read (a ``PageSession``
    when the preview runs, a ``StaticSource`` in the designer). Wire the
    source's change notification to ``start`` (e.g. ``session.on_change``).
    ``frames`` paces the frames (a 60 Hz :class:`TimerFrames` by default).
    """

    frameApplied = Signal(int)
    """(number of updates) after a frame that had something to evaluate."""

    def __init__(
        self,
        view: PageView,
        source: BindingSource | None = None,
        *,
        widget_registry: WidgetRegistry | None = None,
        frames: FrameClock | None = None,
        clock: Callable[[], float] | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.view = view
        if clock is not None:
            view.set_clock(clock)
        self._source = source
        self._registry = widget_registry
        self._bindings: LiveBindings | None = None
        self._reset = True
        self._shown_errors: list[str] = []
        self._source_error_count = -1
        self.frames = 0
        """Frames that evaluated something (for benchmarks)."""
        self.last_frame_s = 0.0
        """How long the last such frame took, evaluation and widget updates together."""
        self._frames: FrameClock = frames if frames is not None else TimerFrames(self)
        self._deferring = [False]
        """Whether the timer ticks (and so holds back full collections); in a list for the slot below."""
        deferring = self._deferring  # not self: the slot must outlive the wrapper
        self.destroyed.connect(lambda *_: resume_full_gc() if deferring[0] else None)

    # -- wiring -----------------------------------------------------------------------
    @property
    def bindings(self) -> LiveBindings | None:
        return self._bindings

    @property
    def source(self) -> BindingSource | None:
        return self._source

    def set_page(self, page: Page | None) -> None:
        """Build ``page``'s bindings and widgets, then apply a full first frame."""
        self._bindings = LiveBindings(page, self._registry) if page is not None else None
        self.view.set_page(page)
        self.view.show_errors([])
        self._reset = True
        self._shown_errors = []
        self._source_error_count = -1
        self.flush()

    def set_source(self, source: BindingSource | None) -> None:
        """Read ``source`` from now on; every binding is evaluated again on the next frame."""
        self._source = source
        self._reset = True
        self.flush()
        self.start()

    @property
    def frame_clock(self) -> FrameClock:
        return self._frames

    def set_frame_clock(self, frames: FrameClock) -> None:
        """Pace frames with ``frames`` from now on (a running driver moves over to it)."""
        running = self._deferring[0]
        self.stop()
        self._frames = frames
        if running:
            self.start()

    # -- the clock ----------------------------------------------------------------------
    def start(self) -> None:
        """Tick until the source is idle (cheap: called on every change of the stream)."""
        if self._deferring[0] or self._source is None:
            return
        self._frames.start(self._on_frame)
        self._deferring[0] = True
        defer_full_gc()

    wake = start

    def stop(self) -> None:
        self._frames.stop()
        if self._deferring[0]:
            self._deferring[0] = False
            resume_full_gc()

    @property
    def active(self) -> bool:
        return self._frames.active

    def _on_frame(self) -> None:
        view = self.view
        running = self._source is not None and self._source.running
        if view.catch_up_due and running:
            view.catch_up()  # a held-back batch goes in on a tick of its own: its repaint is not added to a frame's
            return
        self.flush(catch_up=not running)
        if not running and not view.pending:
            self.stop()

    def flush(self, *, catch_up: bool = True) -> list[BindingUpdate]:
        """One frame now: evaluate what changed and apply it, and (``catch_up``) show what renderers held back
        if its time has come; the updates applied."""
        source, bindings = self._source, self._bindings
        if source is None or bindings is None:
            return []
        started = time.perf_counter()
        changed = source.changes()
        if self._reset:
            self._reset, changed = False, ALL
        updates: list[BindingUpdate] = []
        if changed:
            updates = bindings.evaluate(source.scope(), changed)
            if updates:
                self.view.apply(updates)
        if catch_up:
            self.view.catch_up()
        if self.view.pending:
            self.start()  # a later frame shows what is held back, even when this one was not the timer's
        self._show_errors(bool(changed))
        if changed:
            self.frames += 1
            self.last_frame_s = time.perf_counter() - started
            self.frameApplied.emit(len(updates))
        return updates

    def _show_errors(self, evaluated: bool) -> None:
        assert self._source is not None and self._bindings is not None
        source_errors = self._source.errors
        if not evaluated and len(source_errors) == self._source_error_count:
            return
        self._source_error_count = len(source_errors)
        messages = [str(error) for error in self._bindings.errors()] + [str(error) for error in source_errors]
        if messages != self._shown_errors:
            self._shown_errors = messages
            self.view.show_errors(messages)
