"""Stream health: how a stream looks from the interface's side, with advice on each problem.

Judged from the messages and their times alone, so the same check serves a
live run, a recording and an SSE capture: bunches (a buffering proxy), a
stream that ends without a final message, shapes that disagree, oversized
messages, long silences, and more messages per second than a page can show.

Times: ``MessageEvent.t`` is when the engine *sent* a message; what a client
sees is when it was *received*, and a proxy can make those differ a lot. A
:class:`TimedMessage` carries either or both. Gaps and rates are judged on
``t`` (the received time when known); bunching needs received times and is
only judged when every message has one.
"""

from __future__ import annotations

import json
import math
from collections import defaultdict
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass
from typing import Any, Literal

from app.core.events import ErrorEvent, MessageEvent, ResultEvent, RunEvent
from app.core.project import Endpoint, RecordedMessage
from app.core.stream_shapes import infer_message_shapes

Ended = Literal["done", "error", "cancelled"]
Severity = Literal["error", "warning", "info"]

OPTIONAL_MARK = "?"
"""A shape's field name ending in this is a field only some messages with that status carry."""


def json_size(data: Any) -> int:
    """Bytes of the message as it goes on the wire: compact UTF-8 JSON."""
    return len(json.dumps(data, ensure_ascii=False, separators=(",", ":"), default=str).encode())


def message_status(data: Any) -> str | None:
    """A message's ``status`` when it has a text one."""
    if isinstance(data, dict):
        status = data.get("status")
        if isinstance(status, str):
            return status
    return None


@dataclass(frozen=True, slots=True)
class TimedMessage:
    """One message with its time (seconds since the call started) and its size in bytes (computed when not given).

    ``t`` is the time the message is judged at: the received time when it is
    known. ``sent_t``/``received_t`` are set when the source knows them;
    a message with only ``t`` is taken as received at ``t``.
    """

    t: float
    data: Any
    size: int = -1
    action_id: str | None = None
    sent_t: float | None = None
    received_t: float | None = None

    def __post_init__(self) -> None:
        if self.size < 0:
            object.__setattr__(self, "size", json_size(self.data))

    @property
    def arrival(self) -> float | None:
        """When it reached the client, or None when only its send time is known."""
        if self.received_t is not None:
            return self.received_t
        return self.t if self.sent_t is None else None

    @classmethod
    def from_recorded(cls, message: RecordedMessage, *, sent: bool = False) -> TimedMessage:
        """From a recording; ``sent=True`` when its times are the engine's send times (a run recorded in-process)."""
        if sent:
            return cls(message.t, message.data, action_id=message.action_id, sent_t=message.t)
        return cls(message.t, message.data, action_id=message.action_id, received_t=message.t)

    @classmethod
    def from_event(cls, event: MessageEvent, received_t: float | None = None) -> TimedMessage:
        """From the engine's event (its ``t`` is the send time), with the client's receive time when known."""
        t = event.t if received_t is None else received_t
        return cls(t, event.data, action_id=event.action_id or None, sent_t=event.t, received_t=received_t)


@dataclass(frozen=True)
class HealthSettings:
    """Limits of a healthy stream. The defaults suit a page updated at a screen's frame rate."""

    bunch_window_ms: float = 5.0
    """A bunch is ``bunch_min`` or more messages received within this window of each other..."""
    bunch_min: int = 5
    bunch_quiet_factor: float = 10.0
    """...after a silence of at least this many windows, while the sender spaced them at least as far apart."""
    max_message_bytes: int = 4096
    max_gap_s: float = 10.0
    max_rate_per_s: float = 60.0
    """Messages in any one second beyond which a page cannot show each of them (one per frame at 60 Hz)."""
    final_statuses: tuple[str, ...] = ("done", "error", "complete", "completed", "finished")
    max_findings_per_code: int = 10
    """Findings of one code beyond this are summed up in one last finding."""


@dataclass(frozen=True)
class Finding:
    code: str
    severity: Severity
    message: str
    seq: int | None = None
    """The (first) message concerned, numbered from 1 in stream order."""
    advice: str = ""

    def __str__(self) -> str:
        return f"{self.severity} {self.code}: {self.message}"

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class HealthSummary:
    count: int
    duration: float
    """Seconds from the call's start to its end (the last message when the end is not known)."""
    bytes_total: int
    max_bytes: int
    max_gap: float
    """Longest silence: before the first message, between two, or after the last until the end."""
    peak_rate_per_s: int
    """Most messages within any one second."""
    mean_rate_per_s: float | None
    bunching_judged: bool
    """False when the messages carry only send times (an in-process run): there is no proxy to see."""


