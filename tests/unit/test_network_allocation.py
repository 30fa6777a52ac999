"""Allocation behaviour on hand-checked cases: metrics, min-fill, FCFS, explain, determinism."""

from __future__ import annotations

import json
import math
import random
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import maximum_flow

from commonpot.errors import NotFound
from commonpot.network.allocation import allocate
from commonpot.network.candidates import brute_force_candidates, build_candidates
from commonpot.network.explain import explain
from commonpot.network.instance import parse_instance
from commonpot.network.metrics import gini
from tests.factories.network import grid_instance, random_instance

KM = math.degrees(1 / 6371.0088)  # degrees of latitude per km on the spec's sphere


def offer(ident: str, qty: int, north_km: float = 0.0, **extra: Any) -> dict[str, Any]:
    return {
        "id": ident,
        "category": "veg",
        "quantity": qty,
        "lat": north_km * KM,
        "lon": 0.0,
        **extra,
    }


def need(ident: str, qty: int, north_km: float = 0.0, **extra: Any) -> dict[str, Any]:
    return {
        "id": ident,
        "category": "veg",
        "quantity": qty,
        "lat": north_km * KM,
        "lon": 0.0,
        **extra,
    }


def test_metrics_hand_checked() -> None:
    data = {
        "offers": [offer("o1", 3)],
        "needs": [need("a", 2, 1.0, group="x"), need("b", 2, 2.0, group="y")],
        "params": {"segments": 2, "cost_per_km": 0.01},
    }
    plan = allocate(parse_instance(data))
    m = plan.metrics
    # both first halves (1 + 1), then the nearer need's second half (0.5), minus transport
    assert plan.assignments() == [
        {"offer": "o1", "need": "a", "quantity": 2, "distance_km": 1.0},
        {"offer": "o1", "need": "b", "quantity": 1, "distance_km": 2.0},
    ]
    assert m["objective"] == pytest.approx(2.5 - 0.01 * (2 * 1.0 + 1 * 2.0))
    assert m["total_offered"] == 3
    assert m["total_requested"] == 4
    assert m["total_allocated"] == 3
    assert m["unallocated_offered"] == 0
    assert m["total_distance_km"] == pytest.approx(4.0)
    assert m["fill_rate_by_group"] == {"x": 1.0, "y": 0.5}
    assert m["min_group_fill_rate"] == 0.5
    assert m["gini_fill_rate"] == pytest.approx(1 / 6)


def test_gini_values() -> None:
    assert gini(np.array([])) == 0.0
    assert gini(np.array([0.0, 0.0])) == 0.0
    assert gini(np.array([0.5, 0.5, 0.5])) == 0.0
    assert gini(np.array([0.0, 0.0, 0.0, 1.0])) == pytest.approx(0.75)


def test_priority_and_fairness_segments() -> None:
    data = {
        "offers": [offer("o1", 4)],
        "needs": [need("a", 4), need("b", 4, priority=2)],
        "params": {"segments": 2, "cost_per_km": 0.0},
    }
    got = {a["need"]: a["quantity"] for a in allocate(parse_instance(data)).assignments()}
    # b's first half (2 x 2) and a's first half (2 x 1) beat b's second half (2 x 1) on ties?
    # values: b1 = 2, b2 = 1, a1 = 1, a2 = 0.5: take b1 (2 units) then 2 units at value 1
    assert got["b"] >= 2
    assert sum(got.values()) == 4
    assert allocate(parse_instance(data)).metrics["objective"] == pytest.approx(2 * 2 + 2 * 1)


def test_expired_and_far_offers_are_not_used() -> None:
    data = {
        "offers": [offer("old", 5, 10.0, expires_in_hours=0.25), offer("far", 5, 40.0)],
        "needs": [need("a", 3)],
        "params": {"speed_kmh": 20, "max_distance_km": 25},
    }
    plan = allocate(parse_instance(data))
    assert plan.assignments() == []
    assert plan.metrics["total_allocated"] == 0
    assert plan.metrics["unallocated_offered"] == 10
    why = explain(plan, "a")
    assert why["summary"].startswith("no feasible offer")
    reasons = {e["offer"]: e["reason"] for e in why["excluded_offers"]}
    assert reasons == {"old": "expires in 0.25 h but needs 0.50 h to arrive"}


def test_min_fill_serves_everyone_reachable_under_scarcity() -> None:
    data = {
        "offers": [offer("o1", 2)],
        "needs": [need("big", 2, priority=3), need("small", 1)],
        "params": {"segments": 1, "cost_per_km": 0.0},
    }
    inst = parse_instance(data)
    default = {a["need"]: a["quantity"] for a in allocate(inst).assignments()}
    fair = {a["need"]: a["quantity"] for a in allocate(inst, "min-fill").assignments()}
    assert default == {"big": 2}
    assert fair == {"big": 1, "small": 1}
    assert allocate(inst, "min-fill").metrics["objective"] == pytest.approx(3 + 1)


