"""An optimality certificate for allocation plans that does not trust the solver.

The default objective is a concave max-profit transportation problem:

    maximise  sum_n f_n(r_n) - sum_a c_a x_a
    s.t.      sum_{a at o} x_a <= q_o,  r_n = sum_{a at n} x_a <= q_n,  x >= 0

with f_n piecewise linear and concave (the fairness segments, filled in order). For ANY
offer prices u >= 0 and need prices w, Lagrangian duality gives the upper bound

    L(u, w) = sum_o u_o q_o + sum_segments size_s * max(0, value_s - w_n)
              + sum_a cap_a * max(0, w_n - c_a - u_o)              (cap_a = min(q_o, q_n))

on every feasible plan's objective. So `L(u, w) - objective(plan)` bounds how far the plan is
from the optimum, whatever produced the prices. `certify` checks the plan is feasible,
computes prices from the plan alone (the least solution of the complementary-slackness
conditions, by label correcting on the plan's flow arcs), prices EVERY arc of the problem,
including arcs a solver never looked at, and reports the gap. A plan is certified optimal
when the gap is at most 1e-6 of the objective (the spec's tolerance); an exact optimum has a
gap at the level of floating-point rounding. The same prices drive column generation in
`solve.py`: an arc with negative reduced cost `c_a + u_o - w_n` is exactly an arc whose
`cap_a * max(0, w_n - c_a - u_o)` term keeps the gap open.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from commonpot.network.flow import FlowProblem, segment_sizes, segment_values

IntArray = NDArray[np.int64]
FloatArray = NDArray[np.float64]

RELATIVE_TOLERANCE = 1e-6  # the spec's optimality tolerance


@dataclass(frozen=True)
class Segments:
    """Every need's concave value as segments (need, size, value per unit), need-major and
    within a need by falling value: the order in which received units fill them."""

    need: IntArray
    size: IntArray
    value: FloatArray


@dataclass(frozen=True)
class Certificate:
    """Primal feasibility, a duality bound from explicit prices, and the verdict."""

    feasible: bool
    objective: float  # the plan's objective under the problem's real costs
    bound: float  # L(u, w) >= the optimum
    gap: float  # bound - objective >= 0 up to rounding
    offer_price: FloatArray  # u
    need_price: FloatArray  # w
    violated_arcs: int  # arcs with reduced cost c + u - w below -tolerance
    tolerance: float  # the largest gap accepted as optimal

    @property
    def optimal(self) -> bool:
        """True when the plan is feasible and provably within the spec's tolerance."""
        return self.feasible and self.gap <= self.tolerance

    @property
    def relative_gap(self) -> float:
        """The gap relative to the objective (at least 1 in absolute terms)."""
        return self.gap / max(1.0, abs(self.objective))


def need_segments(problem: FlowProblem) -> Segments:
    """The segments of every need, including min-fill's first-unit bonus when present."""
    n_need = len(problem.need_quantity)
    k = problem.segments
    sizes = segment_sizes(problem.need_quantity, k)
    values = problem.need_priority[:, None] * segment_values(k)[None, :]
    if problem.first_unit_bonus is not None:
        first = np.argmax(sizes > 0, axis=1)
        rows = np.arange(n_need)
        sizes = sizes.copy()
        sizes[rows, first] -= 1
        first_value = values[rows, first] + problem.first_unit_bonus
        sizes = np.concatenate([np.ones((n_need, 1), dtype=np.int64), sizes], axis=1)
        values = np.concatenate([first_value[:, None], values], axis=1)
    width = sizes.shape[1]
    return Segments(
        need=np.repeat(np.arange(n_need, dtype=np.int64), width),
        size=sizes.ravel().astype(np.int64),
        value=values.ravel(),
    )


def _fill(seg: Segments, received: IntArray, width: int) -> IntArray:
    """Units in each segment when a need's received units fill its segments in order."""
    sizes = seg.size.reshape(-1, width)
    before = np.cumsum(sizes, axis=1) - sizes
    filled: IntArray = np.clip(received[:, None] - before, 0, sizes).ravel()
    return filled


def _price_bounds(
    seg: Segments, received: IntArray, need_quantity: IntArray, width: int
) -> tuple[FloatArray, FloatArray]:
    """Complementary slackness interval of each need's price: [next unit's value, last
    received unit's value] (0 below when full, +inf above when nothing was received)."""
    filled = _fill(seg, received, width).reshape(-1, width)
    sizes = seg.size.reshape(-1, width)
    values = seg.value.reshape(-1, width)
    open_seg = filled < sizes
    any_open = open_seg.any(axis=1)
    first_open = np.argmax(open_seg, axis=1)
    rows = np.arange(len(received))
    lo = np.where(any_open & (received < need_quantity), values[rows, first_open], 0.0)
    used = filled > 0
    any_used = used.any(axis=1)
    last_used = width - 1 - np.argmax(used[:, ::-1], axis=1)
    hi = np.where(any_used, values[rows, last_used], np.inf)
    return lo.astype(np.float64), hi.astype(np.float64)


def _gather(indptr: IntArray, nodes: IntArray) -> IntArray:
    """Positions of the CSR entries of the given rows, concatenated."""
    starts = indptr[nodes]
    counts = indptr[nodes + 1] - starts
    total = int(counts.sum())
    if total == 0:
        return np.zeros(0, dtype=np.int64)
    offsets = np.repeat(starts - np.cumsum(counts) + counts, counts)
    positions: IntArray = offsets + np.arange(total, dtype=np.int64)
    return positions


