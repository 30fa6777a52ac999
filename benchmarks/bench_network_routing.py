"""Volunteer delivery runs: OR-Tools pickup-and-delivery routing vs a nearest-neighbour route.

    .venv/bin/python benchmarks/bench_network_routing.py [--quick] [--seconds 10]

200 handovers (1-6 units, pickup windows of 1-3 hours between 08:00 and 16:00, donors and
recipients spread over a 20 x 20 km town) and 10 volunteers (capacity 15-30 units, slots
08:00-18:00, 25 km/h, 5 minutes per stop). Baseline (same process, same instance): each
volunteer in turn drives to the nearest stop it can still make (a pickup whose window it
reaches and that fits, or a drop-off of what it carries). Prints solve time, total distance,
handovers served and distance per handover served, and the ratios.
"""

from __future__ import annotations

import argparse
import random
import time

from commonpot.network.routing import Routes, Task, Vehicle, nearest_neighbour, route

SPEED = 25.0


def instance(rng: random.Random, n_tasks: int, n_vehicles: int) -> tuple[list[Vehicle], list[Task]]:
    """A town of donors, recipients and volunteers (52 N, 5 E)."""

    def place() -> tuple[float, float]:
        return 52.0 + rng.uniform(-0.09, 0.09), 5.0 + rng.uniform(-0.145, 0.145)

    vehicles = [
        Vehicle(f"v{i}", *place(), capacity=rng.randint(15, 30), start_min=480, end_min=1080)
        for i in range(n_vehicles)
    ]
    tasks = []
    for i in range(n_tasks):
        (plat, plon), (dlat, dlon) = place(), place()
        start = rng.randrange(480, 900, 15)
        tasks.append(
            Task(
                f"h{i}",
                rng.randint(1, 6),
                plat,
                plon,
                dlat,
                dlon,
                start,
                start + rng.choice([60, 120, 180]),
            )
        )
    return vehicles, tasks


def check(routes: Routes, vehicles: list[Vehicle], tasks: list[Task]) -> None:
    """Every route respects capacities, windows and pickup-before-drop-off (else raise)."""
    by_id = {t.id: t for t in tasks}
    for v in vehicles:
        load, picked = 0, set()
        for stop in routes.routes.get(v.id, []):
            task = by_id[stop.task]
            if stop.action == "pickup":
                load += task.quantity
                picked.add(task.id)
                assert task.window_start_min <= stop.arrive_min <= task.window_end_min + 1
            else:
                assert task.id in picked, "drop-off before pickup"
                load -= task.quantity
            assert load <= v.capacity, "over capacity"


def report(name: str, routes: Routes, seconds: float, n_tasks: int) -> float:
    served = n_tasks - len(routes.dropped)
    per = routes.total_km / served if served else float("nan")
    print(
        f"{name:18s} {seconds:8.2f} s  {routes.total_km:8.1f} km  served {served:3d}/{n_tasks}"
        f"  {per:6.2f} km/handover"
    )
    return per


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="40 handovers, 3 volunteers")
    parser.add_argument("--seconds", type=float, default=10.0, help="OR-Tools time limit")
    parser.add_argument("--seed", type=int, default=15)
    args = parser.parse_args()
    n_tasks, n_vehicles = (40, 3) if args.quick else (200, 10)
    vehicles, tasks = instance(random.Random(args.seed), n_tasks, n_vehicles)
    print(f"{n_tasks} handovers, {n_vehicles} volunteers, time limit {args.seconds:g} s")
    t0 = time.perf_counter()
    greedy = nearest_neighbour(vehicles, tasks, speed_kmh=SPEED)
    t1 = time.perf_counter()
    solved = route(vehicles, tasks, speed_kmh=SPEED, time_limit_s=args.seconds)
    t2 = time.perf_counter()
    check(greedy, vehicles, tasks)
    check(solved, vehicles, tasks)
    base = report("nearest neighbour", greedy, t1 - t0, n_tasks)
    ours = report("OR-Tools routing", solved, t2 - t1, n_tasks)
    served = (n_tasks - len(solved.dropped)) / max(1, n_tasks - len(greedy.dropped))
    print(
        f"ratio (OR-Tools / nearest neighbour): total distance "
        f"{solved.total_km / greedy.total_km:.2f}, km per handover served {ours / base:.2f}, "
        f"handovers served {served:.2f}"
    )


if __name__ == "__main__":
    main()
