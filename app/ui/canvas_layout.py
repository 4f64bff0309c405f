"""Where every card, lane and insertion point of a workflow canvas goes; plain Python, no Qt.

The canvas paints from this layout and hit-tests against it, so computing it
must stay linear and cheap (a 2,000-action workflow is laid out in a few
milliseconds). Cards are stacked in execution order; a container's slots are
nested lanes under its card; between any two cards, and at the start and end
of every slot, is an insertion point (where "+" and drops go).
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field
from typing import Protocol

from app.core.project import Action, Endpoint
from app.core.registry import Registry, UnknownActionTypeError
from app.editor.action_paths import ActionPath, SlotPath

CARD_HEIGHT = 38
"""Compact cards (a title line and a summary line): ten or more fit a 1280×800 window's canvas."""
GAP = 14
INDENT = 22
LANE_HEADER = 22
LANE_PADDING = 6
TRIGGER_HEIGHT = 46
MARGIN = 12


@dataclass(frozen=True, slots=True)
class Rect:
    x: float
    y: float
    width: float
    height: float

    @property
    def bottom(self) -> float:
        return self.y + self.height

    def contains(self, x: float, y: float) -> bool:
        return self.x <= x < self.x + self.width and self.y <= y < self.y + self.height


@dataclass(frozen=True, slots=True)
class CardBox:
    path: ActionPath
    action: Action
    rect: Rect
    depth: int
    title: str
    summary: str
    icon: str
    category: str
    is_container: bool


@dataclass(frozen=True, slots=True)
class LaneBox:
    slot_path: SlotPath
    label: str
    rect: Rect


@dataclass(frozen=True, slots=True)
class InsertPoint:
    """An insertion point: ``path`` is the slot path plus the index a new action would get."""

    path: ActionPath
    x: float
    y: float
    width: float


@dataclass
class CanvasLayout:
    width: float
    height: float
    trigger: Rect
    cards: list[CardBox] = field(default_factory=list)
    lanes: list[LaneBox] = field(default_factory=list)
    inserts: list[InsertPoint] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._card_tops = [card.rect.y for card in self.cards]
        self._lane_tops = [lane.rect.y for lane in self.lanes]
        self._insert_ys = [point.y for point in self.inserts]

    def reindex(self) -> None:
        self.__post_init__()

    def card_at(self, x: float, y: float) -> CardBox | None:
        index = bisect.bisect_right(self._card_tops, y) - 1
        while index >= 0 and self.cards[index].rect.y > y - CARD_HEIGHT:
            card = self.cards[index]
            if card.rect.contains(x, y):
                return card
            index -= 1
        return None

    def card_for(self, path: ActionPath) -> CardBox | None:
        for card in self.cards:
            if card.path == path:
                return card
        return None

    def visible_cards(self, top: float, bottom: float) -> list[CardBox]:
        start = bisect.bisect_left(self._card_tops, top - CARD_HEIGHT)
        end = bisect.bisect_right(self._card_tops, bottom)
        return self.cards[start:end]

    def visible_lanes(self, top: float, bottom: float) -> list[LaneBox]:
        end = bisect.bisect_right(self._lane_tops, bottom)
        return [lane for lane in self.lanes[:end] if lane.rect.bottom >= top]

    def visible_inserts(self, top: float, bottom: float) -> list[InsertPoint]:
        start = bisect.bisect_left(self._insert_ys, top - GAP)
        end = bisect.bisect_right(self._insert_ys, bottom + GAP)
        return self.inserts[start:end]

    def insert_near(self, x: float, y: float, radius: float = GAP) -> InsertPoint | None:
        """The insertion point under (x, y): the nearest in height among those whose width spans x.

        Of two points at nearly the same height (the end of a slot and the point
        after its container), the innermost wins while x is inside its lane.
        """
        start = bisect.bisect_left(self._insert_ys, y - radius)
        end = bisect.bisect_right(self._insert_ys, y + radius)
        best: InsertPoint | None = None
        for point in self.inserts[start:end]:
            if not point.x <= x <= point.x + point.width:
                continue
            if best is None or (abs(point.y - y), -point.x) < (abs(best.y - y), -best.x):
                best = point
        return best

    def in_execution_order(self) -> list[ActionPath]:
        return [card.path for card in self.cards]


