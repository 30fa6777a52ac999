"""The sanitisation assessment of the telemetry spec (US EPA 40 CFR 503 PFRP, in-vessel).

Pure: readings in, verdict out. Every page, alert, API answer and `biotumbler assess` uses it.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from operator import attrgetter
from typing import Any

import numpy as np
import numpy.typing as npt

from commonpot.biotumblers.readings import Reading, format_time

SANITISING_C = 55.0
THERMOPHILIC_C = 45.0
COOLING_C = 30.0
STALL_C = 40.0
REQUIRED = timedelta(hours=72)
STALL_FOR = timedelta(hours=48)
DEFAULT_MAX_GAP = timedelta(minutes=30)
OVERHEAT = (("warn", 65.0), ("alarm", 70.0), ("critical", 80.0))
MOISTURE_LOW, MOISTURE_HIGH = 40.0, 60.0
LEVEL_ORDER = {"warn": 0, "alarm": 1, "critical": 2}


@dataclass(frozen=True, slots=True)
class Alert:
    """One episode of a rule: open while `to` is None."""

    kind: str
    level: str
    start: datetime
    end: datetime | None

    def to_json(self) -> dict[str, Any]:
        """The spec's JSON form (`from`, `to`)."""
        return {
            "kind": self.kind,
            "level": self.level,
            "from": format_time(self.start),
            "to": None if self.end is None else format_time(self.end),
        }


@dataclass(frozen=True, slots=True)
class Assessment:
    """What the temperature history of one device (or batch) proves."""

    readings: int
    sanitised_at: datetime | None
    longest_hot: timedelta
    hot_since: datetime | None
    phase: str
    alerts: list[Alert] = field(default_factory=list)
    hot_from: datetime | None = None  # the run that sanitised: its first and its 72 h reading
    last_t: datetime | None = None

    @property
    def sanitised(self) -> bool:
        """True when some hot run lasted 72 h."""
        return self.sanitised_at is not None

    @property
    def longest_hot_hours(self) -> float:
        """The longest hot run, in hours."""
        return self.longest_hot.total_seconds() / 3600

    def to_json(self, *, rejected: int = 0) -> dict[str, Any]:
        """The spec's per-device JSON (the CLI's and the API's keys)."""
        return {
            "readings": self.readings,
            "rejected": rejected,
            "sanitised": self.sanitised,
            "sanitised_at": None if self.sanitised_at is None else format_time(self.sanitised_at),
            "longest_hot_hours": self.longest_hot_hours,
            "hot_since": None if self.hot_since is None else format_time(self.hot_since),
            "phase": self.phase,
            "alerts": [a.to_json() for a in self.alerts],
        }


def _micros(found: Sequence[Reading]) -> npt.NDArray[np.int64]:
    """Times as integer microseconds since the epoch (float seconds hold µs exactly here)."""
    seconds = np.fromiter(map(datetime.timestamp, map(_T, found)), np.float64, len(found))
    return np.rint(seconds * 1e6).astype(np.int64)


_T = attrgetter("t")
_TEMPS = attrgetter("temperature_c")
_MOISTURE = attrgetter("moisture_pct")


