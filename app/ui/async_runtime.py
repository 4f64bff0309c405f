"""Running ``app.client`` coroutines from Qt slots, on the asyncio loop that qasync puts inside Qt's.

The editor runs one ``qasync.QEventLoop`` (see ``app/ui/app.py``): Qt's event
loop *is* the asyncio loop, so a coroutine started from a slot runs on the UI
thread between Qt events, and its results can touch widgets directly. The
coroutines only do I/O (HTTP to the runner process); workflows never run here.

``spawn(coro)`` is the one way a widget starts one: it keeps the task alive
until it ends (asyncio holds tasks only weakly) and reports an unexpected
exception through ``sys.excepthook`` (the app's crash dialog; pytest-qt turns
it into a test failure) instead of losing it.
"""

from __future__ import annotations

import sys
from collections.abc import Coroutine
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    import asyncio

__all__ = ["spawn"]

T = TypeVar("T")

_tasks: set[asyncio.Task[Any]] = set()


def spawn(coro: Coroutine[Any, Any, T], *, name: str | None = None) -> asyncio.Task[T]:
    """Start ``coro`` on the running (qasync) loop; a ``RuntimeError`` if none runs."""
    import asyncio  # here, not at the top: the editor's window shows before asyncio is imported

    try:
        loop = asyncio.get_running_loop()
    except RuntimeError:
        coro.close()
        raise RuntimeError("no asyncio loop runs inside Qt: create a qasync.QEventLoop first (see app/ui/app.py)") from None
    task = loop.create_task(coro, name=name)
    _tasks.add(task)
    task.add_done_callback(_finished)
    return task


def _finished(task: asyncio.Task[Any]) -> None:
    _tasks.discard(task)
    if task.cancelled():
        return
    error = task.exception()
    if error is not None:
        sys.excepthook(type(error), error, error.__traceback__)
