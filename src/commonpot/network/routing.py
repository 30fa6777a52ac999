"""Volunteer delivery runs: pickup-and-delivery routing with capacities and pickup windows.

Each task carries `quantity` units from a pickup point (the donor's place, reached within
the handover's window) to a drop-off point (the recipient); each vehicle (a volunteer's
slot) starts and ends at its own place, within its slot, carrying at most `capacity`
units at a time. OR-Tools' routing solver minimises the total distance driven; a task no
vehicle can serve is left out (with a large penalty) instead of making the plan
infeasible. `nearest_neighbour` is the greedy baseline the benchmark compares against.

Times are minutes from a common origin (the start of the day); distances are great-circle
kilometres travelled at `speed_kmh`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from ortools.constraint_solver import pywrapcp, routing_enums_pb2

EARTH_KM = 6371.0088
DROP_PENALTY = 10_000_000  # metres: serving a task is always worth more than any detour


@dataclass(frozen=True)
class Vehicle:
    """A volunteer's slot: where they start and end, when, and how much fits in the car."""

    id: str
    lat: float
    lon: float
    capacity: int
    start_min: int
    end_min: int


@dataclass(frozen=True)
class Task:
    """Units to carry from a pickup (within its window) to a drop-off."""

    id: str
    quantity: int
    pickup_lat: float
    pickup_lon: float
    dropoff_lat: float
    dropoff_lon: float
    window_start_min: int
    window_end_min: int


@dataclass(frozen=True)
class Stop:
    """One stop of a route: load or unload a task's units, arriving at `arrive_min`."""

    task: str
    action: str  # "pickup" or "dropoff"
    lat: float
    lon: float
    quantity: int
    arrive_min: int


@dataclass
class Routes:
    """A route per vehicle, the tasks left out, and the total distance."""

    routes: dict[str, list[Stop]] = field(default_factory=dict)
    dropped: list[str] = field(default_factory=list)
    total_km: float = 0.0


def km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in kilometres."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_KM * math.asin(min(1.0, math.sqrt(a)))


def _points(vehicles: list[Vehicle], tasks: list[Task]) -> list[tuple[float, float]]:
    points = [(v.lat, v.lon) for v in vehicles]
    for t in tasks:
        points += [(t.pickup_lat, t.pickup_lon), (t.dropoff_lat, t.dropoff_lon)]
    return points


