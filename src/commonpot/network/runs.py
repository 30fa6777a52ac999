"""Allocation runs: propose a plan from open offers and needs, compare it with FCFS, commit it.

`commit_run` is the single call that moves food. It never over-allocates, even when two
runs are committed at the same time: each line is applied with a conditional
`UPDATE ... SET allocated = allocated + q WHERE allocated + q <= quantity` whose row count
is checked (PostgreSQL re-checks the condition after waiting for a concurrent writer's row
lock; SQLite write transactions are serialised by `BEGIN IMMEDIATE`), a CHECK constraint
backs it up, and any failed line raises so the whole transaction rolls back.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from commonpot import communities, governance, signals
from commonpot.accounts import Viewer
from commonpot.communities import Community, Membership
from commonpot.db import utcnow
from commonpot.errors import N_, Conflict, Forbidden, Invalid
from commonpot.network import handovers
from commonpot.network.access import is_steward, require_reader, require_steward
from commonpot.network.allocation import OBJECTIVES
from commonpot.network.models import (
    AllocationRun,
    Assignment,
    Need,
    NeedStatus,
    Offer,
    OfferStatus,
    PriorityGroup,
    RunStatus,
)
from commonpot.network.signals import AllocationCommitted, NeedMatched, OfferAllocated
from commonpot.network.solve import Solved, solve_run
from commonpot.offload import cpu_bound
from commonpot.paging import EVERY_ROW, Window
from commonpot.tenancy import get_scoped, select_scoped

ALLOWED_PARAMS = ("max_distance_km", "speed_kmh", "cost_per_km", "segments", "candidates_per_need")


def build_instance(
    session: Session, community: Community, params: dict[str, Any]
) -> dict[str, Any]:
    """The spec's instance JSON from the community's open offers and needs."""
    now = utcnow()
    offers = session.scalars(
        select(Offer)
        .where(Offer.community_id == community.id, Offer.status == OfferStatus.OPEN.value)
        .order_by(Offer.id)
    )
    group_rows = session.scalars(
        select(PriorityGroup).where(PriorityGroup.community_id == community.id)
    )
    by_id = {g.id: g for g in group_rows}
    needs = session.scalars(
        select(Need)
        .where(Need.community_id == community.id, Need.status == NeedStatus.OPEN.value)
        .order_by(Need.id)
    )
    offer_items = []
    for o in offers:
        left = o.quantity - o.allocated
        item: dict[str, Any] = {
            "id": f"o{o.id}",
            "category": o.category,
            "quantity": left,
            "lat": o.lat,
            "lon": o.lon,
        }
        if o.expires_at is not None:
            hours = (o.expires_at - now).total_seconds() / 3600
            if hours <= 0:
                continue
            item["expires_in_hours"] = hours
        if left > 0:
            offer_items.append(item)
    need_items = []
    for n in needs:
        left = n.quantity - n.received
        if left <= 0:
            continue
        group = by_id.get(n.group_id) if n.group_id is not None else None
        need_items.append(
            {
                "id": f"n{n.id}",
                "category": n.category,
                "quantity": left,
                "lat": n.lat,
                "lon": n.lon,
                "priority": group.priority if group else 1,
                "group": group.name if group else "default",
            }
        )
    return {"offers": offer_items, "needs": need_items, "params": params}


def run_closed(run: AllocationRun) -> Conflict:
    """The refusal to change a run that is no longer a draft (one sentence per status)."""
    if run.status == RunStatus.COMMITTED.value:
        return Conflict("Allocation run %(run)s is already committed.", run=str(run.id))
    if run.status == RunStatus.DISCARDED.value:
        return Conflict("Allocation run %(run)s is already discarded.", run=str(run.id))
    return Conflict(
        "Allocation run %(run)s is already %(status)s.", run=str(run.id), status=run.status
    )


def params_for(community: Community, given: dict[str, Any] | None) -> dict[str, Any]:
    """The community's allocation parameters with `given` on top (unknown keys refused)."""
    base = dict((community.settings or {}).get("network_allocation", {}))
    base.update(given or {})
    unknown = set(base) - set(ALLOWED_PARAMS)
    if unknown:
        key = sorted(unknown)[0]
        raise Invalid("params.%(key)s: unknown parameter", field=f"params.{key}", key=key)
    return base


def create_run(
    session: Session,
    community: Community,
    viewer: Viewer,
    *,
    objective: str = "default",
    params: dict[str, Any] | None = None,
) -> AllocationRun:
    """A steward proposes a plan; it is stored with its fairness report against FCFS."""
    chosen = check_run(session, community, viewer, objective=objective, params=params)
    instance = build_instance(session, community, chosen)
    size = len(instance["offers"]) + len(instance["needs"])
    # in-line when small; a helper process when big (the solver holds the GIL for seconds)
    solved = cpu_bound(size, solve_run, instance, objective)
    return store_run(session, community, viewer.user_id, objective, chosen, solved)


