"""The composition root: `create_app(settings)` builds the whole web application."""

from __future__ import annotations

import gc
import secrets
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from sqlalchemy.exc import DataError
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from commonpot import __version__
from commonpot.accounts import api as accounts_api
from commonpot.accounts import web as accounts_web
from commonpot.accounts.service import Viewer, identify
from commonpot.api_docs import router as docs_router
from commonpot.biotumblers import api as biotumblers_api
from commonpot.biotumblers import web as biotumblers_web
from commonpot.biotumblers.lifespan import mqtt_lifespan
from commonpot.bus import bus_of
from commonpot.communities import api as communities_api
from commonpot.communities import web as communities_web
from commonpot.communities.access import signed_in_scope
from commonpot.communities.models import Community, Role
from commonpot.communities.service import (
    membership,
    readable_community,
    require_role,
)
from commonpot.ecology import api as ecology_api
from commonpot.ecology import web as ecology_web
from commonpot.errors import DomainError, Unauthenticated, problem_words
from commonpot.events import api as events_api
from commonpot.events import web as events_web
from commonpot.experiences import api as experiences_api
from commonpot.experiences import web as experiences_web
from commonpot.federation import ap as federation_ap
from commonpot.federation import api as federation_api
from commonpot.federation import web as federation_web
from commonpot.governance import api as governance_api
from commonpot.governance import web as governance_web
from commonpot.http import (
    CSRF_COOKIE,
    AdmissionMiddleware,
    RetryMiddleware,
    document_bearer,
    problem,
    problem_from,
    wants_json,
)
from commonpot.i18n import N_
from commonpot.jobs import web as jobs_web
from commonpot.json_guard import JsonBodyGuard
from commonpot.network import api as network_api
from commonpot.network import web as network_web
from commonpot.notifications import web as notifications_web
from commonpot.page_header import read_header, signed_in_scope_and_header
from commonpot.recipes import api as recipes_api
from commonpot.recipes import web as recipes_web
from commonpot.route_guard import guard_routers
from commonpot.security_headers import install as install_security_headers
from commonpot.settings import Settings, get_settings
from commonpot.shared_answers import SharedAnswers
from commonpot.templating import make_templates, reader_locale, render, translations_for, warm
from commonpot.wiring import open_database, start_jobs

STATIC_DIR = Path(__file__).parent / "static"
# Every domain's JSON and HTML routers, in the order their pages appear in the community nav.
ROUTER_MODULES: tuple[Any, ...] = (
    accounts_api,
    accounts_web,
    communities_api,
    communities_web,
    recipes_api,
    recipes_web,
    network_api,
    network_web,
    governance_api,
    governance_web,
    events_api,
    events_web,
    experiences_api,
    experiences_web,
    ecology_api,
    ecology_web,
    jobs_web,
    notifications_web,
    federation_ap,  # /.well-known/webfinger, /.well-known/nodeinfo, /nodeinfo/2.1, /federation/...
    federation_api,
    federation_web,
    biotumblers_api,
    biotumblers_web,
)

API_DESCRIPTION = """
The commonpot API: everything the web pages do, as JSON.

Authenticate scripts with a personal API token (create one on your profile page) sent as
`Authorization: Bearer cp_...`. Errors are RFC 9457 problem documents
(`application/problem+json`) whose `detail` says what to fix and whose `field` names the
offending input when there is one.
"""


