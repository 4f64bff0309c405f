"""The HTTP client that reads upstream streams: httpx's API over aiohttp's transport (httpx-aiohttp).

Why not httpx's own transport: httpcore + h11 hand over one HTTP chunk per
step, through six async generators, and an upstream like an LLM sends one
chunk per token. Profiled in ``serve`` relaying a model, that was a third of
its CPU per token (about 20 µs). aiohttp parses HTTP/1.1 in C and gives a
read everything that has arrived, so tokens that arrive together are decoded
and forwarded together (``tests/perf/bench_relay.py``). The API stays httpx's
(requests, responses, redirects, content decoding, errors), so the reader and
its tests do not change; only the bytes come in bigger pieces.

What differs from the default client, on purpose: cookies are httpx's alone
(aiohttp's jar is a dummy, else both would keep them), and aiohttp's own
exceptions that httpx-aiohttp does not map are caught by the reader too
(``TRANSPORT_ERRORS``). Proxies from the environment still go through
httpx's proxy transports, which httpx mounts before this one.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import ssl

    import httpx

    from app.core.project import Project


def stream_client(ssl_context: ssl.SSLContext, transport: httpx.AsyncBaseTransport | None = None) -> httpx.AsyncClient:
    """A client for streamed requests; ``transport`` (tests) replaces the aiohttp one."""
    import httpx

    if transport is None:
        import aiohttp
        from httpx_aiohttp import AiohttpTransport

        def session() -> aiohttp.ClientSession:
            connector = aiohttp.TCPConnector(ssl=ssl_context, limit=100, keepalive_timeout=5.0)
            return aiohttp.ClientSession(connector=connector, cookie_jar=aiohttp.DummyCookieJar())

        transport = AiohttpTransport(verify=ssl_context, client=session)  # its own default context would load the CA bundle per run
    return httpx.AsyncClient(transport=transport, follow_redirects=True, verify=ssl_context)


def transport_errors() -> tuple[type[BaseException], ...]:
    """What a failed request or read raises: httpx's errors and the aiohttp ones httpx-aiohttp lets through."""
    import aiohttp
    import httpx

    return (httpx.HTTPError, aiohttp.ClientError)


def preload(project: Project) -> None:
    """Import the stream client now when ``project`` reads upstream streams.

    aiohttp takes 0.3-0.5 s to import on a loaded machine: a server pays it at
    start, not its first relayed run before the first token.
    """
    from app.core.project import walk_actions
    from app.core.registry import default_registry

    registry = default_registry()
    for endpoint in project.endpoints:
        for _, action in walk_actions(endpoint.workflow):
            declared = registry.find(action.type)
            if declared is not None and declared.streams_in:
                import aiohttp  # noqa: F401
                import httpx_aiohttp  # noqa: F401

                return


def error_text(error: BaseException) -> str:
    """What went wrong, in words: aiohttp's text for a cut body quotes its parser's internals."""
    import aiohttp

    cause = error.__cause__ or error  # httpx-aiohttp raises httpx's error from aiohttp's
    if isinstance(cause, aiohttp.ClientPayloadError):
        return "the upstream closed the connection before the body was complete"
    return str(error) or type(error).__name__
