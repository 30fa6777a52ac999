"""The API documentation page and the favicon, served from our own files.

FastAPI's built-in docs page loads Swagger UI from a CDN and starts it with an inline script,
which is blank offline and blocked by our Content-Security-Policy. This page uses the copy of
`swagger-ui-dist` that `scripts/vendor.sh` puts under /static/vendor/swagger-ui/ and starts it
from /static/app/api-docs.js.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, HTMLResponse, Response

from commonpot.http import unit_of_work
from commonpot.templating import render

FAVICON = Path(__file__).parent / "static" / "app" / "favicon.svg"

router = APIRouter(include_in_schema=False)


@router.get("/api/docs", response_class=HTMLResponse)
def api_docs(request: Request) -> Response:
    """Swagger UI for /openapi.json."""
    with unit_of_work(request) as ctx:
        return render(request, "api_docs.html", ctx=ctx)


@router.get("/favicon.ico")
def favicon() -> Response:
    """Browsers ask for /favicon.ico on every site: answer with our icon."""
    return FileResponse(
        FAVICON,
        media_type="image/svg+xml",
        headers={"Cache-Control": "public, max-age=86400"},
    )
