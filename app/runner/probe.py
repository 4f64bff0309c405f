"""``GET /_probe``: a timed Server-Sent Events stream for checking what a proxy does to streams.

A proxy in front of ``serve`` may hold a stream until it ends (buffering),
compress it, drop or change its headers, speak HTTP/1.0 to the server, or
close a connection that stays quiet. The probe makes each of these visible to
a client at the other end of the proxy (``streamwright doctor``): it sends
``events`` events ``interval`` seconds apart on its own clock, each carrying
the second (``t``, since the probe started) it was sent, so a client can
compare when events arrived with when they left. It answers with the headers
every stream response has, plus ``Streamwright-Run``.

Query parameters (a bad one is a 422 naming it):

- ``events`` (1-100, default 10) and ``interval`` (seconds, 0-10, default 0.2);
- ``pad`` (bytes, 0-65536): each event is padded to at least this size, to
  tell a proxy that holds small writes until a size threshold from one that
  holds the whole response;
- ``idle`` (seconds, 0-3600): a pause after the first event. During it the
  probe sends the ``: heartbeat`` comment every ``--heartbeat`` seconds, as
  real streams do, so a connection the proxy drops during the pause is one a
  real stream would lose too.

The first event also says what reached the server (HTTP version,
``Accept-Encoding``, ``Host``, ``X-Forwarded-For``): only the server can see
that the proxy spoke HTTP/1.0 to it. An ``end`` event closes the stream, so a
client can tell a complete probe from one the proxy cut.
"""

from __future__ import annotations

import asyncio
import json
import secrets
import time
import uuid
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse

PROBE_PATH = "/_probe"
PROBE_MEDIA_TYPE = "text/event-stream"
PROBE_HEADERS = {"Cache-Control": "no-cache", "X-Accel-Buffering": "no"}
"""The headers every stream response of ``serve`` carries (see the README's "On the wire")."""
RUN_HEADER = "Streamwright-Run"
IGNORED_QUERY = frozenset({"access_token"})
CLOCK_TOLERANCE_S = 1e-6
"""Closer than this to a target counts as there: ``t`` is reported in microseconds, and float sums may never land exactly."""


@dataclass(frozen=True)
class ProbeSettings:
    events: int = 10
    interval_s: float = 0.2
    pad_bytes: int = 0
    idle_s: float = 0.0


_LIMITS: dict[str, tuple[type, float, float]] = {
    "events": (int, 1, 100),
    "interval": (float, 0, 10),
    "pad": (int, 0, 65_536),
    "idle": (float, 0, 3600),
}


class ProbeParameterError(ValueError):
    def __init__(self, fields: dict[str, str]) -> None:
        super().__init__(", ".join(f"{name}: {why}" for name, why in fields.items()))
        self.fields = fields


def parse_probe_query(query: dict[str, str]) -> ProbeSettings:
    """The probe's settings from its query string; ProbeParameterError names every bad or unknown parameter."""
    values: dict[str, float] = {}
    errors: dict[str, str] = {}
    for name, raw in query.items():
        if name in IGNORED_QUERY:
            continue
        if name not in _LIMITS:
            errors[name] = f"unknown parameter (known: {', '.join(_LIMITS)})"
            continue
        kind, low, high = _LIMITS[name]
        what = "a whole number" if kind is int else "a number"
        try:
            value = kind(raw)
        except ValueError:
            errors[name] = f"must be {what} from {low:g} to {high:g}, got {raw!r}"
            continue
        if not low <= value <= high:  # also refuses nan
            errors[name] = f"must be {what} from {low:g} to {high:g}, got {raw!r}"
            continue
        values[name] = value
    if errors:
        raise ProbeParameterError(errors)
    defaults = ProbeSettings()
    return ProbeSettings(
        events=int(values.get("events", defaults.events)),
        interval_s=float(values.get("interval", defaults.interval_s)),
        pad_bytes=int(values.get("pad", defaults.pad_bytes)),
        idle_s=float(values.get("idle", defaults.idle_s)),
    )


def _incompressible(size: int) -> str:
    """Random URL-safe text: padding that a compressing proxy cannot shrink below its size threshold."""
    return secrets.token_urlsafe(size)[:size]


def _event(name: str, seq: int, data: dict[str, Any], pad_bytes: int) -> bytes:
    text = json.dumps(data, separators=(",", ":"))
    frame = f"event: {name}\nid: {seq}\ndata: {text}\n\n"
    short = pad_bytes - len(frame.encode())
    if short > 0:  # the field itself costs 13 bytes: ,"padding":""
        data = {**data, "padding": _incompressible(max(short - 13, 0))}
        frame = f"event: {name}\nid: {seq}\ndata: {json.dumps(data, separators=(',', ':'))}\n\n"
    return frame.encode()


async def probe_events(
    settings: ProbeSettings,
    *,
    run_id: str,
    heartbeat_s: float,
    request_seen: dict[str, Any],
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], Any] = asyncio.sleep,
) -> AsyncIterator[bytes]:
    """The probe's SSE bytes. Event k leaves at ``(k-1) * interval`` (plus ``idle`` after the first), never early.

    Each target is measured from the start, so a late wake-up does not push
    the later events back; ``t`` is when the event actually left.
    """
    start = clock()

    async def until(target: float) -> None:
        while (left := target - (clock() - start)) > CLOCK_TOLERANCE_S:
            await sleep(left)

    for seq in range(1, settings.events + 1):
        target = (seq - 1) * settings.interval_s + (settings.idle_s if seq > 1 else 0.0)
        if seq == 2 and settings.idle_s > 0:
            while (clock() - start) + heartbeat_s < target:
                await until(clock() - start + heartbeat_s)
                yield b": heartbeat\n\n"
        await until(target)
        data: dict[str, Any] = {
            "seq": seq,
            "events": settings.events,
            "t": round(clock() - start, 6),
            "time": round(time.time(), 6),
            "interval": settings.interval_s,
        }
        if seq == 1:
            data.update(run=run_id, idle=settings.idle_s, heartbeat=heartbeat_s, pad=settings.pad_bytes, request=request_seen)
        yield _event("probe", seq, data, settings.pad_bytes)
    yield _event("end", settings.events + 1, {"events": settings.events, "t": round(clock() - start, 6)}, 0)


def _request_seen(request: Request) -> dict[str, Any]:
    headers = request.headers
    return {
        "httpVersion": request.scope.get("http_version", ""),
        "host": headers.get("host", ""),
        "acceptEncoding": headers.get("accept-encoding", ""),
        "forwardedFor": headers.get("x-forwarded-for", ""),
        "via": headers.get("via", ""),
    }


async def probe(request: Request) -> Response:
    """The route: settings from the query, heartbeat interval from the server's own settings."""
    try:
        settings = parse_probe_query(dict(request.query_params))
    except ProbeParameterError as error:
        return JSONResponse({"error": "invalid probe parameter", "fields": error.fields}, status_code=422)
    heartbeat_s = request.app.state.streamwright.settings.heartbeat_s
    run_id = f"probe-{uuid.uuid4().hex[:16]}"
    body = probe_events(settings, run_id=run_id, heartbeat_s=heartbeat_s, request_seen=_request_seen(request))
    return StreamingResponse(body, media_type=PROBE_MEDIA_TYPE, headers={**PROBE_HEADERS, RUN_HEADER: run_id})
