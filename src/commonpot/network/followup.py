"""Follow-up allocations: declined and expired units go to the next needs, fairly.

Only the freed units are offered; the needs that declined or missed them sit this round
out (they are open again for the next full run); every other open need takes part with
its earlier fills counted (`reallocate.py`). The plan is stored as a run with objective
"reallocate" and committed at once (the same atomic `apply_run`, so it makes handovers and
notifies the new recipients); its baseline is the fills as they were before it.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from commonpot.communities import Community
from commonpot.db import utcnow
from commonpot.network import handovers, runs
from commonpot.network.instance import parse_instance
from commonpot.network.metrics import gini
from commonpot.network.models import (
    AllocationRun,
    Handover,
    Need,
    NeedStatus,
    Offer,
    OfferStatus,
    PriorityGroup,
)
from commonpot.network.reallocate import reallocate
from commonpot.network.solve import Solved

OBJECTIVE = "reallocate"


def freed_instance(
    session: Session, community: Community
) -> tuple[dict[str, Any], list[int], list[int]]:
    """The instance of freed units and open needs (full quantities), their earlier fills, and
    the ids of the freed handovers."""
    freed = handovers.freed(session, community)
    per_offer: Counter[int] = Counter()
    for h in freed:
        per_offer[h.offer_id] += h.quantity
    sitting_out = {h.need_id for h in freed}
    now = utcnow()
    offers = []
    for offer_id in sorted(per_offer):
        offer = session.get(Offer, offer_id)
        if offer is None or offer.status != OfferStatus.OPEN.value:
            continue
        left = min(per_offer[offer_id], offer.quantity - offer.allocated)
        item: dict[str, Any] = {
            "id": f"o{offer.id}",
            "category": offer.category,
            "quantity": left,
            "lat": offer.lat,
            "lon": offer.lon,
        }
        if offer.expires_at is not None:
            hours = (offer.expires_at - now).total_seconds() / 3600
            if hours <= 0:
                continue
            item["expires_in_hours"] = hours
        if left > 0:
            offers.append(item)
    group_rows = session.scalars(
        select(PriorityGroup).where(PriorityGroup.community_id == community.id)
    )
    groups = {g.id: g for g in group_rows}
    needs, received = [], []
    query = select(Need).where(
        Need.community_id == community.id, Need.status == NeedStatus.OPEN.value
    )
    for need in session.scalars(query.order_by(Need.id)):
        if need.id in sitting_out or need.received >= need.quantity:
            continue
        group = groups.get(need.group_id) if need.group_id is not None else None
        needs.append(
            {
                "id": f"n{need.id}",
                "category": need.category,
                "quantity": need.quantity,
                "lat": need.lat,
                "lon": need.lon,
                "priority": group.priority if group else 1,
                "group": group.name if group else "default",
            }
        )
        received.append(need.received)
    params = runs.params_for(community, None)
    return {"offers": offers, "needs": needs, "params": params}, received, [h.id for h in freed]


def fill_metrics(groups: list[str], group_of: list[int], quantity: Any, got: Any) -> dict[str, Any]:
    """Fill rates by group and their Gini, counting every unit the needs have."""
    by_group: dict[str, float] = {}
    for code, name in enumerate(groups):
        mask = np.array(group_of) == code
        wanted = float(quantity[mask].sum())
        by_group[name] = float(got[mask].sum()) / wanted if wanted else 0.0
    fill = got / np.maximum(quantity, 1)
    return {
        "fill_rate_by_group": by_group,
        "min_group_fill_rate": min(by_group.values()) if by_group else 0.0,
        "gini_fill_rate": gini(fill.astype(np.float64)),
    }


def solve_freed(instance: dict[str, Any], received: list[int]) -> Solved:
    """Plan the freed units (plain data in and out: safe in another process)."""
    inst = parse_instance(instance)
    before = np.array(received, dtype=np.int64)
    result = reallocate(inst, before)
    got = before.copy()
    for line in result.lines:
        got[inst.need_ids.index(line["need"])] += line["quantity"]
    offered = int(inst.offer_quantity.sum())
    common = {
        "total_offered": offered,
        "total_requested": int((inst.need_quantity - before).sum()),
    }
    group_of = inst.need_group.tolist()
    metrics = {
        **common,
        "objective": result.objective,
        "total_allocated": result.allocated,
        "unallocated_offered": offered - result.allocated,
        "total_distance_km": float(sum(x["distance_km"] * x["quantity"] for x in result.lines)),
        **fill_metrics(inst.groups, group_of, inst.need_quantity, got),
    }
    baseline = {
        **common,
        "objective": 0.0,
        "total_allocated": 0,
        "unallocated_offered": offered,
        "total_distance_km": 0.0,
        **fill_metrics(inst.groups, group_of, inst.need_quantity, before),
    }
    return Solved(metrics, baseline, result.lines)


def reallocate_freed(
    session: Session, community: Community, created_by: int | None = None
) -> AllocationRun | None:
    """Re-assign the community's freed units now (None when nothing was freed)."""
    instance, received, freed_ids = freed_instance(session, community)
    if not freed_ids:
        return None
    solved = solve_freed(instance, received)
    run = runs.store_run(session, community, created_by, OBJECTIVE, instance["params"], solved)
    run = runs.apply_run(session, community, run.id)
    for handover_id in freed_ids:
        found = session.get(Handover, handover_id)
        if found is not None:
            found.reallocated_in = run.id
    session.flush()
    return run
