"""Every HTML answer carries a strict Content-Security-Policy; /api/docs and the favicon are ours.

Pages, error pages (404, 422, 403-as-404, 500) and the API docs page all send a policy whose
script-src is only 'self' (no inline script, no eval), plus nosniff and a same-origin referrer
policy, each once. JSON answers keep working. /api/docs loads nothing from another origin.
"""

from __future__ import annotations

from collections.abc import Iterator
from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from starlette.responses import Response

from commonpot.db import Database
from tests.factories.accounts import make_world, sign_in


def policy(response: Response) -> dict[str, list[str]]:
    """The CSP header as {directive: [sources]}; the header must appear exactly once."""
    values = response.headers.get_list("content-security-policy")
    assert len(values) == 1, values
    directives: dict[str, list[str]] = {}
    for part in values[0].split(";"):
        words = part.split()
        if words:
            directives[words[0]] = words[1:]
    return directives


def assert_strict(response: Response) -> None:
    csp = policy(response)
    assert csp["script-src"] == ["'self'"]
    assert csp["style-src"] == ["'self'"]
    assert csp["default-src"] == ["'self'"]
    assert csp["object-src"] == ["'none'"]
    assert csp["base-uri"] == ["'self'"]
    assert csp["frame-ancestors"] == ["'none'"]
    assert csp["form-action"] == ["'self'"]
    assert csp["connect-src"] == ["'self'"]
    for sources in csp.values():
        assert "'unsafe-inline'" not in sources and "'unsafe-eval'" not in sources
        assert "*" not in sources
    assert response.headers.get_list("x-content-type-options") == ["nosniff"]
    assert response.headers.get_list("referrer-policy") == ["same-origin"]


class Assets(HTMLParser):
    """Collects what a page loads (script/link/img addresses) and its inline code."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []
        self.inline_scripts = 0
        self.inline_styles = 0
        self.handlers: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        for name, _ in attrs:
            if name.startswith("on"):
                self.handlers.append(f"{tag} {name}")
        if "style" in found or tag == "style":
            self.inline_styles += 1
        if tag == "script":
            kind = (found.get("type") or "").lower()
            if found.get("src"):
                self.urls.append(str(found["src"]))
            elif kind not in ("application/json", "application/ld+json"):
                self.inline_scripts += 1
        if tag == "link" and found.get("href"):
            self.urls.append(str(found["href"]))
        if tag in ("img", "iframe", "source", "audio", "video") and found.get("src"):
            self.urls.append(str(found["src"]))


def assets(html: str) -> Assets:
    parser = Assets()
    parser.feed(html)
    return parser


def same_origin(url: str) -> bool:
    parts = urlsplit(url)
    return not parts.scheme and not parts.netloc and url.startswith("/")


@pytest.fixture
def erring_client(app: FastAPI) -> Iterator[TestClient]:
    """A client whose app has one route that fails unexpectedly (the 500 page)."""

    @app.get("/test-only/boom")
    def boom() -> None:
        raise RuntimeError("boom")

    with TestClient(app, raise_server_exceptions=False) as client:
        yield client


def test_every_kind_of_html_page_has_a_strict_csp(erring_client: TestClient, db: Database) -> None:
    client = erring_client
    world = make_world(db)
    pages = {
        "/": 200,
        "/login": 200,
        f"/communities/{world.public.slug}": 200,
        f"/communities/{world.private.slug}": 404,  # hidden, exactly as if absent
        "/no/such/page": 404,
        f"/communities/{world.public.slug}/network/runs/not-a-number": 422,
        "/test-only/boom": 500,
        "/api/docs": 200,
    }
    for path, status in pages.items():
        response = client.get(path, headers={"accept": "text/html"})
        assert response.status_code == status, path
        assert response.headers["content-type"].startswith("text/html"), path
        assert_strict(response)
        found = assets(response.text)
        assert found.inline_scripts == 0, path
        assert found.inline_styles == 0, path
        assert found.handlers == [], path
    sign_in(client, db, world.member)
    response = client.get(f"/communities/{world.public.slug}/places")
    assert response.status_code == 200
    assert_strict(response)
    assert "https://tile.openstreetmap.org" in policy(response)["img-src"]
    assert "data:" in policy(response)["img-src"]


def test_json_answers_still_work_and_are_protected(client: TestClient, db: Database) -> None:
    world = make_world(db)
    health = client.get("/healthz")
    assert health.status_code == 200 and health.json()["status"] == "ok"
    assert health.headers.get_list("x-content-type-options") == ["nosniff"]
    # non-HTML answers carry the policy too (an uploaded SVG opened directly stays inert)
    assert "script-src 'self'" in health.headers["content-security-policy"]
    listed = client.get("/api/communities")
    assert listed.status_code == 200
    assert world.public.slug in listed.text and world.private.slug not in listed.text
    spec = client.get("/openapi.json")
    assert spec.status_code == 200 and spec.json()["info"]["title"] == "commonpot"
    missing = client.get("/api/communities/no-such-community")
    assert missing.status_code == 404
    assert missing.headers["content-type"].startswith("application/problem+json")
    assert missing.json()["status"] == 404


def test_api_docs_load_only_our_own_assets(client: TestClient, db: Database) -> None:
    response = client.get("/api/docs")
    assert response.status_code == 200
    found = assets(response.text)
    assert "/static/vendor/swagger-ui/swagger-ui-bundle.js" in found.urls
    assert "/static/vendor/swagger-ui/swagger-ui.css" in found.urls
    assert "/static/app/api-docs.js" in found.urls
    assert found.urls and all(same_origin(u) for u in found.urls), found.urls
    assert found.inline_scripts == 0
    assert 'data-openapi-url="/openapi.json"' in response.text
    for url in found.urls:
        assert client.get(url).status_code == 200, url
    assert client.get("/api/redoc").status_code == 404
    spanish = client.get("/api/docs", headers={"accept-language": "es"})
    assert "Documentación de la API" in spanish.text


def test_favicon_answers_and_pages_link_it(client: TestClient, db: Database) -> None:
    icon = client.get("/favicon.ico")
    assert icon.status_code == 200
    assert icon.headers["content-type"].startswith("image/svg+xml")
    assert icon.content.lstrip().startswith(b"<svg")
    home = client.get("/")
    assert '<link rel="icon" href="/static/app/favicon.svg"' in home.text
    assert client.get("/static/app/favicon.svg").status_code == 200
