"""Gatherings answer as their recipe does: hidden recipe, hidden gathering (page, live stream,
presence, lead); only keepers open them, only the host leads, bad input changes nothing."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from commonpot.db import Database
from commonpot.experiences.models import Gathering, GatheringPresence
from commonpot.settings import Settings
from tests.factories.accounts import bearer, browser, csrf_headers, form, sign_in
from tests.factories.events import make_event
from tests.factories.experiences import ExperienceWorld, make_experience_world

PUB = "/communities/publicville"


@pytest.fixture
def xw(db: Database, settings: Settings) -> ExperienceWorld:
    return make_experience_world(db, settings.data_dir)


def _open(client: TestClient, db: Database, xw: ExperienceWorld, recipe: int) -> str:
    sign_in(client, db, xw.rw.world.custodian)
    response = client.post(
        f"{PUB}/recipes/{recipe}/gatherings",
        data=form({"title": "  Evening   telling "}),
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text
    client.cookies.clear()
    return str(response.headers["location"])


def _counts(db: Database) -> tuple[int, int, list[int]]:
    with db.unit_of_work(write=False) as s:
        return (
            int(s.scalar(select(func.count(Gathering.id))) or 0),
            int(s.scalar(select(func.count(GatheringPresence.id))) or 0),
            list(s.scalars(select(Gathering.chapter).order_by(Gathering.id))),
        )


@pytest.mark.parametrize("who", ["anonymous", "outsider", "admin"])
def test_a_hidden_recipes_gathering_is_hidden_everywhere(
    client: TestClient, db: Database, xw: ExperienceWorld, who: str
) -> None:
    url = _open(client, db, xw, xw.rw.community_recipe)
    before = _counts(db)
    browser(client)
    headers = {} if who == "anonymous" else bearer(db, getattr(xw.rw.world, who))
    headers |= csrf_headers()
    assert client.get(url, headers=headers).status_code == 404
    assert client.get(url + "/live", headers=headers).status_code == 404
    posted = client.post(url + "/presence", json={"client": "abc"}, headers=headers)
    assert posted.status_code == 404
    led = client.post(url + "/lead", json={"chapter": 1}, headers=headers)
    assert led.status_code == 404
    assert "Evening telling" not in client.get(url, headers=headers).text
    assert _counts(db) == before
    member = bearer(db, xw.rw.world.member)
    page = client.get(url, headers=member)
    assert page.status_code == 200 and "Gathering: Evening telling" in page.text


def test_only_keepers_open_and_only_the_host_leads(
    client: TestClient, db: Database, xw: ExperienceWorld
) -> None:
    rid = xw.rw.public_recipe
    sign_in(client, db, xw.rw.world.member)
    refused = client.post(
        f"{PUB}/recipes/{rid}/gatherings", data=form({"title": "Mine"}), follow_redirects=False
    )
    assert refused.status_code == 403
    assert _counts(db)[0] == 0
    url = _open(client, db, xw, rid)
    assert _counts(db) == (1, 0, [0])
    sign_in(client, db, xw.rw.world.member)
    assert (
        client.post(url + "/lead", json={"chapter": 1}, headers=csrf_headers()).status_code == 403
    )
    sign_in(client, db, xw.rw.world.custodian)
    bad = client.post(url + "/lead", json={"chapter": 99}, headers=csrf_headers())
    assert bad.status_code == 422
    no_csrf = client.post(url + "/lead", json={"chapter": 1})
    assert no_csrf.status_code == 403
    assert _counts(db) == (1, 0, [0])
    good = client.post(url + "/lead", json={"chapter": 2, "audio_s": 3.5}, headers=csrf_headers())
    assert good.status_code == 204
    assert _counts(db) == (1, 0, [2])
    page = client.get(url)
    assert '"host": true' in page.text and '"chapter": 2' in page.text


def test_presence_counts_pages(client: TestClient, db: Database, xw: ExperienceWorld) -> None:
    url = _open(client, db, xw, xw.rw.public_recipe)
    browser(client)
    for client_id, expected in (("page-one", 1), ("page-two", 2), ("page-one", 2)):
        answer = client.post(url + "/presence", json={"client": client_id}, headers=csrf_headers())
        assert answer.status_code == 200
        assert answer.json() == {"count": expected}
    bad = client.post(url + "/presence", json={"client": "no spaces!"}, headers=csrf_headers())
    assert bad.status_code == 422
    assert _counts(db)[1] == 2


def test_a_gathering_attaches_only_to_its_communitys_event(
    client: TestClient, db: Database, xw: ExperienceWorld
) -> None:
    with db.unit_of_work() as s:
        ours = make_event(s, xw.rw.world.public, xw.rw.world.steward).id
        theirs = make_event(s, xw.rw.world.private, xw.rw.world.private_steward).id
    sign_in(client, db, xw.rw.world.custodian)
    url = f"{PUB}/recipes/{xw.rw.public_recipe}/gatherings"
    refused = client.post(url, data=form({"title": "Supper", "event_id": str(theirs)}))
    assert refused.status_code == 200  # back on the experience, with the message
    assert f"No event {theirs} in this community." in refused.text
    assert _counts(db)[0] == 0
    done = client.post(url, data=form({"title": "Supper", "event_id": str(ours)}))
    assert done.status_code == 200 and "Gathering: Supper" in done.text
    with db.unit_of_work(write=False) as s:
        assert list(s.scalars(select(Gathering.event_id))) == [ours]
