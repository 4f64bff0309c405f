"""The runner's HTTP application: every endpoint at its method and path, streamed over SSE.

A call starts a run and waits for its first streaming message. If one comes,
the response is a stream (SSE, or NDJSON for ``Accept: application/x-ndjson``)
that follows the run; if the run ends first, the response is one JSON body
(its Return response, status code included), or a 500 naming the failing
action. The same run can be read in other protocols (``app.runner.protocols``):
``POST /v1/chat/completions`` and ``GET /v1/models`` (OpenAI-compatible) and
``POST /ai-sdk/<endpoint path>`` (the AI SDK UI message stream).
Routes the runner keeps for itself: ``GET /`` (the endpoint list),
``GET /openapi.json`` and ``GET /docs`` (the API description, ``api_docs``),
``/runs/<run>/files/...`` (downloads), ``DELETE /_runs/<run>`` (cancel) and
``PUT /_admin/project`` (the editor pushes what is on screen; only when a
token is in force).

Resume: every message's ``id:`` lets a client resume. A run nobody named
gets opaque ids that carry it (``app.core.run_ids``), so a standard
``EventSource`` or ``curl`` sending nothing but ``Last-Event-ID`` resumes it on
any worker of a shared store. A client may also name its run
(``Streamwright-Run`` header or ``sw-run`` query); its ids are then plain
sequence numbers, resumed with the run id beside them. A dropped connection
is not a stop: the run goes on for its endpoint's *resume grace* (default
``ServeSettings.resume_grace_s``) and is cancelled only if nobody resumes it
by then; a client may ask for another time with ``Streamwright-Linger`` /
``sw-linger`` (0: cancel at once). A stream that carries no ids (the chat
protocols) or a client that leaves before the first message cannot resume,
so without linger its run is cancelled at once. ``DELETE /_runs/<run>``
stops a run at once, from whichever worker receives it (``app.runner.store``).
"""

from __future__ import annotations

import asyncio
import mimetypes
import re
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

import anyio
from sse_starlette.sse import EventSourceResponse
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, Response, StreamingResponse
from starlette.routing import Route, compile_path

from app import __version__
from app.core.formula.worker import POOL
from app.core.inputs import InputError, coerce_inputs, parse_text_inputs
from app.core.json_input import JsonInputError, read_json
from app.core.problems import ProjectInvalidError
from app.core.project import Endpoint, Project
from app.core.project_file import project_from_document
from app.core.run_context import RunLimits, RunSettings
from app.core.run_ids import RUN_ID, event_id_prefix, parse_event_id
from app.core.sandbox import PathOutsideSandboxError, safe_join
from app.engine import Engine
from app.runner.api_docs import docs_page, openapi_json
from app.runner.probe import PROBE_PATH, probe
from app.runner.protocols import Encoder, ai_sdk_ui, openai_chat
from app.runner.protocols.chat_request import ChatRequestError, endpoint_inputs
from app.runner.protocols.ndjson import NdjsonEncoder, wants_ndjson
from app.runner.protocols.sse import SseEncoder
from app.runner.runs import RunChannel, RunGoneError
from app.runner.security import TOKEN_QUERY, BodyLimit, HostGuard, TokenAuth, sign
from app.runner.shutdown import end_streams_on_shutdown
from app.runner.store import FollowedRun, StoreUnavailableError, open_store

RUN_HEADER = "streamwright-run"
LINGER_HEADER = "streamwright-linger"
TRACE_HEADER = "streamwright-trace"
RUN_QUERY = "sw-run"
LINGER_QUERY = "sw-linger"
RESERVED_QUERY = frozenset({TOKEN_QUERY, RUN_QUERY, LINGER_QUERY})
DEFAULT_RESUME_GRACE_S = 10.0
"""How long a run outlives a dropped connection, waiting to be resumed, unless its endpoint says otherwise."""
DOWNLOAD_PREFIX = "/runs/"
SHUTDOWN_REASON = "the server is shutting down"
SHUTDOWN_GRACE_S = 0.5


