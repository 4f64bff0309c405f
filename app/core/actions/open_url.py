"""Open URL / Download: open a link in the desktop's browser, or save the file it points at."""

from __future__ import annotations

from typing import Any

from app.core.interface import page_host
from app.core.params import ActionParams, Expr, Param
from app.core.registry import ActionType
from app.core.run_context import RunContext
from app.core.summaries import inline_json


class OpenUrlParams(ActionParams):
    url: Expr[str] = Param("", title="URL", description="e.g. stream.chunk.downloadUrl")
    download: bool = Param(False, title="Download", description="Save the file instead of opening it.")
    file_name: Expr[str | None] = Param(None, alias="fileName", title="File name", shown_when={"download": [True]})


async def run(params: OpenUrlParams, ctx: RunContext) -> str:
    if not params.url:
        raise ValueError("the URL is empty")
    return await page_host(ctx).open_url(params.url, download=params.download, file_name=params.file_name)


def summary(params: dict[str, Any]) -> str:
    return ("download " if params.get("download") else "open ") + inline_json(params.get("url", ""))


ACTION = ActionType(
    id="page.open_url",
    title="Open URL / Download",
    category="Page",
    icon="link",
    description="Open a link, or save the file it points at (a Download URL from a stream).",
    params=OpenUrlParams,
    run=run,
    summary=summary,
    where=("interface",),
)
