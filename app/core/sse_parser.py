"""Server-sent events from bytes: every event complete in a read, at once.

Hand-written rather than httpx-sse's decoders because a relayed model sends
one event per token, and the per-token cost is what sets the relay's speed:
httpx-sse decodes text line by line through two objects and a generator,
where this splits a whole read on newlines in one call and hands back the
list of its events, so the reader forwards tokens that arrived together
together. It also bounds an event's size while it is still arriving.

The interpretation is the WHATWG spec's (``event-stream-interpretation``):
lines end with CRLF, LF or CR (a CRLF split across two reads is one end);
a leading UTF-8 BOM is dropped; ``:`` starts a comment; a field without a
colon has an empty value; one space after the colon is dropped; ``data``
lines are joined with LF; ``id`` (without NUL) carries over to later
events; ``retry`` counts only when it is ASCII digits; an event whose block
has no ``data`` line is not dispatched (as EventSource does). Two decisions
the spec leaves to us: ``retry`` belongs to the event of its block (it is
shown in the event's scope, not kept), and a stream that ends without the
last blank line still delivers its last event (servers that forget it are
common; EventSource would drop it). Text is decoded as UTF-8, a bad byte
becomes U+FFFD.
"""

from __future__ import annotations

from typing import NamedTuple

BOM = b"\xef\xbb\xbf"


class SSEEvent(NamedTuple):
    name: str
    """The ``event`` field, ``message`` when none."""
    data: str
    id: str
    """The last ``id`` seen so far in the stream (it carries over)."""
    retry: int | None


class EventTooLarge(ValueError):
    """An event (or one line) grew past the parser's bound before it ended."""


class SSEParser:
    """``feed(bytes)`` gives the events completed by those bytes; ``end()`` the last one, if unterminated."""

    __slots__ = ("_pieces", "_tail_size", "_skip_lf", "_started", "_data", "_size", "_event", "_id", "_retry", "_max")

    def __init__(self, max_event_bytes: int) -> None:
        self._max = max_event_bytes
        self._pieces: list[bytes] = []
        """The line still arriving, in the pieces it came in (joined once it ends: no copy per read)."""
        self._tail_size = 0
        self._skip_lf = False
        """The last read ended with CR: an LF starting the next one belongs to it."""
        self._started = False
        """Whether the start of the stream (where a BOM may be) has been seen."""
        self._data: list[bytes] = []
        self._size = 0
        self._event = b""
        self._id = ""
        self._retry: int | None = None

    def feed(self, chunk: bytes) -> list[SSEEvent]:
        if not self._started:
            head = b"".join(self._pieces) + chunk
            self._pieces.clear()
            if len(head) < len(BOM) and BOM.startswith(head):
                self._pieces.append(head)  # maybe a BOM still arriving
                return []
            self._started = True
            chunk = head[len(BOM) :] if head.startswith(BOM) else head
        if not chunk:
            return []
        if self._skip_lf:
            self._skip_lf = False
            if chunk[0] == 10:  # b"\n"
                chunk = chunk[1:]
        if b"\r" in chunk:
            self._skip_lf = chunk[-1] == 13  # b"\r"
            chunk = chunk.replace(b"\r\n", b"\n").replace(b"\r", b"\n")
        pieces = self._pieces
        if b"\n" not in chunk:
            if chunk:
                pieces.append(chunk)
                self._tail_size += len(chunk)
                if self._tail_size > self._max:
                    raise EventTooLarge(f"an event is larger than {self._max:,} bytes")
            return []
        if pieces:
            pieces.append(chunk)
            chunk = b"".join(pieces)
            pieces.clear()
        lines = chunk.split(b"\n")
        tail = lines.pop()
        self._tail_size = len(tail)
        if tail:
            pieces.append(tail)
            if self._tail_size > self._max:
                raise EventTooLarge(f"an event is larger than {self._max:,} bytes")
        return self._lines(lines)

    def end(self) -> list[SSEEvent]:
        """The stream ended: an unterminated last line and event still count."""
        tail = b"".join(self._pieces) if self._started else b""
        self._pieces.clear()
        self._tail_size = 0
        return self._lines([tail, b""] if tail else [b""])

    def _lines(self, lines: list[bytes]) -> list[SSEEvent]:
        events: list[SSEEvent] = []
        data = self._data
        for line in lines:
            if not line:
                if data:
                    text = (data[0] if len(data) == 1 else b"\n".join(data)).decode("utf-8", "replace")
                    events.append(SSEEvent(self._event.decode("utf-8", "replace") or "message", text, self._id, self._retry))
                    data.clear()
                    self._size = 0
                self._event = b""
                self._retry = None
                continue
            if line[0] == 58:  # b":": a comment
                continue
            name, _, value = line.partition(b":")
            if value[:1] == b" ":
                value = value[1:]
            if name == b"data":
                self._size += len(value) + 1
                if self._size > self._max:
                    raise EventTooLarge(f"an event is larger than {self._max:,} bytes")
                data.append(value)
            elif name == b"event":
                self._event = value
            elif name == b"id":
                if b"\0" not in value:
                    self._id = value.decode("utf-8", "replace")
            elif name == b"retry":
                if value.isdigit():
                    self._retry = int(value)
        return events
