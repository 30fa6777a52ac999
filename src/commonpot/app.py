"""The composition root: `create_app(settings)` builds the whole web application."""

from __future__ import annotations

import secrets
from pathlib import Path
from typing import Any
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from commonpot import __version__
from commonpot.accounts import api as accounts_api
from commonpot.accounts import web as accounts_web
from commonpot.accounts.service import identify
from commonpot.biotumblers import api as biotumblers_api
from commonpot.biotumblers import web as biotumblers_web
from commonpot.biotumblers.lifespan import mqtt_lifespan
from commonpot.communities import api as communities_api
from commonpot.communities import web as communities_web
from commonpot.communities.service import my_communities
from commonpot.ecology import api as ecology_api
from commonpot.ecology import web as ecology_web
from commonpot.errors import DomainError, Unauthenticated
from commonpot.events import api as events_api
from commonpot.events import web as events_web
from commonpot.governance import api as governance_api
from commonpot.governance import web as governance_web
from commonpot.http import CSRF_COOKIE, problem, problem_from, wants_json
from commonpot.network import api as network_api
from commonpot.network import web as network_web
from commonpot.recipes import api as recipes_api
from commonpot.recipes import web as recipes_web
from commonpot.settings import Settings, get_settings
from commonpot.templating import make_templates, render
from commonpot.wiring import open_database

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
    ecology_api,
    ecology_web,
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
        docs_url="/api/docs",
        redoc_url=None,
        openapi_url="/openapi.json",
        lifespan=mqtt_lifespan,  # stores biotumbler readings when COMMONPOT_MQTT_URL is set
    )
    app.state.settings = settings
    app.state.db = open_database(settings.database_url)
    app.state.secret_key = settings.resolved_secret_key()
    app.state.templates = make_templates()
    app.state.sections = []
    app.state.extensions = {}
    # the foundation's request plumbing asks these domain services, wired here and only here
    app.state.identify = identify
    app.state.my_communities = my_communities
    app.add_middleware(EdgeMiddleware)
    _install_error_handlers(app)

    @app.get("/healthz", tags=["meta"], summary="Liveness and database check")
    def healthz(request: Request) -> dict[str, Any]:
        """Answers ok when the server and its database respond."""
        from sqlalchemy import text

        with request.app.state.db.unit_of_work(write=False) as session:
            session.execute(text("SELECT 1"))
        return {"status": "ok", "version": __version__}

    for module in ROUTER_MODULES:
        _include_routes(app, module)
    app.mount("/static", StaticFiles(directory=str(STATIC_DIR), check_dir=False), name="static")
    return app


def _include_routes(app: FastAPI, module: Any) -> None:
    app.include_router(module.router)
    section = getattr(module, "SECTION", None)
    if section is not None:
        app.state.sections.append(section)


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
        detail = f"{first['field']}: {first['message']}" if first["field"] else first["message"]
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
                "title": "Something went wrong",
                "detail": "Something went wrong on our side. Nothing was saved; try again.",
            },
            status_code=500,
        )
