"""Standard resume in one process: opaque event ids, the resume grace after a dropped connection, bad ids."""

from __future__ import annotations

import asyncio

from app.core.project import EndpointInput
from app.runner.runs import RunChannel
from tests.conftest import action, endpoint, formula, project_of
from tests.runner.conftest import read_sse

GUARD_S = 30
"""A failure bound only."""

COUNTED = endpoint(
    [
        action(
            "each",
            "flow.loop",
            mode="repeat",
            times=formula("inputs.n"),
            slots={"body": [action("send", "stream.send", eventData={"done": formula("loop.count")}), action("pause", "flow.wait", milliseconds=formula("inputs.ms"))]},
        )
    ],
    [EndpointInput(name="n", type="integer", default=20), EndpointInput(name="ms", type="integer", default=50)],
    name="counted",
)
SHORT_GRACE = endpoint(
    [
        action("first", "stream.send", eventData={"status": "starting"}),
        action("pause", "flow.wait", milliseconds=60_000),
        action("last", "stream.send", eventData={"status": "done"}),
    ],
    name="short-grace",
).model_copy(update={"resume_grace": 0.3})


async def _run(served, run_id: str) -> RunChannel:
    async with asyncio.timeout(GUARD_S):
        while (channel := served.state.runs.get(run_id)) is None:
            await asyncio.sleep(0.001)
    return channel


async def test_a_dropped_connection_is_not_a_stop_and_last_event_id_alone_resumes_within_the_grace(serve):
    served = await serve(project_of(COUNTED), resume_grace_s=GUARD_S)
    async with served.client.stream("POST", "/counted", headers=served.auth) as response:
        run_id = response.headers["streamwright-run"]
        before = [e async for e in read_sse(response, limit=3)]
    channel = await _run(served, run_id)
    assert channel.linger_s == GUARD_S, "the server's grace, as the client asked for none"
    async with served.client.stream("POST", "/counted", headers={**served.auth, "Last-Event-ID": before[-1].id}) as response:
        assert response.status_code == 200 and response.headers["streamwright-run"] == run_id
        after = [e async for e in read_sse(response)]
    assert [e.data["done"] for e in before + after] == list(range(1, 21))
    assert [e.id for e in after] == [f"{run_id}.{n}" for n in range(4, 21)]
    assert channel.done and channel.task is not None and not channel.task.cancelled()


async def test_a_run_nobody_resumes_is_cancelled_when_its_endpoints_grace_ends(serve):
    served = await serve(project_of(SHORT_GRACE), resume_grace_s=GUARD_S)  # the endpoint's own 0.3 s wins over the server's
    async with served.client.stream("POST", "/short-grace", headers=served.auth) as response:
        run_id = response.headers["streamwright-run"]
        [first] = [e async for e in read_sse(response, limit=1)]
    channel = await _run(served, run_id)
    assert channel.task is not None
    await asyncio.wait({channel.task}, timeout=GUARD_S)
    assert channel.task.cancelled()
    reason = "nobody resumed the run within its resume grace (0.3 s)"
    assert channel.last_item().data["message"] == reason
    async with served.client.stream("POST", "/short-grace", headers={**served.auth, "Last-Event-ID": first.id}) as response:
        late = [e async for e in read_sse(response)]
    assert [(e.event, e.data["message"]) for e in late] == [("error", reason)], "a late client learns why the run ended"


async def test_an_explicit_linger_overrides_the_grace(serve):
    served = await serve(project_of(SHORT_GRACE), resume_grace_s=GUARD_S)
    headers = {**served.auth, "Streamwright-Run": "lingering-run-1", "Streamwright-Linger": "25"}
    async with served.client.stream("POST", "/short-grace", headers=headers) as response:
        [e async for e in read_sse(response, limit=1)]
    assert (await _run(served, "lingering-run-1")).linger_s == 25


async def test_bad_event_ids_are_400_and_unknown_runs_410(serve):
    served = await serve(project_of(COUNTED, SHORT_GRACE))
    async with served.client.stream("POST", "/counted", params={"n": 2, "ms": 0}, headers=served.auth) as response:
        run_id = response.headers["streamwright-run"]
        events = [e async for e in read_sse(response)]
    assert [e.id for e in events] == [f"{run_id}.1", f"{run_id}.2"]
    for malformed in ("abc.def", f"{run_id}.", f"{run_id}.-1", "short.1", f"{run_id}.1.2", f"{run_id}:1"):
        response = await served.client.post("/counted", headers={**served.auth, "Last-Event-ID": malformed})
        assert response.status_code == 400 and "Last-Event-ID" in response.json()["error"], malformed
    beyond = await served.client.post("/counted", headers={**served.auth, "Last-Event-ID": f"{run_id}.9"})
    assert beyond.status_code == 400 and "beyond the newest message" in beyond.json()["error"]
    unknown = await served.client.post("/counted", headers={**served.auth, "Last-Event-ID": "unknown-run-42.3"})
    assert unknown.status_code == 410 and unknown.json()["error"] == "run unknown-run-42 is no longer available"
    other_run = await served.client.post("/counted", headers={**served.auth, "Streamwright-Run": "another-run-1", "Last-Event-ID": f"{run_id}.1"})
    assert other_run.status_code == 400 and "belongs to run" in other_run.json()["error"]
    other_endpoint = await served.client.post("/short-grace", headers={**served.auth, "Last-Event-ID": f"{run_id}.1"})
    assert other_endpoint.status_code == 409
    replay = await served.client.post("/counted", headers={**served.auth, "Last-Event-ID": f"{run_id}.1"})
    assert [line for line in replay.text.splitlines() if line.startswith("id:")] == [f"id: {run_id}.2"]
