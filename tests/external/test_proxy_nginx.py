"""A real nginx in front of a real ``streamwright serve``: the shipped snippet streams, and doctor names what breaks.

nginx runs as the current user (``daemon off``, its prefix, pid, temp and log
files in tmp_path) on a free 127.0.0.1 port, proxying to serve. ``doctor``
runs as a subprocess, as a user would run it; assertions are on its verdicts,
whose timing margins are wide (events 0.3 s apart; bunched means most gaps
shrank below a quarter), never on how long anything took.
"""

from __future__ import annotations

import json
import os
import pwd
import shutil
import socket
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.conftest import ROOT, project_of
from tests.external.conftest import Server, gated_endpoint

SNIPPET = ROOT / "packaging" / "deploy" / "nginx-streamwright.conf"
START_TIMEOUT_S = 30.0
DOCTOR_TIMEOUT_S = 180.0


def nginx_binary() -> str:
    """nginx lives in /usr/sbin, which a non-root PATH may lack; missing, it fails the test (``make test`` installs it)."""
    found = shutil.which("nginx") or shutil.which("nginx", path="/usr/sbin:/sbin")
    if found is None:
        pytest.fail("nginx is not installed; `make test` installs it (as root: apt-get install -y --no-install-recommends nginx)")
    return found


@dataclass
class Nginx:
    url: str
    process: subprocess.Popen[bytes]
    error_log: Path


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _config(prefix: Path, port: int, upstream_port: int, location: str) -> str:
    # as root the workers would switch to `nobody` and lose the tmp_path files; run them as whoever runs the test
    user = f"user {pwd.getpwuid(os.geteuid()).pw_name};" if os.geteuid() == 0 else ""
    temp = "\n".join(f"    {kind}_temp_path {prefix}/temp/{kind};" for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
    return f"""
daemon off;
master_process on;
worker_processes 1;
{user}
pid {prefix}/nginx.pid;
error_log {prefix}/error.log info;
events {{ worker_connections 64; }}
http {{
    access_log {prefix}/access.log;
{temp}
    server {{
        listen 127.0.0.1:{port};
        location / {{
            proxy_pass http://127.0.0.1:{upstream_port};
            {location}
        }}
    }}
}}
"""


def _accepting(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1):
            return True
    except OSError:
        return False


@pytest.fixture
def nginx(tmp_path: Path) -> Iterator[Callable[[Server, str], Nginx]]:
    """``nginx(server, location_directives)``: an nginx proxying to ``server``, stopped after the test."""
    started: list[subprocess.Popen[bytes]] = []

    def start(server: Server, location: str) -> Nginx:
        for attempt in range(3):  # the port is free when picked; another process may take it before nginx binds
            prefix = tmp_path / f"nginx-{len(started)}-{attempt}"
            (prefix / "temp").mkdir(parents=True)
            port = _free_port()
            conf = prefix / "nginx.conf"
            conf.write_text(_config(prefix, port, server.port, location))
            process = subprocess.Popen(
                [nginx_binary(), "-p", str(prefix), "-c", str(conf), "-e", str(prefix / "error.log")],
                stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
            )
            started.append(process)
            deadline = START_TIMEOUT_S
            while process.poll() is None and not _accepting(port) and deadline > 0:
                try:
                    process.wait(timeout=0.1)  # waits on nginx itself: returns at once if it exits
                except subprocess.TimeoutExpired:
                    deadline -= 0.1
            if process.poll() is None and _accepting(port):
                return Nginx(url=f"http://127.0.0.1:{port}", process=process, error_log=prefix / "error.log")
            log = (prefix / "error.log").read_text(errors="replace") if (prefix / "error.log").exists() else ""
            if "Address already in use" not in log:
                raise AssertionError(f"nginx did not start: {log[-2000:]}")
        raise AssertionError("nginx found no free port in three tries")

    yield start
    for process in started:
        if process.poll() is None:
            process.terminate()  # SIGTERM: nginx's fast shutdown
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=20)


def shipped() -> str:
    return f"include {SNIPPET};"


