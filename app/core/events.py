"""Run events: what the engine reports while an endpoint runs.

A run yields messages (the stream), action spans (for a timeline), logs, and
ends with exactly one ``ResultEvent`` or ``ErrorEvent``. Slotted dataclasses
keep the per-message cost low.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any, Literal


@dataclass(slots=True)
class MessageEvent:
    """One streamed message: a Send streaming response's Event Data."""

    seq: int
    data: dict[str, Any]
    action_id: str
    t: float
    kind: Literal["message"] = "message"
    part: str | None = None
    """The part this message replaces (a later message with the same id replaces it); None for a plain message."""
    transient: bool = False
    """Shown but not kept in ``stream.chunks`` (only for a keyed message)."""


@dataclass(slots=True)
class ActionStarted:
    action_id: str
    action_type: str
    t: float
    kind: Literal["action_started"] = "action_started"


@dataclass(slots=True)
class ActionFinished:
    action_id: str
    action_type: str
    t: float
    duration: float
    ok: bool
    values: dict[str, str] | None = None
    """What each formula param evaluated to (short JSON text), for the editor's "Last run" hints."""
    kind: Literal["action_finished"] = "action_finished"


@dataclass(slots=True)
class LogEvent:
    message: Any
    level: Literal["info", "warning", "error"]
    action_id: str
    t: float
    kind: Literal["log"] = "log"


@dataclass(slots=True)
class ErrorEvent:
    """An unhandled error: it ends the run (and the stream, if one started)."""

    message: str
    action_id: str | None
    action_type: str | None
    t: float
    streamed: bool
    kind: Literal["error"] = "error"


@dataclass(slots=True)
class ResultEvent:
    """The end of a successful run: a Return response's status and body, or the default 200/null."""

    status_code: int
    body: Any
    returned: bool
    streamed: bool
    message_count: int
    t: float
    kind: Literal["result"] = "result"


RunEvent = MessageEvent | ActionStarted | ActionFinished | LogEvent | ErrorEvent | ResultEvent


def event_to_json(event: RunEvent) -> dict[str, Any]:
    """A plain dict with ``kind`` first, for NDJSON output and the wire."""
    data = asdict(event)
    kind = data.pop("kind")
    if kind == "message":  # a plain message keeps its shape; a keyed one says its part
        if data["part"] is None:
            del data["part"]
        if not data["transient"]:
            del data["transient"]
    return {"kind": kind, **data}