@dataclass
class ServeSettings:
    project_dir: Path
    output_root: Path
    token: str | None
    bound_host: str = "127.0.0.1"
    cors_origins: list[str] = field(default_factory=list)
    max_body_bytes: int = 1_048_576
    heartbeat_s: float = 5.0
    resume_keep_s: float = 60.0
    max_linger_s: float = 60.0
    buffer_capacity: int = 10_000
    limits: RunLimits = field(default_factory=RunLimits)
    store_url: str = "memory"
    """``memory`` or ``redis://HOST:PORT/DB`` (``app.runner.store``)."""
    resume_grace_s: float = DEFAULT_RESUME_GRACE_S
    lease_s: float = 4.0
    """With a shared store: how long a run's owner may go silent before followers elsewhere call the run lost."""


@dataclass
class _Route:
    endpoint: Endpoint
    pattern: re.Pattern[str]


class ServerState:
    """The project being served; replaced whole when the editor pushes a new one."""

    def __init__(self, project: Project, settings: ServeSettings) -> None:
        self.settings = settings
        self.store = open_store(settings.store_url, capacity=settings.buffer_capacity, keep_s=settings.resume_keep_s, lease_s=settings.lease_s)
        self.runs = self.store.registry
        """The runs this process owns (all of them with the memory store)."""
        self.set_project(project)

    def end_streams(self) -> None:
        """The server is stopping: every run of this process ends, its streams (SSE and NDJSON alike) with an error saying so."""
        for channel in self.runs.active():
            channel.cancel(SHUTDOWN_REASON)

    def set_project(self, project: Project) -> None:
        self.project = project
        self.engine = Engine(project)
        self.routes = [_Route(endpoint, compile_path(endpoint.path)[0]) for endpoint in project.endpoints]

    def match(self, method: str, path: str) -> tuple[Endpoint | None, dict[str, str], bool]:
        """``(endpoint, path params, path exists for another method)``."""
        other_method = False
        for route in self.routes:
            found = route.pattern.match(path)
            if found:
                if route.endpoint.method == method:
                    return route.endpoint, found.groupdict(), False
                other_method = True
        return None, {}, other_method

    def match_path(self, path: str) -> tuple[Endpoint | None, dict[str, str]]:
        """The endpoint at ``path`` whatever its method (POST first when several share it): protocol routes always POST."""
        found: list[tuple[Endpoint, dict[str, str]]] = []
        for route in self.routes:
            matched = route.pattern.match(path)
            if matched:
                found.append((route.endpoint, matched.groupdict()))
        found.sort(key=lambda pair: pair[0].method != "POST")
        return found[0] if found else (None, {})

    def methods_at(self, path: str) -> list[str]:
        """The methods some endpoint answers at ``path``, for a 405's ``Allow`` header."""
        return sorted({route.endpoint.method for route in self.routes if route.pattern.match(path)})


def _error(status: int, message: str, **extra: Any) -> JSONResponse:
    return JSONResponse({"error": message, **extra}, status_code=status)


def _state(request: Request) -> ServerState:
    return request.app.state.streamwright


async def list_endpoints(request: Request) -> JSONResponse:
    state = _state(request)
    base = str(request.base_url).rstrip("/")
    return JSONResponse(
        {
            "name": state.project.name,
            "version": __version__,
            "endpoints": [
                {
                    "name": e.name,
                    "method": e.method,
                    "path": e.path,
                    "url": base + e.path,
                    "description": e.description,
                    "inputs": [i.model_dump(mode="json") for i in e.inputs],
                }
                for e in state.project.endpoints
            ],
        }
    )


async def push_project(request: Request) -> JSONResponse:
    try:
        document = read_json(await request.body())
        project = project_from_document(document, "pushed project")
    except JsonInputError as error:
        return _error(400, f"body is not accepted JSON: {error}")
    except ProjectInvalidError as error:
        return _error(422, "invalid project", problems=[p.to_json() for p in error.problems])
    _state(request).set_project(project)
    return JSONResponse({"ok": True, "endpoints": [e.name for e in project.endpoints]})


