"""Property: arbitrary requests (method, path, headers, body) to a real served project never get a 5xx.

The project's endpoints cannot fail for any input they accept (they echo
their inputs or stream one message), so any 5xx would be the server's own
failure. uvicorn runs in a thread on 127.0.0.1, port 0; the test is a plain
httpx client.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import uvicorn
from hypothesis import given
from hypothesis import strategies as st

from app.core.project import EndpointInput
from app.runner.server import ServeSettings, create_app
from tests.conftest import action, endpoint, formula, project_of
from tests.fuzz.strategies import JSON_VALUES, dumps_loose, nested

TOKEN = "fuzz-token-0123456789"
TYPES = ["string", "number", "integer", "boolean", "object", "array"]
INPUTS = [EndpointInput(name=f"{kind}_in", type=kind) for kind in TYPES]  # type: ignore[arg-type]
PROJECT = project_of(
    endpoint([action("r", "response.return", body=formula("inputs"))], INPUTS, name="echo"),
    endpoint([action("s", "stream.send", eventData={"status": "done", "echo": formula("inputs")})], INPUTS, name="stream"),
)


class _Server(uvicorn.Server):
    def __init__(self, config: uvicorn.Config) -> None:
        super().__init__(config)
        self.ready = threading.Event()

    async def startup(self, sockets=None) -> None:  # type: ignore[no-untyped-def]
        try:
            await super().startup(sockets=sockets)
        finally:
            self.ready.set()


@pytest.fixture(scope="module")
def base_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    root: Path = tmp_path_factory.mktemp("fuzz-serve")
    settings = ServeSettings(project_dir=root, output_root=root / "output", token=TOKEN, heartbeat_s=0.5, max_body_bytes=64_000)
    server = _Server(uvicorn.Config(create_app(PROJECT, settings), host="127.0.0.1", port=0, log_level="critical", lifespan="on"))
    thread = threading.Thread(target=lambda: asyncio.run(server.serve()), name="fuzz-serve", daemon=True)
    thread.start()
    assert server.ready.wait(30) and server.started
    port = server.servers[0].sockets[0].getsockname()[1]
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(30)


@pytest.fixture(scope="module")
def client(base_url: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=base_url, timeout=30) as http:
        yield http


HEADER_VALUE = st.text(alphabet=st.characters(min_codepoint=0x20, max_codepoint=0xFF, exclude_characters="\x7f"), max_size=40).map(str.strip)
HEADERS = st.dictionaries(
    st.sampled_from(["Last-Event-ID", "Streamwright-Run", "Streamwright-Linger", "Streamwright-Trace", "Accept", "Content-Type", "Host", "Origin", "Authorization"]),
    HEADER_VALUE | st.sampled_from(["-1", "1", "application/x-ndjson", "localhost", "127.0.0.1:1@evil", "[::1]x", "run-12345678", "1e999", "NaN"]),
    max_size=4,
)
BODIES = st.one_of(
    st.sampled_from([b"", b"\xff\xfe", b'{"string_in": "\\ud800"}', b'{"number_in": NaN}', b"[" * 100_000, b'{"number_in": 1e999}']),
    st.binary(max_size=300),
    st.dictionaries(st.sampled_from([spec.name for spec in INPUTS]) | st.text(max_size=8), JSON_VALUES, max_size=4).map(lambda d: dumps_loose(d).encode("utf-8", "surrogatepass")),
    nested().map(lambda t: t.encode()),
)
PATHS = st.sampled_from(["/echo", "/stream", "/", "/_runs/run-12345678", "/runs/run-12345678/files/x.csv", "/_admin/project", "/nope"]) | st.from_regex(r"\A/[A-Za-z0-9_./%-]{0,30}\Z")
QUERIES = st.dictionaries(st.sampled_from([*(spec.name for spec in INPUTS), "sw-run", "sw-linger", "x"]), HEADER_VALUE | st.sampled_from(["NaN", "1e999", "[" * 300, "%ff"]), max_size=3)


ROUTES = st.sampled_from([("POST", "/echo"), ("POST", "/stream"), ("PUT", "/_admin/project")]) | st.tuples(st.sampled_from(["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]), PATHS)
"""Mostly the real endpoints and the project push, where bodies are read."""


@given(ROUTES, QUERIES, HEADERS, BODIES)
def test_no_request_gets_a_5xx(client: httpx.Client, route: tuple[str, str], query: dict[str, str], headers: dict[str, str], body: bytes) -> None:
    method, path = route
    raw = {name: value.encode("latin-1") for name, value in {"Authorization": f"Bearer {TOKEN}", **headers}.items()}  # as on the wire
    request = client.build_request(method, path, params=query, headers=raw, content=body)
    response = client.send(request, stream=True)
    try:
        assert response.status_code < 500, (response.status_code, response.read()[:300])
    finally:
        response.close()
    assert client.get("/", headers={"Authorization": f"Bearer {TOKEN}"}).status_code == 200, "the server keeps answering"
