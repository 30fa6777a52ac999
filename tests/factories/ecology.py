"""Factories for ecology: random but reproducible crop-sharing problems and count tables."""

from __future__ import annotations

import numpy as np

from commonpot.ecology.cropshare import CropShareProblem, Dome, SeedLot
from commonpot.ecology.csvio import CountsTable
from commonpot.ecology.schemas import CropIn, PlantingIn, SeedLotIn

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


def seed_domes(session: object, community: object, steward: object) -> dict[str, int]:
    """Three biodomes with crops, plantings and seed lots; returns place ids by name."""
    from sqlalchemy.orm import Session

    from commonpot.accounts.models import User
    from commonpot.accounts.service import Viewer
    from commonpot.communities.models import Community
    from commonpot.ecology import service
    from tests.factories.accounts import make_place

    assert isinstance(session, Session) and isinstance(community, Community)
    assert isinstance(steward, User)
    viewer = Viewer(user=steward)
    domes = {
        "North Dome": ("temperate", 200.0),
        "South Dome": ("warm", 150.0),
        "Willow Dome": ("temperate", 120.0),
    }
    ids = {}
    for name, (climate, area) in domes.items():
        place = make_place(
            session, community, name, kind="biodome", climate_class=climate, area_m2=area
        )
        ids[name] = place.id
    for crop, climates in (
        ("Zea mays", ["temperate", "warm"]),
        ("Phaseolus vulgaris", ["temperate", "warm"]),
        ("Cucurbita pepo", ["temperate", "warm"]),
        ("Capsicum annuum", ["warm"]),
        ("Brassica oleracea", ["temperate"]),
    ):
        service.save_crop(
            session, community, viewer, CropIn(name=crop, climates=climates, seeds_per_m2=20.0)
        )
    for place, crop, area in (
        ("North Dome", "Zea mays", 60.0),
        ("North Dome", "Phaseolus vulgaris", 30.0),
        ("North Dome", "Cucurbita pepo", 30.0),
        ("South Dome", "Capsicum annuum", 100.0),
        ("Willow Dome", "Brassica oleracea", 40.0),
        ("Willow Dome", "Zea mays", 10.0),
    ):
        service.add_planting(
            session, community, viewer, PlantingIn(place_id=ids[place], crop=crop, area_m2=area)
        )
    service.add_seed_lot(
        session, community, viewer, SeedLotIn(code="B-01", crop="Phaseolus vulgaris", quantity=40.0)
    )
    service.add_seed_lot(
        session,
        community,
        viewer,
        SeedLotIn(code="S-01", crop="Cucurbita pepo", quantity=600.0, unit="seeds"),
    )
    service.add_seed_lot(
        session,
        community,
        viewer,
        SeedLotIn(
            code="K-01",
            crop="Brassica oleracea",
            quantity=30.0,
            holder_place_id=ids["Willow Dome"],
        ),
    )
    return ids