def _distinct(items: IntArray, size: int) -> IntArray:
    """The distinct values of `items` (all in range(size)), ascending."""
    if len(items) * 8 < size:
        small: IntArray = np.unique(items)
        return small
    seen = np.zeros(size, dtype=np.bool_)
    seen[items] = True
    found: IntArray = np.flatnonzero(seen)
    return found


def plan_prices(
    problem: FlowProblem, flow: IntArray, *, max_rounds: int = 100_000
) -> tuple[FloatArray, FloatArray]:
    """Offer and need prices (u, w) satisfying complementary slackness with the plan.

    The least solution of: w_n >= lo_n, u_o >= 0, u_o >= w_n - c_a on every arc, and
    w_n >= u_o + c_a on arcs with flow, by label correcting from the lower bounds (Bellman-
    Ford restricted to what changed). Prices are clipped at their upper bounds (w_n <= hi_n,
    u_o <= 0 for offers with food left), which only happens when the plan is not optimal;
    increases below a tiny tolerance are not propagated, so rounding cannot loop.
    """
    n_off = len(problem.offer_quantity)
    n_need = len(problem.need_quantity)
    seg = need_segments(problem)
    width = len(seg.size) // max(n_need, 1) if n_need else 1
    received = np.bincount(problem.arc_need, weights=flow, minlength=n_need).astype(np.int64)
    sent = np.bincount(problem.arc_offer, weights=flow, minlength=n_off).astype(np.int64)
    lo, hi = _price_bounds(seg, received, problem.need_quantity, width)
    u_cap = np.where(sent < problem.offer_quantity, 0.0, np.inf)
    scale = max(1.0, float(np.abs(seg.value).max(initial=0.0)))
    tol = 1e-8 * scale  # far below any value step; above the solver's cost rounding
    cost = problem.arc_cost
    # need -> offer along every arc (u_o >= w_n - c), arcs grouped by need
    by_need = np.argsort(problem.arc_need, kind="stable")
    need_ptr = np.searchsorted(problem.arc_need[by_need], np.arange(n_need + 1))
    # offer -> need along arcs with flow (w_n >= u_o + c), grouped by offer
    carrying = np.flatnonzero(flow > 0)
    by_offer = carrying[np.argsort(problem.arc_offer[carrying], kind="stable")]
    offer_ptr = np.searchsorted(problem.arc_offer[by_offer], np.arange(n_off + 1))
    u = np.zeros(n_off)
    w = lo.copy()
    grown = np.arange(n_off, dtype=np.int64)  # every price starts to propagate
    first = True
    for _ in range(max_rounds):
        arcs = by_offer[_gather(offer_ptr, grown)]
        needs = problem.arc_need[arcs]
        before_w = w[needs]
        np.maximum.at(w, needs, u[problem.arc_offer[arcs]] + cost[arcs])
        np.minimum(w, hi, out=w)
        frontier = _distinct(needs[w[needs] > before_w + tol], n_need)
        if first:
            frontier, first = np.arange(n_need, dtype=np.int64), False
        if not len(frontier):
            break
        arcs = by_need[_gather(need_ptr, frontier)]
        offers = problem.arc_offer[arcs]
        before = u[offers]
        np.maximum.at(u, offers, w[problem.arc_need[arcs]] - cost[arcs])
        np.minimum(u, u_cap, out=u)
        grown = _distinct(offers[u[offers] > before + tol], n_off)
        if not len(grown):
            break
    return u, w


def certify(
    problem: FlowProblem,
    flow: IntArray,
    prices: tuple[FloatArray, FloatArray] | None = None,
    *,
    relative_tolerance: float = RELATIVE_TOLERANCE,
) -> Certificate:
    """Check a plan (units on each arc of `problem`) against an explicit duality bound.

    Pure: uses only the problem's data and the plan (prices are computed from the plan when
    not given; any prices give a valid bound, good ones a tight one).
    """
    flow = np.asarray(flow, dtype=np.int64)
    n_off = len(problem.offer_quantity)
    n_need = len(problem.need_quantity)
    sent = np.bincount(problem.arc_offer, weights=flow, minlength=n_off)
    received_f = np.bincount(problem.arc_need, weights=flow, minlength=n_need)
    feasible = bool(
        len(flow) == len(problem.arc_offer)
        and (flow >= 0).all()
        and (sent <= problem.offer_quantity).all()
        and (received_f <= problem.need_quantity).all()
    )
    received = received_f.astype(np.int64)
    seg = need_segments(problem)
    width = len(seg.size) // max(n_need, 1) if n_need else 1
    filled = _fill(seg, np.minimum(received, problem.need_quantity), width)
    objective = float((seg.value * filled).sum()) - float((problem.arc_cost * flow).sum())
    u, w = prices if prices is not None else plan_prices(problem, flow)
    u = np.maximum(np.asarray(u, dtype=np.float64), 0.0)
    w = np.asarray(w, dtype=np.float64)
    cap = np.minimum(
        problem.offer_quantity[problem.arc_offer], problem.need_quantity[problem.arc_need]
    )
    margin = w[problem.arc_need] - problem.arc_cost - u[problem.arc_offer]
    bound = (
        float((u * problem.offer_quantity).sum())
        + float((seg.size * np.maximum(0.0, seg.value - w[seg.need])).sum())
        + float((cap * np.maximum(0.0, margin)).sum())
    )
    scale = max(1.0, abs(objective))
    gap = bound - objective
    return Certificate(
        feasible=feasible,
        objective=objective,
        bound=bound,
        gap=max(gap, 0.0),
        offer_price=u,
        need_price=w,
        violated_arcs=int(
            (margin > 1e-9 * max(1.0, float(np.abs(seg.value).max(initial=0.0)))).sum()
        ),
        tolerance=relative_tolerance * scale,
    )
