"""Coalescing stream messages: at most one message every N ms, nothing lost.

A relay of 200 tokens/s would otherwise send 200 messages/s, more than a page
can show (about 60 a second). A coalescing Send streaming response joins its
message into one *held* message: fields named as text are appended, the
others take their latest value. The held message goes out when the window
since the last one sent has passed (on the next Send), and whenever the
workflow moves on or ends (the run context and engine decide when; see
``RunContext.send_message``).

Only messages of the same ``status`` (and the same part id, for keyed
messages) join; a message with another status sends the held one first, so
order and shapes are kept.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

_NO_STATUS = object()


@dataclass(slots=True)
class HeldMessage:
    data: dict[str, Any]
    append: tuple[str, ...]
    action_id: str
    stream_depth: int
    """How many streamed loops enclosed the Send that holds it: inside the same loop body, other actions do not send it."""
    part: str | None = None
    transient: bool = False

    def joins(self, data: dict[str, Any], append: tuple[str, ...], part: str | None, transient: bool) -> bool:
        return append == self.append and part == self.part and transient == self.transient and self.data.get("status", _NO_STATUS) == data.get("status", _NO_STATUS)

    def join(self, data: dict[str, Any]) -> None:
        held = self.data
        for key, value in data.items():
            previous = held.get(key)
            if key in self.append and isinstance(value, str) and isinstance(previous, str):
                held[key] = previous + value
            else:
                held[key] = value


@dataclass(slots=True)
class Coalescer:
    """The held message of one run and when a coalesced message was last sent (run-clock seconds)."""

    held: HeldMessage | None = None
    last_sent: float = field(default=float("-inf"))

    def offer(
        self,
        data: dict[str, Any],
        window_s: float,
        append: tuple[str, ...],
        action_id: str,
        stream_depth: int,
        now: float,
        part: str | None = None,
        transient: bool = False,
    ) -> list[HeldMessage]:
        """Join ``data``; returns the messages to send now, in order (none while the window is open)."""
        out: list[HeldMessage] = []
        held = self.held
        if held is not None and not held.joins(data, append, part, transient):
            out.append(held)
            held = None
        if held is None:
            self.held = HeldMessage(dict(data), append, action_id, stream_depth, part, transient)
        else:
            held.join(data)
            held.stream_depth = min(held.stream_depth, stream_depth)
        if now - self.last_sent >= window_s:
            assert self.held is not None
            out.append(self.held)
            self.held = None
            self.last_sent = now
        return out

    def take(self) -> HeldMessage | None:
        held, self.held = self.held, None
        return held
