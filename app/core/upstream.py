"""Reading an upstream stream (SSE, NDJSON or plain text chunks) one event at a time.

Shared by *For each streamed event* and *AI chat completion*. The reader is
pull-based: the next bytes are read only when the caller asks for the next
event, so the upstream is never read faster than the run forwards it (TCP
flow control does the rest). Closing the reader (also on cancellation)
closes the connection at once.

SSE lines and fields are decoded by httpx-sse's decoders (multi-line
``data:``, ``event:``, ``id:``, ``retry:``, comments, CRLF/LF/CR). Its
``EventSource.aiter_sse`` is not used as-is because the reader needs a
timeout on every read (first byte, idle gap) and a bound on an event's size
checked while it is still arriving, which means feeding the decoders itself.
"""

from __future__ import annotations

import asyncio
import codecs
import json
from collections.abc import AsyncGenerator, AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal, cast

import orjson

from app.core.read_deadline import ReadDeadline

if TYPE_CHECKING:
    import httpx

UpstreamFormat = Literal["sse", "ndjson", "text"]
DataAs = Literal["auto", "json", "text"]

MAX_EVENT_CHARS = 10 * 1024 * 1024
"""An event larger than this (10 MiB of text) fails the stream rather than grow memory without bound."""

ERROR_EXCERPT_CHARS = 300
"""How much of an upstream's error body a failure message quotes."""


class UpstreamError(Exception):
    """The upstream failed: an error status, a timeout, a broken connection or malformed data.

    The message names the request (method and URL as written) and the reason.
    """


@dataclass(slots=True)
class UpstreamEvent:
    """One event as the workflow sees it in scope."""

    index: int
    text: str
    data: Any
    name: str
    id: str
    retry: int | None = None

    def as_scope(self) -> dict[str, Any]:
        scope: dict[str, Any] = {"index": self.index, "text": self.text, "data": self.data, "name": self.name, "id": self.id}
        if self.retry is not None:
            scope["retry"] = self.retry
        return scope


@dataclass(frozen=True, slots=True)
class StreamOptions:
    format: UpstreamFormat = "sse"
    data_as: DataAs = "auto"
    done_sentinel: str = "[DONE]"
    first_byte_timeout_s: float = 60.0
    idle_timeout_s: float = 30.0
    max_event_chars: int = MAX_EVENT_CHARS


@dataclass
class StreamInfo:
    """What is known about the response once it has started."""

    status: int = 0
    headers: dict[str, str] | None = None
    ended_by_sentinel: bool = False
    count: int = 0


def _loads(text: str) -> Any:
    """``json.loads``, through orjson (3-4x faster per token) where orjson reads the text.

    orjson refuses what ``json`` accepts (NaN, lone surrogates): those texts go to
    ``json``, which decides as it always did. An integer beyond 64 bits comes out as
    the nearest double rather than exactly: what a formula reads it as anyway (numbers
    are doubles in formulas, as in JavaScript). Checking the text for long numbers
    first cost as much as ``json.loads`` itself.
    """
    try:
        return orjson.loads(text)
    except orjson.JSONDecodeError:
        return json.loads(text)


def _parse(text: str, data_as: DataAs, where: str) -> Any:
    if data_as == "text":
        return text
    try:
        return _loads(text)
    except ValueError:
        if data_as == "json":
            excerpt = text if len(text) <= 80 else text[:77] + "..."
            raise UpstreamError(f"{where}: expected JSON data, got {excerpt!r}") from None
        return text


def _error_message(body: str) -> str:
    """The upstream's own error message when it sends the usual ``{"error": {"message": ...}}``."""
    try:
        parsed = json.loads(body)
    except ValueError:
        parsed = None
    if isinstance(parsed, dict):
        error = parsed.get("error")
        if isinstance(error, dict) and isinstance(error.get("message"), str):
            return error["message"]
        if isinstance(error, str):
            return error
        if isinstance(parsed.get("message"), str):
            return parsed["message"]
    body = " ".join(body.split())
    return body if len(body) <= ERROR_EXCERPT_CHARS else body[: ERROR_EXCERPT_CHARS - 3] + "..."


