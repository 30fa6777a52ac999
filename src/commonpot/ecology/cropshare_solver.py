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
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

from commonpot.ecology.cropshare_lp import Builder
from commonpot.ecology.cropshare_problem import (
    CropShareProblem,
    PlanInfeasible,
    Profile,
    counted,
    seeds_by_crop,
)
from commonpot.ecology.diversity import alpha_arrays, partition_q1

R_GRID = (1e-4, 1e-3, 0.01, 0.05, 0.15, 0.35, 0.7, 1.0)
INF = math.inf
RELAXED_TOL = 2e-2  # nats: the relaxed phase only chooses which plots to keep
FIXED_TOL = 1e-3  # nats: about 0.1 % of hill_1
MILP_TOL = 1e-4
MILP_PAIRS = 200  # above this many new dome–crop pairs, relax-and-round instead


@dataclass
class _Data:
    domes: list[str]
    crops: list[str]
    base: NDArray[np.float64]  # domes × crops, counted existing areas
    free: NDArray[np.float64]
    supply: NDArray[np.float64]  # per crop, area equivalent of all lots
    pair_d: NDArray[np.int64]
    pair_c: NDArray[np.int64]
    pair_new: NDArray[np.bool_]
    pair_ub: NDArray[np.float64]
    active: NDArray[np.bool_]
    min_plot: float
    cuts: list[list[float]] = field(default_factory=list)  # per pair, extra ratios
    pool_cuts: dict[int, list[float]] = field(default_factory=dict)
    t_cuts: list[list[float]] = field(default_factory=list)  # per dome, extra totals


def _prepare(problem: CropShareProblem) -> _Data:
    domes = [d.id for d in problem.domes]
    supply_map = seeds_by_crop(problem.seed_lots)
    crops = sorted({c for inv in problem.inventories.values() for c in inv} | set(supply_map))
    c_index = {c: j for j, c in enumerate(crops)}
    m = problem.min_plot_area
    base = np.zeros((len(domes), len(crops)))
    for i, dome in enumerate(domes):
        for crop, area in problem.inventories.get(dome, {}).items():
            base[i, c_index[crop]] = counted(area, m)
    free = np.array([d.free_area for d in problem.domes], dtype=np.float64)
    supply = np.array([supply_map.get(c, 0.0) for c in crops])
    need = max(m, 1e-9)
    pd, pc, new, ub = [], [], [], []
    for i, place in enumerate(problem.domes):
        for j, crop in enumerate(crops):
            climates = problem.compatibility.get(crop, ())
            is_new = base[i, j] <= 0
            cap = min(free[i], supply[j])
            if place.climate not in climates or cap < (need if is_new else 1e-9):
                continue
            pd.append(i)
            pc.append(j)
            new.append(is_new)
            ub.append(cap)
    pair_d = np.array(pd, dtype=np.int64)
    active = (base.sum(axis=1) > 0) | np.isin(np.arange(len(domes)), pair_d)
    return _Data(
        domes=domes,
        crops=crops,
        base=base,
        free=free,
        supply=supply,
        pair_d=pair_d,
        pair_c=np.array(pc, dtype=np.int64),
        pair_new=np.array(new, dtype=np.bool_),
        pair_ub=np.array(ub, dtype=np.float64),
        active=active,
        min_plot=m,
        cuts=[[] for _ in pd],
        t_cuts=[[] for _ in domes],
    )


def _tangents(ratios: list[float] | tuple[float, ...]) -> list[tuple[float, float]]:
    return [(-math.log(r) - 1.0, r) for r in ratios]


def _ln_points(low: float, high: float) -> list[float]:
    low = max(low, 1e-6)
    high = max(high, low * 1.0001)
    return list(np.geomspace(low, high, 5))


@dataclass(frozen=True)
class _Pattern:
    """How plantings are restricted: 'integer' (MILP), 'relaxed' (LP) or 'fixed' (LP)."""

    kind: str
    y_lb: NDArray[np.float64]
    y_ub: NDArray[np.float64]