class EdgeMiddleware:
    """Gives every browser a CSRF cookie and every response a few protective headers."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])
        cookie_header = headers.get(b"cookie", b"").decode("latin-1")
        token = None
        if f"{CSRF_COOKIE}=" not in cookie_header:
            token = secrets.token_urlsafe(32)
            scope.setdefault("state", {})["csrf_token"] = token
        secure = scope.get("scheme") == "https"

        async def send_wrapper(message: Message) -> None:
            if message["type"] == "http.response.start":
                extra = [
                    (b"x-content-type-options", b"nosniff"),
                    (b"referrer-policy", b"same-origin"),
                    (b"x-frame-options", b"SAMEORIGIN"),
                ]
                if token is not None:
                    cookie = f"{CSRF_COOKIE}={token}; Path=/; HttpOnly; SameSite=Lax"
                    if secure:
                        cookie += "; Secure"
                    extra.append((b"set-cookie", cookie.encode()))
                message["headers"] = list(message.get("headers", [])) + extra
            await send(message)

        await self.app(scope, receive, send_wrapper)


def create_app(settings: Settings | None = None) -> FastAPI:
    """Build the application for the given settings (no I/O happens at import time)."""
    settings = settings or get_settings()
    app = FastAPI(
        title="commonpot",
        version=__version__,
        description=API_DESCRIPTION,
        docs_url=None,  # served by commonpot.api_docs from our own copy of Swagger UI
        redoc_url=None,
        openapi_url="/openapi.json",
        lifespan=_lifespan,
    )
    app.state.settings = settings
    app.state.db = open_database(settings.database_url)
    app.state.shared_answers = SharedAnswers()
    app.state.secret_key = settings.resolved_secret_key()
    app.state.templates = make_templates()
    app.state.sections = []
    app.state.extensions = {}
    # the foundation's request plumbing asks these domain services, wired here and only here
    app.state.identify = identify
    # who is asking, the community and their membership in one statement, by identify's
    # rules (communities.scope.enter_request): replace it, or set it to None, with identify
    app.state.signed_in_scope = signed_in_scope
    # the same for a page, which also reads the page's header in that statement
    app.state.signed_in_page_scope = signed_in_scope_and_header
    # the header of every page a signed-in person reads (their communities, unread count)
    app.state.page_header = read_header
    app.add_middleware(RetryMiddleware)  # inner: runs a deadlocked request again
    # no more requests inside than pooled connections (the job threads keep theirs), so a
    # request holding a lock always gets a thread to finish it; the rest wait their turn
    spare = settings.jobs_embedded + 2
    app.add_middleware(AdmissionMiddleware, limit=app.state.db.connections - spare)
    app.add_middleware(JsonBodyGuard)
    app.state.steward_community = steward_community
    app.state.is_community_steward = is_community_steward
    app.state.jobs = start_jobs(settings, app.state.db, bus_of(app.state))
    app.add_middleware(EdgeMiddleware)
    _install_error_handlers(app)
    install_security_headers(app, settings.map_tiles_url)

    @app.get("/healthz", tags=["meta"], summary="Liveness and database check")
    def healthz(request: Request) -> dict[str, Any]:
        """Answers ok when the server and its database respond."""
        from sqlalchemy import text

        with request.app.state.db.unit_of_work(write=False) as session:
            session.execute(text("SELECT 1"))
        return {"status": "ok", "version": __version__}

    document_bearer(app)
    app.include_router(docs_router)
    for module in ROUTER_MODULES:
        _include_routes(app, module)
    guard_routers(app)  # a request tries only the routers that could hold its path
    app.mount("/static", StaticFiles(directory=str(STATIC_DIR), check_dir=False), name="static")
    return app


def create_served_app(settings: Settings | None = None) -> FastAPI:
    """`create_app` as `commonpot serve` runs it: at start-up its lifespan also settles the
    heap (`settle_heap`)."""
    app = create_app(settings)
    app.state.settle_heap = True
    return app


def settle_heap(app: FastAPI) -> None:
    """Do at start-up what the first requests would (compile every template, read every
    catalog and locale), then freeze what the process holds out of the garbage collector's
    reach: a full collection then walks only what requests leave behind. Without it, the
    collector's oldest generation walked the whole app every so often, stopping the process
    for up to 170 ms: most of the recipe JSON's 99th-percentile latency under load."""
    warm(app.state.templates)
    gc.collect()
    gc.freeze()


@asynccontextmanager
async def _lifespan(app: FastAPI) -> AsyncIterator[None]:
    """While serving: the embedded job consumer (COMMONPOT_JOBS_EMBEDDED threads), MQTT ingest
    (and, in a served process, a settled heap first)."""
    if getattr(app.state, "settle_heap", False):
        settle_heap(app)
    threads = app.state.settings.jobs_embedded
    if threads > 0:
        app.state.jobs.start_consumer(threads)
    try:
        async with mqtt_lifespan(app):  # biotumbler readings when COMMONPOT_MQTT_URL is set
            yield
    finally:
        await run_in_threadpool(app.state.jobs.stop_consumer)


def steward_community(session: Session, slug: str, viewer: Viewer) -> Community:
    """The community when the viewer stewards it (or is an admin); NotFound/Forbidden else."""
    community = readable_community(session, slug, viewer)
    if not viewer.is_admin:
        require_role(session, community, viewer, Role.STEWARD)
    return community


