"""Shared edge plumbing for the web and API routers: units of work, viewers, CSRF, problems."""

from __future__ import annotations

import asyncio
import logging
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Annotated, Any, Protocol

import anyio
from fastapi import APIRouter, Depends, FastAPI, Request
from fastapi.responses import JSONResponse
from sqlalchemy.orm import Session
from starlette.datastructures import FormData
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from commonpot.db import RETRY_ATTEMPTS, Database, is_retryable, retry_delay
from commonpot.errors import DomainError, Forbidden
from commonpot.paging import Window
from commonpot.settings import Settings

if TYPE_CHECKING:
    from commonpot.accounts.service import Viewer

SESSION_COOKIE = "commonpot_session"
CSRF_COOKIE = "commonpot_csrf"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
PROBLEM_JSON = "application/problem+json"

# the bearer scheme as OpenAPI documents it; the real check is `resolve_viewer`
BEARER = "HTTPBearer"
BEARER_SCHEME = {"type": "http", "scheme": "bearer", "description": "A personal API token (cp_...)"}


def api_router_for(tag: str) -> APIRouter:
    """A domain's JSON API router: under /api, its operations grouped under `tag`.

    Every /api operation accepts the bearer token; `document_bearer` says so in the OpenAPI
    schema once for all of them. (A router-level `Security(HTTPBearer(...))` dependency would
    say the same, but FastAPI would then solve it on every request: ~3 % of recipe JSON's
    CPU, for a value nobody reads.)
    """
    return APIRouter(prefix="/api", tags=[tag])


def document_bearer(app: FastAPI) -> None:
    """Make `app`'s OpenAPI schema declare the bearer scheme on every /api operation."""
    build = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = build()
            components = schema.setdefault("components", {})
            components.setdefault("securitySchemes", {})[BEARER] = dict(BEARER_SCHEME)
            for path, operations in schema.get("paths", {}).items():
                if path.startswith("/api/"):
                    for operation in operations.values():
                        operation["security"] = [{BEARER: []}]
            app.openapi_schema = schema
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


class Identify(Protocol):
    """Who is asking, from a bearer token or a session cookie (the composition root sets it)."""

    def __call__(
        self, session: Session, *, bearer: str | None, session_cookie: str | None
    ) -> Viewer: ...


@dataclass
class Ctx:
    """What a request handler works with: one session (one transaction) and the viewer."""

    session: Session
    viewer: Viewer
    request: Request
    settings: Settings
    extra: dict[str, Any] = field(default_factory=dict)


def say_pages(request: Request, response: Response, window: Window, shown: int) -> None:
    """Name the next and previous pages of an API list of `shown` rows read through
    `window` in the response's `Link` header (RFC 8288; addresses relative to this one)."""
    links = window.links(f"{request.url.path}?{request.url.query}", shown)
    if links:
        response.headers["Link"] = links


def database(request: Request) -> Database:
    """The app's database."""
    db: Database = request.app.state.db
    return db


def settings_of(request: Request) -> Settings:
    """The app's settings."""
    value: Settings = request.app.state.settings
    return value


def own_address(request: Request) -> str:
    """This instance's address, without a trailing slash: `settings.base_url` when the
    operator set it, else the address the request was made to (its `Host`, which a client
    chooses: an answer holding it is never shared with another reader)."""
    return (settings_of(request).base_url or str(request.base_url)).rstrip("/")


@contextmanager
def unit_of_work(request: Request, *, write: bool | None = None) -> Iterator[Ctx]:
    """One transaction for the request: committed at the end, rolled back on any error."""
    is_write = request.method not in SAFE_METHODS if write is None else write
    with database(request).unit_of_work(write=is_write) as session:
        yield context(request, session)


def context(request: Request, session: Session) -> Ctx:
    """The request's `Ctx` in a unit of work the caller opened on `session`."""
    viewer = resolve_viewer(request, session)
    return Ctx(session=session, viewer=viewer, request=request, settings=settings_of(request))


