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
from app.client.foreground import FOREGROUND_LEAD_S, Foreground
from app.client.loop_turns import MAX_ASIDE_S, MIN_SHARE_S, TurnBudget
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
    async with EndpointClient(burst_server, turn_budget_s=0.010, clock=clock, foreground=Foreground(clock)) as client:
        state, bites, shares = await largest_bites(client, clock)

    assert state.status == "done" and state.count == BURST
    assert state.chunks == [{"status": "progress", "done": n, "total": BURST} for n in range(1, BURST + 1)]  # none lost, in order
    assert state.last_seq == str(BURST)
    assert max(bites) <= 10, max(bites)  # never more than a 10 ms share between two turns of the loop
    assert shares >= BURST // 10 - 10  # and the reader itself gave way, not only the network


async def test_without_a_budget_the_same_burst_arrives_in_bites_far_bigger_than_one_share(burst_server: str) -> None:
    """The control: the server really delivers the burst in big reads, so the bound above is the budget's doing."""
    clock = SteppedClock()
    async with EndpointClient(burst_server, turn_budget_s=1e9, clock=clock, foreground=Foreground(clock)) as client:
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


# -- keeping out of the UI's frame ------------------------------------------------------------------------
def test_a_share_ends_before_the_next_frame_is_due_unless_that_leaves_too_little() -> None:
    clock = SteppedClock()
    foreground = Foreground(clock)
    turns = TurnBudget(0.002, clock, foreground)
    foreground.due(clock() + 0.0018)  # the frame comes in 1.8 ms: the share stops FOREGROUND_LEAD_S before it
    turns.restart()
    clock.advance(0.0018 - FOREGROUND_LEAD_S - 1e-6)
    assert not turns.spent()
    clock.advance(2e-6)
    assert turns.spent()
    foreground.due(clock() + FOREGROUND_LEAD_S + MIN_SHARE_S / 2)  # closer than the shortest share: the shortest
    turns.restart()
    clock.advance(MIN_SHARE_S - 1e-6)
    assert not turns.spent()
    clock.advance(2e-6)
    assert turns.spent()
    foreground.due(clock() - 0.010)  # long overdue: the frame is late or slow, the share is not cut
    turns.restart()
    clock.advance(0.0019)
    assert not turns.spent()
    foreground.idle()
    turns.restart()
    clock.advance(0.002)
    assert turns.spent()


async def test_a_reader_leaves_the_pass_after_a_frame_to_its_repaint() -> None:
    """The frame runs while the reader waits for its turn: the reader gives the next pass away too."""
    clock = SteppedClock()
    foreground = Foreground(clock)
    turns = TurnBudget(0.002, clock, foreground)
    passes: list[str] = []

    async def frame() -> None:
        clock.advance(0.003)
        foreground.ran()
        passes.append("frame")
        await asyncio.sleep(0)
        passes.append("repaint")  # what the next pass holds
        await asyncio.sleep(0)
        passes.append("after")

    task = asyncio.create_task(frame())
    await turns.share()
    passes.append("reader")
    await task
    assert passes == ["frame", "repaint", "reader", "after"] and (turns.shares, turns.asides) == (1, 1)


async def test_a_reader_stands_aside_once_for_a_frame_that_is_due_and_never_longer_than_the_limit() -> None:
    clock = SteppedClock()
    foreground = Foreground(clock)
    turns = TurnBudget(0.002, clock, foreground)
    foreground.due(clock())  # due now, but the timer is late: one pass, then the stream goes on
    await turns.share()
    assert turns.asides == 1

    running = True

    async def busy_frames() -> None:  # a foreground that runs every pass, for ever
        while running:
            clock.advance(0.004)
            foreground.ran()
            await asyncio.sleep(0)

    foreground.idle()
    task = asyncio.create_task(busy_frames())
    started = clock()
    await turns.share()
    running = False
    await task
    assert MAX_ASIDE_S <= clock() - started <= MAX_ASIDE_S + 0.008  # it read again once the limit was reached
    assert MAX_ASIDE_S == 0.020 and turns.asides - 1 == 4  # aside after the frames at 4, 8, 12 and 16 ms; at 20 it reads


def test_coming_back_from_the_network_starts_a_fresh_budget_and_asks_the_foreground() -> None:
    clock = SteppedClock()
    foreground = Foreground(clock)
    turns = TurnBudget(0.002, clock, foreground)
    clock.advance(0.0015)
    waited_from = clock()
    clock.advance(0.010)  # the read waited 10 ms; meanwhile nothing ran
    turns.came_back(waited_from)
    assert not turns.due()
    clock.advance(0.0019)
    assert not turns.due()  # a fresh 2 ms, not what was left before the wait
    clock.advance(0.0001)
    assert turns.due()
    waited_from = clock()
    clock.advance(0.003)
    foreground.ran()  # a frame ran during the wait: its repaint comes next, so give way first
    clock.advance(0.001)
    turns.came_back(waited_from)
    assert turns.due() and not turns.due()  # asked once; then the fresh budget counts
    waited_from = clock()
    clock.advance(0.003)
    foreground.due(clock())  # a message arrives just as a frame is due: read it now, so that frame shows it
    turns.came_back(waited_from)
    assert not turns.due()


@pytest.fixture
async def paused_server() -> AsyncIterator[tuple[str, asyncio.Event]]:
    """Sends one SSE message, waits until the test sets the event, then sends a second and ends."""
    release = asyncio.Event()

    async def answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.readuntil(b"\r\n\r\n")
        writer.write(b'HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nConnection: close\r\n\r\nid: 1\ndata: {"n": 1}\n\n')
        await writer.drain()
        await release.wait()
        writer.write(b'id: 2\ndata: {"n": 2}\n\n')
        await writer.drain()
        writer.close()

    server = await asyncio.start_server(answer, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    async with server:
        yield f"http://127.0.0.1:{port}", release


@pytest.mark.parametrize("frame_ran", [True, False])
async def test_a_reader_back_from_waiting_for_the_network_gives_way_when_a_frame_ran_meanwhile(paused_server: tuple[str, asyncio.Event], frame_ran: bool) -> None:
    url, release = paused_server
    clock = SteppedClock()
    foreground = Foreground(clock)
    async with EndpointClient(url, clock=clock, foreground=foreground) as client:
        call = client.start("/paused")
        while call.state.count < 1:
            await asyncio.sleep(0)
        clock.advance(0.050)  # the reader has been waiting for the network 50 ms by its clock...
        if frame_ran:
            foreground.ran()  # ...and the frame ran in the meantime
        release.set()
        state = await call.wait()
    assert state.chunks == [{"n": 1}, {"n": 2}]
    assert call.turns.shares == (1 if frame_ran else 0)  # back in the repaint's pass, it gave the pass away first


async def test_a_reader_on_its_own_clock_compares_times_with_the_foreground_on_the_foreground_s_clock() -> None:
    """A client given a test's stepped clock still shares the process's real-time foreground (the editor's frames):
    a frame that ran before the share started is not taken for one that ran during it."""
    clock = SteppedClock()  # the reader's, and it never moves
    foreground = Foreground()  # real time
    turns = TurnBudget(0.002, clock, foreground)
    foreground.ran()
    await asyncio.wait_for(turns.share(), timeout=10)
    assert turns.asides == 0
    mark = turns.mark()
    foreground.ran()  # during a wait for the network: the next pass is the repaint's
    turns.came_back(mark)
    assert turns.due()
