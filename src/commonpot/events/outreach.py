"""Outreach planner: where would the next class reach the people with the worst food access?

`nearest_source_km` is the ONE shared food-access fallback. ECOLOGY TAKES THIS OVER: when
`commonpot.ecology.food_access` offers a function of the same name and signature (plain
points in, kilometres out), `events.service` calls that one instead; this stays as the
simple, dependency-free reference.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from commonpot.words import ENGLISH, Said, Words, said, said_n

EARTH_KM = 6371.0088


@dataclass(frozen=True)
class Point:
    """A named place on the map; `population` counts the people living there, when known."""

    id: int
    name: str
    lat: float
    lon: float
    kind: str = ""
    population: int | None = None


@dataclass(frozen=True)
class Suggestion:
    """One ranked place to hold a class, for one underserved home, and why."""

    rank: int
    home: Point
    access_km: float | None
    nearest_source: str | None
    venue: Point | None
    venue_km: float | None
    score: float
    reason: tuple[Said, ...]


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in kilometres."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_KM * math.asin(min(1.0, math.sqrt(h)))


def nearest_source_km(
    homes: Sequence[tuple[float, float]], sources: Sequence[tuple[float, float]]
) -> list[tuple[float | None, int | None]]:
    """For each home, the distance to the nearest active source and that source's index."""
    out: list[tuple[float | None, int | None]] = []
    for lat, lon in homes:
        best: tuple[float | None, int | None] = (None, None)
        for index, (s_lat, s_lon) in enumerate(sources):
            d = haversine_km(lat, lon, s_lat, s_lon)
            if best[0] is None or d < best[0]:
                best = (d, index)
        out.append(best)
    return out


def plan(
    homes: Sequence[Point],
    sources: Sequence[Point],
    venues: Sequence[Point],
    access: Sequence[tuple[float | None, int | None]],
    *,
    no_source_km: float = 10.0,
) -> list[Suggestion]:
    """Rank homes by people × distance to fresh food and pick the nearest venue for each."""
    ranked: list[tuple[float, Point, float | None, int | None]] = []
    for home, (distance, index) in zip(homes, access, strict=True):
        effective = no_source_km if distance is None else distance
        people = home.population or 1
        ranked.append((effective * math.sqrt(people), home, distance, index))
    ranked.sort(key=lambda row: (-row[0], row[1].name))
    out: list[Suggestion] = []
    for position, (value, home, distance, index) in enumerate(ranked, start=1):
        venue, venue_km = None, None
        for candidate in venues:
            d = haversine_km(home.lat, home.lon, candidate.lat, candidate.lon)
            if venue_km is None or d < venue_km:
                venue, venue_km = candidate, d
        source = sources[index].name if index is not None else None
        out.append(
            Suggestion(
                rank=position,
                home=home,
                access_km=distance,
                nearest_source=source,
                venue=venue,
                venue_km=venue_km,
                score=round(value, 3),
                reason=_reason(home, distance, source, venue, venue_km),
            )
        )
    return out


def _reason(
    home: Point,
    distance: float | None,
    source: str | None,
    venue: Point | None,
    venue_km: float | None,
) -> tuple[Said, ...]:
    """Why this home comes where it does, as sentences worded for the reader."""
    if distance is None or source is None:
        access = (
            said_n(
                "%(num)s person in %(home)s has no active fresh-food source on the map",
                "%(num)s people in %(home)s have no active fresh-food source on the map",
                home.population,
                home=home.name,
            )
            if home.population
            else said(
                "The people in %(home)s have no active fresh-food source on the map", home=home.name
            )
        )
    else:
        access = (
            said_n(
                "%(num)s person in %(home)s lives %(km)s km from fresh food (%(source)s)",
                "%(num)s people in %(home)s live %(km)s km from fresh food (%(source)s)",
                home.population,
                digits=1,
                home=home.name,
                km=float(distance),
                source=source,
            )
            if home.population
            else said(
                "The people in %(home)s live %(km)s km from fresh food (%(source)s)",
                digits=1,
                home=home.name,
                km=float(distance),
                source=source,
            )
        )
    if venue is None or venue_km is None:
        return access, said("add a kitchen or plaza to hold a class nearby.")
    return access, said(
        "a class at %(venue)s would be %(km)s km from them.",
        digits=1,
        venue=venue.name,
        km=float(venue_km),
    )


def reason_text(suggestion: Suggestion, words: Words = ENGLISH) -> str:
    """The suggestion's reason in the reader's words, one sentence."""
    return "; ".join(part.words(words) for part in suggestion.reason)
