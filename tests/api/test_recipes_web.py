"""Recipe pages: browsing, the printable recipe page, the editor, stories, shopping."""

from __future__ import annotations

import json
import re

from fastapi.testclient import TestClient

from commonpot.db import Database
from tests.factories.accounts import browser, form, sign_in
from tests.factories.recipes import make_recipe, make_recipe_world

PAGE = "/communities/publicville/recipes"


def _jsonld(html: str) -> list[dict[str, object]]:
    blocks = re.findall(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    return [json.loads(b) for b in blocks]


def test_list_and_search_pages(client: TestClient, db: Database) -> None:
    rw = make_recipe_world(db)
    page = client.get(PAGE)
    assert page.status_code == 200
    assert "Three sisters soup" in page.text
    assert "sacred corn mush" not in page.text
    sign_in(client, db, rw.world.member)
    mine = client.get(PAGE, params={"ingredient": "cornmeal"})
    assert "sacred corn mush" in mine.text
    assert "Three sisters soup" not in mine.text
    empty = client.get(PAGE, params={"q": "zzzz"})
    assert "No recipe matches" in empty.text


def test_recipe_page_embeds_jsonld_and_scales(client: TestClient, db: Database) -> None:
    rw = make_recipe_world(db)
    page = client.get(f"{PAGE}/{rw.public_recipe}")
    assert page.status_code == 200
    (doc,) = _jsonld(page.text)
    assert doc["@type"] == "Recipe"
    assert doc["name"] == "Three sisters soup"
    assert "Carmen Ruiz" in page.text
    assert "Generation 1" in page.text
    scaled = client.get(f"{PAGE}/{rw.public_recipe}", params={"servings": 40})
    assert "6.67 kg pork shoulder, cubed" in scaled.text
    assert client.get(f"{PAGE}/{rw.public_recipe}", params={"servings": 0}).status_code == 422


def test_community_only_page_has_no_jsonld_and_is_hidden(client: TestClient, db: Database) -> None:
    rw = make_recipe_world(db)
    assert client.get(f"{PAGE}/{rw.community_recipe}").status_code == 404
    sign_in(client, db, rw.world.member)
    page = client.get(f"{PAGE}/{rw.community_recipe}")
    assert page.status_code == 200
    assert "Community only" in page.text
    assert _jsonld(page.text) == []


def test_culturally_sensitive_recipe_behind_notice(client: TestClient, db: Database) -> None:
    rw = make_recipe_world(db)
    with db.unit_of_work() as s:
        rid = make_recipe(
            s, rw.world.public, rw.world.custodian, name="Naming-day bread", labels=["TK CS"]
        ).id
    sign_in(client, db, rw.world.member)
    gated = client.get(f"{PAGE}/{rid}")
    assert "Before you read" in gated.text
    assert "Simmer the pork." not in gated.text
    shown = client.get(f"{PAGE}/{rid}", params={"ack": 1})
    assert "Simmer the pork." in shown.text


def test_member_records_a_recipe_with_the_form(client: TestClient, db: Database) -> None:
    rw = make_recipe_world(db)
    sign_in(client, db, rw.world.member)
    assert client.get(f"{PAGE}/new").status_code == 200
    response = client.post(
        PAGE,
        data=form(
            {
                "name": "Jollof rice",
                "language": "en",
                "servings": "8",
                "ingredients": "3 cups rice\n2 tbsp tomato paste\nsalt to taste",
                "steps": "## Base\nFry the paste.\n## Rice\nAdd rice and stock.",
                "lineage-0-generation": "2",
                "lineage-0-name": "Amara Okafor",
                "lineage-0-relation": "daughter",
                "lineage-1-generation": "1",
                "lineage-1-name": "Ngozi Okafor",
                "lineage-1-relation": "grandmother",
                "lineage-1-place": "Enugu",
                "lineage-1-period": "1950s",
                "cook_time": "45 minutes",
                "reach": "community",
                "tags": "party, rice",
            }
        ),
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text
    page = client.get(response.headers["location"])
    assert "Ngozi Okafor" in page.text
    assert "<h3>Base</h3>" in page.text
    assert "45 min" in page.text
    client.cookies.clear()
    assert client.get(response.headers["location"]).status_code == 404


def test_form_errors_come_back_on_the_form(client: TestClient, db: Database) -> None:
    rw = make_recipe_world(db)
    sign_in(client, db, rw.world.member)
    bad = client.post(PAGE, data=form({"name": "Soup", "cook_time": "a while"}))
    assert bad.status_code == 422
    assert "is not a time" in bad.text
    assert 'value="Soup"' in bad.text
    labelled = client.post(PAGE, data=form({"name": "Soup", "labels": "TK CO"}))
    assert labelled.status_code == 422
    assert "custodian" in labelled.text


def test_ingredient_preview(client: TestClient, db: Database) -> None:
    make_recipe_world(db)
    browser(client)
    response = client.post(
        f"{PAGE}/preview-ingredients", data=form({"ingredients": "1 ½ cups flour, sifted"})
    )
    assert response.status_code == 200
    assert "<td>3/2</td>" in response.text
    assert "sifted" in response.text


def test_shopping_page(client: TestClient, db: Database) -> None:
    rw = make_recipe_world(db)
    page = client.get(f"{PAGE}/shopping", params={f"n_{rw.public_recipe}": "12"})
    assert page.status_code == 200
    assert "6 cloves garlic" in page.text
    hidden = client.get(f"{PAGE}/shopping", params={f"n_{rw.community_recipe}": "12"})
    assert hidden.status_code == 404


def test_import_page_shows_error(client: TestClient, db: Database) -> None:
    rw = make_recipe_world(db)
    sign_in(client, db, rw.world.member)
    assert client.get(f"{PAGE}/import").status_code == 200
    response = client.post(f"{PAGE}/import", data=form({"content": "<html><p>hi</p></html>"}))
    assert response.status_code == 422
    assert "no schema.org Recipe" in response.text.replace("No schema.org", "no schema.org")


def test_protocols_page(client: TestClient, db: Database) -> None:
    make_recipe_world(db)
    page = client.get("/communities/publicville/recipe-protocols")
    assert page.status_code == 200
    assert "What it cannot prevent" in page.text


def test_member_adds_a_translation(client: TestClient, db: Database) -> None:
    rw = make_recipe_world(db)
    sign_in(client, db, rw.world.member)
    response = client.post(
        f"{PAGE}/{rw.public_recipe}/translations",
        data=form(
            {
                "language": "en",
                "name": "Three sisters soup, in English",
                "ingredients": "2 cups hominy",
                "steps": "Simmer gently.",
            }
        ),
        follow_redirects=False,
    )
    assert response.status_code == 303
    page = client.get(response.headers["location"])
    assert "Three sisters soup, in English" in page.text
    assert "Simmer gently." in page.text
    original = client.get(f"{PAGE}/{rw.public_recipe}")
    assert "Simmer the pork." in original.text
    bad = client.post(f"{PAGE}/{rw.public_recipe}/translations", data=form({"name": "x"}))
    assert bad.status_code == 422


def test_import_page_accepts_a_tandoor_archive(client: TestClient, db: Database) -> None:
    import io
    import zipfile
    from pathlib import Path

    rw = make_recipe_world(db)
    sign_in(client, db, rw.world.member)
    fixture = Path(__file__).parent.parent / "fixtures" / "recipes" / "tandoor_recipe.json"
    inner, outer = io.BytesIO(), io.BytesIO()
    with zipfile.ZipFile(inner, "w") as archive:
        archive.writestr("recipe.json", fixture.read_bytes())
    with zipfile.ZipFile(outer, "w") as archive:
        archive.writestr("1.zip", inner.getvalue())
    response = client.post(
        f"{PAGE}/import",
        data=form({"url": "", "content": ""}),
        files={"file": ("tandoor.zip", outer.getvalue(), "application/zip")},
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text
    job_url = response.headers["location"]
    assert job_url.startswith("/jobs/")  # an archive is unpacked in the background
    assert "<progress" in client.get(job_url).text
    assert client.app.state.jobs.drain() >= 1  # type: ignore[attr-defined]
    done = re.search(
        r'id="job-result-link" class="button" href="([^"]+)"', client.get(job_url).text
    )
    assert done is not None
    page = client.get(done.group(1))
    assert "Bigos" in page.text
    assert "1000 g sauerkraut, rinsed" in page.text


def test_amounts_follow_the_readers_locale(client: TestClient, db: Database) -> None:
    rw = make_recipe_world(db)
    spanish = {"accept-language": "es-ES,es;q=0.9"}
    page = client.get(f"{PAGE}/{rw.public_recipe}", params={"servings": 40}, headers=spanish)
    assert "6,67 kg pork shoulder, cubed" in page.text
    english = client.get(f"{PAGE}/{rw.public_recipe}", params={"servings": 40})
    assert "6.67 kg pork shoulder, cubed" in english.text
    shop = client.get(f"{PAGE}/shopping", params={f"n_{rw.public_recipe}": "9"}, headers=spanish)
    assert "1,5 kg pork shoulder" in shop.text


def test_author_uploads_a_photo_from_the_page(client: TestClient, db: Database) -> None:
    rw = make_recipe_world(db)
    sign_in(client, db, rw.world.member)
    png = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
    response = client.post(
        f"{PAGE}/{rw.public_recipe}/photo",
        data=form({}),
        files={"photo": ("photo.png", png, "image/png")},
        follow_redirects=False,
    )
    assert response.status_code == 303
    page = client.get(f"{PAGE}/{rw.public_recipe}")
    assert f'src="{PAGE}/{rw.public_recipe}/photo"' in page.text
    assert client.get(f"{PAGE}/{rw.public_recipe}/photo").content == png
