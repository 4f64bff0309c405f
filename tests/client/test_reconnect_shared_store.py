"""The editor's client resuming on another worker: two servers sharing one real redis-server, a proxy that moves the line.

The proxy first leads to the server that owns the run; after a cut it leads
to the other one, as a load balancer may. The client's resume carries its run
in ``Last-Event-ID``; every message must still arrive exactly once, in order.
"""

from __future__ import annotations

from app.client import StreamState
from tests.client.conftest import until
from tests.client.test_reconnect import ticking


async def test_a_cut_call_resumes_on_the_other_worker_with_every_message_once(serve, connect, proxy, redis_server) -> None:
    project = ticking(total=40, wait_ms=20)
    owner = await serve(project, store_url=redis_server.url)
    other = await serve(project, store_url=redis_server.url)
    line, url = await proxy(owner.url)
    state = StreamState()
    call = connect(url).start("/ep", state=state)
    await until(state, lambda s: s.count >= 5)
    line.target_port = int(other.url.rsplit(":", 1)[1])  # from now on the line leads to the other worker
    line.sever()
    await call.wait()
    assert state.status == "done", state.error
    assert [chunk["n"] for chunk in state.chunks] == list(range(1, 41))
    assert state.reconnects >= 1
    assert owner.state.runs.get(call.run_id) is not None and other.state.runs.get(call.run_id) is None, "the other worker only followed it"
