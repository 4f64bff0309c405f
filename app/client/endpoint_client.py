"""Calling an endpoint of a runner: the one way the app talks to a workflow over HTTP.

A call follows the wire contract in ``app/runner/server.py``: Server-Sent
Events whose default events are the stream's messages (``id:`` = sequence),
ended by nothing, ``event: result`` or ``event: error``; or, for an endpoint
that streams nothing, one JSON body with its status code.

Every call names its own run (``Streamwright-Run``) and asks it to linger, so
a dropped connection is resumed with ``Last-Event-ID`` (every message exactly
once, in order) and a cancel can reach the run (``DELETE /_runs/<id>``) even
before the response has started. The resume sends an event token that carries
the run (``app.core.run_ids``), so it needs nothing else to find the run: on
any worker of a shared store, and through a proxy that drops our headers.
"""

from __future__ import annotations

import asyncio
import json
import re
import time
import uuid
from collections import deque
from collections.abc import AsyncIterator, Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol, Self
from urllib.parse import quote

import httpx
from httpx_sse import EventSource

from app.client.foreground import FOREGROUND, Foreground
from app.client.loop_turns import AWAY_S, TURN_BUDGET_S, TurnBudget
from app.client.stream_state import ConnectionLostError, StateCall, StreamError, StreamState
from app.core.run_ids import RUN_ID, event_id_prefix, parse_event_id

__all__ = ["EndpointClient", "EndpointLike", "ReconnectPolicy", "StreamCall"]

RUN_HEADER = "Streamwright-Run"
LINGER_HEADER = "Streamwright-Linger"
TRACE_HEADER = "Streamwright-Trace"
SSE_MEDIA_TYPE = "text/event-stream"
_PATH_PARAM = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)(?::[A-Za-z_]+)?\}")
_NOT_SENT = (httpx.ConnectError, httpx.ConnectTimeout)
"""Failures before the request left: trying again cannot run the workflow twice."""


class EndpointLike(Protocol):
    """Anything with a method and a path, such as ``app.core.project.Endpoint``."""

    @property
    def method(self) -> str: ...

    @property
    def path(self) -> str: ...


@dataclass(frozen=True)
class ReconnectPolicy:
    """How hard to try resuming a dropped stream: ``max_attempts`` in a row, waits growing from ``first_delay_s``.

    The run lingers on the server for ``linger_s`` after its connection
    drops; the default waits (0.2 + 0.4 + 0.8 + 1.6 + 2 s) stay inside it.
    """

    max_attempts: int = 5
    first_delay_s: float = 0.2
    max_delay_s: float = 2.0
    linger_s: float = 15.0

    def delay(self, attempt: int) -> float:
        return min(self.first_delay_s * 2.0 ** (attempt - 1), self.max_delay_s)


class _Resumable(Exception):
    """The connection broke; ``sent``: the request may have reached the server, so resume rather than start over."""

    def __init__(self, *, progressed: bool, sent: bool) -> None:
        self.progressed = progressed
        self.sent = sent