def max_needs_served(inst: Any) -> int:
    """Most needs that can get one unit each: a max flow with unit need capacities."""
    cand = brute_force_candidates(inst)
    n_o, n_n = inst.n_offers, inst.n_needs
    size = n_o + n_n + 2
    s, t = size - 2, size - 1
    rows = [s] * n_o + cand.offer.tolist() + [n_o + j for j in range(n_n)]
    cols = list(range(n_o)) + (n_o + cand.need).tolist() + [t] * n_n
    caps = inst.offer_quantity.tolist() + [1] * len(cand.need) + [1] * n_n
    graph = csr_matrix((np.array(caps, dtype=np.int32), (rows, cols)), shape=(size, size))
    return int(maximum_flow(graph, s, t).flow_value)


def test_min_fill_is_lexicographic_on_random_instances() -> None:
    rng = random.Random(3)
    for _ in range(60):
        data = random_instance(rng, max_offers=8, max_needs=12)
        for o in data["offers"]:
            o["quantity"] = rng.randint(1, 3)  # scarcity
        inst = parse_instance(data)
        fair = allocate(inst, "min-fill")
        served = len({a["need"] for a in fair.assignments()})
        assert served == max_needs_served(inst)
        assert fair.metrics["objective"] <= allocate(inst).metrics["objective"] + 1e-9


def test_fcfs_takes_nearest_in_file_order() -> None:
    data = {
        "offers": [offer("far", 5, 3.0), offer("near", 2, 1.0)],
        "needs": [need("first", 4, 0.9), need("second", 4, 1.1)],
        "params": {"cost_per_km": 0.0},
    }
    plan = allocate(parse_instance(data), "fcfs")
    assert [(a["offer"], a["need"], a["quantity"]) for a in plan.assignments()] == [
        ("near", "first", 2),
        ("far", "first", 2),
        ("far", "second", 3),
    ]


def test_explain_names_takers_and_values() -> None:
    data = {
        "offers": [offer("o1", 3)],
        "needs": [need("a", 3, 1.0, priority=2), need("b", 3, 2.0)],
        "params": {"segments": 3, "cost_per_km": 0.01},
    }
    plan = allocate(parse_instance(data))
    why = explain(plan, "b")
    assert why["received"] == 1  # a's three segments (2, 1.33, .67) beat b's 2nd and 3rd
    assert why["segments"][0] == {"segment": 1, "units": 1, "value_per_unit": 1.0, "filled": 1}
    assert why["segments"][1]["filled"] == 0
    (cand,) = why["candidates"]
    assert cand["offer"] == "o1"
    assert cand["distance_km"] == pytest.approx(2.0)
    assert cand["offer_left"] == 0
    assert cand["taken_by"] == [{"need": "a", "quantity": 2, "distance_km": pytest.approx(1.0)}]
    assert cand["net_value_per_unit_by_segment"][1] == pytest.approx(2 / 3 - 0.02)
    assert "every candidate offer is used up" in why["summary"]
    assert (
        explain(plan, "a")["summary"] == "received 2 of 3: every candidate offer is used up"
        ", by needs whose units are worth at least as much net of transport as this need's "
        "next unit (0.666667 per unit)"
    )
    with pytest.raises(NotFound):
        explain(plan, "nobody")


def test_same_instance_same_plan() -> None:
    rng = random.Random(11)
    for _ in range(10):
        data = random_instance(rng, max_offers=40, max_needs=40)
        first = json.dumps(allocate(parse_instance(data)).to_dict(), sort_keys=True)
        second = json.dumps(
            allocate(parse_instance(json.loads(json.dumps(data)))).to_dict(), sort_keys=True
        )
        assert first == second


coords = st.tuples(st.integers(0, 6), st.integers(0, 6))


@settings(max_examples=60, deadline=None)
@given(
    offers=st.lists(
        st.tuples(coords, st.sampled_from(["a", "b"]), st.sampled_from([None, 0.05])), max_size=25
    ),
    needs=st.lists(st.tuples(coords, st.sampled_from(["a", "b"])), max_size=15),
    k=st.integers(0, 5),
)
def test_spatial_candidates_equal_brute_force(offers: list[Any], needs: list[Any], k: int) -> None:
    # a coarse grid makes many exact distance ties, which must go to the earlier offer
    def spot(c: tuple[int, int]) -> dict[str, float]:
        return {"lat": 45 + c[0] * 0.004, "lon": 7 + c[1] * 0.004}

    data = grid_instance(offers, needs, spot, {"candidates_per_need": k, "max_distance_km": 1.5})
    inst = parse_instance(data)
    fast, slow = build_candidates(inst), brute_force_candidates(inst)
    assert fast.need.tolist() == slow.need.tolist()
    assert fast.offer.tolist() == slow.offer.tolist()
    assert np.allclose(fast.distance_km, slow.distance_km)
