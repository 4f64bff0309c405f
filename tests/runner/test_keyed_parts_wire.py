"""Keyed parts on the wire: SSE ``event: part`` and NDJSON ``"event": "part"``; plain messages unchanged."""

from __future__ import annotations

import json

from tests.conftest import action, endpoint, formula, project_of
from tests.runner.conftest import read_sse

KEYED = endpoint(
    [
        action("start", "stream.send", eventData={"status": "starting"}),
        action(
            "steps",
            "flow.loop",
            mode="repeat",
            times=2,
            slots={"body": [action("status", "stream.send", part="status", transient=True, eventData={"status": "progress", "done": formula("loop.count")})]},
        ),
        action("weather", "stream.send", part=formula('"weather-" & "oslo"'), eventData={"status": "weather", "city": "Oslo"}),
    ],
    name="keyed",
)


async def test_a_keyed_message_is_a_part_event_with_its_sequence_number(serve):
    served = await serve(project_of(KEYED))
    async with served.client.stream("POST", "/keyed", headers=served.auth) as response:
        run_id = response.headers["Streamwright-Run"]
        events = [e async for e in read_sse(response)]
    assert [(e.event, e.id, e.data) for e in events] == [  # an unnamed run's ids carry it: <run>.<seq>
        ("message", f"{run_id}.1", {"status": "starting"}),
        ("part", f"{run_id}.2", {"part": "status", "transient": True, "data": {"status": "progress", "done": 1}}),
        ("part", f"{run_id}.3", {"part": "status", "transient": True, "data": {"status": "progress", "done": 2}}),
        ("part", f"{run_id}.4", {"part": "weather-oslo", "data": {"status": "weather", "city": "Oslo"}}),
    ]


async def test_ndjson_lines_carry_the_part_beside_the_data(serve):
    served = await serve(project_of(KEYED))
    headers = {**served.auth, "Accept": "application/x-ndjson"}
    async with served.client.stream("POST", "/keyed", headers=headers) as response:
        lines = [json.loads(line) async for line in response.aiter_lines() if line]
    assert lines == [
        {"event": "message", "id": 1, "data": {"status": "starting"}},
        {"event": "part", "id": 2, "part": "status", "transient": True, "data": {"status": "progress", "done": 1}},
        {"event": "part", "id": 3, "part": "status", "transient": True, "data": {"status": "progress", "done": 2}},
        {"event": "part", "id": 4, "part": "weather-oslo", "data": {"status": "weather", "city": "Oslo"}},
    ]


async def test_resuming_after_a_part_event_counts_it(serve):
    served = await serve(project_of(KEYED))
    headers = {**served.auth, "Streamwright-Run": "keyed-run-1", "Streamwright-Linger": "5"}
    async with served.client.stream("POST", "/keyed", headers=headers) as response:
        first = [e async for e in read_sse(response)]
    assert len(first) == 4
    async with served.client.stream("POST", "/keyed", headers={**headers, "Last-Event-ID": "2"}) as response:
        rest = [(e.event, e.id) async for e in read_sse(response)]
    assert rest == [("part", "3"), ("part", "4")]
