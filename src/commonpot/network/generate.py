"""Synthetic instances for benchmarks, demos and tests (seeded, no I/O)."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

KM_PER_DEG_LAT = 111.32


def uniform_square(
    n: int,
    *,
    seed: int = 0,
    categories: int = 1,
    candidates_per_need: int = 20,
    supply_factor: float = 1.0,
    center: tuple[float, float] = (52.0, 5.0),
) -> dict[str, Any]:
    """The issue's generator: n offers and n needs uniform in a square of side sqrt(n/100) km."""
    rng = np.random.default_rng(seed)
    side = math.sqrt(n / 100.0)
    lat0, lon0 = center
    km_per_deg_lon = KM_PER_DEG_LAT * math.cos(math.radians(lat0))

    def points() -> tuple[list[float], list[float]]:
        xy = rng.uniform(-side / 2, side / 2, size=(n, 2))
        return (
            (lat0 + xy[:, 1] / KM_PER_DEG_LAT).tolist(),
            (lon0 + xy[:, 0] / km_per_deg_lon).tolist(),
        )

    o_lat, o_lon = points()
    n_lat, n_lon = points()
    o_qty = rng.integers(1, 51, size=n)
    if supply_factor != 1.0:
        o_qty = np.maximum(1, np.floor(o_qty * supply_factor)).astype(np.int64)
    n_qty = rng.integers(1, 51, size=n).tolist()
    o_cat = rng.integers(0, categories, size=n).tolist()
    n_cat = rng.integers(0, categories, size=n).tolist()
    urgent = (rng.random(n) < 0.3).tolist()
    offers = [
        {
            "id": f"o{i}",
            "category": f"c{o_cat[i]}",
            "quantity": int(q),
            "lat": o_lat[i],
            "lon": o_lon[i],
        }
        for i, q in enumerate(o_qty.tolist())
    ]
    needs = [
        {
            "id": f"n{i}",
            "category": f"c{n_cat[i]}",
            "quantity": n_qty[i],
            "lat": n_lat[i],
            "lon": n_lon[i],
            "priority": 2 if urgent[i] else 1,
            "group": "urgent" if urgent[i] else "default",
        }
        for i in range(n)
    ]
    return {
        "offers": offers,
        "needs": needs,
        "params": {"candidates_per_need": candidates_per_need},
    }
