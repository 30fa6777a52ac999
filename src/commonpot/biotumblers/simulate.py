"""Plausible biotumbler batches for the demo, tests and benchmarks (pure, seeded).

A batch heats from ambient to the thermophilic plateau in about a day, holds there for days
(each turn of the drum dips the temperature for a few hours), then cools toward ambient.
Probes near the door run a few degrees colder than the core; sensors are noisy and the
radio drops a reading now and then.
"""

from __future__ import annotations

import math
import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from commonpot.biotumblers.readings import Reading


@dataclass(frozen=True)
class Profile:
    """The shape of a batch: how hot, how long, when turned, how wet."""

    ambient_c: float = 16.0
    peak_c: float = 62.5
    heat_hours: float = 20.0
    plateau_hours: float = 130.0
    cool_hours: float = 90.0
    probes: dict[str, float] = field(default_factory=lambda: {"core": 0.0, "edge": -4.0})
    turns_at_hours: Sequence[float] = (26.0, 170.0)
    moisture_start: float = 56.0
    moisture_per_day: float = -1.0
    gap_chance: float = 0.002
    noise_c: float = 0.3


def temperature_at(profile: Profile, hours: float) -> float:
    """The core temperature of the profile after `hours`."""
    rise = profile.peak_c - profile.ambient_c
    if hours < profile.heat_hours:
        x = hours / profile.heat_hours
        value = profile.ambient_c + rise * (3 * x * x - 2 * x * x * x)
    elif hours < profile.heat_hours + profile.plateau_hours:
        value = profile.peak_c + 1.2 * math.sin(hours / 9.0)
    else:
        after = hours - profile.heat_hours - profile.plateau_hours
        value = profile.ambient_c + rise * math.exp(-3.0 * after / profile.cool_hours)
    for turn in profile.turns_at_hours:
        since = hours - turn
        if 0 <= since < 4:  # fresh air and cold material: a dip that recovers in hours
            value -= 9.0 * math.exp(-since)
    return value


def simulate(
    start: datetime,
    until: datetime,
    profile: Profile | None = None,
    *,
    every: timedelta = timedelta(minutes=5),
    seed: int = 1,
) -> list[Reading]:
    """Readings from `start` to `until` every `every`, shaped by the profile."""
    profile = profile or Profile()
    rng = random.Random(seed)
    found: list[Reading] = []
    moment = start
    while moment < until:
        hours = (moment - start).total_seconds() / 3600
        if rng.random() < profile.gap_chance:
            moment += every * rng.randint(2, 5)  # the radio dropped a few readings
            continue
        base = temperature_at(profile, hours)
        temps = {
            probe: round(max(-40.0, min(100.0, base + offset + rng.gauss(0, profile.noise_c))), 2)
            for probe, offset in profile.probes.items()
        }
        moisture = profile.moisture_start + profile.moisture_per_day * hours / 24
        turned = any(0 <= hours - t < every.total_seconds() / 3600 for t in profile.turns_at_hours)
        last_turn = max((t for t in profile.turns_at_hours if t <= hours), default=-48.0)
        oxygen = 9.0 + 6.0 * math.exp(-(hours - last_turn) / 12)  # turning lets air in
        found.append(
            Reading(
                t=moment,
                temperature_c=temps,
                moisture_pct=round(max(0.0, min(100.0, moisture + rng.gauss(0, 0.4))), 1),
                oxygen_pct=round(max(0.0, min(25.0, oxygen + rng.gauss(0, 0.3))), 1),
                turned=turned,
            )
        )
        moment += every
    return found
