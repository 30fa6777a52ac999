"""Governance over HTTP: a proposal's whole life, ballots, and the ledger endpoints per spec."""

from __future__ import annotations

import base64
import time
from datetime import UTC, datetime, timedelta

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine, event, update

from commonpot.db import Database
from commonpot.governance.merkle import leaf_hash, verify_consistency, verify_inclusion
from commonpot.governance.models import Proposal
from commonpot.governance.notes import open_checkpoint, parse_vkey
from commonpot.governance.remote import verify_remote
from tests.factories.accounts import bearer, make_world

API = "/api/communities/publicville"


def _ranked_proposal(client: TestClient, headers: dict[str, str]) -> int:
    created = client.post(
        f"{API}/proposals",
        json={
            "title": "Which tree for the north bank?",
            "method": "irv",
            "options": ["Walnut", "Hazel", "Chestnut"],
            "rules": {"timelock_seconds": 0},
        },
        headers=headers,
    )
    assert created.status_code == 201, created.text
    number = int(created.json()["number"])
    opened = client.post(f"{API}/proposals/{number}/open", headers=headers)
    assert opened.status_code == 200
    assert opened.json()["state"] == "active"
    assert opened.json()["electorate_size"] == 3
    return number


def test_ranked_proposal_life_over_the_api(client: TestClient, db: Database) -> None:
    w = make_world(db)
    steward, custodian, member = (bearer(db, u) for u in (w.steward, w.custodian, w.member))
    number = _ranked_proposal(client, steward)
    ballots = [
        (steward, [["Hazel"], ["Walnut"]]),
        (custodian, [["Walnut"], ["Hazel"]]),
        (member, [["Chestnut"], ["Hazel"]]),
    ]
    for headers, ranking in ballots:
        put = client.put(
            f"{API}/proposals/{number}/vote", json={"ballot": {"ranking": ranking}}, headers=headers
        )
        assert put.status_code == 200, put.text
    bad = client.put(
        f"{API}/proposals/{number}/vote", json={"ballot": {"ranking": ["Oak"]}}, headers=member
    )
    assert bad.status_code == 422
    assert bad.json()["field"] == "ballot.ranking"
    assert client.get(f"{API}/proposals/{number}").json()["result"] is None  # sealed until close
    closed = client.post(f"{API}/proposals/{number}/close", headers=steward)
    assert closed.status_code == 200, closed.text
    result = closed.json()["result"]
    # round 1: 1-1-1, tie for fewest with no earlier round -> seeded lot; then a majority
    assert result["method"] == "irv"
    assert result["rounds"][0]["counts"] == {"Hazel": 1, "Walnut": 1, "Chestnut": 1}
    assert len(result["rounds"]) == 2
    assert result["tie_break_seed"] is not None
    assert closed.json()["state"] == "queued"
    executed = client.post(f"{API}/proposals/{number}/execute", headers=steward)
    assert executed.json()["state"] == "executed"
    assert executed.json()["outcome"].startswith("Decision recorded")


