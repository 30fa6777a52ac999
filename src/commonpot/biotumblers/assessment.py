"""The sanitisation assessment of the telemetry spec (US EPA 40 CFR 503 PFRP, in-vessel).

Pure: readings in, verdict out. Every page, alert, API answer and `biotumbler assess` uses it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from itertools import pairwise
from typing import Any

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


def _episodes(
    readings: Sequence[Reading],
    kind: str,
    level: str,
    meets: Callable[[Reading], bool],
) -> list[Alert]:
    """Longest runs of consecutive readings meeting the condition (readings of one kind)."""
    found: list[Alert] = []
    start: datetime | None = None
    for r in readings:
        if meets(r):
            if start is None:
                start = r.t
        elif start is not None:
            found.append(Alert(kind, level, start, r.t))
            start = None
    if start is not None:
        found.append(Alert(kind, level, start, None))
    return found


def _hot_runs(temps: Sequence[Reading], max_gap: timedelta) -> list[tuple[int, int]]:
    """Index ranges [first, last] of hot runs (cold ≥ 55 °C, no gap over max_gap)."""
    runs: list[tuple[int, int]] = []
    first = -1
    for i, r in enumerate(temps):
        cold = r.cold
        hot = cold is not None and cold >= SANITISING_C
        if hot and first >= 0 and r.t - temps[i - 1].t > max_gap:
            runs.append((first, i - 1))
            first = i
        elif hot and first < 0:
            first = i
        elif not hot and first >= 0:
            runs.append((first, i - 1))
            first = -1
    if first >= 0:
        runs.append((first, len(temps) - 1))
    return runs


def _stalls(
    temps: Sequence[Reading],
    max_gap: timedelta,
    heated_at: datetime | None,
    sanitised_at: datetime | None,
) -> list[Alert]:
    """Episodes of hot < 40 °C lasting ≥ 48 h after the pile first heated, before sanitising."""
    found: list[Alert] = []
    if heated_at is None:
        return found

    def close(first: int, last: int, end: datetime | None) -> None:
        start = temps[first].t
        if temps[last].t - start < STALL_FOR or start <= heated_at:
            return
        if sanitised_at is not None and start >= sanitised_at:
            return
        found.append(Alert("stalled", "alarm", start, end))

    first = -1
    for i, r in enumerate(temps):
        stalled = (r.hot or 0.0) < STALL_C
        if first >= 0 and r.t - temps[i - 1].t > max_gap:
            close(first, i - 1, r.t)
            first = i if stalled else -1
        elif stalled and first < 0:
            first = i
        elif not stalled and first >= 0:
            close(first, i - 1, r.t)
            first = -1
    if first >= 0:
        close(first, len(temps) - 1, None)
    return found


def _hotter_than(limit: float) -> Callable[[Reading], bool]:
    return lambda r: (r.hot or 0.0) > limit


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
    temps = [r for r in readings if r.temperature_c]
    runs = _hot_runs(temps, max_gap)
    sanitised_at: datetime | None = None
    hot_from: datetime | None = None
    longest = timedelta(0)
    for first, last in runs:
        length = temps[last].t - temps[first].t
        longest = max(longest, length)
        if sanitised_at is None and length >= REQUIRED:
            start = temps[first].t
            reached = next(r.t for r in temps[first : last + 1] if r.t - start >= REQUIRED)
            sanitised_at, hot_from = reached, start
    hot_since = None
    if runs and temps and runs[-1][1] == len(temps) - 1:
        hot_since = temps[runs[-1][0]].t
    heated_at = next((r.t for r in temps if (r.hot or 0.0) >= THERMOPHILIC_C), None)
    phase = "mesophilic"
    if heated_at is not None:
        last_hot = temps[-1].hot or 0.0
        if last_hot >= THERMOPHILIC_C:
            phase = "thermophilic"
        elif last_hot >= COOLING_C:
            phase = "cooling"
        else:
            phase = "curing"

    alerts: list[Alert] = []
    for level, limit in OVERHEAT:
        alerts += _episodes(temps, "overheat", level, _hotter_than(limit))
    wet = [r for r in readings if r.moisture_pct is not None]
    alerts += _episodes(wet, "moisture_low", "warn", lambda r: (r.moisture_pct or 0) < MOISTURE_LOW)
    alerts += _episodes(
        wet, "moisture_high", "warn", lambda r: (r.moisture_pct or 0) > MOISTURE_HIGH
    )
    for before, after in pairwise(readings):
        if after.t - before.t > max_gap:
            alerts.append(Alert("silent", "warn", before.t, after.t))
    if now is not None and readings and now - readings[-1].t > max_gap:
        alerts.append(Alert("silent", "warn", readings[-1].t, None))
    alerts += _stalls(temps, max_gap, heated_at, sanitised_at)
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
