"""The API's long lists, a page at a time when a client asks (both databases).

`GET …/offers`, `…/needs`, `…/members`, `…/runs` and `…/proposals` answered every row: a
city's network is thousands of offers. A client may now ask for `limit` rows from
`offset`; the `Link` header (RFC 8288) names the next page while the page is full and the
previous one after the first. Without `limit` a list answers as it always has, every row,
so that existing clients keep working. Pages keep each list's visibility rule.
"""

from __future__ import annotations

import re
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import insert, select

from commonpot.communities.models import Community
from commonpot.communities.roles import add_member
from commonpot.db import Database
from commonpot.governance.models import Proposal
from commonpot.network.models import Need, Offer
from tests.factories.accounts import bearer, make_user, make_world

API = "/api/communities/publicville"


def _links(answer: Any) -> dict[str, str]:
    """The `Link` header's targets by relation."""
    return {
        rel: url
        for url, rel in re.findall(r'<([^>]*)>; rel="(\w+)"', answer.headers.get("link", ""))
    }


def _walk(client: TestClient, first: str, headers: dict[str, str]) -> list[list[Any]]:
    """Every page of a list, following `rel="next"` from `first`."""
    pages, url = [], first
    while url:
        answer = client.get(url, headers=headers)
        assert answer.status_code == 200, answer.text
        pages.append(answer.json())
        url = _links(answer).get("next", "")
        assert len(pages) < 50
    return pages


def _publicville(s: Any) -> Community:
    return s.scalars(select(Community).where(Community.slug == "publicville")).one()


def test_offers_and_needs_come_a_page_at_a_time_when_asked(
    client: TestClient, db: Database
) -> None:
    w = make_world(db)
    with db.unit_of_work() as s:
        community = _publicville(s)
        rows = [
            {
                "community_id": community.id,
                "user_id": (w.member if i % 2 else w.custodian).id,
                "category": "apples",
                "quantity": 10 + i,
                "lat": 52.0,
                "lon": 5.0,
                "status": "withdrawn" if i % 5 == 0 else "open",
            }
            for i in range(25)
        ]
        s.execute(insert(Offer), rows)
        s.execute(insert(Need), rows)
    member, steward = bearer(db, w.member), bearer(db, w.steward)
    whole = client.get(f"{API}/network/offers", headers=member)
    assert whole.status_code == 200 and "link" not in whole.headers  # as before: every row
    everything = whole.json()
    assert len(everything) == 25

    pages = _walk(client, f"{API}/network/offers?limit=10", member)
    assert [len(p) for p in pages] == [10, 10, 5]
    assert [o["id"] for p in pages for o in p] == [o["id"] for o in everything]
    second = client.get(f"{API}/network/offers?limit=10&offset=10", headers=member)
    assert _links(second) == {
        "next": "/api/communities/publicville/network/offers?limit=10&offset=20",
        "prev": "/api/communities/publicville/network/offers?limit=10&offset=0",
    }
    # a filter is kept in the next page's address
    open_ = [o["id"] for o in everything if o["status"] == "open"]
    pages = _walk(client, f"{API}/network/offers?status=open&limit=7", member)
    assert [o["id"] for p in pages for o in p] == open_ and len(open_) == 20
    assert client.get(f"{API}/network/offers?limit=5&offset=100", headers=member).json() == []

    # needs: a member pages through their own only, a steward through all
    own = _walk(client, f"{API}/network/needs?limit=4", member)
    mine = client.get(f"{API}/network/needs", headers=member).json()
    assert [n["id"] for p in own for n in p] == [n["id"] for n in mine] and len(mine) == 12
    every = _walk(client, f"{API}/network/needs?limit=4", steward)
    assert sum(len(p) for p in every) == 25


def test_members_runs_and_proposals_page_too(client: TestClient, db: Database) -> None:
    w = make_world(db)
    with db.unit_of_work() as s:
        community = _publicville(s)
        for i in range(9):
            add_member(s, community, make_user(s, f"Neighbour {i}"))
        s.execute(
            insert(Proposal),
            [
                {
                    "community_id": community.id,
                    "number": n,
                    "title": f"Decision {n}",
                    "author_id": w.steward.id,
                    "state": "executed" if n % 3 else "defeated",
                    "method": "majority",
                    "action_hash": "0" * 64,
                }
                for n in range(1, 12)
            ],
        )
    member, steward = bearer(db, w.member), bearer(db, w.steward)
    everyone = client.get(f"{API}/members", headers=member).json()
    assert len(everyone) == 12
    pages = _walk(client, f"{API}/members?limit=5", member)
    assert [m["user"]["id"] for p in pages for m in p] == [m["user"]["id"] for m in everyone]
    assert [len(p) for p in pages] == [5, 5, 2]

    for _ in range(3):
        assert client.post(f"{API}/network/runs", json={}, headers=steward).status_code == 201
    runs = client.get(f"{API}/network/runs", headers=steward).json()
    pages = _walk(client, f"{API}/network/runs?limit=2", steward)
    assert [r["id"] for p in pages for r in p] == [r["id"] for r in runs]
    assert client.get(f"{API}/network/runs?limit=2", headers=member).status_code == 403

    proposals = client.get(f"{API}/proposals?state=executed").json()
    assert [p["number"] for p in proposals] == [n for n in range(11, 0, -1) if n % 3]
    pages = _walk(client, f"{API}/proposals?state=executed&limit=3", {})
    assert [p["number"] for page in pages for p in page] == [p["number"] for p in proposals]
    assert all(p["state"] == "executed" for page in pages for p in page)


def test_a_bad_page_is_refused_naming_it_and_a_private_list_stays_hidden(
    client: TestClient, db: Database
) -> None:
    w = make_world(db)
    member = bearer(db, w.member)
    for query in ("limit=0", "limit=1001", "limit=ten", "offset=-1", "offset=x"):
        field = query.split("=")[0]
        for path in ("network/offers", "network/needs", "members", "proposals"):
            refused = client.get(f"{API}/{path}?{query}", headers=member)
            assert refused.status_code == 422, (path, query)
            assert refused.headers["content-type"].startswith("application/problem+json")
            assert field in refused.text
    outsider = bearer(db, w.outsider)
    for path in ("network/offers", "members", "proposals"):
        hidden = client.get(f"/api/communities/privatehill/{path}?limit=1", headers=outsider)
        assert hidden.status_code == 404, path
        assert "link" not in hidden.headers
