"""Conviction-voted grants: members stake tokens on requests, conviction grows with time.

Parameters live in the community's settings under "conviction" (decay per step, spending
limit, weight, minimum effective-supply ratio, step length, tokens per member). Conviction
is advanced in whole steps whenever grants are read or stakes change; the engine is exact,
and the stored value is kept as a fraction rounded to a denominator of at most 10^9 so it
stays small. A grant whose conviction reaches its threshold is paid from its pool through
the `grant` action, once, and its stakes are released.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from fractions import Fraction
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from commonpot import actions, communities
from commonpot.accounts import Viewer
from commonpot.communities import Community, Membership
from commonpot.db import utcnow
from commonpot.errors import Conflict, Invalid, NotFound
from commonpot.governance import conviction, ledger
from commonpot.governance.models import Grant, Stake
from commonpot.settings import Settings
from commonpot.tenancy import select_scoped

DEFAULTS: dict[str, Any] = {
    "decay": "9/10",
    "spending_limit": "1/5",
    "weight": "1/400",
    "min_stake_ratio": "1/20",
    "step_seconds": 3600,
    "tokens_per_member": 100,
}


def parameters(community: Community) -> tuple[conviction.ConvictionParams, int, int]:
    """(engine parameters, step seconds, tokens per member) for the community."""
    raw = {**DEFAULTS, **(community.settings or {}).get("conviction", {})}
    try:
        params = conviction.ConvictionParams(
            decay=Fraction(str(raw["decay"])),
            spending_limit=Fraction(str(raw["spending_limit"])),
            weight=Fraction(str(raw["weight"])),
            min_stake_ratio=Fraction(str(raw["min_stake_ratio"])),
        )
    except (ValueError, ZeroDivisionError) as exc:
        raise Invalid(
            "Conviction settings: %(problem)s", field="conviction", problem=str(exc)
        ) from None
    return params, max(60, int(raw["step_seconds"])), max(1, int(raw["tokens_per_member"]))


def _staked(session: Session, grant: Grant) -> int:
    total = session.scalar(select(func.sum(Stake.amount)).where(Stake.grant_id == grant.id))
    return int(total or 0)


def _supply(session: Session, community: Community, tokens: int) -> int:
    members = session.scalar(
        select_scoped(Membership, community.id).with_only_columns(func.count())
    )
    return int(members or 0) * tokens


def open_grants(session: Session, community: Community) -> list[Grant]:
    """Grants still gathering conviction, and those decided, newest first."""
    return list(session.scalars(select_scoped(Grant, community.id).order_by(Grant.number.desc())))


def _threshold(session: Session, community: Community, grant: Grant) -> Fraction | None:
    """Exact conviction the grant needs now (None: it asks for too much of the pool)."""
    params, _, tokens = parameters(community)
    all_staked = int(
        session.scalar(
            select(func.sum(Stake.amount))
            .join(Grant, Grant.id == Stake.grant_id)
            .where(Grant.community_id == community.id, Grant.state == "open")
        )
        or 0
    )
    supply = conviction.effective_supply(all_staked, _supply(session, community, tokens), params)
    pool = int((community.settings or {}).get(f"{grant.pool}_balance", 0))
    return conviction.threshold(grant.requested, pool, supply, params)


def status(session: Session, community: Community, grant: Grant) -> dict[str, Any]:
    """Conviction, stake, threshold and steps to pass, for display."""
    params, _, _ = parameters(community)
    staked = _staked(session, grant)
    needed = _threshold(session, community, grant)
    current = Fraction(grant.conviction)
    steps = None
    if needed is not None and staked:
        steps = conviction.steps_to_reach(staked, needed, params.decay, start=current)
    return {
        "staked": staked,
        "conviction": float(current),
        "threshold": float(needed) if needed is not None else None,
        "progress": min(1.0, float(current / needed)) if needed else 0.0,
        "steps_to_pass": steps,
        "pool_balance": int((community.settings or {}).get(f"{grant.pool}_balance", 0)),
    }


def is_due(session: Session, community: Community) -> bool:
    """True when some open grant has a whole conviction step to take."""
    _, step_seconds, _ = parameters(community)
    now = utcnow()
    return any(
        g.state == "open" and (now - g.updated_at).total_seconds() >= step_seconds
        for g in open_grants(session, community)
    )


def advance_all(session: Session, community: Community, settings: Settings | None) -> list[Grant]:
    """Advance every open grant's conviction to now, then fund those over threshold."""
    ledger.lock(session, community)  # one advancer at a time: a grant is funded once
    params, step_seconds, _ = parameters(community)
    now = utcnow()
    funded: list[Grant] = []
    fresh = (  # re-read under the lock: another request may have just funded one
        select_scoped(Grant, community.id)
        .where(Grant.state == "open")
        .order_by(Grant.number.desc())
        .execution_options(populate_existing=True)
    )
    grants = list(session.scalars(fresh))
    for grant in grants:
        _advance(session, grant, params, step_seconds, now)
    for grant in grants:
        needed = _threshold(session, community, grant)
        reached = needed is not None and Fraction(grant.conviction) >= needed
        if reached and _staked(session, grant):
            _fund(session, community, grant, settings)
            funded.append(grant)
    return funded


