"""HTTP request (``http.request``) against a real local uvicorn server."""

from __future__ import annotations

import uuid

import pytest

import app.core.actions.http_request as http_request
from app.core.events import LogEvent
from app.core.project import EndpointInput
from app.core.validate import validate_project
from tests.actions.conftest import LocalServer
from tests.conftest import action, endpoint, formula, project_of

ACTION_PATH = "$.endpoints[0].workflow[0]"


@pytest.fixture(autouse=True)
def no_proxy_and_quick_retries(monkeypatch: pytest.MonkeyPatch) -> None:
    """Talk to 127.0.0.1 directly whatever the machine's proxy settings; retry without backoff."""
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr(http_request, "RETRY_BACKOFF_S", 0.0)


def unique_key() -> str:
    return uuid.uuid4().hex


def returning(request_action, body=None):  # type: ignore[no-untyped-def]
    """The request, then a Return response whose body shows what later actions can read."""
    shown = body if body is not None else {"result": formula(f"results.{request_action.id}")}
    return [request_action, action("r", "response.return", body=shown)]


async def test_get_sends_query_and_headers_resolved_from_formulas(run, http_server: LocalServer):
    project = project_of(
        endpoint(
            [
                action("v", "variable.set", name="term", value="stream wright"),
                action(
                    "req",
                    "http.request",
                    method="GET",
                    url=formula(f'"{http_server.url}" & "/echo"'),
                    query={"q": formula("variables.term"), "page": formula("inputs.page + 1"), "flag": True, "skip": None},
                    headers={"X-Trace": formula('"trace-" & inputs.page'), "Accept-Language": "fr"},
                    resultVariable="reply",
                ),
                action(
                    "r",
                    "response.return",
                    body={"fromResults": formula("results.req"), "fromVariable": formula("variables.reply")},
                ),
            ],
            [EndpointInput(name="page", type="integer")],
        )
    )
    result = await run(project, {"page": 1})
    body = result.result.body
    reply = body["fromResults"]
    assert body["fromVariable"] == reply
    assert set(reply) == {"status", "ok", "headers", "body"}
    assert reply["status"] == 200 and reply["ok"] is True
    assert reply["headers"]["content-type"] == "application/json"
    echoed = reply["body"]
    assert echoed["method"] == "GET" and echoed["path"] == "/echo"
    assert echoed["query"] == {"q": "stream wright", "page": "2", "flag": "true"}
    assert echoed["headers"]["x-trace"] == "trace-1"
    assert echoed["headers"]["accept-language"] == "fr"
    assert echoed["raw"] == "", "a GET sends no body"


async def test_post_sends_a_json_body_built_from_formulas(run, http_server: LocalServer):
    project = project_of(
        endpoint(
            [
                action(
                    "req",
                    "http.request",
                    method="POST",
                    url=f"{http_server.url}/echo",
                    body={
                        "name": formula("inputs.name"),
                        "items": [1, formula("1 + 1"), "three"],
                        "nested": {"upper": formula("$uppercase(inputs.name)"), "missing": formula("inputs.nothing")},
                        "literal": None,
                    },
                ),
                action("r", "response.return", body=formula("results.req.body")),
            ],
            [EndpointInput(name="name")],
        )
    )
    echoed = (await run(project, {"name": "ada"})).result.body
    assert echoed["method"] == "POST"
    assert echoed["headers"]["content-type"] == "application/json"
    assert echoed["json"] == {"name": "ada", "items": [1, 2, "three"], "nested": {"upper": "ADA"}, "literal": None}


@pytest.mark.parametrize("method", ["PUT", "PATCH", "DELETE"])
async def test_other_methods_send_their_body_too(run, http_server: LocalServer, method: str):
    result = await run(
        returning(action("req", "http.request", method=method, url=f"{http_server.url}/echo", body={"n": formula("2 * 21")}))
    )
    echoed = result.result.body["result"]["body"]
    assert (echoed["method"], echoed["json"]) == (method, {"n": 42})


async def test_a_query_already_in_the_url_is_kept_and_merged_with_the_query_param(run, http_server: LocalServer):
    result = await run(
        returning(action("req", "http.request", url=f"{http_server.url}/echo?a=1&b=2", query={"b": "from-param", "c": formula("3")}))
    )
    assert result.result.body["result"]["body"]["query"] == {"a": "1", "b": "from-param", "c": "3"}


async def test_a_text_body_is_kept_as_a_string(run, http_server: LocalServer):
    result = await run(returning(action("req", "http.request", url=f"{http_server.url}/text")))
    reply = result.result.body["result"]
    assert reply["body"] == "hello, plain text"
    assert reply["headers"]["content-type"].startswith("text/plain")


