"""Secret ballots: no choice or tally leaks while voting; a recount and receipts after close."""

from __future__ import annotations

import base64
import json
import re
import secrets
from collections import Counter
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from fastapi.testclient import TestClient
from sqlalchemy import select

from commonpot.accounts.models import User
from commonpot.db import Database
from commonpot.governance import ledger
from commonpot.governance.canonical import canonical_json
from commonpot.governance.models import Proposal
from commonpot.governance.recount import audit as audit_ledger
from commonpot.governance.signing import commit_message, sign_vote, vote_message
from commonpot.governance.verification import Report
from tests.factories.accounts import bearer, form, make_world, sign_in
from tests.factories.governance import fetch_community, let_time_pass

API = "/api/communities/publicville"
PAGES = "/communities/publicville/governance"
CANDIDATES = ["Custodian", "Member"]  # people of make_world: an election of people


def _election(client: TestClient, headers: dict[str, str], **extra: Any) -> int:
    created = client.post(
        f"{API}/proposals",
        json={
            "title": "Who keeps the seed library?",
            "method": "plurality",
            "options": CANDIDATES,
            **extra,
        },
        headers=headers,
    )
    assert created.status_code == 201, created.text
    number = int(created.json()["number"])
    assert client.post(f"{API}/proposals/{number}/open", headers=headers).status_code == 200
    return number


def _entries(client: TestClient) -> list[dict[str, Any]]:
    got = client.get(f"{API}/ledger/entries", params={"start": 0, "end": 1000})
    assert got.status_code == 200
    return [json.loads(e["data"]) for e in got.json()["entries"]]


def _commitment(number: int, ballot: dict[str, Any], salt: str) -> str:
    import hashlib

    body = {"ballot": ballot, "community": "publicville", "proposal": number, "salt": salt}
    return hashlib.sha256(canonical_json(body)).hexdigest()


def test_secret_ballot_hides_choices_and_tallies_on_every_path_while_open(
    client: TestClient, db: Database
) -> None:
    w = make_world(db)
    steward, custodian, member = (bearer(db, u) for u in (w.steward, w.custodian, w.member))
    number = _election(client, steward)
    got = client.get(f"{API}/proposals/{number}").json()
    assert got["rules"]["secret"] is True  # the default for an election of people
    assert got["rules"]["open_results"] is False
    receipts = {}
    for headers, choice in ((steward, "Member"), (custodian, "Custodian"), (member, "Member")):
        put = client.put(
            f"{API}/proposals/{number}/vote", json={"ballot": {"choice": choice}}, headers=headers
        )
        assert put.status_code == 200, put.text
        receipt = put.json()["receipt"]
        assert re.fullmatch(r"[0-9a-f]{64}", receipt["salt"])
        assert receipt["commitment"] == _commitment(number, {"choice": choice}, receipt["salt"])
        receipts[choice, id(headers)] = receipt
    # the ledger: the roll and commitments only
    votes = [e for e in _entries(client) if e["type"] in {"vote.cast", "vote.changed"}]
    assert len(votes) == 3
    for entry in votes:
        assert "ballot" not in entry and "signed_ballot" not in entry
        assert set(entry) >= {"voter", "commitment"}
        assert not any(name in json.dumps(entry) for name in CANDIDATES)
    after_open = [e for e in _entries(client) if e["type"] != "proposal.opened"]
    assert not any(name in json.dumps(after_open) for name in CANDIDATES)
    # the proposal over the API, anonymous and member alike: no result
    assert client.get(f"{API}/proposals/{number}").json()["result"] is None
    assert client.get(f"{API}/proposals/{number}", headers=member).json()["result"] is None
    listed = client.get(f"{API}/proposals", headers=member).json()
    assert all(p["result"] is None for p in listed)
    # proofs carry hashes only
    size = len(_entries(client))
    proof = client.get(
        f"{API}/ledger/proof/inclusion", params={"index": size - 1, "tree_size": size}
    ).json()
    assert set(proof) == {"index", "tree_size", "proof"}
    assert not any(name in json.dumps(proof) for name in CANDIDATES)
    # the pages: the proposal and the ledger
    page = client.get(f"{PAGES}/proposals/{number}")
    assert page.status_code == 200
    assert 'id="results"' not in page.text and 'id="winners"' not in page.text
    ledger_page = client.get(f"{PAGES}/ledger").text
    assert "&#34;choice&#34;" not in ledger_page and '"choice"' not in ledger_page
    # a member sees only their own ballot
    mine = client.get(f"{API}/proposals/{number}/vote", headers=member).json()
    assert mine["ballot"] == {"choice": "Member"}
    assert "receipt" not in mine or mine["receipt"] is None


