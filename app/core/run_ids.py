"""The shapes of a run id and of a Last-Event-ID, one definition for the server, the client and the API description.

An event id is either a message's sequence number (``7``: what a run the
client named with ``Streamwright-Run`` sends, since the client already knows
its run) or an opaque token that carries its run (``<run id>.<seq>``: what a
run nobody named sends, so a standard client's ``Last-Event-ID`` alone finds
the run on any worker). Clients send either back unchanged.
"""

from __future__ import annotations

import re

RUN_ID_PATTERN = "[A-Za-z0-9_-]{8,64}"
SEQ_PATTERN = "[0-9]{1,18}"
LAST_EVENT_ID_PATTERN = f"({SEQ_PATTERN}|{RUN_ID_PATTERN}\\.{SEQ_PATTERN})"
"""A message's sequence number (digits only; no sign, no fraction), or an event token ``<run id>.<seq>``."""

RUN_ID = re.compile(f"^{RUN_ID_PATTERN}$")
LAST_EVENT_ID = re.compile(f"^{LAST_EVENT_ID_PATTERN}$")
_TOKEN = re.compile(f"^({RUN_ID_PATTERN})\\.({SEQ_PATTERN})$")


def event_id_prefix(run_id: str) -> str:
    """What goes before a message's sequence number in the event ids of run ``run_id``: one concatenation per message."""
    return f"{run_id}."


def parse_event_id(text: str) -> tuple[str | None, int]:
    """``(run id or None for a plain sequence number, seq)``; ``ValueError`` for anything else."""
    if text.isdigit() and len(text) <= 18 and text.isascii():
        return None, int(text)
    found = _TOKEN.match(text)
    if found is None:
        raise ValueError(text)
    return found.group(1), int(found.group(2))
