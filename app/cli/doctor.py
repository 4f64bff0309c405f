"""``streamwright doctor URL``: what a proxy in front of ``serve`` does to streams, and the line that fixes it.

It reads ``serve``'s timed probe (``/_probe``, see ``app.runner.probe``)
through the deployed URL and judges four things: **buffering** (events
arrive bunched instead of at their sending intervals), **compression**
(``Content-Encoding`` on the event stream), **headers** (``Content-Type``,
``Cache-Control`` or ``Streamwright-Run`` dropped or changed; HTTP/1.0
between proxy and serve) and, with ``--idle``, **idle timeouts** (the
connection closed during a quiet pause). Each problem comes with the nginx
line that fixes it, and the Caddy one where Caddy needs one. Exit code 0
when healthy, 1 when something needs fixing or the probe could not be read,
2 for usage.

Timing is judged on gaps, not on clocks: the server's clock says how far
apart events left, ours how far apart they arrived. A gap that shrank below a
quarter of its sending gap collapsed; the stream is *bunched* when at least
half of its gaps collapsed. A buffering proxy collapses nearly all of them
(events leave 0.3 s apart and arrive within milliseconds), while a busy
machine only delays an arrival here and there, which widens one gap as much
as it shrinks the next, so the verdict does not flip under load.
"""

from __future__ import annotations

import argparse
import json
import os
import textwrap
from dataclasses import asdict, dataclass, field
from typing import Literal
from urllib.parse import urlsplit

from app.client.proxy_probe import ProbeReading, ProbeRequest, probe_url, read_probe

EXIT_HEALTHY, EXIT_NEEDS_FIXING = 0, 1
TOKEN_ENV = "STREAMWRIGHT_TOKEN"
COLLAPSED = 0.25
"""A gap shorter than this share of its sending gap collapsed."""
BUNCHED_SHARE = 0.5
"""The stream is bunched when at least this share of its gaps collapsed."""
SHORTEST_JUDGED_GAP_S = 0.05
"""Gaps sent closer than this say nothing about buffering (the network alone can merge them)."""

WIDTH = 110
"""Text reports wrap here; fix lines never wrap, so they copy whole."""

Status = Literal["ok", "problem", "skipped"]


@dataclass
class Finding:
    check: str
    status: Status
    finding: str
    fix: dict[str, list[str]] = field(default_factory=dict)
    """Configuration lines that fix it, by proxy (``nginx``, ``caddy``)."""


@dataclass
class Timing:
    sent: int
    received: int
    gaps: int
    collapsed: int
    sent_span_s: float
    received_span_s: float
    first_arrival_s: float
    largest_delay_s: float
    """The most any event arrived later than its sending time says, relative to the first event."""

    @property
    def bunched(self) -> bool:
        return self.gaps > 0 and self.collapsed >= BUNCHED_SHARE * self.gaps


def measure(reading: ProbeReading) -> Timing | None:
    """Gaps between arrivals against gaps between sends; None with fewer than three events."""
    events = reading.events
    if len(events) < 3:
        return None
    judged = collapsed = 0
    for before, after in zip(events, events[1:], strict=False):
        sent_gap = after.sent_s - before.sent_s
        if sent_gap < SHORTEST_JUDGED_GAP_S:
            continue
        judged += 1
        if after.received_s - before.received_s < COLLAPSED * sent_gap:
            collapsed += 1
    first = events[0]
    delays = [(e.received_s - first.received_s) - (e.sent_s - first.sent_s) for e in events]
    return Timing(
        sent=reading.probe.events,
        received=len(events),
        gaps=judged,
        collapsed=collapsed,
        sent_span_s=events[-1].sent_s - first.sent_s,
        received_span_s=events[-1].received_s - first.received_s,
        first_arrival_s=first.received_s,
        largest_delay_s=max(delays),
    )


# -- the checks --------------------------------------------------------------------


