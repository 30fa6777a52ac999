"""Food access: distance to the nearest food source, USDA-style low-access shares and 2SFCA.

Points and sources are latitude/longitude in degrees. Distances are great-circle km on a
spherical Earth, found with a k-d tree over 3-D unit vectors (a straight chord is monotone
in the arc, so the nearest chord is the nearest arc).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy.spatial import cKDTree

EARTH_RADIUS_KM = 6371.0088
KM_PER_MILE = 1.609344
SQ_FT_PER_M2 = 10.763910416709722
# a community shows food access in one unit system: distances and the food space per person
UNIT_SYSTEMS: dict[str, dict[str, str]] = {
    "metric": {"distance": "km", "area": "m²"},
    "imperial": {"distance": "mi", "area": "ft²"},
}
_PER_KM = {"metric": 1.0, "imperial": 1 / KM_PER_MILE}
_PER_M2 = {"metric": 1.0, "imperial": SQ_FT_PER_M2}


def in_units(system: str, *, km: float | None = None, m2: float | None = None) -> float:
    """A distance in km or an area in m² expressed in the system's distance or area unit."""
    if km is not None:
        return km * _PER_KM[system]
    assert m2 is not None
    return m2 * _PER_M2[system]


def to_km(system: str, distance: float) -> float:
    """A distance in the system's unit back to km."""
    return distance / _PER_KM[system]


USDA_MILES = (0.5, 1.0, 10.0, 20.0)
CHUNK = 200_000

FloatArray = NDArray[np.float64]


@dataclass(frozen=True)
class Sources:
    """Food sources (markets, pantries, gardens): positions, capacity and whether active."""

    lat: FloatArray
    lon: FloatArray
    capacity: FloatArray
    active: NDArray[np.bool_]

    @classmethod
    def of(
        cls,
        lat: ArrayLike,
        lon: ArrayLike,
        capacity: ArrayLike | None = None,
        active: ArrayLike | None = None,
    ) -> Sources:
        """Build from sequences; capacity defaults to 1 and every source to active."""
        la = np.asarray(lat, dtype=np.float64).ravel()
        n = la.size
        return cls(
            lat=la,
            lon=np.asarray(lon, dtype=np.float64).ravel(),
            capacity=np.ones(n) if capacity is None else np.asarray(capacity, np.float64).ravel(),
            active=np.ones(n, bool) if active is None else np.asarray(active, bool).ravel(),
        )


@dataclass(frozen=True)
class Population:
    """Households or population points: positions and how many people each stands for."""

    lat: FloatArray
    lon: FloatArray
    people: FloatArray

    @classmethod
    def of(cls, lat: ArrayLike, lon: ArrayLike, people: ArrayLike | None = None) -> Population:
        """Build from sequences; each point stands for one person unless told otherwise."""
        la = np.asarray(lat, dtype=np.float64).ravel()
        return cls(
            lat=la,
            lon=np.asarray(lon, dtype=np.float64).ravel(),
            people=np.ones(la.size) if people is None else np.asarray(people, np.float64).ravel(),
        )


def unit_vectors(lat: ArrayLike, lon: ArrayLike) -> FloatArray:
    """Latitude/longitude in degrees to unit vectors on the sphere."""
    phi = np.radians(np.asarray(lat, dtype=np.float64))
    lam = np.radians(np.asarray(lon, dtype=np.float64))
    cos_phi = np.cos(phi)
    return np.column_stack((cos_phi * np.cos(lam), cos_phi * np.sin(lam), np.sin(phi)))


def chord_to_km(chord: ArrayLike) -> FloatArray:
    """Straight-line distance between unit vectors to great-circle km."""
    c = np.clip(np.asarray(chord, dtype=np.float64), 0.0, 2.0)
    return 2.0 * EARTH_RADIUS_KM * np.arcsin(c / 2.0)


def km_to_chord(km: float) -> float:
    """Great-circle km to the chord between unit vectors."""
    angle = min(km / EARTH_RADIUS_KM, math.pi)
    return 2.0 * math.sin(angle / 2.0)


def haversine_km(lat1: ArrayLike, lon1: ArrayLike, lat2: ArrayLike, lon2: ArrayLike) -> FloatArray:
    """Great-circle distance in km by the haversine formula (broadcasting)."""
    p1, p2 = np.radians(lat1), np.radians(lat2)
    dphi = p2 - p1
    dlam = np.radians(np.asarray(lon2) - np.asarray(lon1))
    h = np.sin(dphi / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dlam / 2) ** 2
    return np.asarray(2.0 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.clip(h, 0, 1))))


def _validate(lat: FloatArray, lon: FloatArray, what: str) -> None:
    if lat.shape != lon.shape:
        raise ValueError(f"{what}: latitude and longitude differ in length")
    if np.any(~np.isfinite(lat)) or np.any(np.abs(lat) > 90):
        raise ValueError(f"{what}: latitude must be between -90 and 90")
    if np.any(~np.isfinite(lon)) or np.any(np.abs(lon) > 360):
        raise ValueError(f"{what}: longitude must be a finite number of degrees")


