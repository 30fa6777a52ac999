"""Factories for ecology: random but reproducible crop-sharing problems and count tables."""

from __future__ import annotations

import numpy as np

from commonpot.ecology.cropshare import CropShareProblem, Dome, SeedLot
from commonpot.ecology.csvio import CountsTable

CLIMATES = ("arid", "temperate", "tropical")


def counts_table(samples: int = 3, species: int = 5, seed: int = 0) -> CountsTable:
    """A small random COUNTS table with integer counts."""
    rng = np.random.default_rng(seed)
    return CountsTable(
        [f"dome {i}" for i in range(samples)],
        [f"crop {j}" for j in range(species)],
        rng.poisson(3, (samples, species)).astype(float),
    )


def cropshare_problem(
    domes: int = 5,
    crops: int = 20,
    seed: int = 0,
    *,
    gamma_floor: float | None = None,
    min_plot_area: float = 2.0,
    time_limit: float = 60.0,
) -> CropShareProblem:
    """Domes with a few crops each, a seed bank covering most crops, mixed climates."""
    rng = np.random.default_rng(seed)
    names = [f"c{j}" for j in range(crops)]
    dome_list = [
        Dome(f"d{i}", CLIMATES[i % len(CLIMATES)], float(rng.uniform(20, 200)))
        for i in range(domes)
    ]
    compatibility = {
        c: set(rng.choice(CLIMATES, size=int(rng.integers(1, 3)), replace=False).tolist())
        for c in names
    }
    inventories = {}
    for dome in dome_list:
        chosen = rng.choice(crops, size=int(rng.integers(1, 6)), replace=False)
        inventories[dome.id] = {names[j]: float(rng.lognormal(3, 1.2)) for j in chosen}
    lots = []
    for j, name in enumerate(names):
        if rng.random() < 0.7:
            holder = None if rng.random() < 0.7 else dome_list[int(rng.integers(domes))].id
            lots.append(
                SeedLot(f"lot{j}", name, "heirloom", float(rng.uniform(1, 60)), holder=holder)
            )
    return CropShareProblem(
        domes=dome_list,
        inventories=inventories,
        seed_lots=lots,
        compatibility=compatibility,
        min_plot_area=min_plot_area,
        gamma_floor=gamma_floor,
        time_limit=time_limit,
    )
