"""How the app talks to workflows: HTTP calls to a runner (httpx + httpx-sse), never Qt.

- :class:`StreamState` is what bindings read (``stream.chunk``, ``stream.chunks``, ...).
- :class:`EndpointClient` calls an endpoint with Handle stream on or off, resumes
  dropped streams and cancels runs.
- :class:`RunnerProcess` starts and supervises ``streamwright serve`` for the preview.

Names are imported on first use (PEP 562): httpx alone takes ~0.1 s to
import, and the editor's window should not wait for it before the first run.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # re-exported for type checkers ("X as X"); at run time __getattr__ imports them
    from app.client.endpoint_client import EndpointClient as EndpointClient
    from app.client.endpoint_client import EndpointLike as EndpointLike
    from app.client.endpoint_client import ReconnectPolicy as ReconnectPolicy
    from app.client.endpoint_client import StreamCall as StreamCall
    from app.client.runner_process import RunnerProcess as RunnerProcess
    from app.client.runner_process import RunnerStartError as RunnerStartError
    from app.client.stream_state import CallCancelledError as CallCancelledError
    from app.client.stream_state import ConnectionLostError as ConnectionLostError
    from app.client.stream_state import RunnerCrashedError as RunnerCrashedError
    from app.client.stream_state import Status as Status
    from app.client.stream_state import StreamError as StreamError
    from app.client.stream_state import StreamState as StreamState

_HOMES = {
    "EndpointClient": "endpoint_client",
    "EndpointLike": "endpoint_client",
    "ReconnectPolicy": "endpoint_client",
    "StreamCall": "endpoint_client",
    "RunnerProcess": "runner_process",
    "RunnerStartError": "runner_process",
    "CallCancelledError": "stream_state",
    "ConnectionLostError": "stream_state",
    "RunnerCrashedError": "stream_state",
    "Status": "stream_state",
    "StreamError": "stream_state",
    "StreamState": "stream_state",
}

__all__ = sorted(_HOMES)


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module 'app.client' has no attribute {name!r}")
    return getattr(importlib.import_module(f"app.client.{home}"), name)
