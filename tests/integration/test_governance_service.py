"""Governance services on real SQLite and PostgreSQL: lifecycle, votes, execution, ledger."""

from __future__ import annotations

import json
import random
import threading
from datetime import timedelta

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from sqlalchemy import func, select, update

from commonpot.accounts.models import User
from commonpot.accounts.service import Viewer
from commonpot.communities import service as communities
from commonpot.db import Database, utcnow
from commonpot.errors import Conflict, Forbidden, Invalid, NotFound
from commonpot.governance import ballot_box, delegation, ledger, service
from commonpot.governance.models import LedgerEntry, Proposal, State, Vote
from commonpot.governance.signing import sign_vote, vote_message
from commonpot.settings import Settings
from tests.factories.accounts import make_user, make_world
from tests.factories.governance import fetch_community, let_time_pass, make_proposal, vote

GRANT = {"kind": "grant", "params": {"pool": "treasury", "amount": 30, "recipient": "Bees"}}


def _types(db: Database, slug: str) -> list[str]:
    with db.unit_of_work(write=False) as s:
        community = fetch_community(s, slug)
        rows = s.scalars(
            select(LedgerEntry.data)
            .where(LedgerEntry.community_id == community.id)
            .order_by(LedgerEntry.seq)
        )
        return [json.loads(d)["type"] for d in rows]


def _fund(db: Database, slug: str, amount: int) -> None:
    with db.unit_of_work() as s:
        communities.set_setting(s, fetch_community(s, slug), "treasury_balance", amount)


def test_majority_grant_passes_executes_once_and_ledger_verifies(
    db: Database, settings: Settings
) -> None:
    w = make_world(db)
    _fund(db, "publicville", 100)
    number = make_proposal(db, w.member, "publicville", settings, action=GRANT)
    for user, choice in ((w.steward, "yes"), (w.custodian, "yes"), (w.member, "no")):
        vote(db, user, "publicville", number, {"choice": choice}, settings)
    with db.unit_of_work() as s:
        c = fetch_community(s, "publicville")
        steward = Viewer(user=s.get(User, w.steward.id))
        proposal = service.close_proposal(s, c, steward, number, settings)
        assert proposal.state == State.QUEUED.value
        assert proposal.result is not None
        assert proposal.result["rounds"][0]["counts"] == {"yes": 2, "no": 1, "abstain": 0}
        assert proposal.result["passed"] is True
        with pytest.raises(Conflict, match="timelock"):
            service.execute_proposal(s, c, steward, number, settings)
    let_time_pass(db, "publicville", number, settings)
    with db.unit_of_work() as s:
        c = fetch_community(s, "publicville")
        steward = Viewer(user=s.get(User, w.steward.id))
        proposal = service.execute_proposal(s, c, steward, number, settings)
        assert proposal.state == State.EXECUTED.value
        assert "Granted 30" in proposal.outcome
        assert c.settings["treasury_balance"] == 70
    with db.unit_of_work() as s, pytest.raises(Conflict, match="already"):
        service.execute_proposal(
            s,
            fetch_community(s, "publicville"),
            Viewer(user=s.get(User, w.steward.id)),
            number,
            settings,
        )
    assert _types(db, "publicville") == [
        *["membership.joined"] * 3,  # the steward, custodian and member of make_world
        "constitution.adopted",
        "proposal.opened",
        "vote.cast",
        "vote.cast",
        "vote.cast",
        "ballots.revealed",
        "proposal.tallied",
        "proposal.queued",
        "proposal.executed",
    ]
    with db.unit_of_work(write=False) as s:
        report = ledger.verify(s, fetch_community(s, "publicville"), settings)
        assert report.ok, report.problems
        assert report.size == 12


def test_failed_execution_changes_nothing_and_is_recorded(db: Database, settings: Settings) -> None:
    w = make_world(db)
    _fund(db, "publicville", 100)
    number = make_proposal(db, w.steward, "publicville", settings, action=GRANT)
    for user in (w.steward, w.custodian, w.member):
        vote(db, user, "publicville", number, {"choice": "yes"}, settings)
    _fund(db, "publicville", 10)  # the treasury shrank after the vote opened
    let_time_pass(db, "publicville", number, settings)
    with db.unit_of_work() as s:
        c = fetch_community(s, "publicville")
        steward = Viewer(user=s.get(User, w.steward.id))
        proposal = service.execute_proposal(s, c, steward, number, settings)
        assert proposal.state == State.QUEUED.value
        assert proposal.outcome.startswith("Execution failed")
    with db.unit_of_work(write=False) as s:
        assert fetch_community(s, "publicville").settings["treasury_balance"] == 10
    assert _types(db, "publicville")[-1] == "proposal.execution_failed"


