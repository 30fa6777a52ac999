"""Race suite: many clients at once against two server processes on one PostgreSQL database.

Each case asserts exact final counts, that no request failed on the server's side (5xx),
and, where the ledger is involved, that `commonpot ledger verify` accepts it.
"""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select, update

from commonpot.accounts.service import Viewer
from commonpot.communities import service as communities
from commonpot.communities.models import Membership
from commonpot.db import utcnow
from commonpot.ecology import service as ecology
from commonpot.ecology.models import Crop
from commonpot.events.models import Registration
from commonpot.governance.models import LedgerEntry, Proposal, Vote
from commonpot.network import runs
from commonpot.network import service as network
from commonpot.network.models import AllocationRun, Harvest, Offer
from tests.concurrency.conftest import (
    Servers,
    community,
    fire,
    make_crowd,
    no_server_errors,
    statuses,
    token_headers,
)
from tests.factories.accounts import make_place, make_user
from tests.factories.events import make_event
from tests.factories.governance import make_proposal
from tests.factories.network import add_need, add_offer

pytestmark = [pytest.mark.postgres, pytest.mark.slow]


def slug(prefix: str) -> str:
    """A community slug no other test uses."""
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


def ledger_size(servers: Servers, name: str) -> int:
    """Entries in the community's ledger."""
    with servers.db.unit_of_work(write=False) as s:
        found = community(s, name)
        return int(
            s.scalar(
                select(func.count())
                .select_from(LedgerEntry)
                .where(LedgerEntry.community_id == found.id)
            )
            or 0
        )


def test_votes_on_four_proposals_at_once(servers: Servers) -> None:
    """60 members each vote on two of four proposals at once: every vote counts, no 500."""
    crowd = make_crowd(servers.db, 60, slug("votes"))
    numbers = [
        make_proposal(servers.db, crowd.steward, crowd.slug, servers.settings, title=f"Idea {i}")
        for i in range(4)
    ]
    before = ledger_size(servers, crowd.slug)

    def voter(i: int, number: int) -> Any:
        def call(client: httpx.Client) -> httpx.Response:
            return client.put(
                f"/api/communities/{crowd.slug}/proposals/{number}/vote",
                json={"ballot": {"choice": "yes" if i % 3 else "no"}},
                headers=crowd.headers[i],
            )

        return call

    calls = [voter(i, numbers[(i + k) % 4]) for i in range(60) for k in (0, 1)]
    responses = fire(servers.url, calls, clients=60)

    no_server_errors(responses)
    assert statuses(responses) == {200: 120}
    with servers.db.unit_of_work(write=False) as s:
        found = community(s, crowd.slug)
        for number in numbers:
            proposal_id = s.scalar(
                select(Proposal.id).where(
                    Proposal.community_id == found.id, Proposal.number == number
                )
            )
            votes = s.scalar(select(func.count()).where(Vote.proposal_id == proposal_id))
            assert votes == 30
    assert ledger_size(servers, crowd.slug) == before + 120  # one entry per vote
    servers.verify_ledger(crowd.slug)


def test_invitation_accepts_at_once(servers: Servers) -> None:
    """40 people accept 40 invitations (and 20 try to reuse 10 of them): each used once."""
    crowd = make_crowd(servers.db, 0, slug("invites"))
    with servers.db.unit_of_work() as s:
        found = community(s, crowd.slug)
        steward = Viewer(user=s.get(type(crowd.steward), crowd.steward.id))
        tokens = [communities.create_invitation(s, found, steward)[1] for _ in range(40)]
        people = [make_user(s, f"Newcomer {i}") for i in range(60)]
        headers = [token_headers(s, person) for person in people]
    before = ledger_size(servers, crowd.slug)

    def accept(token: str, person: int) -> Any:
        def call(client: httpx.Client) -> httpx.Response:
            return client.post(
                "/api/invitations/accept", json={"token": token}, headers=headers[person]
            )

        return call

    calls = [accept(tokens[i], i) for i in range(40)]
    calls += [accept(tokens[i % 10], 40 + i) for i in range(20)]  # reused links
    responses = fire(servers.url, calls)

    no_server_errors(responses)
    assert statuses(responses) == {201: 40, 409: 20}
    with servers.db.unit_of_work(write=False) as s:
        found = community(s, crowd.slug)
        members = s.scalar(
            select(func.count()).select_from(Membership).where(Membership.community_id == found.id)
        )
    assert members == 41  # the steward and the 40 who joined
    assert ledger_size(servers, crowd.slug) == before + 40  # one membership.joined each
    servers.verify_ledger(crowd.slug)


