"""Gatherings answer as their recipe does: hidden recipe, hidden gathering (page, live stream,
presence, lead); only keepers open them, only the host leads, bad input changes nothing."""

from __future__ import annotations

import json
import re
from datetime import timedelta

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
    good = client.post(url + "/lead", json={"chapter": 2}, headers=csrf_headers())
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
        assert answer.json() == {"count": expected, "guests": [], "anonymous": expected}
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


def _voiced_chapter(client: TestClient, db: Database, xw: ExperienceWorld) -> int:
    sign_in(client, db, xw.rw.world.custodian)
    data = client.get(f"/api{PUB}/recipes/{xw.rw.public_recipe}/experience").json()
    voiced = [i for i, c in enumerate(data["chapters"]) if c["audio"] is not None]
    assert len(voiced) == 1
    return voiced[0]


def _lead_state(db: Database) -> tuple[int, float, bool, int | None]:
    with db.unit_of_work(write=False) as s:
        g = s.scalars(select(Gathering)).one()
        return g.chapter, g.audio_s, g.playing, g.recording_id


def test_the_hosts_voice_position_is_checked_against_the_recording(
    client: TestClient, db: Database, xw: ExperienceWorld
) -> None:
    url = _open(client, db, xw, xw.rw.public_recipe)
    voiced = _voiced_chapter(client, db, xw)
    led = client.post(
        url + "/lead",
        json={"chapter": voiced, "audio_s": 2.25, "playing": True},
        headers=csrf_headers(),
    )
    assert led.status_code == 204
    assert _lead_state(db) == (voiced, 2.25, True, xw.public_recording)
    refused = [
        {"chapter": voiced, "audio_s": 3.5, "playing": True},  # the WAV lasts 3 s
        {"chapter": voiced, "audio_s": -1},
        {"chapter": 0, "audio_s": 0, "playing": True},  # a chapter without a voice
        {"chapter": 0, "audio_s": 1.5},
        {"chapter": voiced, "audio_s": "soon"},
    ]
    for body in refused:
        answer = client.post(
            url + "/lead", json=body, headers=csrf_headers() | {"accept": "application/json"}
        )
        assert answer.status_code == 422, body
        assert answer.headers["content-type"].startswith("application/problem+json")
    for raw in ("NaN", "Infinity", "1e999"):
        answer = client.post(
            url + "/lead",
            content=f'{{"chapter": {voiced}, "audio_s": {raw}}}',
            headers=csrf_headers() | {"content-type": "application/json"},
        )
        assert answer.status_code == 422, raw
    assert _lead_state(db) == (voiced, 2.25, True, xw.public_recording)
    # a late joiner's page starts where the host's voice is by now, not where it was
    with db.unit_of_work() as s:
        g = s.scalars(select(Gathering)).one()
        g.led_at = g.led_at - timedelta(seconds=0.5)
    page = client.get(url).text
    found = re.search(r'"audio_s": ([0-9.]+)', page)
    assert found is not None and 2.7 <= float(found.group(1)) < 2.75 + 10  # + this request


def test_a_voice_the_teller_keeps_from_a_listener_is_never_played_to_them(
    client: TestClient, db: Database, xw: ExperienceWorld
) -> None:
    url = _open(client, db, xw, xw.rw.public_recipe)
    voiced = _voiced_chapter(client, db, xw)  # members may hear it (the default consent)
    led = client.post(
        url + "/lead",
        json={"chapter": voiced, "audio_s": 1.0, "playing": True},
        headers=csrf_headers(),
    )
    assert led.status_code == 204
    client.cookies.clear()
    browser(client)
    page = client.get(url).text  # an anonymous follower
    embedded = re.search(r'id="experience-data">(.*?)</script>', page, re.S)
    assert embedded is not None
    data = json.loads(embedded.group(1))
    assert data["gathering"]["recording_id"] == xw.public_recording
    assert data["gathering"]["playing"] is True
    assert all(c["audio"] is None for c in data["chapters"])  # nothing for them to play
    audio = f"{PUB}/recordings/{xw.public_recording}/audio"
    assert client.get(audio).status_code == 404
    # the teller withdraws consent for everyone: the host cannot lead the voice either
    sign_in(client, db, xw.rw.world.custodian)
    set_nobody = client.put(
        f"/api{PUB}/recordings/{xw.public_recording}/voice",
        json={"listeners": "nobody", "cues": []},
        headers=csrf_headers(),
    )
    assert set_nobody.status_code == 200, set_nobody.text
    refused = client.post(
        url + "/lead",
        json={"chapter": voiced, "audio_s": 1.0, "playing": True},
        headers=csrf_headers(),
    )
    assert refused.status_code == 422, refused.text
    assert _lead_state(db) == (voiced, 1.0, True, xw.public_recording)