def test_published_ballots_recount_to_the_result_and_receipts_verify(
    client: TestClient, db: Database, settings: Any
) -> None:
    w = make_world(db)
    steward, custodian, member = (bearer(db, u) for u in (w.steward, w.custodian, w.member))
    number = _election(client, steward)
    first = client.put(
        f"{API}/proposals/{number}/vote", json={"ballot": {"choice": "Custodian"}}, headers=member
    ).json()["receipt"]
    changed = client.put(
        f"{API}/proposals/{number}/vote", json={"ballot": {"choice": "Member"}}, headers=member
    ).json()["receipt"]
    assert changed["commitment"] != first["commitment"]
    kept = {}
    for headers, choice in ((steward, "Member"), (custodian, "Custodian")):
        kept[choice] = client.put(
            f"{API}/proposals/{number}/vote", json={"ballot": {"choice": choice}}, headers=headers
        ).json()["receipt"]
    recorded = client.post(
        f"{API}/proposals/{number}/receipt", json={"receipt": changed["text"]}, headers=member
    )
    assert recorded.json() == {"status": "recorded", "ballot": None}
    let_time_pass(db, "publicville", number, settings)
    entries = _entries(client)
    roll = [e for e in entries if e["type"] in {"vote.cast", "vote.changed"}]
    [revealed] = [e for e in entries if e["type"] == "ballots.revealed"]
    [tallied] = [e for e in entries if e["type"] == "proposal.tallied"]
    assert "votes" not in revealed and "voter" not in json.dumps(revealed)
    assert "salt" not in json.dumps(revealed)
    # a recount from the ledger alone: one published ballot per member counted
    last = {e["voter"]: e["commitment"] for e in roll}
    assert len(revealed["ballots"]) == len(last) == 3
    recount = Counter(b["choice"] for b in revealed["ballots"])
    assert dict(recount) == {"Member": 2, "Custodian": 1}
    assert tallied["result"]["rounds"][0]["counts"] == {"Member": 2, "Custodian": 1}
    assert tallied["result"]["winners"] == ["Member"]
    # each voter can tie their receipt to their roll entry and their ballot to the count
    assert last[w.member.id] == changed["commitment"]
    assert _commitment(number, {"choice": "Member"}, changed["salt"]) == changed["commitment"]
    counted = client.post(f"{API}/proposals/{number}/receipt", json={"receipt": changed["text"]})
    assert counted.json() == {"status": "counted", "ballot": {"choice": "Member"}}
    old = client.post(f"{API}/proposals/{number}/receipt", json={"receipt": first["text"]})
    assert old.json()["status"] == "replaced"
    forged_salt = f"{changed['commitment']}:{secrets.token_hex(32)}"
    forged = client.post(f"{API}/proposals/{number}/receipt", json={"receipt": forged_salt})
    assert forged.status_code == 404
    assert forged.json()["field"] == "receipt"
    invented = f"{secrets.token_hex(32)}:{secrets.token_hex(32)}"
    assert (
        client.post(f"{API}/proposals/{number}/receipt", json={"receipt": invented}).status_code
        == 404
    )
    assert (
        client.post(f"{API}/proposals/{number}/receipt", json={"receipt": "nonsense"}).status_code
        == 422
    )
    with db.unit_of_work(write=False) as s:
        assert ledger.verify(s, fetch_community(s, "publicville"), settings).ok
    # the same recount, as `ledger verify` does it from the ledger's data alone
    rows = [
        (e["index"], e["data"])
        for e in client.get(f"{API}/ledger/entries", params={"start": 0, "end": 1000}).json()[
            "entries"
        ]
    ]
    report = Report()
    assert audit_ledger(rows, report) == 1 and report.ok
    tampered = [
        (i, d.replace('{"choice":"Custodian"}', '{"choice":"Member"}'))
        if '"ballots.revealed"' in d
        else (i, d)
        for i, d in rows
    ]
    bad = Report()
    assert audit_ledger(tampered, bad) == 0
    assert bad.first_bad == revealed["seq"]


def test_membership_actions_are_secret_by_default_and_open_ballots_stay_available(
    client: TestClient, db: Database
) -> None:
    w = make_world(db)
    steward = bearer(db, w.steward)
    admit = client.post(
        f"{API}/proposals",
        json={
            "title": "Welcome the outsider",
            "action": {"kind": "admit_member", "params": {"user_id": w.outsider.id}},
        },
        headers=steward,
    )
    assert admit.json()["rules"]["secret"] is True
    words = client.post(f"{API}/proposals", json={"title": "Paint the shed"}, headers=steward)
    assert words.json()["rules"]["secret"] is False
    open_election = _election(client, steward, rules={"secret": False, "open_results": True})
    put = client.put(
        f"{API}/proposals/{open_election}/vote",
        json={"ballot": {"choice": "Member"}},
        headers=steward,
    )
    assert put.json()["receipt"] is None
    [cast] = [e for e in _entries(client) if e["type"] == "vote.cast"]
    assert cast["ballot"] == {"choice": "Member"} and cast["voter"] == w.steward.id
    live = client.get(f"{API}/proposals/{open_election}").json()["result"]
    assert live["live"] is True
    both = client.post(
        f"{API}/proposals",
        json={"title": "Paint the shed", "rules": {"secret": True, "open_results": True}},
        headers=steward,
    )
    assert both.status_code == 422
    assert both.json()["field"] == "rules.open_results"


