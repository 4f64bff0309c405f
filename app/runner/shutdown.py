"""Noticing that the ASGI server is stopping, whichever server it is, so open streams end with an error saying so.

ASGI tells the application nothing until every connection has closed (the
lifespan's shutdown comes last), so a stream still open when the server
stops would simply be cut when the server's drain time runs out: an NDJSON
client would see a truncated body, not the error line. The application
watches for the stop itself:

- under uvicorn (``serve``, ``uvicorn --workers``, gunicorn's uvicorn
  workers) the process's SIGTERM handler is the uvicorn ``Server``'s bound
  ``handle_exit``; its ``should_exit`` flag is polled, as uvicorn polls it;
- where nothing handles SIGTERM in this process (hypercorn's workers, which
  its main process stops through a shared event, then terminates), SIGTERM
  is taken here: it ends the streams, later ones are ignored while the
  server drains, and unless the server has stopped the process within
  ``RESEND_AFTER_S`` the default comes back and the signal is delivered
  again, so a worker told to stop still stops.
"""

from __future__ import annotations

import asyncio
import os
import signal
from collections.abc import Callable
from typing import Any

POLL_S = 0.1
"""How often the uvicorn flag is read: well inside uvicorn's and serve's one-second drain."""
RESEND_AFTER_S = 10.0
"""With the SIGTERM taken here: how long the server gets to stop the process itself once the streams have ended."""


def _uvicorn_server() -> Any | None:
    handler = signal.getsignal(signal.SIGTERM)
    server = getattr(handler, "__self__", None)
    return server if hasattr(server, "should_exit") else None


async def end_streams_on_shutdown(end_streams: Callable[[], None]) -> None:
    """Call ``end_streams`` once, when the server this process runs starts to stop; runs until cancelled."""
    loop = asyncio.get_running_loop()
    if signal.getsignal(signal.SIGTERM) in (signal.SIG_DFL, None):
        stopping = asyncio.Event()
        try:
            loop.add_signal_handler(signal.SIGTERM, stopping.set)
        except (NotImplementedError, RuntimeError, ValueError):  # not the main thread, or not POSIX: nothing to take over
            return
        try:
            await stopping.wait()
            end_streams()
            await asyncio.sleep(RESEND_AFTER_S)  # the server stops the process meanwhile (its lifespan's end cancels this)
        finally:
            loop.remove_signal_handler(signal.SIGTERM)
        os.kill(os.getpid(), signal.SIGTERM)  # the default is back: this one stops the process
        return
    while True:
        server = _uvicorn_server()
        if server is not None and server.should_exit:
            end_streams()
            return
        await asyncio.sleep(POLL_S)
