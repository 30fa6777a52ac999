"""MILP behind the crop-sharing planner (HiGHS through scipy.optimize.milp).

Why this formulation is sound: a dome's Shannon entropy is H = φ/T with
φ(a, T) = Σ_c −a_c ln(a_c / T) (T = the dome's counted area). φ is jointly concave in
(a, T) and positively homogeneous, so its tangent planes a·(−ln r − 1) + T·r (r = a/T)
bound it from above: a linear outer approximation, refined by cuts at each solution
(Kelley). Maximising the smallest ratio φ_d / T_d is a generalised fractional programme,
solved by Dinkelbach iterations: for the best true value t found so far, maximise
u ≤ (φ_d − t·T_d) / T_d(previous) over all domes; u ≤ 0 means no plan beats t.
Minimum plots are semi-continuous plantings (a binary per new dome–crop pair). The gamma
floor is the same construction on pooled areas: Σ_c φ(A_c, T_tot) ≥ ln(floor)·T_tot.
Every candidate plan is re-evaluated with the exact indices; only exact values are kept.
"""

from __future__ import annotations

import math
import time

import numpy as np
from numpy.typing import NDArray

from commonpot.ecology.cropshare_outer import (
    INF,
    Data,
    Pattern,
    add_cuts,
    build,
    evaluate,
    planted_areas,
    prepare,
)
from commonpot.ecology.cropshare_problem import (
    CropShareProblem,
    PlanInfeasible,
    Profile,
)
from commonpot.words import Said, said, said_n

RELAXED_TOL = 2e-2  # nats: the relaxed phase only chooses which plots to keep
FIXED_TOL = 1e-3  # nats: about 0.1 % of hill_1
MILP_TOL = 1e-4
MILP_PAIRS = 200  # above this many new dome–crop pairs, relax-and-round instead


def _dinkelbach(
    data: Data,
    floor: float | None,
    mode: str,
    deadline: float,
    pattern: Pattern,
    tol: float = 1e-6,
) -> tuple[NDArray[np.float64] | None, float, bool, float]:
    """Return (best solution or None, its true objective, model feasible, remaining gap).

    The gap is the last subproblem's value u: the model sees no plan better than the best
    by more than about u nats per dome (INF when unknown).
    """
    ok_floor = floor is None
    start = planted_areas(data, None)
    worst, gamma, _ = evaluate(data, start)
    value = worst if mode == "domes" else math.log(max(gamma, 1e-300))
    feasible_now = floor is None or gamma >= floor - 1e-9
    best: NDArray[np.float64] | None = np.zeros(len(data.pair_d)) if feasible_now else None
    best_value = value if feasible_now else -INF
    t = value
    gap = INF
    for _ in range(12):
        remaining = deadline - time.monotonic()
        if remaining <= 0.5:
            break
        areas = planted_areas(data, best)
        norm = np.maximum(areas.sum(axis=1), max(data.min_plot, 1.0))
        builder, u = build(data, t, norm, floor, mode, pattern)
        status, x, optimal = builder.solve(remaining)
        if x is None:
            return best, best_value, status != "infeasible" or best is not None, gap
        x[: len(data.pair_d)] = np.maximum(x[: len(data.pair_d)], 0.0)  # solver round-off
        new_areas = planted_areas(data, x)
        add_cuts(data, new_areas, x)
        worst, gamma, _ = evaluate(data, new_areas)
        value = worst if mode == "domes" else math.log(max(gamma, 1e-300))
        ok_floor = floor is None or gamma >= floor - 1e-9
        if ok_floor and value > best_value + 1e-9:
            best, best_value = x[: len(data.pair_d)].copy(), value
            t = value
        gap = max(float(x[u]), 0.0) if optimal else INF
        if x[u] <= tol:
            break
    return best, best_value, True, gap


def _explain(problem: CropShareProblem, data: Data, before: Profile, deadline: float) -> list[Said]:
    floor = problem.gamma_floor or 0.0
    reachable = int(
        np.count_nonzero(
            (data.base.sum(axis=0) > 0) | np.isin(np.arange(len(data.crops)), data.pair_c)
        )
    )
    reasons = [
        said(
            "All domes together have a gamma diversity of %(gamma)s effective crops now, "
            "below the floor of %(floor)s.",
            gamma=float(before.gamma or 0),
            floor=float(floor),
        )
    ]
    if reachable < floor:
        reasons.append(
            said_n(
                "Only %(num)s crop can be grown at all (already grown, or with enough seed for "
                "a %(area)s m² plot in a dome with a suitable climate and free space), so even "
                "in perfectly equal shares gamma could not exceed %(num)s.",
                "Only %(num)s crops can be grown at all (already grown, or with enough seed for "
                "a %(area)s m² plot in a dome with a suitable climate and free space), so even "
                "in perfectly equal shares gamma could not exceed %(num)s.",
                reachable,
                area=float(problem.min_plot_area),
            )
        )
        return reasons
    best, value, _, _ = _dinkelbach(data, None, "gamma", deadline, _relaxed(data, "relaxed"))
    if best is not None:
        reasons.append(
            said(
                "With the seed bank and free area available, the most the planner could reach "
                "is about %(best)s; lower the floor or add seed of crops that are rare across "
                "the domes.",
                best=float(math.exp(value)),
            )
        )
    return reasons


