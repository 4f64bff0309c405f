"""Dropped connections, cut for real by a TCP proxy between the client and uvicorn.

The client resumes with ``Last-Event-ID`` and its own run id; every message
must arrive exactly once and in order, however many times the line is cut.
"""

from __future__ import annotations

import pytest

from app.client import ConnectionLostError, ReconnectPolicy, StreamState
from app.core.project import Project
from tests.client.conftest import TcpProxy, eventually, until
from tests.conftest import action, endpoint, formula, project_of

TOTAL = 60


def ticking(total: int = TOTAL, wait_ms: int = 5, first_wait_ms: int = 0) -> Project:
    body = [action("tick", "stream.send", eventData={"status": "progress", "n": formula("loop.count")}), action("pause", "flow.wait", milliseconds=wait_ms)]
    workflow = [action("warm_up", "flow.wait", milliseconds=first_wait_ms), action("each", "flow.loop", {"body": body}, mode="repeat", times=total)]
    return project_of(endpoint(workflow))


def cut_at(proxy: TcpProxy, state: StreamState, *counts: int) -> None:
    """Sever the proxy the moment the client has seen message ``count`` (each once)."""
    pending = set(counts)

    def check(changed: StreamState) -> None:
        if changed.count in pending:
            pending.discard(changed.count)
            proxy.sever()

    state.on_change.append(check)


async def test_every_message_arrives_exactly_once_in_order_across_cuts(serve, connect, proxy) -> None:
    served = await serve(ticking())
    line, url = await proxy(served.url)
    state = StreamState()
    cut_at(line, state, 1, 10, 35)
    await connect(url).stream("/ep", state=state)

    assert state.status == "done", state.error
    assert [chunk["n"] for chunk in state.chunks] == list(range(1, TOTAL + 1))
    assert (state.count, state.last_seq) == (TOTAL, str(TOTAL))
    assert state.reconnects >= 3 and line.connections >= 4


async def test_a_cut_before_the_first_message_resumes_the_same_run(serve, connect, proxy) -> None:
    served = await serve(ticking(total=5, first_wait_ms=300))
    line, url = await proxy(served.url)
    state = StreamState()
    call = connect(url).start("/ep", state=state)
    await eventually(lambda: served.state.runs.get(call.run_id) is not None)
    line.sever()
    await call.wait()
    assert state.status == "done", state.error
    assert [chunk["n"] for chunk in state.chunks] == [1, 2, 3, 4, 5]
    assert len(served.state.runs.active()) == 0 and served.state.runs.get(call.run_id).done


async def test_handle_stream_off_survives_a_cut_too(serve, connect, proxy) -> None:
    served = await serve(ticking(total=30, wait_ms=2))
    line, url = await proxy(served.url)
    client = connect(url)
    call = client.start("/ep", handle_stream=False)
    await eventually(lambda: (run := served.state.runs.get(call.run_id)) is not None and run.delivered >= 3)
    line.sever()
    result = await call.result()
    assert [message["n"] for message in result] == list(range(1, 31))


async def test_it_gives_up_after_a_bounded_number_of_attempts_with_a_clear_error(serve, connect, proxy) -> None:
    served = await serve(ticking(total=1000, wait_ms=50))
    line, url = await proxy(served.url)
    policy = ReconnectPolicy(max_attempts=3, first_delay_s=0.01, max_delay_s=0.02)
    state = StreamState()
    call = connect(url, reconnect=policy).start("/ep", state=state)
    await until(state, lambda s: s.count >= 2)
    await line.close()
    await call.wait()
    assert state.status == "error"
    assert isinstance(state.error, ConnectionLostError)
    assert state.error.message.startswith(f"lost the connection to {url} and could not reconnect after 3 attempts")
    assert state.reconnects == 3


async def test_a_run_that_is_gone_when_reconnecting_is_a_clear_error(serve, connect, proxy) -> None:
    served = await serve(ticking(total=1000, wait_ms=50), max_linger_s=0, resume_keep_s=0)
    line, url = await proxy(served.url)
    state = StreamState()
    call = connect(url).start("/ep", state=state)
    await until(state, lambda s: s.count >= 1)
    line.gate.clear()  # reconnects wait at the proxy until the server has dropped the run
    line.sever()
    await eventually(lambda: served.state.runs.get(call.run_id) is None)
    line.gate.set()
    await call.wait()
    assert isinstance(state.error, ConnectionLostError)
    assert state.error.message == f"the connection dropped and run {call.run_id} is no longer available"
    assert state.error.status_code == 410


async def test_it_cannot_connect_to_a_server_that_is_not_there(connect, proxy, serve) -> None:
    served = await serve(ticking(total=1))
    line, url = await proxy(served.url)
    await line.close()
    client = connect(url, reconnect=ReconnectPolicy(max_attempts=2, first_delay_s=0.01))
    with pytest.raises(ConnectionLostError, match=f"could not connect to {url}"):
        await client.call("/ep")
    assert served.state.runs.active() == []