async def test_a_json_content_type_with_a_broken_body_falls_back_to_text(run, http_server: LocalServer):
    result = await run(returning(action("req", "http.request", url=f"{http_server.url}/broken-json")))
    assert result.result.body["result"]["body"] == "{not json"


async def test_a_status_outside_2xx_is_an_error_naming_the_url_and_status(run, http_server: LocalServer):
    url = f"{http_server.url}/status/404"
    result = await run(returning(action("req", "http.request", url=url)))
    error = result.error
    assert (error.action_id, error.action_type) == ("req", "http.request")
    assert url in error.message and "404" in error.message


async def test_accept_error_status_returns_the_response_for_the_workflow(run, http_server: LocalServer):
    result = await run(
        returning(
            action("req", "http.request", url=f"{http_server.url}/status/404", acceptErrorStatus=True, resultVariable="reply"),
            body={"status": formula("variables.reply.status"), "ok": formula("results.req.ok"), "body": formula("results.req.body")},
        )
    )
    assert result.result.body == {"status": 404, "ok": False, "body": "status page 404"}


async def test_an_error_status_can_be_caught_by_try_catch(run, http_server: LocalServer):
    result = await run(
        [
            action(
                "guard",
                "flow.try",
                slots={
                    "try": [action("req", "http.request", url=f"{http_server.url}/status/503")],
                    "catch": [action("r", "response.return", body=formula("caughtError"))],
                },
            )
        ]
    )
    caught = result.result.body
    assert caught["action"] == "req" and caught["actionType"] == "http.request"
    assert "503" in caught["message"]


async def test_retries_on_5xx_until_the_server_succeeds(run, http_server: LocalServer):
    key = unique_key()
    result = await run(returning(action("req", "http.request", url=f"{http_server.url}/flaky/{key}/2", retries=3)))
    reply = result.result.body["result"]
    assert reply["status"] == 200 and reply["body"] == {"attempt": 3}
    assert http_server.hits(key) == 3, "two failures, then the third call succeeds and no more are made"
    retries = [e for e in result.events if isinstance(e, LogEvent)]
    assert [e.level for e in retries] == ["warning", "warning"]
    assert "retry 1 of 3" in retries[0].message and "500" in retries[0].message


async def test_retries_exhausted_is_an_error_with_the_last_status(run, http_server: LocalServer):
    key = unique_key()
    url = f"{http_server.url}/flaky/{key}/5"
    result = await run(returning(action("req", "http.request", url=url, retries=2)))
    assert url in result.error.message and "500" in result.error.message
    assert http_server.hits(key) == 3, "one call and two retries"


async def test_retries_and_timeout_can_come_from_formulas(run, http_server: LocalServer):
    key = unique_key()
    result = await run(
        returning(action("req", "http.request", url=f"{http_server.url}/flaky/{key}/1", retries=formula("1 + 1"), timeoutMs=formula("5000")))
    )
    assert result.result.body["result"]["body"] == {"attempt": 2}


def test_formulas_for_constrained_numbers_pass_validation():
    project = project_of(endpoint([action("req", "http.request", retries=formula("1"), timeoutMs=formula("100 * 10"))]))
    assert validate_project(project) == []


async def test_a_4xx_is_not_retried(run, http_server: LocalServer):
    key = unique_key()
    result = await run(returning(action("req", "http.request", url=f"{http_server.url}/status/404?key={key}", retries=3)))
    assert "404" in result.error.message
    assert http_server.hits(key) == 1


async def test_a_slow_server_is_a_timeout_error(run, http_server: LocalServer):
    url = f"{http_server.url}/slow"
    result = await run(returning(action("req", "http.request", url=url, timeoutMs=200)))
    assert "timed out" in result.error.message
    assert url in result.error.message and "200 ms" in result.error.message


async def test_a_refused_connection_is_a_clear_error(run, closed_port: int):
    url = f"http://127.0.0.1:{closed_port}/anything"
    result = await run(returning(action("req", "http.request", url=url, retries=1)))
    assert result.error.action_id == "req"
    assert url in result.error.message and "failed" in result.error.message
    warnings = [e for e in result.events if isinstance(e, LogEvent)]
    assert len(warnings) == 1, "network errors are retried too"


@pytest.mark.parametrize("url", ["ftp://example.com/file", "file:///etc/passwd", "example.com/path", "javascript:alert(1)", "", "localhost:80"])
async def test_a_url_that_is_not_http_is_refused(run, url: str):
    result = await run(returning(action("req", "http.request", url=formula(f'"{url}"'))))
    assert result.error.action_id == "req"
    assert "http://" in result.error.message and "https://" in result.error.message