@contextmanager
def _no_cycle_collection() -> Iterator[None]:
    """Pause the cyclic garbage collector for a numeric pass that makes no cycles.

    The views and numbers made per reading would otherwise trigger full collections that
    walk every reading held by the caller: over a million readings, longer than the pass.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _segments(
    mask: npt.NDArray[np.bool_], breaks: npt.NDArray[np.bool_] | None = None
) -> tuple[npt.NDArray[np.intp], npt.NDArray[np.intp]]:
    """First and last index of each run of True; `breaks[i]` (gap before i) also splits runs."""
    n = len(mask)
    if n == 0:
        return np.zeros(0, np.intp), np.zeros(0, np.intp)
    prev = np.concatenate(([False], mask[:-1]))
    nxt = np.concatenate((mask[1:], [False]))
    if breaks is not None:
        prev = prev & ~breaks
        nxt = nxt & ~np.concatenate((breaks[1:], [False]))
    return np.flatnonzero(mask & ~prev), np.flatnonzero(mask & ~nxt)


def _episodes(
    found: Sequence[Reading], mask: npt.NDArray[np.bool_], kind: str, level: str
) -> list[Alert]:
    """Longest runs of consecutive readings (of one kind) meeting a condition."""
    firsts, lasts = _segments(mask)
    n = len(found)
    return [
        Alert(kind, level, found[a].t, found[b + 1].t if b + 1 < n else None)
        for a, b in zip(firsts.tolist(), lasts.tolist(), strict=True)
    ]


def _stalls(
    temps: Sequence[Reading],
    tt: npt.NDArray[np.int64],
    hot: npt.NDArray[np.float64],
    gaps: npt.NDArray[np.bool_],
    heated_at: int,
    sanitised_at: datetime | None,
) -> list[Alert]:
    """Episodes of hot < 40 °C lasting ≥ 48 h after the pile first heated, before sanitising."""
    found: list[Alert] = []
    stall_us = round(STALL_FOR.total_seconds() * 1e6)
    firsts, lasts = _segments(hot < STALL_C, gaps)
    n = len(temps)
    for a, b in zip(firsts.tolist(), lasts.tolist(), strict=True):
        start = temps[a].t
        if tt[b] - tt[a] < stall_us or tt[a] <= heated_at:
            continue
        if sanitised_at is not None and start >= sanitised_at:
            continue
        found.append(Alert("stalled", "alarm", start, temps[b + 1].t if b + 1 < n else None))
    return found


def assess(
    readings: Sequence[Reading],
    *,
    max_gap: timedelta = DEFAULT_MAX_GAP,
    now: datetime | None = None,
) -> Assessment:
    """Assess readings of one device, already in order of `t` with one reading per `t`.

    With `now`, a device silent for more than `max_gap` up to now has an open `silent` alert
    (the periodic check); without it only the gaps between readings count (the CLI).
    """
    with _no_cycle_collection():
        return _assess(readings, max_gap, now)


def _assess(readings: Sequence[Reading], max_gap: timedelta, now: datetime | None) -> Assessment:
    gap_us = round(max_gap.total_seconds() * 1e6)
    every = _micros(readings)
    has_temps = np.fromiter(map(bool, map(_TEMPS, readings)), np.bool_, len(readings))
    if has_temps.all():
        temps, tt = list(readings), every
    else:
        chosen = np.flatnonzero(has_temps)
        temps, tt = [readings[i] for i in chosen.tolist()], every[chosen]
    n = len(temps)
    probes = [r.temperature_c for r in temps]
    cold = np.fromiter(map(min, map(dict.values, probes)), np.float64, n)
    hot = np.fromiter(map(max, map(dict.values, probes)), np.float64, n)
    gaps = np.concatenate(([False], np.diff(tt) > gap_us)) if n else np.zeros(0, np.bool_)

    firsts, lasts = _segments(cold >= SANITISING_C, gaps)
    lengths = tt[lasts] - tt[firsts]
    required = round(REQUIRED.total_seconds() * 1e6)
    sanitised_at: datetime | None = None
    hot_from: datetime | None = None
    long_enough = np.flatnonzero(lengths >= required)
    if len(long_enough):
        first = int(firsts[long_enough[0]])
        reached = int(np.searchsorted(tt, tt[first] + required, side="left"))
        sanitised_at, hot_from = temps[reached].t, temps[first].t
    longest = timedelta(microseconds=int(lengths.max())) if len(lengths) else timedelta(0)
    hot_since = temps[int(firsts[-1])].t if len(lasts) and lasts[-1] == n - 1 else None
    heated = np.flatnonzero(hot >= THERMOPHILIC_C)
    phase = "mesophilic"
    if len(heated):
        last_hot = float(hot[-1])
        if last_hot >= THERMOPHILIC_C:
            phase = "thermophilic"
        elif last_hot >= COOLING_C:
            phase = "cooling"
        else:
            phase = "curing"

    alerts: list[Alert] = []
    for level, limit in OVERHEAT:
        alerts += _episodes(temps, hot > limit, "overheat", level)
    wet = [r for r in readings if r.moisture_pct is not None]
    moisture = np.fromiter(map(_MOISTURE, wet), np.float64, len(wet))
    alerts += _episodes(wet, moisture < MOISTURE_LOW, "moisture_low", "warn")
    alerts += _episodes(wet, moisture > MOISTURE_HIGH, "moisture_high", "warn")
    for i in np.flatnonzero(np.diff(every) > gap_us).tolist():
        alerts.append(Alert("silent", "warn", readings[i].t, readings[i + 1].t))
    if now is not None and readings and now - readings[-1].t > max_gap:
        alerts.append(Alert("silent", "warn", readings[-1].t, None))
    if len(heated):
        alerts += _stalls(temps, tt, hot, gaps, int(tt[int(heated[0])]), sanitised_at)
    alerts.sort(key=lambda a: (a.start, a.kind, LEVEL_ORDER[a.level]))
    return Assessment(
        readings=len(readings),
        sanitised_at=sanitised_at,
        longest_hot=longest,
        hot_since=hot_since,
        phase=phase,
        alerts=alerts,
        hot_from=hot_from,
        last_t=readings[-1].t if readings else None,
    )


def at(
    verdict: Assessment, now: datetime | None, max_gap: timedelta = DEFAULT_MAX_GAP
) -> Assessment:
    """A verdict made without `now`, as `assess(..., now=now)` would give it.

    Only the periodic check's open `silent` alert depends on the clock, so a verdict may be
    kept while the readings stay the same and brought to the present when read.
    """
    if now is None or verdict.last_t is None or now - verdict.last_t <= max_gap:
        return verdict
    alerts = [*verdict.alerts, Alert("silent", "warn", verdict.last_t, None)]
    alerts.sort(key=lambda a: (a.start, a.kind, LEVEL_ORDER[a.level]))
    return replace(verdict, alerts=alerts)
