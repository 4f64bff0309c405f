"""``GET /_probe``: the timed stream ``streamwright doctor`` reads through a proxy.

The schedule is checked on a stepped clock (no waiting); the route over real
HTTP on a real uvicorn.
"""

from __future__ import annotations

import json
from typing import Any

from app.runner.probe import ProbeSettings, probe_events
from tests.conftest import project_of
from tests.runner.conftest import read_sse


class SteppedClock:
    """A clock that only moves when the probe sleeps, by exactly what it asked for."""

    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.now += seconds


async def frames(settings: ProbeSettings, heartbeat_s: float = 5.0) -> list[bytes]:
    clock = SteppedClock()
    return [frame async for frame in probe_events(settings, run_id="probe-x", heartbeat_s=heartbeat_s, request_seen={"httpVersion": "1.1"}, clock=clock, sleep=clock.sleep)]


def parse(frame: bytes) -> dict[str, Any]:
    fields = dict(line.split(": ", 1) for line in frame.decode().strip().split("\n"))
    return {"event": fields["event"], "id": int(fields["id"]), "data": json.loads(fields["data"]), "size": len(frame)}


async def test_events_leave_on_schedule_each_saying_when():
    sent = [parse(f) for f in await frames(ProbeSettings(events=4, interval_s=0.3))]
    assert [e["event"] for e in sent] == ["probe"] * 4 + ["end"]
    assert [e["id"] for e in sent] == [1, 2, 3, 4, 5]
    assert [e["data"]["t"] for e in sent[:4]] == [0.0, 0.3, 0.6, 0.9]
    assert sent[0]["data"]["run"] == "probe-x" and sent[0]["data"]["heartbeat"] == 5.0
    assert sent[0]["data"]["request"] == {"httpVersion": "1.1"}
    assert sent[4]["data"] == {"events": 4, "t": 0.9}


async def test_the_idle_pause_follows_the_first_event_with_heartbeats_as_real_streams_have():
    out = await frames(ProbeSettings(events=3, interval_s=0.5, idle_s=10.0), heartbeat_s=3.0)
    assert out[1:4] == [b": heartbeat\n\n"] * 3  # at 3, 6 and 9 s; the next would come after the pause ends
    sent = [parse(f) for f in out if not f.startswith(b":")]
    assert [e["data"]["t"] for e in sent[:3]] == [0.0, 10.5, 11.0]


async def test_padding_makes_every_event_at_least_that_big_and_hard_to_compress():
    import zlib

    sent = [parse(f) for f in await frames(ProbeSettings(events=3, interval_s=0, pad_bytes=4096))]
    assert all(e["size"] >= 4096 for e in sent[:3]) and all(e["size"] < 4200 for e in sent[:3])
    padding = sent[1]["data"]["padding"].encode()
    assert len(zlib.compress(padding)) > len(padding) * 0.7


async def test_the_route_streams_the_probe_with_a_stream_s_headers(serve):
    served = await serve(project_of())
    async with served.client.stream("GET", "/_probe", params={"events": 3, "interval": 0.01, "pad": 300}, headers=served.auth) as response:
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/event-stream")
        assert response.headers["cache-control"] == "no-cache"
        assert response.headers["x-accel-buffering"] == "no"
        run = response.headers["streamwright-run"]
        events = [e async for e in read_sse(response)]
    assert [(e.event, e.id) for e in events] == [("probe", "1"), ("probe", "2"), ("probe", "3"), ("end", "4")]
    first = events[0].data
    assert first["run"] == run and first["heartbeat"] == served.settings.heartbeat_s
    assert first["request"]["httpVersion"] == "1.1" and first["request"]["host"].startswith("127.0.0.1:")
    assert [e.data["t"] for e in events[:3]] == sorted(e.data["t"] for e in events[:3])
    assert events[2].data["t"] >= 0.02  # never early: the third event leaves two intervals after the first


async def test_the_probe_needs_the_token_like_every_route(serve):
    served = await serve(project_of())
    response = await served.client.get("/_probe")
    assert response.status_code == 401


async def test_bad_parameters_are_a_422_naming_each(serve):
    served = await serve(project_of())
    response = await served.client.get("/_probe", params={"events": "0", "interval": "fast", "idle": "nan", "bogus": "1"}, headers=served.auth)
    assert response.status_code == 422
    fields = response.json()["fields"]
    assert set(fields) == {"events", "interval", "idle", "bogus"}
    assert "from 1 to 100" in fields["events"] and "'fast'" in fields["interval"] and "unknown parameter" in fields["bogus"]
    assert (await served.client.get("/", headers=served.auth)).status_code == 200  # the server keeps running
