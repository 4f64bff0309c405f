"""The served API described as an OpenAPI 3.2 document, built from the project model alone.

Each endpoint is an operation at its method and path with its inputs (query
parameters, and a JSON body for methods that take one) and its responses. A
streaming endpoint answers ``text/event-stream`` and ``application/x-ndjson``,
and OpenAPI 3.2's ``itemSchema`` describes one item of each: a message (one
schema per literal ``status``, inferred by ``stream_shapes`` from the
endpoint's Send streaming responses, the same inference binding completion
uses), the ``result`` of a Return response and the ``error`` that ends a
failed stream. An SSE event's ``data`` is JSON text, so its shape is a
``contentSchema`` (``contentMediaType: application/json``), as the 3.2
specification describes for event streams.

Decisions:
- A field whose value is a formula may be left out of a message (an undefined
  formula value is omitted), so only literal fields are ``required``.
  Messages carry no other keys (``additionalProperties: false``).
- Every operation documents ``500``: any action, even the first Send's
  formulas, can fail before the first message.
- The document is the same for ``serve`` and the CLI but for ``servers`` and
  ``security`` (none with ``--public``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from app import __version__
from app.core.project import Action, Endpoint, EndpointInput, Project, walk_actions
from app.core.registry import Registry, default_registry
from app.core.run_ids import LAST_EVENT_ID_PATTERN, RUN_ID_PATTERN
from app.core.stream_shapes import FieldKind, infer_message_shapes, keys_parts, value_kind
from app.core.values import is_formula

OPENAPI_VERSION = "3.2.0"
SSE_MEDIA_TYPE = "text/event-stream"
NDJSON_MEDIA_TYPE = "application/x-ndjson"
"""As ``app.runner.protocols`` sends them (a test keeps the two equal)."""
JSON_MEDIA_TYPE = "application/json"
DEFAULT_SERVER = "http://127.0.0.1:8000"
RUN_ID_PATTERN_OR_EMPTY = f"^({RUN_ID_PATTERN})?$"
LAST_EVENT_ID_PATTERN_OR_EMPTY = f"^({LAST_EVENT_ID_PATTERN})?$"
MAX_LINGER_S = 60
BODY_METHODS = frozenset({"POST", "PUT", "PATCH"})

_REF = "#/components/schemas/"


def ref(name: str) -> dict[str, str]:
    return {"$ref": _REF + name}


def pascal(text: str) -> str:
    """``generate-report`` -> ``GenerateReport``: a name for schemas and TypeScript types."""
    words = re.findall(r"[A-Za-z0-9]+", text)
    name = "".join(word[:1].upper() + word[1:] for word in words)
    return name if name[:1].isalpha() else "X" + name


def kind_schema(kind: FieldKind) -> dict[str, Any]:
    return {} if kind == "any" else {"type": kind}


@dataclass(frozen=True)
class StatusSchema:
    """The messages of one status (or of no literal status): their fields, which are always there, who sends them."""

    status: str | None
    properties: dict[str, dict[str, Any]]
    required: list[str]
    action_ids: list[str]

    def schema(self) -> dict[str, Any]:
        properties = dict(self.properties)
        if self.status is not None:
            properties["status"] = {"const": self.status}
        senders = ", ".join(self.action_ids)
        title = f"status {self.status!r}" if self.status is not None else "a message without a literal status"
        return {
            "type": "object",
            "description": f"Messages with {title}, sent by {senders}.",
            "properties": properties,
            "required": self.required,
            "additionalProperties": False,
        }


def message_schemas(endpoint: Endpoint, registry: Registry | None = None) -> list[StatusSchema]:
    """One schema per literal status (shapes with the same status merged), then one per shape without one."""
    registry = registry or default_registry()
    actions = {action.id: action for _, action in walk_actions(endpoint.workflow)}
    merged: dict[str | None, list[StatusSchema]] = {}
    for shape in infer_message_shapes(endpoint, registry):
        datas = [actions[action_id].params.get("eventData", {}) for action_id in shape.action_ids]
        properties = {info.name: kind_schema(info.kind) for info in shape.fields}
        required = [info.name for info in shape.fields if all(not is_formula(data.get(info.name)) for data in datas)]
        merged.setdefault(shape.status, []).append(StatusSchema(shape.status, properties, required, list(shape.action_ids)))
    result: list[StatusSchema] = []
    for status, shapes in merged.items():
        if status is None:
            result.extend(shapes)
        else:
            result.append(_merge(status, shapes))
    return result


def _merge(status: str, shapes: list[StatusSchema]) -> StatusSchema:
    properties: dict[str, dict[str, Any]] = {}
    for shape in shapes:
        for name, schema in shape.properties.items():
            properties[name] = schema if properties.get(name, schema) == schema else {}
    required = [name for name in shapes[0].required if all(name in shape.required for shape in shapes)]
    action_ids = [action_id for shape in shapes for action_id in shape.action_ids]
    return StatusSchema(status, properties, required, action_ids)


def has_unknown_messages(endpoint: Endpoint, registry: Registry) -> bool:
    """A Send whose Event Data is one formula sends a shape no one can read statically."""
    for _, action in walk_actions(endpoint.workflow):
        action_type = registry.find(action.type)
        if action_type is not None and action_type.sends is not None and not action_type.sends(action.params):
            return True
    return False


def _sender(action: Action, registry: Registry) -> bool:
    """The action itself sends stream messages (its declaration says so)."""
    action_type = registry.find(action.type)
    return action_type is not None and action_type.sends_messages


def _response(action: Action, registry: Registry) -> tuple[Any, Any] | None:
    """The status code and body of an action that ends the endpoint with a response, else None."""
    action_type = registry.find(action.type)
    return action_type.response(action.params) if action_type is not None and action_type.response is not None else None


def _sends(action: Action, registry: Registry) -> bool:
    return any(_sender(inner, registry) for _, inner in walk_actions([action]))


@dataclass(frozen=True)
class Answers:
    """How an endpoint can answer: a stream, and/or one JSON response per Return response status."""

    streams: bool
    json_statuses: dict[str, list[dict[str, Any]]]
    """Status code (``default`` for a formula) -> the schemas of the bodies answered with it."""
    results: list[dict[str, Any]]
    """Body schemas of the Return responses that can end a stream (as its ``result`` event)."""


def endpoint_answers(endpoint: Endpoint, registry: Registry | None = None) -> Answers:
    registry = registry or default_registry()
    streams = any(_sends(action, registry) for action in endpoint.workflow)
    first_send = next((index for index, action in enumerate(endpoint.workflow) if _sender(action, registry)), None)
    json_statuses: dict[str, list[dict[str, Any]]] = {}
    results: list[dict[str, Any]] = []
    for index, action in enumerate(endpoint.workflow):
        for _, inner in walk_actions([action]):
            response = _response(inner, registry)
            if response is None:
                continue
            code, raw_body = response
            body = body_schema(raw_body)
            if streams:
                results.append(body)
            if not streams or first_send is None or index < first_send:
                json_statuses.setdefault(str(code) if isinstance(code, int) else "default", []).append(body)
    ends_without_return = not any(_response(action, registry) is not None for action in endpoint.workflow)
    if ends_without_return and (not streams or first_send is None):
        json_statuses.setdefault("200", []).append({"type": "null"})
    return Answers(streams, json_statuses, results)


def body_schema(body: Any) -> dict[str, Any]:
    """A Return response body's schema: an object's keys and their kinds when written out, else its kind."""
    if isinstance(body, dict) and not is_formula(body):
        properties = {name: kind_schema(value_kind(value)) for name, value in body.items()}
        required = [name for name, value in body.items() if not is_formula(value)]
        return {"type": "object", "properties": properties, "required": required}
    return kind_schema(value_kind(body))


def one_of(schemas: list[dict[str, Any]]) -> dict[str, Any]:
    unique = [schema for index, schema in enumerate(schemas) if schema not in schemas[:index]]
    if not unique or {} in unique:
        return {}
    return unique[0] if len(unique) == 1 else {"anyOf": unique}


def input_schema(spec: EndpointInput) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": spec.type}
    if spec.description:
        schema["description"] = spec.description
    if spec.default is not None:
        schema["default"] = spec.default
    for key, value in (("minimum", spec.minimum), ("maximum", spec.maximum), ("maxLength", spec.max_length)):
        if value is not None:
            schema[key] = value
    return schema


class _Builder:
    def __init__(self, project: Project, registry: Registry) -> None:
        self.project = project
        self.registry = registry
        self.schemas: dict[str, Any] = _common_schemas()

    def add_schema(self, name: str, schema: dict[str, Any]) -> str:
        unique, counter = name, 2
        while unique in self.schemas:
            unique, counter = f"{name}{counter}", counter + 1
        self.schemas[unique] = schema
        return unique

    def operation(self, endpoint: Endpoint) -> dict[str, Any]:
        base = pascal(endpoint.name)
        operation: dict[str, Any] = {"operationId": endpoint.name, "summary": endpoint.name}
        if endpoint.description:
            operation["description"] = endpoint.description
        operation["parameters"] = self.parameters(endpoint)
        inputs_name = self.add_schema(f"{base}Inputs", self.inputs_object(endpoint))
        types: dict[str, str | None] = {"inputs": inputs_name, "message": None, "result": None}
        operation["x-streamwright-types"] = types  # which component schemas are this endpoint's, for generated clients
        if endpoint.method in BODY_METHODS:
            operation["requestBody"] = {
                "description": "The inputs as one JSON object; a value here overrides the same input in the query.",
                "required": any(spec.required for spec in endpoint.inputs),
                "content": {JSON_MEDIA_TYPE: {"schema": ref(inputs_name)}},
            }
        operation["responses"] = self.responses(endpoint, base, types)
        return operation

    def inputs_object(self, endpoint: Endpoint) -> dict[str, Any]:
        return {
            "type": "object",
            "properties": {spec.name: input_schema(spec) for spec in endpoint.inputs},
            "required": [spec.name for spec in endpoint.inputs if spec.required],
            "additionalProperties": False,
        }

    def parameters(self, endpoint: Endpoint) -> list[dict[str, Any]]:
        declared = {spec.name: spec for spec in endpoint.inputs}
        in_path = re.findall(r"{(\w+)}", endpoint.path)
        parameters: list[dict[str, Any]] = []
        for name in in_path:
            spec = declared.get(name, EndpointInput(name=name))
            parameters.append({"name": name, "in": "path", "required": True, "schema": input_schema(spec)})
        body = endpoint.method in BODY_METHODS
        for spec in endpoint.inputs:
            if spec.name in in_path:
                continue
            parameter: dict[str, Any] = {"name": spec.name, "in": "query", "required": spec.required and not body}
            if spec.description:
                parameter["description"] = spec.description
            if spec.type in ("object", "array"):
                parameter["content"] = {JSON_MEDIA_TYPE: {"schema": input_schema(spec)}}  # the query value is JSON text
            else:
                parameter["schema"] = input_schema(spec)
            parameters.append(parameter)
        parameters += [
            {"$ref": "#/components/parameters/RunId"},
            {"$ref": "#/components/parameters/Linger"},
            {"$ref": "#/components/parameters/LastEventId"},
        ]
        return parameters

    def responses(self, endpoint: Endpoint, base: str, types: dict[str, str | None]) -> dict[str, Any]:
        answers = endpoint_answers(endpoint, self.registry)
        responses: dict[str, Any] = {}
        run_header = {"Streamwright-Run": {"$ref": "#/components/headers/StreamwrightRun"}}
        for code, bodies in sorted(answers.json_statuses.items()):
            if code == "204":
                responses[code] = {"description": "No content (a Return response with status 204).", "headers": run_header}
                continue
            responses[code] = {
                "description": "The endpoint's one response (a Return response, or 200 with null without one).",
                "headers": run_header,
                "content": {JSON_MEDIA_TYPE: {"schema": one_of(bodies)}},
            }
        if answers.streams:
            stream = self.stream_response(endpoint, base, answers, types)
            if "200" in responses:
                responses["200"]["content"].update(stream["content"])
                responses["200"]["description"] = "A stream of messages, or the endpoint's one JSON response when it returns before sending one."
            else:
                responses["200"] = stream
        for code, name in (("400", "BadRequest"), ("401", "Unauthorized"), ("403", "ForbiddenHost"), ("409", "RunConflict"),
                           ("410", "RunGone"), ("413", "BodyTooLarge"), ("422", "InvalidInput"), ("500", "RunFailed")):  # fmt: skip
            responses[code] = {"$ref": f"#/components/responses/{name}"}
        return dict(sorted(responses.items()))

    def stream_response(self, endpoint: Endpoint, base: str, answers: Answers, types: dict[str, str | None]) -> dict[str, Any]:
        statuses = message_schemas(endpoint, self.registry)
        names = [self.add_schema(f"{base}{pascal(s.status) if s.status else 'Other'}Message", s.schema()) for s in statuses]
        variants = [ref(name) for name in names]
        if has_unknown_messages(endpoint, self.registry):
            variants.append({"description": "A message whose Event Data is one formula."})
        message = self.add_schema(f"{base}Message", {"anyOf": variants} if variants else {})
        types["message"] = message
        ends: list[tuple[str, str]] = [("error", "StreamError"), ("trace", "Trace")]
        if answers.results:
            result = self.add_schema(
                f"{base}Result",
                {
                    "type": "object",
                    "description": "A Return response after messages: the stream's last item.",
                    "properties": {"statusCode": {"type": "integer", "minimum": 100, "maximum": 599}, "body": one_of(answers.results)},
                    "required": ["statusCode", "body"],
                    "additionalProperties": False,
                },
            )
            ends.insert(0, ("result", result))
            types["result"] = result
        sse = [_sse_event("message", message, "A message; `id` is its event id (send it back as Last-Event-ID to resume): opaque, it carries the run.")]
        ndjson = [_ndjson_line("message", message)]
        if keys_parts(endpoint, self.registry):
            envelope = self.add_schema(
                f"{base}PartMessage",
                {
                    "type": "object",
                    "description": "A keyed message: it replaces the previous message of its part (`stream.parts.<part>`); "
                    "a transient one is not kept in `stream.chunks`.",
                    "properties": {"part": {"type": "string"}, "transient": {"const": True}, "data": ref(message)},
                    "required": ["part", "data"],
                    "additionalProperties": False,
                },
            )
            sse.append(_sse_event("part", envelope, "A keyed message; `id` is its event id, as for a plain message."))
            ndjson.append(_ndjson_line("part", message))
        sse += [_sse_event(kind, schema) for kind, schema in ends]
        ndjson += [_ndjson_line(kind, schema) for kind, schema in ends]
        sse_name = self.add_schema(f"{base}SseEvent", {"anyOf": sse})
        ndjson_name = self.add_schema(f"{base}NdjsonLine", {"anyOf": ndjson})
        return {
            "description": "A stream: each message as it is sent, then a `result` (after a Return response) or an `error`, or just the end. "
            "Idle streams get `: heartbeat` comments (SSE) or empty lines (NDJSON).",
            "headers": {"Streamwright-Run": {"$ref": "#/components/headers/StreamwrightRun"}},
            "content": {
                SSE_MEDIA_TYPE: {"itemSchema": ref(sse_name)},
                NDJSON_MEDIA_TYPE: {"itemSchema": ref(ndjson_name)},
            },
        }


def _sse_event(kind: str, schema_name: str, description: str = "") -> dict[str, Any]:
    """An SSE event as OpenAPI 3.2 models it: ``event``, ``id``, ``retry`` and ``data`` (JSON text here)."""
    event: dict[str, Any] = {"const": kind} if kind != "message" else {"const": "message"}
    schema: dict[str, Any] = {
        "type": "object",
        "properties": {
            "event": event,
            "id": {"type": "string"},
            "retry": {"type": "integer"},
            "data": {"type": "string", "contentMediaType": JSON_MEDIA_TYPE, "contentSchema": ref(schema_name)},
        },
        "required": ["data"] if kind == "message" else ["event", "data"],
    }
    if kind == "message":
        schema["properties"]["id"] = {"type": "string", "pattern": f"^{LAST_EVENT_ID_PATTERN}$"}
        schema["required"] = ["id", "data"]
    elif kind == "part":
        schema["properties"]["id"] = {"type": "string", "pattern": f"^{LAST_EVENT_ID_PATTERN}$"}
        schema["required"] = ["event", "id", "data"]
    if description:
        schema["description"] = description
    return schema


def _ndjson_line(kind: str, schema_name: str) -> dict[str, Any]:
    properties: dict[str, Any] = {"event": {"const": kind}}
    required = ["event", "data"]
    if kind in ("message", "part"):
        properties["id"] = {"type": "integer", "minimum": 1}
        required.insert(1, "id")
    if kind == "part":
        properties["part"] = {"type": "string"}
        properties["transient"] = {"const": True}
        required.insert(2, "part")
    properties["data"] = ref(schema_name)
    return {"type": "object", "properties": properties, "required": required, "additionalProperties": False}


def _error_schema(description: str, **extra: dict[str, Any]) -> dict[str, Any]:
    return {
        "type": "object",
        "description": description,
        "properties": {"error": {"type": "string"}, **extra},
        "required": ["error", *extra],
    }


def _common_schemas() -> dict[str, Any]:
    nullable_string = {"type": ["string", "null"]}
    return {
        "ErrorBody": _error_schema("What went wrong, in words."),
        "InputErrorBody": _error_schema(
            "Bad or missing inputs: `fields` maps each input (or `body`) to what is wrong with it.",
            fields={"type": "object", "additionalProperties": {"type": "string"}},
        ),
        "RunFailedBody": _error_schema(
            "The workflow failed before its first message: the failing action and its type.",
            action=nullable_string,
            actionType=nullable_string,
        ),
        "StreamError": {
            "type": "object",
            "description": "A failure after the stream started, or the run was cancelled or the server is stopping (then no action).",
            "properties": {"message": {"type": "string"}, "action": nullable_string, "actionType": nullable_string},
            "required": ["message", "action", "actionType"],
            "additionalProperties": False,
        },
        "Trace": {
            "type": "object",
            "description": "Action spans and logs, only for a request with `Streamwright-Trace: 1`.",
            "properties": {"kind": {"type": "string"}},
            "required": ["kind"],
        },
    }


def _components(builder: _Builder, secured: bool) -> dict[str, Any]:
    def error_response(description: str, schema: str = "ErrorBody", headers: dict[str, Any] | None = None) -> dict[str, Any]:
        response: dict[str, Any] = {"description": description, "content": {JSON_MEDIA_TYPE: {"schema": ref(schema)}}}
        if headers:
            response["headers"] = headers
        return response

    components: dict[str, Any] = {
        "schemas": builder.schemas,
        "parameters": {
            "RunId": {
                "name": "Streamwright-Run",
                "in": "header",
                "description": "Name the run, to resume it after a dropped connection (with Last-Event-ID); empty is the same as absent.",
                "schema": {"type": "string", "pattern": RUN_ID_PATTERN_OR_EMPTY},
            },
            "Linger": {
                "name": "Streamwright-Linger",
                "in": "header",
                "description": f"Seconds a named run keeps going after its client disconnects (0 to {MAX_LINGER_S}; more is {MAX_LINGER_S}, "
                "text that is not a number is 0).",
                "schema": {"type": "string"},
            },
            "LastEventId": {
                "name": "Last-Event-ID",
                "in": "header",
                "description": "Replay the messages after this event id, then follow live: an event token (`<run>.<seq>`, "
                "which names its run, so it resumes on any worker alone) or, with Streamwright-Run, a sequence number "
                "(anything else: 400; empty is the same as absent).",
                "schema": {"type": "string", "pattern": LAST_EVENT_ID_PATTERN_OR_EMPTY},
            },
        },
        "headers": {
            "StreamwrightRun": {"description": "The run's id (for DELETE /_runs/{id} and resuming).", "schema": {"type": "string"}},
        },
        "responses": {
            "BadRequest": error_response("A malformed run id or Last-Event-ID."),
            "Unauthorized": error_response(
                "Missing or wrong token.",
                headers={"WWW-Authenticate": {"description": 'Bearer realm="streamwright"', "schema": {"type": "string"}}},
            ),
            "ForbiddenHost": error_response("A Host header that is not loopback or the bound name (DNS rebinding)."),
            "RunConflict": error_response("The named run belongs to another endpoint."),
            "RunGone": error_response("The named run, or the messages asked for, are no longer kept."),
            "BodyTooLarge": error_response("The request body is over the server's limit (--max-body)."),
            "InvalidInput": error_response("Bad or missing inputs.", "InputErrorBody"),
            "RunFailed": error_response("The workflow failed before sending a message.", "RunFailedBody"),
        },
    }
    if secured:
        components["securitySchemes"] = {
            "bearer": {"type": "http", "scheme": "bearer", "description": "The token serve printed (or --token, $STREAMWRIGHT_TOKEN)."},
            "accessToken": {"type": "apiKey", "in": "query", "name": "access_token", "description": "The same token in the URL (RFC 6750), for EventSource and links."},
        }
    return components


def openapi_document(project: Project, *, server_url: str = DEFAULT_SERVER, secured: bool = True, registry: Registry | None = None) -> dict[str, Any]:
    """The OpenAPI 3.2 document of the project's endpoints as ``serve`` answers them at ``server_url``."""
    builder = _Builder(project, registry or default_registry())
    paths: dict[str, dict[str, Any]] = {}
    for endpoint in project.endpoints:
        paths.setdefault(endpoint.path, {})[endpoint.method.lower()] = builder.operation(endpoint)
    document: dict[str, Any] = {
        "openapi": OPENAPI_VERSION,
        "info": {
            "title": project.name,
            "version": __version__,
            "description": project.description or f"The streaming endpoints of {project.name}, served by Streamwright.",
        },
        "servers": [{"url": server_url}],
        "paths": paths,
        "components": _components(builder, secured),
    }
    if secured:
        document["security"] = [{"bearer": []}, {"accessToken": []}]
    return document
