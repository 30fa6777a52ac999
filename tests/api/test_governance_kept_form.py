"""The blank proposal form on the governance page is written once per language, community
and constitution (`governance.web._blank_propose_form`) and given to every member with their
own CSRF token; a refused form is still written for its reader, with what they typed."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from sqlalchemy import update

from commonpot.db import Database
from commonpot.governance.models import Constitution
from commonpot.http import CSRF_COOKIE
from commonpot.settings import Settings
from tests.factories.accounts import make_world, sign_in
from tests.factories.governance import make_proposal

PAGE = "/communities/publicville/governance"


def _form(page: str) -> str:
    found = re.search(r'<form [^>]*id="proposal-form".*?</form>', page, re.S)
    assert found is not None
    return found.group(0)


def test_each_member_gets_the_kept_form_with_their_own_token(
    client: TestClient, db: Database
) -> None:
    world = make_world(db)
    sign_in(client, db, world.member)
    client.cookies.set(CSRF_COOKIE, "first-readers-token")
    first = _form(client.get(PAGE).text)
    client.cookies.set(CSRF_COOKIE, "second-readers-token")
    second = _form(client.get(PAGE).text)
    assert 'name="csrf_token" value="first-readers-token"' in first
    assert 'name="csrf_token" value="second-readers-token"' in second
    assert "csrf-" not in first.replace("csrf_token", "")  # no stand-in left behind
    assert first.replace("first", "second") == second
    spanish = _form(client.get(PAGE, headers={"Accept-Language": "es"}).text)
    assert "Guardar borrador" in spanish and "Save draft" in first
    client.cookies.clear()
    assert 'id="proposal-form"' not in client.get(PAGE).text  # visitors get no form


def test_the_kept_form_follows_the_constitution_and_a_refusal_is_the_readers_own(
    client: TestClient, db: Database, settings: Settings
) -> None:
    world = make_world(db)
    make_proposal(db, world.steward, "publicville", settings)  # writes the constitution down
    sign_in(client, db, world.member)
    before = _form(client.get(PAGE).text)
    with db.unit_of_work() as s:
        row = s.query(Constitution).one()
        floors = {k: dict(v) for k, v in row.floors.items()}
        floors["text"]["voting_seconds"] = 99 * 3600
        s.execute(update(Constitution).where(Constitution.id == row.id).values(floors=floors))
    after = _form(client.get(PAGE).text)
    assert "99 h" in after and "99 h" not in before
    refused = client.post(
        f"{PAGE}/proposals",
        data={"title": "x", "csrf_token": "test-csrf-token", "method": "majority"},
    )
    assert refused.status_code == 422
    form = _form(refused.text)
    assert 'value="x"' in form and 'aria-invalid="true"' in form
