"""The JSON Schema is generated from the models and kept in resources/schema."""

from __future__ import annotations

import json

from jsonschema import Draft202012Validator

from app.core.project_file import dumps
from app.core.registry import default_registry
from app.core.schema import project_json_schema
from tests.conftest import EXAMPLE, ROOT

SCHEMA_FILE = ROOT / "resources" / "schema" / "project.schema.json"


def test_schema_file_is_up_to_date():
    assert SCHEMA_FILE.read_text(encoding="utf-8") == dumps(project_json_schema()), "stale schema: run `make schema`"


def test_schema_has_one_branch_per_action_type_with_its_params():
    schema = project_json_schema()
    branches = schema["$defs"]["Action"]["oneOf"]
    assert {b["properties"]["type"]["enum"][0] for b in branches} == {t.id for t in default_registry()}
    loop = next(b for b in branches if b["properties"]["type"]["enum"] == ["flow.loop"])
    assert list(loop["properties"]["slots"]["properties"]) == ["body"]
    send_params = schema["$defs"]["Params_stream_send"]
    assert "eventData" in send_params["properties"]


def test_example_validates_against_the_schema():
    validator = Draft202012Validator(project_json_schema())
    assert list(validator.iter_errors(json.loads(EXAMPLE.read_text()))) == []


def test_schema_rejects_a_misspelled_param():
    example = json.loads(EXAMPLE.read_text())
    example["endpoints"][0]["workflow"][0]["params"]["evntData"] = {}
    errors = list(Draft202012Validator(project_json_schema()).iter_errors(example))
    assert errors, "a param the type does not declare must fail schema validation"
