"""Copying actions as JSON text, and reading them back from a paste.

The clipboard holds a small envelope,
``{"kind": "streamwright.actions", "formatVersion": 1, "actions": [...]}``, as
both our own MIME type and plain text, so actions can be pasted into another
window, a chat or a file and back. A pasted exported endpoint
(``streamwright export``) is accepted too and pastes its workflow.
Fresh ids are handed out by the insert command, against the target endpoint.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from pydantic import ValidationError
from PySide6.QtCore import QMimeData

from app.core.exchange import KIND as ENDPOINT_KIND
from app.core.exchange import endpoint_from_document
from app.core.migrations import UnsupportedFormatError, migrate
from app.core.problems import Problem, ProjectInvalidError
from app.core.project import FORMAT_VERSION, Action, walk_actions
from app.core.project_file import dumps, parse_json
from app.core.registry import Registry, default_registry, format_validation_error
from app.core.validate import validate_action

ACTIONS_KIND = "streamwright.actions"
ACTIONS_MIME_TYPE = "application/x-streamwright-actions"
SOURCE = "clipboard"


def dump_actions(actions: Sequence[Action]) -> str:
    """The clipboard text for these actions (with everything inside them)."""
    return dumps(
        {
            "kind": ACTIONS_KIND,
            "formatVersion": FORMAT_VERSION,
            "actions": [action.model_dump(mode="json", by_alias=True) for action in actions],
        }
    )


def parse_actions(text: str | bytes, registry: Registry | None = None) -> list[Action]:
    """Actions from pasted text; raises ``ProjectInvalidError`` naming every problem by JSON path."""
    document = parse_json(text, SOURCE)
    if isinstance(document, dict) and document.get("kind") == ENDPOINT_KIND:
        return list(endpoint_from_document(document, SOURCE, registry).workflow)
    if not isinstance(document, dict) or document.get("kind") != ACTIONS_KIND or not isinstance(document.get("actions"), list):
        problem = Problem("$", f'not Streamwright actions: expected an object with "kind": "{ACTIONS_KIND}" and an "actions" list, or an exported endpoint')
        raise ProjectInvalidError([problem], SOURCE)
    try:
        document = migrate(document)
    except UnsupportedFormatError as error:
        raise ProjectInvalidError([Problem("$.formatVersion", str(error))], SOURCE) from None
    return _validated_actions(document["actions"], registry or default_registry())


def _validated_actions(raw: list[Any], registry: Registry) -> list[Action]:
    problems: list[Problem] = []
    actions: list[Action] = []
    for index, item in enumerate(raw):
        try:
            action = Action.model_validate(item)
        except ValidationError as error:
            problems.extend(Problem(path, message) for path, message in format_validation_error(error, f"$.actions[{index}]"))
            continue
        actions.append(action)
        base = f"$.actions[{index}]"
        checked = [(base, action)] + [pair for slot, children in action.slots.items() for pair in walk_actions(children, f"{base}.slots.{slot}")]
        for path, inner in checked:
            problems.extend(p for p in validate_action(inner, registry, path) if p.severity == "error")
    if problems:
        raise ProjectInvalidError(problems, SOURCE)
    return actions


def actions_mime_data(actions: Sequence[Action]) -> QMimeData:
    """Our MIME type plus plain text, for ``QClipboard.setMimeData`` or a drag."""
    text = dump_actions(actions)
    mime = QMimeData()
    mime.setData(ACTIONS_MIME_TYPE, text.encode("utf-8"))
    mime.setText(text)
    return mime


def actions_from_mime_data(mime: QMimeData, registry: Registry | None = None) -> list[Action]:
    """Actions from a paste or drop: our MIME type first, else the text; raises ``ProjectInvalidError``."""
    if mime.hasFormat(ACTIONS_MIME_TYPE):
        text: str | bytes = bytes(mime.data(ACTIONS_MIME_TYPE).data())  # decoded strictly by parse_json
    elif mime.hasText():
        text = mime.text()
    else:
        raise ProjectInvalidError([Problem("$", "the clipboard holds no text")], SOURCE)
    return parse_actions(text, registry)


def can_paste(mime: QMimeData) -> bool:
    """Cheap check for enabling Paste: our MIME type, or text that looks like one of our envelopes."""
    if mime.hasFormat(ACTIONS_MIME_TYPE):
        return True
    text = mime.text() if mime.hasText() else ""
    return ACTIONS_KIND in text or ENDPOINT_KIND in text
