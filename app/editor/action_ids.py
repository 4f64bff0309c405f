"""Fresh action ids: ``send_3`` for a new Send streaming response, ``loop_2`` for a copy of ``loop_1``.

Ids are unique per endpoint because formulas read ``results.<id>``; new,
duplicated and pasted actions must never take an id already in use there.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import Any

from app.core.project import Action, walk_actions
from app.core.values import FORMULA_KEY, formula_source, is_formula

_NUMBER_SUFFIX = re.compile(r"_\d+$")
_NOT_IDENTIFIER = re.compile(r"[^A-Za-z0-9_]")


def id_stem(type_id: str) -> str:
    """``stream.send`` -> ``send``: the last part of a type id, made a valid identifier."""
    stem = _NOT_IDENTIFIER.sub("_", type_id.rsplit(".", 1)[-1]).strip("_") or "action"
    return stem if not stem[0].isdigit() else f"a_{stem}"


def fresh_id(stem: str, taken: set[str], first: int = 1) -> str:
    """The first ``<stem>_<n>`` (n >= first) not in ``taken``."""
    number = first
    while f"{stem}_{number}" in taken:
        number += 1
    return f"{stem}_{number}"


def ids_in(actions: Iterable[Action]) -> set[str]:
    """Every id in these actions and their slots."""
    return {action.id for _, action in walk_actions(list(actions))}


def with_fresh_ids(actions: Sequence[Action], taken: set[str], keep_free: bool = False) -> list[Action]:
    """Deep copies whose ids (children included) do not clash with ``taken``.

    ``keep_free`` keeps an id that is still free (paste into another endpoint
    keeps its ids); otherwise every id is renewed (duplicate). ``taken`` grows
    with the ids handed out.
    """
    renamed: dict[str, str] = {}
    copies = [_renew(action, taken, keep_free, renamed) for action in actions]
    moved = {old: new for old, new in renamed.items() if old != new}
    if not moved:
        return copies
    pattern = re.compile(r"\bresults\.(" + "|".join(re.escape(old) for old in moved) + r")\b")
    return [_follow_renames(action, pattern, moved) for action in copies]


def _renew(action: Action, taken: set[str], keep_free: bool, renamed: dict[str, str]) -> Action:
    if keep_free and action.id not in taken:
        new_id = action.id
    else:
        new_id = fresh_id(_NUMBER_SUFFIX.sub("", action.id) or "action", taken, first=2)
    taken.add(new_id)
    renamed[action.id] = new_id
    slots = {slot: [_renew(child, taken, keep_free, renamed) for child in children] for slot, children in action.slots.items()}
    return action.model_copy(update={"id": new_id, "slots": slots, "params": _copy_json(action.params)})


def _follow_renames(action: Action, pattern: re.Pattern[str], moved: dict[str, str]) -> Action:
    """Formulas of the copies that read ``results.<old id>`` of an action copied with them read the copy's result.

    A formula reading an action outside the copied set keeps its id: that
    action is still there (or the paste lands where lint will say it is not).
    """
    params = _rewrite(action.params, pattern, moved)
    slots = {slot: [_follow_renames(child, pattern, moved) for child in children] for slot, children in action.slots.items()}
    return action.model_copy(update={"params": params, "slots": slots})


def _rewrite(value: object, pattern: re.Pattern[str], moved: dict[str, str]) -> Any:
    if is_formula(value):
        source = formula_source(value)
        return {FORMULA_KEY: pattern.sub(lambda m: f"results.{moved[m.group(1)]}", source)}
    if isinstance(value, dict):
        return {key: _rewrite(item, pattern, moved) for key, item in value.items()}
    if isinstance(value, list):
        return [_rewrite(item, pattern, moved) for item in value]
    return value


def _copy_json(value: object) -> object:
    if isinstance(value, dict):
        return {key: _copy_json(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_copy_json(item) for item in value]
    return value
