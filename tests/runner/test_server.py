"""The runner over real HTTP: the stream on the wire, normal calls, inputs, downloads, admin."""

from __future__ import annotations

import asyncio
import json

import httpx

from app.core.project import EndpointInput, Project
from app.core.project_file import load_project, to_document
from tests.conftest import EXAMPLE, action, endpoint, formula, project_of
from tests.runner.conftest import read_sse

SLOW = endpoint(
    [
        action("first", "stream.send", eventData={"status": "starting"}),
        action("pause", "flow.wait", milliseconds=formula("inputs.ms")),
        action("last", "stream.send", eventData={"status": "done"}),
    ],
    [EndpointInput(name="ms", type="integer", default=30_000)],
    name="slow",
)


async def test_messages_are_sse_events_with_id_and_data(serve):
    served = await serve(load_project(EXAMPLE))
    async with served.client.stream("POST", "/typewriter", params={"text": "a b", "delayMs": 0}, headers=served.auth) as response:
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/event-stream")
        assert response.headers["cache-control"] == "no-cache"
        assert response.headers["x-accel-buffering"] == "no"
        run_id = response.headers["streamwright-run"]
        events = [e async for e in read_sse(response)]
    assert [(e.event, e.id, e.data) for e in events] == [  # an unnamed run's ids carry it: <run>.<seq>
        ("message", f"{run_id}.1", {"status": "starting"}),
        ("message", f"{run_id}.2", {"status": "chunk", "text": "a "}),
        ("message", f"{run_id}.3", {"status": "chunk", "text": "b"}),
        ("message", f"{run_id}.4", {"status": "done", "words": 2}),
    ]


async def test_the_response_starts_with_the_first_message_before_the_endpoint_finishes(serve):
    served = await serve(project_of(SLOW))
    async with served.client.stream("POST", "/slow", headers=served.auth) as response:
        first = [e async for e in read_sse(response, limit=1)]
        assert first[0].data == {"status": "starting"}
        (channel,) = served.state.runs.active()
        assert not channel.done, "the endpoint is still in its Wait"


async def test_a_failure_after_the_stream_started_is_an_error_event(serve):
    served = await serve(project_of(endpoint([action("s", "stream.send", eventData={"status": "starting"}), action("boom", "flow.throw", message="disk full")])))
    async with served.client.stream("POST", "/ep", headers=served.auth) as response:
        events = [e async for e in read_sse(response)]
    assert [e.event for e in events] == ["message", "error"]
    assert events[1].data == {"message": "disk full", "action": "boom", "actionType": "flow.throw"}


async def test_a_failure_before_the_stream_is_an_http_500_naming_the_action(serve):
    served = await serve(project_of(endpoint([action("boom", "flow.throw", message="no data")])))
    response = await served.client.post("/ep", headers=served.auth)
    assert response.status_code == 500
    assert response.json() == {"error": "no data", "action": "boom", "actionType": "flow.throw"}


async def test_return_response_in_a_stream_is_a_result_event(serve):
    served = await serve(project_of(endpoint([action("s", "stream.send", eventData={"status": "x"}), action("r", "response.return", statusCode=201, body={"ok": True})])))
    async with served.client.stream("POST", "/ep", headers=served.auth) as response:
        events = [e async for e in read_sse(response)]
    assert [(e.event, e.data) for e in events] == [("message", {"status": "x"}), ("result", {"statusCode": 201, "body": {"ok": True}})]


async def test_an_endpoint_without_messages_is_one_json_response_with_its_status(serve):
    served = await serve(project_of(endpoint([action("r", "response.return", statusCode=201, body={"id": formula("inputs.n * 2")})], [EndpointInput(name="n", type="integer")])))
    response = await served.client.post("/ep", json={"n": 21}, headers=served.auth)
    assert (response.status_code, response.json()) == (201, {"id": 42})
    assert response.headers["content-type"] == "application/json"


async def test_without_return_a_normal_call_answers_200_null(serve):
    served = await serve(project_of(endpoint([action("v", "variable.set", name="x", value=1)])))
    response = await served.client.post("/ep", headers=served.auth)
    assert (response.status_code, response.json()) == (200, None)


