"""Readable runs: food, people and places instead of ids, for whoever may see them.

Stewards see every line with names and places; members see a committed run's summary and
fairness figures (by group, no names) and only their own lines.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import case, func, or_, select
from sqlalchemy.orm import Session

from commonpot.accounts import User, Viewer
from commonpot.communities import Community
from commonpot.errors import N_, NotFound
from commonpot.network.access import is_steward, require_reader
from commonpot.network.models import (
    AllocationRun,
    Assignment,
    Handover,
    HandoverState,
    Need,
    Offer,
    RunStatus,
)
from commonpot.paging import Page, read_page
from commonpot.tenancy import get_scoped, select_scoped


def visible_run(
    session: Session, community: Community, viewer: Viewer, run_id: int
) -> tuple[AllocationRun, bool]:
    """The run and whether the viewer sees all of it (stewards) or the members' view."""
    require_reader(session, community, viewer)
    run = get_scoped(
        session, AllocationRun, run_id, community.id, missing=N_("No such allocation run here.")
    )
    steward = is_steward(session, community, viewer)
    if not steward and run.status != RunStatus.COMMITTED.value:
        raise NotFound("No such allocation run here.")
    return run, steward


SHOWN = 100  # lines of a run the page shows at once


def lines(
    session: Session,
    community: Community,
    viewer: Viewer,
    run: AllocationRun,
    *,
    full: bool,
    offset: int = 0,
    limit: int = SHOWN,
) -> Page:
    """The run's lines as food, people and places (all for stewards, else the viewer's own),
    in line order, `limit` from `offset`: a city's run has thousands. The database picks the
    viewer's lines and the page; names and handovers are read for those lines alone."""
    rule = [Assignment.run_id == run.id, Assignment.community_id == community.id]
    if not full:
        if viewer.user_id is None:
            return Page([], 0)
        rule.append(or_(Offer.user_id == viewer.user_id, Need.user_id == viewer.user_id))
    joined = (
        select(Assignment, Offer, Need)
        .join(Offer, Offer.id == Assignment.offer_id)
        .join(Need, Need.id == Assignment.need_id)
        .where(*rule)
    )
    rows, total = read_page(session, joined.order_by(Assignment.id), offset, limit)
    ids = [line.id for line, _, _ in rows]
    by_line = {
        h.assignment_id: h
        for h in session.scalars(
            select_scoped(Handover, community.id).where(Handover.assignment_id.in_(ids))
        )
    }
    who = {r.Offer.user_id for r in rows} | {r.Need.user_id for r in rows}
    named = select(User.id, User.display_name).where(User.id.in_(who - {None}))
    people: dict[int, str] = dict(session.execute(named).all())
    out = []
    for line, offer, need in rows:
        out.append(
            {
                "id": line.id,
                "handover": by_line.get(line.id),
                "category": offer.category,
                "unit": offer.unit,
                "quantity": line.quantity,
                "distance_km": line.distance_km,
                "donor": people.get(offer.user_id or 0, ""),
                "recipient": people.get(need.user_id or 0, ""),
                "from_place": offer.description,
                "from_lat": offer.lat,
                "from_lon": offer.lon,
                "to_lat": need.lat,
                "to_lon": need.lon,
                "mine_as": "donor" if offer.user_id == viewer.user_id else "recipient",
            }
        )
    return Page(out, total)


def food_summary(
    session: Session, community: Community, run: AllocationRun
) -> list[dict[str, Any]]:
    """Units per food and unit in the run, with how many were handed over (no names)."""
    handed = case((Handover.state == HandoverState.HANDED_OVER.value, Handover.quantity), else_=0)
    query = (
        select(Handover.category, Handover.unit, func.sum(Handover.quantity), func.sum(handed))
        .where(Handover.community_id == community.id, Handover.run_id == run.id)
        .group_by(Handover.category, Handover.unit)
        .order_by(Handover.category, Handover.unit)
    )
    return [  # summed by the database: a city's run has thousands of handovers
        {"category": c, "unit": u, "allocated": int(a or 0), "handed_over": int(h or 0)}
        for c, u, a, h in session.execute(query)
    ]
