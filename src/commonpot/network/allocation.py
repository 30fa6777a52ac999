"""Allocation engine: who receives which offered food, under the spec's default objective.

`allocate(instance)` finds feasible pairs with a spatial index, solves the default objective
exactly as a min-cost flow (see `flow.py`), and reports the spec's metrics. Options:
`min-fill` (lexicographic: first as many needs as possible get at least one unit, then the
default objective) and `fcfs` (baseline: needs in file order take their nearest offers).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
from numpy.typing import NDArray

from commonpot.errors import Conflict, Invalid
from commonpot.network.candidates import Candidates, build_candidates
from commonpot.network.certify import Certificate, certify
from commonpot.network.flow import FlowProblem, solve_flow
from commonpot.network.geo import locality_rank
from commonpot.network.instance import Instance
from commonpot.network.metrics import plan_metrics

IntArray = NDArray[np.int64]
FloatArray = NDArray[np.float64]
Objective = Literal["default", "min-fill", "fcfs"]
OBJECTIVES: tuple[Objective, ...] = ("default", "min-fill", "fcfs")


@dataclass(frozen=True)
class Plan:
    """Units moved along each feasible pair, with the metrics of the spec's plan format."""

    instance: Instance
    candidates: Candidates
    flow: IntArray  # one entry per candidate pair
    objective_name: Objective
    error_bound: float
    metrics: dict[str, Any]
    # the duality certificate over EVERY feasible pair (None for fcfs): error_bound is its gap
    certificate: Certificate | None = None

    def assignments(self) -> list[dict[str, Any]]:
        """The plan's assignments with quantity > 0, in need order, nearest offer first."""
        used = np.flatnonzero(self.flow > 0)
        offer_ids = self.instance.offer_ids
        need_ids = self.instance.need_ids
        offers = self.candidates.offer[used].tolist()
        needs = self.candidates.need[used].tolist()
        qty = self.flow[used].tolist()
        dist = np.round(self.candidates.distance_km[used], 6).tolist()
        return [
            {"offer": offer_ids[o], "need": need_ids[n], "quantity": q, "distance_km": d}
            for o, n, q, d in zip(offers, needs, qty, dist, strict=True)
        ]

    def to_json(self) -> str:
        """`to_dict` as compact JSON text (the command's output)."""
        from commonpot.parsing import dumps_json

        return dumps_json(self.to_dict(), separators=(",", ":"))

    def to_dict(self) -> dict[str, Any]:
        """The plan as the spec's JSON object (extra keys: objective_name, error bound)."""
        return {
            "assignments": self.assignments(),
            "metrics": self.metrics,
            "objective_name": self.objective_name,
            "objective_error_bound": self.error_bound,
        }


def flow_problem(
    inst: Instance, cand: Candidates, *, min_fill: bool = False, every_pair: bool = False
) -> tuple[FlowProblem, IntArray]:
    """The min-cost flow problem over candidate pairs, and the candidate index of each arc.

    Pairs whose first unit is worth no more than its transport are left out unless
    `every_pair` (the certificate prices them all)."""
    params = inst.params
    cost = params.cost_per_km * cand.distance_km
    if min_fill or every_pair:
        arcs = np.arange(len(cand.need), dtype=np.int64)
    else:
        # a pair whose first unit is already worth <= its transport never needs to carry flow
        arcs = np.flatnonzero(inst.need_priority[cand.need] - cost > 0)
    bonus = None
    if min_fill:
        # a simple cycle crosses each node at most once, so no exchange of default value can
        # outweigh one more need served: lexicographic by construction
        worst = max(float(inst.need_priority.max(initial=1.0)), float(cost.max(initial=0.0)))
        nodes = inst.n_offers + inst.n_needs + 2
        bonus = np.full(inst.n_needs, 2.0 * nodes * worst + 1.0)
    rank = locality_rank(
        np.concatenate([inst.offer_lat, inst.need_lat]),
        np.concatenate([inst.offer_lon, inst.need_lon]),
    )
    problem = FlowProblem(
        offer_quantity=inst.offer_quantity,
        need_quantity=inst.need_quantity,
        need_priority=inst.need_priority,
        arc_offer=cand.offer[arcs],
        arc_need=cand.need[arcs],
        arc_cost=cost[arcs],
        segments=params.segments,
        first_unit_bonus=bonus,
        offer_rank=rank[: inst.n_offers],
        need_rank=rank[inst.n_offers :],
    )
    return problem, arcs


