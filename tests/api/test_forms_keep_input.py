"""A form that fails comes back with status 422, what the person typed, the reason, and the
field marked `aria-invalid`; and nothing it tried to write is stored.

Covers the forms of accounts, communities, notifications and recipes.
"""

from __future__ import annotations

import html
import re

from fastapi.testclient import TestClient
from sqlalchemy import func, select

from commonpot import jobs
from commonpot.accounts.models import User
from commonpot.communities.models import Community, Invitation, Place
from commonpot.db import Database
from commonpot.notifications.models import NotificationPreference
from commonpot.recipes.models import OralHistory, Recipe, RecipeTranslation
from tests.factories.accounts import form, make_world, sign_in
from tests.factories.recipes import make_recipe_world


def _count(db: Database, model: type) -> int:
    with db.unit_of_work(write=False) as s:
        return int(s.scalar(select(func.count()).select_from(model)) or 0)


def _invalid(page: str, element_id: str) -> bool:
    """Whether the element with this id carries aria-invalid="true"."""
    tag = re.search(rf"<(?:input|select|textarea)[^>]*\bid=\"{element_id}\"[^>]*>", page)
    return tag is not None and 'aria-invalid="true"' in tag.group(0)


def test_invitation_form_keeps_the_address_and_note(client: TestClient, db: Database) -> None:
    w = make_world(db)
    sign_in(client, db, w.steward)
    before = _count(db, Invitation)
    typed = {"role": "custodian", "email": "grandma-at-the-river", "note": "For the harvest"}
    response = client.post("/communities/publicville/invitations", data=form(typed))
    assert response.status_code == 422
    assert "valid e-mail address" in response.text
    assert 'value="grandma-at-the-river"' in response.text
    assert 'value="For the harvest"' in response.text
    assert re.search(r'<option value="custodian" selected>', response.text)
    assert _invalid(response.text, "invite-email")
    assert _count(db, Invitation) == before
    made = client.post(
        "/communities/publicville/invitations", data=form({**typed, "email": "g@example.org"})
    )
    assert made.status_code == 201
    assert _count(db, Invitation) == before + 1


def test_place_form_keeps_what_was_typed(client: TestClient, db: Database) -> None:
    w = make_world(db)
    sign_in(client, db, w.member)
    before = _count(db, Place)
    typed = {"name": "Old mill", "kind": "kitchen", "description": "By the weir", "lat": "north"}
    response = client.post("/communities/publicville/places", data=form({**typed, "lon": "5"}))
    assert response.status_code == 422
    assert 'value="Old mill"' in response.text
    assert 'value="north"' in response.text
    assert "By the weir</textarea>" in response.text
    assert _invalid(response.text, "lat")
    assert _count(db, Place) == before


def test_settings_form_keeps_input_and_changes_nothing(client: TestClient, db: Database) -> None:
    w = make_world(db)
    sign_in(client, db, w.steward)
    typed = {"name": "Renamed ville", "description": "New words", "lat": "95", "lon": "5"}
    response = client.post("/communities/publicville/settings", data=form(typed))
    assert response.status_code == 422
    assert 'value="Renamed ville"' in response.text
    assert _invalid(response.text, "lat")
    with db.unit_of_work(write=False) as s:
        found = s.scalar(select(Community).where(Community.slug == "publicville"))
        assert found is not None
        assert found.name == w.public.name
        assert found.description != "New words"


def test_profile_form_keeps_input_and_changes_nothing(client: TestClient, db: Database) -> None:
    w = make_world(db)
    sign_in(client, db, w.member)
    typed = {"display_name": "Mara the cook", "languages": "english!!", "bio": "I bake."}
    response = client.post("/me", data=form(typed))
    assert response.status_code == 422
    assert 'value="Mara the cook"' in response.text
    assert 'value="english!!"' in response.text
    assert "I bake.</textarea>" in response.text
    assert _invalid(response.text, "languages")
    with db.unit_of_work(write=False) as s:
        found = s.get(User, w.member.id)
        assert found is not None
        assert found.display_name == w.member.display_name
        assert found.bio != "I bake."