def test_harvests_never_pass_the_sustainable_yield(servers: Servers) -> None:
    """60 one-kilo harvests against a 25 kg yield: exactly 25 are logged, the rest refused."""
    crowd = make_crowd(servers.db, 60, slug("harvest"))
    with servers.db.unit_of_work() as s:
        patch = network.save_patch(
            s,
            community(s, crowd.slug),
            Viewer(user=s.get(type(crowd.steward), crowd.steward.id)),
            name="Elder thicket",
            species="Sambucus nigra",
            lat=51.45,
            lon=-2.59,
            sustainable_yield_kg=25.0,
        )
        patch_id = patch.id

    def harvest(i: int) -> Any:
        def call(client: httpx.Client) -> httpx.Response:
            return client.post(
                f"/api/communities/{crowd.slug}/network/patches/{patch_id}/harvests",
                json={"quantity_kg": 1.0},
                headers=crowd.headers[i],
            )

        return call

    responses = fire(servers.url, [harvest(i) for i in range(60)])

    no_server_errors(responses)
    assert statuses(responses) == {201: 25, 409: 35}
    with servers.db.unit_of_work(write=False) as s:
        total = s.scalar(select(func.sum(Harvest.quantity_kg)).where(Harvest.patch_id == patch_id))
    assert total == pytest.approx(25.0)


def test_plantings_never_overfill_a_dome(servers: Servers) -> None:
    """40 one-square-metre plantings into a 15 m² dome: exactly 15 fit."""
    crowd = make_crowd(servers.db, 40, slug("dome"))
    with servers.db.unit_of_work() as s:
        found = community(s, crowd.slug)
        place = make_place(s, found, "Small Dome", kind="biodome", area_m2=15.0)
        place_id = place.id
        s.add(Crop(community_id=found.id, name="Amaranth", genus="Amaranthus", climates=[]))

    def plant(i: int) -> Any:
        def call(client: httpx.Client) -> httpx.Response:
            return client.post(
                f"/api/communities/{crowd.slug}/ecology/plantings",
                json={"place_id": place_id, "crop": "Amaranth", "area_m2": 1.0},
                headers=crowd.headers[i],
            )

        return call

    responses = fire(servers.url, [plant(i) for i in range(40)])

    no_server_errors(responses)
    assert statuses(responses).get(201) == 15
    with servers.db.unit_of_work(write=False) as s:
        assert ecology.used_area(s, s.get(type(place), place_id)) == pytest.approx(15.0)  # type: ignore[arg-type]


def test_event_signups_fill_capacity_exactly(servers: Servers) -> None:
    """50 sign-ups in two roles for 15 places: 15 confirmed, 35 on the waitlist, none twice."""
    crowd = make_crowd(servers.db, 50, slug("event"))
    with servers.db.unit_of_work() as s:
        steward = s.get(type(crowd.steward), crowd.steward.id)
        assert steward is not None
        event = make_event(
            s,
            community(s, crowd.slug),
            steward,
            capacity=15,
            roles=[{"name": "cook", "wanted": 5}, {"name": "helper", "wanted": 10}],
        )
        event_id = event.id

    def sign_up(person: int) -> Any:
        def call(client: httpx.Client) -> httpx.Response:
            return client.post(
                f"/api/communities/{crowd.slug}/events/{event_id}/registrations",
                json={"role": "cook" if person % 2 else "helper"},
                headers=crowd.headers[person],
            )

        return call

    # 50 people, and 10 of them press the button twice
    calls = [sign_up(i) for i in range(50)] + [sign_up(i) for i in range(0, 50, 5)]
    responses = fire(servers.url, calls)

    no_server_errors(responses)
    assert statuses(responses) == {201: 50, 409: 10}
    with servers.db.unit_of_work(write=False) as s:
        rows = s.execute(
            select(Registration.status, Registration.role, func.count())
            .where(Registration.event_id == event_id)
            .group_by(Registration.status, Registration.role)
        ).all()
    by_status: dict[str, int] = {}
    by_role: dict[str, int] = {}
    for status, role, n in rows:
        by_status[status] = by_status.get(status, 0) + n
        by_role[role] = by_role.get(role, 0) + n
    assert by_status == {"confirmed": 15, "waitlisted": 35}
    assert by_role == {"cook": 25, "helper": 25}


