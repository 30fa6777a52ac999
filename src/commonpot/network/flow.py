"""The default objective as an exact min-cost flow, decomposed into independent parts.

Network per part: each offer supplies its quantity; offer -> need (one arc per feasible
pair, cost = cost_per_km * distance) -> sink (one parallel arc per fairness segment, cost =
-priority * v_k), and offer -> sink at cost 0 for food left unallocated. Segment values fall
with k, so a min-cost flow fills each need's segments in order and the flow's negated cost
is the spec's objective.

Solved by our network simplex (`simplex.c`, from the tree in which every offer keeps its
food) or, without a C compiler, by OR-Tools' cost scaling; both want integer costs: real
costs are multiplied by a scale S and rounded. Each unit of flow crosses one pair arc and
one segment arc, so the rounded objective of any plan is within F/S of its real objective
(F = units that can flow); the plan optimal for the rounded costs is therefore within 2F/S
of the real optimum. S starts at 1e10 per unit of the largest cost and, if 2F/S exceeds
1e-9 of the objective found, the part is solved again with the largest S that int64 allows
(potentials and OR-Tools' scaled costs grow with the node count); `error_bound` reports 2F/S
for every solve.
"""

from __future__ import annotations

import math
import multiprocessing as mp
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from commonpot.errors import Conflict
from commonpot.network import simplex
from commonpot.network.connectivity import connected_components

IntArray = NDArray[np.int64]
FloatArray = NDArray[np.float64]

BATCH_ARCS = 20_000  # components smaller than this are solved together, in label order
PARALLEL_ARCS = 100_000  # networks at least this big go to worker processes
_INT_BUDGET = 2.0**60
_FIRST_SCALE = 1e10  # integer units per unit of the largest real cost
_TARGET_RELATIVE = 1e-9  # accepted objective error bound, relative (the spec asks 1e-6)
# the simplex prices each need's 3 nearest offers first, then its 8 nearest, then every pair
# (early tiers are short and stay in the cache: ~0.75 of the time at 100k offers + needs)
NEAREST_TIERS = (3, 8)


@dataclass(frozen=True)
class FlowProblem:
    """A max-profit transportation problem with concave (segmented) need values."""

    offer_quantity: IntArray
    need_quantity: IntArray
    need_priority: FloatArray
    arc_offer: IntArray  # one entry per feasible pair, in canonical order
    arc_need: IntArray
    arc_cost: FloatArray  # cost_per_km * distance
    segments: int
    first_unit_bonus: FloatArray | None = None  # per need, added to the first unit's value
    # positions of offers and needs in one locality-preserving order (nearby points get
    # nearby numbers): only the solver's speed depends on it (memory locality), never the plan
    offer_rank: IntArray | None = None
    need_rank: IntArray | None = None


@dataclass(frozen=True)
class FlowResult:
    """Units on each pair arc, a bound on the objective's distance to the real optimum, and
    the solver's dual prices of offers and needs (None when a part had none to give)."""

    flow: IntArray
    error_bound: float
    prices: tuple[FloatArray, FloatArray] | None = None


def segment_sizes(quantity: IntArray, segments: int) -> IntArray:
    """Units in each fairness segment: floor(q*k/K) - floor(q*(k-1)/K), shape (needs, K)."""
    k = np.arange(segments + 1, dtype=np.int64)
    cuts = (quantity[:, None] * k[None, :]) // segments
    sizes: IntArray = np.diff(cuts, axis=1)
    return sizes


def segment_values(segments: int) -> FloatArray:
    """v_k = (K - k + 1) / K for k = 1..K."""
    values: FloatArray = (segments - np.arange(segments, dtype=np.float64)) / segments
    return values


def components(problem: FlowProblem) -> tuple[int, IntArray]:
    """Connected components of the offer-need graph; labels for needs (offers follow them)."""
    n_off = len(problem.offer_quantity)
    size = n_off + len(problem.need_quantity)
    return connected_components(size, problem.arc_offer, problem.arc_need + n_off)


