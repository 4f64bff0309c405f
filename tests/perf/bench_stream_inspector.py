"""Stream inspector figures: 10,000 messages a second shown live, and a million messages held.

Run: ``QT_QPA_PLATFORM=offscreen .venv/bin/python tests/perf/bench_stream_inspector.py``
(``--quick`` for a smoke run, ``--only live|million``, ``--tracemalloc`` to also trace the
million's allocations, about 25 s more). Prints figures and ratios against a baseline measured
in the same run; never fails on time.

1. live: an asyncio task on the qasync loop (Qt's event loop is the asyncio loop, as in the
   editor) adds 10,000 messages a second to a ``StreamState``, each inside a traced *Send
   streaming response* span (action_started, message, action_finished: what the Run panel gets
   with trace on), all inside a Loop span. The inspector follows it, shown at 1400×720. Figures:
   the longest UI stall (the largest gap between ticks of a 1 ms Qt timer) and its p99, each
   frame's own cost (mean, p99, max), the producer's time per message (the state's ``on_change``
   hooks included), the rate achieved, all against the same stream with no inspector. Goals:
   longest stall < 50 ms, frame p99 < 16 ms.
2. million: 1,000,000 messages into a ``StreamLog`` (the inspector's storage): resident memory
   before and after, bytes per message, then the inspector showing the whole log: the time of its
   first sync (one insert of a million rows), a table repaint scrolled to the end, the timeline's and
   the plot's repaints, and a status filter built over the million.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import os
import statistics
import sys
import threading
import time
import tracemalloc
from dataclasses import dataclass
from pathlib import Path
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import qasync  # noqa: E402
from PySide6.QtCore import QEvent, QTimer  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from bench_preview import pad_none_if_leaking  # noqa: E402
from app.client.stream_state import StreamState  # noqa: E402
from app.editor.stream_log import StreamLog  # noqa: E402
from app.ui.stream_inspector import StreamInspector  # noqa: E402

Summary = list[tuple[str, str, str, bool]]


@dataclass(frozen=True)
class Sizes:
    rate: int = 10_000
    seconds: float = 6.0
    million: int = 1_000_000


QUICK = Sizes(seconds=2.0, million=200_000)


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))] if ordered else 0.0


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


# -- 1. live ---------------------------------------------------------------------------------------
class TimedInspector(StreamInspector):
    """Records how long each repaint of the window takes (Qt's UpdateRequest: every widget that changed, painted)."""

    def __init__(self) -> None:
        super().__init__()
        self.repaints: list[float] = []

    def event(self, event: QEvent) -> bool:
        if event.type() != QEvent.Type.UpdateRequest:
            return super().event(event)
        began = time.perf_counter()
        handled = super().event(event)
        self.repaints.append(time.perf_counter() - began)
        return handled


@dataclass
class LiveFigures:
    sent: int
    seconds: float
    per_message_us: float
    max_stall_ms: float
    p99_stall_ms: float
    frames: list[float]
    repaints: list[float]


async def produce(state: StreamState, rate: int, seconds: float) -> tuple[int, float, float]:
    """Messages at ``rate`` a second, each in a traced send span, in batches as the loop lets us; (sent, wall s, busy s)."""
    loop = asyncio.get_running_loop()
    total = int(rate * seconds)
    state.begin("bench")
    started = loop.time()
    state.add_trace({"kind": "action_started", "action_id": "each_row", "action_type": "flow.loop", "t": 0.0})
    sent, busy = 0, 0.0
    while sent < total:
        due = min(total, int((loop.time() - started) * rate))
        batch_started = time.perf_counter()
        while sent < due:
            sent += 1
            t = loop.time() - started
            state.add_trace({"kind": "action_started", "action_id": "send_row", "action_type": "stream.send", "t": t})
            state.add_message({"status": "progress", "label": "Writing row", "done": sent, "total": total}, str(sent))
            state.add_trace({"kind": "action_finished", "action_id": "send_row", "action_type": "stream.send", "t": t, "duration": 0.0, "ok": True})
        busy += time.perf_counter() - batch_started
        await asyncio.sleep(0.001)
    state.add_trace({"kind": "action_finished", "action_id": "each_row", "action_type": "flow.loop", "t": loop.time() - started, "duration": seconds, "ok": True})
    state.add_message({"status": "done", "label": "Finished", "done": total, "total": total}, str(sent + 1))
    state.finish(None, 200)
    return sent + 1, loop.time() - started, busy


async def live(size: Sizes, *, with_inspector: bool) -> LiveFigures:
    state = StreamState()
    inspector: TimedInspector | None = None
    frames: list[float] = []
    if with_inspector:
        inspector = TimedInspector()
        inspector.resize(1400, 720)
        inspector.show()
        inspector.follow(state, "bench", "Run panel")
        inspector._frame.timeout.disconnect()
        on_frame = inspector._on_frame

        def timed_frame() -> None:
            began = time.perf_counter()
            on_frame()
            frames.append(time.perf_counter() - began)

        inspector._frame.timeout.connect(timed_frame)
    ticks: list[float] = []
    ticker = QTimer()
    ticker.setInterval(1)
    ticker.timeout.connect(lambda: ticks.append(time.perf_counter()))
    ticker.start()
    await asyncio.sleep(0.05)
    sent, wall, busy = await produce(state, size.rate, size.seconds)
    if inspector is not None:
        log = inspector.log
        assert log is not None
        while not (log.ended and inspector.model.rowCount() == log.count and not inspector._frame.isActive()):
            await asyncio.sleep(0.01)
        while any(thread.name == "stream health" for thread in threading.enumerate()) or not inspector.health.summary.text():
            await asyncio.sleep(0.01)  # the stalls measured include the health check of the whole stream
        await asyncio.sleep(0.05)
    ticker.stop()
    gaps = [(b - a) * 1000 for a, b in zip(ticks, ticks[1:], strict=False)]
    repaints = list(inspector.repaints) if inspector is not None else []
    if inspector is not None:
        inspector.close()
        inspector.deleteLater()
    return LiveFigures(sent, wall, busy / sent * 1e6, max(gaps, default=0.0), percentile(gaps, 0.99), frames, repaints)


async def live_section(size: Sizes, summary: Summary) -> None:
    print(f"live: {size.rate:,} messages/s for {size.seconds:g} s, each in a traced send span")
    base = await live(size, with_inspector=False)
    shown = await live(size, with_inspector=True)
    for name, figures in (("state alone", base), ("with inspector", shown)):
        print(
            f"  {name:<15} {figures.sent:,} messages in {figures.seconds:.2f} s ({figures.sent / figures.seconds:,.0f}/s); "
            f"producer {figures.per_message_us:.1f} us/message; longest stall {figures.max_stall_ms:.1f} ms, p99 {figures.p99_stall_ms:.1f} ms"
        )
    frames_ms = [f * 1000 for f in shown.frames]
    print(
        f"  frames: {len(frames_ms):,}, mean {statistics.mean(frames_ms):.2f} ms, p99 {percentile(frames_ms, 0.99):.2f} ms, "
        f"max {max(frames_ms):.2f} ms (a frame appends ~{size.rate * 0.016:.0f} rows; every 4th also redraws the timeline and plot)"
    )
    paints_ms = [p * 1000 for p in shown.repaints]
    print(
        f"  repaints: {len(paints_ms):,}, mean {statistics.mean(paints_ms):.2f} ms, p99 {percentile(paints_ms, 0.99):.2f} ms, "
        f"max {max(paints_ms):.2f} ms (the table every frame, the shown tab (the timeline) at ~15 Hz; offscreen raster)"
    )
    print(f"  per-message cost ratio (with inspector / state alone): {shown.per_message_us / base.per_message_us:.2f}x")
    summary.append(("live: longest UI stall", f"{shown.max_stall_ms:.1f} ms", "< 50 ms", shown.max_stall_ms < 50))
    summary.append(("live: frame p99", f"{percentile(frames_ms, 0.99):.2f} ms", "< 16 ms", percentile(frames_ms, 0.99) < 16))
    summary.append(("live: rate kept", f"{shown.sent / shown.seconds:,.0f}/s", f">= {size.rate * 0.95:,.0f}/s", shown.sent / shown.seconds >= size.rate * 0.95))


# -- 2. a million ----------------------------------------------------------------------------------
def fill(log: StreamLog, count: int) -> None:
    append = log.append
    statuses = ("progress", "progress", "progress", "chunk")
    for index in range(count):
        append({"status": statuses[index & 3], "label": "Writing row", "done": index, "total": count}, index * 0.0001, action_id="send_row")


def timed(action: Any) -> float:
    began = time.perf_counter()
    action()
    return (time.perf_counter() - began) * 1000


def million_section(size: Sizes, summary: Summary, *, traced: bool) -> None:
    count = size.million
    print(f"\nmillion: {count:,} messages into a StreamLog, then shown")
    gc.collect()
    before = rss_mb()
    log = StreamLog("bench")
    began = time.perf_counter()
    fill(log, count)
    took = time.perf_counter() - began
    log.status = "done"
    gc.collect()
    after = rss_mb()
    per_message = (after - before) * 1024 * 1024 / count
    print(f"  RSS {before:.0f} MB -> {after:.0f} MB: {per_message:.0f} B/message resident; columns and text {log.nbytes() / count:.0f} B/message")
    print(f"  append: {took / count * 1e6:.2f} us/message ({count / took:,.0f} messages/s on one core)")
    summary.append(("million: resident per message", f"{per_message:.0f} B", "< 200 B", per_message < 200))
    if traced:
        gc.collect()
        tracemalloc.start()
        start = tracemalloc.get_traced_memory()[0]
        sample = StreamLog("bench")
        fill(sample, count)
        per_traced = (tracemalloc.get_traced_memory()[0] - start) / count
        tracemalloc.stop()
        del sample
        print(f"  tracemalloc: {per_traced:.0f} B/message")
    inspector = StreamInspector()
    inspector.resize(1400, 720)
    inspector.show()
    QApplication.processEvents()
    shown = timed(lambda: inspector._show_log(log, "Run panel"))
    print(f"  inspector shows it: {shown:.0f} ms (one insert of {inspector.model.rowCount():,} rows, timeline, plot, header; health on a worker thread)")
    inspector.table.scrollToBottom()
    print(f"  table repaint at the end: {timed(inspector.table.viewport().repaint):.1f} ms")
    timeline_ms = timed(inspector.timeline.repaint)
    inspector.show_part("rate")  # each on its own tab: a hidden one does not paint
    QApplication.processEvents()
    print(f"  timeline repaint: {timeline_ms:.1f} ms; plot repaint: {timed(inspector.plot.repaint):.1f} ms")
    print(f"  filter 'chunk' over {count:,}: {timed(lambda: inspector.set_status_filter('chunk')):.0f} ms ({inspector.model.rowCount():,} rows)")
    print(f"  back to all statuses: {timed(lambda: inspector.set_status_filter(None)):.0f} ms")
    print(f"  RSS with the inspector showing it: {rss_mb():.0f} MB")
    inspector.close()


async def main_async(sections: list[str], size: Sizes, traced: bool) -> Summary:
    summary: Summary = []
    if "live" in sections:
        await live_section(size, summary)
    if "million" in sections:
        million_section(size, summary, traced=traced)
    return summary


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small sizes, for a smoke run")
    parser.add_argument("--only", action="append", choices=["live", "million"], help="run only these sections")
    parser.add_argument("--tracemalloc", action="store_true", help="also trace the million's allocations (slow)")
    args = parser.parse_args()
    size = QUICK if args.quick else Sizes()
    existing = QApplication.instance()
    application = existing if isinstance(existing, QApplication) else QApplication(sys.argv[:1])
    print(pad_none_if_leaking(), end="")
    loop = qasync.QEventLoop(application)
    asyncio.set_event_loop(loop)
    with loop:
        summary = loop.run_until_complete(main_async(args.only or ["live", "million"], size, args.tracemalloc))
    print("\nsummary")
    for figure, value, goal, met in summary:
        print(f"  {figure:<32} {value:>12}  goal {goal:<12} {'ok' if met else 'MISSED'}")
    sys.stdout.flush()
    os._exit(0)  # skip interpreter teardown (see bench_preview's note on this PySide6)


if __name__ == "__main__":
    raise SystemExit(main())
