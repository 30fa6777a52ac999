"""The crop planner's outer approximation: the problem as arrays, the MILP it becomes, and
the tangent cuts that refine it (see `cropshare_solver` for why this is sound).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

from commonpot.ecology.cropshare_lp import Builder
from commonpot.ecology.cropshare_problem import CropShareProblem, counted, seeds_by_crop
from commonpot.ecology.diversity import alpha_arrays, partition_q1

R_GRID = (1e-4, 1e-3, 0.01, 0.05, 0.15, 0.35, 0.7, 1.0)
INF = math.inf


@dataclass
class Data:
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


def prepare(problem: CropShareProblem) -> Data:
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
    return Data(
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


def tangents(ratios: list[float] | tuple[float, ...]) -> list[tuple[float, float]]:
    return [(-math.log(r) - 1.0, r) for r in ratios]


def ln_points(low: float, high: float) -> list[float]:
    low = max(low, 1e-6)
    high = max(high, low * 1.0001)
    return list(np.geomspace(low, high, 5))


@dataclass(frozen=True)
class Pattern:
    """How plantings are restricted: 'integer' (MILP), 'relaxed' (LP) or 'fixed' (LP)."""

    kind: str
    y_lb: NDArray[np.float64]
    y_ub: NDArray[np.float64]


def build(
    data: Data,
    t: float,
    norm: NDArray[np.float64],
    floor: float | None,
    mode: str,
    pattern: Pattern,
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
        for k, r in tangents(list(R_GRID) + data.cuts[p]):
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
            for t0 in ln_points(float(totals[i]), float(tmax[i])) + data.t_cuts[i]:
                b.row([(v, 1.0), (tv[i], -1.0 / t0)], -INF, math.log(t0) - 1.0)
            terms.append((v, -e_fix))
        b.row(terms, -INF, const)
    if floor is not None or mode == "gamma":
        pooled(b, data, y, tv, u, t, float(norm.sum()), floor, mode)
    return b, u


def pooled(
    b: Builder,
    data: Data,
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
        for k, r in tangents(list(R_GRID) + data.pool_cuts.get(j, [])):
            b.row([(sa, 1.0), (a, -k), (t_tot, -r)], -INF, 0.0)
        terms.append((sa, 1.0))
    if e_fix > 0:
        v = b.var(-INF, INF)
        low = float(pooled.sum())
        for t0 in ln_points(low, low + float(data.free.sum())):
            b.row([(v, 1.0), (t_tot, -1.0 / t0)], -INF, math.log(t0) - 1.0)
        terms.append((v, e_fix))
    if floor is not None:
        b.row([*terms, (t_tot, -math.log(max(floor, 1e-12)))], -const, INF)
    if mode == "gamma":
        b.row([(u, norm), (t_tot, t)] + [(c, -w) for c, w in terms], -INF, const)


def planted_areas(data: Data, x: NDArray[np.float64] | None) -> NDArray[np.float64]:
    areas = data.base.copy()
    if x is not None and len(data.pair_d):
        np.add.at(areas, (data.pair_d, data.pair_c), x[: len(data.pair_d)])
    return areas


def evaluate(data: Data, areas: NDArray[np.float64]) -> tuple[float, float, NDArray[np.float64]]:
    h = np.nan_to_num(alpha_arrays(areas).shannon, nan=0.0)
    worst = float(h[data.active].min()) if data.active.any() else 0.0
    gamma = partition_q1(areas).gamma
    return worst, float(gamma or 0.0), h


def add_cuts(data: Data, areas: NDArray[np.float64], x: NDArray[np.float64]) -> None:
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
