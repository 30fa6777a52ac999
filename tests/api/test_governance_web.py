"""Governance pages: propose, open, rank, count, carry out, and check the ledger, by form."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from commonpot.db import Database
from commonpot.governance.models import Vote
from commonpot.settings import Settings
from tests.factories.accounts import form, make_world, sign_in
from tests.factories.governance import make_proposal

PAGES = "/communities/publicville/governance"


def _post(client: TestClient, url: str, data: dict[str, str]) -> str:
    response = client.post(url, data=form(data), follow_redirects=True)
    assert response.status_code == 200, response.text[:300]
    return response.text


def test_ranked_decision_by_forms(client: TestClient, db: Database) -> None:
    w = make_world(db)
    sign_in(client, db, w.steward)
    page = _post(
        client,
        f"{PAGES}/proposals",
        {
            "title": "Which tree for the north bank?",
            "method": "irv",
            "options": "Walnut\nHazel\nChestnut",
            "voting_hours": "48",
            "timelock_hours": "0",
            "quorum": "1/2",
            "action_kind": "text",
        },
    )
    assert "Draft saved" in page
    number = re.search(r"/governance/proposals/(\d+)/open", page)
    assert number is not None
    url = f"{PAGES}/proposals/{number.group(1)}"
    assert "Voting is open" in _post(client, f"{url}/open", {})
    ranks = {
        w.steward: {"rank-0": "2", "rank-1": "1", "rank-2": ""},
        w.custodian: {"rank-0": "1", "rank-1": "2", "rank-2": "3"},
        w.member: {"rank-0": "1", "rank-1": "", "rank-2": "2"},
    }
    for user, fields in ranks.items():
        sign_in(client, db, user)
        assert "Your vote is recorded" in _post(client, f"{url}/vote", fields)
    sign_in(client, db, w.steward)
    counted = _post(client, f"{url}/close", {})
    assert 'id="rounds"' in counted
    assert re.search(r'id="winners">Walnut<', counted)
    done = _post(client, f"{url}/execute", {})
    assert "Decision recorded" in done
    ledger = client.get(f"{PAGES}/ledger")
    assert ledger.status_code == 200
    assert "— commonpot " in ledger.text
    verified = client.get(f"{PAGES}/ledger/verify")
    assert "Verified" in verified.text


def test_bad_ballot_shows_the_problem(client: TestClient, db: Database) -> None:
    w = make_world(db)
    sign_in(client, db, w.steward)
    page = _post(
        client,
        f"{PAGES}/proposals",
        {"title": "Buy a cider press", "method": "majority", "voting_hours": "48"},
    )
    number = re.search(r"/governance/proposals/(\d+)/open", page)
    assert number is not None
    url = f"{PAGES}/proposals/{number.group(1)}"
    _post(client, f"{url}/open", {})
    refused = client.post(f"{url}/vote", data=form({"choice": "maybe"}))
    assert refused.status_code == 422
    assert "Choose among" in refused.text
    assert 'id="ballot-error"' in refused.text
    assert 'aria-invalid="true"' in refused.text
    with db.unit_of_work(write=False) as s:
        assert s.scalars(select(Vote)).all() == []  # nothing stored
    assert client.get(PAGES).status_code == 200


def test_anonymous_reads_public_pages_but_sees_no_forms(client: TestClient, db: Database) -> None:
    make_world(db)
    page = client.get(PAGES)
    assert page.status_code == 200
    assert "Propose something" not in page.text
    assert client.get(f"{PAGES}/ledger").status_code == 200


def test_grants_page_request_and_support(client: TestClient, db: Database) -> None:
    w = make_world(db)
    sign_in(client, db, w.steward)
    from commonpot.communities import service as communities
    from tests.factories.governance import fetch_community

    with db.unit_of_work() as s:
        communities.set_setting(s, fetch_community(s, "publicville"), "treasury_balance", 500)
    page = _post(
        client,
        f"{PAGES}/grants",
        {"title": "Bee hives", "recipient": "Hive keepers", "requested": "40", "pool": "treasury"},
    )
    assert "Request added" in page
    page = _post(client, f"{PAGES}/grants/1/stake", {"amount": "30"})
    assert "Your support is recorded" in page
    assert "30 tokens staked" in page
    refused = client.post(f"{PAGES}/grants/1/stake", data=form({"amount": "300"}))
    assert refused.status_code == 422
    assert "tokens free" in refused.text
    assert 'value="300"' in refused.text  # the amount typed is still there
    assert "30 tokens staked" in refused.text  # the earlier stake stands


@pytest.mark.parametrize(
    ("method", "fields", "ballot"),
    [
        ("plurality", {"choice": "Hazel"}, {"choice": "Hazel"}),
        ("approval", {"approve-0": "on", "approve-2": "on"}, {"approve": ["Walnut", "Chestnut"]}),
        (
            "quadratic",
            {"credits-0": "9", "credits-1": "16"},
            {"credits": {"Hazel": 16, "Walnut": 9}},
        ),
        (
            "stv",
            {"rank-0": "1", "rank-1": "1", "rank-2": "2"},
            {"ranking": [["Walnut", "Hazel"], ["Chestnut"]]},
        ),
        ("schulze", {"rank-2": "1", "rank-0": "2"}, {"ranking": [["Chestnut"], ["Walnut"]]}),
    ],
)
def test_every_ballot_form(
    client: TestClient,
    db: Database,
    settings: Settings,
    method: str,
    fields: dict[str, str],
    ballot: dict[str, object],
) -> None:
    w = make_world(db)
    number = make_proposal(
        db,
        w.steward,
        "publicville",
        settings,
        method=method,
        options=["Walnut", "Hazel", "Chestnut"],
    )
    sign_in(client, db, w.member)
    page = client.get(f"{PAGES}/proposals/{number}")
    assert 'id="ballot-form"' in page.text
    assert "Your vote is recorded" in _post(client, f"{PAGES}/proposals/{number}/vote", fields)
    with db.unit_of_work(write=False) as s:
        assert s.scalar(select(Vote.ballot)) == ballot


def test_failed_governance_forms_keep_what_was_typed(
    client: TestClient, db: Database, settings: Settings
) -> None:
    from commonpot.governance.models import Comment, Delegation, Grant

    w = make_world(db)
    number = make_proposal(db, w.steward, "publicville", settings)
    sign_in(client, db, w.member)
    said = client.post(f"{PAGES}/proposals/{number}/comments", data=form({"body": "   "}))
    assert said.status_code == 422
    assert 'id="comment-error"' in said.text
    assert 'aria-invalid="true" aria-describedby="comment-error"' in said.text
    long = "x" * 5001
    said = client.post(f"{PAGES}/proposals/{number}/comments", data=form({"body": long}))
    assert said.status_code == 422 and long in said.text  # what was written is not lost
    me = client.post(
        f"{PAGES}/delegation", data=form({"delegate_id": str(w.member.id), "scope": "*"})
    )
    assert me.status_code == 422
    assert "Delegate to someone else." in me.text
    assert 'id="delegation-error"' in me.text
    asked = client.post(
        f"{PAGES}/grants",
        data=form({"title": "Hives", "recipient": "Hive keepers", "requested": "lots"}),
    )
    assert asked.status_code == 422
    assert 'value="Hive keepers"' in asked.text and 'value="lots"' in asked.text
    assert 'aria-invalid="true" aria-describedby="request-error"' in asked.text
    bad_step = client.post(f"{PAGES}/proposals/{number}/execute", data=form({}))
    assert bad_step.status_code == 422 and 'id="step-error"' in bad_step.text
    with db.unit_of_work(write=False) as s:
        for model in (Comment, Delegation, Grant):
            assert s.scalars(select(model)).all() == []  # nothing stored


def test_the_ledger_check_names_its_problems_in_the_readers_language(
    client: TestClient, db: Database
) -> None:
    from sqlalchemy import update

    from commonpot.communities import Community
    from commonpot.governance.models import LedgerEntry
    from commonpot.i18n import Reader

    w = make_world(db)
    sign_in(client, db, w.member)
    spanish = {"accept-language": "es"}
    sound = client.get(f"{PAGES}/ledger/verify", headers=spanish).text
    es = Reader("es")
    assert es.gettext("Verified") in sound
    with db.unit_of_work() as s:
        community_id = s.scalar(select(Community.id).where(Community.slug == "publicville"))
        s.execute(
            update(LedgerEntry)
            .where(LedgerEntry.community_id == community_id, LedgerEntry.seq == 0)
            .values(leaf_hash="0" * 64)
        )
    problem = "entry %(seq)s: data does not match its leaf hash"
    page = client.get(f"{PAGES}/ledger/verify", headers=spanish).text
    assert es.gettext(problem) != problem
    assert f"<li>{es.gettext(problem) % {'seq': 0}}</li>" in page
    assert f"<li>{problem % {'seq': 0}}</li>" in client.get(f"{PAGES}/ledger/verify").text