class StreamCall(StateCall):
    """One running call: its live ``state``, ``await call.wait()`` for the end, ``await call.cancel()`` to stop it."""

    def __init__(self, client: EndpointClient, request: _Request, state: StreamState, handle_stream: bool) -> None:
        self.client = client
        self.state = state
        self.run_id = request.run_id
        self.handle_stream = handle_stream
        self._request = request
        self._finished = asyncio.Event()
        self._held: list[Any] | deque[Any] = [] if state.retention is None else deque(maxlen=state.retention)
        self._answered = False  # response headers seen at least once
        self.turns = TurnBudget(client.turn_budget_s, client.clock, client.foreground)
        """The reader's share of each loop turn (``turns.shares``: how often it gave the loop back)."""
        state.begin(self.run_id)
        self._task = asyncio.create_task(self._run(), name=f"stream {self.run_id}")

    async def cancel(self) -> None:
        """Close the connection and cancel the run on the server, so it stops even while lingering."""
        if self.done:
            return
        self.state.cancel()
        await self.halt()
        self._set_finished()
        await self.client.cancel_run(self.run_id)

    async def halt(self) -> None:
        """Stop reading (the connection closes) without deciding how the call ended; see ``abort``."""
        if not self._task.done():
            self._task.cancel()
            await asyncio.wait({self._task})

    def abort(self, error: StreamError) -> None:
        """End a halted call with ``error`` (used when the runner itself went away)."""
        self.state.fail(error)
        self._set_finished()

    def _set_finished(self) -> None:
        self._finished.set()
        self.client._calls.discard(self)

    # -- the reading loop ---------------------------------------------------
    async def _run(self) -> None:
        try:
            await self._follow()
        except StreamError as error:
            self.state.fail(error)
        except asyncio.CancelledError:
            raise
        except Exception as error:  # noqa: BLE001 - any surprise still ends the call with a reason
            self.state.fail(StreamError(f"the call failed: {type(error).__name__}: {error}"))
        finally:
            if self.state.finished:
                self._set_finished()

    async def _follow(self) -> None:
        policy = self.client.reconnect
        resuming = False
        attempts = 0
        while True:
            try:
                await self._connect(resuming)
                return
            except _Resumable as broken:
                cause = broken.__cause__
                progressed = broken.progressed
                resuming = broken.sent or self._answered
            except _NOT_SENT as error:  # nothing was sent: trying again starts the run afresh
                cause, progressed = error, False
            attempts = 1 if progressed else attempts + 1
            if attempts > policy.max_attempts:
                if not self._answered:
                    raise ConnectionLostError(f"could not connect to {self.client.base_url}: {_describe(cause)}")
                raise ConnectionLostError(
                    f"lost the connection to {self.client.base_url} and could not reconnect after {policy.max_attempts} attempts: {_describe(cause)}"
                )
            await asyncio.sleep(policy.delay(attempts))
            self.state.note_reconnect()

    async def _connect(self, resuming: bool) -> None:
        """One connection, read to the end; ``_Resumable`` if it broke after the request may have been sent."""
        request = self._request
        headers = dict(request.headers)
        if resuming:
            headers["Last-Event-ID"] = event_id_prefix(self.run_id) + (self.state.last_seq or "0")
        progressed = False
        try:
            async with self.client.http.stream(request.method, request.url, headers=headers, content=request.content) as response:
                if resuming and response.status_code == 410:
                    await response.aread()
                    if not self._answered:
                        # A stale pooled connection failed before the server saw the request: nothing ran yet.
                        raise _Resumable(progressed=False, sent=False)
                    raise ConnectionLostError(f"the connection dropped and {_server_message(response)}", status_code=410)
                self._answered = True
                if response.headers.get("content-type", "").partition(";")[0].strip() != SSE_MEDIA_TYPE:
                    await response.aread()
                    self._answer(response.status_code, _json_body(response))
                    return
                turns = self.turns
                turns.restart()
                if isinstance(response.stream, httpx.AsyncByteStream):
                    response.stream = _NetworkWaits(response.stream, turns)
                async for event in EventSource(response).aiter_sse():
                    if turns.due():  # a buffered batch is parsed in one go: let the UI's frame and paint in between
                        await turns.share()
                    kind = event.event
                    if kind == "message":
                        progressed = True
                        self._message(json.loads(event.data), event.id)
                    elif kind == "part":  # a keyed message: {"part", "transient"?, "data"}
                        progressed = True
                        envelope = json.loads(event.data)
                        self._message(envelope["data"], event.id, envelope["part"], envelope.get("transient", False))
                    elif kind == "trace":
                        self.state.add_trace(json.loads(event.data))
                    elif kind == "result":
                        result = json.loads(event.data)
                        self._answer(result["statusCode"], result["body"])
                    elif kind == "error":
                        error = json.loads(event.data)
                        self.state.fail(StreamError(error["message"], action=error.get("action"), action_type=error.get("actionType")))
                self._answer(200, self._held_result())  # a stream without Return response simply ends
        except _NOT_SENT as error:
            if resuming:
                raise _Resumable(progressed=False, sent=True) from error
            raise
        except httpx.TransportError as error:
            raise _Resumable(progressed=progressed, sent=True) from error

    def _message(self, data: Any, event_id: str, part: str | None = None, transient: bool = False) -> None:
        seq = _sequence_number(event_id)
        if self.handle_stream:
            self.state.add_message(data, seq, part, transient)
        else:
            if not transient:
                self._held.append(data)
            self.state.last_seq = seq
            self.state.touch()

    def _held_result(self) -> Any:
        return None if self.handle_stream else list(self._held)

    def _answer(self, status_code: int, body: Any) -> None:
        """The call's end: a body and status, or, for 4xx/5xx, an error with the server's message."""
        if self.state.finished:
            return
        if status_code < 400:
            self.state.finish(body, status_code)
            return
        if isinstance(body, dict) and isinstance(body.get("error"), str):
            fields = body.get("fields") if isinstance(body.get("fields"), dict) else None
            self.state.fail(StreamError(body["error"], action=body.get("action"), action_type=body.get("actionType"), status_code=status_code, fields=fields, body=body))
        else:
            self.state.fail(StreamError(f"the endpoint answered HTTP {status_code}", status_code=status_code, body=body))