def doctor(url: str, token: str, *options: str) -> tuple[int, dict[str, Any]]:
    done = subprocess.run(
        [sys.executable, "-m", "app", "doctor", url, "--token", token, "--format", "json", *options],
        capture_output=True, text=True, timeout=DOCTOR_TIMEOUT_S, cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert done.returncode in (0, 1), f"doctor exited {done.returncode}: {done.stderr}"
    return done.returncode, json.loads(done.stdout)


def checks(report: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    found: dict[str, list[dict[str, Any]]] = {}
    for check in report["checks"]:
        found.setdefault(check["check"], []).append(check)
    return found


def statuses(report: dict[str, Any]) -> dict[str, list[str]]:
    return {name: [c["status"] for c in found] for name, found in checks(report).items()}


@pytest.fixture(scope="module")
def upstream(serve, gate) -> Server:
    """serve with a gated endpoint; heartbeats every 30 s, so a quiet probe pause meets the proxy's own timeout."""
    gated = gated_endpoint(gate["url"], "GET", {"status": "done"})
    return serve(project_of(gated), "--heartbeat", "30")  # type: ignore[no-any-return]


def test_a_real_stream_passes_the_shipped_config_event_by_event(nginx, upstream: Server, gate):
    """No timing: the second message cannot be sent before the test releases the endpoint's HTTP request."""
    proxy = nginx(upstream, shipped())
    with httpx.Client(timeout=60) as client, client.stream("GET", proxy.url + "/gated", headers={"Authorization": f"Bearer {upstream.token}"}) as response:
        assert response.status_code == 200, response.read()
        assert response.headers["content-type"].startswith("text/event-stream")
        assert response.headers["streamwright-run"]
        lines = response.iter_lines()
        first = next(line for line in lines if line.startswith("data:"))
        assert json.loads(first.removeprefix("data:")) == {"status": "waiting"}
        assert gate["arrived"].wait(timeout=60), "the endpoint never reached its gate"
        assert not gate["release"].is_set(), "the first message came through while the second was not yet sent"
        gate["release"].set()
        rest = [line for line in lines if line.startswith("data:")]
    assert [json.loads(line.removeprefix("data:")) for line in rest] == [{"status": "done"}]


def test_doctor_finds_the_shipped_config_healthy_through_a_quiet_pause(nginx, upstream: Server):
    proxy = nginx(upstream, shipped())
    code, report = doctor(proxy.url, upstream.token, "--events", "8", "--idle", "3")
    assert statuses(report) == {"buffering": ["ok"], "compression": ["ok"], "headers": ["ok"], "idle": ["ok"]}, report["checks"]
    assert code == 0 and report["healthy"] is True


def test_doctor_reports_buffering_and_compression_with_their_fixes(nginx, upstream: Server):
    """Buffering on with gzip holds the stream once serve's X-Accel-Buffering is ignored (as some setups do)."""
    proxy = nginx(upstream, "proxy_http_version 1.1; proxy_buffering on; proxy_ignore_headers X-Accel-Buffering; gzip on; gzip_types text/event-stream;")
    code, report = doctor(proxy.url, upstream.token)
    found = checks(report)
    assert statuses(report) == {"buffering": ["problem"], "compression": ["problem"], "headers": ["ok"], "idle": ["skipped"]}, report["checks"]
    assert "proxy_buffering off;" in found["buffering"][0]["fix"]["nginx"]
    assert found["compression"][0]["fix"]["nginx"][0].startswith("gzip off;")
    assert report["timing"]["bunched"] is True
    assert code == 1 and report["healthy"] is False


def test_serve_s_accel_header_already_stops_nginx_buffering_but_not_gzip(nginx, upstream: Server):
    proxy = nginx(upstream, "proxy_http_version 1.1; proxy_buffering on; gzip on; gzip_types text/event-stream;")
    code, report = doctor(proxy.url, upstream.token)
    assert statuses(report) == {"buffering": ["ok"], "compression": ["problem"], "headers": ["ok"], "idle": ["skipped"]}, report["checks"]
    assert code == 1


def test_doctor_reports_http_1_0_a_hidden_run_header_and_an_idle_timeout(nginx, upstream: Server):
    # nginx's default HTTP/1.0 upstream; a 2 s read timeout against a 6 s pause and serve's 30 s heartbeat
    proxy = nginx(upstream, "proxy_buffering off; proxy_read_timeout 2s; proxy_hide_header Streamwright-Run;")
    code, report = doctor(proxy.url, upstream.token, "--events", "3", "--idle", "6")
    found = checks(report)
    headers = " ".join(c["finding"] for c in found["headers"])
    assert [c["status"] for c in found["headers"]] == ["problem", "problem"], found["headers"]
    assert "Streamwright-Run header was removed" in headers and "HTTP/1.0 to serve" in headers
    assert any("proxy_http_version 1.1;" in c["fix"].get("nginx", []) for c in found["headers"])
    assert found["idle"][0]["status"] == "problem" and found["idle"][0]["fix"]["nginx"] == ["proxy_read_timeout 3600s;"]
    assert code == 1


def test_doctor_names_a_host_header_serve_refuses(nginx, upstream: Server):
    proxy = nginx(upstream, "proxy_http_version 1.1; proxy_set_header Host streams.example.com;")
    code, report = doctor(proxy.url, upstream.token)
    (finding,) = report["checks"]
    assert finding["check"] == "connection" and "refused the Host header" in finding["finding"]
    assert finding["fix"]["nginx"][0].startswith("proxy_set_header Host $proxy_host;")
    assert code == 1
