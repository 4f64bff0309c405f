"""The served API's description: ``GET /openapi.json`` and a browsable ``GET /docs`` page.

Both sit behind the token like every other route (the document lists every
endpoint); a browser opens ``/docs?access_token=<token>``, since navigation
cannot send a header. The page is ``resources/docs/api-docs.html``, a small
self-contained renderer (no CDN, nothing from outside the machine), with the
document embedded, so it renders on load without a second authorised fetch.
"""

from __future__ import annotations

import json
from functools import lru_cache

from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse

from app.core.openapi import openapi_document
from app.resources import resource_path

DOCUMENT_MARK = "/*OPENAPI_DOCUMENT*/null"


def _document(request: Request) -> dict[str, object]:
    state = request.app.state.streamwright
    base = str(request.base_url).rstrip("/")
    return openapi_document(state.project, server_url=base, secured=state.settings.token is not None)


async def openapi_json(request: Request) -> JSONResponse:
    return JSONResponse(_document(request))


@lru_cache(maxsize=1)
def _page_template() -> str:
    return resource_path("docs", "api-docs.html").read_text(encoding="utf-8")


def docs_html(document: dict[str, object]) -> str:
    """The page with the document inlined as a script literal; every ``<`` is written ``\\u003c``, so no text
    in the document (``</script>``, ``<!--``) can end or bend the script element."""
    literal = json.dumps(document, ensure_ascii=True).replace("<", "\\u003c")
    return _page_template().replace(DOCUMENT_MARK, literal, 1)


async def docs_page(request: Request) -> HTMLResponse:
    headers = {"Content-Security-Policy": "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'"}
    return HTMLResponse(docs_html(_document(request)), headers=headers)
