"""Recipe pages for people (issue 19): tags and cuisine, photos on cards, who sees the edit
form and the delete action, imported recipes credit their source, structured lineage."""

from __future__ import annotations

import json
import re

from babel.numbers import format_decimal
from fastapi.testclient import TestClient

from commonpot.db import Database
from tests.factories.accounts import form, sign_in
from tests.factories.recipes import make_recipe, make_recipe_world

PAGE = "/communities/publicville/recipes"


def test_tags_and_cuisine_are_shown_and_browsable(client: TestClient, db: Database) -> None:
    rw = make_recipe_world(db)
    with db.unit_of_work() as s:
        make_recipe(
            s, rw.world.public, rw.world.member, name="Jollof rice", cuisine="West African",
            tags=["party", "rice"],
        )  # fmt: skip
    page = client.get(f"{PAGE}/{rw.public_recipe}")
    assert "Mexican" in page.text  # the factory's cuisine
    assert f'href="{PAGE}?tag=feast"' in page.text and f'href="{PAGE}?cuisine=Mexican"' in page.text
    listing = client.get(PAGE)
    assert "West African" in listing.text and "party" in listing.text
    assert "ceremony" not in listing.text  # the community-only recipe's tag stays hidden
    by_cuisine = client.get(PAGE, params={"cuisine": "west african"})
    assert "Jollof rice" in by_cuisine.text and "Three sisters soup" not in by_cuisine.text
    by_tag = client.get(PAGE, params={"tag": "feast"})
    assert "Three sisters soup" in by_tag.text and "Jollof rice" not in by_tag.text
    sign_in(client, db, rw.world.member)
    assert "ceremony" in client.get(PAGE).text  # members browse it


def test_recipe_cards_show_their_photo(client: TestClient, db: Database) -> None:
    rw = make_recipe_world(db)
    sign_in(client, db, rw.world.member)
    png = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
    client.post(
        f"{PAGE}/{rw.public_recipe}/photo",
        data=form({}),
        files={"photo": ("photo.png", png, "image/png")},
    )
    listing = client.get(PAGE).text
    assert f'class="recipe-card-photo" src="{PAGE}/{rw.public_recipe}/photo"' in listing
    assert listing.count('class="recipe-card-photo"') == 1  # only the one with a photo


def test_only_editors_get_the_form_and_the_delete_action(client: TestClient, db: Database) -> None:
    rw = make_recipe_world(db)
    theirs = f"{PAGE}/{rw.community_recipe}"  # the custodian's recipe
    sign_in(client, db, rw.world.member)
    assert client.get(f"{theirs}/edit").status_code == 403
    page = client.get(theirs, params={"ack": 1}).text
    assert f'href="{theirs}/edit"' not in page and f'action="{theirs}/delete"' not in page
    assert client.post(f"{theirs}/delete", data=form({})).status_code == 403
    mine = client.get(f"{PAGE}/{rw.public_recipe}").text
    assert f'action="{PAGE}/{rw.public_recipe}/delete"' in mine
    assert 'data-confirm="Delete this recipe?' in mine
    assert client.get(f"{PAGE}/{rw.public_recipe}/edit").status_code == 200
    sign_in(client, db, rw.world.steward)
    assert f'action="{theirs}/delete"' in client.get(theirs, params={"ack": 1}).text
    gone = client.post(f"{theirs}/delete", data=form({}), follow_redirects=False)
    assert gone.status_code == 303
    assert client.get(theirs).status_code == 404


def test_an_imported_recipe_credits_its_source(client: TestClient, db: Database) -> None:
    rw = make_recipe_world(db)
    sign_in(client, db, rw.world.member)
    doc = {
        "@context": "https://schema.org",
        "@type": "Recipe",
        "name": "Gallo pinto",
        "author": {"@type": "Person", "name": "Doña Elena Mora"},
        "recipeIngredient": ["2 cups rice", "2 cups black beans"],
        "recipeInstructions": ["Fry the rice and beans together."],
    }
    html = f'<html><script type="application/ld+json">{json.dumps(doc)}</script></html>'
    response = client.post(
        f"{PAGE}/import",
        data=form({"url": "https://cocina.example.org/gallo-pinto", "content": html}),
    )
    assert response.status_code == 200, response.text
    found = client.get(PAGE, params={"q": "Gallo pinto"}).text
    match = re.search(r'/recipes/(\d+)">Gallo pinto<', found)
    assert match is not None
    rid = match.group(1)
    page = client.get(f"{PAGE}/{rid}").text
    assert "Source" in page and "by Doña Elena Mora" in page
    assert 'href="https://cocina.example.org/gallo-pinto"' in page
    assert ">cocina.example.org</a>" in page
    assert "Member" not in page.split("recipe-facts", 1)[1].split("</dl>", 1)[0]