async def cancel_run(request: Request) -> JSONResponse:
    try:
        stopped = await _state(request).store.stop(request.path_params["run_id"])
    except StoreUnavailableError as error:
        return _error(503, str(error))
    if stopped is None:
        return _error(404, "no such run")
    return JSONResponse({"cancelled": stopped})


async def download(request: Request) -> Response:
    settings = _state(request).settings
    run_id, name = request.path_params["run_id"], request.path_params["name"]
    if not RUN_ID.match(run_id):
        return _error(404, "no such file")
    try:
        path = safe_join(settings.output_root / run_id, name)
    except PathOutsideSandboxError:
        return _error(404, "no such file")
    if not path.is_file():
        return _error(404, "no such file")
    media_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    return FileResponse(path, media_type=media_type, filename=path.name, content_disposition_type="attachment")


async def _read_inputs(request: Request, path_params: dict[str, str], endpoint: Endpoint) -> dict[str, Any]:
    """Path and query values (text, converted by declared type) overlaid by a JSON body's (typed)."""
    text = {**path_params, **{k: v for k, v in request.query_params.items() if k not in RESERVED_QUERY}}
    inputs = parse_text_inputs(endpoint, text)
    body = await request.body()
    if body.strip():
        try:
            document = read_json(body)
        except JsonInputError as error:
            raise InputError({"body": f"not accepted JSON: {error}"}) from None
        if not isinstance(document, dict):
            raise InputError({"body": "must be a JSON object of inputs"})
        inputs.update(document)
    return inputs


def _download_url(request: Request, token: str | None) -> Any:
    base = str(request.base_url).rstrip("/")

    def make(run_id: str, name: str) -> str:
        path = f"{DOWNLOAD_PREFIX}{run_id}/files/{name}"
        url = base + quote(path)
        return f"{url}?sig={sign(token, path)}" if token else url

    return make


async def _client_gone(request: Request) -> None:
    while True:
        message = await request.receive()
        if message["type"] == "http.disconnect":
            return


async def _until_first_message(request: Request, channel: RunChannel) -> bool:
    """Wait for the run's first message (or its end); False if the client left first."""
    started = asyncio.ensure_future(channel.started_stream.wait())
    gone = asyncio.ensure_future(_client_gone(request))
    try:
        done, _ = await asyncio.wait({started, gone}, return_when=asyncio.FIRST_COMPLETED)
    finally:
        started.cancel()
        gone.cancel()
    return started in done


def _linger(request: Request, limit: float) -> float | None:
    """The linger the client asked for (bounded by ``limit``), None when it asked for none."""
    raw = request.headers.get(LINGER_HEADER) or request.query_params.get(LINGER_QUERY)
    if raw is None:
        return None
    try:
        return min(max(float(raw), 0.0), limit)
    except ValueError:
        return 0.0


def _resume_grace(request: Request, endpoint: Endpoint) -> float:
    """How long a run whose stream carries ids outlives a dropped connection: the client's linger, else the endpoint's grace."""
    settings = _state(request).settings
    asked = _linger(request, settings.max_linger_s)
    if asked is not None:
        return asked
    return endpoint.resume_grace if endpoint.resume_grace is not None else settings.resume_grace_s


