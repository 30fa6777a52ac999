"""Destructive actions look destructive and ask first (issue 19): the button carries the
danger class and a translated data-confirm question that static/app/commonpot.js asks."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from commonpot.accounts.models import User
from commonpot.db import Database
from tests.factories.accounts import form, make_world, sign_in
from tests.factories.events import make_event
from tests.factories.governance import fetch_community
from tests.factories.network import add_offer


def _danger_buttons(html: str) -> list[str]:
    return re.findall(r'<button class="[^"]*button-danger[^"]*"[^>]*data-confirm="([^"]+)"', html)


def test_cancel_and_withdraw_ask_first_in_both_languages(client: TestClient, db: Database) -> None:
    world = make_world(db)
    with db.unit_of_work() as s:
        public = fetch_community(s, "publicville")
        steward = s.get(User, world.steward.id)
        assert steward is not None
        event_id = make_event(s, public, steward, title="Tamale class").id
        add_offer(s, public, steward, 3, category="squash")
    sign_in(client, db, world.steward)
    event = client.get(f"/communities/publicville/events/{event_id}").text
    assert "Cancel this event? Everyone signed up will be told." in _danger_buttons(event)
    network = client.get("/communities/publicville/network").text
    assert "Withdraw this offer?" in _danger_buttons(network)
    es = {"accept-language": "es"}
    event_es = client.get(f"/communities/publicville/events/{event_id}", headers=es).text
    assert "¿Cancelar este evento? Se avisará a todas las personas inscritas." in _danger_buttons(
        event_es
    )
    script = client.get("/static/app/commonpot.js").text
    assert "data-confirm" in script and "window.confirm" in script
    assert '<script src="/static/app/commonpot.js"' in event


def test_event_shopping_count_uses_plural_forms(client: TestClient, db: Database) -> None:
    world = make_world(db)
    with db.unit_of_work() as s:
        public = fetch_community(s, "publicville")
        steward = s.get(User, world.steward.id)
        assert steward is not None
        event_id = make_event(s, public, steward, title="Supper").id
    sign_in(client, db, world.steward)
    url = f"/communities/publicville/events/{event_id}"

    def sentence(html: str) -> str:
        para = html.split('id="shopping-servings"', 1)[0].rsplit("<p", 1)[1]
        para += html.split('id="shopping-servings"', 1)[1].split("</p>", 1)[0]
        return re.sub(r"<[^>]+>|^[^>]*>", "", para).strip()

    assert "For 1 person (everyone confirmed)" in sentence(client.get(url).text)
    es = client.get(url, headers={"accept-language": "es"}).text
    assert "Para 1 persona (todas las confirmadas)" in sentence(es)
    for person in (world.steward, world.member):
        sign_in(client, db, person)
        assert client.post(f"{url}/register", data=form({})).status_code in (200, 303)
    assert "For 2 people (everyone confirmed)" in sentence(client.get(url).text)


def test_stewards_remove_members_and_anyone_leaves_after_confirming(
    client: TestClient, db: Database
) -> None:
    world = make_world(db)
    members = "/communities/publicville/members"
    sign_in(client, db, world.steward)
    page = client.get(members).text
    assert f'action="{members}/{world.member.id}/remove"' in page
    assert "Remove Member from Community" in page  # the question names who and where
    assert f'action="{members}/{world.steward.id}/remove" class="inline-form"' not in page
    sign_in(client, db, world.member)
    mine = client.get(members).text
    assert f'action="{members}/{world.custodian.id}/remove"' not in mine  # not a steward
    assert f'action="{members}/{world.member.id}/remove"' in mine
    assert "Leave this community" in mine
    spanish = client.get(members, headers={"accept-language": "es"}).text
    assert "Salir de esta comunidad" in spanish
    left = client.post(f"{members}/{world.member.id}/remove", data=form({}), follow_redirects=False)
    assert left.status_code == 303
    assert "Leave this community" not in client.get(members).text
