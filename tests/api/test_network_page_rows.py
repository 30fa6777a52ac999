"""The sharing page's rows are written once and kept while they read the same (both
databases): a row kept for one reader never shows another's CSRF token, a change to an offer
or a need shows at once, the group a need is placed in shows to the member who asked, and
each row shows the actions its reader may take."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from commonpot.db import Database
from commonpot.http import CSRF_COOKIE
from commonpot.templating import READER_TOKEN as _TOKEN
from tests.factories.accounts import bearer, make_world, sign_in

API = "/api/communities/publicville/network"
PAGE = "/communities/publicville/network"


def _row(text: str, needle: str) -> str:
    """The table row holding `needle`."""
    found = re.search(r"<tr[ >](?:(?!</tr>).)*?" + re.escape(needle) + r".*?</tr>", text, re.S)
    assert found, needle
    return found.group(0)


def test_rows_are_kept_but_each_reader_gets_their_token_and_what_they_may_do(
    client: TestClient, db: Database
) -> None:
    w = make_world(db)
    member, steward = bearer(db, w.member), bearer(db, w.steward)
    offer = client.post(
        f"{API}/offers",
        json={"category": "quinces", "quantity": 6, "lat": 52.0, "lon": 5.0},
        headers=member,
    ).json()
    need = client.post(
        f"{API}/needs",
        json={
            "category": "quinces",
            "quantity": 2,
            "lat": 52.0,
            "lon": 5.0,
            "priority_consent": True,
        },
        headers=member,
    ).json()
    group = client.post(f"{API}/groups", json={"name": "elders", "priority": 2}, headers=steward)

    sign_in(client, db, w.member)
    client.cookies.set(CSRF_COOKIE, "member-token")
    mine = client.get(PAGE).text
    assert "not placed yet" in _row(mine, 'data-need="' + str(need["id"]))
    assert f"/offers/{offer['id']}/withdraw" in _row(mine, "quinces")  # their own offer
    assert 'value="member-token"' in mine and _TOKEN not in mine

    sign_in(client, db, w.custodian)
    client.cookies.set(CSRF_COOKIE, "custodian-token")
    theirs = client.get(PAGE).text
    assert f"/offers/{offer['id']}/withdraw" not in theirs  # not theirs, not a steward
    assert "member-token" not in theirs and _TOKEN not in theirs

    placed = client.put(
        f"{API}/needs/{need['id']}/group", json={"group_id": group.json()["id"]}, headers=steward
    )
    assert placed.status_code == 200
    client.post(f"{API}/offers/{offer['id']}/withdraw", headers=member)
    sign_in(client, db, w.member)
    client.cookies.set(CSRF_COOKIE, "member-token")
    again = client.get(PAGE).text
    assert "elders" in _row(again, 'data-need="' + str(need["id"]))  # placed: shown at once
    assert f"/offers/{offer['id']}/withdraw" not in again  # withdrawn: no longer listed

    sign_in(client, db, w.steward)
    client.cookies.set(CSRF_COOKIE, "steward-token")
    steward_page = client.get(PAGE).text
    row = _row(steward_page, 'data-need="' + str(need["id"]))
    assert f'id="g-{need["id"]}"' in row and "selected>elders" in row  # the steward's form
    assert 'value="steward-token"' in row and "member-token" not in steward_page
    spanish = client.get(PAGE, headers={"Accept-Language": "es"}).text
    assert "Retirarme" in _row(spanish, 'data-need="' + str(need["id"]))
