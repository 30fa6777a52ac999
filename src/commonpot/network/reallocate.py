"""Incremental re-allocation: give freed units (declined, missed) to needs, earlier fills counted.

Same default objective as the spec (segment values times priority, minus cost per unit-km),
but each need's fairness segments are those of its full quantity and its `received` units
already fill the first of them: a need that got 4 of 6 values its next units at its last
segment's worth, so freed food goes first to the needs that got least. Only the freed units
are offered. The optimum is integral (a min-cost flow, solved with OR-Tools' network
simplex on costs scaled to integers); a bypass arc from source to sink lets units stay
unallocated when no need is worth the trip.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray
from ortools.graph.python import min_cost_flow

from commonpot.errors import Invalid
from commonpot.network.candidates import build_candidates
from commonpot.network.flow import segment_sizes, segment_values
from commonpot.network.instance import Instance

IntArray = NDArray[np.int64]
SCALE = 1_000_000  # objective units per integer cost unit


@dataclass(frozen=True)
class Reallocation:
    """The assignments of freed units and the objective they add."""

    lines: list[dict[str, Any]]
    objective: float
    allocated: int


def marginal_values(inst: Instance, received: IntArray) -> list[list[tuple[int, float]]]:
    """For each need, the (units, value per unit) of its segments left after `received`."""
    sizes = segment_sizes(inst.need_quantity, inst.params.segments)
    values = segment_values(inst.params.segments)
    out: list[list[tuple[int, float]]] = []
    for n in range(inst.n_needs):
        already = int(received[n])
        parts = []
        for k in range(inst.params.segments):
            size = int(sizes[n, k])
            taken = min(already, size)
            already -= taken
            if size - taken > 0:
                parts.append((size - taken, float(inst.need_priority[n] * values[k])))
        out.append(parts)
    return out


def reallocate(inst: Instance, received: IntArray) -> Reallocation:
    """The optimal assignment of the instance's offers (the freed units) given earlier fills."""
    if len(received) != inst.n_needs:
        raise Invalid("received: one count per need", field="received")
    if np.any(received < 0) or np.any(received > inst.need_quantity):
        raise Invalid("received: between 0 and the need's quantity", field="received")
    cand = build_candidates(inst)
    n_off, n_need = inst.n_offers, inst.n_needs
    source, sink = 0, 1 + n_off + n_need
    offer_node = 1 + np.arange(n_off)
    need_node = 1 + n_off + np.arange(n_need)
    total = int(inst.offer_quantity.sum())
    flow = min_cost_flow.SimpleMinCostFlow()
    cost_per_km = inst.params.cost_per_km
    for o in range(n_off):
        flow.add_arc_with_capacity_and_unit_cost(
            source, int(offer_node[o]), int(inst.offer_quantity[o]), 0
        )
    pair_arcs = []
    for i in range(len(cand.need)):
        o, n = int(cand.offer[i]), int(cand.need[i])
        room = int(inst.need_quantity[n] - received[n])
        if room <= 0:
            continue
        cost = round(cost_per_km * float(cand.distance_km[i]) * SCALE)
        arc = flow.add_arc_with_capacity_and_unit_cost(
            int(offer_node[o]), int(need_node[n]), min(room, int(inst.offer_quantity[o])), cost
        )
        pair_arcs.append((arc, o, n, float(cand.distance_km[i])))
    for n, parts in enumerate(marginal_values(inst, received)):
        for units, value in parts:
            flow.add_arc_with_capacity_and_unit_cost(
                int(need_node[n]), sink, units, -round(value * SCALE)
            )
    flow.add_arc_with_capacity_and_unit_cost(source, sink, total, 0)  # leave units unallocated
    flow.set_node_supply(source, total)
    flow.set_node_supply(sink, -total)
    if total and flow.solve() != flow.OPTIMAL:
        raise Invalid("The re-allocation could not be solved.")
    found: list[tuple[int, float, dict[str, Any]]] = []
    got = np.zeros(n_need, dtype=np.int64)
    distance = 0.0
    for arc, o, n, km in pair_arcs:
        q = int(flow.flow(arc)) if total else 0
        if q > 0:
            found.append(
                (
                    n,
                    km,
                    {
                        "offer": inst.offer_ids[o],
                        "need": inst.need_ids[n],
                        "quantity": q,
                        "distance_km": round(km, 6),
                    },
                )
            )
            got[n] += q
            distance += km * q
    value = 0.0
    for n, parts in enumerate(marginal_values(inst, received)):
        left = int(got[n])
        for units, per_unit in parts:
            take = min(left, units)
            value += take * per_unit
            left -= take
    lines = [line for _, _, line in sorted(found, key=lambda item: (item[0], item[1]))]
    return Reallocation(lines, value - cost_per_km * distance, int(got.sum()))