def _relaxed(data: Data, kind: str) -> Pattern:
    return Pattern(kind, np.zeros(len(data.pair_d)), data.pair_ub.copy())


def _round(data: Data, x: NDArray[np.float64]) -> Pattern:
    """Turn relaxed plantings into whole plots, worst domes first.

    Each dome keeps as many new crops as its relaxed planted area holds whole plots,
    choosing its largest relaxed plantings while seed and space last.
    """
    y_lb = np.zeros(len(data.pair_d))
    y_ub = np.where(data.pair_new, 0.0, data.pair_ub)
    free = data.free.copy()
    supply = data.supply.copy()
    m = max(data.min_plot, 1e-9)
    _, _, h = evaluate(data, planted_areas(data, x))
    for d in np.argsort(h, kind="stable"):
        mine = np.flatnonzero((data.pair_d == d) & data.pair_new & (x > 1e-9))
        plots = round(float(x[mine].sum()) / m)
        for p in mine[np.argsort(-x[mine], kind="stable")]:
            c = int(data.pair_c[p])
            if plots <= 0:
                break
            if free[d] >= m and supply[c] >= m:
                free[d] -= m
                supply[c] -= m
                y_lb[p], y_ub[p] = m, data.pair_ub[p]
                plots -= 1
    return Pattern("fixed", y_lb, y_ub)


def _optimise(
    data: Data, floor: float | None, deadline: float
) -> tuple[NDArray[np.float64] | None, bool, float]:
    """Exact MILP for small instances; relax, round and re-optimise for large ones."""
    if int(data.pair_new.sum()) <= MILP_PAIRS:
        best, _, feasible, gap = _dinkelbach(
            data, floor, "domes", deadline, _relaxed(data, "integer"), tol=MILP_TOL
        )
        return best, feasible, gap
    halfway = time.monotonic() + 0.5 * max(deadline - time.monotonic(), 0.0)
    relaxed, _, feasible, _ = _dinkelbach(
        data, floor, "domes", halfway, _relaxed(data, "relaxed"), tol=RELAXED_TOL
    )
    if relaxed is None:
        return None, feasible, INF
    best, _, feasible, gap = _dinkelbach(
        data, floor, "domes", deadline, _round(data, relaxed), tol=FIXED_TOL
    )
    if best is None:
        # the rounded pattern broke the gamma floor; planting nothing may still be allowed
        nothing = np.zeros(len(data.pair_d))
        best, _, feasible, gap = _dinkelbach(
            data, floor, "domes", deadline, Pattern("fixed", nothing, nothing)
        )
    return best, feasible, gap


def solve(
    problem: CropShareProblem, before: Profile
) -> tuple[dict[tuple[str, str], float], list[Said], bool]:
    """Return planted area per (dome, crop), notes for people, and whether optimality is proven."""
    deadline = time.monotonic() + problem.time_limit
    data = prepare(problem)
    notes: list[Said] = []
    idle = [d for d, a in zip(data.domes, data.active, strict=True) if not a]
    if idle:
        notes.append(
            said_n(
                "%(num)s dome has nothing counted and nothing it can plant: %(domes)s",
                "%(num)s domes have nothing counted and nothing they can plant: %(domes)s",
                len(idle),
                domes=", ".join(idle[:5]),
            )
        )
    if not len(data.pair_d):
        notes.append(said("No seed lot fits any dome's climate and free area; nothing to plant."))
    best, feasible, gap = _optimise(data, problem.gamma_floor, deadline)
    if best is None:
        if feasible and problem.gamma_floor is None:
            raise PlanInfeasible([said("The optimiser ran out of time before finding a plan.")])
        raise PlanInfeasible(_explain(problem, prepare(problem), before, deadline + 10.0))
    plantings = {}
    dropped = 0
    for p in np.flatnonzero(best > 1e-7):
        dome = data.domes[int(data.pair_d[p])]
        crop = data.crops[int(data.pair_c[p])]
        area = float(best[p])
        if data.pair_new[p]:
            if area < problem.min_plot_area * (1 - 1e-6):
                # a new plot below the minimum would not count: never plan one
                dropped += 1
                continue
            area = max(area, problem.min_plot_area)  # solver tolerance must not un-count a plot
        plantings[(dome, crop)] = area
    if dropped:
        notes.append(
            said_n(
                "%(num)s new plot smaller than the %(area)s m² minimum was left out: it would "
                "not count.",
                "%(num)s new plots smaller than the %(area)s m² minimum were left out: they "
                "would not count.",
                dropped,
                area=float(problem.min_plot_area),
            )
        )
    if int(data.pair_new.sum()) > MILP_PAIRS:
        notes.append(
            said(
                "Many possible plantings: the planner first let plots be any size to see where "
                "crops help most, then kept whole plots there and optimised their areas."
            )
        )
    if math.isinf(gap):
        notes.append(
            said("The optimiser stopped at its time limit; the plan is good, not proven best.")
        )
    elif gap > FIXED_TOL:
        notes.append(
            said(
                "The smallest effective number of crops is within about %(gap)s %% of the best "
                "the model can find for this choice of plots.",
                digits=1,
                gap=float(100 * math.expm1(gap)),
            )
        )
    return plantings, notes, gap <= FIXED_TOL