def _max_scale(max_cost: float, n_nodes: int, units: int) -> float:
    if max_cost <= 0:
        return 1.0
    return min(2.0**52, _INT_BUDGET / (n_nodes + 1), _INT_BUDGET / (2 * units + 1)) / max_cost


@dataclass(frozen=True)
class Network:
    """One part as solver arrays; the first `n_pairs` arcs are the pair arcs, in order.

    Node 0 is the sink; offers and needs follow. Arcs: pair arcs (offer -> need), then one
    "keeps its food" arc per offer (offer -> sink, cost 0), then the segment arcs (need ->
    sink, cost -value). Each offer supplies its quantity and the sink takes it all.
    `tree_arc` joins each node to the sink (an offer by its keeping arc, a need by a
    segment arc): the first spanning tree of the network simplex, in which every offer
    keeps its food, feasible from the start.
    """

    tails: IntArray
    heads: IntArray
    capacity: IntArray
    cost: FloatArray  # real unit costs; integer costs are rint(cost * scale)
    n_pairs: int
    n_nodes: int
    node_supply: IntArray
    tree_arc: IntArray
    supply: int  # units offered in all (the sink takes as much)
    units: int  # most units that can reach needs
    offer_node: IntArray  # the node of each of the part's offers, in the part's offer order
    need_node: IntArray


def _segment_arcs(problem: FlowProblem, needs: IntArray) -> tuple[IntArray, IntArray, FloatArray]:
    """Segment arcs of the part's needs: (local need, capacity, value per unit)."""
    k_seg = problem.segments
    sizes = segment_sizes(problem.need_quantity[needs], k_seg)
    values = problem.need_priority[needs][:, None] * segment_values(k_seg)[None, :]
    seg_need = np.repeat(np.arange(len(needs)), k_seg)
    seg_cap = sizes.ravel()
    seg_value = values.ravel()
    if problem.first_unit_bonus is not None:
        # the first unit of each need (in its first non-empty segment) carries the bonus
        first = np.argmax(sizes > 0, axis=1)
        rows = np.arange(len(needs))
        seg_cap = seg_cap.copy()
        seg_cap[rows * k_seg + first] -= 1
        seg_need = np.concatenate([rows, seg_need])
        seg_cap = np.concatenate([np.ones(len(needs), dtype=np.int64), seg_cap])
        first_value = values[rows, first] + problem.first_unit_bonus[needs]
        seg_value = np.concatenate([first_value, seg_value])
    keep = seg_cap > 0
    return seg_need[keep], seg_cap[keep], seg_value[keep]


