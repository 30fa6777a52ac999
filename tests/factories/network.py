"""Factories for the redistribution network: small random allocation instances."""

from __future__ import annotations

import math
import random
from collections.abc import Callable
from typing import Any

from commonpot.accounts.service import Viewer
from commonpot.db import Database
from commonpot.network import runs
from tests.factories.accounts import World

KM_PER_DEG = 6371.0088 * math.pi / 180.0


def random_instance(
    rng: random.Random,
    *,
    max_offers: int = 12,
    max_needs: int = 12,
    span_km: float = 30.0,
    categories: int = 2,
) -> dict[str, Any]:
    """A small instance with several categories, expiries, priorities, groups and params."""
    lat0, lon0 = rng.uniform(-60, 60), rng.uniform(-170, 170)

    def place() -> tuple[float, float]:
        dy, dx = rng.uniform(0, span_km), rng.uniform(0, span_km)
        return lat0 + dy / KM_PER_DEG, lon0 + dx / (KM_PER_DEG * math.cos(math.radians(lat0)))

    offers = []
    for i in range(rng.randint(0, max_offers)):
        lat, lon = place()
        offer: dict[str, Any] = {
            "id": f"o{i}",
            "category": f"c{rng.randrange(categories)}",
            "quantity": rng.randint(1, 20),
            "lat": lat,
            "lon": lon,
        }
        if rng.random() < 0.3:
            offer["expires_in_hours"] = rng.choice([0.1, 0.3, 0.5, 1.0, 2.0])
        offers.append(offer)
    needs = []
    for i in range(rng.randint(0, max_needs)):
        lat, lon = place()
        need: dict[str, Any] = {
            "id": f"n{i}",
            "category": f"c{rng.randrange(categories)}",
            "quantity": rng.randint(1, 20),
            "lat": lat,
            "lon": lon,
        }
        if rng.random() < 0.4:
            need["priority"] = rng.choice([1, 1.5, 2, 3.25])
        if rng.random() < 0.5:
            need["group"] = rng.choice(["elders", "enclave-7"])
        needs.append(need)
    params: dict[str, Any] = {
        "max_distance_km": rng.choice([5.0, 15.0, 25.0]),
        "segments": rng.randint(1, 4),
        "cost_per_km": rng.choice([0.0, 0.01, 0.05, 0.2]),
        "candidates_per_need": rng.choice([0, 0, 1, 2, 3]),
    }
    return {"offers": offers, "needs": needs, "params": params}


def add_offer(
    session: Any,
    community: Any,
    user: Any,
    quantity: int,
    north_km: float = 0.0,
    category: str = "veg",
) -> Any:
    """An open offer near the community's origin (52 N, 5 E)."""
    from commonpot.accounts.service import Viewer
    from commonpot.network import service

    return service.create_offer(
        session,
        community,
        Viewer(user=user),
        category=category,
        quantity=quantity,
        lat=52.0 + north_km / KM_PER_DEG,
        lon=5.0,
    )


def add_need(
    session: Any,
    community: Any,
    user: Any,
    quantity: int,
    north_km: float = 0.0,
    category: str = "veg",
    group_id: int | None = None,
) -> Any:
    """An open need near the community's origin (52 N, 5 E)."""
    from commonpot.accounts.service import Viewer
    from commonpot.network import service

    need = service.create_need(
        session,
        community,
        Viewer(user=user),
        category=category,
        quantity=quantity,
        lat=52.0 + north_km / KM_PER_DEG,
        lon=5.0,
        priority_consent=group_id is not None,
    )
    if group_id is not None:  # the person agreed; a steward (here the operator) places it
        from commonpot.accounts.service import OPERATOR

        service.assign_group(session, community, OPERATOR, need.id, group_id)
    return need


Cell = tuple[int, int]


def grid_instance(
    offers: list[tuple[Cell, str, float | None]],
    needs: list[tuple[Cell, str]],
    spot: Callable[[Cell], dict[str, float]],
    params: dict[str, Any],
) -> dict[str, Any]:
    """An instance of one-unit offers (cell, category, expiry hours or None) and needs (cell,
    category), each placed at `spot(cell)`: a lattice, for many exact distance ties."""
    return {
        "offers": [
            {
                "id": f"o{i}",
                "category": cat,
                "quantity": 1,
                **spot(c),
                **({"expires_in_hours": e} if e else {}),
            }
            for i, (c, cat, e) in enumerate(offers)
        ],
        "needs": [
            {"id": f"n{i}", "category": cat, "quantity": 1, **spot(c)}
            for i, (c, cat) in enumerate(needs)
        ],
        "params": params,
    }


FOODS = ("plums", "figs", "leeks")


def big_committed_run(db: Database, w: World) -> int:
    """A committed run of 130 lines: the member gives 40 of them, the steward 90; the
    custodian receives them all, one unit each, every food in turn."""
    with db.unit_of_work() as s:
        community = s.merge(w.public)
        for i in range(130):
            giver = w.member if i < 40 else w.steward
            add_offer(s, community, giver, 1, i * 0.01, category=FOODS[i % 3])
            add_need(s, community, w.custodian, 1, i * 0.01 + 0.001, category=FOODS[i % 3])
        run = runs.create_run(s, community, Viewer(user=w.steward))
        runs.commit_run(s, community, Viewer(user=w.steward), run.id)
        return run.id
