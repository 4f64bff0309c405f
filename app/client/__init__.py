"""How the app talks to workflows: HTTP calls to a runner (httpx + httpx-sse), never Qt.

- :class:`StreamState` is what bindings read (``stream.chunk``, ``stream.chunks``, ...).
- :class:`EndpointClient` calls an endpoint with Handle stream on or off, resumes
  dropped streams and cancels runs.
- :class:`RunnerProcess` starts and supervises ``streamwright serve`` for the preview.
"""

from app.client.endpoint_client import EndpointClient, EndpointLike, ReconnectPolicy, StreamCall
from app.client.runner_process import RunnerProcess, RunnerStartError
from app.client.stream_state import (
    CallCancelledError,
    ConnectionLostError,
    RunnerCrashedError,
    Status,
    StreamError,
    StreamState,
)

__all__ = [
    "CallCancelledError",
    "ConnectionLostError",
    "EndpointClient",
    "EndpointLike",
    "ReconnectPolicy",
    "RunnerCrashedError",
    "RunnerProcess",
    "RunnerStartError",
    "Status",
    "StreamCall",
    "StreamError",
    "StreamState",
]