def fcfs_flow(inst: Instance, cand: Candidates) -> IntArray:
    """Baseline: needs in file order take their nearest feasible offers while any is left."""
    left = inst.offer_quantity.tolist()
    flow = np.zeros(len(cand.need), dtype=np.int64)
    starts = np.searchsorted(cand.need, np.arange(inst.n_needs + 1)).tolist()
    offers = cand.offer.tolist()
    for n, quantity in enumerate(inst.need_quantity.tolist()):
        want = quantity
        for a in range(starts[n], starts[n + 1]):
            if want == 0:
                break
            o = offers[a]
            take = min(want, left[o])
            if take:
                flow[a] = take
                left[o] -= take
                want -= take
    return flow


def _silent(_: str) -> None:
    return None


def allocate(
    inst: Instance,
    objective: Objective = "default",
    *,
    workers: int = 1,
    candidates: Candidates | None = None,
    certified: bool = True,
    progress: Callable[[str], None] | None = None,
) -> Plan:
    """Allocate offers to needs; metrics always report the spec's default objective.

    With `certified` (the default) a default or min-fill plan is returned only with a duality
    certificate over every feasible pair (see certify.py); without it, `error_bound` is the
    solver's a-priori rounding bound and `certificate` is None. `progress` hears the name of
    each stage as it starts (candidates, solving, certifying, measuring)."""
    if objective not in OBJECTIVES:
        raise Invalid(
            "objective: must be one of %(choices)s",
            field="objective",
            choices=", ".join(OBJECTIVES),
        )
    stage = progress or _silent
    stage("finding candidate pairs")
    cand = candidates if candidates is not None else build_candidates(inst)
    bound = 0.0
    certificate = None
    if objective == "fcfs":
        flow = fcfs_flow(inst, cand)
    else:
        min_fill = objective == "min-fill"
        problem, arcs = flow_problem(inst, cand, min_fill=min_fill)
        stage("solving")
        result = solve_flow(problem, workers=workers)
        flow = np.zeros(len(cand.need), dtype=np.int64)
        flow[arcs] = result.flow
        bound = result.error_bound
        if certified:
            # the solver is not trusted: explicit prices must prove the plan optimal over
            # every feasible pair (see certify.py)
            stage("certifying")
            if len(arcs) == len(cand.need):  # the solved problem already has every pair
                every = problem
            else:
                every, _ = flow_problem(inst, cand, min_fill=min_fill, every_pair=True)
            # the simplex's duals, checked here like any prices would be; the plan's own
            # (label correcting from the plan alone) when there are none or they fall short
            certificate = certify(every, flow, result.prices)
            if not certificate.optimal and result.prices is not None:
                certificate = certify(every, flow)
            if not certificate.optimal:
                raise Conflict(
                    "allocation: optimality certificate failed (gap %(gap)s, "
                    "tolerance %(tolerance)s)",
                    gap=f"{certificate.gap:.3g}",
                    tolerance=f"{certificate.tolerance:.3g}",
                )
            bound = certificate.gap
    stage("measuring")
    used = flow > 0
    metrics = plan_metrics(inst, cand.need[used], flow[used], cand.distance_km[used])
    return Plan(
        instance=inst,
        candidates=cand,
        flow=flow,
        objective_name=objective,
        error_bound=bound,
        metrics=metrics,
        certificate=certificate,
    )