def build_network(
    problem: FlowProblem, arcs: IntArray, offers: IntArray, needs: IntArray
) -> Network:
    """The min-cost flow network of a part (a union of whole components)."""
    n_off, n_need = len(offers), len(needs)
    offer_pos = np.full(len(problem.offer_quantity), -1, dtype=np.int64)
    offer_pos[offers] = np.arange(n_off)
    need_pos = np.full(len(problem.need_quantity), -1, dtype=np.int64)
    need_pos[needs] = np.arange(n_need)
    offer_node = 1 + np.arange(n_off, dtype=np.int64)
    need_node = 1 + n_off + np.arange(n_need, dtype=np.int64)
    if problem.offer_rank is not None and problem.need_rank is not None:
        # number the nodes along the locality order: the solvers then touch nearby memory
        order = np.argsort(
            np.concatenate([problem.offer_rank[offers], problem.need_rank[needs]]), kind="stable"
        )
        node = np.empty(n_off + n_need, dtype=np.int64)
        node[order] = 1 + np.arange(n_off + n_need, dtype=np.int64)
        offer_node, need_node = node[:n_off], node[n_off:]
    seg_need, seg_cap, seg_value = _segment_arcs(problem, needs)
    arc_offer = problem.arc_offer[arcs]
    arc_need = problem.arc_need[arcs]
    q_off = problem.offer_quantity[offers]
    total = int(q_off.sum())
    n_pairs, n_seg = len(arcs), len(seg_need)
    n_nodes = 1 + n_off + n_need
    node_supply = np.zeros(n_nodes, dtype=np.int64)
    node_supply[offer_node] = q_off
    node_supply[0] = -total
    tree_arc = np.full(n_nodes, -1, dtype=np.int64)
    tree_arc[offer_node] = n_pairs + np.arange(n_off, dtype=np.int64)
    # each need by its first segment arc (assigned last to first: the first one stays)
    first_seg = n_pairs + n_off + np.arange(n_seg, dtype=np.int64)
    tree_arc[need_node[seg_need[::-1]]] = first_seg[::-1]
    return Network(
        tails=np.concatenate(
            [offer_node[offer_pos[arc_offer]], offer_node, need_node[seg_need]]
        ).astype(np.int64),
        heads=np.concatenate(
            [need_node[need_pos[arc_need]], np.zeros(n_off + n_seg, dtype=np.int64)]
        ),
        capacity=np.concatenate(
            [
                # no bound of their own (an offer sends at most its supply, a need takes at
                # most its segments): the optimal duals then price every pair arc >= 0, as
                # the certificate's prices do (certify.py), and need no arc-bound duals
                np.full(n_pairs, total + 1, dtype=np.int64),
                # room beyond the offer's own quantity: the first tree is strongly feasible
                np.full(n_off, total + 1, dtype=np.int64),
                seg_cap,
            ]
        ).astype(np.int64),
        cost=np.concatenate([problem.arc_cost[arcs], np.zeros(n_off), -seg_value]),
        n_pairs=n_pairs,
        n_nodes=n_nodes,
        node_supply=node_supply,
        tree_arc=tree_arc,
        supply=total,
        units=int(min(total, problem.need_quantity[needs].sum())),
        offer_node=offer_node,
        need_node=need_node,
    )


def _by_tail(net: Network) -> tuple[IntArray, IntArray]:
    """Arcs grouped by tail (nodes are numbered along space: better memory locality), and
    where each arc went."""
    order = np.argsort(net.tails, kind="stable")
    position = np.empty(len(order), dtype=np.int64)
    position[order] = np.arange(len(order), dtype=np.int64)
    return order, position


def _pricing_order(net: Network) -> tuple[IntArray, IntArray, IntArray]:
    """Arcs in the order the simplex prices them, where each arc went, and the ends of the
    pricing tiers (`simplex.solve`).

    A tier is each need's nearest offers (`NEAREST_TIERS`; pairs come sorted by need, then
    distance, from `candidates.py`, so a pair's rank among its need's pairs is its
    nearness), with every arc to the sink in the first; within a tier, arcs are grouped by
    tail (nodes are numbered along space: memory locality). Only speed depends on this.
    """
    heads = net.heads[: net.n_pairs]
    # a pair's place in its need's run of pairs
    place = np.arange(net.n_pairs, dtype=np.int64)
    new_run = np.ones(net.n_pairs, dtype=bool)
    new_run[1:] = heads[1:] != heads[:-1]
    rank = place - np.maximum.accumulate(np.where(new_run, place, 0))
    tier = np.zeros(len(net.tails), dtype=np.int8)
    tier[: net.n_pairs] = np.searchsorted(np.array(NEAREST_TIERS), rank, side="right")
    by_tail = np.argsort(net.tails, kind="stable")
    order = by_tail[np.argsort(tier[by_tail], kind="stable")]  # stable: by tail within a tier
    position = np.empty(len(order), dtype=np.int64)
    position[order] = np.arange(len(order), dtype=np.int64)
    ends = np.searchsorted(tier[order], np.arange(1, len(NEAREST_TIERS) + 1), side="left")
    return order, position, ends.astype(np.int64)


# one solve at one cost scale: (status, pair-arc flows, integer optimal cost, the optimal
# tree's node potentials under the real costs where the solver gives them)
Run = tuple[str, IntArray, int, FloatArray | None]