def _build(
    data: _Data,
    t: float,
    norm: NDArray[np.float64],
    floor: float | None,
    mode: str,
    pattern: _Pattern,
) -> tuple[Builder, int]:
    b = Builder()
    n_pairs = len(data.pair_d)
    n_active = max(int(data.active.sum()), 1)
    y = [b.var(float(pattern.y_lb[p]), float(pattern.y_ub[p])) for p in range(n_pairs)]
    s = [b.var(0.0, INF, cost=-1e-3 / n_active / norm[data.pair_d[p]]) for p in range(n_pairs)]
    totals = data.base.sum(axis=1)
    tmax = totals + data.free
    tv = [b.var(float(totals[i]), float(tmax[i])) for i in range(len(data.domes))]
    u = b.var(-INF, INF, cost=-1.0)
    by_dome: list[list[int]] = [[] for _ in data.domes]
    for p in range(n_pairs):
        d, c = int(data.pair_d[p]), int(data.pair_c[p])
        by_dome[d].append(p)
        e = float(data.base[d, c])
        if data.pair_new[p] and pattern.kind != "fixed":
            z = b.var(0.0, 1.0, cost=1e-6, integer=pattern.kind == "integer")
            b.row([(y[p], 1.0), (z, -max(data.min_plot, 1e-9))], 0.0, INF)
            b.row([(y[p], 1.0), (z, -float(data.pair_ub[p]))], -INF, 0.0)
            b.row([(s[p], 1.0), (z, -float(tmax[d]) / math.e)], -INF, 0.0)
        if e <= 0 and pattern.y_ub[p] <= 0:
            b.row([(s[p], 1.0)], -INF, 0.0)  # a pair ruled out adds no entropy
            continue
        for k, r in _tangents(list(R_GRID) + data.cuts[p]):
            b.row([(s[p], 1.0), (y[p], -k), (tv[d], -r)], -INF, k * e)
    for j in range(len(data.crops)):
        cols = [(y[p], 1.0) for p in np.flatnonzero(data.pair_c == j)]
        if cols:
            b.row(cols, -INF, float(data.supply[j]))
    for i in range(len(data.domes)):
        pairs = by_dome[i]
        b.row([(tv[i], 1.0)] + [(y[p], -1.0) for p in pairs], float(totals[i]), float(totals[i]))
        if pairs:
            b.row([(y[p], 1.0) for p in pairs], -INF, float(data.free[i]))
        if mode != "domes" or not data.active[i]:
            continue
        paired = {int(data.pair_c[p]) for p in pairs}
        fixed = [float(a) for j, a in enumerate(data.base[i]) if a > 0 and j not in paired]
        const = -sum(a * math.log(a) for a in fixed)
        e_fix = sum(fixed)
        terms = [(u, float(norm[i])), (tv[i], t)] + [(s[p], -1.0) for p in pairs]
        if e_fix > 0:
            v = b.var(-INF, INF)
            for t0 in _ln_points(float(totals[i]), float(tmax[i])) + data.t_cuts[i]:
                b.row([(v, 1.0), (tv[i], -1.0 / t0)], -INF, math.log(t0) - 1.0)
            terms.append((v, -e_fix))
        b.row(terms, -INF, const)
    if floor is not None or mode == "gamma":
        _pooled(b, data, y, tv, u, t, float(norm.sum()), floor, mode)
    return b, u


def _pooled(
    b: Builder,
    data: _Data,
    y: list[int],
    tv: list[int],
    u: int,
    t: float,
    norm: float,
    floor: float | None,
    mode: str,
) -> None:
    pooled = data.base.sum(axis=0)
    t_tot = b.var(-INF, INF)
    b.row([(t_tot, 1.0)] + [(x, -1.0) for x in tv], 0.0, 0.0)
    terms: list[tuple[int, float]] = []
    const = 0.0
    e_fix = 0.0
    candidates = set(data.pair_c.tolist())
    for j in range(len(data.crops)):
        if j not in candidates:
            if pooled[j] > 0:
                const -= float(pooled[j] * math.log(pooled[j]))
                e_fix += float(pooled[j])
            continue
        a = b.var(0.0, INF)
        b.row(
            [(a, 1.0)] + [(y[p], -1.0) for p in np.flatnonzero(data.pair_c == j)],
            *(2 * [float(pooled[j])]),
        )
        sa = b.var(0.0, INF)
        for k, r in _tangents(list(R_GRID) + data.pool_cuts.get(j, [])):
            b.row([(sa, 1.0), (a, -k), (t_tot, -r)], -INF, 0.0)
        terms.append((sa, 1.0))
    if e_fix > 0:
        v = b.var(-INF, INF)
        low = float(pooled.sum())
        for t0 in _ln_points(low, low + float(data.free.sum())):
            b.row([(v, 1.0), (t_tot, -1.0 / t0)], -INF, math.log(t0) - 1.0)
        terms.append((v, e_fix))
    if floor is not None:
        b.row([*terms, (t_tot, -math.log(max(floor, 1e-12)))], -const, INF)
    if mode == "gamma":
        b.row([(u, norm), (t_tot, t)] + [(c, -w) for c, w in terms], -INF, const)