def test_lineage_and_parent_through_structured_fields(client: TestClient, db: Database) -> None:
    rw = make_recipe_world(db)
    sign_in(client, db, rw.world.member)
    new = client.get(f"{PAGE}/new").text
    assert 'name="lineage-0-name"' in new and 'name="lineage" ' not in new
    assert f'<option value="{rw.public_recipe}" >Three sisters soup</option>' in new
    assert "Hillside plum dumplings" not in new  # the other community's recipes are not offered
    typed = {
        "name": "Four sisters soup",
        "ingredients": "1 squash",
        "steps": "Cook.",
        "based_on_id": str(rw.public_recipe),
        "lineage-0-generation": "x",
        "lineage-0-name": "Ana Ruiz",
        "lineage-0-place": "Oaxaca",
    }
    bad = client.post(PAGE, data=form(typed))
    assert bad.status_code == 422
    assert "Generation is a number" in bad.text
    assert 'value="Ana Ruiz"' in bad.text and 'value="Oaxaca"' in bad.text
    assert 'id="lineage-0-generation" name="lineage-0-generation"' in bad.text
    assert f'<option value="{rw.public_recipe}" selected>' in bad.text
    typed["lineage-0-generation"] = "1"
    typed["lineage-0-period"] = "1930s"
    saved = client.post(PAGE, data=form(typed), follow_redirects=False)
    assert saved.status_code == 303, saved.text
    page = client.get(saved.headers["location"]).text
    assert "Ana Ruiz" in page and "(1930s)" in page
    assert "Family of variants" in page and "Three sisters soup" in page
    edit = client.get(saved.headers["location"] + "/edit").text
    assert 'name="lineage-0-name" maxlength="200" value="Ana Ruiz"' in edit


def test_scaled_heading_uses_plural_forms(client: TestClient, db: Database) -> None:
    rw = make_recipe_world(db)
    one = client.get(f"{PAGE}/{rw.public_recipe}", params={"servings": 1}).text
    assert "for 1 person" in one and "for 1 people" not in one
    assert "for 4 people" in client.get(f"{PAGE}/{rw.public_recipe}", params={"servings": 4}).text
    es = client.get(
        f"{PAGE}/{rw.public_recipe}", params={"servings": 1}, headers={"accept-language": "es"}
    ).text
    assert "para 1 persona" in es


def test_serves_follows_the_scaling(client: TestClient, db: Database) -> None:
    rw = make_recipe_world(db)
    plain = client.get(f"{PAGE}/{rw.public_recipe}").text
    written = re.search(r'<dd id="serves">([^<]*)</dd>', plain)
    assert written is not None and written.group(1).strip()
    scaled = client.get(f"{PAGE}/{rw.public_recipe}", params={"servings": 1200}).text
    serves = re.search(r'<dd id="serves">(.*?)</dd>', scaled, re.S)
    assert serves is not None
    assert serves.group(1).startswith("1,200 ")  # the number asked for, in the reader's locale
    assert f"the recipe is written for {written.group(1).strip()}" in serves.group(1)
    es = client.get(
        f"{PAGE}/{rw.public_recipe}",
        params={"servings": 1200},
        headers={"accept-language": "es"},
    ).text
    serves_es = re.search(r'<dd id="serves">(.*?)</dd>', es, re.S)
    spanish = format_decimal(1200, locale="es")  # CLDR's grouping, not ours
    assert serves_es is not None and serves_es.group(1).startswith(f"{spanish} ")
    assert "la receta es para" in serves_es.group(1)


def test_the_editors_time_examples_are_in_the_readers_language(
    client: TestClient, db: Database
) -> None:
    from commonpot.i18n import Reader

    rw = make_recipe_world(db)
    sign_in(client, db, rw.world.member)
    es = Reader("es")
    spanish = {"accept-language": "es"}
    editor = client.get(f"{PAGE}/new", headers=spanish).text
    for example in ("20 minutes", "1 hour 30 minutes"):
        assert es.gettext(example) != example
        assert f'placeholder="{es.gettext(example)}"' in editor
        assert f'placeholder="{example}"' in client.get(f"{PAGE}/new").text
    # what the example shows is read: a Spanish time is stored as the same ISO 8601 duration
    saved = client.post(
        PAGE,
        data=form({"name": "Pozole", "cook_time": es.gettext("1 hour 30 minutes")}),
        headers=spanish,
        follow_redirects=False,
    )
    assert saved.status_code == 303, saved.text
    assert "1 h 30 min" in client.get(saved.headers["location"]).text
    bad = client.post(PAGE, data=form({"name": "Sopa", "cook_time": "un rato"}), headers=spanish)
    assert bad.status_code == 422
    refusal = "'%(value)s' is not a time; write e.g. 'PT1H30M' or '1 hour 30 minutes'"
    assert es.gettext(refusal) != refusal
    assert es.gettext(refusal) % {"value": "un rato"} in bad.text
