"""Every URL field takes http(s) only: javascript:, data:, file: ... are refused, nothing stored."""

from __future__ import annotations

import json

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from commonpot.db import Database
from commonpot.fields import is_web_url
from commonpot.recipes.models import Recipe
from tests.factories.accounts import bearer, form, sign_in
from tests.factories.recipes import make_recipe_world

BASE = "/api/communities/publicville/recipes"
HOSTILE = [
    "javascript:alert(1)",
    "JavaScript:alert(document.cookie)",
    " javascript:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    "vbscript:msgbox(1)",
    "file:///etc/passwd",
    "ftp://example.org/x",
    "//evil.example/x",
    "http://",
    "https://exa mple.org/",
    "https://example.org/\x00",
]


@pytest.mark.parametrize("url", HOSTILE)
def test_only_web_addresses_pass(url: str) -> None:
    assert not is_web_url(url)


def test_web_addresses_pass() -> None:
    assert is_web_url("https://example.org/a?b=c#d")
    assert is_web_url("HTTP://example.org")


def _count(db: Database) -> int:
    with db.unit_of_work(write=False) as s:
        return int(s.scalar(select(func.count(Recipe.id))) or 0)


def _recipe(**fields: object) -> dict[str, object]:
    return {"name": "Tortilla", "language": "es", "ingredients": ["4 eggs"], **fields}


def test_api_refuses_non_web_urls_naming_the_field(client: TestClient, db: Database) -> None:
    rw = make_recipe_world(db)
    headers = bearer(db, rw.world.member)
    before = _count(db)
    for field in ("image_url", "source_url"):
        for url in ("javascript:alert(1)", "data:image/svg+xml,<svg onload=alert(1)>"):
            got = client.post(BASE, json=_recipe(**{field: url}), headers=headers)
            assert got.status_code == 422, got.text
            assert got.json()["field"] == field
    updated = client.put(
        f"{BASE}/{rw.public_recipe}", json=_recipe(image_url="javascript:x"), headers=headers
    )
    assert updated.status_code == 422
    imported = client.post(
        f"{BASE}/import-url", json={"url": "javascript:alert(1)//x"}, headers=headers
    )
    assert imported.status_code == 422
    assert imported.json()["field"] == "url"
    pasted = client.post(
        f"{BASE}/import",
        json={"content": "<html></html>", "source_url": "javascript:alert(1)"},
        headers=headers,
    )
    assert pasted.status_code == 422
    assert pasted.json()["field"] == "source_url"
    assert _count(db) == before
    ok = client.post(BASE, json=_recipe(source_url="https://example.org/r"), headers=headers)
    assert ok.status_code == 201


def test_web_form_refuses_a_javascript_photo_address(client: TestClient, db: Database) -> None:
    rw = make_recipe_world(db)
    sign_in(client, db, rw.world.member)
    before = _count(db)
    response = client.post(
        "/communities/publicville/recipes",
        data=form(
            {
                "name": "Tortilla",
                "language": "es",
                "ingredients": "4 eggs",
                "image_url": "javascript:alert(1)",
            }
        ),
    )
    assert response.status_code == 422
    assert _count(db) == before


def test_links_inside_an_imported_page_are_dropped_unless_web(
    client: TestClient, db: Database
) -> None:
    rw = make_recipe_world(db)
    headers = bearer(db, rw.world.member)
    doc = {
        "@context": "https://schema.org",
        "@type": "Recipe",
        "name": "Imported soup",
        "image": "javascript:alert(1)",
        "url": "data:text/html,<script>alert(1)</script>",
        "recipeIngredient": ["1 leek"],
    }
    made = client.post(f"{BASE}/import", json={"content": json.dumps(doc)}, headers=headers)
    assert made.status_code == 201, made.text
    with db.unit_of_work(write=False) as s:
        stored = s.get(Recipe, made.json()[0]["id"])
        assert stored is not None
        assert stored.image_url is None and stored.source_url is None
