"""The composition root: `create_app(settings)` builds the whole web application."""

from __future__ import annotations

import importlib
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
from commonpot.db import Database
from commonpot.errors import DomainError, Unauthenticated
from commonpot.http import CSRF_COOKIE, problem, problem_from, wants_json
from commonpot.json_guard import JsonBodyGuard
from commonpot.settings import Settings, get_settings
from commonpot.templating import make_templates, render

STATIC_DIR = Path(__file__).parent / "static"
DOMAINS = ("accounts", "communities", "recipes", "network", "governance", "events", "ecology")

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
    )
    app.state.settings = settings
    app.state.db = Database(settings.database_url)
    app.state.secret_key = settings.resolved_secret_key()
    app.state.templates = make_templates()
    app.state.sections = []
    app.state.extensions = {}
    app.add_middleware(JsonBodyGuard)
    app.add_middleware(EdgeMiddleware)
    _install_error_handlers(app)

    @app.get("/healthz", tags=["meta"], summary="Liveness and database check")
    def healthz(request: Request) -> dict[str, Any]:
        """Answers ok when the server and its database respond."""
        from sqlalchemy import text

        with request.app.state.db.unit_of_work(write=False) as session:
            session.execute(text("SELECT 1"))
        return {"status": "ok", "version": __version__}

    for domain in DOMAINS:
        _include_domain(app, domain)
    app.mount("/static", StaticFiles(directory=str(STATIC_DIR), check_dir=False), name="static")
    return app


def _include_domain(app: FastAPI, domain: str) -> None:
    for part in ("api", "web"):
        try:
            module = importlib.import_module(f"commonpot.{domain}.{part}")
        except ModuleNotFoundError as exc:
            if exc.name == f"commonpot.{domain}.{part}":
                continue
            raise
        app.include_router(module.router)
        section = getattr(module, "SECTION", None)
        if part == "web" and section is not None:
            app.state.sections.append(section)
        setup = getattr(module, "setup", None)
        if setup is not None:
            setup(app)


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
