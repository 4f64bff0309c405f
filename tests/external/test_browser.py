"""A real browser as the client: Debian's headless Chromium opens a page whose ``EventSource`` follows a GET endpoint.

The page comes from another origin (a small HTTP server on a second loopback
port, the way a web app and its API live apart), so this also exercises
``--cors`` and the token as ``?access_token=`` (an EventSource cannot set
headers). The page reports what it received by POSTing it back to its own
server; the test waits for that report with a generous bound, no sleeps.
"""

from __future__ import annotations

import json
import os
import queue
import signal
import subprocess
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest

from app.core.project import Endpoint
from tests.conftest import action, formula, project_of
from tests.external.conftest import Server, require_tool

PAGE = Path(__file__).with_name("eventsource_page.html")
REPORT_TIMEOUT_S = 120.0  # upper bound: Chromium's first start on a loaded 2-core machine takes a few seconds
STEPS = 5
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--no-default-browser-check",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-extensions",
    "--disable-dev-shm-usage",
    "--mute-audio",
    "--enable-logging=stderr",  # console messages (e.g. a CORS refusal) go to the log shown on failure
]


@dataclass
class PageServer:
    """Serves the EventSource page and collects the page's reports."""

    httpd: ThreadingHTTPServer
    reports: queue.Queue[dict[str, Any]] = field(default_factory=queue.Queue)

    @property
    def origin(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def page_url(self, stream_url: str) -> str:
        return f"{self.origin}/page.html?stream={quote(stream_url, safe='')}"

    def next_report(self, log: Path) -> dict[str, Any]:
        try:
            return self.reports.get(timeout=REPORT_TIMEOUT_S)
        except queue.Empty:
            tail = log.read_text(errors="replace")[-3000:] if log.exists() else "(no log)"
            raise AssertionError(f"the page reported nothing within {REPORT_TIMEOUT_S} s; Chromium's log:\n{tail}") from None


def start_page_server() -> PageServer:
    page = PAGE.read_bytes()
    reports: queue.Queue[dict[str, Any]] = queue.Queue()

    class Handler(BaseHTTPRequestHandler):
        def _answer(self, status: int, body: bytes = b"", content_type: str = "text/plain") -> None:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self) -> None:  # noqa: N802 - the http.server API
            if self.path.split("?")[0] == "/page.html":
                self._answer(200, page, "text/html; charset=utf-8")
            else:
                self._answer(404)

        def do_POST(self) -> None:  # noqa: N802
            if self.path != "/report":
                self._answer(404)
                return
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            self._answer(204)
            reports.put(json.loads(body))

        def log_message(self, format: str, *args: Any) -> None:
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    httpd.daemon_threads = True
    threading.Thread(target=httpd.serve_forever, name="page-server", daemon=True).start()
    return PageServer(httpd, reports)


@pytest.fixture(scope="module")
def pages() -> Iterator[dict[str, PageServer]]:
    """Two page origins: ``allowed`` is given to ``--cors``, ``foreign`` is not."""
    servers = {"allowed": start_page_server(), "foreign": start_page_server()}
    yield servers
    for server in servers.values():
        server.httpd.shutdown()
        server.httpd.server_close()


def progress_project():
    """GET /progress: a Loop of STEPS progress messages 100 ms apart, then done."""
    progress = Endpoint(
        name="progress",
        method="GET",
        path="/progress",
        workflow=[
            action(
                "each_step", "flow.loop", {
                    "body": [
                        action("send_progress", "stream.send", eventData={"status": "progress", "done": formula("loop.count"), "total": formula("loop.total")}),
                        action("pause", "flow.wait", milliseconds=100),
                    ]
                },
                mode="repeat", times=STEPS,
            ),
            action("send_done", "stream.send", eventData={"status": "done"}),
        ],
    )
    return project_of(progress)


@pytest.fixture(scope="module")
def api(serve, pages) -> Server:
    return serve(progress_project(), "--cors", pages["allowed"].origin)


@pytest.fixture
def chromium(tmp_path: Path) -> Iterator[Callable[[str], Path]]:
    """``chromium(url)`` opens the URL in headless Chromium and returns its log file; every browser is ended after the test."""
    binary = require_tool("chromium")
    opened: list[subprocess.Popen[bytes]] = []

    def open_page(url: str) -> Path:
        profile = tmp_path / f"chromium-{len(opened)}"
        profile.mkdir()
        log = profile / "chromium.log"
        with log.open("wb") as out:
            opened.append(
                subprocess.Popen(
                    [binary, *CHROMIUM_FLAGS, f"--user-data-dir={profile / 'data'}", url],
                    stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                    env={**os.environ, "HOME": str(profile), "XDG_CONFIG_HOME": str(profile / "config"), "XDG_CACHE_HOME": str(profile / "cache")},
                    start_new_session=True,  # its own process group: the browser and its helpers end together
                )
            )
        return log

    yield open_page
    for process in opened:
        for sig, wait_s in ((signal.SIGTERM, 20), (signal.SIGKILL, 20)):
            try:
                os.killpg(process.pid, sig)
            except ProcessLookupError:
                break
            try:
                process.wait(timeout=wait_s)
                break
            except subprocess.TimeoutExpired:
                continue


def stream_url(api: Server) -> str:
    return f"{api.url}/progress?access_token={api.token}"


def test_a_browser_eventsource_receives_every_message_in_order(api: Server, pages, chromium):
    page = pages["allowed"]
    log = chromium(page.page_url(stream_url(api)))
    report = page.next_report(log)
    assert report["outcome"] == "done", report
    assert report["opened"] is True
    expected = [{"status": "progress", "done": n, "total": STEPS} for n in range(1, STEPS + 1)] + [{"status": "done"}]
    run_id = report["messages"][0]["id"].rpartition(".")[0]  # the ids carry their run: <run>.<seq>
    assert report["messages"] == [{"id": f"{run_id}.{n}", "data": data} for n, data in enumerate(expected, start=1)]


def test_a_page_from_an_origin_not_given_to_cors_cannot_read_the_stream(api: Server, pages, chromium):
    page = pages["foreign"]
    log = chromium(page.page_url(stream_url(api)))
    report = page.next_report(log)
    assert report["outcome"] == "error", report
    assert report["messages"] == [] and report["opened"] is False, report


@pytest.mark.parametrize("which, allowed", [("allowed", True), ("foreign", False)])
def test_cors_headers_name_only_the_allowed_origin(api: Server, pages, which: str, allowed: bool):
    """The browser's verdict above rests on this header; checked with curl so a failure says which side is wrong."""
    origin = pages[which].origin
    result = subprocess.run(
        [require_tool("curl"), "-sS", "-N", "--noproxy", "*", "--max-time", "120", "-D", "-", "-o", "/dev/null",
         "-H", f"Origin: {origin}", "-H", "Accept: text/event-stream", stream_url(api)],
        capture_output=True, text=True, timeout=150,
    )
    assert result.returncode == 0, result.stderr
    headers = {name.strip().lower(): value.strip() for name, _, value in (line.partition(":") for line in result.stdout.splitlines()[1:]) if name.strip()}
    assert result.stdout.split()[1] == "200"
    assert headers.get("access-control-allow-origin") == (origin if allowed else None)
