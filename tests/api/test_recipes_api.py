"""Recipes over HTTP: CRUD, JSON-LD, scaling, shopping, uploads, import, query counts."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine, event, func, select

from commonpot.db import Database
from commonpot.recipes.models import Recipe
from tests.factories.accounts import bearer
from tests.factories.recipes import make_recipe_world, mp3_bytes

FIXTURES = Path(__file__).parent.parent / "fixtures" / "recipes"
BASE = "/api/communities/publicville/recipes"


def _body(**fields: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "name": "Mole de olla",
        "language": "es",
        "ingredients": ["1 kg beef shank", "2 ears corn", "3 chiles guajillo"],
        "sections": [{"name": None, "steps": ["Simmer the beef.", "Add the vegetables."]}],
        "servings": 6,
        "cook_time": "PT2H",
        "tags": ["stew"],
        "origin_place": "Puebla",
        "story": "Sundays at Tía Lupe's.",
        "lineage": [{"name": "Lupe Flores", "generation": 1, "relation": "great-aunt"}],
    }
    body.update(fields)
    return body


def test_create_read_update_delete(client: TestClient, db: Database) -> None:
    rw = make_recipe_world(db)
    headers = bearer(db, rw.world.member)
    created = client.post(BASE, json=_body(), headers=headers)
    assert created.status_code == 201, created.text
    rid = created.json()["id"]
    got = client.get(f"{BASE}/{rid}").json()
    assert got["ingredients"][0]["unit"] == "kilogram"
    assert got["lineage"][0]["name"] == "Lupe Flores"
    assert got["cook_time"] == "PT2H"
    updated = client.put(f"{BASE}/{rid}", json=_body(name="Mole de olla (new)"), headers=headers)
    assert updated.status_code == 200
    assert updated.json()["name"] == "Mole de olla (new)"
    assert client.delete(f"{BASE}/{rid}", headers=headers).status_code == 204
    assert client.get(f"{BASE}/{rid}").status_code == 404


def test_bad_input_is_a_problem_and_stores_nothing(client: TestClient, db: Database) -> None:
    rw = make_recipe_world(db)
    headers = bearer(db, rw.world.member)
    bad_time = client.post(BASE, json=_body(cook_time="a while"), headers=headers)
    assert bad_time.status_code == 422
    assert bad_time.json()["field"] == "cook_time"
    bad_label = client.post(BASE, json=_body(labels=["TK ZZ"]), headers=headers)
    assert bad_label.status_code == 422
    assert bad_label.json()["field"] == "labels"
    too_long = client.post(BASE, json=_body(name="x" * 300), headers=headers)
    assert too_long.status_code == 422
    with db.unit_of_work(write=False) as s:
        assert s.scalar(select(func.count(Recipe.id))) == 3


def test_search_params(client: TestClient, db: Database) -> None:
    rw = make_recipe_world(db)
    found = client.get(BASE, params={"q": "sisters"}).json()
    assert [r["id"] for r in found] == [rw.public_recipe]
    assert client.get(BASE, params={"ingredient": "cornmeal"}).json() == []
    member = bearer(db, rw.world.member)
    mine = client.get(BASE, params={"ingredient": "cornmeal"}, headers=member).json()
    assert [r["id"] for r in mine] == [rw.community_recipe]


def test_jsonld_export(client: TestClient, db: Database) -> None:
    rw = make_recipe_world(db)
    response = client.get(f"{BASE}/{rw.public_recipe}/jsonld")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/ld+json")
    doc = response.json()
    assert doc["@type"] == "Recipe"
    assert doc["url"] == f"http://testserver/communities/publicville/recipes/{rw.public_recipe}"
    assert doc["recipeInstructions"][0]["text"] == "Simmer the pork."


def test_scaled_and_shopping(client: TestClient, db: Database) -> None:
    rw = make_recipe_world(db)
    scaled = client.get(f"{BASE}/{rw.public_recipe}/scaled", params={"servings": 40}).json()
    lines = [i["line"] for i in scaled["ingredients"]]
    assert lines[0] == "6.67 kg pork shoulder, cubed"
    assert lines[-1] == "salt to taste"
    shop = client.post(
        "/api/communities/publicville/shopping-list",
        json={"items": [{"recipe_id": rw.public_recipe, "servings": 12}]},
    )
    assert shop.status_code == 200
    assert "6 cloves garlic" in [line["display"] for line in shop.json()]
    bad = client.get(f"{BASE}/{rw.public_recipe}/scaled", params={"servings": 0})
    assert bad.status_code == 422


def test_oral_history_upload_and_play(client: TestClient, db: Database) -> None:
    rw = make_recipe_world(db)
    headers = bearer(db, rw.world.member)
    fields = {
        "narrator": "Rosa",
        "recorded_by": "Lina",
        "consent_by": "Rosa",
        "consent_scope": "Community members may listen",
        "consent_on": "2026-05-01",
        "transcript": "Mija, first you toast the chiles...",
    }
    audio = mp3_bytes()
    response = client.post(
        f"{BASE}/{rw.public_recipe}/oral-histories",
        data=fields,
        files={"audio": ("story.mp3", audio, "audio/mpeg")},
        headers=headers,
    )
    assert response.status_code == 201, response.text
    url = response.json()["audio_url"]
    # the teller's consent (experiences' default: the community's members) decides who hears
    assert client.get(url).status_code == 404
    played = client.get(url, headers=headers)
    assert played.status_code == 200
    assert played.content == audio
    assert played.headers["content-type"] == "audio/mpeg"
    fake = client.post(
        f"{BASE}/{rw.public_recipe}/oral-histories",
        data=fields,
        files={"audio": ("x.mp3", b"#!/bin/sh\nrm -rf /", "audio/mpeg")},
        headers=headers,
    )
    assert fake.status_code == 422
    missing_consent = client.post(
        f"{BASE}/{rw.public_recipe}/oral-histories",
        data={k: v for k, v in fields.items() if k != "consent_by"},
        headers=headers,
    )
    assert missing_consent.status_code == 422


def test_import_pasted_html(client: TestClient, db: Database) -> None:
    rw = make_recipe_world(db)
    headers = bearer(db, rw.world.member)
    page = (FIXTURES / "news_array_type.html").read_text(encoding="utf-8")
    response = client.post(f"{BASE}/import", json={"content": page}, headers=headers)
    assert response.status_code == 201, response.text
    assert response.json()[0]["name"] == "Arroz con gandules"
    none = client.post(
        f"{BASE}/import",
        json={"content": (FIXTURES / "no_recipe.html").read_text()},
        headers=headers,
    )
    assert none.status_code == 422
    assert (
        "no schema.org Recipe" in none.json()["detail"].lower() or "Recipe" in none.json()["detail"]
    )


def test_import_url_refuses_internal_addresses(
    client: TestClient, db: Database, app: FastAPI
) -> None:
    rw = make_recipe_world(db)
    headers = bearer(db, rw.world.member)
    for url in (
        "http://127.0.0.1/admin",
        "http://localhost:8000/",
        "http://169.254.169.254/latest/meta-data/",
        "http://[::1]/",
        "file:///etc/passwd",
        "http://10.0.0.5/recipe",
    ):
        response = client.post(f"{BASE}/import-url", json={"url": url}, headers=headers)
        assert response.status_code == 422, url
        assert response.json()["field"] == "url"
    app.state.extensions["recipes.resolver"] = lambda host, port: ["192.168.1.10"]
    rebinding = client.post(
        f"{BASE}/import-url", json={"url": "https://recipes.example/x"}, headers=headers
    )
    assert rebinding.status_code == 422
    assert "private network" in rebinding.json()["detail"]


@contextmanager
def count_queries(db: Database) -> Iterator[list[str]]:
    statements: list[str] = []

    def record(*args: Any) -> None:
        statements.append(str(args[2]))

    engines = {db.engine, db.write_engine}
    for engine in engines:
        event.listen(engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        for engine in engines:
            event.remove(engine, "before_cursor_execute", record)


def test_recipe_endpoint_has_no_n_plus_one(client: TestClient, db: Database, app: FastAPI) -> None:
    rw = make_recipe_world(db)
    headers = bearer(db, rw.world.member)
    many = _body(ingredients=[f"{i} cups flour" for i in range(1, 40)])
    many["lineage"] = [{"name": f"Elder {i}", "generation": i} for i in range(1, 10)]
    rid = client.post(BASE, json=many, headers=headers).json()["id"]
    app_db: Database = app.state.db
    with count_queries(app_db) as small:
        assert client.get(f"{BASE}/{rw.public_recipe}", headers=headers).status_code == 200
    with count_queries(app_db) as big:
        assert client.get(f"{BASE}/{rid}", headers=headers).status_code == 200
    assert len(big) == len(small)
    assert len(big) <= 14


@contextmanager
def membership_reads() -> Iterator[list[str]]:
    """Statements that read the memberships table, on every engine (the loop's too)."""
    found: list[str] = []

    def record(*args: Any) -> None:
        if "memberships" in str(args[2]):
            found.append(str(args[2]))

    event.listen(Engine, "before_cursor_execute", record)
    try:
        yield found
    finally:
        event.remove(Engine, "before_cursor_execute", record)


def test_a_read_looks_the_readers_membership_up_once(client: TestClient, db: Database) -> None:
    """The community, the reader's membership and their standing for the recipe come from
    one statement; private communities stay hidden from those outside them."""
    rw = make_recipe_world(db)
    world = rw.world
    private = f"/api/communities/{world.private.slug}/recipes/{rw.private_recipe}"
    cases = [
        (f"{BASE}/{rw.public_recipe}", bearer(db, world.member), 200, 1),
        (f"{BASE}/{rw.community_recipe}", bearer(db, world.member), 200, 1),
        (f"{BASE}/{rw.community_recipe}", bearer(db, world.outsider), 404, 1),
        (private, bearer(db, world.private_member), 200, 1),
        (private, bearer(db, world.outsider), 404, 1),
        (private, {}, 404, 0),
        (f"{BASE}/{rw.public_recipe}", {}, 200, 0),
    ]
    for url, headers, status, reads in cases:
        with membership_reads() as statements:
            response = client.get(url, headers=headers)
        assert response.status_code == status, url
        assert len(statements) == reads, (url, statements)
        if status == 404:
            assert response.headers["content-type"].startswith("application/problem+json")
        if status == 200 and url.startswith("/api/"):
            assert response.json()["id"] == int(url.rsplit("/", 1)[1])


def test_import_mealie_archive_file(client: TestClient, db: Database) -> None:
    import io
    import zipfile

    rw = make_recipe_world(db)
    headers = bearer(db, rw.world.member)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("recipes/k/k.json", (FIXTURES / "mealie_recipe.json").read_bytes())
    response = client.post(
        f"{BASE}/import-file",
        files={"file": ("mealie.zip", buffer.getvalue(), "application/zip")},
        headers=headers,
    )
    assert response.status_code == 201, response.text
    (summary,) = response.json()
    got = client.get(f"{BASE}/{summary['id']}", headers=headers).json()
    assert got["name"] == "Kimchi Jjigae"
    assert got["ingredients"][1]["food"] == "pork belly"
    assert got["ingredients"][1]["unit"] == "gram"
    broken = client.post(
        f"{BASE}/import-file",
        files={"file": ("x.zip", b"PK\x03\x04junk", "application/zip")},
        headers=headers,
    )
    assert broken.status_code == 422


def test_unit_conversion_and_wrong_units(client: TestClient) -> None:
    ok = client.get("/api/recipes/convert", params={"amount": "1 ½", "from": "cup", "to": "tbsp"})
    assert ok.status_code == 200
    assert ok.json()["display"] == "24 tbsp"
    assert ok.json()["amount"] == "24"
    flour = client.get(
        "/api/recipes/convert", params={"amount": "1", "from": "cup", "to": "g", "food": "flour"}
    )
    assert flour.json()["display"] == "125 g"
    for params, field in (
        ({"amount": "1", "from": "cup", "to": "g", "food": "kale"}, "unit"),
        ({"amount": "1", "from": "clove", "to": "g"}, "unit"),
        ({"amount": "1", "from": "parsec", "to": "g"}, "from"),
        ({"amount": "1", "from": "cup", "to": "furlong"}, "to"),
        ({"amount": "lots", "from": "cup", "to": "ml"}, "amount"),
    ):
        response = client.get("/api/recipes/convert", params=params)
        assert response.status_code == 422, params
        assert response.json()["field"] == field


PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def test_photo_upload_and_visibility(client: TestClient, db: Database) -> None:
    rw = make_recipe_world(db)
    custodian = bearer(db, rw.world.custodian)
    url = f"{BASE}/{rw.community_recipe}/photo"
    response = client.put(url, files={"photo": ("p.png", PNG, "image/png")}, headers=custodian)
    assert response.status_code == 204, response.text
    got = client.get(url, headers=custodian)
    assert got.status_code == 200
    assert got.content == PNG
    assert got.headers["content-type"] == "image/png"
    page_photo = f"/communities/publicville/recipes/{rw.community_recipe}/photo"
    assert client.get(page_photo, headers=custodian).content == PNG
    recipe = client.get(f"{BASE}/{rw.community_recipe}", headers=custodian).json()
    assert recipe["image_url"] == page_photo
    for headers in ({}, bearer(db, rw.world.outsider)):
        assert client.get(url, headers=headers).status_code == 404
        assert client.get(page_photo, headers=headers).status_code == 404
    member = bearer(db, rw.world.member)
    not_mine = client.put(url, files={"photo": ("p.png", PNG, "image/png")}, headers=member)
    assert not_mine.status_code == 403
    fake = client.put(url, files={"photo": ("p.png", b"GIF", "image/png")}, headers=custodian)
    assert fake.status_code == 422
    assert fake.json()["field"] == "photo"
    doc = client.get(f"{BASE}/{rw.public_recipe}/jsonld").json()
    assert "image" not in doc


def test_photo_in_jsonld(client: TestClient, db: Database) -> None:
    rw = make_recipe_world(db)
    member = bearer(db, rw.world.member)
    url = f"{BASE}/{rw.public_recipe}/photo"
    assert (
        client.put(url, files={"photo": ("p.png", PNG, "image/png")}, headers=member).status_code
        == 204
    )
    doc = client.get(f"{BASE}/{rw.public_recipe}/jsonld").json()
    assert doc["image"] == (
        f"http://testserver/communities/publicville/recipes/{rw.public_recipe}/photo"
    )


def test_recordings_are_decoded_not_just_sniffed(
    client: TestClient, db: Database, tmp_path: Path
) -> None:
    from commonpot.recipes.models import OralHistory
    from tests.factories.recipes import wav_bytes

    rw = make_recipe_world(db)
    headers = bearer(db, rw.world.member)
    fields = {
        "narrator": "Rosa",
        "recorded_by": "Ana",
        "consent_by": "Rosa",
        "consent_scope": "Community members may listen",
        "consent_on": "2026-05-01",
    }
    audio_dir = client.app.state.settings.data_dir / "recipes" / "audio"  # type: ignore[attr-defined]
    before = sorted(audio_dir.glob("*")) if audio_dir.exists() else []
    for name, content in (
        ("story.mp3", b"Dear diary, this is text.\n" * 40),  # a text file renamed .mp3
        ("story.wav", wav_bytes(2.0)[:-8000]),  # the header promises more than the file holds
        ("story.mp3", b"ID3" + b"\x00" * 200),  # the old sniffing let this through
    ):
        refused = client.post(
            f"{BASE}/{rw.public_recipe}/oral-histories",
            data=fields,
            files={"audio": (name, content, "audio/mpeg")},
            headers=headers,
        )
        assert refused.status_code == 422, (name, refused.text)
        assert refused.json()["field"] == "audio"
    with db.unit_of_work(write=False) as s:
        assert s.scalar(select(func.count(OralHistory.id))) == 0
    assert (sorted(audio_dir.glob("*")) if audio_dir.exists() else []) == before
    ok = client.post(
        f"{BASE}/{rw.public_recipe}/oral-histories",
        data=fields,
        files={"audio": ("story.wav", wav_bytes(2.0), "audio/wav")},
        headers=headers,
    )
    assert ok.status_code == 201, ok.text
