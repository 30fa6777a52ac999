"""Incremental re-allocation: optimal for the spec's objective with earlier fills counted."""

from __future__ import annotations

import itertools
import random

import numpy as np
import pytest

from commonpot.network.allocation import allocate
from commonpot.network.candidates import build_candidates
from commonpot.network.flow import segment_sizes, segment_values
from commonpot.network.instance import parse_instance
from commonpot.network.reallocate import reallocate
from tests.factories.network import random_instance


@pytest.mark.parametrize("seed", range(25))
def test_without_earlier_fills_it_matches_the_spec_engine(seed: int) -> None:
    data = random_instance(random.Random(seed), max_offers=8, max_needs=8)
    data["params"]["candidates_per_need"] = 0
    inst = parse_instance(data)
    ours = reallocate(inst, np.zeros(inst.n_needs, dtype=np.int64))
    spec = allocate(inst, "default")
    assert ours.objective == pytest.approx(spec.metrics["objective"], rel=1e-6, abs=1e-6)
    assert ours.allocated == sum(line["quantity"] for line in ours.lines)


def brute_force(inst, received) -> float:  # type: ignore[no-untyped-def]
    """Every way to split each offer among its feasible needs (tiny instances only)."""
    cand = build_candidates(inst)
    pairs = list(
        zip(cand.offer.tolist(), cand.need.tolist(), cand.distance_km.tolist(), strict=True)
    )
    sizes = segment_sizes(inst.need_quantity, inst.params.segments)
    values = segment_values(inst.params.segments)
    best = 0.0
    ranges = [range(int(inst.offer_quantity[o]) + 1) for o, _, _ in pairs]
    for flows in itertools.product(*ranges):
        used = np.zeros(inst.n_offers, dtype=np.int64)
        got = received.copy()
        cost = 0.0
        for (o, n, km), q in zip(pairs, flows, strict=True):
            used[o] += q
            got[n] += q
            cost += inst.params.cost_per_km * km * q
        if np.any(used > inst.offer_quantity) or np.any(got > inst.need_quantity):
            continue
        value = 0.0
        for n in range(inst.n_needs):
            new = int(got[n] - received[n])
            before = int(received[n])
            for k in range(inst.params.segments):
                size = int(sizes[n, k])
                old_here = min(before, size)
                before -= old_here
                take = min(new, size - old_here)
                new -= take
                value += inst.need_priority[n] * values[k] * take
        best = max(best, value - cost)
    return best


@pytest.mark.parametrize("seed", range(30))
def test_with_earlier_fills_it_is_optimal(seed: int) -> None:
    rng = random.Random(1000 + seed)
    data = random_instance(rng, max_offers=2, max_needs=3, categories=1)
    for offer in data["offers"]:
        offer["quantity"] = rng.randint(1, 4)
        offer.pop("expires_in_hours", None)
    for need in data["needs"]:
        need["quantity"] = rng.randint(1, 6)
    data["params"]["candidates_per_need"] = 0
    inst = parse_instance(data)
    received = np.array([rng.randint(0, int(q)) for q in inst.need_quantity], dtype=np.int64)
    ours = reallocate(inst, received)
    assert ours.objective == pytest.approx(brute_force(inst, received), rel=1e-6, abs=1e-6)
    for line in ours.lines:  # never past a need's quantity, counting what it had
        n = inst.need_ids.index(line["need"])
        assert line["quantity"] <= inst.need_quantity[n] - received[n]


def test_freed_units_go_to_the_need_that_got_least() -> None:
    inst = parse_instance(
        {
            "offers": [{"id": "o1", "category": "rice", "quantity": 2, "lat": 52, "lon": 5}],
            "needs": [
                {"id": "full", "category": "rice", "quantity": 6, "lat": 52, "lon": 5.001},
                {"id": "empty", "category": "rice", "quantity": 6, "lat": 52, "lon": 5.01},
            ],
        }
    )
    # without counting fills the nearer need would win; with them the one that got none does
    ours = reallocate(inst, np.array([4, 0], dtype=np.int64))
    assert [(line["need"], line["quantity"]) for line in ours.lines] == [("empty", 2)]