def test_irv_proposal_counts_rounds_with_delegation(db: Database, settings: Settings) -> None:
    w = make_world(db)
    options = ["Walnut", "Hazel", "Chestnut"]
    number = make_proposal(db, w.steward, "publicville", settings, method="irv", options=options)
    with db.unit_of_work() as s:
        delegation.delegate(
            s,
            fetch_community(s, "publicville"),
            Viewer(user=s.get(User, w.member.id)),
            w.custodian.id,
            settings,
        )
    vote(db, w.steward, "publicville", number, {"ranking": ["Hazel", "Walnut"]}, settings)
    vote(db, w.custodian, "publicville", number, {"ranking": ["Walnut", "Chestnut"]}, settings)
    with db.unit_of_work() as s:
        proposal = s.scalar(select(Proposal).where(Proposal.number == number))
        assert proposal is not None
        result, turnout, eligible = ballot_box.provisional(s, proposal)
        # the member's weight follows the custodian's ballot
        assert (turnout, eligible) == (3, 3)
        assert result.rounds[0].counts == {"Walnut": 2, "Hazel": 1, "Chestnut": 0}
        assert result.winners == ["Walnut"]
    vote(db, w.member, "publicville", number, {"ranking": ["Hazel"]}, settings)  # overrides
    with db.unit_of_work() as s:
        proposal = s.scalar(select(Proposal).where(Proposal.number == number))
        assert proposal is not None
        result, _, _ = ballot_box.provisional(s, proposal)
        assert result.rounds[0].counts["Hazel"] == 2


def test_changing_a_vote_keeps_one_row(db: Database, settings: Settings) -> None:
    w = make_world(db)
    number = make_proposal(db, w.steward, "publicville", settings)
    vote(db, w.member, "publicville", number, {"choice": "yes"}, settings)
    vote(db, w.member, "publicville", number, {"choice": "no"}, settings)
    with db.unit_of_work(write=False) as s:
        rows = list(s.scalars(select(Vote)))
        assert [(v.ballot, v.changes) for v in rows] == [({"choice": "no"}, 1)]
    assert _types(db, "publicville")[-2:] == ["vote.cast", "vote.changed"]


def test_concurrent_votes_by_one_member_leave_one_ballot(db: Database, settings: Settings) -> None:
    w = make_world(db)
    number = make_proposal(db, w.steward, "publicville", settings)
    errors: list[BaseException] = []

    def cast(choice: str) -> None:
        try:
            vote(db, w.member, "publicville", number, {"choice": choice}, settings)
        except Conflict:
            pass
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=cast, args=(c,)) for c in ("yes", "no", "yes", "no")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    with db.unit_of_work(write=False) as s:
        assert s.scalar(select(func.count()).select_from(Vote)) == 1
        report = ledger.verify(s, fetch_community(s, "publicville"), settings)
        assert report.ok, report.problems


def test_who_may_vote(db: Database, settings: Settings) -> None:
    w = make_world(db)
    number = make_proposal(db, w.steward, "publicville", settings)
    with db.unit_of_work() as s:
        late = make_user(s, "Latecomer")
        communities.add_member(s, fetch_community(s, "publicville"), late, "member")
    with pytest.raises(NotFound):
        vote(db, w.outsider, "privatehill", number, {"choice": "yes"}, settings)
    with pytest.raises(Forbidden, match="not a member when voting opened"):
        vote(db, late, "publicville", number, {"choice": "yes"}, settings)
    with pytest.raises(Forbidden):
        vote(db, w.outsider, "publicville", number, {"choice": "yes"}, settings)
    with pytest.raises(Invalid, match="Choose among"):
        vote(db, w.member, "publicville", number, {"choice": "maybe"}, settings)


