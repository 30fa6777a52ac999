"""Recipes never leak: a community-only recipe, or a private community's recipe, is invisible
to outsiders on every read path (page, list, search, API, JSON-LD, export, scaling, variants,
audio, shopping list), and nobody outside can change anything."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from commonpot.accounts.service import Viewer
from commonpot.db import Database
from commonpot.recipes import heritage
from commonpot.recipes.models import OralHistory, Recipe, RecipeTranslation
from commonpot.recipes.schemas import OralHistoryIn
from tests.factories.accounts import bearer, browser, form, sign_in
from tests.factories.recipes import RecipeWorld, make_recipe_world, ogg_opus_bytes

PUB = "/communities/publicville"
PRIV = "/communities/privatehill"


def _snapshot(db: Database) -> tuple[int, int, int, list[str]]:
    with db.unit_of_work(write=False) as s:
        return (
            int(s.scalar(select(func.count(Recipe.id))) or 0),
            int(s.scalar(select(func.count(RecipeTranslation.id))) or 0),
            int(s.scalar(select(func.count(OralHistory.id))) or 0),
            sorted(s.scalars(select(Recipe.name))),
        )


def _with_story(db: Database, rw: RecipeWorld, tmp: Path) -> int:
    with db.unit_of_work() as s:
        item = heritage.add_oral_history(
            s,
            rw.world.public,
            Viewer(user=rw.world.custodian),
            rw.community_recipe,
            OralHistoryIn(
                narrator="Elder",
                recorded_by="Custodian",
                consent_by="Elder",
                consent_scope="members only",
                consent_on="2026-01-01",
            ),
            audio=ogg_opus_bytes(),
            data_dir=tmp,
            max_bytes=10**6,
        )
        return item.id


def _read_paths(rw: RecipeWorld, story: int) -> list[tuple[str, str]]:
    rid, pid = rw.community_recipe, rw.private_recipe
    api = f"/api{PUB}/recipes"
    papi = f"/api{PRIV}/recipes"
    return [
        ("page", f"{PUB}/recipes/{rid}"),
        ("edit page", f"{PUB}/recipes/{rid}/edit"),
        ("api", f"{api}/{rid}"),
        ("jsonld", f"{api}/{rid}/jsonld"),
        ("scaled", f"{api}/{rid}/scaled?servings=40"),
        ("variants", f"{api}/{rid}/variants"),
        ("audio", f"{api}/{rid}/oral-histories/{story}/audio"),
        ("shopping page", f"{PUB}/recipes/shopping?n_{rid}=10"),
        ("private page", f"{PRIV}/recipes/{pid}"),
        ("private list", f"{PRIV}/recipes"),
        ("private api", f"{papi}/{pid}"),
        ("private api list", papi),
        ("private jsonld", f"{papi}/{pid}/jsonld"),
    ]


@pytest.fixture
def setup(db: Database, settings: object) -> tuple[RecipeWorld, int]:
    rw = make_recipe_world(db)
    story = _with_story(db, rw, settings.data_dir)  # type: ignore[attr-defined]
    return rw, story


@pytest.mark.parametrize("who", ["anonymous", "outsider", "admin", "private_member"])
def test_no_read_path_shows_restricted_recipes(
    client: TestClient, db: Database, setup: tuple[RecipeWorld, int], who: str
) -> None:
    rw, story = setup
    headers: dict[str, str] = {}
    if who != "anonymous":
        headers = bearer(db, getattr(rw.world, who))
    for name, path in _read_paths(rw, story):
        if who in {"admin", "private_member"} and name.startswith("private"):
            continue  # admins and the private community's members may read it
        response = client.get(path, headers=headers)
        assert response.status_code == 404, (who, name, response.status_code)
        assert "sacred corn mush" not in response.text
        assert "plum dumplings" not in response.text
    listing = [
        f"{PUB}/recipes",
        f"{PUB}/recipes?q=cornmeal",
        f"{PUB}/recipes?ingredient=cornmeal",
        f"{PUB}/recipes?tag=ceremony",
        f"{PUB}/recipes/shopping",
        f"/api{PUB}/recipes",
        f"/api{PUB}/recipes?q=corn",
        f"/api{PUB}/recipes?ingredient=blue%20cornmeal",
    ]
    for path in listing:
        response = client.get(path, headers=headers)
        assert response.status_code == 200, path
        assert "sacred corn mush" not in response.text, path
    shop = client.post(
        f"/api{PUB}/shopping-list",
        json={"items": [{"recipe_id": rw.community_recipe, "servings": 10}]},
        headers=headers,
    )
    assert shop.status_code == 404
    assert "cornmeal" not in shop.text


def test_member_sees_community_only_recipe_everywhere(
    client: TestClient, db: Database, setup: tuple[RecipeWorld, int]
) -> None:
    rw, story = setup
    headers = bearer(db, rw.world.member)
    for name, path in _read_paths(rw, story):
        if name.startswith("private") or name == "edit page":
            continue
        assert client.get(path, headers=headers).status_code == 200, name
    found = client.get(f"/api{PUB}/recipes?ingredient=cornmeal", headers=headers).json()
    assert [r["id"] for r in found] == [rw.community_recipe]


def _write_attempts(rw: RecipeWorld) -> list[tuple[str, str, dict[str, object]]]:
    rid = rw.community_recipe
    body = {"name": "Taken", "ingredients": ["1 cup x"]}
    return [
        ("PUT", f"/api{PUB}/recipes/{rid}", body),
        ("DELETE", f"/api{PUB}/recipes/{rid}", {}),
        ("POST", f"/api{PUB}/recipes/{rid}/translations", {"language": "fr", "name": "Volé"}),
        ("PUT", f"/api{PUB}/recipes/{rw.public_recipe}", body),
        ("DELETE", f"/api{PUB}/recipes/{rw.public_recipe}", {}),
        ("POST", f"/api{PUB}/recipes", body),
        ("POST", f"/api{PRIV}/recipes", body),
        ("PUT", f"/api{PRIV}/recipes/{rw.private_recipe}", body),
        ("POST", f"/api{PUB}/recipes/import", {"content": '{"@type":"Recipe","name":"X"}'}),
    ]


@pytest.mark.parametrize("who", ["anonymous", "outsider"])
def test_outsiders_change_nothing(
    client: TestClient, db: Database, setup: tuple[RecipeWorld, int], who: str
) -> None:
    rw, _ = setup
    before = _snapshot(db)
    headers = {} if who == "anonymous" else bearer(db, rw.world.outsider)
    for method, path, body in _write_attempts(rw):
        response = client.request(method, path, json=body or None, headers=headers)
        assert response.status_code in {401, 403, 404}, (method, path, response.status_code)
    assert _snapshot(db) == before


def test_outsider_web_forms_change_nothing(
    client: TestClient, db: Database, setup: tuple[RecipeWorld, int]
) -> None:
    rw, _ = setup
    before = _snapshot(db)
    sign_in(client, db, rw.world.outsider)
    rid = rw.community_recipe
    attempts = [
        (f"{PUB}/recipes", {"name": "Intruder"}),
        (f"{PUB}/recipes/{rid}/edit", {"name": "Taken"}),
        (f"{PUB}/recipes/{rid}/delete", {}),
        (f"{PUB}/recipes/{rw.public_recipe}/delete", {}),
        (f"{PRIV}/recipes", {"name": "Intruder"}),
    ]
    for path, data in attempts:
        response = client.post(path, data=form(data), follow_redirects=False)
        assert response.status_code in {401, 403, 404, 422}, (path, response.status_code)
    assert _snapshot(db) == before


def test_member_cannot_do_custodians_work(
    client: TestClient, db: Database, setup: tuple[RecipeWorld, int]
) -> None:
    rw, _ = setup
    before = _snapshot(db)
    headers = bearer(db, rw.world.member)
    body = {"name": "Opened up", "labels": [], "reach": "public"}
    steps: list[Callable[[], int]] = [
        lambda: (
            client.put(
                f"/api{PUB}/recipes/{rw.community_recipe}", json=body, headers=headers
            ).status_code
        ),
        lambda: (
            client.delete(f"/api{PUB}/recipes/{rw.community_recipe}", headers=headers).status_code
        ),
        lambda: (
            client.post(
                f"/api{PUB}/recipes", json={"name": "Mine", "labels": ["TK CO"]}, headers=headers
            ).status_code
        ),
    ]
    for step in steps:
        assert step() == 403
    assert _snapshot(db) == before
    browser(client)


def test_feed_never_carries_restricted_recipes(
    client: TestClient, db: Database, setup: tuple[RecipeWorld, int]
) -> None:
    rw, _ = setup
    sign_in(client, db, rw.world.member)  # even a member's own feed reader gets the public view
    feed = client.get(f"{PUB}/recipes/feed.atom")
    assert feed.status_code == 200
    assert feed.headers["content-type"].startswith("application/atom+xml")
    assert "Three sisters soup" in feed.text
    assert "sacred corn mush" not in feed.text
    headers = bearer(db, rw.world.private_member)
    assert client.get(f"{PRIV}/recipes/feed.atom", headers=headers).status_code == 404


def test_member_cannot_replace_someone_elses_translation(client: TestClient, db: Database) -> None:
    rw = make_recipe_world(db)
    steward = bearer(db, rw.world.steward)
    recipe = {"name": "Grandmother's soup", "language": "en", "ingredients": ["1 onion"]}
    created = client.post(f"/api{PUB}/recipes", json=recipe, headers=steward)
    assert created.status_code == 201, created.text
    api = f"/api{PUB}/recipes/{created.json()['id']}/translations"
    first = {"language": "fr", "name": "Soupe de grand-mère", "translated_by": "Steward"}
    made = client.post(api, json=first, headers=steward)
    assert made.status_code == 201, made.text
    before = _snapshot(db)
    member = bearer(db, rw.world.member)
    hostile = {"language": "fr", "name": "Vandalised", "translated_by": "Member"}
    refused = client.post(api, json=hostile, headers=member)
    assert refused.status_code == 403
    assert refused.json()["field"] == "language"
    with db.unit_of_work(write=False) as s:
        names = list(s.scalars(select(RecipeTranslation.name)))
    assert names == ["Soupe de grand-mère"]
    assert _snapshot(db) == before
    # the same language in another case is the same language: refused too, nothing added
    for spelling in ("FR", "Fr"):
        again = client.post(api, json={**hostile, "language": spelling}, headers=member)
        assert again.status_code == 403, again.text
    assert _snapshot(db) == before
    # the recipe's own language in capitals is still its own language
    own = client.post(api, json={**hostile, "language": "EN"}, headers=member)
    assert own.status_code == 422 and own.json()["field"] == "language"
    # adding a language nobody has translated yet stays open to members
    added = client.post(api, json={"language": "de", "name": "Omas Suppe"}, headers=member)
    assert added.status_code == 201, added.text
    # and a tag is stored in its canonical case, whatever case it was typed in
    typed = client.post(api, json={"language": "PT-br", "name": "Sopa da avó"}, headers=member)
    assert typed.status_code == 201, typed.text
    with db.unit_of_work(write=False) as s:
        languages = sorted(s.scalars(select(RecipeTranslation.language)))
    assert languages == ["de", "fr", "pt-BR"]
