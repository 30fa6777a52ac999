"""Conviction-voted grants: stakes, conviction growing per step, funding once over threshold."""

from __future__ import annotations

from datetime import timedelta
from fractions import Fraction

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, update

from commonpot.accounts.models import User
from commonpot.accounts.service import Viewer
from commonpot.communities import service as communities
from commonpot.db import Database
from commonpot.errors import Invalid
from commonpot.governance import conviction, grants, ledger
from commonpot.governance.models import Grant
from commonpot.settings import Settings
from tests.factories.accounts import bearer, make_world
from tests.factories.governance import fetch_community


def _setup(db: Database, settings: Settings) -> None:
    with db.unit_of_work() as s:
        c = fetch_community(s, "publicville")
        communities.set_setting(s, c, "treasury_balance", 1000)
        communities.set_setting(
            s, c, "conviction", {"decay": "1/2", "spending_limit": "1/2", "weight": "1/100"}
        )


def _age(db: Database, steps: int) -> None:
    with db.unit_of_work() as s:
        for grant in s.scalars(select(Grant)):
            s.execute(
                update(Grant)
                .where(Grant.id == grant.id)
                .values(updated_at=grant.updated_at - timedelta(hours=steps))
            )


def test_conviction_grows_and_funds_once(db: Database, settings: Settings) -> None:
    w = make_world(db)
    _setup(db, settings)
    with db.unit_of_work() as s:
        c = fetch_community(s, "publicville")
        member = Viewer(user=s.get(User, w.member.id))
        grant = grants.create_grant(
            s, c, member, settings, title="Bee hives", recipient="Hive keepers", requested=100
        )
        grants.stake(s, c, member, grant.number, 60, settings)
        info = grants.status(s, c, grant)
        # supply: 3 members x 100 tokens, floor 1/20 -> 15; staked 60 -> S = 60
        # threshold = (1/100)*60 / ((1-1/2) * (1/2 - 100/1000)^2) = 0.6 / (0.5*0.16) = 7.5
        assert info["threshold"] == 7.5
        assert info["staked"] == 60
        # y_t = 60 (1 - 1/2^t) / (1/2): t=1 -> 60 >= 7.5
        assert info["steps_to_pass"] == 1
        with pytest.raises(Invalid, match="tokens free"):
            grants.stake(s, c, member, grant.number, 101, settings)
    _age(db, 1)
    with db.unit_of_work() as s:
        c = fetch_community(s, "publicville")
        funded = grants.advance_all(s, c, settings)
        assert [g.title for g in funded] == ["Bee hives"]
        assert Fraction(funded[0].conviction) == conviction.after(1, 60, Fraction(1, 2))
        assert c.settings["treasury_balance"] == 900
    with db.unit_of_work() as s:
        c = fetch_community(s, "publicville")
        assert grants.advance_all(s, c, settings) == []
        assert c.settings["treasury_balance"] == 900
        report = ledger.verify(s, c, settings)
        assert report.ok, report.problems


def test_grants_over_the_api(client: TestClient, db: Database, settings: Settings) -> None:
    w = make_world(db)
    _setup(db, settings)
    headers = bearer(db, w.member)
    created = client.post(
        "/api/communities/publicville/grants",
        json={"title": "Seed library shelves", "recipient": "Library", "requested": 50},
        headers=headers,
    )
    assert created.status_code == 201, created.text
    staked = client.put(
        "/api/communities/publicville/grants/1/stake", json={"amount": 40}, headers=headers
    )
    assert staked.status_code == 200
    assert staked.json()["status"]["staked"] == 40
    outsider = client.put(
        "/api/communities/publicville/grants/1/stake",
        json={"amount": 40},
        headers=bearer(db, w.outsider),
    )
    assert outsider.status_code == 403
    listed = client.get("/api/communities/publicville/grants").json()
    assert [g["title"] for g in listed] == ["Seed library shelves"]
    assert client.get("/api/communities/privatehill/grants").status_code == 404
