"""The optimality certificate: sound for any prices, tight for optimal plans, never fooled."""

from __future__ import annotations

import random
import subprocess
import sys

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from commonpot.network.allocation import allocate, fcfs_flow, flow_problem
from commonpot.network.candidates import build_candidates
from commonpot.network.certify import certify, plan_prices
from commonpot.network.flow import FlowProblem, solve_flow
from commonpot.network.geo import locality_rank
from commonpot.network.instance import parse_instance
from tests.factories.network import random_instance
from tests.unit.test_network_optimality import lp_optimum

SEEDS = st.integers(min_value=0, max_value=2**32 - 1)


def every_pair(data: dict, min_fill: bool = False) -> tuple[FlowProblem, object]:  # type: ignore[type-arg]
    inst = parse_instance(data)
    cand = build_candidates(inst)
    problem, _ = flow_problem(inst, cand, min_fill=min_fill, every_pair=True)
    return problem, inst


@settings(max_examples=120, deadline=None)
@given(seed=SEEDS, crowded=st.booleans())
def test_every_optimal_plan_is_certified_and_matches_the_lp(seed: int, crowded: bool) -> None:
    rng = random.Random(seed)
    size = 40 if crowded else 12
    data = random_instance(rng, max_offers=size, max_needs=size, span_km=10 if crowded else 30)
    plan = allocate(parse_instance(data))
    cert = plan.certificate
    assert cert is not None and cert.feasible and cert.optimal
    optimum = lp_optimum(data)
    # the bound really bounds the optimum, and the plan reaches it
    assert cert.bound >= optimum - 1e-7 * max(1.0, abs(optimum))
    assert cert.objective == pytest.approx(optimum, rel=1e-6, abs=1e-7)
    assert cert.objective == pytest.approx(plan.metrics["objective"], rel=1e-9, abs=1e-9)
    assert plan.error_bound == cert.gap <= 1e-6 * max(1.0, abs(optimum))
    assert cert.violated_arcs == 0


@settings(max_examples=80, deadline=None)
@given(seed=SEEDS, noise=st.integers(min_value=0, max_value=2**32 - 1))
def test_any_prices_give_a_valid_bound(seed: int, noise: int) -> None:
    """Soundness does not depend on where prices come from: random prices bound the optimum."""
    data = random_instance(random.Random(seed))
    problem, inst = every_pair(data)
    gen = np.random.default_rng(noise)
    u = gen.uniform(0, 3, size=inst.n_offers)
    w = gen.uniform(-1, 4, size=inst.n_needs)
    optimal = allocate(inst).certificate
    assert optimal is not None
    cert = certify(problem, np.zeros(len(problem.arc_offer), dtype=np.int64), (u, w))
    assert cert.bound >= optimal.objective - 1e-9 * max(1.0, abs(optimal.objective))


@settings(max_examples=80, deadline=None)
@given(seed=SEEDS)
def test_suboptimal_plans_are_never_certified(seed: int) -> None:
    data = random_instance(random.Random(seed), max_offers=20, max_needs=20, span_km=10)
    problem, inst = every_pair(data)
    cand = build_candidates(inst)
    greedy = fcfs_flow(inst, cand)
    cert = certify(problem, greedy)
    optimum = lp_optimum(data)
    assert cert.feasible
    assert cert.bound >= optimum - 1e-7 * max(1.0, abs(optimum))
    if cert.objective < optimum - 2e-6 * max(1.0, abs(optimum)):
        assert not cert.optimal
    else:
        assert cert.optimal