async def test_ndjson_when_asked(serve):
    served = await serve(load_project(EXAMPLE))
    headers = {**served.auth, "Accept": "application/x-ndjson"}
    async with served.client.stream("POST", "/typewriter", json={"text": "hi", "delayMs": 0}, headers=headers) as response:
        assert response.headers["content-type"].startswith("application/x-ndjson")
        lines = [json.loads(line) async for line in response.aiter_lines() if line.strip()]
    assert lines == [
        {"event": "message", "id": 1, "data": {"status": "starting"}},
        {"event": "message", "id": 2, "data": {"status": "chunk", "text": "hi"}},
        {"event": "message", "id": 3, "data": {"status": "done", "words": 1}},
    ]


async def test_bad_or_missing_inputs_are_422_naming_the_field(serve):
    served = await serve(project_of(endpoint([], [EndpointInput(name="rows", type="integer", required=True), EndpointInput(name="label")])))
    missing = await served.client.post("/ep", headers=served.auth)
    assert (missing.status_code, missing.json()["fields"]) == (422, {"rows": "is required"})
    wrong = await served.client.post("/ep", params={"rows": "many"}, headers=served.auth)
    assert wrong.status_code == 422 and "rows" in wrong.json()["fields"]
    wrong_body = await served.client.post("/ep", json={"rows": "5"}, headers=served.auth)
    assert wrong_body.json()["fields"] == {"rows": "expected integer, got string"}
    not_object = await served.client.post("/ep", content=b"[1]", headers=served.auth)
    assert not_object.status_code == 422 and "body" in not_object.json()["fields"]
    ok = await served.client.post("/ep", params={"rows": "5"}, json={"label": "x"}, headers=served.auth)
    assert ok.status_code == 200


async def test_query_inputs_work_for_get_endpoints(serve):
    ep = endpoint([action("r", "response.return", body=formula("inputs.q & '!'"))], [EndpointInput(name="q")], name="hello")
    served = await serve(project_of(ep.model_copy(update={"method": "GET"})))
    response = await served.client.get("/hello", params={"q": "hi"}, headers=served.auth)
    assert response.json() == "hi!"


async def test_unknown_paths_and_methods(serve):
    served = await serve(load_project(EXAMPLE))
    assert (await served.client.get("/nope", headers=served.auth)).status_code == 404
    refused = await served.client.get("/typewriter", headers=served.auth)
    assert refused.status_code == 405
    assert refused.headers["allow"] == "POST"


async def test_listing_names_every_endpoint_with_inputs(serve):
    served = await serve(load_project(EXAMPLE))
    listing = (await served.client.get("/", headers=served.auth)).json()
    assert [e["name"] for e in listing["endpoints"]] == ["generate-report", "typewriter", "long-import", "ask-ai"]
    typewriter = listing["endpoints"][1]
    assert typewriter["url"] == served.url + "/typewriter" and [i["name"] for i in typewriter["inputs"]] == ["text", "delayMs"]


async def test_downloads_are_served_with_type_and_disposition(serve):
    served = await serve(load_project(EXAMPLE), project_dir=EXAMPLE.parent)
    async with served.client.stream("POST", "/generate-report", json={"stepDelayMs": 0}, headers=served.auth) as response:
        events = [e async for e in read_sse(response)]
    url = events[-1].data["downloadUrl"]
    assert url.startswith(served.url + "/runs/")
    async with httpx.AsyncClient() as browser:  # no token: the signed link is enough
        download = await browser.get(url)
        assert download.status_code == 200
        assert download.headers["content-type"].startswith("text/csv")
        assert download.headers["content-disposition"] == 'attachment; filename="sales-report-2026-01-01.csv"'
        assert download.text.startswith("region,orders,units,revenue\n")
        unsigned = await browser.get(url.split("?")[0])
        assert unsigned.status_code == 401
        other = url.replace("sales-report-2026-01-01.csv", "other.csv")
        assert (await browser.get(other)).status_code == 401, "a signature is valid for its own path only"


async def test_unknown_or_traversing_download_paths_are_404(serve):
    served = await serve(load_project(EXAMPLE))
    (served.settings.output_root / "secret.txt").parent.mkdir(parents=True, exist_ok=True)
    (served.settings.output_root / "secret.txt").write_text("x")
    for path in ["/runs/abcdefgh1234/files/none.csv", "/runs/abcdefgh1234/files/..%2Fsecret.txt", "/runs/..%2F..%2Fx/files/a", "/runs/abcdefgh1234/files/%2Fetc%2Fpasswd"]:
        response = await served.client.get(path, headers=served.auth)
        assert response.status_code == 404, path


