"""``streamwright doctor``: the verdicts on probe readings, the report, and the command against a real serve.

Readings are built by hand here, so each verdict is checked on exact arrival
times; ``tests/external/test_proxy_nginx.py`` runs doctor through a real nginx.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest

from app.cli.doctor import diagnose, measure, report_text
from app.cli.main import main
from app.client.proxy_probe import ProbeReading, ProbeRequest, ReceivedEvent, probe_url
from tests.conftest import project_of
from tests.runner.conftest import serve  # noqa: F401 - a real uvicorn in the test's loop

HEADERS = {"content-type": "text/event-stream; charset=utf-8", "cache-control": "no-cache", "streamwright-run": "probe-1"}
FIRST = {"run": "probe-1", "heartbeat": 5.0, "request": {"httpVersion": "1.1"}}


def reading(arrivals: list[float], *, interval: float = 0.3, headers: dict[str, str] | None = None, first: dict[str, Any] | None = None, **extra: Any) -> ProbeReading:
    probe = extra.pop("probe", ProbeRequest(events=len(arrivals), interval_s=interval))
    events = [ReceivedEvent(seq=i + 1, sent_s=i * interval, received_s=at) for i, at in enumerate(arrivals)]
    fields: dict[str, Any] = {"status": 200, "http_version": "HTTP/1.1", "headers": HEADERS if headers is None else headers, "first": FIRST if first is None else first, "ended": True}
    fields.update(extra)
    return ProbeReading(url="http://proxy.test/_probe", probe=probe, events=events, **fields)


def by_check(findings: list[Any]) -> dict[str, Any]:
    return {f.check: f for f in findings}


ON_TIME = [0.05 + 0.3 * i for i in range(10)]


def test_events_arriving_at_their_sending_intervals_are_healthy():
    findings = by_check(diagnose(reading(ON_TIME)))
    assert {name: f.status for name, f in findings.items()} == {"buffering": "ok", "compression": "ok", "headers": "ok", "idle": "skipped"}


def test_events_held_and_released_together_are_buffering_with_the_fix_lines():
    held = [2.8 + 0.0004 * i for i in range(10)]
    finding = by_check(diagnose(reading(held)))["buffering"]
    assert finding.status == "problem"
    assert "9 of 9 gaps collapsed" in finding.finding
    assert "proxy_buffering off;" in finding.fix["nginx"]
    assert any("flush_interval -1" in line for line in finding.fix["caddy"])


def test_a_stall_on_a_busy_machine_does_not_look_like_buffering():
    # the reader was starved for a second: three events came together, the rest on time
    stalled = [0.05, 0.35, 0.65, 1.9, 1.9, 1.9, 1.95, 2.15, 2.45, 2.75]
    timing = measure(reading(stalled))
    assert timing is not None and timing.collapsed == 3 and not timing.bunched
    assert by_check(diagnose(reading(stalled)))["buffering"].status == "ok"


def test_a_stream_released_in_a_few_bursts_is_buffering():
    bursts = [1.0, 1.0, 1.0, 1.0, 2.0, 2.0, 2.0, 2.9, 2.9, 2.9]
    assert by_check(diagnose(reading(bursts)))["buffering"].status == "problem"


def test_a_compressed_stream_is_reported_with_gzip_off():
    finding = by_check(diagnose(reading(ON_TIME, headers={**HEADERS, "content-encoding": "gzip"})))["compression"]
    assert finding.status == "problem" and "Content-Encoding: gzip" in finding.finding
    assert finding.fix["nginx"][0].startswith("gzip off;")


@pytest.mark.parametrize(
    ("headers", "first", "says", "fix"),
    [
        ({**HEADERS, "content-type": "text/html"}, FIRST, "Content-Type is 'text/html'", "proxy_hide_header Content-Type"),
        ({**HEADERS, "cache-control": "max-age=600"}, FIRST, "Cache-Control is 'max-age=600'", "expires off;"),
        ({k: v for k, v in HEADERS.items() if k != "streamwright-run"}, FIRST, "Streamwright-Run header was removed", "proxy_hide_header Streamwright-Run"),
        ({**HEADERS, "streamwright-run": "other"}, FIRST, "'probe-1' became 'other'", "Streamwright-Run"),
        (HEADERS, {**FIRST, "request": {"httpVersion": "1.0"}}, "HTTP/1.0 to serve", "proxy_http_version 1.1;"),
    ],
)
def test_changed_headers_are_each_named_with_their_fix(headers, first, says, fix):
    problems = [f for f in diagnose(reading(ON_TIME, headers=headers, first=first)) if f.status == "problem"]
    assert len(problems) == 1 and problems[0].check == "headers"
    assert says in problems[0].finding
    assert any(fix in line for line in problems[0].fix["nginx"])


def test_a_connection_closed_in_the_quiet_pause_is_an_idle_timeout():
    probe = ProbeRequest(events=3, interval_s=0.3, idle_s=10)
    cut = reading([0.05], probe=probe, ended=False, closed_s=2.05, failure="the connection was closed mid-stream")
    findings = by_check(diagnose(cut))
    assert findings["idle"].status == "problem"
    assert "closed 2.0 s into a 10 s quiet pause" in findings["idle"].finding
    assert findings["idle"].fix["nginx"] == ["proxy_read_timeout 3600s;"]
    assert "complete" not in findings  # named once, by the idle check


def test_a_heartbeat_slower_than_the_proxy_s_timeout_is_named():
    probe = ProbeRequest(events=3, interval_s=0.3, idle_s=90)
    cut = reading([0.05], probe=probe, first={**FIRST, "heartbeat": 120.0}, ended=False, closed_s=60.05)
    finding = by_check(diagnose(cut))["idle"]
    assert "heartbeat only every 120 s" in finding.finding
    assert finding.fix["serve"] == ["streamwright serve ... --heartbeat 30"]


def test_surviving_the_pause_is_healthy():
    probe = ProbeRequest(events=3, interval_s=0.3, idle_s=10)
    findings = by_check(diagnose(reading([0.05, 10.35, 10.65], probe=probe)))
    assert findings["idle"].status == "ok" and findings["buffering"].status == "ok"


def test_a_stream_cut_elsewhere_is_reported():
    findings = by_check(diagnose(reading(ON_TIME[:4], probe=ProbeRequest(events=10), ended=False, closed_s=1.2)))
    assert findings["complete"].status == "problem" and "after 4 of 10 events" in findings["complete"].finding


@pytest.mark.parametrize(
    ("status", "body", "token", "says", "fix"),
    [
        (401, "", False, "pass the one serve printed with --token", None),
        (401, "", True, "proxy dropped the Authorization header", "proxy_set_header Authorization $http_authorization;"),
        (403, '{"error": "forbidden host"}', True, "refused the Host header", "proxy_set_header Host $proxy_host;"),
        (404, "", True, "no probe at", None),
        (502, "<html>", True, "could not get an answer from serve", None),
    ],
)
def test_a_refused_probe_says_why(status, body, token, says, fix):
    refused = ProbeReading(url="http://proxy.test/_probe", probe=ProbeRequest(), status=status, body=body, token_sent=token)
    (finding,) = diagnose(refused)
    assert finding.status == "problem" and says in finding.finding
    if fix:
        assert any(line.startswith(fix) for line in finding.fix["nginx"])


def test_the_text_report_keeps_fix_lines_whole():
    text = report_text(reading([2.8] * 10, headers={**HEADERS, "content-encoding": "gzip"}), diagnose(reading([2.8] * 10, headers={**HEADERS, "content-encoding": "gzip"})))
    assert "  PROBLEM  buffering" in text and "  PROBLEM  compression" in text
    assert "nginx:  proxy_buffering off;" in text and "nginx:  gzip off;" in text
    assert text.rstrip().endswith("reload it and run doctor again")


@pytest.mark.parametrize(
    ("base", "probe"),
    [
        ("https://api.example.com", "https://api.example.com/_probe"),
        ("https://example.com/streams/", "https://example.com/streams/_probe"),
        ("http://127.0.0.1:8000/_probe", "http://127.0.0.1:8000/_probe"),
        ("http://h/x?access_token=1", "http://h/x/_probe"),
    ],
)
def test_the_probe_is_read_under_the_url_given(base, probe):
    assert probe_url(base) == probe


@pytest.mark.parametrize(
    "argv",
    [["doctor"], ["doctor", "ftp://example.com"], ["doctor", "not a url"], ["doctor", "http://h", "--events", "2"], ["doctor", "http://h", "--interval", "fast"]],
)
def test_usage_errors_exit_2(argv, capsys):
    assert main(argv) == 2
    assert "streamwright doctor: error:" in capsys.readouterr().err


def test_nothing_listening_is_a_clear_problem_not_a_traceback(capsys):
    import socket

    with socket.socket() as unused:  # a port nobody listens on: bound, never listening
        unused.bind(("127.0.0.1", 0))
        port = unused.getsockname()[1]
        assert main(["doctor", f"http://127.0.0.1:{port}/", "--timeout", "5"]) == 1
    out = capsys.readouterr().out
    assert "PROBLEM  connection" in out and f"127.0.0.1:{port}/_probe" in out and "Traceback" not in out


async def test_serve_itself_is_healthy_and_json_says_so(serve, capsys):  # noqa: F811
    served = await serve(project_of())
    argv = ["doctor", served.url, "--token", served.settings.token, "--events", "4", "--interval", "0.2", "--format", "json"]
    code = await asyncio.to_thread(main, argv)
    report = json.loads(capsys.readouterr().out)
    assert code == 0 and report["healthy"] is True
    assert [c["check"] for c in report["checks"]] == ["buffering", "compression", "headers", "idle"]
    assert [e["seq"] for e in report["events"]] == [1, 2, 3, 4]


async def test_a_token_that_begins_with_a_dash_is_taken_as_the_token(serve, capsys):  # noqa: F811
    """``secrets.token_urlsafe`` begins one token in 64 with "-": argparse alone read it as an option."""
    served = await serve(project_of(), token="-SVi5-a-token")
    argv = ["doctor", served.url, "--token", served.settings.token, "--events", "3", "--interval", "0.1", "--format", "json"]
    code = await asyncio.to_thread(main, argv)
    report = json.loads(capsys.readouterr().out)
    assert code == 0 and report["healthy"] is True
