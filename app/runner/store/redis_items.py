"""How a run sits in Redis: its key names, and its wire items as stream entries.

Per run ``<id>`` (every key expires: ``keep`` seconds after the run ends, and
while it runs its owner keeps pushing that back, so a dead owner leaks nothing):

- ``streamwright:run:<id>``: a hash, ``owner`` (worker id), ``endpoint``, ``status`` (``running``/``done``);
- ``streamwright:run:<id>:items``: a stream of the run's items, length capped;
- ``streamwright:run:<id>:lease``: exists while the owner is alive (it refreshes the TTL);
- ``streamwright:run:<id>:stop``: set by ``DELETE`` on any worker; the owner also hears it on
  ``streamwright:stop:<worker id>`` at once;
- ``streamwright:run:<id>:followed``: refreshed while a client follows through another worker.

Entry ids say where an entry is: message ``seq`` is ``<seq>-0`` and the
``k``-th other item after it (a trace, the end) ``<seq>-<k>``, so a client
resuming after message ``seq`` reads from ``<seq>-0`` with no lookup.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from app.runner.runs import WireItem

PREFIX = "streamwright:"
END = "end"
"""The entry after a run's last item: followers elsewhere stop there."""


@dataclass(frozen=True, slots=True)
class RunKeys:
    run_id: str

    @property
    def run(self) -> str:
        return f"{PREFIX}run:{self.run_id}"

    @property
    def items(self) -> str:
        return f"{self.run}:items"

    @property
    def lease(self) -> str:
        return f"{self.run}:lease"

    @property
    def stop(self) -> str:
        return f"{self.run}:stop"

    @property
    def followed(self) -> str:
        return f"{self.run}:followed"


def stop_channel(worker_id: str) -> str:
    return f"{PREFIX}stop:{worker_id}"


def encode_item(item: WireItem | None) -> str:
    if item is None:
        return f'["{END}"]'
    return json.dumps([item.kind, item.data, item.seq, item.part, item.transient], ensure_ascii=False, separators=(",", ":"))


def decode_item(text: str) -> WireItem | None:
    """The item an entry holds; None for the end of the run."""
    fields: list[Any] = json.loads(text)
    if fields[0] == END:
        return None
    kind, data, seq, part, transient = fields
    return WireItem(kind, data, seq, part, transient)


def entry_seq(entry_id: str) -> int:
    """The newest message sequence number at entry ``entry_id``."""
    return int(entry_id.partition("-")[0])


class EntryIds:
    """The next entry id of one run's stream (see the module docstring)."""

    def __init__(self) -> None:
        self.seq = 0
        self.k = 0

    def next(self, item: WireItem | None) -> str:
        if item is not None and item.seq is not None:
            self.seq, self.k = item.seq, 0
        else:
            self.k += 1
        return f"{self.seq}-{self.k}"