@pytest.mark.parametrize("url", ["http://", "https:///path", "http://[::1"])
async def test_a_malformed_url_is_refused_without_any_attempt(run, url: str):
    result = await run(returning(action("req", "http.request", url=url, retries=3)))
    assert result.error.action_id == "req" and repr(url) in result.error.message
    assert not [e for e in result.events if isinstance(e, LogEvent)], "nothing to retry"


async def test_a_url_formula_giving_a_number_is_an_error_naming_the_param(run):
    result = await run(returning(action("req", "http.request", url=formula("42"))))
    assert "url" in result.error.message


async def test_secrets_in_headers_and_query_are_read_from_the_environment(run, http_server: LocalServer, monkeypatch):
    monkeypatch.setenv("SW_TEST_TOKEN", "s3cret-token")
    monkeypatch.setenv("SW_TEST_KEY", "k-123")
    result = await run(
        returning(
            action(
                "req",
                "http.request",
                url=f"{http_server.url}/echo",
                headers={"Authorization": {"$env": "SW_TEST_TOKEN"}},
                query={"api_key": {"$env": "SW_TEST_KEY"}},
            )
        )
    )
    echoed = result.result.body["result"]["body"]
    assert echoed["headers"]["authorization"] == "s3cret-token"
    assert echoed["query"] == {"api_key": "k-123"}


async def test_a_missing_secret_is_an_error_naming_the_variable(run, http_server: LocalServer, monkeypatch):
    monkeypatch.delenv("SW_TEST_MISSING_TOKEN", raising=False)
    result = await run(
        returning(
            action("req", "http.request", url=f"{http_server.url}/echo", headers={"Authorization": {"$env": "SW_TEST_MISSING_TOKEN"}})
        )
    )
    assert result.error.action_id == "req"
    assert "SW_TEST_MISSING_TOKEN" in result.error.message


async def test_error_messages_do_not_reveal_secrets_from_the_query(run, http_server: LocalServer, monkeypatch):
    monkeypatch.setenv("SW_TEST_KEY", "k-very-secret")
    result = await run(
        returning(action("req", "http.request", url=f"{http_server.url}/status/500", query={"api_key": {"$env": "SW_TEST_KEY"}}, retries=1))
    )
    assert "500" in result.error.message
    texts = [result.error.message] + [str(e.message) for e in result.events if isinstance(e, LogEvent)]
    assert not any("k-very-secret" in text for text in texts)


def test_secrets_are_accepted_in_query_and_headers():
    project = project_of(
        endpoint(
            [
                action(
                    "req",
                    "http.request",
                    url="https://example.com",
                    headers={"Authorization": {"$env": "TOKEN"}},
                    query={"key": {"$env": "KEY"}},
                )
            ]
        )
    )
    assert validate_project(project) == []


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"method": "POST", "body": {"token": {"$env": "TOKEN"}}}, "body"),
        ({"url": {"$env": "URL"}}, "url"),
    ],
)
def test_secrets_elsewhere_are_a_validation_problem(params: dict, field: str):
    project = project_of(endpoint([action("req", "http.request", **params)]))
    problems = validate_project(project)
    assert problems, "a secret outside query/headers must be refused"
    assert all(p.action_id == "req" for p in problems)
    assert any(p.path.startswith(f"{ACTION_PATH}.params.{field}") for p in problems)
    assert any("$env" in p.message for p in problems)


@pytest.mark.parametrize(
    ("params", "path"),
    [
        ({"method": "FETCH"}, "params.method"),
        ({"retries": 11}, "params.retries"),
        ({"retries": -1}, "params.retries"),
        ({"timeoutMs": 0}, "params.timeoutMs"),
        ({"acceptErrorStatus": "sometimes"}, "params.acceptErrorStatus"),
        ({"resultVariable": "not a name"}, "params.resultVariable"),
        ({"headers": ["Authorization"]}, "params.headers"),
        ({"headers": {"X-Total": formula("1 +")}}, "params.headers.X-Total"),
        ({"methd": "GET"}, "params.methd"),
    ],
)
def test_bad_literal_params_are_problems_with_their_json_path(params: dict, path: str):
    project = project_of(endpoint([action("req", "http.request", url="https://example.com", **params)]))
    problems = validate_project(project)
    assert problems
    assert any(p.path.startswith(f"{ACTION_PATH}.{path}") for p in problems), [str(p) for p in problems]
    assert all(p.action_id == "req" for p in problems)


def test_default_params_are_valid():
    project = project_of(endpoint([action("req", "http.request", **http_request.ACTION.default_params())]))
    assert validate_project(project) == []