def _request_unit(request: Request) -> Iterator[Ctx]:
    with unit_of_work(request) as ctx:
        yield ctx


# The unit of work as a dependency: `def page(request: Request, ctx: Unit)`. It commits when
# the handler returns and before the response is sent (scope="function"), so a failed commit
# is an error response (and RetryMiddleware can run the request again), never a lost write.
Unit = Annotated[Ctx, Depends(_request_unit, scope="function")]


def resolve_viewer(request: Request, session: Session) -> Viewer:
    """Who is asking: a bearer token wins over the session cookie; otherwise anonymous."""
    cached: Viewer | None = getattr(request.state, "viewer", None)
    if cached is not None:
        return cached
    bearer, cookie = credentials(request)
    identify: Identify = request.app.state.identify
    return remember_viewer(request, identify(session, bearer=bearer, session_cookie=cookie))


def credentials(request: Request) -> tuple[str | None, str | None]:
    """What the request signs in with: (bearer token, session cookie); a bearer token wins
    (the cookie is then None), and a request with neither is a visitor's."""
    auth = request.headers.get("authorization", "")
    bearer = auth[7:].strip() if auth[:7].lower() == "bearer " else None
    cookie = None if bearer is not None else request.cookies.get(SESSION_COOKIE)
    return bearer, cookie or None


def remember_viewer(request: Request, viewer: Viewer) -> Viewer:
    """`viewer` as the request's, once it is known (`resolve_viewer`, or a domain's own
    statement that also read it): the API's CSRF check for a cookie, and the language the
    person picked with the switcher (read here, while the row is loaded)."""
    if viewer.user is not None and credentials(request)[1] is not None:
        _check_api_csrf(request)
    request.state.viewer = viewer
    user = viewer.user
    request.state.chosen_locale = user.locale if user is not None and user.locale_chosen else None
    return viewer


def _check_api_csrf(request: Request) -> None:
    """Cookie-authenticated API writes must echo the CSRF cookie in a header."""
    if request.method in SAFE_METHODS or not request.url.path.startswith("/api/"):
        return
    expected = request.cookies.get(CSRF_COOKIE, "")
    sent = request.headers.get(CSRF_HEADER, "")
    if not expected or not secrets.compare_digest(expected, sent):
        raise Forbidden(
            "Missing or wrong X-CSRF-Token header for a cookie-authenticated API call; "
            "send it, or use an API token."
        )


def csrf_token(request: Request) -> str:
    """The CSRF token for this browser (set as a cookie by the middleware)."""
    token: str = getattr(request.state, "csrf_token", "") or request.cookies.get(CSRF_COOKIE, "")
    return token


async def verify_csrf_form(request: Request) -> None:
    """Router dependency for HTML forms: unsafe methods must carry the CSRF field or header."""
    if request.method in SAFE_METHODS:
        return
    expected = request.cookies.get(CSRF_COOKIE, "")
    sent = request.headers.get(CSRF_HEADER, "")
    if not sent:
        content_type = request.headers.get("content-type", "")
        if content_type.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
            form = await request.form()
            value = form.get(CSRF_FIELD)
            sent = value if isinstance(value, str) else ""
    if not expected or not sent or not secrets.compare_digest(expected, sent):
        raise Forbidden(
            "This form expired or came from another site. Reload the page and try again."
        )


async def posted_form(request: Request) -> FormData:
    """The posted form, read on the event loop so that the handler itself can be a plain def.

    Handlers that touch the database must not be `async def`: their work would run on the
    event loop and stall every other request of the process (health checks included).
    """
    return await request.form()


PostedForm = Annotated[FormData, Depends(posted_form)]


def problem(
    status: int, title: str, detail: str, *, type_slug: str = "about:blank", **extra: Any
) -> JSONResponse:
    """An RFC 9457 problem document."""
    body: dict[str, Any] = {
        "type": f"/problems/{type_slug}" if type_slug != "about:blank" else "about:blank",
        "title": title,
        "status": status,
        "detail": detail,
    }
    body.update({k: v for k, v in extra.items() if v is not None})
    return JSONResponse(body, status_code=status, media_type=PROBLEM_JSON)


