"""A browser's EventSource survives dropped connections: ``serve --workers 2 --store redis://`` behind a real nginx.

nginx's ``proxy_read_timeout`` is 1 s here, and the endpoint pauses 2.5 s
between messages (serve's heartbeat is 5 s), so nginx cuts the stream in
every pause, as a flaky network or a proxy's idle timeout would. Chromium's
EventSource reconnects by itself with ``Last-Event-ID`` and nothing else; the
connection may reach either worker, and the run goes on meanwhile within its
resume grace. The page must get every message once, in order.
"""

from __future__ import annotations

import time
from pathlib import Path

from app.core.project import Endpoint
from tests.conftest import action, formula, project_of
from tests.external.test_browser import chromium, pages  # noqa: F401 - fixtures used by name
from tests.external.test_proxy_nginx import SNIPPET, nginx  # noqa: F401 - fixture used by name

STEPS = 3


def logged_requests(access_log: Path, at_least: int, timeout_s: float = 30.0) -> list[str]:
    """The ``/paced`` lines of nginx's access log, once there are ``at_least`` of them (or the timeout has passed)."""
    deadline = time.monotonic() + timeout_s
    while True:
        requests = [line for line in access_log.read_text().splitlines() if "/paced" in line]
        if len(requests) >= at_least or time.monotonic() > deadline:
            return requests
        time.sleep(0.05)


def paced_project():
    paced = Endpoint(
        name="paced",
        method="GET",
        path="/paced",
        workflow=[
            action(
                "each_step",
                "flow.loop",
                {
                    "body": [
                        action("send_progress", "stream.send", eventData={"status": "progress", "done": formula("loop.count"), "total": formula("loop.total")}),
                        action("pause", "flow.wait", milliseconds=2500),
                    ]
                },
                mode="repeat",
                times=STEPS,
            ),
            action("send_done", "stream.send", eventData={"status": "done"}),
        ],
    )
    return project_of(paced)


def test_a_browser_eventsource_survives_dropped_connections_to_two_workers_behind_nginx(serve, nginx, pages, chromium, redis_server):  # noqa: F811
    page = pages["allowed"]
    api = serve(paced_project(), "--store", redis_server.url, "--workers", "2", "--cors", page.origin)
    cutting = SNIPPET.read_text().replace("proxy_read_timeout 3600s;", "proxy_read_timeout 1s;")
    assert "proxy_read_timeout 1s;" in cutting
    proxy = nginx(api, cutting)
    log = chromium(page.page_url(f"{proxy.url}/paced?access_token={api.token}") + "&resume=1")
    report = page.next_report(log)
    assert report["outcome"] == "done", report
    expected = [{"status": "progress", "done": n, "total": STEPS} for n in range(1, STEPS + 1)] + [{"status": "done"}]
    assert [message["data"] for message in report["messages"]] == expected, "every message once, in order"
    run_ids = {message["id"].rpartition(".")[0] for message in report["messages"]}
    assert len(run_ids) == 1, "one run, resumed: never a fresh run on reconnect"
    assert [int(message["id"].rpartition(".")[2]) for message in report["messages"]] == list(range(1, STEPS + 2))
    assert report["drops"] >= 1, "the connection really dropped and was resumed"
    # nginx logs a request once the upstream has closed it, which may come after the page saw the last message
    requests = logged_requests(proxy.error_log.parent / "access.log", at_least=report["drops"] + 1)
    assert len(requests) == report["drops"] + 1, requests