def run_ortools(net: Network, scale: float) -> Run:
    """One OR-Tools SimpleMinCostFlow solve (it gives no potentials).

    Status "optimal", "bad cost range" (integer costs too large for it) or its own number.
    OR-Tools is imported here, when it is used: without the compiled simplex, or to compare.
    """
    from ortools.graph.python import min_cost_flow

    smcf = min_cost_flow.SimpleMinCostFlow()
    order, position = _by_tail(net)
    costs = np.rint(net.cost[order] * scale).astype(np.int64)
    smcf.add_arcs_with_capacity_and_unit_cost(
        net.tails[order], net.heads[order], net.capacity[order], costs
    )
    smcf.set_nodes_supplies(np.arange(net.n_nodes, dtype=np.int64), net.node_supply)
    status = smcf.solve()
    if status != smcf.OPTIMAL:
        said = "bad cost range" if status == smcf.BAD_COST_RANGE else f"OR-Tools status {status}"
        return said, np.zeros(0, dtype=np.int64), 0, None
    flow = smcf.flows(position[: net.n_pairs]).astype(np.int64)
    return "optimal", flow, int(smcf.optimal_cost()), None


@dataclass(frozen=True)
class PartSolution:
    """A part's optimal pair-arc flows, the bound 2F/S on its objective's error, and (from
    the simplex) the optimal tree's node potentials under the real costs: prices in the
    objective's own units."""

    flow: IntArray
    bound: float
    potential: FloatArray | None = None


def run_simplex(net: Network, scale: float) -> Run:
    """The same solve with the network simplex, with the optimal tree's potentials."""
    order, position, tiers = _pricing_order(net)
    costs = np.rint(net.cost[order] * scale).astype(np.int64)
    found = simplex.solve(
        net.tails[order],
        net.heads[order],
        net.capacity[order],
        costs,
        net.node_supply,
        0,
        position[net.tree_arc.clip(min=0)],
        real_cost=net.cost[order],
        tiers=tiers,
    )
    if found.status != simplex.OPTIMAL:
        return f"simplex status {found.status}", np.zeros(0, dtype=np.int64), 0, None
    every = found.flow[position]
    cost = int(every @ np.rint(net.cost * scale).astype(np.int64))
    return "optimal", every[: net.n_pairs], cost, found.real_potential


def solve_network(net: Network, *, solver: str = "auto") -> tuple[IntArray, float]:
    """Optimal pair-arc flows of a network and the bound 2F/S on the objective's error.

    `solver`: "simplex" (the compiled network simplex), "ortools", or "auto" (the simplex
    when `make setup` built it). Both are exact for the integer costs.
    """
    solved = solve_part(net, solver=solver)
    return solved.flow, solved.bound


def solve_part(net: Network, *, solver: str = "auto") -> PartSolution:
    """`solve_network`, with the simplex's node potentials when it solved the part."""
    use_simplex = solver == "simplex" or (
        solver == "auto" and simplex.available() and simplex.fits(net.n_nodes, len(net.tails))
    )
    run = run_simplex if use_simplex else run_ortools
    max_cost = float(np.abs(net.cost).max(initial=0.0))
    top = _max_scale(max_cost, net.n_nodes, net.supply)
    # a coarser scale solves faster; the bound is checked afterwards and tightened if needed
    scale = min(top, _FIRST_SCALE / max(max_cost, 1e-300))
    while True:
        status, flow, cost, potential = run(net, scale)
        if status == "optimal":
            bound = 2.0 * net.units / scale
            if scale < top and bound > _TARGET_RELATIVE * abs(cost / scale):
                scale = top
                continue
            return PartSolution(flow, bound, potential)
        if status == "bad cost range" and scale > 1.0:
            top = scale = scale / 1024.0
            continue
        raise Conflict("allocation: min-cost flow solver failed: %(status)s", status=str(status))


