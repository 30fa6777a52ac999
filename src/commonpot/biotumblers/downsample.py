"""Downsampling for charts: fixed-width time buckets with min/avg/max per probe (pure)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from commonpot.biotumblers.readings import Reading

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


@dataclass(slots=True)
class Stat:
    """Minimum, mean and maximum of the values that fell in a bucket."""

    low: float
    high: float
    total: float
    count: int

    @property
    def mean(self) -> float:
        """The average of the bucket's values."""
        return self.total / self.count

    def add(self, value: float) -> None:
        """Count one more value."""
        self.low = min(self.low, value)
        self.high = max(self.high, value)
        self.total += value
        self.count += 1


@dataclass(slots=True)
class Bucket:
    """One time bucket: its start, per-probe temperatures, moisture, oxygen, turns."""

    start: datetime
    probes: dict[str, Stat] = field(default_factory=dict)
    moisture: Stat | None = None
    oxygen: Stat | None = None
    turned: bool = False
    count: int = 0  # how many readings fell in the bucket


def _add(stat: Stat | None, value: float) -> Stat:
    if stat is None:
        return Stat(value, value, value, 1)
    stat.add(value)
    return stat


def bucket_start(moment: datetime, width: timedelta) -> datetime:
    """The start of the bucket holding `moment` (buckets are aligned to the Unix epoch)."""
    step = int(width.total_seconds())
    seconds = int((moment - EPOCH).total_seconds())
    return EPOCH + timedelta(seconds=seconds - seconds % step)


def _merge(a: Stat | None, b: Stat | None) -> Stat | None:
    if a is None or b is None:
        return a if b is None else Stat(b.low, b.high, b.total, b.count)
    return Stat(min(a.low, b.low), max(a.high, b.high), a.total + b.total, a.count + b.count)


def downsample(readings: Sequence[Reading], width: timedelta) -> list[Bucket]:
    """Readings (any order) folded into buckets of `width`, in time order."""
    if width.total_seconds() < 1:
        raise ValueError("width: at least one second")
    step = int(width.total_seconds())
    found: dict[int, Bucket] = {}
    for r in readings:  # the hot loop of ingest: attribute lookups kept local
        seconds = int((r.t - EPOCH).total_seconds())
        start = seconds - seconds % step
        bucket = found.get(start)
        if bucket is None:
            bucket = found[start] = Bucket(EPOCH + timedelta(seconds=start))
        probes = bucket.probes
        for probe, value in r.temperature_c.items():
            stat = probes.get(probe)
            if stat is None:
                probes[probe] = Stat(value, value, value, 1)
            else:
                stat.add(value)
        if r.moisture_pct is not None:
            bucket.moisture = _add(bucket.moisture, r.moisture_pct)
        if r.oxygen_pct is not None:
            bucket.oxygen = _add(bucket.oxygen, r.oxygen_pct)
        if r.turned:
            bucket.turned = True
        bucket.count += 1
    return [found[k] for k in sorted(found)]


def coarsen(buckets: Sequence[Bucket], width: timedelta) -> list[Bucket]:
    """Narrow buckets merged into buckets of `width` (a multiple of theirs), in time order.

    Minimum, maximum, totals and counts add up exactly, so one pass over the readings
    serves every width.
    """
    found: dict[datetime, Bucket] = {}
    for b in buckets:
        start = bucket_start(b.start, width)
        wide = found.get(start)
        if wide is None:
            wide = found[start] = Bucket(start)
        for probe, stat in b.probes.items():
            wide.probes[probe] = _merge(wide.probes.get(probe), stat)  # type: ignore[assignment]
        wide.moisture = _merge(wide.moisture, b.moisture)
        wide.oxygen = _merge(wide.oxygen, b.oxygen)
        wide.turned = wide.turned or b.turned
        wide.count += b.count
    return [found[k] for k in sorted(found)]


def width_for(span: timedelta, points: int = 400) -> timedelta:
    """A bucket width (1 min, 5 min, 15 min, 1 h, 6 h or 1 day) giving at most ~`points`."""
    for minutes in (1, 5, 15, 60, 360, 1440):
        width = timedelta(minutes=minutes)
        if span / width <= points:
            return width
    return timedelta(days=1)