async def test_admin_push_replaces_the_project(serve):
    served = await serve(load_project(EXAMPLE))
    replacement = project_of(endpoint([action("r", "response.return", body="new")], name="fresh"))
    pushed = await served.client.put("/_admin/project", json=to_document(replacement), headers=served.auth)
    assert pushed.json() == {"ok": True, "endpoints": ["fresh"]}
    assert (await served.client.post("/fresh", headers=served.auth)).json() == "new"
    assert (await served.client.post("/typewriter", headers=served.auth)).status_code == 404


async def test_admin_push_of_a_broken_project_is_refused_and_keeps_the_old_one(serve):
    served = await serve(load_project(EXAMPLE))
    broken = to_document(load_project(EXAMPLE))
    broken["endpoints"][0]["workflow"][0]["type"] = "no.such"
    response = await served.client.put("/_admin/project", json=broken, headers=served.auth)
    assert response.status_code == 422
    assert response.json()["problems"][0]["path"] == "$.endpoints[0].workflow[0].type"
    assert (await served.client.get("/", headers=served.auth)).json()["endpoints"][0]["name"] == "generate-report"


async def test_trace_events_only_when_asked(serve):
    served = await serve(project_of(endpoint([action("s", "stream.send", eventData={"status": "x"}), action("l", "debug.log", message="hi")])))
    headers = {**served.auth, "Streamwright-Trace": "1"}
    async with served.client.stream("POST", "/ep", headers=headers) as response:
        events = [e async for e in read_sse(response)]
    kinds = [(e.event, e.data.get("kind") if e.event == "trace" else None) for e in events]
    assert ("message", None) in kinds and ("trace", "log") in kinds and ("trace", "action_started") in kinds
    async with served.client.stream("POST", "/ep", headers=served.auth) as response:
        plain = [e async for e in read_sse(response)]
    assert [e.event for e in plain] == ["message"]


async def test_idle_streams_get_heartbeat_comments(serve):
    served = await serve(project_of(SLOW), heartbeat_s=0.05)
    async with served.client.stream("POST", "/slow", params={"ms": 400}, headers=served.auth) as response:
        events = [e async for e in read_sse(response)]
    assert [e.event for e in events if not e.comment] == ["message", "message"]
    assert any(e.comment and e.data == "heartbeat" for e in events)


async def test_endpoint_paths_with_parameters_become_inputs(serve):
    ep = endpoint([action("r", "response.return", body=formula("inputs.id * 10"))], [EndpointInput(name="id", type="integer")], name="item")
    served = await serve(project_of(ep.model_copy(update={"method": "GET", "path": "/items/{id}"})))
    assert (await served.client.get("/items/7", headers=served.auth)).json() == 70


async def test_concurrent_runs_do_not_mix(serve):
    served = await serve(load_project(EXAMPLE))

    async def words(text: str) -> list[str]:
        async with served.client.stream("POST", "/typewriter", json={"text": text, "delayMs": 5}, headers=served.auth) as response:
            return [e.data.get("text", "") async for e in read_sse(response) if e.data.get("status") == "chunk"]

    results = await asyncio.gather(*(words(f"run{i} a b c") for i in range(8)))
    assert results == [[f"run{i} ", "a ", "b ", "c"] for i in range(8)]


async def test_a_method_no_endpoint_has_gets_405_with_the_paths_methods(serve):
    served = await serve(load_project(EXAMPLE))
    for method in ["OPTIONS", "HEAD", "PUT"]:
        refused = await served.client.request(method, "/typewriter", headers=served.auth)
        assert (refused.status_code, refused.headers["allow"]) == (405, "POST"), method


async def test_a_body_that_is_not_utf8_is_a_422_naming_the_body(serve):
    served = await serve(load_project(EXAMPLE))
    response = await served.client.post("/typewriter", headers={**served.auth, "Content-Type": "application/json"}, content=b"\xff\x00!")
    assert response.status_code == 422
    assert "not UTF-8 text" in response.json()["fields"]["body"]
