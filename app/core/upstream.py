"""Reading an upstream stream (SSE, NDJSON or plain text chunks) one event at a time.

Shared by *For each streamed event* and *AI chat completion*. The reader is
pull-based: the next bytes are read only when the caller asks for the next
event, so the upstream is never read faster than the run forwards it (TCP
flow control does the rest). Closing the reader (also on cancellation)
closes the connection at once.

Reads are as big as what has arrived (``app.core.upstream_client``), and an
SSE read is parsed into all the events it completes at once
(``app.core.sse_parser``), so tokens that arrive together go through
together; a lone token still goes out as soon as it is read. Every read has
a deadline (first byte, then idle gap; ``app.core.read_deadline``), and an
event's size is bounded while it is still arriving.
"""

from __future__ import annotations

import codecs
import json
from collections.abc import AsyncGenerator, AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal, cast

import orjson

from app.core.sse_parser import EventTooLarge, SSEParser
from app.core.upstream_client import error_text, transport_errors

if TYPE_CHECKING:
    import httpx

UpstreamFormat = Literal["sse", "ndjson", "text"]
DataAs = Literal["auto", "json", "text"]

MAX_EVENT_BYTES = 10 * 1024 * 1024
"""An event (an NDJSON line) larger than this (10 MiB) fails the stream rather than grow memory without bound."""

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
    max_event_bytes: int = MAX_EVENT_BYTES


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
        # httpx declares an AsyncIterator; it is an async generator, which aclose() needs
        self._chunks = cast(AsyncGenerator[bytes, None], response.aiter_bytes())
        self._options = options
        self._where = where
        self._deadline: float | None = first_deadline
        self._first = True
        # asyncio is imported here, not at the top, so that the editor's window shows before it is;
        # the reader keeps what it needs of it, as next() runs once per chunk
        import asyncio

        from app.core.read_deadline import ReadDeadline

        self._loop = asyncio.get_running_loop()
        self._watch = ReadDeadline(self._loop)
        self._cancelled_error = asyncio.CancelledError
        self._transport_errors = transport_errors()

    async def next(self) -> bytes | None:
        watch = self._watch
        first = self._first
        watch.start(cast(float, self._deadline) if first else self._loop.time() + self._options.idle_timeout_s)
        try:
            chunk = await anext(self._chunks, None)
        except self._cancelled_error:
            if not watch.expired():
                raise
            if first:
                raise UpstreamError(f"{self._where}: no data within {_seconds(self._options.first_byte_timeout_s)} (first-byte timeout)") from None
            raise UpstreamError(f"{self._where}: no data for {_seconds(self._options.idle_timeout_s)} (idle timeout)") from None
        except self._transport_errors as error:
            raise UpstreamError(f"{self._where}: connection broken mid-stream: {error_text(error)}") from None
        finally:
            watch.stop()
        self._first = False
        return chunk

    async def aclose(self) -> None:
        self._watch.close()
        await self._chunks.aclose()


def _seconds(value: float) -> str:
    return f"{value:g} s"


async def _events(reader: _Reader, options: StreamOptions, where: str, info: StreamInfo) -> AsyncGenerator[UpstreamEvent, None]:
    """The upstream's events, counted in ``info``: each read is split into all the events it completes.

    One generator for every format (each layer costs every token a hop).
    """
    sentinel = options.done_sentinel
    index = 0
    if options.format == "sse":
        parser = SSEParser(options.max_event_bytes)
        data_as = options.data_as
        while True:
            chunk = await reader.next()
            try:
                batch = parser.feed(chunk) if chunk is not None else parser.end()
            except EventTooLarge as error:
                raise UpstreamError(f"{where}: {error}") from None
            for name, data, event_id, retry in batch:
                if sentinel and data.strip() == sentinel:
                    info.ended_by_sentinel = True
                    return
                event = UpstreamEvent(index, data, _parse(data, data_as, f"{where}: event {index}"), name, event_id, retry)
                info.count += 1
                yield event
                index += 1
            if chunk is None:
                return
    elif options.format == "ndjson":
        data_as = "text" if options.data_as == "text" else "json"
        lines = _LineSplitter(options.max_event_bytes, where)
        while True:
            chunk = await reader.next()
            for line in lines.feed(chunk) if chunk is not None else lines.end():
                if sentinel and line == sentinel:
                    info.ended_by_sentinel = True
                    return
                event = UpstreamEvent(index, line, _parse(line, data_as, f"{where}: line {index + 1}"), "message", "")
                info.count += 1
                yield event
                index += 1
            if chunk is None:
                return
    else:
        decoder = codecs.getincrementaldecoder("utf-8")("replace")
        while True:
            chunk = await reader.next()
            text = decoder.decode(chunk or b"", final=chunk is None)
            if text:
                if sentinel and text.strip() == sentinel:
                    info.ended_by_sentinel = True
                    return
                data = text if options.data_as != "json" else _parse(text, "json", f"{where}: chunk {index}")
                event = UpstreamEvent(index, text, data, "message", "")
                info.count += 1
                yield event
                index += 1
            if chunk is None:
                return


class _LineSplitter:
    """NDJSON lines (LF or CRLF, blank lines skipped), all the lines a read completes at once, each bounded in size."""

    __slots__ = ("_pieces", "_size", "_max", "_where")

    def __init__(self, max_bytes: int, where: str) -> None:
        self._pieces: list[bytes] = []
        self._size = 0
        self._max = max_bytes
        self._where = where

    def feed(self, chunk: bytes) -> list[str]:
        if b"\n" not in chunk:
            self._pieces.append(chunk)
            self._size += len(chunk)
            if self._size > self._max:
                raise UpstreamError(f"{self._where}: a line is larger than {self._max:,} bytes")
            return []
        if self._pieces:
            self._pieces.append(chunk)
            chunk = b"".join(self._pieces)
            self._pieces.clear()
        parts = chunk.split(b"\n")
        tail = parts.pop()
        self._size = len(tail)
        if tail:
            self._pieces.append(tail)
            if self._size > self._max:
                raise UpstreamError(f"{self._where}: a line is larger than {self._max:,} bytes")
        return [line for part in parts if (line := part.decode("utf-8", "replace").strip())]

    def end(self) -> list[str]:
        line = b"".join(self._pieces).decode("utf-8", "replace").strip()
        self._pieces.clear()
        return [line] if line else []


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
    import asyncio  # here, not at the top: the editor's window shows before asyncio is imported

    loop = asyncio.get_running_loop()
    first_deadline = loop.time() + options.first_byte_timeout_s
    # httpx's own timeouts stay off for reads: the reader's deadlines are the ones that count
    request.extensions["timeout"] = httpx.Timeout(None, connect=options.first_byte_timeout_s).as_dict()
    try:
        async with asyncio.timeout_at(first_deadline):
            response = await client.send(request, stream=True)
    except TimeoutError:
        raise UpstreamError(f"{where}: no answer within {_seconds(options.first_byte_timeout_s)} (first-byte timeout)") from None
    except transport_errors() as error:
        raise UpstreamError(f"{where} failed: {error_text(error)}") from None
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
