"""Guards in front of every route: Host check, bearer token, body size.

Written as small ASGI middlewares because Starlette's TrustedHostMiddleware
answers 400 (we answer 403, the DNS-rebinding refusal) and has no notion of a
per-start token; the CORS part uses Starlette's CORSMiddleware as is.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import json
import re
import secrets
from collections.abc import Iterable
from urllib.parse import parse_qs

from starlette.types import ASGIApp, Message, Receive, Scope, Send

LOOPBACK_NAMES = frozenset({"localhost", "127.0.0.1", "[::1]", "::1"})
TOKEN_QUERY = "access_token"
"""RFC 6750 section 2.3: for clients that cannot set headers, such as a browser's EventSource."""
SIGNATURE_QUERY = "sig"


def new_token() -> str:
    """Hex, so a token pasted after ``--token`` can never be read as an option (urlsafe ones may start with '-')."""
    return secrets.token_hex(24)


def sign(token: str, path: str) -> str:
    """A download link's signature: proof the link came from a holder of the token, for this path only."""
    return hmac.new(token.encode(), path.encode(), hashlib.sha256).hexdigest()[:32]


async def _respond(send: Send, status: int, payload: dict[str, str], extra: Iterable[tuple[bytes, bytes]] = ()) -> None:
    body = json.dumps(payload).encode()
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()), *extra]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


def _header(scope: Scope, name: bytes) -> str:
    for key, value in scope.get("headers", []):
        if key == name:
            return value.decode("latin-1")
    return ""


_HOST = re.compile(r"(?P<host>\[(?P<ip6>[0-9A-Fa-f:.]+)\]|[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?)(?::(?P<port>[0-9]{0,5}))?")
"""RFC 3986 ``host [ ":" port ]``, narrowed to what names a server: an IP literal or a DNS name (IPv4 included)."""


def host_name(header: str) -> str | None:
    """The lower-case host of a ``Host`` header (``[::1]`` with brackets), or None unless it is exactly host[:port].

    Anything else (``127.0.0.1:8000@evil.example``, ``[::1]evil.example``, a
    port over 65535, a userinfo, a path) is not a host we serve: refusing it
    whole is the only safe reading, since proxies and browsers disagree about
    which part of such a value is the host.
    """
    match = _HOST.fullmatch(header)
    if match is None or (match["port"] and int(match["port"]) > 65535):
        return None
    if match["ip6"] is not None:
        try:
            ipaddress.IPv6Address(match["ip6"])
        except ValueError:
            return None
    return match["host"].lower()


class HostGuard:
    """403 for a Host that is not loopback (or the bound name): a rebinding attack's page cannot pass."""

    def __init__(self, app: ASGIApp, allowed: Iterable[str]) -> None:
        self.app = app
        # an IPv6 address bound with --host arrives in Host headers in brackets
        self.allowed = frozenset(f"[{name.lower()}]" if ":" in name and not name.startswith("[") else name.lower() for name in allowed) | LOOPBACK_NAMES

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and host_name(_header(scope, b"host")) not in self.allowed:
            await _respond(send, 403, {"error": "forbidden host"})
            return
        await self.app(scope, receive, send)


class TokenAuth:
    """401 unless ``Authorization: Bearer <token>`` (or ``access_token=``); signed download links pass."""

    def __init__(self, app: ASGIApp, token: str | None, download_prefix: str) -> None:
        self.app = app
        self.token = token
        self.download_prefix = download_prefix

    def _authorized(self, scope: Scope) -> bool:
        assert self.token is not None
        header = _header(scope, b"authorization")
        query = parse_qs(scope.get("query_string", b"").decode("latin-1"))
        # every token the request presents must be the right one: a wrong one is never masked by a right one beside it
        presented = [token for token in (header[7:].strip() if header[:7].lower() == "bearer " else "", query.get(TOKEN_QUERY, [""])[0]) if token]
        if presented:
            return all(hmac.compare_digest(token.encode("utf-8", "surrogatepass"), self.token.encode()) for token in presented)
        path = scope.get("path", "")
        signature = query.get(SIGNATURE_QUERY, [""])[0]
        return path.startswith(self.download_prefix) and bool(signature) and hmac.compare_digest(signature, sign(self.token, path))

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and self.token is not None and scope.get("method") != "OPTIONS" and not self._authorized(scope):
            await _respond(send, 401, {"error": "missing or wrong token"}, [(b"www-authenticate", b'Bearer realm="streamwright"')])
            return
        await self.app(scope, receive, send)


class BodyLimit:
    """413 for a request body over ``limit`` bytes, checked on the declared length and while reading."""

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = _header(scope, b"content-length")
        if declared.isdigit() and int(declared) > self.limit:
            await _respond(send, 413, {"error": f"request body is larger than {self.limit} bytes"})
            return
        received = 0

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.limit:
                    raise BodyTooLargeError
            return message

        try:
            await self.app(scope, limited_receive, send)
        except BodyTooLargeError:
            await _respond(send, 413, {"error": f"request body is larger than {self.limit} bytes"})


class BodyTooLargeError(Exception):
    pass