def _answer_problem(reading: ProbeReading) -> Finding | None:
    """Why the probe could not be read at all, if it could not."""
    if reading.status is None:
        return Finding("connection", "problem", f"could not read {reading.url}: {reading.failure}")
    status, body = reading.status, reading.body
    if status == 200:
        return None
    if status == 401 and not reading.token_sent:
        return Finding("connection", "problem", f"{status}: serve wants its token: pass the one serve printed with --token (or ${TOKEN_ENV}).")
    if status == 401:
        return Finding(
            "connection",
            "problem",
            f"{status}: serve refused the token: either it is not the one serve printed, or the proxy dropped the Authorization header.",
            {"nginx": ["proxy_set_header Authorization $http_authorization;"]},
        )
    if status == 403 and "forbidden host" in body:
        return Finding(
            "connection",
            "problem",
            f"{status}: serve refused the Host header the proxy passed on (serve answers only loopback names and the name it is bound to, "
            "against DNS rebinding). Let the proxy send the upstream's address as Host.",
            {
                "nginx": ["proxy_set_header Host $proxy_host;  # nginx's default; remove `proxy_set_header Host $host;`"],
                "caddy": ["header_up Host {upstream_hostport}  # inside reverse_proxy"],
            },
        )
    if status == 404:
        return Finding(
            "connection",
            "problem",
            f"{status}: no probe at {reading.url}. The URL does not reach a streamwright serve, "
            "or the proxy passes only some paths to it (serve needs the /_probe path too).",
        )
    if status in (502, 503, 504):
        return Finding(
            "connection",
            "problem",
            f"{status}: the proxy could not get an answer from serve. Is serve running at the address the proxy passes to (proxy_pass / reverse_proxy)?",
        )
    return Finding("connection", "problem", f"{status}: the probe was refused: {body[:200] or '(no body)'}")


def _buffering(reading: ProbeReading, timing: Timing | None) -> Finding:
    if timing is None or timing.gaps == 0:
        return Finding("buffering", "skipped", "too few events arrived, or they were sent too close together, to judge buffering")
    sent = f"{timing.received} events sent {reading.probe.interval_s:g} s apart over {timing.sent_span_s:.2f} s"
    if not timing.bunched:
        return Finding(
            "buffering",
            "ok",
            f"{sent} arrived as they were sent (over {timing.received_span_s:.2f} s; the most one arrived late was {max(timing.largest_delay_s, 0):.2f} s).",
        )
    compressed = " With compression on, nginx's gzip holds the output too while proxy buffering is on." if _encoding(reading) else ""
    return Finding(
        "buffering",
        "problem",
        f"{sent} arrived bunched: {timing.collapsed} of {timing.gaps} gaps collapsed (all arrived within {timing.received_span_s:.3f} s, "
        f"the first {timing.first_arrival_s:.2f} s after the request). The proxy holds the stream, so clients see messages late, all at once.{compressed}",
        {
            "nginx": [
                "proxy_buffering off;",
                "# and let serve's `X-Accel-Buffering: no` work: remove `proxy_ignore_headers X-Accel-Buffering;`",
            ],
            "caddy": ["flush_interval -1  # inside reverse_proxy; and no response_buffers"],
        },
    )


def _encoding(reading: ProbeReading) -> str:
    value = reading.headers.get("content-encoding", "").strip()
    return "" if value.lower() in ("", "identity") else value


def _compression(reading: ProbeReading) -> Finding:
    encoding = _encoding(reading)
    if not encoding:
        return Finding("compression", "ok", "the stream came uncompressed (no Content-Encoding).")
    return Finding(
        "compression",
        "problem",
        f"the stream came compressed (Content-Encoding: {encoding}). Events are small and compressed output waits in the compressor until it is flushed, "
        "so messages can arrive late or bunched; stream responses should pass uncompressed.",
        {
            "nginx": ["gzip off;  # in the location that proxies to serve; or keep text/event-stream out of gzip_types"],
            "caddy": ["# leave `encode` out of the site that proxies to serve, or limit it: encode { match { header Content-Type application/json* } }"],
        },
    )


