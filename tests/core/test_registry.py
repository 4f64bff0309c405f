"""One declaration per action type; the registry refuses duplicates and keeps legacy ids loadable."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from app.core.params import ActionParams, Expr, Param
from app.core.registry import ActionType, DuplicateActionTypeError, Registry, UnknownActionTypeError, default_registry
from tests.conftest import ROOT

EXPECTED = {
    "stream.send", "response.return", "variable.set", "flow.wait", "debug.log", "flow.loop",
    "flow.if", "flow.try", "flow.throw", "http.request", "sqlite.query", "file.create",
    "api.call", "page.set_variable", "page.open_url", "http.stream", "ai.chat",
}
INTERFACE = {"api.call", "page.set_variable", "page.open_url", "flow.if"}


class _Params(ActionParams):
    count: Expr[int] = Param(1, title="Count")
    mode: str = Param("a", title="Mode")
    extra: int = Param(0, title="Extra", shown_when={"mode": ["b"]})


async def _noop(params: object, ctx: object) -> None:
    return None


def _type(type_id: str, legacy: tuple[str, ...] = ()) -> ActionType:
    return ActionType(id=type_id, title="T", category="Test", icon="x", description="", params=_Params, run=_noop, legacy_ids=legacy)


def test_every_builtin_action_type_is_registered_with_a_complete_declaration():
    registry = default_registry()
    assert {t.id for t in registry} == EXPECTED
    for action_type in registry:
        assert action_type.title and action_type.category and action_type.icon and action_type.description
        assert action_type.summary is not None
        action_type.parse_params({})  # defaults are valid
        assert action_type.summary(action_type.default_params())


def test_containers_declare_their_slots():
    registry = default_registry()
    assert registry.get("flow.loop").slots == ("body",)
    assert registry.get("flow.if").slots == ("then", "else")
    assert registry.get("flow.try").slots == ("try", "catch")
    assert registry.get("http.stream").slots == ("body",) and registry.get("http.stream").streams_in
    assert registry.get("ai.chat").slot_scopes["body"].field_names(has_parent=False) == ["text", "index", "textSoFar", "reasoning"]
    assert not registry.get("stream.send").is_container


def test_duplicate_ids_are_refused_including_legacy_ids():
    registry = Registry()
    registry.register(_type("a.b", legacy=("old.ab",)))
    with pytest.raises(DuplicateActionTypeError):
        registry.register(_type("a.b"))
    with pytest.raises(DuplicateActionTypeError):
        registry.register(_type("old.ab"))


def test_legacy_ids_resolve_to_the_current_type():
    registry = Registry()
    current = registry.register(_type("a.new", legacy=("a.old",)))
    assert registry.get("a.old") is current and registry.canonical_id("a.old") == "a.new"
    assert "a.old" in registry
    with pytest.raises(UnknownActionTypeError, match="unknown action type 'zzz'"):
        registry.get("zzz")


def test_param_specs_say_which_fields_take_formulas_and_when_they_show():
    specs = {s.name: s for s in _type("a.b").specs}
    assert specs["count"].accepts_formula and specs["count"].value_type is int and specs["count"].editor == "number"
    assert not specs["mode"].accepts_formula
    assert specs["extra"].is_shown({"mode": "b"}) and not specs["extra"].is_shown({"mode": "a"})


def test_loop_fields_show_by_mode():
    specs = {s.name: s for s in default_registry().get("flow.loop").specs}
    assert specs["items"].is_shown({"mode": "each"}) and not specs["items"].is_shown({"mode": "repeat"})
    assert specs["times"].is_shown({"mode": "repeat"}) and specs["times"].accepts_formula


def test_palette_categories_group_every_type():
    categories = default_registry().categories()
    assert sum(len(types) for types in categories.values()) == len(EXPECTED)
    assert {t.id for t in categories["Flow"]} >= {"flow.loop", "flow.if", "flow.try", "flow.wait", "flow.throw"}


def test_each_kind_of_workflow_gets_the_actions_it_can_run():
    interface = {t.id for types in default_registry().categories("interface").values() for t in types}
    endpoint = {t.id for types in default_registry().categories("endpoint").values() for t in types}
    assert interface == INTERFACE
    assert endpoint == EXPECTED - INTERFACE | {"flow.if"}


BUILT_ON_FIRST_USE = """
import json
from pydantic import ValidationError
from app.core.registry import default_registry
registry = default_registry()
built_at_import = sorted(t.id for t in registry if t.params.__pydantic_complete__)
try:
    registry.get("flow.wait").parse_params({"milliseconds": -1})
    error = None
except ValidationError as exc:
    error = [[*e["loc"], e["msg"]] for e in exc.errors()]
built_after = sorted(t.id for t in registry if t.params.__pydantic_complete__)
print(json.dumps({"at_import": built_at_import, "error": error, "after": built_after}))
"""


def test_params_models_are_built_when_they_first_validate_not_at_import():
    """The editor imports every declaration for its palette; a validator costs start-up time only for the types a project uses.

    In a fresh interpreter: this one's other tests have built them all already.
    """
    result = subprocess.run([sys.executable, "-c", BUILT_ON_FIRST_USE], capture_output=True, text=True, cwd=ROOT, timeout=120, check=False)
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["at_import"] == []
    assert ["milliseconds", "constrained-int", "Input should be greater than or equal to 0"] in report["error"]  # what and where, as before
    assert report["after"] == ["flow.wait"]
