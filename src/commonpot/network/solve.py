"""Exact allocation by column generation on a sparse nearest-offer graph, with a certificate.

Most of a need's feasible offers never carry food in the optimum: food moves between near
neighbours. So the min-cost flow (`flow.py`) is first solved on each need's few nearest
candidate pairs only. The plan's complementary-slackness prices (`certify.plan_prices`) then
price every dropped pair: a pair with reduced cost `c + u_o - w_n < 0` could improve the
plan, so it is added and the smaller problem solved again, until no dropped pair violates.
At that point the prices prove the plan optimal over ALL pairs (LP duality: the bound of
`certify.certify` meets the objective), which `solve_exact` checks before returning; if the
proof ever falls short, the whole graph is solved and certified instead.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

from commonpot.errors import Conflict
from commonpot.network.certify import Certificate, certify, plan_prices
from commonpot.network.flow import FlowProblem, solve_flow

IntArray = NDArray[np.int64]
FloatArray = NDArray[np.float64]
BoolArray = NDArray[np.bool_]

FIRST_NEAREST = 4  # pairs per need in the first restricted problem
MAX_ROUNDS = 12  # pricing rounds before falling back to the whole graph


@dataclass(frozen=True)
class ExactResult:
    """The plan on every pair of the problem, its certificate, and how it was found."""

    flow: IntArray
    certificate: Certificate
    rounds: int
    arcs_solved: list[int] = field(default_factory=list)  # arcs of each restricted solve
    fallback: bool = False


def restrict(problem: FlowProblem, arcs: IntArray) -> FlowProblem:
    """The same problem on a subset of its pairs."""
    return FlowProblem(
        offer_quantity=problem.offer_quantity,
        need_quantity=problem.need_quantity,
        need_priority=problem.need_priority,
        arc_offer=problem.arc_offer[arcs],
        arc_need=problem.arc_need[arcs],
        arc_cost=problem.arc_cost[arcs],
        segments=problem.segments,
        first_unit_bonus=problem.first_unit_bonus,
    )


def rank_within_need(arc_need: IntArray) -> IntArray:
    """Position of each arc among its need's arcs (arcs grouped by need, nearest first)."""
    n = len(arc_need)
    if n == 0:
        return np.zeros(0, dtype=np.int64)
    starts = np.flatnonzero(np.r_[True, arc_need[1:] != arc_need[:-1]])
    lengths = np.diff(np.r_[starts, n])
    rank: IntArray = np.arange(n, dtype=np.int64) - np.repeat(starts, lengths)
    return rank


def _margin(problem: FlowProblem, u: FloatArray, w: FloatArray) -> FloatArray:
    """w_n - c_a - u_o for every arc: positive means the arc prices out (could improve)."""
    margin: FloatArray = w[problem.arc_need] - problem.arc_cost - u[problem.arc_offer]
    return margin


def _useful(problem: FlowProblem) -> BoolArray:
    """Arcs whose first unit could be worth carrying (value of a need's best unit > cost)."""
    best = problem.need_priority.copy()
    if problem.first_unit_bonus is not None:
        best = best + problem.first_unit_bonus
    useful: BoolArray = best[problem.arc_need] - problem.arc_cost > 0
    return useful


def solve_exact(
    problem: FlowProblem, *, first_nearest: int = FIRST_NEAREST, workers: int = 1
) -> ExactResult:
    """A certified optimal integral plan over every pair of `problem`.

    `problem`'s arcs must be grouped by need, nearest first (as `build_candidates` sorts them).
    """
    n_arcs = len(problem.arc_offer)
    flow = np.zeros(n_arcs, dtype=np.int64)
    useful = _useful(problem)
    active = useful & (rank_within_need(problem.arc_need) < first_nearest)
    tol = 1e-9 * max(1.0, float(problem.need_priority.max(initial=1.0)))
    solved: list[int] = []
    for round_no in range(1, MAX_ROUNDS + 1):
        arcs = np.flatnonzero(active)
        sub = restrict(problem, arcs)
        result = solve_flow(sub, workers=workers)
        solved.append(len(arcs))
        flow[:] = 0
        flow[arcs] = result.flow
        u, w = plan_prices(sub, result.flow)
        margin = _margin(problem, u, w)
        entering = useful & ~active & (margin > tol)
        if not entering.any():
            cert = certify(problem, flow, (u, w))
            if cert.optimal:
                return ExactResult(flow=flow, certificate=cert, rounds=round_no, arcs_solved=solved)
            break
        active |= entering
    # the proof fell short (should not happen): solve every useful pair and certify that
    arcs = np.flatnonzero(useful)
    result = solve_flow(restrict(problem, arcs), workers=workers)
    flow[:] = 0
    flow[arcs] = result.flow
    cert = certify(problem, flow)
    solved.append(len(arcs))
    if not cert.optimal:
        raise Conflict(
            f"allocation: optimality certificate failed (gap {cert.gap:.3g}, "
            f"tolerance {cert.tolerance:.3g})"
        )
    return ExactResult(
        flow=flow, certificate=cert, rounds=len(solved), arcs_solved=solved, fallback=True
    )