def problem_from(exc: DomainError, instance: str | None = None) -> JSONResponse:
    """The problem document for a domain error."""
    return problem(
        exc.status,
        exc.title,
        exc.detail,
        type_slug=exc.type_slug,
        field=exc.field,
        instance=instance,
    )


def wants_json(request: Request) -> bool:
    """True for API paths (and clients that ask for JSON), which get problem documents.

    JSON is any JSON media type: `application/json` and the `+json` ones federation peers
    ask for (`application/activity+json`, `application/ld+json`, `application/jrd+json`)."""
    if request.url.path.startswith("/api/") or request.url.path in {"/openapi.json", "/healthz"}:
        return True
    accept = request.headers.get("accept", "")
    asks_json = "application/json" in accept or "+json" in accept
    return asks_json and "text/html" not in accept


log = logging.getLogger("commonpot.http")
RETRY_BODY_LIMIT = 4 * 1024 * 1024  # bigger request bodies are not kept for a second try


class AdmissionMiddleware:
    """Let at most `limit` requests run at once; the others wait in the event loop.

    A request runs its unit of work over several worker threads (open, handler, commit),
    holding one pooled connection, and perhaps a lock, in between. With more requests
    inside than connections, threads pile up waiting for the pool while the request that
    holds the ledger lock waits for a thread to commit: under load everything stalls
    until the pool times out. Keeping the count at or below the pool size (and below the
    thread pool's 40) means every admitted request gets its connection and its threads.
    A slot is given back when the response starts, so live streams do not keep one, and
    static files never take one.
    """

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app = app
        self.limit = max(1, limit)
        self._slots: anyio.Semaphore | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"].startswith("/static/"):
            await self.app(scope, receive, send)
            return
        if self._slots is None:
            self._slots = anyio.Semaphore(self.limit)
        slots = self._slots
        await slots.acquire()
        held = True

        def give_back() -> None:
            nonlocal held
            if held:
                held = False
                slots.release()

        async def send_then_free(message: Message) -> None:
            if message["type"] == "http.response.start":
                give_back()
            await send(message)

        try:
            await self.app(scope, receive, send_then_free)
        finally:
            give_back()


class RetryMiddleware:
    """Run a request again when PostgreSQL aborted its transaction as a deadlock victim.

    The unit of work is one transaction per request, rolled back on any error, so running
    the whole request again is safe: handlers do their writes in that transaction, and
    live updates are published only after it commits. The body is kept (up to
    RETRY_BODY_LIMIT) to be replayed; a request whose response has started (streams) is
    never run twice. Each try gets a fresh request state (no cached viewer from the failed
    session). Up to RETRY_ATTEMPTS tries with jittered backoff; the last failure is a 500.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        kept: list[Message] = []
        size, complete = 0, False
        while not complete and size <= RETRY_BODY_LIMIT:
            message = await receive()
            kept.append(message)
            if message["type"] != "http.request":
                break
            size += len(message.get("body", b""))
            complete = not message.get("more_body", False)
        retryable_body = complete and size <= RETRY_BODY_LIMIT
        state = dict(scope.get("state") or {})
        for attempt in range(1, RETRY_ATTEMPTS + 1):
            started = False
            replay = list(kept)

            async def replay_receive(replay: list[Message] = replay) -> Message:
                return replay.pop(0) if replay else await receive()

            async def watch_send(message: Message) -> None:
                nonlocal started
                started = True
                await send(message)

            try:
                await self.app({**scope, "state": dict(state)}, replay_receive, watch_send)
            except Exception as exc:
                last = attempt == RETRY_ATTEMPTS
                if started or last or not retryable_body or not is_retryable(exc):
                    raise
                log.warning(
                    "%s %s: database deadlock, trying again", scope["method"], scope["path"]
                )
            else:
                return
            await asyncio.sleep(retry_delay(attempt))
