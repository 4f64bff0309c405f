"""Return response: ends the endpoint; the one response of a normal call, or a final ``result`` message in a stream."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import Field

from app.core.params import ActionParams, Expr, Param
from app.core.registry import ActionType
from app.core.run_context import RunContext
from app.core.summaries import inline_json
from app.core.values import Template

StatusCode = Annotated[int, Field(ge=100, le=599)]


class ReturnSignal(Exception):
    """Unwinds every container up to the engine, which turns it into the run's result."""

    def __init__(self, status_code: int, body: Any) -> None:
        super().__init__(status_code)
        self.status_code = status_code
        self.body = body


class ReturnResponseParams(ActionParams):
    status_code: Expr[StatusCode] = Param(200, alias="statusCode", title="Status code")
    body: Template = Param(None, title="Body", description="The response body (JSON).", editor="json")


async def run(params: ReturnResponseParams, ctx: RunContext) -> None:
    raise ReturnSignal(params.status_code, params.body)


def response(params: dict[str, Any]) -> tuple[Any, Any]:
    """The status code and body as stored (literals or formulas)."""
    return params.get("statusCode", 200), params.get("body")


def summary(params: dict[str, Any]) -> str:
    return f"{inline_json(params.get('statusCode', 200))} {inline_json(params.get('body'))}"


ACTION = ActionType(
    id="response.return",
    title="Return response",
    category="Response",
    icon="return",
    description="Finish the endpoint with a status code and a body.",
    params=ReturnResponseParams,
    run=run,
    summary=summary,
    response=response,
)
