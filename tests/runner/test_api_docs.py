"""``GET /openapi.json`` and ``GET /docs`` on a real uvicorn: behind the token, true to the streams served."""

from __future__ import annotations

import json

from jsonschema import Draft202012Validator

from app.core.openapi import NDJSON_MEDIA_TYPE, SSE_MEDIA_TYPE
from app.core.project_file import load_project
from app.runner.protocols import ndjson, sse
from tests.conftest import EXAMPLE, action, endpoint, project_of


async def test_the_document_needs_the_token_and_names_the_server(serve):
    served = await serve(load_project(EXAMPLE))
    assert (await served.client.get("/openapi.json")).status_code == 401
    document = (await served.client.get("/openapi.json", params={"access_token": served.settings.token})).json()
    assert document["servers"] == [{"url": served.url}]
    assert document["security"] == [{"bearer": []}, {"accessToken": []}]
    public = await serve(load_project(EXAMPLE), token=None)
    assert "security" not in (await public.client.get("/openapi.json")).json()


async def test_ndjson_lines_fit_the_documented_item_schema(serve):
    served = await serve(load_project(EXAMPLE))
    document = (await served.client.get("/openapi.json", headers=served.auth)).json()
    item = document["paths"]["/typewriter"]["post"]["responses"]["200"]["content"][NDJSON_MEDIA_TYPE]["itemSchema"]
    validator = Draft202012Validator({**item, "components": document["components"]})
    response = await served.client.post("/typewriter", headers={**served.auth, "Accept": NDJSON_MEDIA_TYPE}, json={"text": "a b c", "delayMs": 0})
    lines = [json.loads(line) for line in response.text.splitlines() if line.strip()]
    assert [line["data"]["status"] for line in lines] == ["starting", "chunk", "chunk", "chunk", "done"]
    for line in lines:
        validator.validate(line)
    assert not validator.is_valid({"event": "message", "id": 1, "data": {"status": "chunk", "txt": "a"}})


async def test_the_docs_page_embeds_the_document_safely(serve):
    hostile = endpoint([action("s", "stream.send", eventData={"status": "x"})], name="hostile")
    hostile = hostile.model_copy(update={"description": "</script><script>alert(1)</script>"})
    served = await serve(project_of(hostile))
    response = await served.client.get("/docs", headers=served.auth)
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/html")
    assert "default-src 'none'" in response.headers["content-security-policy"]  # nothing is loaded from anywhere
    assert response.text.count("</script>") == 1 and "<!--" not in response.text  # only the page's own
    assert "\\u003c/script>\\u003cscript>alert(1)" in response.text


def test_the_documented_media_types_are_the_ones_sent():
    assert (SSE_MEDIA_TYPE, NDJSON_MEDIA_TYPE) == (sse.MEDIA_TYPE, ndjson.MEDIA_TYPE)
