"""The project model: API endpoints with their workflows, and interface pages.

Params are stored as the raw JSON the user wrote; each action type's params
model validates them (see ``registry``), which keeps this model independent of
which action types exist and keeps unknown-but-legacy files loadable.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, SerializerFunctionWrapHandler, model_serializer, model_validator

FORMAT_VERSION = 1
SCHEMA_URL = "https://streamwright.dev/schema/project-v1.json"

IDENTIFIER = r"^[A-Za-z_][A-Za-z0-9_]*$"
SLUG = r"^[a-z0-9][a-z0-9-]*$"

InputType = Literal["string", "number", "integer", "boolean", "object", "array"]
HttpMethod = Literal["GET", "POST", "PUT", "PATCH", "DELETE"]


class Model(BaseModel):
    """Built at import, not with ``defer_build``: every start validates a project, and a validator built
    with its nested models deferred validated a 2,000-action project 30-100% slower."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True, validate_assignment=True)


class Action(Model):
    """One step of a workflow; containers hold child actions in named slots."""

    id: str = Field(pattern=IDENTIFIER, description="Stable id, unique in its endpoint; formulas read results.<id>.")
    type: str = Field(description="Action type id, e.g. stream.send.")
    title: str | None = Field(default=None, description="Optional label shown instead of the type's title.")
    params: dict[str, Any] = Field(default_factory=dict)
    slots: dict[str, list[Action]] = Field(default_factory=dict)


