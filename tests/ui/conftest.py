"""Fixtures shared by the UI tests."""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine, Iterator
from typing import Any, TypeVar

import pytest
import qasync
from PySide6.QtWidgets import QApplication

from app.ui.app import keep_clipboard_as_text

RUN_TIMEOUT_MS = 30_000
T = TypeVar("T")


@pytest.fixture(scope="session", autouse=True)
def clipboard_released_at_the_end(qapp) -> Iterator[None]:  # type: ignore[no-untyped-def]
    """Tests copy actions to the clipboard; release it the way the app does at quit, or the process crashes on exit."""
    yield
    keep_clipboard_as_text()


@pytest.fixture
def qt_loop(qapp: QApplication) -> Iterator[qasync.QEventLoop]:
    """The app's arrangement (one qasync loop: Qt's event loop *is* the asyncio loop), for synchronous qtbot tests.

    The loop is created, set as the current loop and marked as the running one
    (``asyncio._set_running_loop``, what ``run_forever`` does), but never run:
    the test body stays synchronous, and whatever processes Qt events -
    ``qtbot.waitUntil``, ``waitSignal``, ``waitExposed`` - also runs the asyncio
    callbacks, which qasync turns into Qt timers and socket notifiers. So a slot
    that calls ``spawn()`` works as in the app, and a test waits for a
    condition with ``qtbot.waitUntil``/``waitSignal``, never by sleeping; to
    await a coroutine from the test body use :func:`drive` (not
    ``loop.run_until_complete``: the loop counts as running).

    Teardown cancels leftover tasks and drives them to their end, unsets the
    running loop (pytest-asyncio tests later in the session need none) and
    closes the loop. qasync's own ``already_running=True`` is avoided: ending
    it means ``stop()``, which calls ``QApplication.exit()`` outside ``exec()``
    and makes every later ``QEventLoop.exec()`` - so ``qtbot.waitSignal`` -
    return at once.
    """
    loop = qasync.QEventLoop(qapp)
    asyncio.set_event_loop(loop)
    asyncio._set_running_loop(loop)
    try:
        yield loop
    finally:
        leftovers = [task for task in asyncio.all_tasks(loop) if not task.done()]
        for task in leftovers:
            task.cancel()
        deadline = loop.time() + 10
        while any(not task.done() for task in leftovers) and loop.time() < deadline:
            qapp.processEvents()
        asyncio._set_running_loop(None)
        asyncio.set_event_loop(None)
        loop.close()


def drive(qtbot: Any, coro: Coroutine[Any, Any, T], timeout_ms: int = RUN_TIMEOUT_MS) -> T:
    """Run ``coro`` to its end on the Qt-driven loop (see ``qt_loop``) and return its result."""
    task = asyncio.get_running_loop().create_task(coro)
    qtbot.waitUntil(task.done, timeout=timeout_ms)
    return task.result()
