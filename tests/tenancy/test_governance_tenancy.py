"""Governance tenancy: outsiders cannot vote, read private proposals or a private ledger."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from commonpot.db import Database
from commonpot.governance.models import LedgerEntry, Proposal, Vote
from tests.factories.accounts import bearer, form, make_world, sign_in

PRIVATE = "/api/communities/privatehill"


def _private_proposal(client: TestClient, db: Database, steward_headers: dict[str, str]) -> int:
    created = client.post(
        f"{PRIVATE}/proposals", json={"title": "Share the cellar"}, headers=steward_headers
    )
    number = int(created.json()["number"])
    assert (
        client.post(f"{PRIVATE}/proposals/{number}/open", headers=steward_headers).status_code
        == 200
    )
    return number


def _counts(db: Database) -> tuple[int, int, int]:
    with db.unit_of_work(write=False) as s:
        return (
            int(s.scalar(select(func.count()).select_from(Proposal)) or 0),
            int(s.scalar(select(func.count()).select_from(Vote)) or 0),
            int(s.scalar(select(func.count()).select_from(LedgerEntry)) or 0),
        )


@pytest.mark.parametrize(
    "path",
    [
        "/proposals",
        "/proposals/1",
        "/proposals/1/comments",
        "/ledger/checkpoint",
        "/ledger/key",
        "/ledger/entries?start=0&end=5",
        "/ledger/proof/inclusion?index=0&tree_size=1",
        "/ledger/proof/consistency?first=1&second=1",
        "/ledger/verify",
        "/grants",
        "/constitution",
    ],
)
def test_outsider_and_anonymous_cannot_read_private_governance(
    client: TestClient, db: Database, path: str
) -> None:
    w = make_world(db)
    _private_proposal(client, db, bearer(db, w.private_steward))
    before = _counts(db)
    assert client.get(PRIVATE + path).status_code == 404
    assert client.get(PRIVATE + path, headers=bearer(db, w.outsider)).status_code == 404
    assert client.get(PRIVATE + path, headers=bearer(db, w.private_member)).status_code == 200
    pages = {
        "/proposals": "/governance",
        "/proposals/1": "/governance/proposals/1",
        "/ledger/checkpoint": "/governance/ledger",
        "/ledger/verify": "/governance/ledger/verify",
    }
    page = pages.get(path)
    if page is not None:
        for headers in ({}, bearer(db, w.outsider)):
            anon = client.get("/communities/privatehill" + page, headers=headers)
            assert anon.status_code == 404
            assert "Share the cellar" not in anon.text
    assert _counts(db) == before


def test_outsider_cannot_vote_or_act(client: TestClient, db: Database) -> None:
    w = make_world(db)
    number = _private_proposal(client, db, bearer(db, w.private_steward))
    outsider = bearer(db, w.outsider)
    before = _counts(db)
    for method, path, body in [
        ("put", f"/proposals/{number}/vote", {"ballot": {"choice": "yes"}}),
        ("post", f"/proposals/{number}/close", None),
        ("post", f"/proposals/{number}/cancel", None),
        ("post", f"/proposals/{number}/comments", {"body": "hi"}),
        ("post", "/proposals", {"title": "Take over"}),
        ("put", "/delegations", {"delegate_id": w.private_member.id}),
    ]:
        response = client.request(method.upper(), PRIVATE + path, json=body, headers=outsider)
        assert response.status_code == 404, path
    public = client.put(
        "/api/communities/publicville/delegations",
        json={"delegate_id": w.member.id},
        headers=outsider,
    )
    assert public.status_code == 403
    assert _counts(db) == before


def test_member_cannot_do_a_stewards_work(client: TestClient, db: Database) -> None:
    w = make_world(db)
    steward = bearer(db, w.private_steward)
    number = _private_proposal(client, db, steward)
    member = bearer(db, w.private_member)
    assert (
        client.put(
            f"{PRIVATE}/proposals/{number}/vote", json={"ballot": {"choice": "yes"}}, headers=member
        ).status_code
        == 200
    )
    before = _counts(db)
    assert client.post(f"{PRIVATE}/proposals/{number}/cancel", headers=member).status_code == 403
    closed = client.post(f"{PRIVATE}/proposals/{number}/close", headers=member)
    assert closed.status_code == 409
    assert _counts(db) == before


def test_cookie_session_needs_csrf_for_api_votes(client: TestClient, db: Database) -> None:
    w = make_world(db)
    number = _private_proposal(client, db, bearer(db, w.private_steward))
    sign_in(client, db, w.private_member)
    before = _counts(db)
    response = client.put(f"{PRIVATE}/proposals/{number}/vote", json={"ballot": {"choice": "yes"}})
    assert response.status_code == 403
    assert _counts(db) == before


def test_outsider_cannot_check_receipts_of_a_private_community(
    client: TestClient, db: Database
) -> None:
    w = make_world(db)
    number = _private_proposal(client, db, bearer(db, w.private_steward))
    put = client.put(
        f"{PRIVATE}/proposals/{number}/vote",
        json={"ballot": {"choice": "yes"}},
        headers=bearer(db, w.private_member),
    )
    receipt = put.json()["receipt"]["text"]
    before = _counts(db)
    for headers in ({}, bearer(db, w.outsider)):
        got = client.post(
            f"{PRIVATE}/proposals/{number}/receipt", json={"receipt": receipt}, headers=headers
        )
        assert got.status_code == 404
    sign_in(client, db, w.outsider)
    page = client.post(
        f"/communities/privatehill/governance/proposals/{number}/receipt",
        data=form({"receipt": receipt}),
    )
    assert page.status_code == 404
    assert "yes" not in page.text.lower().split("<main", 1)[-1]
    assert _counts(db) == before
