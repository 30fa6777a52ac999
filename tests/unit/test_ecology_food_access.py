"""Food access: k-d tree distances vs brute force, low-access shares, 2SFCA vs a double loop."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from commonpot.ecology.food_access import (
    KM_PER_MILE,
    Population,
    Sources,
    food_access,
    haversine_km,
    low_access_shares,
    nearest_sources,
    two_step_fca,
)


def brute_nearest(pop: Population, src: Sources) -> tuple[np.ndarray, np.ndarray]:
    active = np.flatnonzero(src.active)
    d = haversine_km(
        pop.lat[:, None], pop.lon[:, None], src.lat[active][None], src.lon[active][None]
    )
    return d.min(axis=1), active[d.argmin(axis=1)]


def test_known_distance_one_degree_of_latitude() -> None:
    pop = Population.of([0.0], [0.0])
    src = Sources.of([1.0], [0.0])
    assert nearest_sources(pop, src).km[0] == pytest.approx(2 * math.pi * 6371.0088 / 360, rel=1e-9)


def test_nearest_matches_brute_force_worldwide() -> None:
    rng = np.random.default_rng(1)
    pop = Population.of(rng.uniform(-90, 90, 3000), rng.uniform(-180, 180, 3000))
    src = Sources.of(
        rng.uniform(-90, 90, 300), rng.uniform(-180, 180, 300), active=rng.random(300) < 0.7
    )
    got = nearest_sources(pop, src)
    km, idx = brute_nearest(pop, src)
    np.testing.assert_allclose(got.km, km, atol=1e-6)
    assert np.mean(got.source == idx) > 0.999  # ties aside, the same source
    assert set(got.source.tolist()) <= set(np.flatnonzero(src.active).tolist())


def test_across_the_antimeridian() -> None:
    pop = Population.of([0.0], [179.9])
    src = Sources.of([0.0, 0.0], [-179.9, 170.0])
    got = nearest_sources(pop, src)
    assert got.source[0] == 0
    assert got.km[0] == pytest.approx(haversine_km(0.0, 179.9, 0.0, -179.9), rel=1e-9)


def test_no_active_source_means_infinitely_far() -> None:
    got = nearest_sources(Population.of([1.0], [1.0]), Sources.of([1.0], [1.0], active=[False]))
    assert math.isinf(got.km[0]) and got.source[0] == -1


def test_bad_latitude_rejected() -> None:
    with pytest.raises(ValueError, match="latitude"):
        nearest_sources(Population.of([91.0], [0.0]), Sources.of([0.0], [0.0]))


def test_low_access_shares_weighted_by_people() -> None:
    # sources at the origin; people at 0.3, 2, 15 and 30 miles due north
    miles = np.array([0.3, 2.0, 15.0, 30.0])
    lat = np.degrees(miles * KM_PER_MILE / 6371.0088)
    pop = Population.of(lat, np.zeros(4), people=[10, 20, 30, 40])
    report = food_access(pop, Sources.of([0.0], [0.0]))
    shares = {s.miles: (s.people, s.share) for s in report.low_access}
    assert shares[0.5] == (90.0, pytest.approx(0.9))
    assert shares[1.0] == (90.0, pytest.approx(0.9))
    assert shares[10.0] == (70.0, pytest.approx(0.7))
    assert shares[20.0] == (40.0, pytest.approx(0.4))
    assert report.accessibility is None


def test_low_access_of_nobody_is_null() -> None:
    got = nearest_sources(Population.of([0.0], [0.0]), Sources.of([0.0], [0.0]))
    assert low_access_shares(got, [0.0])[0].share is None


def brute_2sfca(pop: Population, src: Sources, radius: float) -> tuple[np.ndarray, np.ndarray]:
    d = haversine_km(pop.lat[:, None], pop.lon[:, None], src.lat[None], src.lon[None])
    inside = (d <= radius) & src.active[None]
    ratio = np.zeros(src.lat.size)
    for j in range(src.lat.size):
        demand = pop.people[inside[:, j]].sum()
        if src.active[j] and demand > 0:
            ratio[j] = src.capacity[j] / demand
    score = np.array([ratio[inside[i]].sum() for i in range(pop.lat.size)])
    return ratio, score


def test_two_step_fca_matches_a_double_loop() -> None:
    rng = np.random.default_rng(2)
    pop = Population.of(
        rng.uniform(50, 50.5, 800), rng.uniform(4, 4.5, 800), rng.integers(1, 5, 800)
    )
    src = Sources.of(
        rng.uniform(50, 50.5, 40),
        rng.uniform(4, 4.5, 40),
        rng.uniform(10, 100, 40),
        rng.random(40) < 0.8,
    )
    got = two_step_fca(pop, src, catchment_km=6.0)
    ratio, score = brute_2sfca(pop, src, 6.0)
    np.testing.assert_allclose(got.source_ratio, ratio, rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(got.score, score, rtol=1e-9, atol=1e-12)
    # the whole capacity of every source with someone in reach is handed out
    reached = ratio > 0
    total = float((got.score * pop.people).sum())
    assert total == pytest.approx(float(src.capacity[reached].sum()), rel=1e-9)


def test_two_step_fca_needs_a_positive_radius() -> None:
    with pytest.raises(ValueError, match="radius"):
        two_step_fca(Population.of([0.0], [0.0]), Sources.of([0.0], [0.0]), 0.0)


coords = st.tuples(st.floats(-89.9, 89.9), st.floats(-180, 180))


@settings(max_examples=80, deadline=None)
@given(st.lists(coords, min_size=1, max_size=30), st.lists(coords, min_size=1, max_size=10))
def test_nearest_is_never_farther_than_any_source(points: list, sources: list) -> None:
    pop = Population.of([p[0] for p in points], [p[1] for p in points])
    src = Sources.of([s[0] for s in sources], [s[1] for s in sources])
    got = nearest_sources(pop, src)
    all_d = haversine_km(pop.lat[:, None], pop.lon[:, None], src.lat[None], src.lon[None])
    assert np.all(got.km <= all_d.min(axis=1) + 1e-6)
    assert np.all(got.km >= 0)


def test_units_follow_the_communitys_system() -> None:
    from commonpot.ecology.food_access import in_units, to_km

    # a mile is 1.609344 km by definition; a square metre is 10.7639 square feet
    assert in_units("imperial", km=1.609344) == pytest.approx(1.0)
    assert in_units("imperial", m2=1.0) == pytest.approx(1 / 0.3048**2)
    assert in_units("metric", km=2.5) == 2.5
    assert to_km("imperial", 0.5) == pytest.approx(0.804672)
    assert to_km("metric", 3.0) == 3.0