def test_drafts_are_private_to_author_and_stewards(db: Database, settings: Settings) -> None:
    w = make_world(db)
    number = make_proposal(db, w.member, "publicville", settings, opened=False)
    with db.unit_of_work(write=False) as s:
        c = fetch_community(s, "publicville")
        assert [p.number for p in service.visible_proposals(s, c, Viewer(user=w.steward))] == [
            number
        ]
        assert service.visible_proposals(s, c, Viewer(user=w.custodian)) == []
    with db.unit_of_work() as s, pytest.raises(NotFound):
        service.open_proposal(
            s,
            fetch_community(s, "publicville"),
            Viewer(user=s.get(User, w.custodian.id)),
            number,
            settings,
        )


def test_signed_vote_is_checked_and_kept(db: Database, settings: Settings) -> None:
    import base64

    w = make_world(db)
    key = Ed25519PrivateKey.generate()
    raw = key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    with db.unit_of_work() as s:
        s.get(User, w.member.id).public_key = base64.b64encode(raw).decode()  # type: ignore[union-attr]
    number = make_proposal(db, w.steward, "publicville", settings, rules={"open_results": True})
    with db.unit_of_work(write=False) as s:
        action_hash = s.scalar(select(Proposal.action_hash).where(Proposal.number == number))
    ballot = {"choice": "yes"}
    good = sign_vote(key, vote_message("publicville", number, str(action_hash), ballot))
    with db.unit_of_work() as s, pytest.raises(Invalid, match="signature"):
        service.cast_vote(
            s,
            fetch_community(s, "publicville"),
            Viewer(user=s.get(User, w.member.id)),
            number,
            {"choice": "no"},
            settings,
            signature=good,
        )
    with db.unit_of_work() as s:
        service.cast_vote(
            s,
            fetch_community(s, "publicville"),
            Viewer(user=s.get(User, w.member.id)),
            number,
            ballot,
            settings,
            signature=good,
        )
    with db.unit_of_work(write=False) as s:
        report = ledger.verify(s, fetch_community(s, "publicville"), settings)
        assert report.ok
        assert report.checked_signatures == 1


def test_outcome_change_in_the_last_hour_extends_once(db: Database, settings: Settings) -> None:
    w = make_world(db)
    number = make_proposal(db, w.steward, "publicville", settings, rules={"open_results": True})
    vote(db, w.steward, "publicville", number, {"choice": "no"}, settings)
    soon = utcnow() + timedelta(minutes=30)
    with db.unit_of_work() as s:
        s.execute(update(Proposal).values(closes_at=soon))
    vote(db, w.custodian, "publicville", number, {"choice": "yes"}, settings)  # no -> tie: no
    vote(db, w.member, "publicville", number, {"choice": "yes"}, settings)  # now yes wins
    with db.unit_of_work(write=False) as s:
        proposal = s.scalar(select(Proposal))
        assert proposal is not None
        assert proposal.extended is True
        assert proposal.closes_at is not None
        assert proposal.closes_at > soon + timedelta(minutes=59)
    assert "proposal.extended" in _types(db, "publicville")


def test_any_single_byte_mutation_is_caught_naming_the_entry(
    db: Database, settings: Settings
) -> None:
    w = make_world(db)
    number = make_proposal(db, w.steward, "publicville", settings)
    for user in (w.steward, w.custodian, w.member):
        vote(db, user, "publicville", number, {"choice": "yes"}, settings)
    rng = random.Random(9162)
    with db.unit_of_work(write=False) as s:
        community_id = fetch_community(s, "publicville").id
        rows = [
            (e.seq, e.data)
            for e in s.scalars(
                select(LedgerEntry)
                .where(LedgerEntry.community_id == community_id)
                .order_by(LedgerEntry.seq)
            )
        ]
    for _ in range(25):
        seq, data = rng.choice(rows)
        pos = rng.randrange(len(data))
        bad = (
            data[:pos] + chr((ord(data[pos]) + rng.randrange(1, 90)) % 0x7F or 1) + data[pos + 1 :]
        )
        if bad == data:
            continue
        with db.unit_of_work() as s:
            s.execute(
                update(LedgerEntry)
                .where(LedgerEntry.community_id == community_id, LedgerEntry.seq == seq)
                .values(data=bad)
            )
        with db.unit_of_work(write=False) as s:
            report = ledger.verify(s, fetch_community(s, "publicville"), settings)
            assert not report.ok
            assert report.first_bad == seq
        with db.unit_of_work() as s:
            s.execute(
                update(LedgerEntry)
                .where(LedgerEntry.community_id == community_id, LedgerEntry.seq == seq)
                .values(data=data)
            )


