"""``stream.parts``: the client keeps the latest message of each part; transient ones stay out of ``chunks``."""

from __future__ import annotations

from app.client import StreamState
from tests.client.conftest import Served
from tests.conftest import action, endpoint, formula, project_of


def test_parts_hold_the_latest_message_of_each_id_and_chunks_stay_the_append_log() -> None:
    state = StreamState(stall_after_s=None)
    state.add_message({"status": "weather", "temp": 1}, "1", "weather")
    kept = state.to_json()["parts"]
    state.add_message({"status": "weather", "temp": 2}, "2", "weather")
    state.add_message({"status": "progress", "done": 1}, "3", "status", transient=True)
    state.add_message({"status": "chunk", "text": "hi"}, "4")
    assert state.parts == {"weather": {"status": "weather", "temp": 2}, "status": {"status": "progress", "done": 1}}
    assert state.chunks == [{"status": "weather", "temp": 1}, {"status": "weather", "temp": 2}, {"status": "chunk", "text": "hi"}]
    assert state.chunk == {"status": "chunk", "text": "hi"} and state.count == 4
    assert kept == {"weather": {"status": "weather", "temp": 1}}  # a snapshot a frame took is never changed under it
    assert (state.last_part, state.last_transient) == (None, False)


async def test_a_served_stream_fills_parts_and_keeps_transient_messages_out_of_chunks(serve, connect) -> None:
    loop = action(
        "steps",
        "flow.loop",
        mode="repeat",
        times=3,
        slots={"body": [action("status", "stream.send", part="status", transient=True, eventData={"status": "progress", "done": formula("loop.count")})]},
    )
    keyed = endpoint([action("start", "stream.send", eventData={"status": "starting"}), loop, action("end", "stream.send", part="summary", eventData={"status": "done"})], name="keyed")
    served: Served = await serve(project_of(keyed))
    state = await connect(served.url).stream("/keyed")
    assert state.status == "done"
    assert state.parts == {"status": {"status": "progress", "done": 3}, "summary": {"status": "done"}}
    assert state.chunks == [{"status": "starting"}, {"status": "done"}]
    assert state.count == 5
    assert state.to_json()["parts"]["status"]["done"] == 3