@dataclass
class HealthReport:
    findings: list[Finding]
    summary: HealthSummary

    @property
    def ok(self) -> bool:
        """No warnings or errors (infos are fine)."""
        return not any(f.severity in ("error", "warning") for f in self.findings)

    def failed(self, *, strict: bool = False) -> bool:
        """An error, or with ``strict`` a warning too."""
        failing = ("error", "warning") if strict else ("error",)
        return any(f.severity in failing for f in self.findings)

    def to_json(self) -> dict[str, Any]:
        return {"ok": self.ok, "summary": asdict(self.summary), "findings": [f.to_json() for f in self.findings]}


def check_stream(
    messages: Sequence[TimedMessage],
    *,
    ended: Ended | None,
    settings: HealthSettings = HealthSettings(),
    shapes_expected: Mapping[str, Iterable[str]] | None = None,
    duration: float | None = None,
    returned: bool = False,
    error: str | None = None,
    under_way: bool = False,
) -> HealthReport:
    """Every health finding of one stream, most severe first.

    ``under_way``: the stream is still streaming, so how it ends is not judged
    yet (no "stopped without a final message" while it streams).

    ``ended`` is how the call ended (None: not known, e.g. a capture that just
    stops); ``returned`` that a Return response (a result) followed the
    messages, which is a final message too; ``error`` the failure's text.
    ``shapes_expected`` maps a status to its fields (as in a stream test's
    ``shapes``); without it, messages are compared with the first one of
    their status. ``duration`` is the time of the call's end, when known.
    """
    findings = _Findings(settings.max_findings_per_code)
    times = [m.t for m in messages]
    end = max(duration if duration is not None else 0.0, times[-1] if times else 0.0)
    if not under_way:
        _check_end(messages, ended, returned, error, settings, findings)
    judged = _check_bunches(messages, settings, findings)
    peak = _check_rate(messages, settings, findings)
    max_gap = _check_gaps(times, duration, settings, findings)
    _check_sizes(messages, settings, findings)
    _check_shapes(messages, shapes_expected, findings)
    sizes = [m.size for m in messages]
    summary = HealthSummary(
        count=len(messages),
        duration=end,
        bytes_total=sum(sizes),
        max_bytes=max(sizes, default=0),
        max_gap=max_gap,
        peak_rate_per_s=peak,
        mean_rate_per_s=len(messages) / end if end > 0 else None,
        bunching_judged=judged,
    )
    rank = {"error": 0, "warning": 1, "info": 2}
    return HealthReport(sorted(findings.done(), key=lambda f: rank[f.severity]), summary)


