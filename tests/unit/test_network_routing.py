"""Volunteer routing: capacities, pickup windows and pickup-before-drop-off hold."""

from __future__ import annotations

import random

from commonpot.network.routing import Task, Vehicle, km, nearest_neighbour, route


def town(seed: int, n: int, cars: int) -> tuple[list[Vehicle], list[Task]]:
    rng = random.Random(seed)

    def p() -> tuple[float, float]:
        return 52 + rng.uniform(-0.03, 0.03), 5 + rng.uniform(-0.05, 0.05)

    vehicles = [
        Vehicle(f"v{i}", *p(), capacity=8, start_min=480, end_min=1080) for i in range(cars)
    ]
    tasks = []
    for i in range(n):
        (a, b), (c, d) = p(), p()
        start = rng.randrange(480, 840, 30)
        tasks.append(Task(f"t{i}", rng.randint(1, 5), a, b, c, d, start, start + 120))
    return vehicles, tasks


def valid(result, vehicles, tasks) -> None:  # type: ignore[no-untyped-def]
    by_id = {t.id: t for t in tasks}
    seen = []
    for v in vehicles:
        load, picked = 0, set()
        for stop in result.routes[v.id]:
            t = by_id[stop.task]
            if stop.action == "pickup":
                assert t.window_start_min <= stop.arrive_min <= t.window_end_min
                load += t.quantity
                picked.add(t.id)
            else:
                assert t.id in picked
                load -= t.quantity
            assert 0 <= load <= v.capacity
            seen.append(stop.task)
        assert load == 0
    served = set(seen)
    assert served | set(result.dropped) == {t.id for t in tasks}
    assert all(seen.count(t) == 2 for t in served)  # picked up and dropped off once


def test_routes_serve_every_feasible_task_within_limits() -> None:
    vehicles, tasks = town(3, 12, 2)
    result = route(vehicles, tasks, time_limit_s=1)
    valid(result, vehicles, tasks)
    assert result.dropped == []
    greedy = nearest_neighbour(vehicles, tasks)
    valid(greedy, vehicles, tasks)
    assert result.total_km <= greedy.total_km + 1e-6 or len(greedy.dropped) > 0


def test_a_load_bigger_than_any_car_is_left_out() -> None:
    vehicles = [Vehicle("v", 52, 5, capacity=3, start_min=0, end_min=600)]
    tasks = [
        Task("big", 5, 52, 5.01, 52.01, 5, 0, 600),
        Task("ok", 2, 52, 5.01, 52.01, 5, 0, 600),
    ]
    result = route(vehicles, tasks, time_limit_s=1)
    assert result.dropped == ["big"]
    stops = [(s.task, s.action) for s in result.routes["v"]]
    assert stops == [("ok", "pickup"), ("ok", "dropoff")]
    loop = km(52, 5, 52, 5.01) + km(52, 5.01, 52.01, 5) + km(52.01, 5, 52, 5)
    assert abs(result.total_km - loop) < 0.01