def is_community_steward(session: Session, community_id: int, viewer: Viewer) -> bool:
    """Whether the viewer stewards this community (admins always do)."""
    if viewer.is_admin:
        return True
    community = session.get(Community, community_id)
    found = membership(session, community, viewer) if community is not None else None
    return found is not None and found.role == Role.STEWARD.value


def _include_routes(app: FastAPI, module: Any) -> None:
    app.include_router(module.router)
    extra = getattr(module, "api_router", None)
    if extra is not None:
        app.include_router(extra)
    section = getattr(module, "SECTION", None)
    if section is not None:
        app.state.sections.append(section)
        # in the order the community's menu lists them (sorted once, not on every page)
        app.state.sections.sort(key=lambda s: s["order"])


def _install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(DomainError)
    async def domain_error(request: Request, exc: DomainError) -> Response:
        if wants_json(request):
            return problem_from(exc, instance=request.url.path)
        if isinstance(exc, Unauthenticated) and request.method == "GET":
            return RedirectResponse(f"/login?next={quote(request.url.path)}", status_code=303)
        return render(
            request,
            "error.html",
            {"status": exc.status, "title": exc.title, "detail": exc.detail},
            status_code=exc.status,
        )

    @app.exception_handler(DataError)
    @app.exception_handler(OverflowError)
    @app.exception_handler(UnicodeEncodeError)
    async def data_error(request: Request, exc: Exception) -> Response:
        # a value nothing can hold: the database refused it (a number beyond its column's
        # range), or Python could not (a date before year 1 once moved to UTC, hours beyond
        # what a duration holds, an integer beyond 64 bits, text with a lone surrogate that
        # no encoding writes); the unit of work has rolled back, so nothing was stored: the
        # sender's input was wrong, and every check a field lacks still ends here, not in a 500
        detail = N_("A value is out of the range the database can store; check the numbers sent.")
        if isinstance(exc, UnicodeEncodeError):
            detail = N_("A text holds characters that are not valid Unicode; check what was sent.")
        if wants_json(request):
            return problem(422, "Invalid input", detail, type_slug="invalid")
        return render(
            request,
            "error.html",
            {"status": 422, "title": "Invalid input", "detail": detail},
            status_code=422,
        )

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError) -> Response:
        errors = [
            {
                "field": ".".join(str(p) for p in err.get("loc", ()) if p != "body"),
                "message": err.get("msg", "invalid"),
            }
            for err in exc.errors()
        ]
        first = errors[0] if errors else {"field": "", "message": "invalid input"}
        # the first problem in our words (translatable); `errors` keeps Pydantic's, all of them
        problems = exc.errors()
        detail = problem_words(dict(problems[0]), first["field"]) if problems else "invalid input"
        if wants_json(request):
            return problem(
                422,
                "Invalid input",
                detail,
                type_slug="invalid",
                field=first["field"] or None,
                errors=errors,
            )
        return render(
            request,
            "error.html",
            {"status": 422, "title": "Invalid input", "detail": detail},
            status_code=422,
        )

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        titles = {404: "Not found", 405: "Method not allowed", 401: "Sign-in required"}
        title = titles.get(exc.status_code, "Error")
        detail = str(exc.detail) if exc.detail else title
        if exc.status_code == 404:
            detail = f"Nothing at {request.url.path}. Check the address."
        if wants_json(request):
            response: Response = problem(exc.status_code, title, detail)
        else:
            if exc.status_code == 404:
                words = translations_for(reader_locale(request)).gettext(
                    "Nothing at %(path)s. Check the address."
                )
                detail = words % {"path": request.url.path}
            response = render(
                request,
                "error.html",
                {"status": exc.status_code, "title": title, "detail": detail},
                status_code=exc.status_code,
            )
        for key, value in (exc.headers or {}).items():
            response.headers[key] = value
        return response

    @app.exception_handler(Exception)
    async def server_error(request: Request, exc: Exception) -> Response:
        if wants_json(request):
            return problem(500, "Server error", "Something went wrong on our side; try again.")
        return render(
            request,
            "error.html",
            {
                "status": 500,
                "title": N_("Something went wrong"),
                "detail": N_("Something went wrong on our side. Nothing was saved; try again."),
            },
            status_code=500,
        )
