"""Stored readings and the verdicts kept for ended batches.

An ended batch's assessment is kept on the batch: pages and the API read it instead of the
batch's readings, and it outlives raw-reading retention. Readings that arrive later for its
time (a device's backlog, a replaced reading) judge it again in the same transaction.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any, TypeVar, cast

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from commonpot.biotumblers import assessment, readings
from commonpot.biotumblers.models import Batch, Biotumbler
from commonpot.biotumblers.models import Reading as ReadingRow

T = TypeVar("T")
KEPT_VERSION = 1
CACHED = 512  # verdicts of open batches and whole devices kept in this process


class _Cache:
    """Verdicts by (device, batch, revision): a write of readings bumps the revision."""

    def __init__(self, size: int) -> None:
        self.size = size
        self.found: OrderedDict[tuple[Any, ...], Any] = OrderedDict()
        self.lock = threading.Lock()

    def get(self, key: tuple[Any, ...]) -> Any:
        with self.lock:
            value = self.found.get(key)
            if value is not None:
                self.found.move_to_end(key)
            return value

    def put(self, key: tuple[Any, ...], value: Any) -> None:
        with self.lock:
            self.found[key] = value
            while len(self.found) > self.size:
                self.found.popitem(last=False)


_cache = _Cache(CACHED)


def _key(device: Biotumbler, *more: Any) -> tuple[Any, ...]:
    # the token hash tells apart devices of different databases that share an id
    return (device.token_hash, device.id, device.revision, *more)


def remembered(device: Biotumbler, key: tuple[Any, ...], compute: Callable[[], T]) -> T:
    """What `compute` gives for the device's readings as they are now, kept until its next write.

    For views built from its readings or rollups (a chart over a window): every write of
    readings, rollups or retention bumps the device's revision, so a kept value is never stale.
    """
    full = _key(device, *key)
    found = _cache.get(full)
    if found is None:
        found = compute()
        _cache.put(full, found)
    return cast(T, found)


def stored_readings(
    session: Session,
    device: Biotumbler,
    *,
    since: datetime | None = None,
    until: datetime | None = None,
) -> list[readings.Reading]:
    """The device's readings in order of time, optionally within [since, until)."""
    query = select(
        ReadingRow.t,
        ReadingRow.temperature_c,
        ReadingRow.moisture_pct,
        ReadingRow.oxygen_pct,
        ReadingRow.turned,
    ).where(ReadingRow.device_id == device.id)
    if since is not None:
        query = query.where(ReadingRow.t >= since)
    if until is not None:
        query = query.where(ReadingRow.t < until)
    return [
        readings.Reading(t, dict(temps or {}), moisture, oxygen, bool(turned))
        for t, temps, moisture, oxygen, turned in session.execute(query.order_by(ReadingRow.t))
    ]


def _time(value: datetime | None) -> str | None:
    return None if value is None else value.isoformat()


def _parse(value: str | None) -> datetime | None:
    return None if value is None else datetime.fromisoformat(value)


def to_kept(verdict: assessment.Assessment) -> dict[str, Any]:
    """An assessment as JSON, exactly (microsecond times), to keep on its batch."""
    return {
        "v": KEPT_VERSION,
        "readings": verdict.readings,
        "sanitised_at": _time(verdict.sanitised_at),
        "longest_hot_us": verdict.longest_hot // timedelta(microseconds=1),
        "hot_since": _time(verdict.hot_since),
        "phase": verdict.phase,
        "alerts": [[a.kind, a.level, _time(a.start), _time(a.end)] for a in verdict.alerts],
        "hot_from": _time(verdict.hot_from),
        "last_t": _time(verdict.last_t),
    }


def from_kept(kept: dict[str, Any]) -> assessment.Assessment:
    """The assessment kept by `to_kept`."""
    return assessment.Assessment(
        readings=int(kept["readings"]),
        sanitised_at=_parse(kept["sanitised_at"]),
        longest_hot=timedelta(microseconds=int(kept["longest_hot_us"])),
        hot_since=_parse(kept["hot_since"]),
        phase=str(kept["phase"]),
        alerts=[
            assessment.Alert(kind, level, _parse(start), _parse(end))  # type: ignore[arg-type]
            for kind, level, start, end in kept["alerts"]
        ],
        hot_from=_parse(kept["hot_from"]),
        last_t=_parse(kept["last_t"]),
    )


def judge(
    session: Session,
    device: Biotumbler,
    *,
    batch: Batch | None = None,
    now: datetime | None = None,
    max_gap: timedelta = assessment.DEFAULT_MAX_GAP,
) -> assessment.Assessment:
    """The spec's assessment of a device's readings (or of one batch's; kept once it ended)."""
    if batch is None or batch.ended_at is None:
        since = None if batch is None else batch.started_at
        key = _key(device, "verdict", since, max_gap)
        verdict = _cache.get(key)
        if verdict is None:
            found = stored_readings(session, device, since=since)
            verdict = assessment.assess(found, max_gap=max_gap)
            _cache.put(key, verdict)
        return assessment.at(verdict, now, max_gap)
    default_gap = max_gap == assessment.DEFAULT_MAX_GAP
    if default_gap and batch.verdict and batch.verdict.get("v") == KEPT_VERSION:
        return from_kept(batch.verdict)
    found = stored_readings(session, device, since=batch.started_at, until=batch.ended_at)
    return assessment.assess(found, max_gap=max_gap)


def seal(session: Session, device: Biotumbler, batch: Batch) -> assessment.Assessment:
    """Judge an ended batch from its readings and keep the verdict on it."""
    assert batch.ended_at is not None
    found = stored_readings(session, device, since=batch.started_at, until=batch.ended_at)
    verdict = assessment.assess(found)
    batch.verdict = to_kept(verdict)
    if device.sealed_until is None or batch.ended_at > device.sealed_until:
        device.sealed_until = batch.ended_at
    return verdict


def reseal(session: Session, device: Biotumbler, earliest: datetime) -> int:
    """Judge again the ended batches that readings from `earliest` on may change; how many."""
    if device.sealed_until is None or earliest >= device.sealed_until:
        return 0
    query = select(Batch).where(
        Batch.device_id == device.id, Batch.ended_at.is_not(None), Batch.ended_at > earliest
    )
    found = list(session.scalars(query))
    for batch in found:
        seal(session, device, batch)
    return len(found)


def reading_count(session: Session, device: Biotumbler) -> int:
    """How many readings of the device are stored (kept until its next write)."""
    key = _key(device, "count")
    found = _cache.get(key)
    if found is None:
        query = (
            select(func.count()).select_from(ReadingRow).where(ReadingRow.device_id == device.id)
        )
        found = int(session.scalar(query) or 0)
        _cache.put(key, found)
    return int(found)
