"""The Stream dock's tabs beside the messages, by the names the window keeps in its settings.

Apart from the inspector so the window can read and reset the chosen tab at
start-up without importing the inspector, which is built on first use.
"""

from __future__ import annotations

PART_TIMELINE, PART_RATE, PART_HEALTH = "timeline", "rate", "health"
PARTS = (PART_TIMELINE, PART_RATE, PART_HEALTH)
"""In tab order; the first is the default (a new window, View -> Reset layout, an unknown saved name)."""
PART_TITLES = {PART_TIMELINE: "Timeline", PART_RATE: "Rate", PART_HEALTH: "Health"}