def _stream(request: Request, channel: FollowedRun, after: Any, encoder: Encoder | None = None, named: bool = True) -> Response:
    """Follow the run from ``after``, each batch written through the protocol's encoder.

    SSE event ids are the messages' sequence numbers in a run the client
    ``named``, else tokens that carry the run.
    """
    settings = _state(request).settings
    if encoder is None:
        encoder = NdjsonEncoder() if wants_ndjson(request.headers.get("accept", "")) else SseEncoder("" if named else event_id_prefix(channel.run_id))
    headers = {**encoder.headers, "Streamwright-Run": channel.run_id}
    batches = channel.follow(after, settings.heartbeat_s)

    if not encoder.sse:

        async def lines() -> AsyncIterator[bytes]:
            async for batch in batches:
                yield encoder.encode(batch)
            tail = encoder.close()
            if tail:
                yield tail

        return StreamingResponse(lines(), media_type=encoder.media_type, headers=headers)

    shutdown = anyio.Event()

    async def events() -> AsyncIterator[bytes]:
        async def end_on_shutdown() -> None:
            await shutdown.wait()
            channel.cancel(SHUTDOWN_REASON)  # the follower delivers the error event, then the stream ends

        watcher = asyncio.create_task(end_on_shutdown())
        try:
            async for batch in batches:
                yield encoder.encode(batch)  # bytes pass through sse-starlette unchanged
            tail = encoder.close()
            if tail:
                yield tail
        finally:
            watcher.cancel()

    # heartbeats come from follow(); sse-starlette sets `shutdown` when the server is stopping
    return EventSourceResponse(events(), headers=headers, ping=24 * 3600, shutdown_event=shutdown, shutdown_grace_period=SHUTDOWN_GRACE_S)


async def call_endpoint(request: Request) -> Response:
    state = _state(request)
    endpoint, path_params, other_method = state.match(request.method, request.url.path)
    if endpoint is None:
        if other_method:
            refusal = _error(405, f"{request.method} is not allowed at {request.url.path}")
            refusal.headers["Allow"] = ", ".join(state.methods_at(request.url.path))  # RFC 9110: a 405 says what is allowed
            return refusal
        return _error(404, f"no endpoint at {request.method} {request.url.path}")
    run_id = request.headers.get(RUN_HEADER) or request.query_params.get(RUN_QUERY)
    if run_id is not None and not RUN_ID.match(run_id):
        return _error(400, "a run id is 8 to 64 letters, digits, '-' or '_'")
    named = run_id is not None  # the client knows its run: plain sequence numbers as ids
    last_event_id = request.headers.get("last-event-id") or None
    seq = 0
    if last_event_id is not None:
        try:
            id_run, seq = parse_event_id(last_event_id)
        except ValueError:
            return _error(400, "Last-Event-ID must be an event id this server sent: a message sequence number (digits only) or an event token")
        if id_run is not None:
            if run_id is not None and run_id != id_run:
                return _error(400, f"Last-Event-ID belongs to run {id_run}, not to run {run_id} named by Streamwright-Run")
            run_id = id_run
    try:
        # checked before a resume too: a reconnect repeats the request that started the run, so its inputs
        # are valid, and a request with bad inputs is refused whichever run it names
        inputs = await _read_inputs(request, path_params, endpoint)
    except InputError as error:
        return _error(422, "invalid input", fields=error.errors)
    try:
        existing = await state.store.find(run_id) if run_id else None
    except StoreUnavailableError as error:
        return _error(503, str(error))
    if existing is not None:
        return await _resume(request, existing, endpoint, seq, named)
    if last_event_id and run_id:
        return _error(410, f"run {run_id} is no longer available")
    channel = await _begin_run(request, endpoint, inputs, run_id)
    if isinstance(channel, Response):
        return channel
    if channel.streamed:
        channel.linger_s = _resume_grace(request, endpoint)  # its ids let the client come back
        return _stream(request, channel, 0, named=named)
    channel.detach()
    end = channel.last_item()
    if end is not None and end.kind == "error":
        return _error(500, end.data["message"], action=end.data["action"], actionType=end.data["actionType"])
    body: dict[str, Any] = end.data if end is not None else {"statusCode": 200, "body": None}
    if body["statusCode"] == 204:
        return Response(status_code=204, headers={"Streamwright-Run": channel.run_id})
    return JSONResponse(body["body"], status_code=body["statusCode"], headers={"Streamwright-Run": channel.run_id})


