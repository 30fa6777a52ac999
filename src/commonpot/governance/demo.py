"""Demo governance: decided, executed and open proposals in riverside, a private one in hillside.

Every proposal meets the community's constitution. Instead of weakening the rules, the
demo lets time pass: once the votes are in it moves a proposal's voting period, and then
its timelock, into the past (`_let_time_pass`). Checkpoints are signed by the server on
first read (the demo loader has no instance key).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy.orm import Session

from commonpot.accounts import User, Viewer
from commonpot.communities import Community, set_setting
from commonpot.db import utcnow
from commonpot.demo import DemoContext
from commonpot.errors import DomainError
from commonpot.governance import delegation, grants, service
from commonpot.governance.models import Proposal, State
from commonpot.words import said


def _as(user: User) -> Viewer:
    return Viewer(user=user)


def _decide(
    session: Session,
    community: Community,
    steward: User,
    ballots: list[tuple[User, dict[str, Any]]],
    **fields: Any,
) -> int:
    """Draft, open, vote, count and carry out one proposal; returns its number."""
    proposal = service.create_proposal(session, community, _as(steward), **fields)
    number = proposal.number
    service.open_proposal(session, community, _as(steward), number, None)
    for user, ballot in ballots:
        service.cast_vote(session, community, _as(user), number, ballot, None)
    _let_time_pass(session, community, proposal)
    if proposal.state == State.QUEUED.value:
        service.execute_proposal(session, community, _as(steward), number, None)
    return number


def _let_time_pass(session: Session, community: Community, proposal: Proposal) -> None:
    """Move the voting period, then the timelock, into the past (the demo cannot wait days)."""
    now = utcnow()
    minute = timedelta(minutes=1)
    proposal.closes_at = now - minute
    proposal.opens_at = proposal.closes_at - timedelta(seconds=proposal.rules["voting_seconds"])
    service.advance(session, community, proposal, None)
    if proposal.state == State.QUEUED.value and proposal.executable_at is not None:
        proposal.executable_at = min(proposal.executable_at, now - minute)


def _draft_run(session: Session, community: Community, steward: User) -> int | None:
    """A fresh draft allocation run for the community to vote on (None without a network)."""
    try:
        from commonpot import network
    except ImportError:  # pragma: no cover - network domain absent
        return None
    try:
        with session.begin_nested():
            return int(network.create_run(session, community, _as(steward)).id)
    except DomainError:
        return None


def load(session: Session, ctx: DemoContext) -> None:
    """Add the governance demo data."""
    u = ctx.users
    river = ctx.communities["riverside"]
    voters = [u[k] for k in ("amara", "rosa", "tomas", "lina", "kenji", "sam", "priya")]
    rankings = [
        ["Tepary beans", "Amaranth", "Okra"],
        ["Amaranth", "Tepary beans"],
        ["Okra", "Sweet potato", "Amaranth"],
        ["Sweet potato", "Okra"],
        ["Amaranth", "Okra", "Tepary beans"],
        ["Okra", "Amaranth"],
        ["Tepary beans", "Sweet potato", "Amaranth"],
    ]
    _decide(
        session,
        river,
        u["amara"],
        [(v, {"ranking": r}) for v, r in zip(voters, rankings, strict=True)],
        title="Which crop for the new South Dome terrace?",
        body="The terrace gets full sun and little water. Rank the crops you would tend.",
        method="irv",
        options=["Amaranth", "Tepary beans", "Okra", "Sweet potato"],
    )
    run_id = _draft_run(session, river, u["amara"])
    if run_id is not None:
        action: dict[str, Any] = {"kind": "commit_allocation_run", "params": {"run_id": run_id}}
        title = f"Commit allocation run {run_id} (this week's harvest share)"
    else:
        action = {"kind": "text", "params": {"note": "Harvest shares follow the fairness report."}}
        title = "Adopt the harvest-sharing charter"
    yes = [(v, {"choice": "yes"}) for v in voters[:5]] + [
        (voters[5], {"choice": "no"}),
        (voters[6], {"choice": "abstain"}),
    ]
    _decide(
        session,
        river,
        u["amara"],
        yes,
        title=title,
        body="Shares are computed by the allocation engine; see the fairness report.",
        action=action,
        rules={"quorum": "1/2"},
    )
    set_setting(session, river, "seed_bank_balance", 500)
    _decide(
        session,
        river,
        u["amara"],
        [(v, {"choice": "yes"}) for v in voters[:6]] + [(voters[6], {"choice": "no"})],
        title="Seed grant for Kenji's heritage squash trials",
        action={
            "kind": "grant",
            "params": {"pool": "seed_bank", "amount": 120, "recipient": "Kenji Watanabe"},
        },
    )
    # an election of people: a secret ballot by default, its ballots published shuffled
    _decide(
        session,
        river,
        u["amara"],
        [
            (voters[i], {"choice": name})
            for i, name in enumerate(
                ["Lina Delgado", "Kenji Watanabe", "Lina Delgado", "Lina Delgado", "Kenji Watanabe"]
            )
        ],
        title="Who keeps the seed library this season?",
        body="Secret ballot: the ledger shows who voted, and after the count the ballots only.",
        method="plurality",
        options=["Lina Delgado", "Kenji Watanabe"],
    )
    active = service.create_proposal(
        session,
        river,
        _as(u["rosa"]),
        title="Which evenings should the community kitchen open?",
        body="Tick every evening you could cook or eat with us.",
        method="approval",
        options=["Monday", "Wednesday", "Friday", "Sunday"],
        rules={"open_results": True},
    )
    service.open_proposal(session, river, _as(u["rosa"]), active.number, None)
    for user, days in [
        (u["rosa"], ["Friday", "Sunday"]),
        (u["tomas"], ["Wednesday", "Friday"]),
        (u["kenji"], ["Sunday"]),
    ]:
        service.cast_vote(session, river, _as(user), active.number, {"approve": days}, None)
    delegation.delegate(session, river, _as(u["sam"]), u["lina"].id, None)
    set_setting(session, river, "treasury_balance", 2000)
    tanks = grants.create_grant(
        session,
        river,
        _as(u["kenji"]),
        None,
        title="Rainwater tanks for the South Dome",
        recipient="South Dome growers",
        requested=300,
        body="Two 5000-litre tanks so the dry dome can water through August.",
    )
    for key, amount in (("kenji", 60), ("tomas", 40), ("lina", 25)):
        grants.stake(session, river, _as(u[key]), tanks.number, amount, None)
    hill = ctx.communities["hillside"]
    _decide(
        session,
        hill,
        u["miriam"],
        [(u[k], {"choice": "yes"}) for k in ("miriam", "jonah", "wren", "priya")],
        title="Share the root cellar with the school",
    )
    ctx.notes.append(
        said(
            "governance: riverside has 4 decided proposals (IRV crop choice, an allocation run "
            "commit, a seed grant, a secret-ballot election) and an open approval vote, all "
            "within its constitution; see /communities/riverside/governance"
        )
        if run_id
        else said(
            "governance: riverside has 4 decided proposals (IRV crop choice, a charter, a seed "
            "grant, a secret-ballot election) and an open approval vote, all within its "
            "constitution; see /communities/riverside/governance"
        )
    )
