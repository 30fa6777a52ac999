"""Readable runs: food, people and places instead of ids, for whoever may see them.

Stewards see every line with names and places; members see a committed run's summary and
fairness figures (by group, no names) and only their own lines.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from commonpot.accounts import User, Viewer
from commonpot.communities import Community
from commonpot.errors import N_, NotFound
from commonpot.network import handovers
from commonpot.network.access import is_steward, require_reader
from commonpot.network.models import (
    AllocationRun,
    Assignment,
    Handover,
    Need,
    Offer,
    RunStatus,
)
from commonpot.tenancy import get_scoped


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


def lines(
    session: Session, community: Community, viewer: Viewer, run: AllocationRun, *, full: bool
) -> list[dict[str, Any]]:
    """The run's lines as food, people and places (all for stewards, else the viewer's own)."""
    rows = session.execute(
        select(Assignment, Offer, Need)
        .join(Offer, Offer.id == Assignment.offer_id)
        .join(Need, Need.id == Assignment.need_id)
        .where(Assignment.run_id == run.id, Assignment.community_id == community.id)
        .order_by(Assignment.id)
    ).all()
    by_line = {h.assignment_id: h for h in handovers.for_run(session, community, run.id)}
    people = {
        u.id: u.display_name
        for u in session.scalars(
            select(User).where(
                User.id.in_({r.Offer.user_id for r in rows} | {r.Need.user_id for r in rows})
            )
        )
    }
    out = []
    for line, offer, need in rows:
        handover: Handover | None = by_line.get(line.id)
        mine = viewer.user_id is not None and viewer.user_id in (offer.user_id, need.user_id)
        if not (full or mine):
            continue
        out.append(
            {
                "id": line.id,
                "handover": handover,
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
    return out


def food_summary(
    session: Session, community: Community, run: AllocationRun
) -> list[dict[str, Any]]:
    """Units per food and unit in the run, with how many were handed over (no names)."""
    totals: dict[tuple[str, str], dict[str, Any]] = {}
    for h in handovers.for_run(session, community, run.id):
        item = totals.setdefault(
            (h.category, h.unit),
            {"category": h.category, "unit": h.unit, "allocated": 0, "handed_over": 0},
        )
        item["allocated"] += h.quantity
        if h.state == "handed_over":
            item["handed_over"] += h.quantity
    return sorted(totals.values(), key=lambda x: (x["category"], x["unit"]))