def test_token_form_keeps_the_name(client: TestClient, db: Database) -> None:
    w = make_world(db)
    sign_in(client, db, w.member)
    response = client.post("/me/tokens", data=form({"name": "   "}))
    assert response.status_code == 422
    assert _invalid(response.text, "token-name")


def test_preferences_form_keeps_choices_and_stores_nothing(
    client: TestClient, db: Database
) -> None:
    w = make_world(db)
    sign_in(client, db, w.member)
    before = _count(db, NotificationPreference)
    chosen = {"offer_allocated": "digest", "need_matched": "pigeon"}
    response = client.post("/me/notifications/preferences", data=form(chosen))
    assert response.status_code == 422
    assert "need_matched" in html.unescape(response.text)
    assert _invalid(response.text, "pref-need_matched")
    digest = re.search(r'<select id="pref-offer_allocated".*?</select>', response.text, re.S)
    assert digest is not None and re.search(r'value="digest" selected', digest.group(0))
    assert _count(db, NotificationPreference) == before  # not even the good choice
    saved = client.post(
        "/me/notifications/preferences",
        data=form({"offer_allocated": "digest"}),
        follow_redirects=False,
    )
    assert saved.status_code == 303
    assert _count(db, NotificationPreference) == before + 1


def test_recipe_import_form_keeps_the_address_and_queues_nothing(
    client: TestClient, db: Database
) -> None:
    w = make_world(db)
    sign_in(client, db, w.member)
    before = (_count(db, Recipe), _count(db, jobs.Job))
    page = "/communities/publicville/recipes/import"
    response = client.post(page, data=form({"url": "ftp://example.org/soup", "content": ""}))
    assert response.status_code == 422
    assert 'value="ftp://example.org/soup"' in response.text
    assert _invalid(response.text, "url")
    pasted = "<html><p>no recipe here, just a story about soup</p></html>"
    response = client.post(page, data=form({"url": "", "content": pasted}))
    assert response.status_code == 422
    assert "no recipe here, just a story about soup" in html.unescape(response.text)
    assert _invalid(response.text, "content")
    assert (_count(db, Recipe), _count(db, jobs.Job)) == before
    queued = client.post(
        page, data=form({"url": "https://example.org/soup", "content": ""}), follow_redirects=False
    )
    assert queued.status_code == 303
    assert queued.headers["location"].startswith("/jobs/")
    assert _count(db, jobs.Job) == before[1] + 1
    assert "<progress" in client.get(queued.headers["location"]).text


def test_story_and_translation_forms_keep_what_was_typed(client: TestClient, db: Database) -> None:
    rw = make_recipe_world(db)
    sign_in(client, db, rw.world.member)
    page = f"/communities/publicville/recipes/{rw.public_recipe}"
    before = (_count(db, OralHistory), _count(db, RecipeTranslation))
    story = {"title": "Soup at the river", "narrator": "Grandma Ana", "recorded_by": "Lia"}
    response = client.post(f"{page}/oral-histories", data=form(story))  # no consent record
    assert response.status_code == 422
    assert "consent is required" in response.text
    assert 'value="Soup at the river"' in response.text
    assert 'value="Grandma Ana"' in response.text
    assert _invalid(response.text, "oh-consent-by")
    translation = {"language": "", "name": "Sopa de las tres hermanas", "story": "La abuela..."}
    response = client.post(f"{page}/translations", data=form(translation))
    assert response.status_code == 422
    assert 'value="Sopa de las tres hermanas"' in response.text
    assert "La abuela...</textarea>" in response.text
    assert _invalid(response.text, "tr-language")
    assert (_count(db, OralHistory), _count(db, RecipeTranslation)) == before
