"""Values nothing can hold get a 4xx naming the problem, never a 500, and store nothing.

Found by fuzzing the API and the forms: numbers beyond 64 bits sent as strings, dates before
year 1 once moved to UTC, durations beyond what Python holds, text with a lone surrogate,
and a place "name" that was a number or an object (stored as its repr).
"""

from __future__ import annotations

import json
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import func, select

from commonpot.communities.models import Place
from commonpot.db import Database
from commonpot.events.models import Event
from commonpot.network.models import Offer
from tests.factories.accounts import bearer, form, make_world, sign_in

API = "/api/communities/publicville"


def _count(db: Database, model: Any) -> int:
    with db.unit_of_work(write=False) as s:
        return int(s.scalar(select(func.count()).select_from(model)) or 0)


def _is_problem(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    body: dict[str, Any] = response.json()
    assert body["status"] == status and body["title"] and body["detail"]
    return body


def test_a_place_name_is_text_and_only_text(client: TestClient, db: Database) -> None:
    w = make_world(db)
    steward = bearer(db, w.steward)
    before = _count(db, Place)
    for name in ({"x": 1}, True, ["a", "a"], 5):
        body = {"name": name, "lat": 1, "lon": 1}
        refused = client.post(f"{API}/places", json=body, headers=steward)
        assert _is_problem(refused, 422)["field"] == "name"
    # a lone surrogate ("\ud800", valid JSON, no valid text) is refused at the field too
    raw = '{"name": "\\ud800", "lat": 1, "lon": 1}'
    headers = {**steward, "content-type": "application/json"}
    refused = client.post(f"{API}/places", content=raw, headers=headers)
    assert _is_problem(refused, 422)["field"] == "name"
    assert _count(db, Place) == before
    made = client.post(
        f"{API}/places", json={"name": " Plaza ", "lat": 1, "lon": 1}, headers=steward
    )
    assert made.status_code == 201 and made.json()["name"] == "Plaza"


def test_a_date_before_year_one_in_utc_is_refused_not_a_server_error(
    client: TestClient, db: Database
) -> None:
    w = make_world(db)
    steward = bearer(db, w.steward)
    before = _count(db, Event)
    body = {
        "title": "Year one",
        "starts_at": "0001-01-01T00:00:00",
        "ends_at": "0001-01-01T01:00:00",
        "timezone": "Europe/Berlin",
    }
    refused = client.post(f"{API}/events", json=body, headers=steward)
    assert 400 <= refused.status_code < 500
    _is_problem(refused, refused.status_code)
    assert _count(db, Event) == before


def test_an_integer_beyond_64_bits_sent_as_text_is_refused(
    client: TestClient, db: Database
) -> None:
    w = make_world(db)
    steward = bearer(db, w.steward)
    body = json.dumps({"user_id": "9223372036854775808"})
    headers = {**steward, "content-type": "application/json"}
    refused = client.post(f"{API}/network/assignments/1/pickup", content=body, headers=headers)
    assert 400 <= refused.status_code < 500, refused.text
    _is_problem(refused, refused.status_code)


def test_an_offer_living_beyond_a_year_is_refused_on_the_form(
    client: TestClient, db: Database
) -> None:
    w = make_world(db)
    sign_in(client, db, w.member)
    before = _count(db, Offer)
    for hours in ("1e12", "9223372036854775808", "inf", "0"):
        typed = {"category": "Pears", "quantity": "4", "lat": "52", "lon": "5"}
        page = client.post(
            "/communities/publicville/network/offers",
            data=form({**typed, "expires_in_hours": hours}),
        )
        assert page.status_code == 422, (hours, page.status_code)
        assert "expires_in_hours" in page.text
    assert _count(db, Offer) == before


def test_a_proposals_rules_stay_within_what_can_be_counted_and_opened(
    client: TestClient, db: Database
) -> None:
    from commonpot.governance.models import Proposal

    w = make_world(db)
    steward = bearer(db, w.steward)
    before = _count(db, Proposal)
    for quorum in ("1e-5000", "1/" + "9" * 40):
        body = {"title": "Tiny quorum", "rules": {"quorum": quorum}}
        refused = client.post(f"{API}/proposals", json=body, headers=steward)
        assert _is_problem(refused, 422)["field"] == "rules.quorum"
    sign_in(client, db, w.steward)
    typed = {"title": "Forever", "method": "majority", "timelock_hours": "0"}
    for hours, words in (("inf", "Hours are a number"), ("1e30", "Hours are a number")):
        page = client.post(
            "/communities/publicville/governance/proposals",
            data=form({**typed, "voting_hours": hours}),
        )
        assert page.status_code == 422 and words in page.text, (hours, page.status_code)
    # a period the API's schema refuses is refused on the form too
    page = client.post(
        "/communities/publicville/governance/proposals",
        data=form({**typed, "voting_hours": "5000"}),
    )
    assert page.status_code == 422 and "at most 90 days" in page.text
    assert _count(db, Proposal) == before
