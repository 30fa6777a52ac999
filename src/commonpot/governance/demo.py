"""Demo governance: decided, executed and open proposals in riverside, a private one in hillside.

Checkpoints are signed by the server on first read (the demo loader has no instance key).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from commonpot.accounts.models import User
from commonpot.accounts.service import Viewer
from commonpot.communities.models import Community
from commonpot.communities.service import set_setting
from commonpot.demo import DemoContext
from commonpot.errors import DomainError
from commonpot.governance import delegation, grants, service

QUICK = {"timelock_seconds": 0, "voting_seconds": 7 * 24 * 3600}


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
    service.close_proposal(session, community, _as(steward), number, None)
    if proposal.state == "queued":
        service.execute_proposal(session, community, _as(steward), number, None)
    return number


def _draft_run(session: Session, community: Community, steward: User) -> int | None:
    """A fresh draft allocation run for the community to vote on (None without a network)."""
    try:
        from commonpot.network import runs
    except ImportError:  # pragma: no cover - network domain absent
        return None
    try:
        with session.begin_nested():
            return int(runs.create_run(session, community, _as(steward)).id)
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
        rules=QUICK,
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
        rules={**QUICK, "quorum": "1/2"},
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
        rules=QUICK,
    )
    active = service.create_proposal(
        session,
        river,
        _as(u["rosa"]),
        title="Which evenings should the community kitchen open?",
        body="Tick every evening you could cook or eat with us.",
        method="approval",
        options=["Monday", "Wednesday", "Friday", "Sunday"],
        rules={**QUICK, "open_results": True},
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
        rules=QUICK,
    )
    ctx.notes.append(
        "governance: riverside has 3 decided proposals (IRV crop choice, "
        + ("an allocation run commit" if run_id else "a charter")
        + ", a seed grant) and an open approval vote; see /communities/riverside/governance"
    )
