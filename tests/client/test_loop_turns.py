"""A burst of buffered messages is handed over in turns: the event loop runs between them, nothing is lost.

The peer is a real HTTP server on 127.0.0.1 that writes a whole SSE response
(thousands of messages) in one go before the client reads it, so each read
the client makes holds hundreds of messages: a burst, as a fast run or a
resumed stream delivers it. The client's clock is a stepped one that moves
1 ms per message, so "a 10 ms share" is exactly ten messages, however busy
the machine is.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator

import pytest

from app.client import EndpointClient, StreamState
from app.client.loop_turns import TurnBudget
from tests.conftest import SteppedClock

BURST = 3_000


@pytest.fixture
async def burst_server() -> AsyncIterator[str]:
    """An HTTP/1.1 server answering any request with ``BURST`` SSE messages written at once, then closing."""
    events = "".join(f"id: {n}\ndata: {json.dumps({'status': 'progress', 'done': n, 'total': BURST})}\n\n" for n in range(1, BURST + 1))
    body = events.encode()

    async def answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.readuntil(b"\r\n\r\n")
        head = f"HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nContent-Length: {len(body)}\r\nConnection: close\r\n\r\n"
        writer.write(head.encode() + body)
        await writer.drain()
        writer.close()

    server = await asyncio.start_server(answer, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    async with server:
        yield f"http://127.0.0.1:{port}"


async def largest_bites(client: EndpointClient, clock: SteppedClock) -> tuple[StreamState, list[int], int]:
    """Stream the burst; what another task saw of ``state.count`` each time the loop let it run."""
    state = StreamState(stall_after_s=None)
    state.on_change.append(lambda _state: clock.advance(0.001))  # each message costs 1 ms on the client's clock
    call = client.start("/burst", state=state)
    seen: list[int] = []

    async def watch() -> None:
        while not call.done:
            seen.append(state.count)
            await asyncio.sleep(0)

    watcher = asyncio.create_task(watch())
    await call.wait()
    await watcher
    seen.append(state.count)
    return state, [later - earlier for earlier, later in zip(seen, seen[1:], strict=False)], call.turns.shares


async def test_a_burst_is_handed_over_in_turns_of_the_budget_with_the_loop_running_between(burst_server: str) -> None:
    clock = SteppedClock()
    async with EndpointClient(burst_server, turn_budget_s=0.010, clock=clock) as client:
        state, bites, shares = await largest_bites(client, clock)

    assert state.status == "done" and state.count == BURST
    assert state.chunks == [{"status": "progress", "done": n, "total": BURST} for n in range(1, BURST + 1)]  # none lost, in order
    assert state.last_seq == str(BURST)
    assert max(bites) <= 10, max(bites)  # never more than a 10 ms share between two turns of the loop
    assert shares >= BURST // 10 - 10  # and the reader itself gave way, not only the network


async def test_without_a_budget_the_same_burst_arrives_in_bites_far_bigger_than_one_share(burst_server: str) -> None:
    """The control: the server really delivers the burst in big reads, so the bound above is the budget's doing."""
    clock = SteppedClock()
    async with EndpointClient(burst_server, turn_budget_s=1e9, clock=clock) as client:
        state, bites, shares = await largest_bites(client, clock)
    assert state.count == BURST and shares == 0
    assert max(bites) > 100, max(bites)


def test_the_budget_is_spent_by_its_own_clock_and_restarts_on_each_turn() -> None:
    clock = SteppedClock()
    turns = TurnBudget(0.002, clock)
    clock.advance(0.0019)
    assert not turns.spent()
    clock.advance(0.0001)
    assert turns.spent()
    turns.restart()
    assert not turns.spent()
    with pytest.raises(ValueError, match="positive"):
        TurnBudget(0, clock)