def test_ledger_endpoints_follow_the_spec(client: TestClient, db: Database) -> None:
    w = make_world(db)
    steward = bearer(db, w.steward)
    number = _ranked_proposal(client, steward)
    client.put(
        f"{API}/proposals/{number}/vote", json={"ballot": {"ranking": ["Hazel"]}}, headers=steward
    )
    key = client.get(f"{API}/ledger/key")
    assert key.status_code == 200
    verifier = parse_vkey(key.text)
    note = client.get(f"{API}/ledger/checkpoint")
    assert note.headers["content-type"].startswith("text/plain")
    checkpoint = open_checkpoint(note.text, verifier)
    assert checkpoint.origin.endswith("/ledger/publicville")
    assert checkpoint.size == 6  # 3 memberships joined, constitution, proposal opened, vote
    size = checkpoint.size
    entries = client.get(f"{API}/ledger/entries", params={"start": 0, "end": size}).json()[
        "entries"
    ]
    assert [e["index"] for e in entries] == list(range(size))
    leaves = [leaf_hash(e["data"].encode()) for e in entries]
    for index in range(size):
        proof = client.get(
            f"{API}/ledger/proof/inclusion", params={"index": index, "tree_size": size}
        ).json()
        assert proof["index"] == index and proof["tree_size"] == size
        verify_inclusion(
            leaves[index],
            index,
            size,
            [base64.b64decode(p) for p in proof["proof"]],
            checkpoint.root,
        )
    first_root = leaves[0]  # a one-entry tree's root is its leaf hash
    cons = client.get(
        f"{API}/ledger/proof/consistency", params={"first": 1, "second": checkpoint.size}
    ).json()
    verify_consistency(
        1,
        checkpoint.size,
        [base64.b64decode(p) for p in cons["proof"]],
        first_root,
        checkpoint.root,
    )
    assert client.get(f"{API}/ledger/entries", params={"start": 0, "end": 1001}).status_code == 422
    report = verify_remote("http://testserver/communities/publicville", client=client)
    assert report.ok, report.problems
    assert report.size == 6
    server = client.get(f"{API}/ledger/verify").json()
    assert server["ok"] is True


def test_delegation_and_comments(client: TestClient, db: Database) -> None:
    w = make_world(db)
    member = bearer(db, w.member)
    put = client.put(
        f"{API}/delegations", json={"delegate_id": w.custodian.id, "scope": "*"}, headers=member
    )
    assert put.status_code == 200
    assert client.get(f"{API}/delegations", headers=member).json() == [
        {"delegate_id": w.custodian.id, "scope": "*"}
    ]
    assert client.delete(f"{API}/delegations/*", headers=member).status_code == 204
    assert client.get(f"{API}/delegations", headers=member).json() == []
    number = _ranked_proposal(client, bearer(db, w.steward))
    posted = client.post(
        f"{API}/proposals/{number}/comments",
        json={"body": "Hazels feed the dormice."},
        headers=member,
    )
    assert posted.status_code == 201
    listed = client.get(f"{API}/proposals/{number}/comments").json()
    assert [c["body"] for c in listed] == ["Hazels feed the dormice."]


def _scheduled(client: TestClient, headers: dict[str, str]) -> int:
    """A proposal set to open tomorrow (pending); its number."""
    number = int(
        client.post(f"{API}/proposals", json={"title": "Winter hours"}, headers=headers).json()[
            "number"
        ]
    )
    later = (datetime.now(UTC) + timedelta(days=1)).isoformat()
    opened = client.post(
        f"{API}/proposals/{number}/open", json={"starts_at": later}, headers=headers
    )
    assert opened.json()["state"] == "pending"
    return number


def _time_comes(db: Database) -> None:
    """Every proposal's opening time passes (as if a day went by)."""
    with db.unit_of_work() as s:
        s.execute(update(Proposal).values(opens_at=datetime.now(UTC) - timedelta(seconds=1)))


def test_scheduled_opening_is_pending_until_its_time(client: TestClient, db: Database) -> None:
    w = make_world(db)
    steward = bearer(db, w.steward)
    number = _scheduled(client, steward)
    early = client.put(
        f"{API}/proposals/{number}/vote", json={"ballot": {"choice": "yes"}}, headers=steward
    )
    assert early.status_code == 409
    _time_comes(db)
    assert client.get(f"{API}/proposals/{number}").json()["state"] == "active"
    on_time = client.put(
        f"{API}/proposals/{number}/vote", json={"ballot": {"choice": "yes"}}, headers=steward
    )
    assert on_time.status_code == 200