class _Findings:
    """Collects findings, keeping at most ``limit`` per code and summing up the rest."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.items: list[Finding] = []
        self.extra: dict[str, tuple[Finding, int]] = {}
        self.counts: dict[str, int] = defaultdict(int)

    def add(self, finding: Finding) -> None:
        self.counts[finding.code] += 1
        if self.counts[finding.code] <= self.limit:
            self.items.append(finding)
        else:
            first, more = self.extra.get(finding.code, (finding, 0))
            self.extra[finding.code] = (first, more + 1)

    def done(self) -> list[Finding]:
        rest = [Finding(first.code, first.severity, f"{more} more like this, from message {first.seq}", first.seq, first.advice) for first, more in self.extra.values()]
        return self.items + rest


def _span(seconds: float) -> str:
    """``3 ms`` / ``2.1 s``; anything under a millisecond reads as ``1 ms`` ("within 1 ms")."""
    if seconds < 1:
        return f"{max(1, round(seconds * 1000))} ms"
    return f"{seconds:.1f} s"


def _numbers(seqs: Sequence[int], shown: int = 5) -> str:
    """``message 3`` / ``messages 3, 7 and 9`` / ``messages 3, 7, 9, 12, 15 and 40 more``."""
    if len(seqs) == 1:
        return f"message {seqs[0]}"
    if len(seqs) <= shown:
        return "messages " + ", ".join(map(str, seqs[:-1])) + f" and {seqs[-1]}"
    return "messages " + ", ".join(map(str, seqs[:shown])) + f" and {len(seqs) - shown} more"


def _fields(keys: Collection[str]) -> str:
    return "{" + ", ".join(sorted(keys)) + "}"


# -- the end -------------------------------------------------------------------

FINAL_ADVICE = (
    "End the workflow with a Send streaming response whose status is 'done' (carrying what the page needs at the end, "
    "e.g. a downloadUrl), or with a Return response, so the interface knows the work finished."
)
ERROR_ADVICE = (
    "A failure after the stream started reaches the page as an error event. Catch expected failures with Try/catch "
    "and send a message with status 'error' and a label the page can show."
)


def _check_end(messages: Sequence[TimedMessage], ended: Ended | None, returned: bool, error: str | None, settings: HealthSettings, findings: _Findings) -> None:
    count = len(messages)
    after = f"after message {count}" if count else "before any message"
    if ended == "error":
        reason = f": {error}" if error else ""
        findings.add(Finding("ended-with-error", "error", f"the stream ended with an error {after}{reason}", count or None, ERROR_ADVICE))
        return
    if ended == "cancelled":
        findings.add(Finding("no-final-message", "info", f"the call was cancelled {after}, so its final message was not checked", count or None))
        return
    if not count or returned:
        return  # no messages: a normal call with one response, not a stream
    status = message_status(messages[-1].data)
    if status in settings.final_statuses:
        return
    finals = ", ".join(repr(s) for s in settings.final_statuses[:2])
    last = f"status {status!r}" if status is not None else "no status"
    how = "stopped" if ended is None else "ended"
    findings.add(
        Finding(
            "no-final-message",
            "error",
            f"the stream {how} after message {count} ({last}) without a final message (a status such as {finals}, or a result): "
            "the interface cannot tell that it finished",
            count,
            FINAL_ADVICE,
        )
    )


# -- bunches ---------------------------------------------------------------------

BUNCH_ADVICE = (
    "Something between the endpoint and the client holds the response back and releases it in pieces. Turn response "
    "buffering off there: nginx proxy_buffering off (or honour the X-Accel-Buffering: no header streamwright serve sends), "
    "no compression of text/event-stream, and a CDN or load balancer set to stream responses."
)


def _check_bunches(messages: Sequence[TimedMessage], settings: HealthSettings, findings: _Findings) -> bool:
    """Bunches: ``bunch_min``+ messages received within the window of the first, after a silence of
    ``bunch_quiet_factor`` windows (counted from the call's start for the first message), whose send
    times, when known, span at least that silence. The reported range extends over messages that keep
    arriving less than a window apart. False when receive times are not known (nothing judged)."""
    received = [m.arrival for m in messages if m.arrival is not None]
    if not messages or len(received) < len(messages):
        return False
    window = settings.bunch_window_ms / 1000
    quiet = window * settings.bunch_quiet_factor
    count = len(messages)
    index = 0
    while index < count:
        gap = received[index] - (received[index - 1] if index else 0.0)
        if gap >= quiet:
            last = index
            while last + 1 < count and received[last + 1] - received[index] <= window:
                last += 1
            sent_span = _sent_span(messages[index : last + 1])
            if last - index + 1 >= settings.bunch_min and (sent_span is None or sent_span >= quiet):
                while last + 1 < count and received[last + 1] - received[last] <= window:
                    last += 1
                findings.add(_bunch(messages, index, last, gap, received, sent_span))
                index = last + 1
                continue
        index += 1
    return True


def _sent_span(group: Sequence[TimedMessage]) -> float | None:
    sent = [m.sent_t for m in group if m.sent_t is not None]
    return max(sent) - min(sent) if len(sent) >= 2 else None


def _bunch(messages: Sequence[TimedMessage], first: int, last: int, gap: float, received: list[float], sent_span: float | None) -> Finding:
    span = received[last] - received[first]
    silence = "of silence since the call started" if first == 0 else "of silence"
    text = f"messages {first + 1}–{last + 1} arrived within {_span(span)} after {_span(gap)} {silence}"
    if sent_span is not None:
        sent_span = _sent_span(messages[first : last + 1]) or sent_span  # over the whole reported range
        text += f", though they were sent over {_span(sent_span)}: a proxy is buffering the stream"
    else:
        text += ": a proxy is probably buffering the stream"
    text += " (turn buffering off, e.g. X-Accel-Buffering: no)"
    return Finding("bunched", "warning", text, first + 1, BUNCH_ADVICE)


# -- rate, gaps and sizes ------------------------------------------------------------

NICE_STEPS = (2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000, 2000, 5000, 10000)


def _every(peak: int, limit: float) -> int:
    """A round N so that one message every N items stays within ``limit`` per second."""
    needed = math.ceil(peak / max(limit, 1.0))
    return next((step for step in NICE_STEPS if step >= needed), needed)


def _check_rate(messages: Sequence[TimedMessage], settings: HealthSettings, findings: _Findings) -> int:
    """The most messages within any one second (a sliding window from each message); too many is a warning."""
    times = [m.t for m in messages]
    peak, peak_at, end = 0, 0, 0
    for start, t in enumerate(times):
        end = max(end, start)
        while end < len(times) and times[end] < t + 1.0:
            end += 1
        if end - start > peak:
            peak, peak_at = end - start, start
    if peak > settings.max_rate_per_s:
        last = peak_at + peak - 1
        window = messages[peak_at : last + 1]
        chunks = sum(1 for m in window if message_status(m.data) == "chunk")
        every = _every(peak, settings.max_rate_per_s)
        if chunks * 2 > len(window):
            advice = "Join the text into larger chunks (a sentence or a line per message): the page shows the text, not each message."
        else:
            advice = (
                f"Send a message every {every} items instead of every item (an If with loop.count % {every} = 0 or loop.last "
                f"around the Send streaming response): about {math.ceil(peak / every)} messages a second."
            )
        findings.add(
            Finding(
                "too-fast",
                "warning",
                f"{peak} messages arrived within one second (messages {peak_at + 1}–{last + 1}, from {times[peak_at]:.2f} s): "
                f"more than the {settings.max_rate_per_s:g} per second a page can show",
                peak_at + 1,
                advice,
            )
        )
    return peak


def _check_gaps(times: Sequence[float], duration: float | None, settings: HealthSettings, findings: _Findings) -> float:
    """Silences longer than ``max_gap_s``: before the first message, between two, after the last; returns the longest."""
    limit = settings.max_gap_s
    advice = f"Send a progress message before and after slow steps (a query, an HTTP request, a long Loop), at most {limit:g} s apart, so the page keeps moving."
    longest = 0.0
    previous = 0.0
    for index, t in enumerate(times):
        gap = t - previous
        longest = max(longest, gap)
        if gap > limit:
            if index == 0:
                text = f"no message for the first {gap:.1f} s of the call: the page shows nothing while it waits"
            else:
                text = f"no message for {gap:.1f} s between message {index} (at {previous:.1f} s) and message {index + 1} (at {t:.1f} s): the page looks stuck"
            findings.add(Finding("long-gap", "warning", text, index + 1, advice))
        previous = t
    if duration is not None and times:
        tail = duration - times[-1]
        longest = max(longest, tail)
        if tail > limit:
            text = f"the stream stayed open {tail:.1f} s after its last message (message {len(times)}) before it ended"
            findings.add(Finding("long-gap", "warning", text, len(times), advice))
    return longest


def _check_sizes(messages: Sequence[TimedMessage], settings: HealthSettings, findings: _Findings) -> None:
    limit = settings.max_message_bytes
    advice = (
        "Keep Event Data small: send what the page shows (a status, a label, counts) and put large content in a file "
        "(Create file) whose downloadUrl the final message carries."
    )
    for index, message in enumerate(messages):
        if message.size > limit:
            status = message_status(message.data)
            about = f" (status {status})" if status else ""
            text = f"message {index + 1}{about} is {message.size:,} bytes, over the {limit:,}-byte limit"
            findings.add(Finding("oversized", "warning", text, index + 1, advice))


# -- shapes ------------------------------------------------------------------------

SHAPE_ADVICE = (
    "Give every message a status, and every message with the same status the same fields (send null rather than "
    "leaving a field out), so a binding such as stream.chunk.label never reads a field that is not there."
)


def merge_shapes(key_sets: Iterable[Collection[str]]) -> list[str]:
    """One status's shape from the key sets of its messages: sorted, ``name?`` for a field not all of them had."""
    sets = [frozenset(keys) for keys in key_sets]
    if not sets:
        return []
    common = frozenset.intersection(*sets)
    return sorted(name if name in common else name + OPTIONAL_MARK for name in frozenset.union(*sets))


def parse_shape(shape: Iterable[str]) -> tuple[frozenset[str], frozenset[str]]:
    """``(required, optional)`` field names of a stored shape."""
    names = list(shape)
    optional = frozenset(name[: -len(OPTIONAL_MARK)] for name in names if name.endswith(OPTIONAL_MARK))
    return frozenset(name for name in names if not name.endswith(OPTIONAL_MARK)), optional


def shape_difference(keys: Collection[str], shape: Iterable[str]) -> tuple[list[str], list[str]]:
    """``(missing, extra)`` fields of a message's keys against a stored shape."""
    required, optional = parse_shape(shape)
    present = set(keys)
    return sorted(required - present), sorted(present - required - optional)


def endpoint_shapes(endpoint: Endpoint) -> dict[str, list[str]]:
    """The shapes an endpoint's workflow sends, read statically (statuses that are literals only)."""
    by_status: dict[str, list[frozenset[str]]] = defaultdict(list)
    for shape in infer_message_shapes(endpoint):
        if shape.status is not None:
            by_status[shape.status].append(frozenset(shape.field_names))
    return {status: merge_shapes(sets) for status, sets in by_status.items()}


def _check_shapes(messages: Sequence[TimedMessage], expected: Mapping[str, Iterable[str]] | None, findings: _Findings) -> None:
    no_status = [i + 1 for i, m in enumerate(messages) if message_status(m.data) is None]
    if no_status:
        text = f"{_numbers(no_status)} {'has' if len(no_status) == 1 else 'have'} no status: the page cannot tell what kind of message it is"
        findings.add(Finding("shape-mismatch", "warning", text, no_status[0], SHAPE_ADVICE))
    groups: dict[tuple[str, frozenset[str]], list[int]] = defaultdict(list)
    for index, message in enumerate(messages):
        status = message_status(message.data)
        if status is not None:
            groups[(status, frozenset(message.data))].append(index + 1)
    if expected is not None:
        _against_expected(groups, {status: list(shape) for status, shape in expected.items()}, findings)
        return
    reference: dict[str, tuple[frozenset[str], int]] = {}
    for (status, keys), seqs in groups.items():  # dicts keep first-seen order: the first key set of a status is its reference
        if status not in reference:
            reference[status] = (keys, seqs[0])
            continue
        ref_keys, ref_seq = reference[status]
        missing, extra = sorted(ref_keys - keys), sorted(keys - ref_keys)
        verb = "has" if len(seqs) == 1 else "have"
        text = (
            f"{_numbers(seqs)} (status {status}) {verb} fields {_fields(keys)} but message {ref_seq} with the same status "
            f"had {_fields(ref_keys)}: {describe_delta(missing, extra)}"
        )
        findings.add(Finding("shape-mismatch", "warning", text, seqs[0], SHAPE_ADVICE))


def _against_expected(groups: dict[tuple[str, frozenset[str]], list[int]], expected: dict[str, list[str]], findings: _Findings) -> None:
    unknown: dict[str, list[int]] = defaultdict(list)
    for (status, keys), seqs in groups.items():
        if status not in expected:
            unknown[status].extend(seqs)
            continue
        missing, extra = shape_difference(keys, expected[status])
        if missing or extra:
            verb = "has" if len(seqs) == 1 else "have"
            text = f"{_numbers(seqs)} (status {status}) {verb} fields {_fields(keys)}, expected {_fields(expected[status])}: {describe_delta(missing, extra)}"
            findings.add(Finding("shape-mismatch", "warning", text, seqs[0], SHAPE_ADVICE))
    known = ", ".join(expected) or "none"
    for status, seqs in unknown.items():
        seqs.sort()
        text = f"{_numbers(seqs)} {'has' if len(seqs) == 1 else 'have'} status {status!r}, which is not an expected one ({known})"
        findings.add(Finding("shape-mismatch", "warning", text, seqs[0], SHAPE_ADVICE))


def describe_delta(missing: Sequence[str], extra: Sequence[str]) -> str:
    """``missing a, b; extra c``."""
    parts = []
    if missing:
        parts.append("missing " + ", ".join(missing))
    if extra:
        parts.append("extra " + ", ".join(extra))
    return "; ".join(parts)


class HealthTally:
    """Collects a run's events as they stream by (``add`` each), then checks the stream once it has ended."""

    def __init__(self) -> None:
        self.messages: list[TimedMessage] = []
        self.ended: Ended | None = None
        self.returned = False
        self.error: str | None = None
        self.duration: float | None = None

    def add(self, event: RunEvent) -> None:
        if isinstance(event, MessageEvent):
            self.messages.append(TimedMessage.from_event(event))
        elif isinstance(event, ResultEvent):
            self.ended, self.duration, self.returned = "done", event.t, event.returned
        elif isinstance(event, ErrorEvent):
            where = f" (action {event.action_id})" if event.action_id else ""
            self.ended, self.duration, self.error = "error", event.t, f"{event.message}{where}"

    def check(self, settings: HealthSettings = HealthSettings(), shapes_expected: Mapping[str, Iterable[str]] | None = None) -> HealthReport:
        return check_stream(
            self.messages,
            ended=self.ended,
            settings=settings,
            shapes_expected=shapes_expected,
            duration=self.duration,
            returned=self.returned,
            error=self.error,
        )
