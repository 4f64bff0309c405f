"""Reading ``serve``'s ``/_probe`` stream through a URL, noting when each event arrives.

What comes back is a plain record (``ProbeReading``) of what the client saw:
the status and headers, each event with the second it left the server (on the
server's clock, since the probe started) and the second it arrived (on ours),
and how the stream ended. Judging it is ``app.cli.doctor``'s job.

The request sends ``Accept-Encoding`` as browsers do, so a proxy that
compresses streams shows it; httpx decodes gzip and deflate (and brotli or
zstd when their decoders are installed, and only then does it offer them).
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode, urlsplit, urlunsplit

import httpx
from httpx_sse import EventSource

PROBE_PATH = "_probe"


@dataclass(frozen=True)
class ProbeRequest:
    events: int = 10
    interval_s: float = 0.3
    pad_bytes: int = 0
    idle_s: float = 0.0

    @property
    def duration_s(self) -> float:
        return (self.events - 1) * self.interval_s + self.idle_s


@dataclass(frozen=True)
class ReceivedEvent:
    seq: int
    sent_s: float
    """When it left, in seconds since the probe started (the server's clock)."""
    received_s: float
    """When it arrived, in seconds since the request was sent (our clock)."""


@dataclass
class ProbeReading:
    url: str
    probe: ProbeRequest
    token_sent: bool = False
    status: int | None = None
    http_version: str = ""
    headers: dict[str, str] = field(default_factory=dict)
    body: str = ""
    """The start of a non-200 answer's body, for the report."""
    first: dict[str, Any] = field(default_factory=dict)
    """The first event's data: the run id, heartbeat interval and what reached the server."""
    events: list[ReceivedEvent] = field(default_factory=list)
    ended: bool = False
    """The probe's ``end`` event arrived: nothing was cut."""
    failure: str | None = None
    """Why no answer or only part of one came: connection refused, cut mid-stream, timed out."""
    closed_s: float | None = None
    """When the stream ended or broke, in seconds since the request was sent."""


def probe_url(base: str) -> str:
    """The probe under a deployed base URL (``https://host/prefix/`` → ``https://host/prefix/_probe``).

    A URL that already names the probe is kept, so a user may paste either.
    """
    parts = urlsplit(base)
    path = parts.path
    if not path.rstrip("/").endswith("/" + PROBE_PATH):
        path = path.rstrip("/") + "/" + PROBE_PATH
    return urlunsplit((parts.scheme, parts.netloc, path, "", ""))


def read_probe(
    url: str,
    probe: ProbeRequest,
    *,
    token: str | None = None,
    connect_timeout_s: float = 30.0,
    transport: httpx.BaseTransport | None = None,
    clock: Callable[[], float] = time.monotonic,
) -> ProbeReading:
    """Request the probe at ``url`` (the full probe URL) and record every event's arrival.

    The read timeout covers the longest quiet stretch the probe can have (its
    idle pause) plus a margin; a proxy that holds the whole stream still
    delivers within the probe's duration plus that margin.
    """
    query = {"events": probe.events, "interval": probe.interval_s}
    if probe.pad_bytes:
        query["pad"] = probe.pad_bytes
    if probe.idle_s:
        query["idle"] = probe.idle_s
    full = f"{url}?{urlencode(query)}"
    reading = ProbeReading(url=url, probe=probe, token_sent=bool(token))
    headers = {"Accept": "text/event-stream", "Cache-Control": "no-cache"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    timeout = httpx.Timeout(connect_timeout_s, read=probe.duration_s + connect_timeout_s)
    start = clock()
    try:
        with httpx.Client(timeout=timeout, transport=transport, follow_redirects=False) as client:
            with client.stream("GET", full, headers=headers) as response:
                reading.status = response.status_code
                reading.http_version = response.http_version
                reading.headers = {name.lower(): value for name, value in response.headers.items()}
                if response.status_code != 200:
                    reading.body = response.read().decode("utf-8", "replace")[:500]
                    return reading
                for sse in EventSource(response).iter_sse():
                    now = clock() - start
                    if sse.event == "end":
                        reading.ended = True
                        break
                    if sse.event != "probe":
                        continue
                    data = json.loads(sse.data)
                    if not reading.events:
                        reading.first = data
                    reading.events.append(ReceivedEvent(seq=int(data["seq"]), sent_s=float(data["t"]), received_s=now))
    except httpx.TimeoutException as error:
        reading.failure = f"timed out ({type(error).__name__})"
    except httpx.RemoteProtocolError as error:
        reading.failure = f"the connection was closed mid-stream ({error})"
    except httpx.HTTPError as error:
        reading.failure = f"{type(error).__name__}: {error}"
    except (ValueError, KeyError) as error:  # an event that is not the probe's JSON: something else answered
        reading.failure = f"the answer is not serve's probe stream ({error})"
    reading.closed_s = clock() - start
    return reading