async def _begin_run(request: Request, endpoint: Endpoint, inputs: dict[str, Any], run_id: str | None = None) -> RunChannel | Response:
    """Start a run and wait for its first message (or its end); a 422 for bad inputs, 499 when the client left first.

    The channel returned is attached: the caller streams it or detaches.
    """
    state = _state(request)
    try:
        run_settings = RunSettings(
            project_dir=state.settings.project_dir,
            output_root=state.settings.output_root,
            download_url=_download_url(request, state.settings.token),
            trace=request.headers.get(TRACE_HEADER) == "1",
            limits=state.settings.limits,
        )
        run_id = run_id or uuid.uuid4().hex
        events = state.engine.run(endpoint.name, inputs, run_settings, run_id=run_id)
    except InputError as error:
        return _error(422, "invalid input", fields=error.errors)
    try:
        channel = await state.store.create(run_id, endpoint.name, _linger(request, state.settings.max_linger_s) or 0.0)
    except StoreUnavailableError as error:
        return _error(503, str(error))
    channel.attach()
    channel.start(events, run_settings.trace)
    if not await _until_first_message(request, channel):
        channel.detach()
        return Response(status_code=499)
    return channel


async def _resume(request: Request, channel: FollowedRun, endpoint: Endpoint, seq: int, named: bool) -> Response:
    if channel.endpoint != endpoint.name:
        return _error(409, f"run {channel.run_id} belongs to endpoint {channel.endpoint}")
    try:
        after = await channel.cursor_after(seq)
    except ValueError as error:
        return _error(400, str(error))
    except RunGoneError as error:
        return _error(410, str(error))
    except StoreUnavailableError as error:
        return _error(503, str(error))
    channel.attach()
    return _stream(request, channel, after, named=named)


async def _json_object(request: Request) -> dict[str, Any]:
    """The request body as a JSON object, read as JSON from a user always is; ``ChatRequestError`` otherwise."""
    try:
        document = read_json(await request.body())
    except JsonInputError as error:
        raise ChatRequestError(f"not accepted JSON: {error}", "body") from None
    if not isinstance(document, dict):
        raise ChatRequestError("must be a JSON object", "body")
    return document


def _openai_error(status: int, message: str, **fields: Any) -> JSONResponse:
    return JSONResponse(openai_chat.error_body(message, **fields), status_code=status)


async def list_models(request: Request) -> JSONResponse:
    return JSONResponse(openai_chat.models(_state(request).project.endpoints))


async def chat_completions(request: Request) -> Response:
    """``POST /v1/chat/completions``: the endpoint named by ``model``, answered as OpenAI answers (errors too)."""
    state = _state(request)
    try:
        document = await _json_object(request)
        model = document.get("model")
        if not isinstance(model, str) or not model:
            raise ChatRequestError("must name an endpoint (GET /v1/models lists them)", "model")
        stream = document.get("stream", False)
        if not isinstance(stream, bool) and stream is not None:
            raise ChatRequestError("must be true or false", "stream")
        messages = openai_chat.read_messages(document)
    except ChatRequestError as error:
        return _openai_error(400, f"{error.param}: {error.message}", param=error.param)
    try:
        endpoint = state.project.endpoint(model)
    except KeyError:
        return _openai_error(404, f"The model {model!r} does not exist: no endpoint has that name", param="model", code="model_not_found")
    inputs = endpoint_inputs(endpoint, messages, document, openai_chat.PROTOCOL_FIELDS)
    try:
        coerce_inputs(endpoint, inputs)
    except InputError as error:
        name, problem = next(iter(error.errors.items()))
        return _openai_error(400, f"input {name} of endpoint {endpoint.name}: {problem}", param=name, code="invalid_input")
    channel = await _begin_run(request, endpoint, inputs)
    if isinstance(channel, Response):
        return channel
    completion_id = f"chatcmpl-{channel.run_id}"
    end = channel.last_item()
    if not channel.streamed and end is not None and end.kind == "error":
        channel.detach()
        return _openai_error(500, end.data["message"], type="server_error", code=end.data["action"])
    if stream:
        return _stream(request, channel, 0, openai_chat.ChatCompletionEncoder(model, completion_id))
    collector = openai_chat.ChatCompletionCollector(model, completion_id)

    async def collect() -> None:
        async for batch in channel.follow(0):
            collector.add(batch)

    collecting = asyncio.ensure_future(collect())
    gone = asyncio.ensure_future(_client_gone(request))
    try:
        await asyncio.wait({collecting, gone}, return_when=asyncio.FIRST_COMPLETED)
    finally:
        gone.cancel()
    if not collecting.done():  # the client left: its run stops, as a streamed one would
        collecting.cancel()
        channel.cancel()
        return Response(status_code=499)
    collecting.result()
    if collector.error is not None:
        return JSONResponse(collector.error, status_code=500)
    return JSONResponse(collector.completion(), headers={"Streamwright-Run": channel.run_id})


