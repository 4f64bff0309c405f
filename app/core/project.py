"""The project model: API endpoints with their workflows, and interface pages.

Params are stored as the raw JSON the user wrote; each action type's params
model validates them (see ``registry``), which keeps this model independent of
which action types exist and keeps unknown-but-legacy files loadable.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

FORMAT_VERSION = 1
SCHEMA_URL = "https://streamwright.dev/schema/project-v1.json"

IDENTIFIER = r"^[A-Za-z_][A-Za-z0-9_]*$"
SLUG = r"^[a-z0-9][a-z0-9-]*$"

InputType = Literal["string", "number", "integer", "boolean", "object", "array"]
HttpMethod = Literal["GET", "POST", "PUT", "PATCH", "DELETE"]


class Model(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True, validate_assignment=True)


class Action(Model):
    """One step of a workflow; containers hold child actions in named slots."""

    id: str = Field(pattern=IDENTIFIER, description="Stable id, unique in its endpoint; formulas read results.<id>.")
    type: str = Field(description="Action type id, e.g. stream.send.")
    title: str | None = Field(default=None, description="Optional label shown instead of the type's title.")
    params: dict[str, Any] = Field(default_factory=dict)
    slots: dict[str, list[Action]] = Field(default_factory=dict)


class EndpointInput(Model):
    name: str = Field(pattern=IDENTIFIER)
    type: InputType = "string"
    required: bool = False
    default: Any = None
    description: str = ""


class Endpoint(Model):
    name: str = Field(pattern=SLUG, description="Unique name, used by the CLI and in the URL.")
    method: HttpMethod = "POST"
    path: str = Field(pattern=r"^/[A-Za-z0-9_\-/{}.]*$")
    description: str = ""
    inputs: list[EndpointInput] = Field(default_factory=list)
    workflow: list[Action] = Field(default_factory=list)


class Widget(Model):
    id: str = Field(pattern=IDENTIFIER)
    type: str
    props: dict[str, Any] = Field(default_factory=dict)
    children: list[Widget] = Field(default_factory=list)


class Page(Model):
    name: str = Field(pattern=SLUG)
    title: str = ""
    widgets: list[Widget] = Field(default_factory=list)


class Project(Model):
    schema_url: str = Field(default=SCHEMA_URL, alias="$schema")
    format_version: int = Field(default=FORMAT_VERSION, alias="formatVersion")
    name: str = "Untitled"
    description: str = ""
    endpoints: list[Endpoint] = Field(default_factory=list)
    pages: list[Page] = Field(default_factory=list)

    def endpoint(self, name: str) -> Endpoint:
        for endpoint in self.endpoints:
            if endpoint.name == name:
                return endpoint
        known = ", ".join(e.name for e in self.endpoints) or "none"
        raise KeyError(f"no endpoint named {name!r} (endpoints: {known})")


def walk_actions(actions: list[Action], path: str = "workflow") -> Iterator[tuple[str, Action]]:
    """Every action under a list, depth first in execution order, with its JSON path."""
    for index, action in enumerate(actions):
        action_path = f"{path}[{index}]"
        yield action_path, action
        for slot, children in action.slots.items():
            yield from walk_actions(children, f"{action_path}.slots.{slot}")