def _assign_parts(problem: FlowProblem) -> list[tuple[IntArray, IntArray, IntArray]]:
    """Components solved apart (cost scaling is superlinear); tiny ones batched, in label order."""
    n_off = len(problem.offer_quantity)
    count, labels = components(problem)
    arc_label = labels[problem.arc_offer]
    weight = (np.bincount(arc_label, minlength=count) + 1).tolist()
    part_of = np.zeros(count, dtype=np.int64)
    part, batch = 0, 0
    for comp in range(count):
        if weight[comp] >= BATCH_ARCS:
            if batch:
                part, batch = part + 1, 0
            part_of[comp] = part
            part += 1
            continue
        part_of[comp] = part
        batch += weight[comp]
        if batch >= BATCH_ARCS:
            part, batch = part + 1, 0
    n_parts = part + (1 if batch else 0)
    touched_off = np.zeros(n_off, dtype=bool)
    touched_off[problem.arc_offer] = True
    touched_need = np.zeros(len(problem.need_quantity), dtype=bool)
    touched_need[problem.arc_need] = True
    offers = np.flatnonzero(touched_off)
    needs = np.flatnonzero(touched_need)
    return [
        (arcs, o, n)
        for arcs, o, n in zip(
            _split(part_of[arc_label], n_parts),
            _split(part_of[labels[offers]], n_parts, offers),
            _split(part_of[labels[n_off + needs]], n_parts, needs),
            strict=True,
        )
        if len(arcs)
    ]


def _split(part: IntArray, n_parts: int, items: IntArray | None = None) -> list[IntArray]:
    """Indices (or items) grouped by part number, each group in ascending order."""
    order = np.argsort(part, kind="stable")
    chosen = order if items is None else items[order]
    cuts = np.searchsorted(part[order], np.arange(1, n_parts))
    return [np.asarray(x, dtype=np.int64) for x in np.split(chosen, cuts)]


def _solve_all(nets: list[Network], workers: int) -> list[PartSolution]:
    """Solve networks; big ones in forked processes when there are several (threads don't
    help: OR-Tools holds the GIL)."""
    big = [i for i, net in enumerate(nets) if len(net.tails) >= PARALLEL_ARCS]
    if workers < 2 or len(big) < 2 or "fork" not in mp.get_all_start_methods():
        return [solve_part(net) for net in nets]
    results: list[PartSolution | None] = [None] * len(nets)
    big.sort(key=lambda i: -len(nets[i].tails))
    with ProcessPoolExecutor(max_workers=workers, mp_context=mp.get_context("fork")) as pool:
        futures = {i: pool.submit(solve_part, nets[i]) for i in big}
        for i, net in enumerate(nets):
            if i not in futures:
                results[i] = solve_part(net)
        for i, future in futures.items():
            results[i] = future.result()
    return [r for r in results if r is not None]


def solve_flow(problem: FlowProblem, *, workers: int = 1) -> FlowResult:
    """Optimal integral flow on every pair arc for the segmented max-profit objective."""
    flow = np.zeros(len(problem.arc_offer), dtype=np.int64)
    # the simplex's duals as the certificate's prices (certify.py): an offer's price is its
    # node's potential, a need's too; offers and needs in no part keep 0 and their first
    # unit's value (prices that price nothing they could take)
    u = np.zeros(len(problem.offer_quantity))
    w = problem.need_priority.astype(np.float64).copy()
    if problem.first_unit_bonus is not None:
        w += problem.first_unit_bonus
    if not len(problem.arc_offer):
        return FlowResult(flow=flow, error_bound=0.0, prices=(u, w))
    parts = _assign_parts(problem)
    nets = [build_network(problem, *p) for p in parts]
    results = _solve_all(nets, workers)
    bound = 0.0
    priced = True
    for (arcs, offers, needs), net, solved in zip(parts, nets, results, strict=True):
        flow[arcs] = solved.flow
        bound += solved.bound
        if solved.potential is None:
            priced = False
        else:
            u[offers] = solved.potential[net.offer_node]
            w[needs] = solved.potential[net.need_node]
    return FlowResult(
        flow=flow,
        error_bound=bound if math.isfinite(bound) else math.inf,
        prices=(u, w) if priced else None,
    )
