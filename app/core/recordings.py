"""Recordings: a stream kept in the project, to replay into the Preview or to turn into a stream test.

A recording comes from a run (the engine's or the client's events), from the
text of a ``curl -N`` session (an SSE capture), or is written by hand. Each
keeps its messages with their times relative to the call's start, the inputs,
and which endpoint (and which version of it) produced them.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from app.core.events import ErrorEvent, MessageEvent, ResultEvent, RunEvent
from app.core.json_input import JsonInputError, read_json, unpaired_surrogate
from app.core.names import unique_slug
from app.core.problems import Problem
from app.core.project import Endpoint, Project, RecordedMessage, Recording

TIME_DECIMALS = 4
"""Times are kept to 0.1 ms: finer is noise, and it keeps project files short."""
SSE_SPACING_S = 0.1
"""Message spacing of a capture that carries no times (plain ``curl -N`` output)."""


def endpoint_version(endpoint: Endpoint) -> str:
    """A short digest of the endpoint's canonical JSON: tells whether a recording predates a change to it."""
    canonical = json.dumps(endpoint.model_dump(mode="json", by_alias=True), sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()[:12]


def now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def unique_recording_name(project: Project, wanted: str) -> str:
    return unique_slug(wanted, (r.name for r in project.recordings), "recording")


def add_recording(project: Project, recording: Recording, *, replace: bool = False) -> Project:
    """A new project with ``recording`` added, or put in place of the one of the same name with ``replace``."""
    return project.model_copy(update={"recordings": with_named(project.recordings, recording, replace, "recording")})


def with_named(items: list[Any], item: Any, replace: bool, what: str) -> list[Any]:
    """``items`` with ``item`` appended, or in place of the one with its name."""
    names = [existing.name for existing in items]
    if item.name not in names:
        return [*items, item]
    if not replace:
        raise ValueError(f"there is already a {what} named {item.name!r}")
    index = names.index(item.name)
    return [*items[:index], item, *items[index + 1 :]]


def _time(t: float) -> float:
    return round(max(t, 0.0), TIME_DECIMALS)


def recording_from_events(
    name: str,
    endpoint: str,
    inputs: Mapping[str, Any],
    events: Iterable[RunEvent | Mapping[str, Any]],
    project: Project,
    *,
    recorded_at: str | None = None,
) -> Recording:
    """A recording of a run from its events: the engine's, or their JSON (``streamwright run --format ndjson`` lines).

    The end decides the status: a result is ``done`` (its body kept when a
    Return response gave one), an error is ``error``, and events that stop
    without either are ``cancelled``. Times are the events' ``t``.
    """
    messages: list[RecordedMessage] = []
    status, result, error, duration = "cancelled", None, None, None
    last_t = 0.0
    for event in events:
        item = event if isinstance(event, Mapping) else _event_json(event)
        kind, t = item.get("kind"), float(item.get("t") or 0.0)
        last_t = max(last_t, t)
        if kind == "message":
            part = item.get("part")
            keyed = isinstance(part, str)
            messages.append(
                RecordedMessage(
                    t=_time(t),
                    data=item.get("data"),
                    action_id=item.get("action_id") or None,
                    part=part if keyed else None,
                    transient=keyed and item.get("transient") is True,
                )
            )
        elif kind == "result":
            status, duration = "done", t
            result = item.get("body") if item.get("returned") or not item.get("streamed") else None
            break
        elif kind == "error":
            status, duration = "error", t
            where = f" (action {item['action_id']})" if item.get("action_id") else ""
            error = f"{item.get('message')}{where}"
            break
    version = endpoint_version(project.endpoint(endpoint)) if endpoint in {e.name for e in project.endpoints} else ""
    return Recording(
        name=name,
        endpoint=endpoint,
        inputs=dict(inputs),
        endpoint_version=version,
        recorded_at=recorded_at or now_iso(),
        source="run",
        messages=messages,
        status=status,
        result=result,
        error=error,
        duration=_time(duration if duration is not None else last_t),
    )


def _event_json(event: RunEvent) -> dict[str, Any]:
    if isinstance(event, MessageEvent):
        return {"kind": "message", "t": event.t, "data": event.data, "action_id": event.action_id, "part": event.part, "transient": event.transient}
    if isinstance(event, ResultEvent):
        return {"kind": "result", "t": event.t, "body": event.body, "returned": event.returned, "streamed": event.streamed}
    if isinstance(event, ErrorEvent):
        return {"kind": "error", "t": event.t, "message": event.message, "action_id": event.action_id}
    return {"kind": event.kind, "t": event.t}


def manual_recording(name: str, endpoint: str, messages: list[Any], interval_s: float = 0.5) -> Recording:
    """A recording written by hand: message *k* arrives at *k* × ``interval_s`` and the stream ends with the last one."""
    if interval_s <= 0:
        raise ValueError("interval_s must be positive")
    recorded = [RecordedMessage(t=_time((index + 1) * interval_s), data=data) for index, data in enumerate(messages)]
    return Recording(
        name=name,
        endpoint=endpoint,
        recorded_at=now_iso(),
        source="manual",
        messages=recorded,
        status="done",
        duration=recorded[-1].t if recorded else 0.0,
    )


# -- SSE captures -------------------------------------------------------------------


class CaptureError(ValueError):
    """Text that is not an SSE capture; ``line`` is the 1-based line it stopped at."""

    def __init__(self, message: str, line: int | None = None) -> None:
        self.line = line
        super().__init__(f"line {line}: {message}" if line is not None else message)


SSE_FIELDS = frozenset({"data", "id", "event", "retry"})
_HTTP_STATUS = re.compile(r"^HTTP/\d(?:\.\d)? \d{3}")
_TS_NUMBER = re.compile(r"^(\d+(?:\.\d+)?)(?: (.*))?$")
_TS_CLOCK = re.compile(r"^(?:([A-Z][a-z]{2}) +\d{1,2} +)?(\d{1,2}):(\d{2}):(\d{2}(?:\.\d+)?)(?: (.*))?$")
_T_NOTE = re.compile(r"^[#:]\s*t\s*=\s*(\d+(?:\.\d+)?)\s*$")
ABSOLUTE_AFTER_S = 86_400.0
"""A timestamp this large is a clock time (``ts`` without ``-s``): times are then counted from the first one."""


@dataclass
class _Event:
    kind: str
    data: str
    line: int
    t: float | None


class _Clock:
    """Timestamps from ``ts``-prefixed lines, made relative when they are clock times."""

    def __init__(self) -> None:
        self.origin: float | None = None
        self.absolute = False

    def relative(self, value: float, absolute: bool) -> float:
        if self.origin is None:
            self.absolute = absolute or value >= ABSOLUTE_AFTER_S
            self.origin = value if self.absolute else 0.0
        t = value - self.origin
        return t + ABSOLUTE_AFTER_S if t < 0 and self.absolute else t  # a capture across midnight


def _split_timestamp(line: str, clock: _Clock) -> tuple[float | None, str]:
    number = _TS_NUMBER.match(line)
    if number:
        return clock.relative(float(number[1]), absolute=False), number[2] or ""
    stamp = _TS_CLOCK.match(line)
    if stamp:
        seconds = int(stamp[2]) * 3600 + int(stamp[3]) * 60 + float(stamp[4])
        return clock.relative(seconds, absolute=stamp[1] is not None), stamp[5] or ""
    return None, line


def parse_sse_capture(text: str) -> tuple[list[_Event], float | None]:
    """The events of a capture (messages and how it ended) and the last time seen; see :func:`recording_from_sse`."""
    lines = text.lstrip("\ufeff").splitlines()  # LF, CRLF and CR alike, as SSE allows
    clock = _Clock()
    events: list[_Event] = []
    fields: dict[str, list[str]] = {}
    first_line = 0
    event_t: float | None = None
    note_t: float | None = None
    last_t: float | None = None
    in_headers = False
    seen_content = False

    def dispatch() -> None:
        nonlocal fields, note_t
        if "data" in fields:
            kind = fields.get("event", ["message"])[-1] or "message"
            events.append(_Event(kind, "\n".join(fields["data"]), first_line, note_t if note_t is not None else event_t))
            note_t = None
        fields = {}

    for number, raw in enumerate(lines, start=1):
        surrogate = unpaired_surrogate(raw)
        if surrogate is not None:
            raise CaptureError(f"column {surrogate + 1}: an unpaired UTF-16 surrogate is not text", number)
        t, line = _split_timestamp(raw, clock)
        if t is not None and not math.isfinite(t):
            raise CaptureError("the time stamp is out of range", number)
        if t is not None:
            last_t = t
        if in_headers:
            in_headers = line.strip() != ""
            continue
        if not seen_content and _HTTP_STATUS.match(line):
            in_headers = True  # `curl -i` / `-D -`: the response's status line and headers come first
            continue
        note = _T_NOTE.match(line)
        if note:
            note_t = float(note[1])
            if not math.isfinite(note_t):
                raise CaptureError("the time in this note is out of range", number)
            continue
        if line == "":
            if t is not None and fields and event_t is None:
                event_t = t
            dispatch()
            continue
        seen_content = True
        if line.startswith((":", "#")):
            continue  # SSE comments (heartbeats) and notes
        if line.startswith("{"):
            dispatch()
            events.append(_ndjson_event(line, number, note_t if note_t is not None else t))
            note_t = None
            continue
        name, colon, value = line.partition(":")
        if name not in SSE_FIELDS:
            raise CaptureError(f"not an SSE line (expected data:, id:, event:, retry:, a comment or a blank line): {raw[:80]!r}", number)
        if not fields:
            first_line, event_t = number, None
        fields.setdefault(name, []).append(value[1:] if value.startswith(" ") else value)
        if t is not None:
            event_t = t  # an event's time is that of its last timestamped line
    dispatch()  # a capture copied without its last blank line still ends its last event
    return events, last_t


def _ndjson_event(line: str, number: int, t: float | None) -> _Event:
    """One line of our ``Accept: application/x-ndjson`` stream: ``{"event": ..., "id": ..., "data": ...}``."""
    try:
        item = read_json(line)
    except JsonInputError as error:
        raise CaptureError(f"not valid JSON: {_json_problem(error)}", number) from None
    if not isinstance(item, dict) or not isinstance(item.get("event"), str):
        raise CaptureError('an NDJSON line must be an object with an "event" (message, result or error)', number)
    if item["event"] == "part":  # a keyed message: the same envelope its SSE event carries
        envelope = {"part": item.get("part"), "data": item.get("data")} | ({"transient": True} if item.get("transient") is True else {})
        return _Event("part", json.dumps(envelope), number, t)
    return _Event(item["event"], json.dumps(item.get("data")), number, t)


def recording_from_sse(text: str, name: str, endpoint: str, *, recorded_at: str | None = None) -> Recording:
    """A recording from the text of a ``curl -N`` session against an SSE endpoint.

    Reads what the HTML standard defines (``data:`` lines, joined when an
    event has several; ``id:``, ``event:``, ``retry:``; ``:`` comments such as
    heartbeats; LF, CRLF or CR line ends), plus a leading HTTP status line and
    headers (``curl -i``) and our NDJSON lines. Each default event is a
    message (its data as JSON, or as text when it is not JSON);
    ``event: result`` ends the stream well (its ``body`` is the result),
    ``event: error`` ends it with that error; ``event: part`` (a keyed
    message, ``{"part", "transient"?, "data"}``) is a message that keeps its
    part id and transient flag, so it replays as it streamed;
    other named events (``trace``)
    are skipped, as ``EventSource.onmessage`` skips them. Any other line is an
    error naming its line number.

    Times: plain curl output has none, so message *k* is put at *k* × 0.1 s.
    Lines prefixed by ``ts`` (moreutils) carry them: ``curl -N ... | ts -s '%.s'``
    (seconds since the start, recommended), ``ts -s`` (HH:MM:SS since the
    start) or plain ``ts`` (clock times, counted from the first line). A
    ``# t=1.234`` (or ``: t=1.234``) line gives the time of the next event.
    An event without a time of its own takes the one before it.
    """
    events, last_t = parse_sse_capture(text)
    messages: list[RecordedMessage] = []
    status, result, error, end_t = "done", None, None, None
    ended_at: int | None = None
    timed = any(event.t is not None for event in events)
    previous = 0.0
    for event in events:
        if event.kind not in ("message", "part", "result", "error"):
            continue
        if ended_at is not None:
            raise CaptureError(f"an event after the stream ended (at line {ended_at})", event.line)
        t = (event.t if event.t is not None else previous) if timed else (len(messages) + 1) * SSE_SPACING_S
        previous = t
        if event.kind == "message":
            messages.append(RecordedMessage(t=_time(t), data=_message_data(event)))
            continue
        if event.kind == "part":
            envelope = _json_data(event)
            if not isinstance(envelope, dict) or "data" not in envelope or not isinstance(envelope.get("part"), str):
                raise CaptureError('a part event\'s data must be {"part": "<id>", "data": ...}', event.line)
            if not isinstance(envelope.get("transient", False), bool):
                raise CaptureError("a part event's transient must be true or false", event.line)
            messages.append(RecordedMessage(t=_time(t), data=envelope["data"], part=envelope["part"], transient=envelope.get("transient", False)))
            continue
        ended_at, end_t = event.line, t
        payload = _json_data(event)
        if event.kind == "result":
            result = payload.get("body") if isinstance(payload, dict) else payload
        else:
            status = "error"
            error = payload.get("message") if isinstance(payload, dict) and isinstance(payload.get("message"), str) else event.data
    if not messages and ended_at is None:
        raise CaptureError("no SSE events found: expected `data: {...}` lines, each event ending with a blank line")
    duration = end_t if end_t is not None else (messages[-1].t if messages else 0.0)
    if timed and last_t is not None:
        duration = max(duration, last_t)
    return Recording(
        name=name,
        endpoint=endpoint,
        recorded_at=recorded_at or now_iso(),
        source="sse",
        messages=messages,
        status=status,
        result=result,
        error=error,
        duration=_time(duration),
    )


def _json_problem(error: JsonInputError) -> str:
    """What is wrong, and where inside the event's JSON (its column, or the path of a refused value)."""
    if error.line is not None:
        return f"{error.message} (column {error.column})" if error.line == 1 else f"{error.message} (data line {error.line}, column {error.column})"
    return f"{error.message} (at {error.path})"


def _message_data(event: _Event) -> Any:
    try:
        return read_json(event.data)
    except JsonInputError as error:
        looks_like_json = event.data.lstrip()[:1] in ("{", "[", '"')
        if looks_like_json or error.code not in ("json-syntax", "json-number") or error.path != "$":
            raise CaptureError(f"data is not valid JSON: {_json_problem(error)}", event.line) from None
        return event.data  # a plain-text message: kept as the text


def _json_data(event: _Event) -> Any:
    try:
        return read_json(event.data)
    except JsonInputError as error:
        if error.code != "json-syntax":
            raise CaptureError(f"data is not valid JSON: {_json_problem(error)}", event.line) from None
        return event.data


# -- validation ----------------------------------------------------------------------


def validate_recordings(project: Project) -> list[Problem]:
    """Recordings and stream tests: names unique (an error); an endpoint or recording they name that does not
    exist is only a warning, since a page can be designed before its endpoint exists."""
    problems: list[Problem] = []
    endpoints = {e.name: e for e in project.endpoints}
    recordings = {r.name for r in project.recordings}
    for name, count in Counter(r.name for r in project.recordings).items():
        if count > 1:
            problems.append(Problem("$.recordings", f"recording name {name!r} is used {count} times", code="duplicate-name"))
    for index, recording in enumerate(project.recordings):
        if recording.endpoint not in endpoints:
            message = f"recording {recording.name!r} is of endpoint {recording.endpoint!r}, which does not exist (yet)"
            problems.append(Problem(f"$.recordings[{index}].endpoint", message, severity="warning", code="unknown-endpoint"))
    for name, count in Counter(t.name for t in project.stream_tests).items():
        if count > 1:
            problems.append(Problem("$.streamTests", f"stream test name {name!r} is used {count} times", code="duplicate-name"))
    for index, test in enumerate(project.stream_tests):
        base = f"$.streamTests[{index}]"
        endpoint = endpoints.get(test.endpoint)
        if endpoint is None:
            message = f"stream test {test.name!r} is of endpoint {test.endpoint!r}, which does not exist (yet)"
            problems.append(Problem(f"{base}.endpoint", message, severity="warning", code="unknown-endpoint"))
        else:
            declared = {spec.name for spec in endpoint.inputs}
            for input_name in test.inputs:
                if input_name not in declared:
                    message = f"stream test {test.name!r} gives input {input_name!r}, which {endpoint.name} does not declare"
                    problems.append(Problem(f"{base}.inputs.{input_name}", message, severity="warning", code="unknown-input"))
        if test.from_recording is not None and test.from_recording not in recordings:
            message = f"stream test {test.name!r} was made from recording {test.from_recording!r}, which is no longer in the project"
            problems.append(Problem(f"{base}.fromRecording", message, severity="warning", code="unknown-recording"))
    return problems