def _advance(
    session: Session,
    grant: Grant,
    params: conviction.ConvictionParams,
    step_seconds: int,
    now: datetime,
) -> None:
    steps = int((now - grant.updated_at).total_seconds() // step_seconds)
    if steps <= 0:
        return
    value = conviction.after(
        steps, _staked(session, grant), params.decay, Fraction(grant.conviction)
    )
    grant.conviction = str(value.limit_denominator(10**9))
    grant.updated_at = grant.updated_at + timedelta(seconds=steps * step_seconds)


def _fund(session: Session, community: Community, grant: Grant, settings: Settings | None) -> None:
    action = actions.get("grant")
    params = {"pool": grant.pool, "amount": grant.requested, "recipient": grant.recipient}
    try:
        with session.begin_nested():
            done = action.execute(session, community, params, Viewer(user=None))
    except Invalid as exc:
        ledger.append(
            session, community, "grant.funding_failed", {"grant": grant.number, "error": exc.detail}
        )
        ledger.seal(session, community, settings)
        return
    grant.state = "funded"
    grant.funded_at = utcnow()
    for stake in session.scalars(select(Stake).where(Stake.grant_id == grant.id)):
        session.delete(stake)
    ledger.append(
        session,
        community,
        "grant.funded",
        {"grant": grant.number, "conviction": grant.conviction, "outcome": done.words()},
    )
    ledger.seal(session, community, settings)


def create_grant(
    session: Session,
    community: Community,
    viewer: Viewer,
    settings: Settings | None,
    *,
    title: str,
    recipient: str,
    requested: int,
    pool: str = "treasury",
    body: str = "",
) -> Grant:
    """Ask for funding from a pool (members); conviction starts at zero."""
    communities.require_member(session, community, viewer)
    ledger.lock(session, community)  # before numbering: numbers and entries stay in step
    if not 3 <= len(title.strip()) <= 200:
        raise Invalid("Give the request a title of 3 to 200 characters.", field="title")
    params = actions.get("grant").validate(
        session, community, {"pool": pool, "amount": requested, "recipient": recipient}
    )
    number = 1 + int(
        session.scalar(select_scoped(Grant, community.id).with_only_columns(func.max(Grant.number)))
        or 0
    )
    grant = Grant(
        community_id=community.id,
        number=number,
        title=title.strip(),
        body=body.strip()[:5000],
        recipient=params["recipient"],
        pool=params["pool"],
        requested=params["amount"],
        author_id=viewer.user_id,
    )
    session.add(grant)
    session.flush()
    ledger.append(
        session,
        community,
        "grant.requested",
        {
            "grant": number,
            "title": grant.title,
            "pool": grant.pool,
            "amount": grant.requested,
            "recipient": grant.recipient,
        },
    )
    ledger.seal(session, community, settings)
    return grant


def stake(
    session: Session,
    community: Community,
    viewer: Viewer,
    number: int,
    amount: int,
    settings: Settings | None,
) -> Stake | None:
    """Set the viewer's stake on a grant (0 withdraws it); stakes across grants are capped."""
    me = communities.require_member(session, community, viewer)
    advance_all(session, community, settings)
    grant = session.scalar(select_scoped(Grant, community.id).where(Grant.number == number))
    if grant is None:
        raise NotFound("No grant request #%(number)s here.", number=str(number))
    if grant.state != "open":
        raise Conflict("This request is no longer gathering support.")
    if amount < 0:
        raise Invalid("Stake zero or more tokens.", field="amount")
    _, _, tokens = parameters(community)
    mine = list(
        session.scalars(
            select(Stake)
            .join(Grant, Grant.id == Stake.grant_id)
            .where(Stake.user_id == me.user_id, Grant.community_id == community.id)
        )
    )
    elsewhere = sum(s.amount for s in mine if s.grant_id != grant.id)
    if elsewhere + amount > tokens:
        raise Invalid(
            "You have %(free)s tokens free (of %(tokens)s).",
            field="amount",
            free=tokens - elsewhere,
            tokens=tokens,
        )
    current = next((s for s in mine if s.grant_id == grant.id), None)
    if amount == 0:
        if current is not None:
            session.delete(current)
    elif current is None:
        current = Stake(community_id=community.id, grant_id=grant.id, user_id=me.user_id, amount=0)
        session.add(current)
    if current is not None and amount:
        current.amount = amount
        current.updated_at = utcnow()
    session.flush()
    ledger.append(
        session,
        community,
        "grant.staked",
        {"grant": number, "member": me.user_id, "amount": amount},
    )
    ledger.seal(session, community, settings)
    return current if amount else None
