"""A run's messages as compact columns, for the stream inspector: millions of rows in bounded memory.

Every message costs a fixed handful of machine numbers (sequence, arrival time,
timeline time, size in bytes, interned status and action, text offset) plus
its Event Data as compact JSON cut to ``text_limit`` characters, kept in
``array`` columns and one UTF-8 text blob: about 100 bytes a message for
typical Event Data (measured in ``tests/editor/test_stream_log.py``). The log
does **not** keep the whole Event Data of a long message: the ``StreamState``
it follows does (its ``chunks``), and so does a recording (its
``messages``); ``data``, ``to_recording`` and ``health`` take it from there
and only fall back to the log's text.

Action spans come from the runner's traces (``action_started`` /
``action_finished``), kept per action (a :class:`Lane`) as columns of start
and end times, so a timeline finds what covers a pixel with a C-speed
``bisect`` however many spans there are. A message is sent by the action
whose span is open when it arrives: the innermost open *Send streaming
response*, else the innermost open span (the engine yields a message between
its action's started and finished events, see ``app/engine/engine.py``).

``attach`` hooks ``StreamState.on_change``: per message the hook does O(1)
work (one ``json.dumps`` of the small message and a few appends). Nothing
here touches Qt: the inspector's frame timer reads ``version`` and the columns.
"""

from __future__ import annotations

import json
import math
from array import array
from bisect import bisect_right
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from json.encoder import c_make_encoder, encode_basestring
from typing import TYPE_CHECKING, Any

from app.core.project import Project, RecordedMessage, Recording
from app.core.recordings import TIME_DECIMALS, endpoint_version, now_iso
from app.core.registry import default_registry
from app.core.stream_health import HealthReport, HealthSettings, TimedMessage, check_stream

if TYPE_CHECKING:
    from app.client.stream_state import StreamState

__all__ = ["BUCKET_S", "TEXT_LIMIT", "Lane", "LoggedMessage", "Rates", "Span", "StreamLog", "message_text"]

TEXT_LIMIT = 512
"""Characters of a message's Event Data the log keeps (compact JSON); the rest is cut with "…"."""
BUCKET_S = 0.1
"""The finest rate bucket, kept up to date as messages arrive; coarser ones add these up."""
_PER_SECOND = round(1 / BUCKET_S)
_NAN = math.nan
_OPEN = -1


class _MessageSenders:
    """Which action types send stream messages, as their declarations say (cached per type id)."""

    def __init__(self) -> None:
        self._sends: dict[str, bool] = {}
        self._fallback: str | None = None

    def sends(self, type_id: str) -> bool:
        known = self._sends.get(type_id)
        if known is None:
            action_type = default_registry().find(type_id)
            known = self._sends[type_id] = action_type is not None and action_type.sends_messages
        return known

    def fallback_type(self) -> str:
        """The type a message's lane shows until a trace says which action it is: the first declared sender."""
        if self._fallback is None:
            self._fallback = next((t.id for t in default_registry() if t.sends_messages), "")
        return self._fallback


_MESSAGE_SENDER = _MessageSenders()


def _refuse(value: Any) -> Any:
    raise TypeError(f"{type(value).__name__} is not JSON")


if c_make_encoder is not None:
    _chunks = c_make_encoder(None, _refuse, encode_basestring, None, ":", ",", False, False, True)

    def _encode(data: Any) -> str:
        return "".join(_chunks(data, 0))

else:  # pragma: no cover - CPython always has the C encoder
    _encode = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode


def message_text(data: Any) -> str:
    """The Event Data as it goes on the wire: compact JSON (its UTF-8 length is the message's size).

    One C encoder serves every message (``json.dumps`` with options builds a
    new encoder per call, which was most of the per-message cost).
    """
    try:
        return _encode(data)
    except (TypeError, ValueError, RecursionError):
        return json.dumps(repr(data), ensure_ascii=False)