def _give_key(db: Database, user: User) -> Ed25519PrivateKey:
    key = Ed25519PrivateKey.generate()
    raw = key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    with db.unit_of_work() as s:
        found = s.get(User, user.id)
        assert found is not None
        found.public_key = base64.b64encode(raw).decode()
    return key


def test_a_signed_secret_vote_signs_the_commitment(
    client: TestClient, db: Database, settings: Any
) -> None:
    w = make_world(db)
    key = _give_key(db, w.member)
    steward, member = bearer(db, w.steward), bearer(db, w.member)
    number = _election(client, steward)
    with db.unit_of_work(write=False) as s:
        action_hash = str(s.scalar(select(Proposal.action_hash)))
    ballot = {"choice": "Custodian"}
    over_ballot = sign_vote(key, vote_message("publicville", number, action_hash, ballot))
    refused = client.put(
        f"{API}/proposals/{number}/vote",
        json={"ballot": ballot, "signature": over_ballot},
        headers=member,
    )
    assert refused.status_code == 422
    assert refused.json()["field"] == "signature"
    salt = secrets.token_hex(32)
    sealed = _commitment(number, ballot, salt)
    signature = sign_vote(key, commit_message("publicville", number, action_hash, sealed))
    put = client.put(
        f"{API}/proposals/{number}/vote",
        json={"ballot": ballot, "signature": signature, "salt": salt},
        headers=member,
    )
    assert put.status_code == 200, put.text
    assert put.json()["receipt"]["commitment"] == sealed
    with db.unit_of_work(write=False) as s:
        report = ledger.verify(s, fetch_community(s, "publicville"), settings)
        assert report.ok, report.problems
        assert report.checked_signatures == 1


def test_voting_by_form_shows_the_receipt_once_and_the_page_checks_it(
    client: TestClient, db: Database, settings: Any
) -> None:
    w = make_world(db)
    number = _election(client, bearer(db, w.steward))
    sign_in(client, db, w.member)
    page = client.post(f"{PAGES}/proposals/{number}/vote", data=form({"choice": "Custodian"}))
    assert page.status_code == 200
    assert "Your vote is recorded" in page.text
    assert page.headers["cache-control"] == "no-store"
    receipt = re.search(r'id="receipt-text"[^>]*>([0-9a-f]{64}:[0-9a-f]{64})<', page.text)
    assert receipt is not None
    again = client.get(f"{PAGES}/proposals/{number}")
    assert receipt.group(1) not in again.text  # shown once
    assert 'id="receipt-check"' in again.text
    let_time_pass(db, "publicville", number, settings)
    checked = client.post(
        f"{PAGES}/proposals/{number}/receipt", data=form({"receipt": receipt.group(1)})
    )
    assert checked.status_code == 200
    assert re.search(r'id="receipt-status">Counted as\s+Custodian', checked.text)
    forged = client.post(
        f"{PAGES}/proposals/{number}/receipt",
        data=form({"receipt": f"{secrets.token_hex(32)}:{secrets.token_hex(32)}"}),
    )
    assert forged.status_code == 422
    assert "matches no ballot" in forged.text


def test_delegations_do_not_unmask_a_secret_ballot(
    client: TestClient, db: Database, settings: Any
) -> None:
    w = make_world(db)
    member, custodian = bearer(db, w.member), bearer(db, w.custodian)
    put = client.put(
        f"{API}/delegations", json={"delegate_id": w.custodian.id, "scope": "*"}, headers=member
    )
    assert put.status_code == 200
    number = _election(client, bearer(db, w.steward))
    client.put(
        f"{API}/proposals/{number}/vote", json={"ballot": {"choice": "Member"}}, headers=custodian
    )
    client.put(
        f"{API}/proposals/{number}/vote",
        json={"ballot": {"choice": "Custodian"}},
        headers=bearer(db, w.steward),
    )
    let_time_pass(db, "publicville", number, settings)
    [revealed] = [e for e in _entries(client) if e["type"] == "ballots.revealed"]
    # counted once each: a doubled ballot would give the delegate's choice away
    assert sorted(b["choice"] for b in revealed["ballots"]) == ["Custodian", "Member"]
    result = client.get(f"{API}/proposals/{number}").json()["result"]
    assert result["turnout"] == 2
