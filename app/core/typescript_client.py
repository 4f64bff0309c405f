"""``streamwright types --lang ts``: TypeScript types and a small typed ``fetch`` client, from the OpenAPI document.

Written from the document (not from the project directly) so the types say
exactly what ``/openapi.json`` says: one inference of the message shapes,
used by the editor's completion, the document and these types. Each
endpoint's messages are a union discriminated by ``status``; a field only
some messages carry is optional; a field whose type the inference cannot
tell is ``unknown`` (narrow it before use).

The generator is hand-written: the JSON Schema it reads is the small subset
``app.core.openapi`` emits, and the client is ~120 lines with no dependency,
which a general OpenAPI code generator (a Java or Node toolchain) would not
give for 3.2's ``itemSchema`` streams.
"""

from __future__ import annotations

import json
import re
from typing import Any

from app.core.openapi import pascal

_IDENTIFIER = re.compile(r"^[A-Za-z_$][A-Za-z0-9_$]*$")
_SCALARS = {"string": "string", "number": "number", "integer": "number", "boolean": "boolean", "null": "null"}


def ts_type(schema: Any, indent: str = "") -> str:
    """A TypeScript type for a JSON Schema of the emitted subset; anything else is ``unknown``."""
    if schema is True or schema == {} or not isinstance(schema, dict):
        return "unknown"
    if "$ref" in schema:
        return str(schema["$ref"]).rsplit("/", 1)[-1]
    if "const" in schema:
        return json.dumps(schema["const"])
    if "anyOf" in schema:
        return " | ".join(_paren(ts_type(item, indent)) for item in schema["anyOf"])
    kind = schema.get("type")
    if isinstance(kind, list):
        return " | ".join(ts_type({**schema, "type": item}, indent) for item in kind)
    if kind in _SCALARS:
        return _SCALARS[kind]
    if kind == "array":
        return f"{_paren(ts_type(schema.get('items', {}), indent))}[]"
    if kind == "object":
        return _object(schema, indent)
    return "unknown"


def _paren(text: str) -> str:
    return f"({text})" if " | " in text else text


def _object(schema: dict[str, Any], indent: str) -> str:
    properties: dict[str, Any] = schema.get("properties", {})
    required = set(schema.get("required", []))
    extra = schema.get("additionalProperties", True if not properties else None)
    inner = indent + "  "
    lines = []
    for name, field in properties.items():
        key = name if _IDENTIFIER.match(name) else json.dumps(name)
        doc = field.get("description") if isinstance(field, dict) else None
        if doc:
            lines.append(f"{inner}/** {_comment(doc)} */")
        lines.append(f"{inner}{key}{'' if name in required else '?'}: {ts_type(field, inner)};")
    if extra not in (None, False):
        lines.append(f"{inner}[key: string]: {'unknown' if extra is True or properties else ts_type(extra, inner)};")
    if not lines:
        return "Record<string, never>"
    return "{\n" + "\n".join(lines) + f"\n{indent}}}"


def _comment(text: str) -> str:
    return text.replace("*/", "*\\/").replace("\n", " ")


def camel(name: str) -> str:
    text = pascal(name)
    return text[:1].lower() + text[1:]


def _declarations(document: dict[str, Any]) -> list[str]:
    blocks = []
    for name, schema in document["components"]["schemas"].items():
        if name.endswith("SseEvent"):
            continue  # the client parses SSE itself; its messages are the endpoint's Message type
        doc = schema.get("description") if isinstance(schema, dict) else None
        head = f"/** {_comment(doc)} */\n" if doc else ""
        blocks.append(f"{head}export type {name} = {ts_type(schema)};")
    return blocks


def _json_body_type(operation: dict[str, Any], document: dict[str, Any]) -> str:
    bodies = []
    for code, response in operation["responses"].items():
        if not (code.startswith("2") or code == "default") or "$ref" in response:
            continue
        schema = response.get("content", {}).get("application/json", {}).get("schema")
        if schema is not None:
            bodies.append(ts_type(schema))
        elif "content" not in response:
            bodies.append("null")
    return " | ".join(dict.fromkeys(bodies)) or "never"