class _NetworkWaits(httpx.AsyncByteStream):
    """A response body that tells ``turns`` when a read had to wait for the network (see ``app.client.loop_turns``)."""

    def __init__(self, stream: httpx.AsyncByteStream, turns: TurnBudget) -> None:
        self._stream = stream
        self._turns = turns

    async def __aiter__(self) -> AsyncIterator[bytes]:
        clock, turns = self._turns.clock, self._turns
        chunks = self._stream.__aiter__()
        while True:
            started, mark = clock(), turns.mark()
            try:
                chunk = await anext(chunks)
            except StopAsyncIteration:
                return
            if clock() - started >= AWAY_S:
                turns.came_back(mark)
            yield chunk

    async def aclose(self) -> None:
        await self._stream.aclose()


@dataclass(frozen=True)
class _Request:
    run_id: str
    method: str
    url: str
    headers: Mapping[str, str]
    content: bytes | None


class EndpointClient:
    """Calls endpoints of one runner (``base_url``), with its bearer ``token``.

    ``start`` returns at once with a running :class:`StreamCall`; ``stream``
    awaits it; ``call`` is Handle stream off: it returns the one final result
    or raises :class:`StreamError`. ``transport`` is for tests that need one.
    A call reads messages for at most ``turn_budget_s`` of ``clock`` before it
    gives the event loop a turn, and leaves the passes ``foreground`` (the
    editor's preview frames) needs to it (``app.client.loop_turns``).
    """

    def __init__(
        self,
        base_url: str,
        *,
        token: str | None = None,
        reconnect: ReconnectPolicy | None = None,
        connect_timeout_s: float = 10.0,
        transport: httpx.AsyncBaseTransport | None = None,
        turn_budget_s: float = TURN_BUDGET_S,
        clock: Callable[[], float] = time.perf_counter,
        foreground: Foreground | None = FOREGROUND,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.turn_budget_s = turn_budget_s
        self.clock = clock
        self.foreground = foreground
        self.token = token
        self.reconnect = reconnect or ReconnectPolicy()
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        # No read timeout: a run may wait minutes before its first byte; ``stalled`` tells the UI instead.
        timeout = httpx.Timeout(connect_timeout_s, read=None)
        self.http = httpx.AsyncClient(base_url=self.base_url, headers=headers, timeout=timeout, transport=transport)
        self._calls: set[StreamCall] = set()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        """Cancel the calls still running (their runs too), then close the connections."""
        await asyncio.gather(*(call.cancel() for call in list(self._calls)))
        await self.http.aclose()

    # -- calls ---------------------------------------------------------------
    def start(
        self,
        endpoint: EndpointLike | str,
        inputs: Mapping[str, Any] | None = None,
        *,
        method: str = "POST",
        handle_stream: bool = True,
        state: StreamState | None = None,
        trace: bool = False,
        run_id: str | None = None,
    ) -> StreamCall:
        """Start calling ``endpoint`` (a path such as ``"/typewriter"``, or an object with method and path)."""
        if not isinstance(endpoint, str):
            method, endpoint = endpoint.method, endpoint.path
        if run_id is not None and not RUN_ID.match(run_id):
            raise ValueError("a run id is 8 to 64 letters, digits, '-' or '_'")
        request = self._build(method.upper(), endpoint, dict(inputs or {}), run_id or uuid.uuid4().hex, trace)
        call = StreamCall(self, request, state if state is not None else StreamState(), handle_stream)
        self._calls.add(call)
        return call

    async def stream(self, endpoint: EndpointLike | str, inputs: Mapping[str, Any] | None = None, **options: Any) -> StreamState:
        """Handle stream on, to the end: the state with every message and how the call ended."""
        return await self.start(endpoint, inputs, **options).wait()

    async def call(self, endpoint: EndpointLike | str, inputs: Mapping[str, Any] | None = None, **options: Any) -> Any:
        """Handle stream off: the one final result (a Return body; the messages for a stream without one)."""
        return await self.start(endpoint, inputs, handle_stream=False, **options).result()

    async def cancel_run(self, run_id: str) -> bool:
        """Ask the server to cancel a run; False if it was already over, gone, or the server is unreachable."""
        try:
            response = await self.http.delete(f"/_runs/{quote(run_id)}")
        except httpx.TransportError:
            return False
        return response.status_code == 200 and bool(response.json().get("cancelled"))

    async def download(self, url: str, destination: str | Path) -> Path:
        """Save a file a run made (its ``downloadUrl``) to ``destination``."""
        destination = Path(destination)
        async with self.http.stream("GET", url) as response:
            if response.status_code >= 400:
                await response.aread()
                _raise_for_status(response)
            with destination.open("wb") as file:  # noqa: ASYNC230 - a local file, written in small pieces
                async for data in response.aiter_bytes():
                    file.write(data)
        return destination

    # -- runner routes ---------------------------------------------------------
    async def list_endpoints(self) -> list[dict[str, Any]]:
        response = await self.http.get("/")
        _raise_for_status(response)
        return list(response.json()["endpoints"])

    async def push_project(self, document: Mapping[str, Any]) -> None:
        """Replace the project the runner serves (``PUT /_admin/project``); a rejected one raises with its problems."""
        response = await self.http.put("/_admin/project", content=json.dumps(document).encode(), headers={"Content-Type": "application/json"})
        _raise_for_status(response)

    # -- request building ---------------------------------------------------------
    def _build(self, method: str, path: str, inputs: dict[str, Any], run_id: str, trace: bool) -> _Request:
        """Path parameters go in the path; the rest in the query (GET) or as a JSON body (typed)."""
        url = _PATH_PARAM.sub(lambda m: quote(_as_text(inputs.get(m.group(1), "")), safe=""), path)
        headers = {RUN_HEADER: run_id, LINGER_HEADER: str(self.reconnect.linger_s), "Accept": SSE_MEDIA_TYPE, "Cache-Control": "no-store"}
        if trace:
            headers[TRACE_HEADER] = "1"
        content = None
        if method == "GET":
            if inputs:
                url += "?" + str(httpx.QueryParams({name: _as_text(value) for name, value in inputs.items()}))
        elif inputs:
            content = json.dumps(inputs).encode()
            headers["Content-Type"] = "application/json"
        return _Request(run_id, method, url, headers, content)


def _sequence_number(event_id: str) -> str:
    """The message's sequence number, as text, whether its event id is the number itself or a token carrying it."""
    try:
        return str(parse_event_id(event_id)[1])
    except ValueError:
        return event_id  # not ours: kept as sent


def _as_text(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value)


def _json_body(response: httpx.Response) -> Any:
    if not response.content:
        return None
    try:
        return response.json()
    except ValueError:
        return response.text


def _server_message(response: httpx.Response) -> str:
    body = _json_body(response)
    if isinstance(body, dict) and isinstance(body.get("error"), str):
        return str(body["error"])
    return f"the server answered HTTP {response.status_code}"


def _raise_for_status(response: httpx.Response) -> None:
    if response.status_code >= 400:
        body = _json_body(response)
        raise StreamError(_server_message(response), status_code=response.status_code, body=body)


def _describe(error: BaseException | None) -> str:
    if error is None:
        return "unknown error"
    return str(error) or type(error).__name__
