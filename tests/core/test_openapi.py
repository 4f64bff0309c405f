"""The OpenAPI document: valid OpenAPI 3.2 (by openapi-spec-validator), and true to what the endpoints send."""

from __future__ import annotations

import copy
import json

import pytest
from jsonschema import Draft202012Validator
from openapi_spec_validator import validate
from openapi_spec_validator.validation.exceptions import OpenAPIValidationError

from app.core.openapi import NDJSON_MEDIA_TYPE, SSE_MEDIA_TYPE, openapi_document
from app.core.project import EndpointInput
from app.core.project_file import load_project
from tests.conftest import EXAMPLE, action, endpoint, formula, project_of


def schema_validator(document: dict, name: str) -> Draft202012Validator:
    return Draft202012Validator({"$ref": f"#/components/schemas/{name}", "components": document["components"]})


def test_the_example_document_is_valid_openapi_3_2():
    document = openapi_document(load_project(EXAMPLE))
    assert document["openapi"] == "3.2.0"
    validate(document)
    broken = copy.deepcopy(document)
    broken["paths"]["/typewriter"]["post"]["responses"]["200"]["content"][SSE_MEDIA_TYPE]["itemSchema"] = 7
    with pytest.raises(OpenAPIValidationError):  # the validator really reads 3.2's itemSchema
        validate(broken)


def test_a_stream_has_one_message_schema_per_status_and_its_end_events():
    document = openapi_document(load_project(EXAMPLE))
    operation = document["paths"]["/generate-report"]["post"]
    content = operation["responses"]["200"]["content"]
    assert set(content) == {SSE_MEDIA_TYPE, NDJSON_MEDIA_TYPE}
    schemas = document["components"]["schemas"]
    variants = [v["$ref"].rsplit("/", 1)[1] for v in schemas["GenerateReportMessage"]["anyOf"]]
    assert variants == ["GenerateReportStartingMessage", "GenerateReportProgressMessage", "GenerateReportDoneMessage"]
    done = schemas["GenerateReportDoneMessage"]
    assert done["properties"]["status"] == {"const": "done"}
    assert done["required"] == ["status", "label", "done", "total"]  # downloadUrl and revenue are formulas: maybe absent
    assert set(done["properties"]) == {"status", "label", "done", "total", "downloadUrl", "revenue"}
    events = [v["properties"]["event"]["const"] for v in schemas["GenerateReportSseEvent"]["anyOf"]]
    assert events == ["message", "error", "trace"]  # no result: the report has no Return response
    assert {"400", "401", "403", "413", "422", "500"} <= set(operation["responses"])
    assert document["components"]["securitySchemes"]["accessToken"] == {**document["components"]["securitySchemes"]["accessToken"], "in": "query", "name": "access_token"}


def test_inputs_are_query_parameters_and_a_json_body_with_their_limits():
    document = openapi_document(load_project(EXAMPLE))
    operation = document["paths"]["/typewriter"]["post"]
    query = {p["name"]: p for p in operation["parameters"] if "name" in p}
    assert query["delayMs"]["schema"] == {"type": "integer", "description": "Pause between words.", "default": 120, "minimum": 0, "maximum": 2000}
    body = document["components"]["schemas"]["TypewriterInputs"]
    assert body["additionalProperties"] is False and body["properties"]["text"]["maxLength"] == 2000


async def test_real_messages_of_the_example_fit_their_schemas(run, settings):
    import shutil

    shutil.copy(EXAMPLE.parent / "demo.sqlite", settings.project_dir / "demo.sqlite")
    project = load_project(EXAMPLE)
    document = openapi_document(project)
    for name, inputs, schema in [
        ("typewriter", {"text": "a b", "delayMs": 0}, "TypewriterMessage"),
        ("generate-report", {"stepDelayMs": 0}, "GenerateReportMessage"),
        ("long-import", {"rows": 3, "every": 1}, "LongImportMessage"),
    ]:
        result = await run(project, inputs, name)
        assert result.messages, name
        for message in result.messages:
            schema_validator(document, schema).validate(message)
    wrong = {"status": "chunk", "text": "x", "extra": 1}
    assert not schema_validator(document, "TypewriterMessage").is_valid(wrong)  # a key no Send has


def test_a_normal_call_documents_its_return_responses():
    ep = endpoint(
        [
            action("check", "flow.if", slots={"then": [action("nope", "response.return", statusCode=404, body={"error": "not found"})], "else": []}, condition=formula("inputs.id = 0")),
            action("ok", "response.return", statusCode=201, body={"id": formula("inputs.id"), "created": True}),
        ],
        [EndpointInput(name="id", type="integer", required=True)],
        name="create",
    )
    document = openapi_document(project_of(ep), secured=False)
    validate(document)
    responses = document["paths"]["/create"]["post"]["responses"]
    assert responses["201"]["content"]["application/json"]["schema"] == {
        "type": "object", "properties": {"id": {}, "created": {"type": "boolean"}}, "required": ["created"],
    }  # fmt: skip
    assert responses["404"]["content"]["application/json"]["schema"]["required"] == ["error"]
    assert SSE_MEDIA_TYPE not in responses.get("200", {}).get("content", {})
    assert document["paths"]["/create"]["post"]["requestBody"]["required"] is True
    assert "security" not in document and "securitySchemes" not in document["components"]


def test_a_stream_that_may_return_before_its_first_message_also_documents_json():
    ep = endpoint(
        [
            action("early", "flow.if", slots={"then": [action("stop", "response.return", statusCode=200, body="nothing to do")], "else": []}, condition=formula("inputs.skip")),
            action("send", "stream.send", eventData={"status": "working", "n": 1}),
            action("end", "response.return", statusCode=200, body={"total": 1}),
        ],
        name="maybe",
    )
    document = openapi_document(project_of(ep))
    validate(document)
    content = document["paths"]["/maybe"]["post"]["responses"]["200"]["content"]
    assert set(content) == {"application/json", SSE_MEDIA_TYPE, NDJSON_MEDIA_TYPE}
    result = document["components"]["schemas"]["MaybeResult"]["properties"]["body"]
    assert result == {"anyOf": [{"type": "string"}, {"type": "object", "properties": {"total": {"type": "number"}}, "required": ["total"]}]}


def test_an_endpoint_with_keyed_parts_documents_the_part_item_on_both_wires():
    keyed = endpoint(
        [action("plain", "stream.send", eventData={"status": "starting"}), action("w", "stream.send", part="weather", transient=True, eventData={"status": "weather", "temp": 3})],
        name="keyed",
    )
    document = openapi_document(project_of(keyed))
    validate(document)
    sse = schema_validator(document, "KeyedSseEvent")
    ndjson = schema_validator(document, "KeyedNdjsonLine")
    part = {"part": "weather", "transient": True, "data": {"status": "weather", "temp": 3}}
    assert sse.is_valid({"event": "part", "id": "2", "data": json.dumps(part)})  # an SSE event's data is JSON text
    assert schema_validator(document, "KeyedPartMessage").is_valid(part)
    assert not schema_validator(document, "KeyedPartMessage").is_valid({"data": part["data"]})  # the part id is required
    assert ndjson.is_valid({"event": "part", "id": 2, "part": "weather", "transient": True, "data": {"status": "weather", "temp": 3}})
    assert not ndjson.is_valid({"event": "part", "id": 2, "data": {"status": "weather", "temp": 3}})
    plain = openapi_document(project_of(endpoint([action("plain", "stream.send", eventData={"status": "starting"})], name="plain")))
    assert "PlainPartMessage" not in plain["components"]["schemas"]