class _Reader:
    """Bytes off the response with a deadline on each read: the first byte, then every idle gap.

    The deadlines share one timer per stream (``ReadDeadline``), so a read costs no timer of its own.
    """

    def __init__(self, response: httpx.Response, options: StreamOptions, where: str, first_deadline: float) -> None:
        import httpx

        # httpx declares an AsyncIterator; it is an async generator, which aclose() needs
        self._chunks = cast(AsyncGenerator[bytes, None], response.aiter_bytes())
        self._options = options
        self._where = where
        self._deadline: float | None = first_deadline
        self._first = True
        self._loop = asyncio.get_running_loop()
        self._watch = ReadDeadline(self._loop)
        self._http_error = httpx.HTTPError

    async def next(self) -> bytes | None:
        watch = self._watch
        first = self._first
        watch.start(cast(float, self._deadline) if first else self._loop.time() + self._options.idle_timeout_s)
        try:
            chunk = await anext(self._chunks, None)
        except asyncio.CancelledError:
            if not watch.expired():
                raise
            if first:
                raise UpstreamError(f"{self._where}: no data within {_seconds(self._options.first_byte_timeout_s)} (first-byte timeout)") from None
            raise UpstreamError(f"{self._where}: no data for {_seconds(self._options.idle_timeout_s)} (idle timeout)") from None
        except self._http_error as error:
            raise UpstreamError(f"{self._where}: connection broken mid-stream: {str(error) or type(error).__name__}") from None
        finally:
            watch.stop()
        self._first = False
        return chunk

    async def aclose(self) -> None:
        self._watch.close()
        await self._chunks.aclose()


def _seconds(value: float) -> str:
    return f"{value:g} s"


async def _sse_events(reader: _Reader, options: StreamOptions, where: str) -> AsyncIterator[tuple[str, str, str, int | None]]:
    from httpx_sse._decoders import SSEDecoder, SSELineDecoder  # the spec-exact line and field decoders

    text_decoder = codecs.getincrementaldecoder("utf-8")("replace")
    lines = SSELineDecoder()
    events = SSEDecoder()
    pending = 0  # characters received since the last complete event: bounds a huge or endless event
    while True:
        chunk = await reader.next()
        if chunk is None:
            tail = text_decoder.decode(b"", final=True)
            decoded = (lines.decode(tail) if tail else []) + lines.flush() + [""]
        else:
            text = text_decoder.decode(chunk)
            pending += len(text)
            if pending > options.max_event_chars:
                raise UpstreamError(f"{where}: an event is larger than {options.max_event_chars:,} characters")
            decoded = lines.decode(text) if text else []
        for line in decoded:
            sse = events.decode(line)
            if sse is not None:
                pending = 0
                yield sse.event, sse.data, sse.id, sse.retry
        if chunk is None:
            return


async def _ndjson_lines(reader: _Reader, options: StreamOptions, where: str) -> AsyncIterator[str]:
    buffer = bytearray()
    while True:
        chunk = await reader.next()
        if chunk is None:
            if buffer.strip():
                yield buffer.decode("utf-8", "replace").strip()
            return
        buffer += chunk
        while (newline := buffer.find(b"\n")) >= 0:
            line = bytes(buffer[:newline]).decode("utf-8", "replace").strip()
            del buffer[: newline + 1]
            if line:
                yield line
        if len(buffer) > options.max_event_chars:
            raise UpstreamError(f"{where}: a line is larger than {options.max_event_chars:,} bytes")


async def _text_chunks(reader: _Reader) -> AsyncIterator[str]:
    decoder = codecs.getincrementaldecoder("utf-8")("replace")
    while True:
        chunk = await reader.next()
        text = decoder.decode(chunk or b"", final=chunk is None)
        if text:
            yield text
        if chunk is None:
            return