def _methods(document: dict[str, Any]) -> tuple[list[str], list[str]]:
    methods, table = [], []
    for path, item in document["paths"].items():
        for method, operation in item.items():
            names = operation["x-streamwright-types"]
            message = names["message"] or "never"
            result = f'{names["result"]}["body"]' if names["result"] else "never"
            answer = _json_body_type(operation, document)
            inputs_schema = document["components"]["schemas"][names["inputs"]]
            optional = "?" if not inputs_schema.get("required") else ""
            has_body = "requestBody" in operation
            summary = _comment(operation.get("description", operation["operationId"]))
            methods.append(
                f"  /** {method.upper()} {path}: {summary} */\n"
                f"  {camel(operation['operationId'])}(inputs{optional}: {names['inputs']}, options: CallOptions = {{}}): Call<{message}, {result} | {answer}> {{\n"
                f"    return new Call(this.options, {json.dumps(method.upper())}, {json.dumps(path)}, inputs ?? {{}}, {str(has_body).lower()}, options);\n"
                "  }"
            )
            table.append(f"  {json.dumps(operation['operationId'])}: {{ inputs: {names['inputs']}; message: {message}; result: {result}; response: {answer} }};")
    return methods, table


_RUNTIME = """
/** An item of the stream as the server ended it: a Return response's status and body. */
export interface Ended<B> {
  statusCode: number;
  body: B;
}

export interface ClientOptions {
  /** The server, e.g. "http://127.0.0.1:8000". */
  baseUrl: string;
  /** The token `streamwright serve` printed; sent as `Authorization: Bearer`. */
  token?: string;
  /** Defaults to the global fetch (browsers, Node 18+). */
  fetch?: typeof fetch;
}

export interface CallOptions {
  /** "sse" (text/event-stream, the default) or "ndjson" (application/x-ndjson). */
  format?: "sse" | "ndjson";
  signal?: AbortSignal;
  headers?: Record<string, string>;
}

/** A failed call: an HTTP error (`status`), or a stream that ended with an `error` event (`status` null). */
export class StreamwrightError extends Error {
  constructor(
    message: string,
    readonly status: number | null,
    readonly action: string | null = null,
    readonly actionType: string | null = null,
    readonly body: unknown = undefined,
  ) {
    super(message);
    this.name = "StreamwrightError";
  }
}

/**
 * One call of an endpoint. Iterate it for the messages as they arrive; after the loop,
 * `ended` holds the Return response (a `result` event, or a normal call's one JSON response).
 * A stream that ends with an `error` event throws a StreamwrightError from the loop.
 */
export class Call<M, B> implements AsyncIterable<M> {
  ended: Ended<B> | null = null;
  runId: string | null = null;

  constructor(
    private readonly client: ClientOptions,
    private readonly method: string,
    private readonly path: string,
    private readonly inputs: object,
    private readonly sendsBody: boolean,
    private readonly options: CallOptions,
  ) {}

  private request(): Promise<Response> {
    const values: Record<string, unknown> = { ...this.inputs };
    const path = this.path.replace(/\\{(\\w+)\\}/g, (_, name: string) => {
      const value = values[name];
      delete values[name];
      return encodeURIComponent(String(value));
    });
    const url = new URL(this.client.baseUrl.replace(/\\/$/, "") + path);
    const headers: Record<string, string> = {
      Accept: this.options.format === "ndjson" ? "application/x-ndjson" : "text/event-stream",
      ...this.options.headers,
    };
    if (this.client.token) headers.Authorization = `Bearer ${this.client.token}`;
    let body: string | undefined;
    if (this.sendsBody) {
      headers["Content-Type"] = "application/json";
      body = JSON.stringify(values);
    } else {
      for (const [name, value] of Object.entries(values)) {
        url.searchParams.set(name, typeof value === "string" ? value : JSON.stringify(value));
      }
    }
    const fetcher = this.client.fetch ?? fetch;
    return fetcher(url, { method: this.method, headers, body, signal: this.options.signal });
  }

  async *[Symbol.asyncIterator](): AsyncIterator<M> {
    const response = await this.request();
    this.runId = response.headers.get("Streamwright-Run");
    const type = response.headers.get("Content-Type") ?? "";
    if (!type.startsWith("text/event-stream") && !type.startsWith("application/x-ndjson")) {
      const text = await response.text();
      const body: unknown = text ? JSON.parse(text) : null;
      if (!response.ok) {
        const error = (body ?? {}) as { error?: string; action?: string | null; actionType?: string | null };
        throw new StreamwrightError(error.error ?? `HTTP ${response.status}`, response.status, error.action ?? null, error.actionType ?? null, body);
      }
      this.ended = { statusCode: response.status, body: body as B };
      return;
    }
    const items = type.startsWith("text/event-stream") ? sseItems(response) : ndjsonItems(response);
    for await (const item of items) {
      if (item.event === "message" || item.event === "part") {
        yield item.data as M;  // a keyed message's part id is item.part
      } else if (item.event === "result") {
        this.ended = item.data as Ended<B>;
      } else if (item.event === "error") {
        const error = item.data as StreamError;
        throw new StreamwrightError(error.message, null, error.action, error.actionType);
      }
    }
  }
}

interface WireItem {
  event: string;
  data: unknown;
  part?: string;
  transient?: boolean;
}

async function* lines(response: Response): AsyncGenerator<string> {
  if (!response.body) return;
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  let buffer = "";
  for (;;) {
    const { done, value } = await reader.read();
    buffer += done ? decoder.decode() : decoder.decode(value, { stream: true });
    let end: number;
    while ((end = buffer.indexOf("\\n")) >= 0) {
      yield buffer.slice(0, end).replace(/\\r$/, "");
      buffer = buffer.slice(end + 1);
    }
    if (done) break;
  }
  if (buffer) yield buffer;
}

/** Server-Sent Events: `event:` and `data:` fields up to a blank line; comments (heartbeats) skipped. */
async function* sseItems(response: Response): AsyncGenerator<WireItem> {
  let event = "message";
  let data: string[] = [];
  for await (const line of lines(response)) {
    if (line === "") {
      if (data.length) {
        const parsed: unknown = JSON.parse(data.join("\\n"));
        // a keyed message's data is {part, transient?, data}: the same item an NDJSON line gives
        yield event === "part" ? { event, ...(parsed as { part: string; data: unknown }) } : { event, data: parsed };
      }
      event = "message";
      data = [];
    } else if (line.startsWith("data:")) {
      data.push(line.slice(5).replace(/^ /, ""));
    } else if (line.startsWith("event:")) {
      event = line.slice(6).trim();
    }
  }
}

/** NDJSON: one `{event, id, data}` object a line; empty lines (heartbeats) skipped. */
async function* ndjsonItems(response: Response): AsyncGenerator<WireItem> {
  for await (const line of lines(response)) {
    if (line.trim()) yield JSON.parse(line) as WireItem;
  }
}
"""


def typescript_module(document: dict[str, Any]) -> str:
    """The whole ``.ts`` file for an OpenAPI document made by ``app.core.openapi``."""
    methods, table = _methods(document)
    title = document["info"]["title"]
    parts = [
        f"// TypeScript types and client for {title}, generated by `streamwright types` from its OpenAPI document.",
        "// Regenerate after changing the project; do not edit.",
        "/* eslint-disable */",
        "",
        "\n\n".join(_declarations(document)),
        "",
        "/** Each endpoint's inputs, messages, result body and one-response body, by endpoint name. */",
        "export interface Endpoints {",
        *table,
        "}",
        _RUNTIME,
        "/** The endpoints as typed methods; each returns a Call to iterate. */",
        "export class StreamwrightClient {",
        "  constructor(readonly options: ClientOptions) {}",
        "",
        "\n\n".join(methods),
        "}",
        "",
    ]
    return "\n".join(parts)