def test_concurrent_execution_happens_once(db: Database, settings: Settings) -> None:
    w = make_world(db)
    _fund(db, "publicville", 100)
    number = make_proposal(db, w.steward, "publicville", settings, action=GRANT)
    for user in (w.steward, w.custodian, w.member):
        vote(db, user, "publicville", number, {"choice": "yes"}, settings)
    let_time_pass(db, "publicville", number, settings)
    outcomes: list[str] = []

    def run() -> None:
        try:
            with db.unit_of_work() as s:
                service.execute_proposal(
                    s,
                    fetch_community(s, "publicville"),
                    Viewer(user=s.get(User, w.steward.id)),
                    number,
                    settings,
                )
            outcomes.append("done")
        except Conflict:
            outcomes.append("conflict")

    threads = [threading.Thread(target=run) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["conflict", "conflict", "done"]
    with db.unit_of_work(write=False) as s:
        assert fetch_community(s, "publicville").settings["treasury_balance"] == 70
    assert _types(db, "publicville").count("proposal.executed") == 1


def test_signature_over_the_ballot_as_sent_is_kept_for_verification(
    db: Database, settings: Settings
) -> None:
    import base64

    w = make_world(db)
    key = Ed25519PrivateKey.generate()
    raw = key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    with db.unit_of_work() as s:
        s.get(User, w.member.id).public_key = base64.b64encode(raw).decode()  # type: ignore[union-attr]
    number = make_proposal(
        db,
        w.steward,
        "publicville",
        settings,
        method="borda",
        options=["A", "B", "C"],
        rules={"open_results": True},
    )
    with db.unit_of_work(write=False) as s:
        action_hash = str(s.scalar(select(Proposal.action_hash).where(Proposal.number == number)))
    sent = {"ranking": ["B", "A"]}  # not the normal form [["B"], ["A"]]
    signature = sign_vote(key, vote_message("publicville", number, action_hash, sent))
    with db.unit_of_work() as s:
        service.cast_vote(
            s,
            fetch_community(s, "publicville"),
            Viewer(user=s.get(User, w.member.id)),
            number,
            sent,
            settings,
            signature=signature,
        )
    with db.unit_of_work(write=False) as s:
        report = ledger.verify(s, fetch_community(s, "publicville"), settings)
        assert report.ok, report.problems
        assert report.checked_signatures == 1


def test_tampered_leaf_hash_or_checkpoint_is_caught(db: Database, settings: Settings) -> None:
    from commonpot.governance.models import Checkpoint

    w = make_world(db)
    number = make_proposal(db, w.steward, "publicville", settings)
    vote(db, w.member, "publicville", number, {"choice": "yes"}, settings)
    with db.unit_of_work() as s:
        community_id = fetch_community(s, "publicville").id
        entry = s.scalar(
            select(LedgerEntry).where(
                LedgerEntry.community_id == community_id, LedgerEntry.seq == 2
            )
        )
        assert entry is not None
        original = entry.leaf_hash
        entry.leaf_hash = ("0" if original[0] != "0" else "1") + original[1:]
    with db.unit_of_work(write=False) as s:
        report = ledger.verify(s, fetch_community(s, "publicville"), settings)
        assert report.first_bad == 2
    with db.unit_of_work() as s:
        s.execute(update(LedgerEntry).where(LedgerEntry.id == entry.id).values(leaf_hash=original))
        last = s.scalar(
            select(Checkpoint)
            .where(Checkpoint.community_id == community_id)
            .order_by(Checkpoint.size.desc())
        )
        assert last is not None
        last.note = last.note.replace(f"\n{last.size}\n", f"\n{last.size - 1}\n")
    with db.unit_of_work(write=False) as s:
        report = ledger.verify(s, fetch_community(s, "publicville"), settings)
        assert not report.ok
        assert any("checkpoint" in p for p in report.problems)