def _headers(reading: ProbeReading) -> list[Finding]:
    found: list[Finding] = []
    content_type = reading.headers.get("content-type")
    if not (content_type or "").lower().startswith("text/event-stream"):
        found.append(
            Finding(
                "headers",
                "problem",
                f"Content-Type is {content_type!r}, not text/event-stream: a browser's EventSource refuses the stream.",
                {
                    "nginx": ['# pass serve\'s Content-Type unchanged: remove `proxy_hide_header Content-Type;` and any `more_set_headers "Content-Type: ..."` here'],
                    "caddy": ["# remove `header_down Content-Type ...` from reverse_proxy"],
                },
            )
        )
    cache_control = reading.headers.get("cache-control")
    if not cache_control or not any(word in cache_control.lower() for word in ("no-cache", "no-store")):
        found.append(
            Finding(
                "headers",
                "problem",
                f"Cache-Control is {cache_control!r} instead of serve's 'no-cache': a cache between proxy and client may store or hold the stream.",
                {
                    "nginx": ["expires off;  # and no `add_header Cache-Control` / `proxy_hide_header Cache-Control` in this location"],
                    "caddy": ["# remove `header Cache-Control ...` / `header_down Cache-Control ...` for this site"],
                },
            )
        )
    run = reading.headers.get("streamwright-run")
    sent_run = str(reading.first.get("run", ""))
    if run is None:
        found.append(
            Finding(
                "headers",
                "problem",
                "the Streamwright-Run header was removed: clients cannot name the run to resume or cancel it.",
                {
                    "nginx": ["# remove `proxy_hide_header Streamwright-Run;` (nginx passes it by default)"],
                    "caddy": ["# remove `header_down -Streamwright-Run` / `header -Streamwright-Run`"],
                },
            )
        )
    elif sent_run and run != sent_run:
        found.append(
            Finding(
                "headers",
                "problem",
                f"the Streamwright-Run header was changed on the way ({sent_run!r} became {run!r}).",
                {"nginx": ["# remove the `add_header` / `more_set_headers` that sets Streamwright-Run"]},
            )
        )
    upstream_version = str(reading.first.get("request", {}).get("httpVersion", ""))
    if upstream_version == "1.0":
        found.append(
            Finding(
                "headers",
                "problem",
                "the proxy speaks HTTP/1.0 to serve (nginx's default): no chunked responses and no kept-alive connections between them.",
                {"nginx": ["proxy_http_version 1.1;", 'proxy_set_header Connection "";']},
            )
        )
    if not found and reading.events:
        seen = f"Content-Type {content_type}, Cache-Control {cache_control}, Streamwright-Run kept, HTTP/{upstream_version or '?'} to serve"
        found.append(Finding("headers", "ok", f"the stream's headers came through ({seen})."))
    return found


def _idle(reading: ProbeReading) -> Finding | None:
    idle = reading.probe.idle_s
    heartbeat = reading.first.get("heartbeat")
    if not idle:
        return Finding("idle", "skipped", "not checked: --idle SECONDS holds the stream quiet (heartbeats only) for that long.")
    if reading.ended:
        return Finding("idle", "ok", f"the connection stayed open through a {idle:g} s quiet pause (serve sends a heartbeat every {heartbeat:g} s).")
    if len(reading.events) == 1 and reading.closed_s is not None:
        after = reading.closed_s - reading.events[0].received_s
        fix = {"nginx": ["proxy_read_timeout 3600s;"], "caddy": ["# remove `read_timeout` from reverse_proxy's transport (Caddy waits without limit by default)"]}
        beat = ""
        if isinstance(heartbeat, (int, float)) and heartbeat >= after:
            suggested = max(round(after / 2, 1), 0.5)
            beat = f" serve sends a heartbeat only every {heartbeat:g} s, too seldom for this proxy: raise its timeout, or start serve with a shorter --heartbeat."
            fix["serve"] = [f"streamwright serve ... --heartbeat {suggested:g}"]
        return Finding("idle", "problem", f"the connection was closed {after:.1f} s into a {idle:g} s quiet pause.{beat}", fix)
    return None  # cut somewhere else: _complete says so


def _complete(reading: ProbeReading) -> Finding | None:
    if reading.ended:
        return None
    if reading.probe.idle_s and len(reading.events) == 1:
        return None  # the idle check names it
    return Finding(
        "complete",
        "problem",
        f"the stream was cut after {len(reading.events)} of {reading.probe.events} events ({reading.failure or 'the connection closed without the probe end'}).",
        {"nginx": ["proxy_read_timeout 3600s;", "proxy_send_timeout 3600s;"]},
    )


def diagnose(reading: ProbeReading) -> list[Finding]:
    """Every finding about one probe reading, problems and passes alike."""
    refused = _answer_problem(reading)
    if refused is not None:
        return [refused]
    findings = [_buffering(reading, measure(reading)), _compression(reading), *_headers(reading)]
    for extra in (_idle(reading), _complete(reading)):
        if extra is not None:
            findings.append(extra)
    return findings


# -- output ------------------------------------------------------------------------


def report_json(reading: ProbeReading, findings: list[Finding]) -> str:
    timing = measure(reading)
    document = {
        "url": reading.url,
        "healthy": not any(f.status == "problem" for f in findings),
        "status": reading.status,
        "probe": asdict(reading.probe),
        "timing": None if timing is None else {**asdict(timing), "bunched": timing.bunched},
        "events": [asdict(e) for e in reading.events],
        "checks": [asdict(f) for f in findings],
    }
    return json.dumps(document, indent=2)