def route(  # noqa: PLR0915 - one routing model, built step by step
    vehicles: list[Vehicle],
    tasks: list[Task],
    *,
    speed_kmh: float = 20.0,
    service_min: int = 5,
    time_limit_s: float = 2.0,
) -> Routes:
    """Shortest total routes that carry every task they can, within capacities and windows."""
    if not vehicles:
        return Routes(dropped=[t.id for t in tasks])
    points = _points(vehicles, tasks)
    n_v = len(vehicles)
    size = len(points)
    metres = [[round(km(*points[i], *points[j]) * 1000) for j in range(size)] for i in range(size)]
    minutes = [
        [math.ceil(metres[i][j] / 1000 / speed_kmh * 60) for j in range(size)] for i in range(size)
    ]
    starts = list(range(n_v))
    manager = pywrapcp.RoutingIndexManager(size, n_v, starts, starts)
    model = pywrapcp.RoutingModel(manager)

    # matrices (by node) keep the solver's inner loop in C++: no Python callback per arc
    travel = [
        [minutes[a][b] + (service_min if a >= n_v else 0) for b in range(size)] for a in range(size)
    ]
    load = [0] * size
    for k, t in enumerate(tasks):
        load[n_v + 2 * k] = t.quantity
        load[n_v + 2 * k + 1] = -t.quantity
    model.SetArcCostEvaluatorOfAllVehicles(model.RegisterTransitMatrix(metres))
    horizon = max([v.end_min for v in vehicles] + [t.window_end_min for t in tasks]) + 24 * 60
    model.AddDimension(model.RegisterTransitMatrix(travel), horizon, horizon, False, "Time")
    time = model.GetDimensionOrDie("Time")
    model.AddDimensionWithVehicleCapacity(
        model.RegisterUnaryTransitVector(load), 0, [v.capacity for v in vehicles], True, "Load"
    )
    for idx, v in enumerate(vehicles):
        time.CumulVar(model.Start(idx)).SetRange(v.start_min, v.end_min)
        time.CumulVar(model.End(idx)).SetRange(v.start_min, v.end_min)
    solver = model.solver()
    for k, t in enumerate(tasks):
        pick = manager.NodeToIndex(n_v + 2 * k)
        drop = manager.NodeToIndex(n_v + 2 * k + 1)
        model.AddPickupAndDelivery(pick, drop)
        solver.Add(model.VehicleVar(pick) == model.VehicleVar(drop))
        solver.Add(time.CumulVar(pick) <= time.CumulVar(drop))
        time.CumulVar(pick).SetRange(t.window_start_min, t.window_end_min)
        if t.quantity > max(v.capacity for v in vehicles):
            model.AddDisjunction([pick, drop], 0, 2)  # cannot fit any car: left out at once
        else:
            model.AddDisjunction([pick, drop], DROP_PENALTY, 2)
    params = pywrapcp.DefaultRoutingSearchParameters()
    params.first_solution_strategy = (
        routing_enums_pb2.FirstSolutionStrategy.PARALLEL_CHEAPEST_INSERTION
    )
    params.local_search_metaheuristic = (
        routing_enums_pb2.LocalSearchMetaheuristic.GUIDED_LOCAL_SEARCH
    )
    params.time_limit.FromMilliseconds(max(1, int(time_limit_s * 1000)))
    solution = model.SolveWithParameters(params)
    if solution is None:
        return Routes(dropped=[t.id for t in tasks])
    out = Routes()
    served: set[str] = set()
    total = 0
    for idx, v in enumerate(vehicles):
        stops: list[Stop] = []
        index = model.Start(idx)
        while not model.IsEnd(index):
            node = manager.IndexToNode(index)
            if node >= n_v:
                k, is_drop = divmod(node - n_v, 2)
                t = tasks[k]
                lat, lon = points[node]
                stops.append(
                    Stop(
                        t.id,
                        "dropoff" if is_drop else "pickup",
                        lat,
                        lon,
                        t.quantity,
                        solution.Value(time.CumulVar(index)),
                    )
                )
                served.add(t.id)
            nxt = solution.Value(model.NextVar(index))
            total += metres[node][manager.IndexToNode(nxt)]
            index = nxt
        out.routes[v.id] = stops
    out.dropped = [t.id for t in tasks if t.id not in served]
    out.total_km = total / 1000
    return out


def nearest_neighbour(
    vehicles: list[Vehicle],
    tasks: list[Task],
    *,
    speed_kmh: float = 20.0,
    service_min: int = 5,
) -> Routes:
    """Greedy baseline: each vehicle in turn drives to its nearest feasible next stop."""
    out = Routes()
    open_tasks = {t.id: t for t in tasks}
    total = 0.0
    for v in vehicles:
        here, now, load = (v.lat, v.lon), v.start_min, 0
        carrying: dict[str, Task] = {}
        stops: list[Stop] = []
        while True:
            best: tuple[float, str, Task] | None = None
            for t in carrying.values():
                d = km(*here, t.dropoff_lat, t.dropoff_lon)
                if best is None or d < best[0]:
                    best = (d, "dropoff", t)
            for t in open_tasks.values():
                if load + t.quantity > v.capacity:
                    continue
                d = km(*here, t.pickup_lat, t.pickup_lon)
                arrive = max(now + math.ceil(d / speed_kmh * 60), t.window_start_min)
                back = km(t.pickup_lat, t.pickup_lon, t.dropoff_lat, t.dropoff_lon) + km(
                    t.dropoff_lat, t.dropoff_lon, v.lat, v.lon
                )
                finish = arrive + service_min + math.ceil(back / speed_kmh * 60) + service_min
                if arrive > t.window_end_min or finish > v.end_min:
                    continue
                if best is None or d < best[0]:
                    best = (d, "pickup", t)
            if best is None:
                break
            d, action, t = best
            total += d
            now += math.ceil(d / speed_kmh * 60)
            if action == "pickup":
                now = max(now, t.window_start_min)
                here = (t.pickup_lat, t.pickup_lon)
                load += t.quantity
                carrying[t.id] = t
                del open_tasks[t.id]
            else:
                here = (t.dropoff_lat, t.dropoff_lon)
                load -= t.quantity
                del carrying[t.id]
            stops.append(Stop(t.id, action, here[0], here[1], t.quantity, now))
            now += service_min
        total += km(*here, v.lat, v.lon)
        out.routes[v.id] = stops
    out.dropped = sorted(open_tasks)
    out.total_km = total
    return out