@dataclass(frozen=True)
class Nearest:
    """Distance from each point to its nearest active source, and which source it is."""

    km: FloatArray
    source: NDArray[np.int64]  # index into the full source list; -1 when none is active


def nearest_sources(population: Population, sources: Sources, workers: int = -1) -> Nearest:
    """Great-circle km from every point to the nearest active source (k-d tree)."""
    _validate(population.lat, population.lon, "population")
    _validate(sources.lat, sources.lon, "sources")
    n = population.lat.size
    active = np.flatnonzero(sources.active)
    if active.size == 0:
        return Nearest(km=np.full(n, np.inf), source=np.full(n, -1, dtype=np.int64))
    tree = cKDTree(unit_vectors(sources.lat[active], sources.lon[active]))
    km = np.empty(n)
    idx = np.empty(n, dtype=np.int64)
    for start in range(0, n, CHUNK):
        stop = min(start + CHUNK, n)
        xyz = unit_vectors(population.lat[start:stop], population.lon[start:stop])
        chord, which = tree.query(xyz, k=1, workers=workers)
        km[start:stop] = chord_to_km(chord)
        idx[start:stop] = active[which]
    return Nearest(km=km, source=idx)


@dataclass(frozen=True)
class LowAccessShare:
    """People farther than a threshold from the nearest active source."""

    miles: float
    people: float
    share: float | None


def low_access_shares(
    nearest: Nearest, people: ArrayLike, thresholds_miles: Sequence[float] = USDA_MILES
) -> list[LowAccessShare]:
    """USDA-style low access: people beyond 0.5, 1, 10 and 20 miles (or given thresholds)."""
    weights = np.asarray(people, dtype=np.float64)
    total = float(weights.sum())
    out = []
    for miles in thresholds_miles:
        beyond = float(weights[nearest.km > miles * KM_PER_MILE].sum())
        out.append(LowAccessShare(miles, beyond, beyond / total if total > 0 else None))
    return out


@dataclass(frozen=True)
class Accessibility:
    """2SFCA result: supply-to-demand ratio per source and accessibility per point."""

    source_ratio: FloatArray  # capacity per person in each source's catchment (0 if none)
    score: FloatArray  # per point: sum of ratios of sources within the catchment


def two_step_fca(
    population: Population, sources: Sources, catchment_km: float, workers: int = -1
) -> Accessibility:
    """Two-step floating catchment area (Luo & Wang 2003) with a hard catchment radius."""
    if not catchment_km > 0:
        raise ValueError("the catchment radius must be positive")
    _validate(population.lat, population.lon, "population")
    _validate(sources.lat, sources.lon, "sources")
    radius = km_to_chord(catchment_km)
    n, m = population.lat.size, sources.lat.size
    active = np.flatnonzero(sources.active)
    ratio = np.zeros(m)
    score = np.zeros(n)
    if active.size == 0 or n == 0:
        return Accessibility(source_ratio=ratio, score=score)
    source_tree = cKDTree(unit_vectors(sources.lat[active], sources.lon[active]))
    pairs: list[tuple[int, NDArray[np.int64], NDArray[np.int64]]] = []
    demand = np.zeros(active.size)
    # step 1: each source's catchment population, chunk by chunk to bound memory
    for start in range(0, n, CHUNK):
        stop = min(start + CHUNK, n)
        chunk_tree = cKDTree(unit_vectors(population.lat[start:stop], population.lon[start:stop]))
        hits = chunk_tree.sparse_distance_matrix(source_tree, radius, output_type="ndarray")
        rows = hits["i"].astype(np.int64)
        cols = hits["j"].astype(np.int64)
        demand += np.bincount(
            cols, weights=population.people[start:stop][rows], minlength=active.size
        )
        pairs.append((start, rows, cols))
    with np.errstate(divide="ignore", invalid="ignore"):
        active_ratio = np.where(demand > 0, sources.capacity[active] / demand, 0.0)
    ratio[active] = active_ratio
    # step 2: each point sums the ratios of the sources it can reach
    for start, rows, cols in pairs:
        score[start : start + CHUNK] += np.bincount(
            rows, weights=active_ratio[cols], minlength=min(CHUNK, n - start)
        )
    return Accessibility(source_ratio=ratio, score=score)


@dataclass(frozen=True)
class FoodAccessReport:
    """Nearest-source distances, low-access shares and (optionally) 2SFCA scores."""

    nearest: Nearest
    low_access: list[LowAccessShare]
    accessibility: Accessibility | None


def food_access(
    population: Population,
    sources: Sources,
    *,
    catchment_km: float | None = None,
    thresholds_miles: Sequence[float] = USDA_MILES,
) -> FoodAccessReport:
    """THE shared food-access measure: distances, low-access shares and optional 2SFCA."""
    nearest = nearest_sources(population, sources)
    shares = low_access_shares(nearest, population.people, thresholds_miles)
    access = None if catchment_km is None else two_step_fca(population, sources, catchment_km)
    return FoodAccessReport(nearest=nearest, low_access=shares, accessibility=access)
