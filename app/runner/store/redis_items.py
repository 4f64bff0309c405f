"""How a run sits in Redis: its key names, and its wire items as stream entries.

Per run ``<id>`` (every key expires: ``keep`` seconds after the run ends, and
while it runs its owner keeps pushing that back, so a dead owner leaks nothing):

- ``streamwright:run:<id>``: a hash, ``owner`` (worker id), ``endpoint``, ``status`` (``running``/``done``);
- ``streamwright:run:<id>:items``: a stream of the run's items, length capped;
- ``streamwright:run:<id>:lease``: exists while the owner is alive (it refreshes the TTL);
- ``streamwright:run:<id>:stop``: set by ``DELETE`` on any worker; the owner also hears it on
  ``streamwright:stop:<worker id>`` at once;
- ``streamwright:run:<id>:followed``: refreshed while a client follows through another worker.

An entry holds the items one write round found for the run (one at a time
when the run is slow, many when it is fast: one command per batch, not per
item), as a JSON list in field ``i``. Every item has an id: message ``seq``
is ``<seq>-0`` and the ``k``-th other item after it (a trace, the end)
``<seq>-<k>``; an entry's id is its last item's, and field ``f`` holds its
first item's. So the entry holding message ``seq`` is the first whose id is
at least ``<seq>-0``, found with one ``XRANGE``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from app.runner.runs import WireEvent, WireItem

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


def encode_items(items: list[WireItem | None]) -> str:
    """One entry's items as JSON text (``None``, the run's end, as ``["end"]``)."""
    return json.dumps(
        [[END] if item is None else [item.kind, item.data, item.seq, item.part, item.transient] for item in items], ensure_ascii=False, separators=(",", ":")
    )


def decode_items(text: str) -> list[WireItem | None]:
    """The items an entry holds; ``None`` for the end of the run."""
    fields: list[list[Any]] = json.loads(text)
    return [None if item[0] == END else WireEvent(item[0], item[1], item[2], item[3], item[4]) for item in fields]


def id_order(entry_id: str) -> tuple[int, int]:
    """An entry or item id as a number pair, for comparing."""
    ms, _, sequence = entry_id.partition("-")
    return int(ms), int(sequence or 0)


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