@dataclass(frozen=True, slots=True)
class LoggedMessage:
    """One row of the log, read back."""

    index: int
    seq: int
    t: float
    """Seconds since the call began, when the message arrived."""
    gap: float
    """Seconds since the previous message arrived (0 for the first)."""
    size: int
    """Bytes of its JSON."""
    status: str
    action_id: str | None
    text: str
    """Compact JSON, cut to the log's ``text_limit``."""
    truncated: bool


@dataclass(frozen=True, slots=True)
class Span:
    """One run of an action, in server seconds since the run started; ``end`` is None while it runs."""

    action_id: str
    action_type: str
    start: float
    end: float | None
    ok: bool | None

    @property
    def duration(self) -> float | None:
        return None if self.end is None else self.end - self.start


@dataclass(eq=False)
class Lane:
    """One action on the timeline: its spans as columns (ordered by start) and the times of the messages it sent."""

    action_id: str
    action_type: str
    first: float
    """When it first showed up (seconds): lanes are listed in this order."""
    starts: array[float] = field(default_factory=lambda: array("d"))
    ends: array[float] = field(default_factory=lambda: array("d"))
    """NaN while the span is open."""
    oks: array[int] = field(default_factory=lambda: array("b"))
    """1 ok, 0 failed, -1 open."""
    ticks: array[float] = field(default_factory=lambda: array("d"))
    """Timeline times of the messages it sent, in arrival order."""
    total: float = 0.0
    """Seconds spent in its finished spans."""
    longest: float = 0.0
    failed: int = 0

    @property
    def runs(self) -> int:
        return len(self.starts)

    def span_at(self, t: float, slack: float = 0.0) -> int | None:
        """The span covering time ``t`` (give or take ``slack`` seconds), or None; open spans reach ``inf``."""
        index = bisect_right(self.starts, t + slack) - 1
        if index < 0:
            return None
        end = self.ends[index]
        return index if math.isnan(end) or end >= t - slack else None

    def span(self, index: int) -> Span:
        end, ok = self.ends[index], self.oks[index]
        return Span(self.action_id, self.action_type, self.starts[index], None if math.isnan(end) else end, None if ok == _OPEN else bool(ok))


@dataclass(frozen=True, slots=True)
class Rates:
    """Messages and bytes per bucket of ``bucket_s`` seconds from the call's start."""

    bucket_s: float
    messages: list[int]
    bytes: list[int]


class _Interned:
    """Strings stored once; columns hold their small index (0 is None)."""

    __slots__ = ("values", "index")

    def __init__(self) -> None:
        self.values: list[str | None] = [None]
        self.index: dict[str | None, int] = {None: 0}

    def code(self, value: str | None) -> int:
        found = self.index.get(value)
        if found is None:
            found = self.index[value] = len(self.values)
            self.values.append(value)
        return found


class _Parts:
    """(part id, transient) pairs stored once, with the label the dock shows; code 0 is a plain message."""

    __slots__ = ("keys", "labels", "index")

    def __init__(self) -> None:
        self.keys: list[tuple[str | None, bool]] = [(None, False)]
        self.labels: list[str | None] = [None]
        self.index: dict[tuple[str | None, bool], int] = {(None, False): 0}

    def code(self, part: str, transient: bool) -> int:
        key = (part, transient)
        found = self.index.get(key)
        if found is None:
            found = self.index[key] = len(self.keys)
            self.keys.append(key)
            self.labels.append(f"{part} · transient" if transient else part)
        return found