def _areas(data: _Data, x: NDArray[np.float64] | None) -> NDArray[np.float64]:
    areas = data.base.copy()
    if x is not None and len(data.pair_d):
        np.add.at(areas, (data.pair_d, data.pair_c), x[: len(data.pair_d)])
    return areas


def _evaluate(data: _Data, areas: NDArray[np.float64]) -> tuple[float, float, NDArray[np.float64]]:
    h = np.nan_to_num(alpha_arrays(areas).shannon, nan=0.0)
    worst = float(h[data.active].min()) if data.active.any() else 0.0
    gamma = partition_q1(areas).gamma
    return worst, float(gamma or 0.0), h


def _add_cuts(data: _Data, areas: NDArray[np.float64], x: NDArray[np.float64]) -> None:
    """Add tangent cuts where the outer approximation overstates the true entropy."""
    totals = areas.sum(axis=1)
    n_pairs = len(data.pair_d)
    for p in range(n_pairs):
        d, c = int(data.pair_d[p]), int(data.pair_c[p])
        a, total = float(areas[d, c]), float(totals[d])
        if a <= 0 or total <= 0:
            continue
        true_phi = -a * math.log(a / total)
        if x[n_pairs + p] - true_phi > 1e-5 * total:
            data.cuts[p].append(a / total)
    pooled = areas.sum(axis=0)
    grand = float(pooled.sum())
    for j in set(data.pair_c.tolist()):
        if pooled[j] > 0 and grand > 0:
            data.pool_cuts.setdefault(j, []).append(float(pooled[j] / grand))
    for i in range(len(data.domes)):
        if totals[i] > 0:
            data.t_cuts[i].append(float(totals[i]))


def _dinkelbach(
    data: _Data,
    floor: float | None,
    mode: str,
    deadline: float,
    pattern: _Pattern,
    tol: float = 1e-6,
) -> tuple[NDArray[np.float64] | None, float, bool, float]:
    """Return (best solution or None, its true objective, model feasible, remaining gap).

    The gap is the last subproblem's value u: the model sees no plan better than the best
    by more than about u nats per dome (INF when unknown).
    """
    ok_floor = floor is None
    start = _areas(data, None)
    worst, gamma, _ = _evaluate(data, start)
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
        areas = _areas(data, best)
        norm = np.maximum(areas.sum(axis=1), max(data.min_plot, 1.0))
        builder, u = _build(data, t, norm, floor, mode, pattern)
        status, x, optimal = builder.solve(remaining)
        if x is None:
            return best, best_value, status != "infeasible" or best is not None, gap
        x[: len(data.pair_d)] = np.maximum(x[: len(data.pair_d)], 0.0)  # solver round-off
        new_areas = _areas(data, x)
        _add_cuts(data, new_areas, x)
        worst, gamma, _ = _evaluate(data, new_areas)
        value = worst if mode == "domes" else math.log(max(gamma, 1e-300))
        ok_floor = floor is None or gamma >= floor - 1e-9
        if ok_floor and value > best_value + 1e-9:
            best, best_value = x[: len(data.pair_d)].copy(), value
            t = value
        gap = max(float(x[u]), 0.0) if optimal else INF
        if x[u] <= tol:
            break
    return best, best_value, True, gap