def check_run(
    session: Session,
    community: Community,
    viewer: Viewer,
    *,
    objective: str = "default",
    params: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """May this steward propose a run with these settings? The parameters to use."""
    require_steward(session, community, viewer)
    if objective not in OBJECTIVES:
        raise Invalid(
            "objective: must be one of %(choices)s",
            field="objective",
            choices=", ".join(OBJECTIVES),
        )
    return params_for(community, params)


def store_run(
    session: Session,
    community: Community,
    created_by: int | None,
    objective: str,
    chosen: dict[str, Any],
    solved: Solved,
) -> AllocationRun:
    """Store a solved plan and its first-come-first-served baseline as a draft run."""
    run = AllocationRun(
        community_id=community.id,
        created_by=created_by,
        objective=objective,
        params=chosen,
        metrics=solved.metrics,
        baseline_metrics=solved.baseline_metrics,
    )
    session.add(run)
    session.flush()
    rows = [
        {
            "community_id": community.id,
            "run_id": run.id,
            "offer_id": int(line["offer"][1:]),
            "need_id": int(line["need"][1:]),
            "quantity": line["quantity"],
            "distance_km": line["distance_km"],
        }
        for line in solved.lines
    ]
    if rows:
        session.execute(insert(Assignment), rows)
    session.flush()
    return run


def runs(
    session: Session, community: Community, viewer: Viewer, window: Window = EVERY_ROW
) -> list[AllocationRun]:
    """The community's allocation runs, newest first (stewards; those in `window`)."""
    require_steward(session, community, viewer)
    query = select_scoped(AllocationRun, community.id)
    return list(session.scalars(window.of(query.order_by(AllocationRun.id.desc()))))


def get_run(session: Session, community: Community, viewer: Viewer, run_id: int) -> AllocationRun:
    """One run (stewards)."""
    require_steward(session, community, viewer)
    return _run(session, community, run_id)


def _run(session: Session, community: Community, run_id: int) -> AllocationRun:
    return get_scoped(
        session, AllocationRun, run_id, community.id, missing=N_("No such allocation run here.")
    )


def lines(session: Session, run: AllocationRun) -> list[Assignment]:
    """A run's assignments in plan order."""
    query = select(Assignment).where(Assignment.run_id == run.id).order_by(Assignment.id)
    return list(session.scalars(query))


def apply_run(session: Session, community: Community, run_id: int) -> AllocationRun:
    """Commit a draft run atomically; Conflict (and nothing written) if any line no longer fits."""
    claimed = session.execute(
        update(AllocationRun)
        .where(
            AllocationRun.id == run_id,
            AllocationRun.community_id == community.id,
            AllocationRun.status == RunStatus.DRAFT.value,
        )
        .values(status=RunStatus.COMMITTED.value, committed_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    if claimed.rowcount != 1:  # type: ignore[attr-defined]
        raise run_closed(_run(session, community, run_id))
    run = _run(session, community, run_id)
    session.refresh(run)
    for line in lines(session, run):
        offer_ok = session.execute(
            update(Offer)
            .where(
                Offer.id == line.offer_id,
                Offer.community_id == community.id,
                Offer.status == OfferStatus.OPEN.value,
                Offer.allocated + line.quantity <= Offer.quantity,
            )
            .values(allocated=Offer.allocated + line.quantity)
            .execution_options(synchronize_session=False)
        )
        if offer_ok.rowcount != 1:  # type: ignore[attr-defined]
            raise Conflict(
                "Offer %(offer)s no longer has %(quantity)s units open; propose a new run.",
                offer=str(line.offer_id),
                quantity=line.quantity,
            )
        need_ok = session.execute(
            update(Need)
            .where(
                Need.id == line.need_id,
                Need.community_id == community.id,
                Need.status == NeedStatus.OPEN.value,
                Need.received + line.quantity <= Need.quantity,
            )
            .values(received=Need.received + line.quantity)
            .execution_options(synchronize_session=False)
        )
        if need_ok.rowcount != 1:  # type: ignore[attr-defined]
            raise Conflict(
                "Need %(need)s no longer wants %(quantity)s more units; propose a new run.",
                need=str(line.need_id),
                quantity=line.quantity,
            )
    session.execute(
        update(Offer)
        .where(
            Offer.community_id == community.id,
            Offer.allocated >= Offer.quantity,
            Offer.status == OfferStatus.OPEN.value,
        )
        .values(status=OfferStatus.ALLOCATED.value)
        .execution_options(synchronize_session=False)
    )
    session.execute(
        update(Need)
        .where(
            Need.community_id == community.id,
            Need.received >= Need.quantity,
            Need.status == NeedStatus.OPEN.value,
        )
        .values(status=NeedStatus.FILLED.value)
        .execution_options(synchronize_session=False)
    )
    session.expire_all()
    run = _run(session, community, run_id)
    made = handovers.create_for_run(session, community, run)
    allocated = sum(h.quantity for h in made)
    record = {"run": run.id, "objective": run.objective, "allocated": allocated}
    governance.append_to_ledger(
        session, community, "network.run_committed", {**record, "handovers": len(made)}
    )
    signals.emit(session, _committed(session, community, run_id))
    return run


def _committed(session: Session, community: Community, run_id: int) -> AllocationCommitted:
    """Who gets food and whose food is given, for the notifications."""
    rows = session.execute(
        select(
            Assignment.need_id,
            Assignment.offer_id,
            Assignment.quantity,
            Assignment.distance_km,
            Need.user_id,
            Need.category,
            Offer.user_id,
            Offer.lat,
            Offer.lon,
        )
        .join(Need, Need.id == Assignment.need_id)
        .join(Offer, Offer.id == Assignment.offer_id)
        .where(Assignment.run_id == run_id)
        .order_by(Assignment.id)
    ).all()
    needs: dict[int, list[Any]] = {}
    offers: dict[int, list[Any]] = {}
    for need_id, offer_id, qty, km, need_user, category, offer_user, lat, lon in rows:
        if need_user is not None:
            item = needs.setdefault(need_id, [need_user, category, 0, []])
            item[2] += qty
            item[3].append(f"{lat:.4f}, {lon:.4f} ({km:.1f} km)")
        if offer_user is not None:
            gift = offers.setdefault(offer_id, [offer_user, category, 0])
            gift[2] += qty
    return AllocationCommitted(
        community.id,
        run_id,
        tuple(
            NeedMatched(community.id, run_id, nid, u, c, q, "; ".join(w)[:300])
            for nid, (u, c, q, w) in needs.items()
        ),
        tuple(
            OfferAllocated(community.id, run_id, oid, u, c, q) for oid, (u, c, q) in offers.items()
        ),
    )


def commit_run(
    session: Session, community: Community, viewer: Viewer, run_id: int
) -> AllocationRun:
    """A steward commits a run: the single, atomic call that moves the food."""
    require_steward(session, community, viewer)
    return apply_run(session, community, run_id)


def discard_run(
    session: Session, community: Community, viewer: Viewer, run_id: int
) -> AllocationRun:
    """A steward discards a draft run."""
    run = get_run(session, community, viewer, run_id)
    if run.status != RunStatus.DRAFT.value:
        raise run_closed(run)
    run.status = RunStatus.DISCARDED.value
    return run


def _line(session: Session, community: Community, assignment_id: int) -> Assignment:
    line = get_scoped(
        session, Assignment, assignment_id, community.id, missing=N_("No such pickup here.")
    )
    run = _run(session, community, line.run_id)
    if run.status != RunStatus.COMMITTED.value:
        raise Conflict("Pickups are arranged once the run is committed.")
    return line


def assign_pickup(
    session: Session,
    community: Community,
    viewer: Viewer,
    assignment_id: int,
    user_id: int | None = None,
) -> Assignment:
    """A member volunteers to carry a line (or a steward assigns a member to it)."""
    require_reader(session, community, viewer)
    line = _line(session, community, assignment_id)
    target = user_id if user_id is not None else viewer.user_id
    if target != viewer.user_id and not is_steward(session, community, viewer):
        raise Forbidden("Only a steward can assign someone else.")
    is_member = session.scalar(
        select(Membership.id).where(
            Membership.community_id == community.id, Membership.user_id == target
        )
    )
    if is_member is None:
        raise Invalid("user_id: must be a member of this community", field="user_id")
    if line.pickup_user_id not in (None, target) and not is_steward(session, community, viewer):
        raise Conflict("Someone else is already carrying this.")
    line.pickup_user_id = target
    return line


def mark_picked_up(
    session: Session, community: Community, viewer: Viewer, assignment_id: int
) -> Assignment:
    """The carrier (or a steward) marks a line as picked up."""
    communities.require_member(session, community, viewer)
    line = _line(session, community, assignment_id)
    if line.pickup_user_id != viewer.user_id and not is_steward(session, community, viewer):
        raise Forbidden("Only the carrier or a steward can mark this picked up.")
    if line.picked_up_at is not None:
        raise Conflict("Already picked up.")
    line.picked_up_at = utcnow()
    return line