class StreamLog:
    """The messages and action spans of one call (or one recording), column by column."""

    def __init__(self, endpoint: str = "", *, text_limit: int = TEXT_LIMIT) -> None:
        if text_limit < 16:
            raise ValueError("text_limit must be at least 16 characters")
        self.endpoint = endpoint
        self.text_limit = text_limit
        self.inputs: dict[str, Any] = {}
        self.version = 0
        """Grows with every change the log records: a view redraws when it differs from the one it saw."""
        self.generation = 0
        """Grows when the log starts over (the followed state began a new call): a view resets."""
        self.on_change: list[Callable[[StreamLog], None]] = []
        """Called when the log starts over and when its call ends; never per message (poll ``version``)."""
        self._state: StreamState | None = None
        self._recording: Recording | None = None
        self._clear()

    def _clear(self) -> None:
        self.status = "idle"
        self.result: Any = None
        self.error: str | None = None
        self.started_at: float | None = None
        """The followed state's clock reading (``StreamState.clock``) when its call began (None for a recording)."""
        self.duration: float | None = None
        self.seq: array[int] = array("q")
        self.t: array[float] = array("d")
        self.ticks: array[float] = array("d")
        """Timeline time of each message: the server time of the trace event before it when traced, else ``t``."""
        self.size: array[int] = array("I")
        self.status_codes: array[int] = array("I")
        self.action_codes: array[int] = array("I")
        self.part_codes: array[int] = array("I")
        """The part of each keyed message, interned as (part id, transient); 0 for a plain message."""
        self._parts = _Parts()
        self._offsets: array[int] = array("Q", [0])
        self._blob = bytearray()
        self._statuses = _Interned()
        self._actions = _Interned()
        self.lanes: dict[str, Lane] = {}
        """By action id, in the order each action first showed up."""
        self.span_count = 0
        self._open: list[tuple[Lane, int, str]] = []
        """Open spans, outermost first: (lane, index in the lane, action type)."""
        self._trace_time = _NAN
        self._bucket_messages: array[int] = array("I")
        self._bucket_bytes: array[int] = array("Q")
        self._seen_count = 0
        self._seen_traces = 0
        self._seen_status = "idle"
        self._unstatused = False
        self._latest = 0.0
        self.largest = -1
        """Index of the largest message (-1: none yet)."""
        self.longest_gap = -1
        """Index of the message that came after the longest wait (-1: fewer than two messages)."""
        self._largest_size = -1
        self._longest_gap_s = 0.0
        self._last_t = 0.0

    # -- size ------------------------------------------------------------------
    def __len__(self) -> int:
        return len(self.t)

    @property
    def count(self) -> int:
        return len(self.t)

    @property
    def traced(self) -> bool:
        """Spans came with the messages: the timeline is in the server's time."""
        return self.span_count > 0

    @property
    def ended(self) -> bool:
        return self.status in ("done", "error", "cancelled")

    def end_time(self) -> float:
        """The last moment the log knows of (seconds): the latest message or span edge, or the call's duration."""
        return self._latest if self.duration is None else max(self._latest, self.duration)

    # -- following a live call ---------------------------------------------------
    def attach(self, state: StreamState, endpoint: str | None = None, *, inputs: dict[str, Any] | None = None, history: bool = True) -> None:
        """Record ``state`` from now on; a new call on it (``begin``) starts the log over.

        With ``history`` what the state holds already is taken in at once (all
        of it stamped with the latest arrival time); without, the log waits
        for the state's next call (the Preview reuses a call's state, and its
        last run may hold a million messages nobody asked to see again).
        """
        self.detach()
        if endpoint is not None:
            self.endpoint = endpoint
        self.inputs = dict(inputs or {})
        self._recording = None
        self._state = state
        self._restart(state)
        if not history:
            self._seen_count, self._seen_traces, self._seen_status = state.count, len(state.traces), state.status
        state.on_change.append(self._on_state_change)
        self._on_state_change(state)

    def detach(self) -> None:
        """Stop following; what was logged stays."""
        state, self._state = self._state, None
        if state is not None and self._on_state_change in state.on_change:
            state.on_change.remove(self._on_state_change)

    @property
    def state(self) -> StreamState | None:
        return self._state

    def _restart(self, state: StreamState) -> None:
        had = self.count or self.span_count or self.status != "idle"
        self._clear()
        self.started_at = state.started_at
        if had:
            self.generation += 1
        self.version += 1

    def _on_state_change(self, state: StreamState) -> None:
        """The hot path: one call per message and per trace; O(1) work each."""
        if state.started_at != self.started_at:
            self._restart(state)
            self._notify()
        traces = state.traces
        while self._seen_traces < len(traces):
            self._trace(traces[self._seen_traces])
            self._seen_traces += 1
        if state.count > self._seen_count:
            self._messages_from(state)
        if state.status != self._seen_status:
            self._seen_status = self.status = state.status
            self.version += 1
            if state.finished:
                self._ended(state)

    def _messages_from(self, state: StreamState) -> None:
        """Log what arrived since the last look: one message on the hot path, else the state's history lined up.

        Several at once happen when the log starts following a call under way:
        ``state.chunks`` leaves transient messages out, so only
        ``state.history`` says which message each row is.
        """
        new = state.count - self._seen_count
        now = state.last_message_at if state.last_message_at is not None else state.clock()
        base = self.started_at if self.started_at is not None else now
        seq = int(state.last_seq) if state.last_seq is not None and state.last_seq.isdigit() else state.count
        if new == 1:
            self.append(state.chunk, now - base, seq=seq, part=state.last_part, transient=state.last_transient)
        else:
            for back, (data, part, transient) in zip(range(new - 1, -1, -1), state.history(self._seen_count), strict=True):
                self.append(data, now - base, seq=seq - back, part=part, transient=transient)
        self._seen_count = state.count

    def _ended(self, state: StreamState) -> None:
        self.result = state.result
        self.error = state.error.message if state.error is not None else None
        if state.finished_at is not None and state.started_at is not None:
            self.duration = max(0.0, state.finished_at - state.started_at)
        self._notify()

    def _notify(self) -> None:
        for callback in self.on_change:
            callback(self)

    # -- writing ----------------------------------------------------------------
    def append(
        self,
        data: Any,
        t: float,
        *,
        seq: int | None = None,
        action_id: str | None = None,
        text: str | None = None,
        part: str | None = None,
        transient: bool = False,
    ) -> int:
        """Log one message that arrived ``t`` seconds after the start; its action is the open span's unless given.

        The per-message path: written for few allocations (it runs 10,000 times a second on the UI thread).
        """
        index = len(self.t)
        if text is None:
            text = message_text(data)
        encoded = text.encode()
        size = len(encoded)
        if len(text) > self.text_limit:
            encoded = (text[: self.text_limit - 1] + "…").encode()
        if action_id is None and self._open:
            action_id = self._sender()
        if t < 0.0:
            t = 0.0
        self._note_extremes(index, t, size)
        self.seq.append(index + 1 if seq is None else seq)
        self.t.append(t)
        self.size.append(size)
        self.status_codes.append(self._statuses.code(self._status_of(data)))
        self.action_codes.append(self._actions.code(action_id))
        self.part_codes.append(self._parts.code(part, transient) if part is not None else 0)
        self._blob += encoded
        self._offsets.append(len(self._blob))
        self._add_tick(t, action_id)
        self._count(t, size)
        self.version += 1
        return index

    def _status_of(self, data: Any) -> str | None:
        """The message's status as text; "" and missing are one filter choice (None)."""
        status = data.get("status") if data.__class__ is dict else None
        if status is not None and status.__class__ is not str:
            status = message_text(status)
        if not status:
            self._unstatused = True
            return None
        return status

    def _note_extremes(self, index: int, t: float, size: int) -> None:
        """Keep the longest gap and the largest message up to date (the dock's "jump to" links)."""
        if index:
            gap = t - self._last_t
            if gap > self._longest_gap_s or self.longest_gap < 0:
                self.longest_gap, self._longest_gap_s = index, gap
        self._last_t = t
        if size > self._largest_size:
            self.largest, self._largest_size = index, size

    def _add_tick(self, t: float, action_id: str | None) -> None:
        """Where the message sits on the timeline: the trace's clock while spans are traced, else its arrival."""
        tick = t if not self.span_count or self._trace_time != self._trace_time else self._trace_time  # NaN != NaN
        self.ticks.append(tick)
        if tick > self._latest:
            self._latest = tick
        if action_id is not None:
            lane = self.lanes.get(action_id)
            if lane is None:
                lane = self.lanes[action_id] = Lane(action_id, _MESSAGE_SENDER.fallback_type(), tick)
            lane.ticks.append(tick)

    def _count(self, t: float, size: int) -> None:
        """Add the message to its finest rate bucket (messages and bytes per bucket)."""
        bucket = int(t * _PER_SECOND + 1e-9)
        buckets = self._bucket_messages
        if len(buckets) <= bucket:
            grow = bucket + 1 - len(buckets)
            buckets.extend(array("I", bytes(4 * grow)))
            self._bucket_bytes.extend(array("Q", bytes(8 * grow)))
        buckets[bucket] += 1
        self._bucket_bytes[bucket] += size

    def _sender(self) -> str:
        """The innermost open Send streaming response, else the innermost open span."""
        for lane, _index, action_type in reversed(self._open):
            if _MESSAGE_SENDER.sends(action_type):
                return lane.action_id
        return self._open[-1][0].action_id

    def _trace(self, trace: Any) -> None:
        if not isinstance(trace, dict):
            return
        kind = trace.get("kind")
        if kind not in ("action_started", "action_finished"):
            return  # logs, and anything a newer runner adds
        action_id = str(trace.get("action_id"))
        t = float(trace.get("t") or 0.0)
        if kind == "action_started":
            self.add_span_start(action_id, str(trace.get("action_type") or ""), t)
        else:
            self.add_span_end(action_id, t, bool(trace.get("ok", True)), trace.get("duration"))

    def add_span_start(self, action_id: str, action_type: str, t: float) -> None:
        self._trace_time = t
        lane = self.lanes.get(action_id)
        if lane is None:
            lane = self.lanes[action_id] = Lane(action_id, action_type, t)
        elif not lane.starts:
            lane.action_type = action_type
        lane.starts.append(t)
        lane.ends.append(_NAN)
        lane.oks.append(_OPEN)
        self._open.append((lane, len(lane.starts) - 1, action_type))
        self.span_count += 1
        if t > self._latest:
            self._latest = t
        self.version += 1

    def add_span_end(self, action_id: str, t: float, ok: bool, duration: float | None = None) -> None:
        self._trace_time = t
        for position in range(len(self._open) - 1, -1, -1):
            lane, index, _type = self._open[position]
            if lane.action_id == action_id:
                del self._open[position]
                break
        else:
            return  # a finish without its start (the trace began mid-run): nothing to close
        start = lane.starts[index]
        end = t if duration is None else start + float(duration)
        lane.ends[index] = end
        lane.oks[index] = 1 if ok else 0
        lane.total += end - start
        lane.longest = max(lane.longest, end - start)
        if not ok:
            lane.failed += 1
        if end > self._latest:
            self._latest = end
        self.version += 1

    # -- recordings -------------------------------------------------------------
    @classmethod
    def from_recording(cls, recording: Recording, *, text_limit: int = TEXT_LIMIT) -> StreamLog:
        """A log of a recorded stream (no spans: lanes come from each message's action id)."""
        log = cls(recording.endpoint, text_limit=text_limit)
        log._recording = recording
        log.inputs = dict(recording.inputs)
        for seq, message in enumerate(recording.messages, start=1):
            log.append(message.data, message.t, seq=seq, action_id=message.action_id, part=message.part, transient=message.transient)
        log.status = log._seen_status = recording.status
        log.result = recording.result
        log.error = recording.error
        log.duration = recording.duration
        log.version += 1
        return log

    @property
    def recording(self) -> Recording | None:
        """The recording this log was made from, if any."""
        return self._recording

    def full_data(self) -> Sequence[Any] | None:
        """Every message's whole Event Data, when something still holds it: the followed state, or the recording."""
        recording = self._recording
        if recording is not None and len(recording.messages) == self.count:
            return [message.data for message in recording.messages]
        state = self._state
        if state is not None and state.started_at == self.started_at:
            chunks = state.chunks
            if len(chunks) == self.count:
                return chunks
            if state.transient_count and state.count == self.count:  # chunks leaves transient messages out
                data = [data for data, _part, _transient in state.history()]
                if len(data) - state.transient_count == len(chunks):  # nothing dropped by a retention
                    return data
        return None

    def data(self, index: int) -> Any:
        """A message's Event Data: the whole of it when still held, else parsed from the log's text (None if cut)."""
        recording = self._recording
        if recording is not None and len(recording.messages) == self.count:
            return recording.messages[index].data
        state = self._state
        if state is not None and state.started_at == self.started_at:
            chunks = state.chunks
            if len(chunks) == self.count:
                return chunks[index]
        if self.truncated(index):
            return None
        return json.loads(self.text(index))

    def to_recording(self, name: str, project: Project | None = None) -> Recording:
        """The stream as a ``Recording`` named ``name``, with the whole Event Data of every message.

        The data comes from the followed ``StreamState`` (it keeps every
        message unless it was made with a ``retention``) or from the recording
        the log was made from; failing those, from the log's text, which is
        whole for messages under ``text_limit``. A run whose cut messages
        nothing holds any more cannot be saved (``ValueError``), nor one still
        under way.
        """
        if not self.ended:
            raise ValueError("the run has not ended yet: save it once it is done")
        full = self.full_data()
        messages: list[RecordedMessage] = []
        for index in range(self.count):
            if full is not None:
                data = full[index]
            elif self.truncated(index):
                raise ValueError(f"message {self.seq[index]} was kept only in part ({self.size[index]:,} bytes): run it again to record it")
            else:
                data = json.loads(self.text(index))
            part, transient = self.part_of(index)
            messages.append(RecordedMessage(t=round(self.t[index], TIME_DECIMALS), data=data, action_id=self.action_id(index), part=part, transient=transient))
        version = ""
        if project is not None and any(e.name == self.endpoint for e in project.endpoints):
            version = endpoint_version(project.endpoint(self.endpoint))
        last = self.t[-1] if self.t else 0.0
        duration = max(self.duration if self.duration is not None else last, last)
        return Recording(
            name=name,
            endpoint=self.endpoint,
            inputs=_plain(self.inputs),
            endpoint_version=version,
            recorded_at=now_iso(),
            source=self._recording.source if self._recording is not None else "run",
            messages=messages,
            status=self.status,
            result=_plain(self.result),
            error=self.error,
            duration=round(duration, TIME_DECIMALS),
        )

    # -- reading rows --------------------------------------------------------------
    def time(self, index: int) -> float:
        return self.t[index]

    def gap(self, index: int) -> float:
        return self.t[index] - self.t[index - 1] if index > 0 else 0.0

    def status_of(self, index: int) -> str:
        return self._statuses.values[self.status_codes[index]] or ""

    def status_name(self, code: int) -> str:
        """The status an interned code stands for (``""``: none)."""
        return self._statuses.values[code] or ""

    def status_code(self, status: str) -> int | None:
        """The interned code of a status (``""``: messages without one), as stored in ``status_codes``."""
        return self._statuses.index.get(status or None)

    def statuses(self) -> set[str]:
        """Every status seen (``""`` for messages without one)."""
        return {value for value in self._statuses.values[1:] if value is not None} | ({""} if self._unstatused else set())

    def action_id(self, index: int) -> str | None:
        return self._actions.values[self.action_codes[index]]

    @property
    def has_parts(self) -> bool:
        """Whether any message so far carried a part id (the Stream dock shows its Part column only then)."""
        return len(self._parts.labels) > 1

    def part(self, index: int) -> str | None:
        """The message's part as the dock shows it: its id (with "· transient" when marked); None for a plain message."""
        return self._parts.labels[self.part_codes[index]]

    def part_of(self, index: int) -> tuple[str | None, bool]:
        """The message's part id (None for a plain message) and whether it was transient."""
        return self._parts.keys[self.part_codes[index]]

    def text(self, index: int) -> str:
        return self._blob[self._offsets[index] : self._offsets[index + 1]].decode()

    def truncated(self, index: int) -> bool:
        return self._offsets[index + 1] - self._offsets[index] != self.size[index]

    def tick_time(self, index: int) -> float:
        """Where a message sits on the timeline: the server time of its span when traced, else its arrival."""
        return self.ticks[index]

    def row(self, index: int) -> LoggedMessage:
        return LoggedMessage(
            index, self.seq[index], self.t[index], self.gap(index), self.size[index],
            self.status_of(index), self.action_id(index), self.text(index), self.truncated(index),
        )  # fmt: skip

    def index_of_seq(self, seq: int) -> int | None:
        """The row of the message with sequence number ``seq`` (sequences grow with the rows)."""
        index = bisect_right(self.seq, seq) - 1
        return index if index >= 0 and self.seq[index] == seq else None

    def bytes_total(self) -> int:
        return sum(self._bucket_bytes)

    # -- spans ----------------------------------------------------------------------
    def spans(self) -> list[Span]:
        """Every span, by start time."""
        spans = [lane.span(i) for lane in self.lanes.values() for i in range(lane.runs)]
        spans.sort(key=lambda span: span.start)
        return spans

    # -- rates -----------------------------------------------------------------------
    def rates(self, bucket_s: float = 1.0) -> Rates:
        """Messages and bytes per bucket of arrival time; multiples of ``BUCKET_S`` add up the live buckets."""
        if bucket_s <= 0:
            raise ValueError("bucket_s must be positive")
        fine_messages, fine_bytes = self._bucket_messages, self._bucket_bytes
        per = round(bucket_s / BUCKET_S)
        if per >= 1 and abs(per * BUCKET_S - bucket_s) < 1e-9:
            if per == 1:
                return Rates(bucket_s, list(fine_messages), list(fine_bytes))
            count = (len(fine_messages) + per - 1) // per
            return Rates(
                bucket_s,
                [sum(fine_messages[i * per : (i + 1) * per]) for i in range(count)],
                [sum(fine_bytes[i * per : (i + 1) * per]) for i in range(count)],
            )
        count = int(self.t[-1] / bucket_s + 1e-9) + 1 if self.t else 0
        messages, sizes = [0] * count, [0] * count
        for t, size in zip(self.t, self.size, strict=True):
            bucket = int(t / bucket_s + 1e-9)
            messages[bucket] += 1
            sizes[bucket] += size
        return Rates(bucket_s, messages, sizes)

    # -- health --------------------------------------------------------------------
    def health(self, settings: HealthSettings | None = None) -> HealthReport:
        """``check_stream`` over the log: arrival times, sizes, and the Event Data.

        Checks read the whole Event Data when something still holds it (see
        ``data``); for a message kept only in part and held nowhere, just its
        status. A stream still under way is checked as one that has not ended.
        """
        full = self.full_data()
        messages = []
        for index in range(self.count):
            if full is not None:
                data = full[index]
            elif self.truncated(index):
                status = self.status_of(index)
                data = {"status": status} if status else {}
            else:
                data = json.loads(self.text(index))
            t = self.t[index]
            messages.append(TimedMessage(t, data, self.size[index], self.action_id(index), received_t=t))
        ended = self.status if self.ended else None
        return check_stream(
            messages,
            ended=ended,
            settings=settings or HealthSettings(),
            duration=self.duration if self.ended else None,
            returned=self.status == "done" and self.result is not None,
            under_way=not self.ended,
            error=self.error,
        )

    # -- memory ----------------------------------------------------------------------
    def nbytes(self) -> int:
        """Bytes held by the columns and the text blob (the interned strings and Python objects aside)."""
        columns = [self.seq, self.t, self.ticks, self.size, self.status_codes, self.action_codes, self._offsets, self._bucket_messages, self._bucket_bytes]
        for lane in self.lanes.values():
            columns += [lane.starts, lane.ends, lane.oks, lane.ticks]
        return sum(len(column) * column.itemsize for column in columns) + len(self._blob)


def _plain(value: Any) -> Any:
    """A value as plain JSON data (a recording is saved in the project file)."""
    try:
        return json.loads(json.dumps(value))
    except (TypeError, ValueError):
        return repr(value)
