"""One declaration per action type: no module outside ``app/core/actions`` writes an action type's id.

When one does, the declaration is missing something (the scope a container
gives its slots, the variables an action sets, whether it sends messages, its
own checks) and adding an action would mean editing that module too.
"""

from __future__ import annotations

import ast
from pathlib import Path

from app.core.registry import default_registry

APP = Path(__file__).resolve().parents[2] / "app"
ACTIONS = APP / "core" / "actions"
NOT_ACTION_IDS = {("runner/security.py", "http.request"): "the ASGI message type of a request body, not the HTTP request action"}


def _string_constants(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    docstrings = {
        id(node.body[0].value)
        for node in ast.walk(tree)
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef))
        and node.body
        and isinstance(node.body[0], ast.Expr)
        and isinstance(node.body[0].value, ast.Constant)
    }
    return {node.value for node in ast.walk(tree) if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings}


def test_no_module_outside_the_action_declarations_names_an_action_id() -> None:
    ids = {key for action_type in default_registry() for key in (action_type.id, *action_type.legacy_ids)}
    offenders = []
    for path in sorted(APP.rglob("*.py")):
        if path.is_relative_to(ACTIONS):
            continue
        relative = path.relative_to(APP).as_posix()
        for constant in _string_constants(path) & ids:
            if (relative, constant) not in NOT_ACTION_IDS:
                offenders.append(f"app/{relative}: {constant!r}")
    assert offenders == [], "say it in the action's declaration instead: " + ", ".join(offenders)


def test_the_check_sees_an_id_written_anywhere(tmp_path: Path) -> None:
    module = tmp_path / "m.py"
    module.write_text('"""Docstring naming stream.send is fine."""\nKIND = "stream.send"\n', encoding="utf-8")
    assert _string_constants(module) == {"stream.send"}


def test_every_container_slot_scope_names_one_of_its_slots() -> None:
    for action_type in default_registry():
        assert set(action_type.slot_scopes) <= set(action_type.slots), action_type.id


async def test_the_loop_binds_exactly_the_fields_its_declaration_offers(run) -> None:
    from app.core.actions.loop import LOOP_SCOPE
    from tests.conftest import action, formula

    send = action("send", "stream.send", eventData={"status": "x", "keys": formula("$keys(loop)")})
    inner = action("inner", "flow.loop", {"body": [send]}, mode="repeat", times=1)
    result = await run([action("outer", "flow.loop", {"body": [inner]}, mode="repeat", times=1)])
    assert result.messages[0]["keys"] == LOOP_SCOPE.field_names(has_parent=True)


async def test_the_catch_binds_exactly_the_fields_its_declaration_offers(run) -> None:
    from app.core.actions.try_catch import CAUGHT_ERROR_SCOPE
    from tests.conftest import action, formula

    send = action("send", "stream.send", eventData={"status": "x", "keys": formula("$keys(caughtError)")})
    guarded = action("guarded", "flow.try", {"try": [action("boom", "flow.throw", message="no")], "catch": [send]})
    result = await run([guarded])
    assert result.messages[0]["keys"] == CAUGHT_ERROR_SCOPE.field_names(has_parent=False)
