"""The constitution: floors per kind of action, refused proposals, amendments, the demo."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select, update

from commonpot import demo
from commonpot.accounts.models import User
from commonpot.accounts.service import Viewer
from commonpot.communities import service as communities
from commonpot.communities.models import Membership
from commonpot.db import Database
from commonpot.errors import Conflict, Invalid
from commonpot.governance import constitution, ledger, service
from commonpot.governance.models import Constitution, LedgerEntry, Proposal, State
from commonpot.settings import Settings
from tests.factories.accounts import bearer, form, make_user, make_world, sign_in
from tests.factories.governance import fetch_community, let_time_pass, make_proposal, vote

API = "/api/communities/publicville"
PAGES = "/communities/publicville/governance"


def _count(db: Database, model: Any) -> int:
    with db.unit_of_work(write=False) as s:
        return int(s.scalar(select(func.count()).select_from(model)) or 0)


def _grow(db: Database, extra: int) -> list[User]:
    """Add members to publicville (so one member is well below a fifth of them)."""
    with db.unit_of_work() as s:
        c = fetch_community(s, "publicville")
        people = [make_user(s, f"Neighbour {i}") for i in range(extra)]
        for person in people:
            communities.add_member(s, c, person, "member")
        return people


@pytest.mark.parametrize(
    ("rules", "field"),
    [
        ({"quorum": "0"}, "rules.quorum"),
        ({"threshold": "0"}, "rules.threshold"),
        ({"voting_seconds": 60}, "rules.voting_seconds"),
        ({"timelock_seconds": 0}, "rules.timelock_seconds"),
    ],
)
def test_rules_below_the_floor_are_refused_naming_the_field(
    client: TestClient, db: Database, rules: dict[str, Any], field: str
) -> None:
    w = make_world(db)
    headers = bearer(db, w.member)
    response = client.post(
        f"{API}/proposals",
        json={
            "title": "Make my friend a steward",
            "action": {
                "kind": "admit_member",
                "params": {"user_id": w.outsider.id, "role": "steward"},
            },
            "rules": rules,
        },
        headers=headers,
    )
    assert response.status_code == 422, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["field"] == field
    assert _count(db, Proposal) == 0


def test_the_attack_rules_all_at_once_store_nothing(client: TestClient, db: Database) -> None:
    w = make_world(db)
    entries = _count(db, LedgerEntry)
    response = client.post(
        f"{API}/proposals",
        json={
            "title": "Make my friend a steward",
            "action": {
                "kind": "admit_member",
                "params": {"user_id": w.outsider.id, "role": "steward"},
            },
            "rules": {
                "quorum": "0",
                "threshold": "0",
                "voting_seconds": 60,
                "timelock_seconds": 0,
            },
        },
        headers=bearer(db, w.member),
    )
    assert response.status_code == 422
    assert response.json()["field"] == "rules.quorum"
    assert _count(db, Proposal) == 0
    assert _count(db, LedgerEntry) == entries


def test_one_member_alone_cannot_make_an_outsider_a_steward(
    db: Database, settings: Settings
) -> None:
    w = make_world(db)
    _grow(db, 4)  # seven members: one vote is 1/7, below the quorum of 1/5
    admit = {"kind": "admit_member", "params": {"user_id": w.outsider.id, "role": "steward"}}
    number = make_proposal(db, w.member, "publicville", settings, action=admit)
    with db.unit_of_work(write=False) as s:
        proposal = s.scalar(select(Proposal).where(Proposal.number == number))
        assert proposal is not None
        assert proposal.rules["quorum"] == "1/5"
        assert proposal.rules["voting_seconds"] >= 72 * 3600
        assert proposal.rules["timelock_seconds"] >= 24 * 3600
        assert proposal.floor is not None and proposal.floor["version"] == 1
    vote(db, w.member, "publicville", number, {"choice": "yes"}, settings)
    with db.unit_of_work() as s, pytest.raises(Conflict):  # cannot count early alone
        c = fetch_community(s, "publicville")
        service.close_proposal(s, c, Viewer(user=s.get(User, w.member.id)), number, settings)
    let_time_pass(db, "publicville", number, settings)
    with db.unit_of_work() as s:
        c = fetch_community(s, "publicville")
        proposal = service.get_proposal(s, c, Viewer(user=s.get(User, w.member.id)), number)
        assert proposal.state == State.DEFEATED.value
        with pytest.raises(Conflict):
            service.execute_proposal(s, c, Viewer(user=s.get(User, w.member.id)), number, settings)
    with db.unit_of_work(write=False) as s:
        found = s.scalar(select(Membership).where(Membership.user_id == w.outsider.id))
        assert found is None


def test_execution_rechecks_the_floor_frozen_at_open(db: Database, settings: Settings) -> None:
    w = make_world(db)
    admit = {"kind": "admit_member", "params": {"user_id": w.outsider.id, "role": "steward"}}
    number = make_proposal(db, w.member, "publicville", settings, action=admit)
    for user in (w.steward, w.custodian, w.member):
        vote(db, user, "publicville", number, {"choice": "yes"}, settings)
    let_time_pass(db, "publicville", number, settings)
    # rules weakened behind the constitution's back (an old row, a bad migration, a bug)
    with db.unit_of_work() as s:
        proposal = s.scalar(select(Proposal).where(Proposal.number == number))
        assert proposal is not None and proposal.state == State.QUEUED.value
        s.execute(
            update(Proposal)
            .where(Proposal.id == proposal.id)
            .values(rules={**proposal.rules, "timelock_seconds": 0})
        )
    with db.unit_of_work() as s, pytest.raises(Conflict, match="constitution"):
        c = fetch_community(s, "publicville")
        service.execute_proposal(s, c, Viewer(user=s.get(User, w.member.id)), number, settings)
    with db.unit_of_work(write=False) as s:
        assert s.scalar(select(Membership).where(Membership.user_id == w.outsider.id)) is None


def _amend(changes: dict[str, Any]) -> dict[str, Any]:
    return {"kind": "amend_constitution", "params": {"floors": changes}}


STRICT = {"quorum": "3/10", "threshold": "2/3", "inclusive": True, "voting_seconds": 7 * 86400}


def test_changing_the_constitution_needs_the_stricter_rule(
    db: Database, settings: Settings
) -> None:
    w = make_world(db)
    new_text = {
        "quorum": "1/4",
        "threshold": "1/2",
        "inclusive": False,
        "voting_seconds": 2 * 86400,
        "timelock_seconds": 0,
    }
    # the ordinary floor for actions is not enough for an amendment
    with pytest.raises(Invalid) as refused:
        make_proposal(
            db,
            w.steward,
            "publicville",
            settings,
            action=_amend({"text": new_text}),
            rules={"quorum": "1/5", "threshold": "1/2", "voting_seconds": 3 * 86400},
        )
    assert refused.value.field in {"rules.quorum", "rules.threshold", "rules.voting_seconds"}
    # no amendment may go below the hard floor, nor weaken the amendment rule below its own
    for changes, field in (
        ({"text": {**new_text, "quorum": "0"}}, "action.params.floors.text.quorum"),
        (
            {"amend_constitution": {**new_text, "timelock_seconds": 86400}},
            "action.params.floors.amend_constitution.threshold",
        ),
    ):
        with pytest.raises(Invalid) as bad:
            make_proposal(
                db, w.steward, "publicville", settings, action=_amend(changes), rules=STRICT
            )
        assert bad.value.field == field
    assert _count(db, Proposal) == 0
    number = make_proposal(
        db, w.steward, "publicville", settings, action=_amend({"text": new_text}), rules=STRICT
    )
    for user, choice in ((w.steward, "yes"), (w.custodian, "yes"), (w.member, "no")):
        vote(db, user, "publicville", number, {"choice": choice}, settings)
    let_time_pass(db, "publicville", number, settings)
    with db.unit_of_work() as s:
        c = fetch_community(s, "publicville")
        done = service.execute_proposal(
            s, c, Viewer(user=s.get(User, w.steward.id)), number, settings
        )
        assert done.state == State.EXECUTED.value, done.outcome
        version, floors = constitution.floors(s, c)
        assert version == 2
        assert floors["text"]["quorum"] == "1/4"
        types = [json.loads(d)["type"] for d in s.scalars(select(LedgerEntry.data))]
        assert types.count("constitution.adopted") == 1
        assert types.count("constitution.amended") == 1
        assert ledger.verify(s, c, settings).ok
    # proposals in words now need a quarter of the members
    with pytest.raises(Invalid) as low:
        make_proposal(db, w.member, "publicville", settings, rules={"quorum": "1/5"})
    assert low.value.field == "rules.quorum"


def test_two_thirds_are_needed_to_amend(db: Database, settings: Settings) -> None:
    w = make_world(db)
    change = {
        "*": {
            "quorum": "1/4",
            "threshold": "1/2",
            "inclusive": False,
            "voting_seconds": 3 * 86400,
            "timelock_seconds": 86400,
        }
    }
    number = make_proposal(
        db, w.steward, "publicville", settings, action=_amend(change), rules=STRICT
    )
    vote(db, w.steward, "publicville", number, {"choice": "yes"}, settings)
    vote(db, w.custodian, "publicville", number, {"choice": "no"}, settings)
    let_time_pass(db, "publicville", number, settings)
    with db.unit_of_work(write=False) as s:
        c = fetch_community(s, "publicville")
        assert constitution.floors(s, c)[0] == 1
        assert s.scalar(select(Proposal.state)) == State.DEFEATED.value
        assert _count_rows(s, c.id) == 1


def _count_rows(s: Any, community_id: int) -> int:
    return int(
        s.scalar(
            select(func.count())
            .select_from(Constitution)
            .where(Constitution.community_id == community_id)
        )
        or 0
    )


def test_constitution_is_readable_over_the_api_and_on_the_page(
    client: TestClient, db: Database
) -> None:
    make_world(db)
    got = client.get(f"{API}/constitution")
    assert got.status_code == 200
    body = got.json()
    assert body["version"] == 0
    assert body["floors"]["*"]["quorum"] == "1/5"
    assert body["floors"]["*"]["voting_seconds"] == 72 * 3600
    assert body["floors"]["amend_constitution"]["threshold"] == "2/3"
    assert client.put(f"{API}/constitution", json={}).status_code == 405
    page = client.get(PAGES)
    assert 'id="constitution"' in page.text
    assert "≥ 20 %" in page.text
    assert client.get("/api/communities/privatehill/constitution").status_code == 404


def test_form_starts_at_the_floor_and_explains_a_refusal(client: TestClient, db: Database) -> None:
    w = make_world(db)
    sign_in(client, db, w.member)
    page = client.get(PAGES)
    assert 'name="quorum" value="1/5"' in page.text
    assert re.search(r'name="voting_hours" [^>]*value="72"', page.text)
    assert re.search(r'name="timelock_hours" [^>]*value="24"', page.text)
    refused = client.post(
        f"{PAGES}/proposals",
        data=form(
            {
                "title": "Make my friend a steward",
                "method": "majority",
                "quorum": "0",
                "voting_hours": "72",
                "timelock_hours": "24",
                "action_kind": "admit_member",
                "user_id": str(w.outsider.id),
                "role": "steward",
            }
        ),
    )
    assert refused.status_code == 422
    assert 'id="proposal-error"' in refused.text
    assert "quorum must be at least 1/5 of the members" in refused.text
    assert 'name="quorum" value="0" aria-describedby="p-quorum-hint" aria-invalid="true"' in (
        refused.text
    )
    assert 'value="Make my friend a steward"' in refused.text
    assert _count(db, Proposal) == 0


def test_demo_proposals_meet_the_constitution_and_ledgers_verify(
    db: Database, settings: Settings
) -> None:
    with db.unit_of_work() as s:
        demo.load(s)
    with db.unit_of_work() as s:
        proposals = list(s.scalars(select(Proposal)))
        assert len(proposals) >= 6
        for p in proposals:
            c = s.get(type(fetch_community(s, "riverside")), p.community_id)
            assert c is not None
            _, floors = constitution.floors(s, c)
            floor = p.floor or constitution.floor_for(floors, p.action["kind"])
            assert constitution.shortfall(p.rules, floor, p.method) is None, p.title
        states = {p.title: p.state for p in proposals}
        assert states["Who keeps the seed library this season?"] == State.EXECUTED.value
        assert list(states.values()).count(State.EXECUTED.value) >= 5
        for slug in ("riverside", "hillside"):
            c = fetch_community(s, slug)
            ledger.seal(s, c, settings)
            report = ledger.verify(s, c, settings)
            assert report.ok, report.problems


def test_allocation_runs_and_crop_plans_are_held_to_the_same_floor(db: Database) -> None:
    from commonpot.ecology.models import CropPlan
    from commonpot.network.models import AllocationRun, RunStatus

    with db.unit_of_work() as s:
        demo.load(s)
    with db.unit_of_work() as s:
        river = fetch_community(s, "riverside")
        amara = Viewer(user=s.scalar(select(User).where(User.email == "amara@riverside.example")))
        run = s.scalar(
            select(AllocationRun).where(
                AllocationRun.community_id == river.id,
                AllocationRun.status == RunStatus.DRAFT.value,
            )
        )
        plan = s.scalar(select(CropPlan).where(CropPlan.community_id == river.id))
        assert run is not None and plan is not None
        before = s.scalar(select(func.count()).select_from(Proposal))
        for action, rules, field in (
            (
                {"kind": "commit_allocation_run", "params": {"run_id": run.id}},
                {"timelock_seconds": 0},
                "rules.timelock_seconds",
            ),
            (
                {"kind": "adopt_crop_plan", "params": {"plan_id": plan.id}},
                {"quorum": "1/10"},
                "rules.quorum",
            ),
        ):
            with pytest.raises(Invalid) as refused:
                service.create_proposal(
                    s, river, amara, title="Move the food now", action=action, rules=rules
                )
            assert refused.value.field == field
            made = service.create_proposal(s, river, amara, title="Move it in time", action=action)
            assert made.rules["quorum"] == "1/5"
            assert made.rules["timelock_seconds"] >= 24 * 3600
        assert s.scalar(select(func.count()).select_from(Proposal)) == before + 2


def test_a_draft_below_the_floor_cannot_open_and_leaves_no_trace(
    client: TestClient, db: Database, settings: Settings
) -> None:
    w = make_world(db)
    number = make_proposal(db, w.member, "publicville", settings, opened=False)
    with db.unit_of_work() as s:  # a draft from before the constitution, with rules too weak
        proposal = s.scalar(select(Proposal))
        assert proposal is not None
        s.execute(
            update(Proposal)
            .where(Proposal.id == proposal.id)
            .values(rules={**proposal.rules, "quorum": "0"})
        )
    entries = _count(db, LedgerEntry)
    refused = client.post(f"{API}/proposals/{number}/open", headers=bearer(db, w.member))
    assert refused.status_code == 422
    assert refused.json()["field"] == "rules.quorum"
    sign_in(client, db, w.member)
    page = client.post(f"{PAGES}/proposals/{number}/open", data=form({}), follow_redirects=True)
    assert "quorum must be at least" in page.text
    assert _count(db, LedgerEntry) == entries
    assert _count(db, Constitution) == 0
    with db.unit_of_work(write=False) as s:
        assert s.scalar(select(Proposal.state)) == State.DRAFT.value
