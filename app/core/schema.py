"""The project file's JSON Schema, generated from the models and the action and widget registries.

Each action and each widget is a ``oneOf`` branch per type so editors that
read ``$schema`` validate and complete params and props by type. ``resources/schema/project.schema.json``
is this output; a test fails if it is stale (``make schema`` refreshes it).
"""

from __future__ import annotations

from typing import Any

from app.core.project import SCHEMA_URL, Project
from app.core.registry import Registry, default_registry
from app.core.widgets.registry import WidgetRegistry, default_widget_registry

REF = "#/$defs/{model}"


def _params_def_name(type_id: str) -> str:
    return "Params_" + type_id.replace(".", "_")


def _props_def_name(type_id: str) -> str:
    return "Props_" + type_id


def project_json_schema(registry: Registry | None = None, widget_registry: WidgetRegistry | None = None) -> dict[str, Any]:
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
    defs["Widget"] = {"title": "Widget", "oneOf": _widget_branches(widget_registry or default_widget_registry(), defs)}
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_URL,
        **{key: value for key, value in schema.items() if key != "$defs"},
        "$defs": dict(sorted(defs.items())),
    }


def _widget_branches(widget_registry: WidgetRegistry, defs: dict[str, Any]) -> list[dict[str, Any]]:
    """One branch per widget type: its props, its events, and children only for a container."""
    widget = defs["Widget"]["properties"]
    branches = []
    for widget_type in sorted(widget_registry, key=lambda t: t.id):
        props_schema = widget_type.props.model_json_schema(by_alias=True, ref_template=REF)
        defs.update(props_schema.pop("$defs", {}))
        props_schema["title"] = f"{widget_type.title} props"
        properties = props_schema["properties"]
        props_schema["properties"] = {spec.alias: properties[spec.alias] for spec in widget_type.specs}  # inspector order
        defs[_props_def_name(widget_type.id)] = props_schema
        children = widget["children"] if widget_type.container else {"type": "array", "maxItems": 0, "description": "Only a Container holds widgets."}
        events = {event: {"type": "array", "items": {"$ref": REF.format(model="Action")}} for event in widget_type.events}
        branches.append(
            {
                "title": widget_type.title,
                "description": widget_type.description,
                "type": "object",
                "required": ["id", "type"],
                "additionalProperties": False,
                "properties": {
                    "id": widget["id"],
                    "type": {"enum": [widget_type.id]},
                    "props": {"$ref": REF.format(model=_props_def_name(widget_type.id))},
                    "children": children,
                    "events": {"type": "object", "properties": events, "additionalProperties": False},
                },
            }
        )
    return branches
