"""The compiled network simplex: exact against OR-Tools, with duals that prove it."""

from __future__ import annotations

import random

import numpy as np
import pytest

from commonpot.network import simplex
from commonpot.network.allocation import flow_problem
from commonpot.network.candidates import build_candidates
from commonpot.network.flow import Network, _assign_parts, build_network, solve_network
from commonpot.network.generate import uniform_square
from commonpot.network.instance import parse_instance
from tests.factories.network import random_instance


def networks(data: dict[str, object]) -> list[Network]:
    inst = parse_instance(data)
    problem, _ = flow_problem(inst, build_candidates(inst))
    if not len(problem.arc_offer):
        return []
    return [build_network(problem, *part) for part in _assign_parts(problem)]


def integer_costs(net: Network) -> np.ndarray:
    top = float(np.abs(net.cost).max(initial=1.0))
    return np.rint(net.cost * (1e9 / top)).astype(np.int64)


def test_the_library_is_built() -> None:
    """`make setup` compiles it; a silent fall-back to OR-Tools would hide a broken build."""
    assert simplex.available()


@pytest.mark.parametrize("seed", range(40))
def test_same_optimum_as_ortools_with_duals_that_prove_it(seed: int) -> None:
    rng = random.Random(seed)
    data = random_instance(rng, max_offers=25, max_needs=25, categories=2)
    for net in networks(data):
        cost = integer_costs(net)
        found = simplex.solve(
            net.tails, net.heads, net.capacity, cost, net.node_supply, 0, net.tree_arc
        )
        assert found.status == simplex.OPTIMAL
        flow, pi = found.flow, found.potential
        # its work: the last search priced every arc (that proves the tree optimal), and
        # every pivot walked at least one step to its cycle's join
        assert found.work is not None
        assert found.work.priced >= len(net.tails)
        assert found.work.walked >= found.pivots
        assert 0 <= found.work.moved <= found.pivots * net.n_nodes
        # a flow: within capacity, and every node sends out exactly its supply
        assert (flow >= 0).all() and (flow <= net.capacity).all()
        out = np.bincount(net.tails, weights=flow, minlength=net.n_nodes)
        into = np.bincount(net.heads, weights=flow, minlength=net.n_nodes)
        assert np.array_equal(out - into, net.node_supply)
        # complementary slackness: no arc could lower the cost (LP duality: optimal)
        reduced = cost + pi[net.tails] - pi[net.heads]
        assert (reduced[flow < net.capacity] >= 0).all()
        assert (reduced[flow > 0] <= 0).all()
        # the same optimum as OR-Tools' cost scaling on the same integer costs
        from ortools.graph.python import min_cost_flow

        smcf = min_cost_flow.SimpleMinCostFlow()
        smcf.add_arcs_with_capacity_and_unit_cost(net.tails, net.heads, net.capacity, cost)
        smcf.set_nodes_supplies(np.arange(net.n_nodes), net.node_supply)
        assert smcf.solve() == smcf.OPTIMAL
        assert int(flow @ cost) == smcf.optimal_cost()


def test_both_solvers_give_plans_of_equal_value_on_a_city() -> None:
    data = uniform_square(1500, seed=4, categories=1)
    for net in networks(data):
        by_simplex, bound_s = solve_network(net, solver="simplex")
        by_ortools, bound_o = solve_network(net, solver="ortools")
        value_s = float(by_simplex @ net.cost[: net.n_pairs])
        value_o = float(by_ortools @ net.cost[: net.n_pairs])
        # the objective also counts segment values: compare whole plans' real costs
        assert bound_s == bound_o
        assert by_simplex.sum() == by_ortools.sum()
        assert abs(value_s - value_o) <= bound_s + 1e-9 * max(1.0, abs(value_o))


def test_degenerate_ties_do_not_cycle() -> None:
    """Every offer at one place, every need at another: all pair costs are equal."""
    offers = [
        {"id": f"o{i}", "category": "bread", "quantity": 3, "lat": 10.0, "lon": 10.0}
        for i in range(30)
    ]
    needs = [
        {"id": f"n{i}", "category": "bread", "quantity": 4, "lat": 10.01, "lon": 10.0}
        for i in range(30)
    ]
    (net,) = networks({"offers": offers, "needs": needs})
    found = simplex.solve(
        net.tails, net.heads, net.capacity, integer_costs(net), net.node_supply, 0, net.tree_arc
    )
    assert found.status == simplex.OPTIMAL
    assert int(found.flow[: net.n_pairs].sum()) == 90  # all the bread goes out


def test_pivot_limit_is_reported() -> None:
    (net,) = networks(uniform_square(300, seed=1, categories=1))
    found = simplex.solve(
        net.tails,
        net.heads,
        net.capacity,
        integer_costs(net),
        net.node_supply,
        0,
        net.tree_arc,
        max_pivots=3,
    )
    assert found.status == simplex.ITERATION_LIMIT
    assert found.pivots == 3


def test_a_first_tree_that_is_not_a_tree_is_refused() -> None:
    (net,) = networks(uniform_square(50, seed=1, categories=1))
    cost = integer_costs(net)
    pair_tree = net.tree_arc.copy()
    pair_tree[1] = 0  # a pair arc: it does not join node 1 to the sink
    found = simplex.solve(net.tails, net.heads, net.capacity, cost, net.node_supply, 0, pair_tree)
    assert found.status == simplex.BAD_TREE
    unbalanced = net.node_supply.copy()
    unbalanced[0] += 1
    found = simplex.solve(net.tails, net.heads, net.capacity, cost, unbalanced, 0, net.tree_arc)
    assert found.status == simplex.BAD_TREE
    with pytest.raises(ValueError, match="different lengths"):
        simplex.solve(
            net.tails[:-1], net.heads, net.capacity, cost, net.node_supply, 0, net.tree_arc
        )