def test_run_commits_never_oversell(servers: Servers) -> None:
    """Three draft runs over the same offers, each committed by many clients: one wins."""
    crowd = make_crowd(servers.db, 0, slug("runs"))
    with servers.db.unit_of_work() as s:
        found = community(s, crowd.slug)
        steward = s.get(type(crowd.steward), crowd.steward.id)
        offer_ids = [add_offer(s, found, steward, 10, north_km=k).id for k in range(3)]
        for k in range(6):
            add_need(s, found, steward, 5, north_km=0.5 * k)
        run_ids = [runs.create_run(s, found, Viewer(user=steward)).id for _ in range(3)]

    def commit(run_id: int) -> Any:
        def call(client: httpx.Client) -> httpx.Response:
            return client.post(
                f"/api/communities/{crowd.slug}/network/runs/{run_id}/commit",
                headers=crowd.steward_headers,
            )

        return call

    responses = fire(servers.url, [commit(run_ids[i % 3]) for i in range(30)])

    no_server_errors(responses)
    assert statuses(responses) == {200: 1, 409: 29}
    with servers.db.unit_of_work(write=False) as s:
        committed = s.scalars(
            select(AllocationRun).where(
                AllocationRun.id.in_(run_ids), AllocationRun.status == "committed"
            )
        ).all()
        assert len(committed) == 1
        allocated = {
            o.id: (o.allocated, o.quantity)
            for o in s.scalars(select(Offer).where(Offer.id.in_(offer_ids)))
        }
        lines = runs.lines(s, committed[0])
    assert all(done <= quantity for done, quantity in allocated.values())
    assert sum(done for done, _ in allocated.values()) == sum(line.quantity for line in lines) == 30


def test_seed_bank_grants_never_overspend(servers: Servers) -> None:
    """Five passed proposals each grant 30 from a seed bank of 100, all carried out at once."""
    crowd = make_crowd(servers.db, 1, slug("grants"))
    with servers.db.unit_of_work() as s:
        found = community(s, crowd.slug)
        communities.set_setting(s, found, "seed_bank_balance", 100)
    numbers = [
        make_proposal(
            servers.db,
            crowd.steward,
            crowd.slug,
            servers.settings,
            title=f"Seeds for plot {i}",
            action={
                "kind": "grant",
                "params": {"pool": "seed_bank", "amount": 30, "recipient": f"Plot {i}"},
            },
        )  # the constitution's floors: 72 h of voting, then a 24 h timelock
        for i in range(5)
    ]
    with servers.db.unit_of_work() as s:
        found = community(s, crowd.slug)
        member = Viewer(user=s.get(type(crowd.steward), crowd.members[0].id))
        from commonpot.governance import service as governance

        for number in numbers:
            governance.cast_vote(s, found, member, number, {"choice": "yes"}, servers.settings)
        s.execute(  # voting ended a moment ago
            update(Proposal)
            .where(Proposal.community_id == found.id)
            .values(closes_at=utcnow() - timedelta(seconds=1))
        )
        s.expire_all()
        for proposal in s.scalars(select(Proposal).where(Proposal.community_id == found.id)):
            governance.advance(s, found, proposal, servers.settings)
        s.execute(  # ... and so did the timelock
            update(Proposal)
            .where(Proposal.community_id == found.id)
            .values(executable_at=utcnow() - timedelta(seconds=1))
        )

    def execute(number: int) -> Any:
        def call(client: httpx.Client) -> httpx.Response:
            return client.post(
                f"/api/communities/{crowd.slug}/proposals/{number}/execute",
                headers=crowd.steward_headers,
            )

        return call

    responses = fire(servers.url, [execute(numbers[i % 5]) for i in range(20)])

    no_server_errors(responses)
    with servers.db.unit_of_work(write=False) as s:
        found = community(s, crowd.slug)
        balance = (found.settings or {})["seed_bank_balance"]
        states = s.scalars(select(Proposal.state).where(Proposal.community_id == found.id)).all()
    assert sorted(states).count("executed") == 3
    assert balance == 100 - 3 * 30
    servers.verify_ledger(crowd.slug)


def test_proposal_drafts_get_distinct_numbers(servers: Servers) -> None:
    """20 members draft proposals at once: 20 drafts numbered 1..20, no 500."""
    crowd = make_crowd(servers.db, 20, slug("drafts"))

    def draft(i: int) -> Any:
        def call(client: httpx.Client) -> httpx.Response:
            return client.post(
                f"/api/communities/{crowd.slug}/proposals",
                json={"title": f"Draft idea {i}", "method": "majority"},
                headers=crowd.headers[i],
            )

        return call

    responses = fire(servers.url, [draft(i) for i in range(20)])

    no_server_errors(responses)
    assert statuses(responses) == {201: 20}
    assert sorted(r.json()["number"] for r in responses) == list(range(1, 21))


def test_parallel_password_guesses_stop_at_the_limit(servers: Servers) -> None:
    """30 wrong passwords for one address at once: 5 are checked, 25 refused as too many."""
    with servers.db.unit_of_work() as s:
        target = make_user(s, "Guessed At").email

    def guess(i: int) -> Any:
        def call(client: httpx.Client) -> httpx.Response:
            return client.post(
                "/api/auth/token",
                json={"email": target, "password": f"wrong guess {i}", "token_name": "x"},
            )

        return call

    responses = fire(servers.url, [guess(i) for i in range(30)])

    no_server_errors(responses)
    assert statuses(responses) == {401: 5, 429: 25}