async def ai_sdk_chat(request: Request) -> Response:
    """``POST /ai-sdk/<endpoint path>``: the endpoint at that path as an AI SDK UI message stream."""
    state = _state(request)
    path = "/" + request.path_params["path"]
    endpoint, path_params = state.match_path(path)
    if endpoint is None:
        return _error(404, f"no endpoint at {path}")
    try:
        text = {**path_params, **{k: v for k, v in request.query_params.items() if k not in RESERVED_QUERY}}
        inputs = parse_text_inputs(endpoint, text)
        document = await _json_object(request)
        messages = ai_sdk_ui.read_messages(document)
    except InputError as error:
        return _error(422, "invalid input", fields=error.errors)
    except ChatRequestError as error:
        return _error(422, "invalid request", fields={error.param: error.message})
    inputs.update(endpoint_inputs(endpoint, messages, document, ai_sdk_ui.PROTOCOL_FIELDS))
    channel = await _begin_run(request, endpoint, inputs)
    if isinstance(channel, Response):
        return channel
    end = channel.last_item()
    if not channel.streamed and end is not None and end.kind == "error":
        channel.detach()
        return _error(500, end.data["message"], action=end.data["action"], actionType=end.data["actionType"])
    return _stream(request, channel, 0, ai_sdk_ui.UiMessageStreamEncoder(channel.run_id))


def create_app(project: Project, settings: ServeSettings) -> Starlette:
    state = ServerState(project, settings)

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        await state.store.open()
        watcher = asyncio.create_task(end_streams_on_shutdown(state.end_streams))
        yield
        watcher.cancel()
        await state.store.close()  # cancels the runs still going
        POOL.close()  # idle formula workers; busy ones end with their run

    routes = [
        Route("/", list_endpoints, methods=["GET"]),
        Route("/openapi.json", openapi_json, methods=["GET"]),
        Route("/docs", docs_page, methods=["GET"]),
        Route(DOWNLOAD_PREFIX + "{run_id}/files/{name:path}", download, methods=["GET"]),
        Route("/_runs/{run_id}", cancel_run, methods=["DELETE"]),
        Route("/v1/models", list_models, methods=["GET"]),
        Route("/v1/chat/completions", chat_completions, methods=["POST"]),
        Route(ai_sdk_ui.PREFIX + "/{path:path}", ai_sdk_chat, methods=["POST"]),
        Route(PROBE_PATH, probe, methods=["GET"]),
    ]
    if settings.token is not None:
        routes.append(Route("/_admin/project", push_project, methods=["PUT"]))
    # OPTIONS and HEAD too, so a method no endpoint has at a path gets our 405 with the path's real Allow list
    routes.append(Route("/{path:path}", call_endpoint, methods=["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "HEAD"]))
    middleware = [Middleware(HostGuard, allowed=[settings.bound_host])]
    if settings.cors_origins:
        middleware.append(Middleware(CORSMiddleware, allow_origins=settings.cors_origins, allow_methods=["*"], allow_headers=["*"], expose_headers=["Streamwright-Run"]))
    middleware += [
        Middleware(TokenAuth, token=settings.token, download_prefix=DOWNLOAD_PREFIX),
        Middleware(BodyLimit, limit=settings.max_body_bytes),
    ]
    app = Starlette(routes=routes, middleware=middleware, lifespan=lifespan)
    app.state.streamwright = state
    return app
