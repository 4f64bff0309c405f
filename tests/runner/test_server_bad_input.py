"""Bad requests get a clear 4xx naming what is wrong, never a 500, and the server keeps answering."""

from __future__ import annotations

import json

import pytest

from app.core.project_file import load_project, to_document
from tests.conftest import EXAMPLE, project_of
from tests.runner.conftest import read_sse
from tests.runner.test_server_lifecycle import NUMBERED

BAD_BODIES = {
    "deep array": ("[" * 100_000).encode(),
    "deep object": ('{"a":' * 50_000 + "1" + "}" * 50_000).encode(),
    "invalid UTF-8": b'{"text": "\xff\xfe"}',
    "NaN": b'{"text": NaN}',
    "Infinity deep inside": b'{"text": "x", "extra": {"list": [1, -Infinity]}}',
    "number out of range": b'{"n": 1e400}',
    "unpaired surrogate": b'{"text": "\\ud800"}',
    "huge integer": b'{"n": ' + b"9" * 5000 + b"}",
}


@pytest.mark.parametrize("name", BAD_BODIES)
async def test_a_bad_json_body_is_422_naming_the_body_and_the_server_goes_on(serve, name: str):
    served = await serve(load_project(EXAMPLE))
    response = await served.client.post("/typewriter", content=BAD_BODIES[name], headers={**served.auth, "Content-Type": "application/json"})
    assert response.status_code == 422, response.text
    assert "body" in response.json()["fields"]
    assert (await served.client.get("/", headers=served.auth)).status_code == 200


async def test_the_refusal_names_where_in_the_body(serve):
    served = await serve(load_project(EXAMPLE))
    response = await served.client.post("/typewriter", content=BAD_BODIES["Infinity deep inside"], headers=served.auth)
    assert "$.extra.list[1]" in response.json()["fields"]["body"]
    response = await served.client.post("/typewriter", content=BAD_BODIES["invalid UTF-8"], headers=served.auth)
    assert "not UTF-8" in response.json()["fields"]["body"] and "byte 10" in response.json()["fields"]["body"]


@pytest.mark.parametrize("name", BAD_BODIES)
async def test_a_bad_pushed_project_is_400(serve, name: str):
    served = await serve(load_project(EXAMPLE))
    response = await served.client.put("/_admin/project", content=BAD_BODIES[name], headers=served.auth)
    assert response.status_code == 400, response.text
    assert "not accepted JSON" in response.json()["error"]


async def test_a_pushed_project_with_nan_names_its_json_path(serve):
    served = await serve(load_project(EXAMPLE))
    text = json.dumps(to_document(load_project(EXAMPLE))).replace('"stepDelayMs", "type": "integer", "required": false, "default": 2400', '"stepDelayMs", "type": "integer", "required": false, "default": NaN')
    assert "NaN" in text
    response = await served.client.put("/_admin/project", content=text.encode(), headers=served.auth)
    assert response.status_code == 400 and "$.endpoints[0].inputs[" in response.json()["error"]


@pytest.mark.parametrize("host", ["127.0.0.1:8000@evil.example", "[::1]evil.example", "localhost@evil.example", "127.0.0.1:80:80", "[::1", "localhost:99999", "127.0.0.1/x", "[zz]:80", "localhost evil.example"])
async def test_a_host_header_that_is_not_exactly_host_and_port_is_403(serve, host: str):
    served = await serve(load_project(EXAMPLE))
    response = await served.client.get("/", headers={**served.auth, "Host": host})
    assert response.status_code == 403


@pytest.mark.parametrize("host", ["localhost:", "[::1]", "127.0.0.1:65535", "LocalHost:8000"])
async def test_well_formed_loopback_hosts_still_pass(serve, host: str):
    served = await serve(load_project(EXAMPLE))
    assert (await served.client.get("/", headers={**served.auth, "Host": host})).status_code == 200


async def test_an_ipv6_bound_host_is_matched_in_brackets(serve):
    served = await serve(load_project(EXAMPLE), bound_host="fd00::5")
    assert (await served.client.get("/", headers={**served.auth, "Host": "[fd00::5]:8000"})).status_code == 200


@pytest.mark.parametrize("last_event_id", ["-1", "+1", "1_0", "abc", "1.0", "0x1", "99999999999999999999999"])
async def test_a_malformed_last_event_id_is_400(serve, last_event_id: str):
    served = await serve(project_of(NUMBERED))
    headers = {**served.auth, "Streamwright-Run": "finished-run-9"}
    async with served.client.stream("POST", "/numbered", params={"n": 2, "ms": 0}, headers=headers) as response:
        assert [int(e.id) async for e in read_sse(response)] == [1, 2]
    for run_headers in (headers, {**served.auth, "Streamwright-Run": "never-ran-run"}):
        response = await served.client.post("/numbered", headers={**run_headers, "Last-Event-ID": last_event_id})
        assert response.status_code == 400, (last_event_id, response.text)
        assert "Last-Event-ID" in response.json()["error"]
