"""Outreach planner: nearest-source distances and a ranked list with reasons."""

from __future__ import annotations

import math

from commonpot.events.outreach import Point, haversine_km, nearest_source_km, plan, reason_text


def test_haversine_matches_a_known_distance() -> None:
    # one degree of latitude is about 111.2 km
    assert math.isclose(haversine_km(51.0, 0.0, 52.0, 0.0), 111.2, rel_tol=1e-3)


def test_nearest_source_picks_the_closest_and_handles_no_sources() -> None:
    homes = [(51.0, 0.0), (51.5, 0.0)]
    sources = [(51.49, 0.0), (51.01, 0.0)]
    found = nearest_source_km(homes, sources)
    assert [i for _, i in found] == [1, 0]
    assert all(d is not None and d < 1.2 for d, _ in found)
    assert nearest_source_km(homes, []) == [(None, None), (None, None)]


def test_plan_ranks_far_and_populous_first_with_reasons() -> None:
    market = Point(1, "Market", 51.454, -2.587, "market")
    kitchen = Point(2, "Kitchen", 51.455, -2.588, "kitchen")
    near = Point(10, "Near Enclave", 51.455, -2.586, "enclave", 300)
    far = Point(11, "Far Enclave", 51.44, -2.61, "enclave", 300)
    homes = [near, far]
    access = nearest_source_km([(h.lat, h.lon) for h in homes], [(market.lat, market.lon)])
    ranked = plan(homes, [market], [kitchen], access)
    assert [s.home.name for s in ranked] == ["Far Enclave", "Near Enclave"]
    assert ranked[0].rank == 1 and ranked[0].venue == kitchen
    why = reason_text(ranked[0])
    assert "300 people in Far Enclave live" in why
    assert "Market" in why and "a class at Kitchen" in why
    lonely = plan([far], [], [], [(None, None)])
    assert "no active fresh-food source" in reason_text(lonely[0])


def test_ecology_and_fallback_agree_on_nearest_sources() -> None:
    from commonpot.events import outreach as engine
    from commonpot.events import planning

    access, origin = planning.food_access_function()
    homes = [(51.4489, -2.5990), (51.4575, -2.5811), (51.0, 0.0)]
    sources = [(51.4538, -2.5867), (51.4570, -2.5850)]
    ours = engine.nearest_source_km(homes, sources)
    theirs = access(homes, sources)
    assert [i for _, i in theirs] == [i for _, i in ours]
    for (a, _), (b, _) in zip(theirs, ours, strict=True):
        assert a is not None and b is not None and abs(a - b) < 1e-6
    assert access(homes, []) == [(None, None)] * 3
    assert origin in {"ecology", "fallback"}