class HasWorkflow(Protocol):
    """Anything with a workflow to lay out: an endpoint, or a page's interface workflow."""

    @property
    def workflow(self) -> list[Action]: ...


class CardTexts:
    """Each card's title, summary and look, remembered by action object.

    Actions are immutable (an edit replaces the action with a copy), so the
    same object means the same text. Summaries render Event Data and SQL, the
    costliest part of a layout; after a reorder only moved ancestors are new.
    """

    def __init__(self, registry: Registry) -> None:
        self.registry = registry
        self._entries: dict[int, tuple[Action, tuple[str, str, str, tuple[str, ...], str]]] = {}

    def of(self, action: Action) -> tuple[str, str, str, tuple[str, ...], str]:
        """(title, icon, category, slots, summary)."""
        entry = self._entries.get(id(action))
        if entry is not None and entry[0] is action:
            return entry[1]
        try:
            action_type = self.registry.get(action.type)
            summary = action_type.summary(action.params) if action_type.summary else ""
            texts = (action_type.title, action_type.icon, action_type.category, action_type.slots, summary)
        except (UnknownActionTypeError, Exception):  # noqa: BLE001 - a card must draw even for bad params
            texts = (action.type, "error", "Unknown", (), "")
        self._entries[id(action)] = (action, texts)
        return texts

    def keep_only(self, seen: set[int]) -> None:
        """Forget actions no longer shown (the entries hold them alive)."""
        if len(self._entries) > 2 * len(seen) + 64:
            self._entries = {key: entry for key, entry in self._entries.items() if key in seen}


def layout_workflow(endpoint: Endpoint | HasWorkflow, registry: Registry, width: float = 560.0, texts: CardTexts | None = None) -> CanvasLayout:
    """Lay out an endpoint's trigger and workflow in a column ``width`` wide."""
    texts = texts if texts is not None else CardTexts(registry)
    seen: set[int] = set()
    cards: list[CardBox] = []
    lanes: list[LaneBox] = []
    inserts: list[InsertPoint] = []
    trigger = Rect(MARGIN, MARGIN, width, TRIGGER_HEIGHT)

    def block(actions: list[Action], slot_path: SlotPath, x: float, y: float, column: float, depth: int) -> float:
        inserts.append(InsertPoint((*slot_path, 0), x, y + GAP / 2, column))
        y += GAP
        for index, action in enumerate(actions):
            path = (*slot_path, index)
            seen.add(id(action))
            title, icon, category, slots, summary = texts.of(action)
            cards.append(CardBox(path, action, Rect(x, y, column, CARD_HEIGHT), depth, action.title or title, summary, icon, category, bool(slots)))
            y += CARD_HEIGHT
            for slot in slots:
                lane_top = y
                y = block(action.slots.get(slot, []), (*path, slot), x + INDENT, y + LANE_HEADER, column - 2 * INDENT, depth + 1)
                lanes.append(LaneBox((*path, slot), slot, Rect(x + INDENT / 2, lane_top, column - INDENT, y - lane_top)))
                y += LANE_PADDING
            inserts.append(InsertPoint((*slot_path, index + 1), x, y + GAP / 2, column))
            y += GAP
        return y

    bottom = block(endpoint.workflow, (), MARGIN, trigger.bottom, width, 0)
    texts.keep_only(seen)
    lanes.sort(key=lambda lane: lane.rect.y)
    inserts.sort(key=lambda point: point.y)
    return CanvasLayout(width + 2 * MARGIN, bottom + MARGIN, trigger, cards, lanes, inserts)