def test_a_shared_answer_is_not_given_past_the_next_steps_time(
    app: FastAPI, client: TestClient, db: Database
) -> None:
    """Anonymous reads of proposals are shared while nothing changes (`shared_read`), but a
    proposal whose opening time comes is shown opened at once, with no write in between."""
    w = make_world(db)
    steward = bearer(db, w.steward)
    number = int(
        client.post(f"{API}/proposals", json={"title": "Soup rota"}, headers=steward).json()[
            "number"
        ]
    )
    opens = datetime.now(UTC) + timedelta(seconds=6)  # room for a loaded machine
    opened = client.post(
        f"{API}/proposals/{number}/open", json={"starts_at": opens.isoformat()}, headers=steward
    )
    assert opened.json()["state"] == "pending"
    answers = app.state.shared_answers
    urls = (f"{API}/proposals", f"{API}/proposals/{number}")
    for url in urls:
        for _ in range(30):  # other workers' commits end kept answers too: ask until one is
            hits = answers.hits
            read = client.get(url).json()
            assert (read[0] if isinstance(read, list) else read)["state"] == "pending"
            if answers.hits > hits:
                break
        else:
            raise AssertionError(f"{url} was never given again")
    time.sleep(max(0.0, (opens - datetime.now(UTC)).total_seconds()) + 0.2)
    assert client.get(urls[1]).json()["state"] == "active"
    assert client.get(urls[0]).json()[0]["state"] == "active"


def test_a_read_applies_what_is_due_first_and_otherwise_writes_nothing(
    client: TestClient, db: Database
) -> None:
    """The list and the checkpoint, read by anyone: a proposal whose time came is opened (and
    the ledger sealed) before the answer; when nothing is due the read writes nothing."""
    w = make_world(db)
    number = _scheduled(client, bearer(db, w.steward))
    _time_comes(db)
    listed = client.get(f"{API}/proposals")
    assert listed.status_code == 200
    assert [(p["number"], p["state"]) for p in listed.json()] == [(number, "active")]
    size = len(client.get(f"{API}/ledger/entries").json()["entries"])
    checkpoint = client.get(f"{API}/ledger/checkpoint")
    assert checkpoint.headers["content-type"].startswith("text/plain")
    assert checkpoint.text.splitlines()[1] == str(size)  # sealed up to the opening
    writes: list[str] = []

    def record(*args: object) -> None:
        if str(args[2]).lstrip().split(" ", 1)[0].upper() in {"INSERT", "UPDATE", "DELETE"}:
            writes.append(str(args[2]))

    event.listen(Engine, "before_cursor_execute", record)
    try:
        for url in (f"{API}/proposals", f"{API}/proposals/{number}", f"{API}/ledger/checkpoint"):
            assert client.get(url).status_code == 200
    finally:
        event.remove(Engine, "before_cursor_execute", record)
    assert writes == []
    missing = client.get(f"{API}/proposals/999")
    assert missing.status_code == 404
    assert missing.headers["content-type"] == "application/problem+json"


def test_a_proposal_is_read_by_its_number_alone_and_any_number_answers(
    client: TestClient, db: Database
) -> None:
    """One proposal is looked up by number (not by reading them all); a number no database
    can hold answers as a missing one does, on the API and the page, and a draft stays its
    author's (and stewards')."""
    w = make_world(db)
    steward = bearer(db, w.steward)
    draft = client.post(f"{API}/proposals", json={"title": "Quiet draft"}, headers=steward)
    number = int(draft.json()["number"])
    assert client.get(f"{API}/proposals/{number}", headers=steward).status_code == 200
    for reader in ({}, bearer(db, w.member)):
        hidden = client.get(f"{API}/proposals/{number}", headers=reader)
        assert hidden.status_code == 404
    for huge in (2**31, 10**12):
        answer = client.get(f"{API}/proposals/{huge}")
        assert answer.status_code in (404, 422)
        assert answer.headers["content-type"] == "application/problem+json"
        page = client.get(f"/communities/publicville/governance/proposals/{huge}")
        assert page.status_code in (404, 422)
