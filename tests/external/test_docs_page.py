"""``GET /docs`` in headless Chromium: the page renders every endpoint, its inputs and its message statuses offline."""

from __future__ import annotations

import re
import subprocess
import tempfile

from tests.external.conftest import require_tool
from tests.external.test_browser import CHROMIUM_FLAGS

DUMP_TIMEOUT_S = 180.0


def test_the_docs_page_renders_endpoints_and_message_statuses(serve, example_project):
    chromium = require_tool("chromium")
    server = serve(example_project)
    with tempfile.TemporaryDirectory() as profile:
        dumped = subprocess.run(
            [chromium, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", "--dump-dom", f"{server.url}/docs?access_token={server.token}"],
            capture_output=True, text=True, timeout=DUMP_TIMEOUT_S,
        )  # fmt: skip
    dom = dumped.stdout
    assert 'data-rendered="4"' in dom, dumped.stderr[-3000:]
    for path in ("/generate-report", "/typewriter", "/long-import", "/ask-ai"):
        assert f'<code class="path">{path}</code>' in dom
    statuses = re.findall(r'<span class="status">status: (\w+)</span>', dom)
    assert statuses == ["starting", "progress", "done", "starting", "chunk", "done", "starting", "progress", "done", "starting", "chunk", "done"]
    assert ">stepDelayMs<" in dom and "≥ 0, ≤ 10000" in dom  # inputs with their limits


def test_the_docs_page_needs_the_token(serve, example_project):
    curl = require_tool("curl")
    server = serve(example_project)
    status = subprocess.run([curl, "-s", "-o", "/dev/null", "-w", "%{http_code}", f"{server.url}/docs"], capture_output=True, text=True, timeout=60)
    assert status.stdout == "401"