async def _events(reader: _Reader, options: StreamOptions, where: str, info: StreamInfo) -> AsyncGenerator[UpstreamEvent, None]:
    """The upstream's events, counted in ``info`` (one generator: every layer costs each token a hop)."""
    sentinel = options.done_sentinel
    index = 0
    if options.format == "sse":
        async for name, data, event_id, retry in _sse_events(reader, options, where):
            if sentinel and data.strip() == sentinel:
                info.ended_by_sentinel = True
                return
            if len(data) > options.max_event_chars:
                raise UpstreamError(f"{where}: an event is larger than {options.max_event_chars:,} characters")
            event = UpstreamEvent(index, data, _parse(data, options.data_as, f"{where}: event {index}"), name, event_id, retry)
            info.count += 1
            yield event
            index += 1
    elif options.format == "ndjson":
        async for line in _ndjson_lines(reader, options, where):
            if sentinel and line == sentinel:
                info.ended_by_sentinel = True
                return
            data_as: DataAs = "text" if options.data_as == "text" else "json"
            event = UpstreamEvent(index, line, _parse(line, data_as, f"{where}: line {index + 1}"), "message", "")
            info.count += 1
            yield event
            index += 1
    else:
        async for text in _text_chunks(reader):
            if sentinel and text.strip() == sentinel:
                info.ended_by_sentinel = True
                return
            data = text if options.data_as != "json" else _parse(text, "json", f"{where}: chunk {index}")
            event = UpstreamEvent(index, text, data, "message", "")
            info.count += 1
            yield event
            index += 1


@asynccontextmanager
async def open_stream(
    client: httpx.AsyncClient,
    method: str,
    url: str,
    *,
    headers: dict[str, str],
    json_body: Any = None,
    options: StreamOptions,
    info: StreamInfo | None = None,
) -> AsyncIterator[AsyncIterator[UpstreamEvent]]:
    """Send the request and give its events; leaving the block closes the connection.

    ``url`` is used as written in messages (never the headers, which may hold secrets).
    """
    import httpx

    where = f"{method} {url}"
    info = info if info is not None else StreamInfo()
    accept = {"sse": "text/event-stream", "ndjson": "application/x-ndjson", "text": "text/plain, */*"}[options.format]
    try:
        request = client.build_request(method, url, headers={"Accept": accept, **headers}, json=json_body)
    except (httpx.InvalidURL, httpx.UnsupportedProtocol, TypeError, ValueError) as error:
        raise UpstreamError(f"{where}: invalid request: {error}") from None
    if request.url.scheme not in ("http", "https") or not request.url.host:
        raise UpstreamError(f"{where}: URL must start with http:// or https:// and name a host")
    loop = asyncio.get_running_loop()
    first_deadline = loop.time() + options.first_byte_timeout_s
    # httpx's own timeouts stay off for reads: the reader's deadlines are the ones that count
    request.extensions["timeout"] = httpx.Timeout(None, connect=options.first_byte_timeout_s).as_dict()
    try:
        async with asyncio.timeout_at(first_deadline):
            response = await client.send(request, stream=True)
    except TimeoutError:
        raise UpstreamError(f"{where}: no answer within {_seconds(options.first_byte_timeout_s)} (first-byte timeout)") from None
    except httpx.HTTPError as error:
        raise UpstreamError(f"{where} failed: {str(error) or type(error).__name__}") from None
    reader = _Reader(response, options, where, first_deadline)
    try:
        info.status = response.status_code
        info.headers = dict(response.headers)
        if not response.is_success:
            body = await _excerpt(reader)
            raise UpstreamError(f"{where} answered {response.status_code} {response.reason_phrase}: {_error_message(body)}")
        content_type = response.headers.get("content-type", "")
        if options.format == "sse" and "text/event-stream" not in content_type:
            body = await _excerpt(reader)
            raise UpstreamError(f"{where} answered Content-Type {content_type or 'none'!r}, not text/event-stream: {_error_message(body)}")
        events = _events(reader, options, where, info)
        try:
            yield events
        finally:
            await events.aclose()
    finally:
        await reader.aclose()
        await response.aclose()


async def _excerpt(reader: _Reader) -> str:
    """The start of an error body (up to a few KB), read under the same deadlines."""
    collected = bytearray()
    while len(collected) < 4096:
        try:
            chunk = await reader.next()
        except UpstreamError:
            break
        if chunk is None:
            break
        collected += chunk
    return collected.decode("utf-8", "replace")
