"""ReadDeadline: a read waiting past its deadline is cancelled as asyncio.timeout_at would; nothing else is.

The reads here wait on futures the test resolves. A deadline already past fires on
the loop's next turn, and one far ahead never fires during a test, so no test
depends on how fast the machine is; an early firing of the shared timer is its
``_fire`` callback run by hand, which is what the loop does when the timer is due.
"""

from __future__ import annotations

import asyncio

import pytest

from app.core.read_deadline import ReadDeadline

FAR = 3600.0


async def read(deadline: ReadDeadline, until: float, data: asyncio.Future[str]) -> str:
    """One read as the upstream reader does it: 'timeout' when the deadline cancelled it."""
    deadline.start(until)
    try:
        return await data
    except asyncio.CancelledError:
        if deadline.expired():
            return "timeout"
        raise
    finally:
        deadline.stop()


async def test_a_read_waiting_past_its_deadline_times_out():
    loop = asyncio.get_running_loop()
    deadline = ReadDeadline(loop)
    assert await read(deadline, loop.time() - 1, loop.create_future()) == "timeout"
    deadline.close()


async def test_reads_that_move_the_deadline_on_are_not_cut_by_the_timer_set_for_an_earlier_one():
    loop = asyncio.get_running_loop()
    deadline = ReadDeadline(loop)
    first: asyncio.Future[str] = loop.create_future()
    first.set_result("a")
    assert await read(deadline, loop.time() + FAR, first) == "a"
    second: asyncio.Future[str] = loop.create_future()
    reading = asyncio.ensure_future(read(deadline, loop.time() + 2 * FAR, second))
    await asyncio.sleep(0)  # the read is waiting now
    deadline._fire()  # the timer armed for the first read's deadline goes off during the second
    await asyncio.sleep(0)
    assert not reading.done()
    second.set_result("b")
    assert await reading == "b"
    deadline.close()


async def test_a_later_read_with_a_shorter_deadline_is_still_bounded():
    """The first byte may wait long, each idle gap less: the timer moves earlier for the shorter one."""
    loop = asyncio.get_running_loop()
    deadline = ReadDeadline(loop)
    first: asyncio.Future[str] = loop.create_future()
    first.set_result("first byte")
    assert await read(deadline, loop.time() + FAR, first) == "first byte"
    assert await read(deadline, loop.time() - 1, loop.create_future()) == "timeout"
    deadline.close()


async def test_cancelling_the_reader_is_a_cancel_not_a_timeout():
    loop = asyncio.get_running_loop()
    deadline = ReadDeadline(loop)
    reading = asyncio.ensure_future(read(deadline, loop.time() + FAR, loop.create_future()))
    await asyncio.sleep(0)
    reading.cancel()
    with pytest.raises(asyncio.CancelledError):
        await reading
    deadline.close()


async def test_a_cancel_arriving_with_the_deadline_still_cancels():
    """Stop and timeout at once: the stop wins, as with asyncio.timeout_at."""
    loop = asyncio.get_running_loop()
    deadline = ReadDeadline(loop)
    reading = asyncio.ensure_future(read(deadline, loop.time() - 1, loop.create_future()))
    await asyncio.sleep(0)  # the read started; its timer is due
    reading.cancel()
    with pytest.raises(asyncio.CancelledError):
        await reading
    deadline.close()


async def test_a_timer_firing_between_reads_cancels_nothing():
    loop = asyncio.get_running_loop()
    deadline = ReadDeadline(loop)
    done: asyncio.Future[str] = loop.create_future()
    done.set_result("x")
    assert await read(deadline, loop.time() - 1, done) == "x"  # the data was there before the deadline mattered
    await asyncio.sleep(0)  # the due timer fires with no read waiting
    await asyncio.sleep(0)
    assert asyncio.current_task() is not None and asyncio.current_task().cancelling() == 0  # type: ignore[union-attr]
    deadline.close()
