"""The project file's JSON Schema, generated from the models and the action registry.

Each action is a ``oneOf`` branch per type so editors that read ``$schema``
validate and complete params by type. ``resources/schema/project.schema.json``
is this output; a test fails if it is stale (``make schema`` refreshes it).
"""

from __future__ import annotations

from typing import Any

from app.core.project import SCHEMA_URL, Project
from app.core.registry import Registry, default_registry

REF = "#/$defs/{model}"


def _params_def_name(type_id: str) -> str:
    return "Params_" + type_id.replace(".", "_")


def project_json_schema(registry: Registry | None = None) -> dict[str, Any]:
    registry = registry or default_registry()
    schema = Project.model_json_schema(by_alias=True, ref_template=REF)
    defs: dict[str, Any] = schema.setdefault("$defs", {})
    branches = []
    for action_type in sorted(registry, key=lambda t: t.id):
        params_schema = action_type.params.model_json_schema(by_alias=True, ref_template=REF)
        defs.update(params_schema.pop("$defs", {}))
        params_schema["title"] = f"{action_type.title} params"
        defs[_params_def_name(action_type.id)] = params_schema
        type_ids = [action_type.id, *action_type.legacy_ids]
        slots = {slot: {"type": "array", "items": {"$ref": REF.format(model="Action")}} for slot in action_type.slots}
        branches.append(
            {
                "title": action_type.title,
                "description": action_type.description,
                "type": "object",
                "required": ["id", "type"],
                "additionalProperties": False,
                "properties": {
                    "id": defs["Action"]["properties"]["id"],
                    "type": {"enum": type_ids},
                    "title": defs["Action"]["properties"]["title"],
                    "params": {"$ref": REF.format(model=_params_def_name(action_type.id))},
                    "slots": {"type": "object", "properties": slots, "additionalProperties": False},
                },
            }
        )
    defs["Action"] = {"title": "Action", "oneOf": branches}
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_URL,
        **{key: value for key, value in schema.items() if key != "$defs"},
        "$defs": dict(sorted(defs.items())),
    }
