"""Why a need got what it got: its segments, candidate offers, and who took them."""

from __future__ import annotations

from typing import Any

import numpy as np

from commonpot.errors import NotFound
from commonpot.network.allocation import Plan
from commonpot.network.flow import segment_sizes, segment_values
from commonpot.network.geo import haversine_km
from commonpot.network.metrics import received_by_need

MAX_EXCLUDED = 20


def _segments(plan: Plan, n: int, received: int) -> list[dict[str, Any]]:
    inst = plan.instance
    sizes = segment_sizes(inst.need_quantity[n : n + 1], inst.params.segments)[0].tolist()
    values = (inst.need_priority[n] * segment_values(inst.params.segments)).tolist()
    out = []
    before = 0
    for k, (size, value) in enumerate(zip(sizes, values, strict=True), start=1):
        filled = max(0, min(size, received - before))
        before += size
        out.append({"segment": k, "units": size, "value_per_unit": value, "filled": filled})
    return out


def _takers(plan: Plan, offer: int) -> list[dict[str, Any]]:
    cand = plan.candidates
    rows = np.flatnonzero((cand.offer == offer) & (plan.flow > 0))
    ids = plan.instance.need_ids
    return [
        {
            "need": ids[int(cand.need[a])],
            "quantity": int(plan.flow[a]),
            "distance_km": float(cand.distance_km[a]),
        }
        for a in rows
    ]


def _excluded(plan: Plan, n: int, candidate_offers: set[int]) -> list[dict[str, Any]]:
    """Same-category offers within max_distance_km that are not candidates, and why."""
    inst = plan.instance
    params = inst.params
    same = np.flatnonzero(inst.offer_category == inst.need_category[n])
    d = haversine_km(
        inst.offer_lat[same],
        inst.offer_lon[same],
        np.full(len(same), inst.need_lat[n]),
        np.full(len(same), inst.need_lon[n]),
    )
    near = np.argsort(d, kind="stable")
    out: list[dict[str, Any]] = []
    for i in near.tolist():
        if d[i] > params.max_distance_km or len(out) >= MAX_EXCLUDED:
            break
        o = int(same[i])
        if o in candidate_offers:
            continue
        hours = float(d[i] / params.speed_kmh)
        if hours > inst.offer_expires_h[o]:
            reason = f"expires in {inst.offer_expires_h[o]:g} h but needs {hours:.2f} h to arrive"
        else:
            reason = f"not among the {params.candidates_per_need} nearest feasible offers"
        out.append({"offer": inst.offer_ids[o], "distance_km": float(d[i]), "reason": reason})
    return out


def _summary(need: dict[str, Any], candidates: list[dict[str, Any]]) -> str:
    received, quantity = need["received"], need["quantity"]
    if not candidates:
        return "no feasible offer: none of its category is near enough and fresh enough"
    if received == quantity:
        return "fully served"
    open_offers = [c for c in candidates if c["offer_left"] > 0]
    next_value = next(s["value_per_unit"] for s in need["segments"] if s["filled"] < s["units"])
    if open_offers:
        return (
            f"received {received} of {quantity}: the offers with food left cost more to move "
            f"than the next unit is worth ({next_value:g} per unit)"
        )
    return (
        f"received {received} of {quantity}: every candidate offer is used up, by needs whose "
        f"units are worth at least as much net of transport as this need's next unit "
        f"({next_value:g} per unit)"
    )


def explain(plan: Plan, need_id: str) -> dict[str, Any]:
    """Explain one need's allocation: segments, candidates with distances and takers."""
    inst = plan.instance
    try:
        n = inst.need_ids.index(need_id)
    except ValueError:
        raise NotFound(
            "need %(need)s is not in the instance", field="need", need=repr(need_id)
        ) from None
    cand = plan.candidates
    used = plan.flow > 0
    received_all = received_by_need(inst, cand.need[used], plan.flow[used])
    given = np.bincount(cand.offer[used], weights=plan.flow[used], minlength=inst.n_offers)
    received = int(received_all[n])
    segments = _segments(plan, n, received)
    values = [s["value_per_unit"] for s in segments]
    rows = np.flatnonzero(cand.need == n)
    candidates = []
    for a in rows.tolist():
        o = int(cand.offer[a])
        unit_cost = inst.params.cost_per_km * float(cand.distance_km[a])
        candidates.append(
            {
                "offer": inst.offer_ids[o],
                "distance_km": float(cand.distance_km[a]),
                "unit_transport_cost": unit_cost,
                "net_value_per_unit_by_segment": [v - unit_cost for v in values],
                "received": int(plan.flow[a]),
                "offer_quantity": int(inst.offer_quantity[o]),
                "offer_left": int(inst.offer_quantity[o] - given[o]),
                "taken_by": [t for t in _takers(plan, o) if t["need"] != need_id],
            }
        )
    need = {
        "need": need_id,
        "category": inst.categories[int(inst.need_category[n])],
        "group": inst.groups[int(inst.need_group[n])],
        "priority": float(inst.need_priority[n]),
        "quantity": int(inst.need_quantity[n]),
        "received": received,
        "fill_rate": received / int(inst.need_quantity[n]),
        "segments": segments,
    }
    return {
        **need,
        "objective": plan.objective_name,
        "summary": _summary(need, candidates),
        "candidates": candidates,
        "excluded_offers": _excluded(plan, n, {int(o) for o in cand.offer[rows]}),
    }