def _explain(problem: CropShareProblem, data: _Data, before: Profile, deadline: float) -> list[str]:
    floor = problem.gamma_floor or 0.0
    reachable = int(
        np.count_nonzero(
            (data.base.sum(axis=0) > 0) | np.isin(np.arange(len(data.crops)), data.pair_c)
        )
    )
    reasons = [
        f"All domes together have a gamma diversity of {before.gamma or 0:.2f} effective crops "
        f"now, below the floor of {floor:.2f}."
    ]
    if reachable < floor:
        reasons.append(
            f"Only {reachable} crops can be grown at all (already grown, or with enough seed for "
            f"a {problem.min_plot_area:g} m² plot in a dome with a suitable climate and free "
            f"space), so even in perfectly equal shares gamma could not exceed {reachable}."
        )
        return reasons
    best, value, _, _ = _dinkelbach(data, None, "gamma", deadline, _relaxed(data, "relaxed"))
    if best is not None:
        reasons.append(
            "With the seed bank and free area available, the most the planner could reach is "
            f"about {math.exp(value):.2f}; lower the floor or add seed of crops that are rare "
            "across the domes."
        )
    return reasons


def _relaxed(data: _Data, kind: str) -> _Pattern:
    return _Pattern(kind, np.zeros(len(data.pair_d)), data.pair_ub.copy())


def _round(data: _Data, x: NDArray[np.float64]) -> _Pattern:
    """Turn relaxed plantings into whole plots, worst domes first.

    Each dome keeps as many new crops as its relaxed planted area holds whole plots,
    choosing its largest relaxed plantings while seed and space last.
    """
    y_lb = np.zeros(len(data.pair_d))
    y_ub = np.where(data.pair_new, 0.0, data.pair_ub)
    free = data.free.copy()
    supply = data.supply.copy()
    m = max(data.min_plot, 1e-9)
    _, _, h = _evaluate(data, _areas(data, x))
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
    return _Pattern("fixed", y_lb, y_ub)


def _optimise(
    data: _Data, floor: float | None, deadline: float
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
            data, floor, "domes", deadline, _Pattern("fixed", nothing, nothing)
        )
    return best, feasible, gap


def solve(
    problem: CropShareProblem, before: Profile
) -> tuple[dict[tuple[str, str], float], list[str], bool]:
    """Return planted area per (dome, crop), notes for people, and whether optimality is proven."""
    deadline = time.monotonic() + problem.time_limit
    data = _prepare(problem)
    notes = []
    idle = [d for d, a in zip(data.domes, data.active, strict=True) if not a]
    if idle:
        notes.append(
            f"{len(idle)} dome(s) have nothing counted and nothing they can plant: "
            + ", ".join(idle[:5])
        )
    if not len(data.pair_d):
        notes.append("No seed lot fits any dome's climate and free area; nothing to plant.")
    best, feasible, gap = _optimise(data, problem.gamma_floor, deadline)
    if best is None:
        if feasible and problem.gamma_floor is None:
            raise PlanInfeasible(["The optimiser ran out of time before finding a plan."])
        raise PlanInfeasible(_explain(problem, _prepare(problem), before, deadline + 10.0))
    plantings = {}
    for p in np.flatnonzero(best > 1e-7):
        dome = data.domes[int(data.pair_d[p])]
        crop = data.crops[int(data.pair_c[p])]
        area = float(best[p])
        if data.pair_new[p] and area >= problem.min_plot_area * (1 - 1e-6):
            area = max(area, problem.min_plot_area)  # solver tolerance must not un-count a plot
        plantings[(dome, crop)] = area
    if int(data.pair_new.sum()) > MILP_PAIRS:
        notes.append(
            "Many possible plantings: the planner first let plots be any size to see where "
            "crops help most, then kept whole plots there and optimised their areas."
        )
    if math.isinf(gap):
        notes.append("The optimiser stopped at its time limit; the plan is good, not proven best.")
    elif gap > FIXED_TOL:
        notes.append(
            f"The smallest hill_1 is within about {100 * math.expm1(gap):.1f} % of the best "
            "the model can find for this choice of plots."
        )
    return plantings, notes, gap <= FIXED_TOL
