"""Runner security: token, Host header, CORS, body limit, loopback by default."""

from __future__ import annotations

import httpx

from app.cli.main import build_parser
from app.core.project_file import load_project
from tests.conftest import EXAMPLE


async def test_requests_without_the_token_get_401(serve):
    served = await serve(load_project(EXAMPLE))
    for request in [served.client.get("/"), served.client.post("/typewriter"), served.client.put("/_admin/project", json={})]:
        response = await request
        assert response.status_code == 401
        assert response.headers["www-authenticate"].startswith("Bearer")
    wrong = await served.client.get("/", headers={"Authorization": "Bearer nope"})
    assert wrong.status_code == 401


async def test_the_token_is_accepted_as_bearer_header_or_access_token_query(serve):
    served = await serve(load_project(EXAMPLE))
    assert (await served.client.get("/", headers=served.auth)).status_code == 200
    assert (await served.client.get("/", headers={"Authorization": f"bearer {served.settings.token}"})).status_code == 200
    assert (await served.client.get("/", params={"access_token": served.settings.token})).status_code == 200


async def test_the_access_token_is_not_taken_for_an_input(serve):
    served = await serve(load_project(EXAMPLE))
    response = await served.client.post("/typewriter", params={"access_token": served.settings.token, "text": "x", "delayMs": 0})
    assert response.status_code == 200


async def test_public_mode_needs_no_token_and_has_no_admin_route(serve):
    served = await serve(load_project(EXAMPLE), token=None)
    assert (await served.client.get("/")).status_code == 200
    assert (await served.client.put("/_admin/project", json={})).status_code == 404


async def test_a_foreign_host_header_gets_403(serve):
    served = await serve(load_project(EXAMPLE))
    for host in ["evil.example", "evil.example:80", "127.0.0.1.evil.example", "localhost.evil"]:
        response = await served.client.get("/", headers={**served.auth, "Host": host})
        assert response.status_code == 403, host
    for host in ["localhost", "localhost:8000", "127.0.0.1", "[::1]:8000", "LOCALHOST"]:
        response = await served.client.get("/", headers={**served.auth, "Host": host})
        assert response.status_code == 200, host


async def test_the_bound_host_name_is_accepted(serve):
    served = await serve(load_project(EXAMPLE), bound_host="studio.local")
    assert (await served.client.get("/", headers={**served.auth, "Host": "studio.local:8000"})).status_code == 200


async def test_no_cors_headers_unless_origins_are_named(serve):
    served = await serve(load_project(EXAMPLE))
    response = await served.client.get("/", headers={**served.auth, "Origin": "http://page.example"})
    assert "access-control-allow-origin" not in response.headers
    preflight = await served.client.options("/typewriter", headers={"Origin": "http://page.example", "Access-Control-Request-Method": "POST"})
    assert "access-control-allow-origin" not in preflight.headers


async def test_cors_allows_exactly_the_named_origins(serve):
    served = await serve(load_project(EXAMPLE), cors_origins=["http://page.example"])
    allowed = await served.client.get("/", headers={**served.auth, "Origin": "http://page.example"})
    assert allowed.headers["access-control-allow-origin"] == "http://page.example"
    other = await served.client.get("/", headers={**served.auth, "Origin": "http://other.example"})
    assert "access-control-allow-origin" not in other.headers
    preflight = await served.client.options(
        "/typewriter", headers={"Origin": "http://page.example", "Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "authorization"}
    )
    assert preflight.status_code == 200 and preflight.headers["access-control-allow-origin"] == "http://page.example"


async def test_request_bodies_over_the_limit_get_413(serve):
    served = await serve(load_project(EXAMPLE), max_body_bytes=1000)
    declared = await served.client.post("/typewriter", content=b"x" * 2000, headers=served.auth)
    assert declared.status_code == 413

    async def chunks():  # no Content-Length: the limit is enforced while reading
        for _ in range(10):
            yield b"x" * 500

    streamed = await served.client.post("/typewriter", content=chunks(), headers=served.auth)
    assert streamed.status_code == 413
    assert (await served.client.post("/typewriter", json={"text": "ok", "delayMs": 0}, headers=served.auth)).status_code == 200


def test_serve_binds_loopback_unless_told_otherwise():
    args = build_parser().parse_args(["serve", "x.streamwright.json"])
    assert args.host == "127.0.0.1" and not args.public and args.cors == []


async def test_download_links_of_a_public_server_are_plain(serve):
    served = await serve(load_project(EXAMPLE), token=None, project_dir=EXAMPLE.parent)
    response = await served.client.post("/generate-report", json={"stepDelayMs": 0})
    url = [line for line in response.text.splitlines() if "downloadUrl" in line][0]
    assert "?sig=" not in url
    async with httpx.AsyncClient() as browser:
        link = url.split('"downloadUrl":"')[1].split('"')[0]
        assert (await browser.get(link)).status_code == 200


async def test_a_wrong_token_beside_a_right_one_is_refused(serve):
    served = await serve(load_project(EXAMPLE))
    token = served.settings.token
    assert (await served.client.get("/", headers=served.auth, params={"access_token": "wrong"})).status_code == 401
    assert (await served.client.get("/", headers={"Authorization": "Bearer wrong"}, params={"access_token": token})).status_code == 401
    assert (await served.client.get("/", headers=served.auth, params={"access_token": token})).status_code == 200
    assert (await served.client.get("/", headers=served.auth, params={"access_token": "tōken"})).status_code == 401  # not ASCII: refused, not a 500


async def test_a_request_naming_a_running_run_with_bad_inputs_is_422_not_a_resume(serve):
    served = await serve(load_project(EXAMPLE))
    headers = {**served.auth, "Streamwright-Run": "run-under-test-1", "Streamwright-Linger": "30"}
    async with served.client.stream("POST", "/typewriter", headers=headers, params={"text": "a b c d e f", "delayMs": 50}) as first:
        assert first.status_code == 200
        refused = await served.client.post("/typewriter", headers=headers, params={"text": "x", "delayMs": -1})
        assert refused.status_code == 422 and "delayMs" in refused.json()["fields"]