@pytest.mark.parametrize("seed", range(25))
def test_the_simplex_duals_certify_the_plan_on_their_own(seed: int) -> None:
    """Its potentials, as offer and need prices, prove the plan optimal over every pair (the
    certificate checks them like any prices; label correcting from the plan is not needed)."""
    from commonpot.network.certify import certify
    from commonpot.network.flow import solve_flow

    rng = random.Random(1000 + seed)
    data = random_instance(rng, max_offers=30, max_needs=30, categories=2)
    inst = parse_instance(data)
    cand = build_candidates(inst)
    for min_fill in (False, True):
        problem, arcs = flow_problem(inst, cand, min_fill=min_fill)
        result = solve_flow(problem)
        assert result.prices is not None
        every, _ = flow_problem(inst, cand, min_fill=min_fill, every_pair=True)
        flow = np.zeros(len(cand.need), dtype=np.int64)
        flow[arcs] = result.flow
        by_duals = certify(every, flow, result.prices)
        assert by_duals.optimal, (by_duals.gap, by_duals.tolerance)
        by_plan = certify(every, flow)
        assert abs(by_duals.objective - by_plan.objective) < 1e-9
        # a wrong price list is caught: raising every need's price opens the gap
        u, w = result.prices
        if len(w) and flow.sum():
            wrong = certify(every, flow, (u, w + 10.0))
            assert not wrong.optimal


@pytest.mark.parametrize("seed", range(12))
def test_pricing_in_tiers_reaches_the_same_optimum(seed: int) -> None:
    """Tiers (the engine's nearest pairs first, or any prefixes at all) change the path, never
    the optimal cost; and the last tier of every arc always runs, so a tier list that stops
    short still ends optimal."""
    from commonpot.network.flow import _pricing_order

    (net,) = networks(uniform_square(400, seed=seed, categories=1))
    cost = integer_costs(net)
    plain = simplex.solve(
        net.tails, net.heads, net.capacity, cost, net.node_supply, 0, net.tree_arc
    )
    order, position, tiers = _pricing_order(net)
    # the engine's tiers: growing prefixes, each need's nearest pairs and every sink arc first
    assert 0 < tiers[0] < tiers[-1] < len(net.tails)
    first = order[: tiers[0]]
    assert set(range(net.n_pairs, len(net.tails))) <= set(first.tolist())
    rng = random.Random(seed)
    for ends in (tiers, np.array(sorted(rng.sample(range(len(net.tails)), 3))), np.array([5])):
        tiered = simplex.solve(
            net.tails[order],
            net.heads[order],
            net.capacity[order],
            cost[order],
            net.node_supply,
            0,
            position[net.tree_arc],
            tiers=ends,
        )
        assert tiered.status == simplex.OPTIMAL
        assert int(tiered.flow @ cost[order]) == int(plain.flow @ cost)
        reduced = (
            cost[order] + tiered.potential[net.tails[order]] - tiered.potential[net.heads[order]]
        )
        assert (reduced[tiered.flow == 0] >= 0).all()
        # the last search priced every arc: that is what proves the tree optimal
        assert tiered.work is not None and tiered.work.priced >= len(net.tails)


def test_a_tier_outside_the_arcs_is_refused() -> None:
    (net,) = networks(uniform_square(50, seed=1, categories=1))
    cost = integer_costs(net)
    for bad in ([len(net.tails) + 1], [-1]):
        with pytest.raises(ValueError, match="tier ends outside"):
            simplex.solve(
                net.tails, net.heads, net.capacity, cost, net.node_supply, 0, net.tree_arc,
                tiers=np.array(bad),
            )  # fmt: skip


def test_a_network_too_large_for_32_bit_numbers_goes_to_or_tools(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The simplex numbers nodes and arcs in 32 bits: a bigger network is refused by it and
    solved by OR-Tools instead, to the same optimum (here the limit is lowered to see it)."""
    from commonpot.network.flow import solve_part

    (net,) = networks(uniform_square(200, seed=4, categories=1))
    by_simplex = solve_part(net)
    assert by_simplex.potential is not None  # the simplex gives its duals
    assert simplex.fits(simplex.MAX_SIZE, simplex.MAX_SIZE)
    assert not simplex.fits(simplex.MAX_SIZE + 1, 1) and not simplex.fits(1, 2**31)
    monkeypatch.setattr(simplex, "MAX_SIZE", net.n_nodes - 1)
    with pytest.raises(ValueError, match="2\\^31"):
        simplex.solve(
            net.tails, net.heads, net.capacity, integer_costs(net), net.node_supply, 0,
            net.tree_arc,
        )  # fmt: skip
    by_ortools = solve_part(net)
    assert by_ortools.potential is None  # OR-Tools gives none: it was the one that solved
    # distances are real numbers, so the optimum is unique: the same plan, unit for unit
    assert np.array_equal(by_ortools.flow, by_simplex.flow)
    assert int(by_ortools.flow.sum()) > 0
