"""The allocation's candidate pairs and components without scipy (issue 18): the grid search
gives exactly the pairs of the all-pairs reference (same pairs, order and distances, ties to
the earlier offer), components are numbered as scipy numbered them, and the command's
imports never load scipy."""

from __future__ import annotations

import math
import subprocess
import sys
from collections import deque
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from commonpot.network.candidates import Candidates, brute_force_candidates, build_candidates
from commonpot.network.connectivity import connected_components
from commonpot.network.generate import uniform_square
from commonpot.network.instance import parse_instance
from tests.factories.network import grid_instance

# the usual, the poles, both sides of the date line
CENTRES = [(45.0, 7.0), (89.999, 0.0), (-89.9995, 120.0), (10.0, 179.999), (-30.0, -179.9995)]


def assert_same(fast: Candidates, slow: Candidates) -> None:
    assert fast.need.tolist() == slow.need.tolist()
    assert fast.offer.tolist() == slow.offer.tolist()
    assert fast.distance_km.tobytes() == slow.distance_km.tobytes()


def place(centre: tuple[float, float], step: float, cell: tuple[int, int]) -> dict[str, float]:
    lat = min(90.0, max(-90.0, centre[0] + cell[0] * step))
    lon = (centre[1] + cell[1] * step + 180.0) % 360.0 - 180.0
    return {"lat": lat, "lon": lon}


cells = st.tuples(st.integers(-6, 6), st.integers(-6, 6))


@settings(max_examples=150, deadline=None)
@given(
    centre=st.sampled_from(CENTRES),
    step=st.sampled_from([0.0005, 0.003, 0.02]),
    offers=st.lists(
        st.tuples(cells, st.sampled_from(["a", "b"]), st.sampled_from([None, None, 0.01, 0.2])),
        max_size=40,
    ),
    needs=st.lists(st.tuples(cells, st.sampled_from(["a", "b"])), max_size=25),
    k=st.integers(0, 8),
    max_km=st.sampled_from([0.3, 1.5, 5.0, 40.0, 30000.0]),
)
def test_grid_candidates_equal_all_pairs(
    centre: tuple[float, float],
    step: float,
    offers: list[Any],
    needs: list[Any],
    k: int,
    max_km: float,
) -> None:
    # a lattice makes many exact distance ties (and repeated points), which go to the
    # earlier offer; k may exceed the offers; expiries leave near offers out
    data = grid_instance(
        offers,
        needs,
        lambda c: place(centre, step, c),
        {"candidates_per_need": k, "max_distance_km": max_km},
    )
    inst = parse_instance(data)
    assert_same(build_candidates(inst), brute_force_candidates(inst))


def clustered(n: int, seed: int, share: float, radius_km: float, k: int) -> dict[str, Any]:
    """uniform_square with a share of the points moved into one small disc."""
    data = uniform_square(n, seed=seed, candidates_per_need=k, categories=2)
    rng = np.random.default_rng(seed)
    for item in data["offers"] + data["needs"]:
        if rng.random() < share:
            r, t = radius_km * math.sqrt(rng.random()), rng.random() * 2 * math.pi
            item["lat"] = 52.0 + r * math.sin(t) / 111.32
            item["lon"] = 5.0 + r * math.cos(t) / (111.32 * math.cos(math.radians(52.0)))
    return data


@pytest.mark.parametrize(
    "data",
    [
        uniform_square(900, seed=1, candidates_per_need=20),
        uniform_square(900, seed=2, candidates_per_need=3, categories=3),
        clustered(900, seed=3, share=0.5, radius_km=0.2, k=10),
        clustered(900, seed=4, share=0.9, radius_km=0.01, k=5),
        clustered(900, seed=5, share=0.3, radius_km=0.0, k=7),  # many at one point
        {**uniform_square(900, seed=6), "params": {"candidates_per_need": 0}},
        {
            **clustered(900, seed=7, share=0.5, radius_km=0.3, k=0),
            "params": {"candidates_per_need": 0, "max_distance_km": 0.4},
        },
    ],
    ids=["uniform", "categories", "cluster", "tight-cluster", "one-point", "all", "all-cluster"],
)
def test_grid_candidates_equal_all_pairs_on_bigger_instances(data: dict[str, Any]) -> None:
    inst = parse_instance(data)
    fast = build_candidates(inst)
    assert_same(fast, brute_force_candidates(inst))
    assert len(fast.need) > 0


def test_points_on_a_line_and_sparse_needs() -> None:
    # offers along one meridian (a box of no area), needs far from most of them
    data = {
        "offers": [
            {"id": f"o{i}", "category": "c", "quantity": 1, "lat": 40 + i * 0.002, "lon": 3.0}
            for i in range(400)
        ],
        "needs": [
            {"id": f"n{i}", "category": "c", "quantity": 1, "lat": 40 + i * 0.05, "lon": 3.01}
            for i in range(30)
        ],
        "params": {"candidates_per_need": 6, "max_distance_km": 3.0},
    }
    inst = parse_instance(data)
    fast = build_candidates(inst)
    assert_same(fast, brute_force_candidates(inst))
    assert 0 < len(fast.need) < 6 * 30  # some needs lie beyond every offer's reach


def bfs_components(n: int, tails: list[int], heads: list[int]) -> list[int]:
    """Reference: breadth-first search from each unlabelled node in index order."""
    near: list[list[int]] = [[] for _ in range(n)]
    for a, b in zip(tails, heads, strict=True):
        near[a].append(b)
        near[b].append(a)
    label = [-1] * n
    count = 0
    for start in range(n):
        if label[start] >= 0:
            continue
        label[start] = count
        queue = deque([start])
        while queue:
            node = queue.popleft()
            for other in near[node]:
                if label[other] < 0:
                    label[other] = count
                    queue.append(other)
        count += 1
    return label


@settings(max_examples=200, deadline=None)
@given(
    st.integers(1, 60).flatmap(
        lambda n: st.tuples(
            st.just(n),
            st.lists(st.tuples(st.integers(0, n - 1), st.integers(0, n - 1)), max_size=90),
        )
    )
)
def test_components_are_numbered_by_first_node(graph: tuple[int, list[tuple[int, int]]]) -> None:
    n, edges = graph
    tails = [a for a, _ in edges]
    heads = [b for _, b in edges]
    count, labels = connected_components(
        n, np.array(tails, dtype=np.int64), np.array(heads, dtype=np.int64)
    )
    reference = bfs_components(n, tails, heads)
    assert labels.tolist() == reference
    assert count == max(reference) + 1


def test_components_match_scipy_numbering_on_long_paths() -> None:
    # the numbering scipy gave (the golden plans batch components in label order)
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import connected_components as scipy_components

    rng = np.random.default_rng(3)
    n = 5000
    order = rng.permutation(n)
    keep = rng.random(n - 1) < 0.97  # a long path in shuffled order, cut in places
    tails, heads = order[:-1][keep], order[1:][keep]
    count, labels = connected_components(n, tails, heads)
    graph = coo_matrix((np.ones(len(tails)), (tails, heads)), shape=(n, n))
    expected_count, expected = scipy_components(graph, directed=False)
    assert count == expected_count > 1
    assert labels.tolist() == expected.tolist()


def test_the_allocation_command_does_not_import_scipy() -> None:
    code = (
        "import sys, commonpot.cli, commonpot.network.cli_fast\n"
        "from commonpot.network import allocation, instance, certify, explain\n"
        "print(sorted(m for m in sys.modules if m == 'scipy' or m.startswith('scipy.')))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[]"
