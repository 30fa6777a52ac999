"""A Content-Security-Policy (and a few sibling headers) on every response.

The policy allows script, style and connections from our own origin only: no inline script,
no inline style, no eval. Pages keep data for scripts in `data-` attributes or in
`<script type="application/json">` blocks, which are not executed. Images may also come from
`data:` URLs (Swagger UI's icons) and from the map tile host the operator configured in
`COMMONPOT_MAP_TILES_URL`. Non-HTML responses carry the policy too: it costs nothing and keeps
an uploaded file opened directly in the browser (an SVG, say) from running script.
"""

from __future__ import annotations

import inspect
import re
from typing import Any
from urllib.parse import urlsplit

from fastapi import FastAPI, Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

# A host the policy may name: letters, digits, dots, dashes, a leading `*.` wildcard, a port.
_HOST = re.compile(r"^(\*\.)?[A-Za-z0-9.-]+(:[0-9]{1,5})?$|^\[[0-9A-Fa-f:.]+\](:[0-9]{1,5})?$")


def tile_source(tiles_url: str) -> str | None:
    """The CSP source expression for a Leaflet tile URL template, or None if same-origin.

    `https://{s}.tile.example.org/{z}/{x}/{y}.png` becomes `https://*.tile.example.org`;
    anything that is not a plain http(s) host is left out rather than written into the policy.
    """
    parts = urlsplit(tiles_url.strip().replace("{s}", "*"))
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return None
    if not _HOST.match(parts.netloc):
        return None
    return f"{parts.scheme}://{parts.netloc}"


def content_security_policy(tiles_url: str = "") -> str:
    """The policy every response carries."""
    images = ["'self'", "data:"]
    tiles = tile_source(tiles_url)
    if tiles is not None:
        images.append(tiles)
    directives = [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src " + " ".join(images),
        "font-src 'self'",
        "connect-src 'self'",
        "media-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "frame-ancestors 'none'",
        "form-action 'self'",
    ]
    return "; ".join(directives)


def security_headers(tiles_url: str = "") -> list[tuple[bytes, bytes]]:
    """The headers every response carries (raw, as ASGI sends them)."""
    return [
        (b"content-security-policy", content_security_policy(tiles_url).encode("latin-1")),
        (b"x-content-type-options", b"nosniff"),
        (b"referrer-policy", b"same-origin"),
    ]


def install(app: FastAPI, tiles_url: str) -> None:
    """Put the headers on every response of the app, including its 500 error pages.

    Call after the app's exception handlers are registered: the handler for unexpected errors
    answers from outside every middleware, so it is wrapped here as well.
    """
    app.add_middleware(SecurityHeadersMiddleware, tiles_url=tiles_url)
    headers = security_headers(tiles_url)
    for key in (Exception, 500):
        handler = app.exception_handlers.get(key)
        if handler is not None:
            app.exception_handlers[key] = _with_headers(handler, headers)


def _with_headers(handler: Any, headers: list[tuple[bytes, bytes]]) -> Any:
    async def wrapped(request: Request, exc: Exception) -> Response:
        response = handler(request, exc)
        if inspect.isawaitable(response):
            response = await response
        for name, value in headers:
            if name.decode("latin-1") not in response.headers:
                response.headers[name.decode("latin-1")] = value.decode("latin-1")
        return response  # type: ignore[no-any-return]

    return wrapped


class SecurityHeadersMiddleware:
    """Adds the Content-Security-Policy, nosniff and the referrer policy to every response."""

    def __init__(self, app: ASGIApp, tiles_url: str = "") -> None:
        self.app = app
        self.headers = security_headers(tiles_url)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_wrapper(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {name.lower() for name, _ in headers}
                headers += [(k, v) for k, v in self.headers if k not in present]
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_wrapper)
