"""Check every JSON request body with the shared parsing limits before any route sees it.

FastAPI reads bodies with `json.loads`, which accepts `NaN`, `Infinity` and `1e309` (stored
as nan/inf, or a 500 on PostgreSQL), and integers too large for any column. This middleware
runs the body through `commonpot.parsing.loads_json` (size, depth, finite numbers, integers
that fit in 64 bits) and answers a 4xx problem document instead; valid bodies pass unchanged.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from commonpot.errors import DomainError, PayloadTooLarge
from commonpot.http import problem_from
from commonpot.parsing import loads_json

MAX_JSON_BODY = 16 * 1024 * 1024
_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


def _is_json(scope: Scope) -> bool:
    for key, value in scope.get("headers") or []:
        if key == b"content-type":
            media = bytes(value).split(b";", 1)[0].strip().lower()
            return media == b"application/json" or media.endswith(b"+json")
    return False


class JsonBodyGuard:
    """Refuse JSON bodies that are too large, too deep or hold non-finite or huge numbers."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in _METHODS or not _is_json(scope):
            await self.app(scope, receive, send)
            return
        chunks: list[bytes] = []
        size = 0
        more = True
        while more:
            message = await receive()
            if message["type"] != "http.request":
                await self.app(scope, receive, send)  # the client went away; let it fail there
                return
            chunk = message.get("body", b"")
            size += len(chunk)
            if size <= MAX_JSON_BODY:
                chunks.append(chunk)
            more = bool(message.get("more_body"))
        body = b"".join(chunks)
        try:
            if size > MAX_JSON_BODY:
                raise PayloadTooLarge(
                    "%(where)sthe input is %(size)s bytes; the limit is %(limit)s bytes",
                    field="body",
                    where="body: ",
                    size=size,
                    limit=MAX_JSON_BODY,
                )
            if body.strip():
                loads_json(body, field="body", limit=MAX_JSON_BODY, int64=True)
        except DomainError as exc:
            response = problem_from(exc, instance=scope.get("path"))
            await response(scope, receive, send)
            return
        sent = False

        async def replay() -> Message:
            nonlocal sent
            if not sent:
                sent = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        await self.app(scope, replay, send)