def report_text(reading: ProbeReading, findings: list[Finding]) -> str:
    probe = reading.probe
    shown = f"{reading.http_version} {reading.status}" if reading.status else "no answer"
    lines = [
        f"streamwright doctor {reading.url} ({shown}; {probe.events} events {probe.interval_s:g} s apart"
        + (f", a {probe.idle_s:g} s pause" if probe.idle_s else "")
        + (f", padded to {probe.pad_bytes} bytes" if probe.pad_bytes else "")
        + ")",
        "",
    ]
    for finding in findings:
        mark = {"ok": "ok", "problem": "PROBLEM", "skipped": "-"}[finding.status]
        lines.extend(textwrap.wrap(finding.finding, WIDTH, initial_indent=f"  {mark:<8} {finding.check:<12} ", subsequent_indent=" " * 24))
        for proxy, fix_lines in finding.fix.items():
            label = {"nginx": "nginx:", "caddy": "Caddy:", "serve": "serve:"}.get(proxy, proxy + ":")
            for index, line in enumerate(fix_lines):
                lines.append(f"{'':<24}{label if index == 0 else '':<8}{line}")
    problems = sum(f.status == "problem" for f in findings)
    lines.append("")
    if not problems:
        lines.append("healthy: streams pass through event by event")
    else:
        counted = f"{problems} problem{'s' if problems > 1 else ''}"
        fixable = any(f.fix for f in findings if f.status == "problem")
        lines.append(f"{counted}: add the lines above to the proxy's configuration, reload it and run doctor again" if fixable else counted)
    return "\n".join(lines)


# -- the command -------------------------------------------------------------------


def _url(text: str) -> str:
    parts = urlsplit(text)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise argparse.ArgumentTypeError(f"expected an http:// or https:// URL, got {text!r}")
    return text


def _bounded(kind: type, low: float, high: float) -> object:
    def parse(text: str) -> float:
        try:
            value = kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected {'a whole number' if kind is int else 'a number'}, got {text!r}") from None
        if not low <= value <= high:
            raise argparse.ArgumentTypeError(f"expected a value from {low:g} to {high:g}, got {text!r}")
        return value

    return parse


def add_doctor_command(sub: argparse._SubParsersAction) -> None:
    """Registers ``streamwright doctor`` on the CLI's subcommands."""
    doctor = sub.add_parser("doctor", help="check what a proxy in front of serve does to streams (buffering, compression, headers, idle timeouts)")
    doctor.add_argument("url", type=_url, help="the deployed URL that reaches serve through the proxy (its /_probe is read)")
    doctor.add_argument("--token", help=f"serve's token (default: ${TOKEN_ENV})")
    doctor.add_argument("--events", type=_bounded(int, 3, 100), default=10, metavar="N", help="probe events (default: %(default)s)")
    doctor.add_argument("--interval", type=_bounded(float, 0.1, 10), default=0.3, metavar="S", help="seconds between probe events (default: %(default)s)")
    doctor.add_argument(
        "--pad", type=_bounded(int, 0, 65_536), default=0, metavar="BYTES", help="pad each event to this size, to find a proxy that holds small writes (default: none)"
    )
    doctor.add_argument(
        "--idle", type=_bounded(float, 0, 3600), default=0.0, metavar="S", help="a quiet pause of S seconds after the first event, to find idle timeouts (default: none)"
    )
    doctor.add_argument(
        "--timeout", type=_bounded(float, 1, 600), default=30.0, metavar="S", help="longest wait to connect and for the answer to start (default: %(default)s)"
    )
    doctor.add_argument("--format", choices=["text", "json"], default="text", help="report format (default: %(default)s)")
    doctor.set_defaults(handler=run_doctor)


def run_doctor(args: argparse.Namespace) -> int:
    probe = ProbeRequest(events=args.events, interval_s=args.interval, pad_bytes=args.pad, idle_s=args.idle)
    token = args.token or os.environ.get(TOKEN_ENV) or None
    reading = read_probe(probe_url(args.url), probe, token=token, connect_timeout_s=args.timeout)
    findings = diagnose(reading)
    print(report_json(reading, findings) if args.format == "json" else report_text(reading, findings), flush=True)
    return EXIT_NEEDS_FIXING if any(f.status == "problem" for f in findings) else EXIT_HEALTHY
