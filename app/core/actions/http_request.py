"""HTTP request with httpx: query, headers (secrets from env by name), JSON body, timeout, retries.

A network failure, a timeout, or a status outside 2xx is an error that names
the URL and the reason, unless *Accept error status* is on, in which case the
response is returned for the workflow to inspect.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Annotated, Any, Literal

from pydantic import Field

from app.core.params import ActionParams, Expr, Param
from app.core.project import IDENTIFIER
from app.core.registry import ActionType
from app.core.run_context import RunContext
from app.core.summaries import inline_json
from app.core.values import Template

if TYPE_CHECKING:
    import httpx  # imported when a request runs: the registry loads this module at every start-up

RETRY_BACKOFF_S = 0.2
MAX_RETRIES = 10
TimeoutMs = Annotated[int, Field(ge=1, le=600_000)]
RetryCount = Annotated[int, Field(ge=0, le=MAX_RETRIES)]


class HttpRequestParams(ActionParams):
    method: Literal["GET", "POST", "PUT", "PATCH", "DELETE"] = Param("GET", title="Method")
    url: Expr[str] = Param("https://example.com", title="URL")
    query: dict[str, Template] = Param({}, title="Query", secret_ok=True)
    headers: dict[str, Template] = Param({}, title="Headers", description='Use {"$env": "NAME"} for secrets.', secret_ok=True)
    body: Template = Param(None, title="JSON body", shown_when={"method": ["POST", "PUT", "PATCH", "DELETE"]}, editor="json")
    timeout_ms: Expr[TimeoutMs] = Param(10_000, alias="timeoutMs", title="Timeout (ms)")
    retries: Expr[RetryCount] = Param(0, title="Retries", description="Retries on network errors, timeouts and 5xx.")
    accept_error_status: bool = Param(False, alias="acceptErrorStatus", title="Accept error status")
    result_variable: str | None = Param(None, alias="resultVariable", title="Save result as variable", pattern=IDENTIFIER)


def _stringify(mapping: dict[str, Any]) -> dict[str, str]:
    return {key: value if isinstance(value, str) else json.dumps(value) for key, value in mapping.items() if value is not None}


def _decode(response: httpx.Response) -> Any:
    if "json" in response.headers.get("content-type", ""):
        try:
            return response.json()
        except ValueError:
            pass
    return response.text


def _checked_url(url: str) -> httpx.URL:
    """The URL if it is http(s) with a host; a malformed one is refused before any attempt."""
    import httpx

    try:
        parsed = httpx.URL(url)
    except httpx.InvalidURL as error:
        raise ValueError(f"invalid URL {url!r}: {error}") from None
    if parsed.scheme not in ("http", "https") or not parsed.host:
        raise ValueError(f"URL must start with http:// or https:// and name a host, got {url!r}")
    return parsed


async def run(params: HttpRequestParams, ctx: RunContext) -> dict[str, Any]:
    import asyncio  # here, not at the top: the editor's window shows before asyncio (and httpx) are imported

    import httpx

    url = params.url  # messages name the URL as written, never the query values (they may be secrets)
    # merged here: httpx's own ``params=`` would replace a query already in the URL
    target = _checked_url(url).copy_merge_params(_stringify(params.query))
    send_body = params.body is not None and params.method != "GET"
    last_error = ""
    for attempt in range(params.retries + 1):
        if attempt:
            ctx.log(f"retry {attempt} of {params.retries}: {last_error}", "warning")
            await asyncio.sleep(RETRY_BACKOFF_S * 2 ** (attempt - 1))
        try:
            response = await ctx.http().request(
                params.method,
                target,
                headers=_stringify(params.headers),
                json=params.body if send_body else None,
                timeout=params.timeout_ms / 1000,
            )
        except httpx.TimeoutException:
            last_error = f"{params.method} {url} timed out after {params.timeout_ms} ms"
            continue
        except httpx.HTTPError as error:
            last_error = f"{params.method} {url} failed: {str(error) or type(error).__name__}"
            continue
        if response.status_code >= 500 and attempt < params.retries:
            last_error = f"{params.method} {url} answered {response.status_code}"
            continue
        result = {
            "status": response.status_code,
            "ok": response.is_success,
            "headers": dict(response.headers),
            "body": _decode(response),
        }
        if not response.is_success and not params.accept_error_status:
            excerpt = response.text[:200]
            raise ValueError(f"{params.method} {url} answered {response.status_code} {response.reason_phrase}: {excerpt}")
        if params.result_variable:
            ctx.variables[params.result_variable] = result
        return result
    raise ValueError(last_error)


def summary(params: dict[str, Any]) -> str:
    return f"{params.get('method', 'GET')} {inline_json(params.get('url', ''))}"


ACTION = ActionType(
    id="http.request",
    title="HTTP request",
    category="Integrations",
    icon="http",
    description="Call an HTTP API and keep its status, headers and body.",
    params=HttpRequestParams,
    run=run,
    summary=summary,
    result_shape={"status": "number", "ok": "boolean", "headers": "object", "body": "any"},
)
