"""Event forms that fail come back with what was typed (422, the message, the field marked).

The form reads into the API's own models, so the same bad input gets the same rule and the
same words whichever way it arrives.
"""

from __future__ import annotations

from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy import func, select

from commonpot.db import Database, utcnow
from commonpot.events.models import Event, Registration
from tests.factories.accounts import bearer, form, make_world, sign_in

PAGES = "/communities/publicville/events"
API = "/api/communities/publicville/events"


def _count(db: Database, model: type[object]) -> int:
    with db.unit_of_work(write=False) as s:
        return int(s.scalar(select(func.count()).select_from(model)) or 0)  # type: ignore[arg-type]


def test_a_failed_flash_call_keeps_what_was_typed(client: TestClient, db: Database) -> None:
    w = make_world(db)
    sign_in(client, db, w.steward)
    refused = client.post(
        f"{PAGES}/flash", data=form({"title": "Soup at the plaza", "in_minutes": "3000"})
    )
    assert refused.status_code == 422
    assert "A flash event starts within the next 24 hours." in refused.text
    assert 'value="Soup at the plaza"' in refused.text
    assert 'value="3000"' in refused.text
    assert 'aria-invalid="true" aria-describedby="flash-error"' in refused.text
    assert _count(db, Event) == 0


def test_a_refused_sign_up_keeps_the_recipes_written(client: TestClient, db: Database) -> None:
    w = make_world(db)
    start = (utcnow() + timedelta(days=3)).replace(microsecond=0, tzinfo=None)
    body = {
        "title": "Harvest supper",
        "starts_at": start.isoformat(),
        "ends_at": (start + timedelta(hours=3)).isoformat(),
        "roles": [{"name": "cook"}],
    }
    event = client.post(API, json=body, headers=bearer(db, w.steward)).json()
    sign_in(client, db, w.member)
    refused = client.post(
        f"{PAGES}/{event['id']}/register",
        data=form({"role": "juggler", "recipes": "tamales, atole"}),
    )
    assert refused.status_code == 422
    assert 'value="tamales, atole"' in refused.text
    assert _count(db, Registration) == 0


def test_form_and_api_share_one_set_of_rules(client: TestClient, db: Database) -> None:
    w = make_world(db)
    fields = {
        "title": "Soup night",
        "starts_at": "2031-01-01T18:00",
        "ends_at": "2031-01-01T21:00",
        "timezone": "Europe/London",
        "roles": "Elder!",
    }
    api = client.post(
        API,
        json={**fields, "roles": [{"name": "Elder!"}]},
        headers=bearer(db, w.member),
    )
    assert api.status_code == 422
    sign_in(client, db, w.member)
    page = client.post(PAGES, data=form(fields))
    assert page.status_code == 422
    assert api.json()["detail"] in page.text  # the same words
    assert api.json()["field"].startswith("roles")
    assert 'value="Elder!"' in page.text
    # a time the form cannot read is named like any other field
    garbled = client.post(PAGES, data=form({**fields, "roles": "", "starts_at": "soon"}))
    assert garbled.status_code == 422
    assert "Pick a date and time." in garbled.text
    assert 'id="ev-starts" name="starts_at" type="datetime-local" required value="soon"' in (
        garbled.text
    )
    assert _count(db, Event) == 0


def test_a_spanish_organiser_writes_roles_in_spanish(client: TestClient, db: Database) -> None:
    """The form suggests "persona mayor:2, aprendiz:4" in Spanish: the known roles are stored
    by their key (so elders and learners are still paired) and read back in Spanish."""
    w = make_world(db)
    sign_in(client, db, w.steward)
    spanish = {"Accept-Language": "es-ES,es;q=0.9"}
    page = client.get(f"{PAGES}/new", headers=spanish).text
    assert 'placeholder="persona mayor:2, aprendiz:4, ayudante, friegaplatos"' in page
    fields = {
        "title": "Clase de tamales",
        "starts_at": "2031-01-01T18:00",
        "ends_at": "2031-01-01T21:00",
        "timezone": "Europe/London",
        "roles": "Persona mayor:2, aprendiz:4, ayudante",
    }
    made = client.post(PAGES, data=form(fields), headers=spanish, follow_redirects=False)
    assert made.status_code == 303, made.text
    with db.unit_of_work(write=False) as s:
        event = s.scalars(select(Event).where(Event.title == "Clase de tamales")).one()
        assert event.roles == [
            {"name": "elder", "wanted": 2},
            {"name": "apprentice", "wanted": 4},
            {"name": "ayudante", "wanted": None},
        ]
        event_id = event.id
    edit = client.get(f"{PAGES}/{event_id}/edit", headers=spanish).text
    assert 'value="persona mayor:2, aprendiz:4, ayudante"' in edit
    english = client.get(f"{PAGES}/{event_id}/edit", headers={"Accept-Language": "en"}).text
    assert 'value="elder:2, apprentice:4, ayudante"' in english