def test_a_plan_blind_to_some_pairs_is_caught_by_their_reduced_costs() -> None:
    """Optimal on a subset of pairs is not optimal: the dropped pairs price out."""
    caught = 0
    for seed in range(40):
        data = random_instance(random.Random(seed), max_offers=15, max_needs=15, span_km=8)
        problem, _ = every_pair(data)
        if len(problem.arc_offer) < 4:
            continue
        keep = np.arange(len(problem.arc_offer)) % 2 == 0
        sub = FlowProblem(
            offer_quantity=problem.offer_quantity,
            need_quantity=problem.need_quantity,
            need_priority=problem.need_priority,
            arc_offer=problem.arc_offer[keep],
            arc_need=problem.arc_need[keep],
            arc_cost=problem.arc_cost[keep],
            segments=problem.segments,
        )
        flow = np.zeros(len(problem.arc_offer), dtype=np.int64)
        flow[keep] = solve_flow(sub).flow
        assert certify(sub, flow[keep]).optimal  # optimal where it looked
        full = certify(problem, flow)
        # the restricted plan's own prices, priced on every pair (column generation's test)
        priced = certify(problem, flow, plan_prices(sub, flow[keep]))
        optimum = lp_optimum(data)
        if full.objective < optimum - 1e-5 * max(1.0, abs(optimum)):
            assert not full.optimal
            assert not priced.optimal and priced.violated_arcs > 0
            caught += 1
        else:
            assert full.optimal
    assert caught >= 5


def test_infeasible_plans_are_rejected() -> None:
    data = random_instance(random.Random(3), max_offers=10, max_needs=10, span_km=5)
    problem, inst = every_pair(data)
    assert len(problem.arc_offer) > 0
    plan = allocate(inst)
    flow = plan.flow.copy()
    flow[0] += int(inst.offer_quantity.max()) + 1  # more than any offer has
    assert not certify(problem, flow).feasible
    negative = np.zeros_like(plan.flow)
    negative[0] = -1
    assert not certify(problem, negative).optimal


def test_min_fill_plans_are_certified_for_their_own_objective() -> None:
    for seed in range(30):
        data = random_instance(random.Random(seed))
        plan = allocate(parse_instance(data), "min-fill")
        assert plan.certificate is not None and plan.certificate.optimal


def test_prices_satisfy_complementary_slackness_on_flow_arcs() -> None:
    data = random_instance(random.Random(11), max_offers=40, max_needs=40, span_km=10)
    problem, inst = every_pair(data)
    plan = allocate(inst)
    u, w = plan_prices(problem, plan.flow)
    margin = w[problem.arc_need] - problem.arc_cost - u[problem.arc_offer]
    used = plan.flow > 0
    assert used.any()
    assert np.allclose(margin[used], 0.0, atol=1e-9)  # carrying arcs are tight
    assert (margin <= 1e-9).all()  # no arc prices out
    sent = np.bincount(problem.arc_offer, weights=plan.flow, minlength=inst.n_offers)
    assert (u[sent < inst.offer_quantity] <= 1e-12).all()  # food left over is worth nothing


def test_locality_rank_is_a_permutation_keeping_neighbours_close() -> None:
    gen = np.random.default_rng(4)
    lat = 52 + gen.uniform(0, 0.5, 4000)
    lon = 5 + gen.uniform(0, 0.5, 4000)
    rank = locality_rank(lat, lon)
    assert sorted(rank.tolist()) == list(range(4000))
    order = np.argsort(rank)
    step = np.hypot(np.diff(lat[order]), np.diff(lon[order]))
    shuffled = np.hypot(np.diff(lat), np.diff(lon))
    assert np.median(step) < np.median(shuffled) / 10
    assert locality_rank(np.zeros(0), np.zeros(0)).tolist() == []
    assert locality_rank(np.array([1.0, 1.0]), np.array([2.0, 2.0])).tolist() == [0, 1]


def test_node_numbering_changes_speed_not_the_plan() -> None:
    from dataclasses import replace

    for seed in range(10):
        data = random_instance(random.Random(seed), max_offers=30, max_needs=30, span_km=10)
        inst = parse_instance(data)
        problem, _ = flow_problem(inst, build_candidates(inst))
        plain = replace(problem, offer_rank=None, need_rank=None)
        a = certify(problem, solve_flow(problem).flow)
        b = certify(plain, solve_flow(plain).flow)
        assert a.optimal and b.optimal
        assert a.objective == pytest.approx(b.objective, rel=1e-9, abs=1e-9)


def test_engine_and_cli_path_import_no_orm() -> None:
    """`allocate solve` starts without SQLAlchemy: the network package loads exports lazily."""
    code = (
        "import sys; import commonpot.network.allocation, commonpot.network.cli; "
        "print('sqlalchemy' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
    code = "from commonpot import network; print(network.Offer.__tablename__)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip()