class EndpointInput(Model):
    """A declared input. The limits are enforced on every call (a value outside them is a 422) and published
    in the API description, so a client or an API fuzzer knows the real range."""

    name: str = Field(pattern=IDENTIFIER)
    type: InputType = "string"
    required: bool = False
    default: Any = None
    description: str = ""
    minimum: int | float | None = Field(default=None, description="Smallest value of a number or integer input.")
    maximum: int | float | None = Field(default=None, description="Largest value of a number or integer input.")
    max_length: int | None = Field(default=None, ge=0, alias="maxLength", description="Most characters of a string input.")

    @model_serializer(mode="wrap")
    def _omit_unset_limits(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        """Limits are written only when set, so files without them stay as they were."""
        data: dict[str, Any] = handler(self)
        for key in ("minimum", "maximum", "max_length", "maxLength"):
            if key in data and data[key] is None:
                del data[key]
        return data


class Endpoint(Model):
    name: str = Field(pattern=SLUG, description="Unique name, used by the CLI and in the URL.")
    method: HttpMethod = "POST"
    path: str = Field(pattern=r"^/[A-Za-z0-9_\-/{}.]*$")
    description: str = ""
    inputs: list[EndpointInput] = Field(default_factory=list)
    workflow: list[Action] = Field(default_factory=list)
    resume_grace: float | None = Field(
        default=None,
        ge=0,
        le=3600,
        alias="resumeGrace",
        description="Seconds a run goes on after its client's connection drops, waiting to be resumed, before it is cancelled "
        "(absent: the server's default, 10 s unless `serve --resume-grace` says otherwise).",
    )


class Widget(Model):
    """One widget of a page. Props are stored raw (a literal or ``{"$formula": ...}``), like action params."""

    id: str = Field(pattern=IDENTIFIER, description="Unique in its page.")
    type: str = Field(description="Widget type id, e.g. progress_bar.")
    props: dict[str, Any] = Field(default_factory=dict)
    children: list[Widget] = Field(default_factory=list, description="A Container's widgets.")
    events: dict[str, list[Action]] = Field(default_factory=dict, description="Interface workflows by trigger, e.g. click for a Button's On click.")


class PageVariable(Model):
    """A value the page keeps (a Text input's text, a call's result) that bindings read as ``variables.<name>``."""

    name: str = Field(pattern=IDENTIFIER)
    initial: Any = None


class Page(Model):
    name: str = Field(pattern=SLUG)
    title: str = ""
    variables: list[PageVariable] = Field(default_factory=list)
    on_load: list[Action] = Field(default_factory=list, alias="onLoad", description="The On page load workflow.")
    widgets: list[Widget] = Field(default_factory=list)


class RecordedMessage(Model):
    """One message of a recorded stream, with when it arrived."""

    t: float = Field(ge=0, description="Seconds since the call started.")
    data: Any = Field(description="The message's Event Data.")
    action_id: str | None = Field(default=None, alias="actionId", description="The Send streaming response that sent it, when known.")
    part: str | None = Field(default=None, description="The part id of a keyed message (it replaced that part's previous message); absent for a plain one.")
    transient: bool = Field(default=False, description="A keyed message shown but not kept in stream.chunks.")

    @model_serializer(mode="wrap")
    def _omit_plain_part(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        """A plain message is written without part and transient, so recordings made before keyed parts stay as they were."""
        data: dict[str, Any] = handler(self)
        if data.get("part") is None:
            data.pop("part", None)
        if not data.get("transient"):
            data.pop("transient", None)
        return data

    @model_validator(mode="after")
    def _transient_is_keyed(self) -> RecordedMessage:
        if self.transient and self.part is None:
            raise ValueError("a transient message needs its part id (only a keyed message can be transient)")
        return self


class Recording(Model):
    """A stream kept in the project: replayed into the Preview without a runner, or turned into a stream test."""

    name: str = Field(pattern=SLUG, description="Unique in the project.")
    endpoint: str = Field(description="The endpoint it is a stream of (it need not exist yet).")
    inputs: dict[str, Any] = Field(default_factory=dict)
    endpoint_version: str = Field(default="", alias="endpointVersion", description="A digest of the endpoint when it was recorded.")
    recorded_at: str = Field(default="", alias="recordedAt", description="ISO 8601 time of the recording.")
    source: Literal["run", "manual", "sse"] = "run"
    messages: list[RecordedMessage] = Field(default_factory=list)
    status: Literal["done", "error", "cancelled"] = "done"
    result: Any = None
    error: str | None = None
    duration: float | None = Field(default=None, ge=0, description="Seconds from the call's start to its end.")


DEFAULT_IGNORED_FIELDS: tuple[str, ...] = (
    "downloadUrl",
    "url",
    "runId",
    "t",
    "time",
    "timestamp",
    "createdAt",
    "updatedAt",
    "elapsed",
    "elapsedMs",
    "duration",
    "durationMs",
)
"""Fields whose values differ from run to run (links to a run's files, ids, clock times): a stream test checks only that they are there."""


class StreamTest(Model):
    """An expectation on an endpoint's stream, usually made from a recording; ``streamwright test`` checks it.

    ``statuses`` is the expected order of statuses. Without ``exactCount`` a
    status repeated consecutively is stored once and matches one or more
    messages, so ``[starting, progress, done]`` matches starting, progress ×N,
    done; with ``exactCount`` each entry is one message. ``shapes`` maps a
    status to its fields; a name ending in ``?`` is a field only some of the
    recorded messages with that status had (optional).
    """

    name: str = Field(pattern=SLUG, description="Unique in the project.")
    endpoint: str = Field(description="The endpoint whose stream is checked.")
    inputs: dict[str, Any] = Field(default_factory=dict, description="The inputs the endpoint runs with for the test.")
    statuses: list[str | None] = Field(default_factory=list, description="Expected order of statuses (null: a message without one).")
    exact_count: bool = Field(default=False, alias="exactCount", description="Each entry of statuses is exactly one message.")
    shapes: dict[str, list[str]] = Field(default_factory=dict, description="Status -> its messages' fields, sorted; name? marks an optional field.")
    final: dict[str, Any] | None = Field(default=None, description="The final message's fields; values are compared only when exact.")
    exact: bool = Field(default=False, description="Also compare every message's values (see messages), except the ignored fields.")
    messages: list[Any] = Field(default_factory=list, description="Every expected message's Event Data, used when exact.")
    ignore: list[str] = Field(default_factory=lambda: list(DEFAULT_IGNORED_FIELDS), description="Fields whose values are never compared, only their presence.")
    expect: Literal["done", "error"] = Field(default="done", description="How the stream should end: normally, or with an error.")
    from_recording: str | None = Field(default=None, alias="fromRecording", description="The recording it was made from.")


class Project(Model):
    schema_url: str = Field(default=SCHEMA_URL, alias="$schema")
    format_version: int = Field(default=FORMAT_VERSION, alias="formatVersion")
    name: str = "Untitled"
    description: str = ""
    endpoints: list[Endpoint] = Field(default_factory=list)
    pages: list[Page] = Field(default_factory=list)
    recordings: list[Recording] = Field(default_factory=list)
    stream_tests: list[StreamTest] = Field(default_factory=list, alias="streamTests")

    def endpoint(self, name: str) -> Endpoint:
        for endpoint in self.endpoints:
            if endpoint.name == name:
                return endpoint
        known = ", ".join(e.name for e in self.endpoints) or "none"
        raise KeyError(f"no endpoint named {name!r} (endpoints: {known})")

    def page(self, name: str) -> Page:
        for page in self.pages:
            if page.name == name:
                return page
        known = ", ".join(p.name for p in self.pages) or "none"
        raise KeyError(f"no page named {name!r} (pages: {known})")


def walk_actions(actions: list[Action], path: str = "workflow") -> Iterator[tuple[str, Action]]:
    """Every action under a list, depth first in execution order, with its JSON path."""
    for index, action in enumerate(actions):
        action_path = f"{path}[{index}]"
        yield action_path, action
        for slot, children in action.slots.items():
            yield from walk_actions(children, f"{action_path}.slots.{slot}")


def walk_widgets(widgets: list[Widget], path: str = "widgets") -> Iterator[tuple[str, Widget]]:
    """Every widget under a list, depth first in page order, with its JSON path."""
    for index, widget in enumerate(widgets):
        widget_path = f"{path}[{index}]"
        yield widget_path, widget
        yield from walk_widgets(widget.children, f"{widget_path}.children")
