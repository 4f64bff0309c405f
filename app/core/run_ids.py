"""The shapes of a run id and of a Last-Event-ID, one definition for the server, the client and the API description."""

from __future__ import annotations

import re

RUN_ID_PATTERN = "[A-Za-z0-9_-]{8,64}"
LAST_EVENT_ID_PATTERN = "[0-9]{1,18}"
"""A message's sequence number, as the server writes it in ``id:`` (digits only; no sign, no fraction)."""

RUN_ID = re.compile(f"^{RUN_ID_PATTERN}$")
LAST_EVENT_ID = re.compile(f"^{LAST_EVENT_ID_PATTERN}$")
