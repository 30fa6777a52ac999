"""The default objective is solved exactly: compared with an independent LP solved by HiGHS."""

from __future__ import annotations

import math
import random
from collections import defaultdict
from typing import Any

import numpy as np
import pytest
from scipy.optimize import linprog
from scipy.sparse import coo_matrix

from commonpot.network.allocation import allocate
from commonpot.network.instance import parse_instance
from tests.factories.network import random_instance

R = 6371.0088


def haversine(a: dict[str, Any], b: dict[str, Any]) -> float:
    p1, p2 = math.radians(a["lat"]), math.radians(b["lat"])
    dphi = p2 - p1
    dlam = math.radians(b["lon"]) - math.radians(a["lon"])
    h = math.sin(dphi / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dlam / 2) ** 2
    return 2 * R * math.asin(math.sqrt(min(1.0, h)))


def feasible_pairs(data: dict[str, Any]) -> dict[tuple[int, int], float]:
    """(offer, need) -> distance, straight from the spec's definition."""
    p = {"max_distance_km": 25, "speed_kmh": 20, "candidates_per_need": 0, **data["params"]}
    pairs: dict[tuple[int, int], float] = {}
    for j, need in enumerate(data["needs"]):
        found = []
        for i, offer in enumerate(data["offers"]):
            if offer["category"] != need["category"]:
                continue
            d = haversine(offer, need)
            expires = offer.get("expires_in_hours", math.inf)
            if d <= p["max_distance_km"] and d / p["speed_kmh"] <= expires:
                found.append((d, i))
        found.sort()
        if p["candidates_per_need"] > 0:
            found = found[: p["candidates_per_need"]]
        for d, i in found:
            pairs[i, j] = d
    return pairs


def segments(q: int, k: int) -> list[int]:
    return [q * s // k - q * (s - 1) // k for s in range(1, k + 1)]


def lp_optimum(data: dict[str, Any]) -> float:
    """Maximise the default objective as a plain LP over pairs and segments."""
    p = {"cost_per_km": 0.01, "segments": 3, **data["params"]}
    k = p["segments"]
    pairs = sorted(feasible_pairs(data).items())
    needs = data["needs"]
    n_x, n_y = len(pairs), len(needs) * k
    if n_x == 0:
        return 0.0
    c = np.zeros(n_x + n_y)
    upper = np.zeros(n_x + n_y)
    rows, cols, vals = [], [], []
    n_off = len(data["offers"])
    for col, ((i, j), d) in enumerate(pairs):
        c[col] = p["cost_per_km"] * d
        upper[col] = np.inf
        rows += [i, n_off + j]
        cols += [col, col]
        vals += [1.0, 1.0]
    for j, need in enumerate(needs):
        for s, size in enumerate(segments(need["quantity"], k)):
            col = n_x + j * k + s
            c[col] = -need.get("priority", 1) * (k - s) / k
            upper[col] = size
            rows.append(n_off + j)
            cols.append(col)
            vals.append(-1.0)
    a = coo_matrix((vals, (rows, cols)), shape=(n_off + len(needs), n_x + n_y)).tocsr()
    result = linprog(
        c,
        A_ub=a[:n_off],
        b_ub=[o["quantity"] for o in data["offers"]],
        A_eq=a[n_off:],
        b_eq=np.zeros(len(needs)),
        bounds=list(zip(np.zeros(n_x + n_y), upper, strict=True)),
        method="highs",
    )
    assert result.status == 0
    return float(-result.fun)


def objective_of(data: dict[str, Any], assignments: list[dict[str, Any]]) -> float:
    p = {"cost_per_km": 0.01, "segments": 3, **data["params"]}
    k = p["segments"]
    pairs = feasible_pairs(data)
    offer_at = {o["id"]: i for i, o in enumerate(data["offers"])}
    need_at = {n["id"]: j for j, n in enumerate(data["needs"])}
    got: dict[int, int] = defaultdict(int)
    total = 0.0
    for a in assignments:
        i, j = offer_at[a["offer"]], need_at[a["need"]]
        got[j] += a["quantity"]
        total -= p["cost_per_km"] * pairs[i, j] * a["quantity"]
    for j, need in enumerate(data["needs"]):
        left = got[j]
        for s, size in enumerate(segments(need["quantity"], k)):
            units = min(size, left)
            left -= units
            total += need.get("priority", 1) * (k - s) / k * units
    return total


def check_feasible(data: dict[str, Any], assignments: list[dict[str, Any]]) -> None:
    pairs = feasible_pairs(data)
    offer_at = {o["id"]: i for i, o in enumerate(data["offers"])}
    need_at = {n["id"]: j for j, n in enumerate(data["needs"])}
    given: dict[int, int] = defaultdict(int)
    got: dict[int, int] = defaultdict(int)
    for a in assignments:
        i, j = offer_at[a["offer"]], need_at[a["need"]]
        assert (i, j) in pairs, f"infeasible pair {a}"
        assert a["quantity"] > 0
        given[i] += a["quantity"]
        got[j] += a["quantity"]
    for i, q in given.items():
        assert q <= data["offers"][i]["quantity"]
    for j, q in got.items():
        assert q <= data["needs"][j]["quantity"]


@pytest.mark.parametrize("batch", range(6))
def test_default_objective_matches_lp_optimum(batch: int) -> None:
    rng = random.Random(1000 + batch)
    nontrivial = 0
    for _ in range(50):
        data = random_instance(rng)
        plan = allocate(parse_instance(data))
        assignments = plan.assignments()
        check_feasible(data, assignments)
        optimum = lp_optimum(data)
        mine = objective_of(data, assignments)
        assert mine == pytest.approx(optimum, rel=1e-6, abs=1e-7)
        assert plan.metrics["objective"] == pytest.approx(mine, rel=1e-9, abs=1e-9)
        assert plan.error_bound <= 1e-6 * max(1.0, abs(optimum))
        nontrivial += optimum > 0 and len(assignments) > 1
    assert nontrivial >= 20  # the generator must exercise real trade-offs


def test_larger_crowded_instances_match_lp() -> None:
    rng = random.Random(7)
    for _ in range(8):
        data = random_instance(rng, max_offers=60, max_needs=60, span_km=10, categories=2)
        plan = allocate(parse_instance(data))
        check_feasible(data, plan.assignments())
        assert objective_of(data, plan.assignments()) == pytest.approx(
            lp_optimum(data), rel=1e-6, abs=1e-7
        )


@pytest.mark.parametrize("objective", ["min-fill", "fcfs"])
def test_other_objectives_are_feasible_and_not_better(objective: str) -> None:
    rng = random.Random(99)
    for _ in range(60):
        data = random_instance(rng)
        plan = allocate(parse_instance(data), objective)  # type: ignore[arg-type]
        check_feasible(data, plan.assignments())
        assert objective_of(data, plan.assignments()) <= lp_optimum(data) + 1e-7


def test_parallel_parts_give_the_same_plan(monkeypatch: pytest.MonkeyPatch) -> None:
    from commonpot.network import flow

    monkeypatch.setattr(flow, "PARALLEL_ARCS", 1)  # send every part to a worker process
    monkeypatch.setattr(flow, "BATCH_ARCS", 3)  # and make many parts
    rng = random.Random(5)
    for _ in range(6):
        data = random_instance(rng, max_offers=30, max_needs=30, categories=3)
        inst = parse_instance(data)
        one = allocate(inst, workers=1)
        two = allocate(inst, workers=2)
        assert one.assignments() == two.assignments()
        assert two.metrics["objective"] == pytest.approx(lp_optimum(data), rel=1e-6, abs=1e-7)
