"""Minute and hour rollups, kept up to date as readings arrive, and retention of raw readings.

New readings are merged into their buckets (min, max, count and the count-weighted mean
merge exactly): one read of the touched buckets and one write per width, however long the
hour already is. A reading that replaced a stored one (same device and `t`) cannot be
merged, so the hours holding replacements are recomputed from the raw readings.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import and_, delete, insert, or_, select, update
from sqlalchemy.orm import Session

from commonpot.biotumblers import readings
from commonpot.biotumblers.downsample import Bucket, bucket_start, coarsen, downsample
from commonpot.biotumblers.models import Biotumbler, Rollup
from commonpot.biotumblers.models import Reading as ReadingRow
from commonpot.db import utcnow
from commonpot.errors import Invalid

ROLLUP_WIDTHS = (60, 3600)  # one minute and one hour


def _buckets(found: Sequence[readings.Reading]) -> Iterable[tuple[int, Bucket]]:
    """(width, bucket) for every rollup width: one pass over the readings, then merges."""
    minutes = downsample(found, timedelta(seconds=ROLLUP_WIDTHS[0]))
    yield from ((ROLLUP_WIDTHS[0], b) for b in minutes)
    for width in ROLLUP_WIDTHS[1:]:
        yield from ((width, b) for b in coarsen(minutes, timedelta(seconds=width)))


HOUR = timedelta(hours=1)
RAW_DAYS = 90
ROLLUP_SPANS = 200  # conditions per OR, below SQLite's expression-depth limits

Touched = tuple[Biotumbler, Sequence[readings.Reading]]


def _chunks(items: Sequence[Any], size: int = ROLLUP_SPANS) -> Iterable[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


# one parameter whatever the number of devices: no OR of hundreds of conditions to build
POSTGRES_EXISTING = (
    "SELECT r.device_id, r.t FROM biotumbler_readings AS r "
    "JOIN json_to_recordset(%s::json) AS x(d int, lo timestamptz, hi timestamptz) "
    "ON r.device_id = x.d AND r.t >= x.lo AND r.t <= x.hi"
)
POSTGRES_STORED_ROLLUPS = (
    "SELECT r.id, r.device_id, r.width_s, r.start, r.probes, r.moisture_pct, r.moisture_n, "
    "r.oxygen_pct, r.oxygen_n, r.turned, r.readings FROM biotumbler_rollups AS r "
    "JOIN json_to_recordset(%s::json) AS x(d int, w int, lo timestamptz, hi timestamptz) "
    "ON r.device_id = x.d AND r.width_s = x.w AND r.start >= x.lo AND r.start <= x.hi"
)


def existing_times(session: Session, touched: Sequence[Touched]) -> dict[int, set[datetime]]:
    """The times of these readings that are stored already (they will be replaced)."""
    spans = [(d.id, min(r.t for r in new), max(r.t for r in new)) for d, new in touched if new]
    found: dict[int, set[datetime]] = {}
    if spans and session.get_bind().dialect.name == "postgresql":
        rows = [{"d": d, "lo": low.isoformat(), "hi": high.isoformat()} for d, low, high in spans]
        for device_id, t in session.connection().exec_driver_sql(
            POSTGRES_EXISTING, (json.dumps(rows),)
        ):
            found.setdefault(device_id, set()).add(t)
        return found
    for part in _chunks(spans):
        where = [
            and_(ReadingRow.device_id == d, ReadingRow.t >= low, ReadingRow.t <= high)
            for d, low, high in part
        ]
        query = select(ReadingRow.device_id, ReadingRow.t).where(or_(*where))
        for device_id, t in session.execute(query):
            found.setdefault(device_id, set()).add(t)
    return found


def _stat_row(bucket: Bucket) -> dict[str, Any]:
    return {
        "probes": {
            p: [stat.low, round(stat.mean, 3), stat.high, stat.count]
            for p, stat in bucket.probes.items()
        },
        "moisture_pct": None if bucket.moisture is None else bucket.moisture.mean,
        "moisture_n": 0 if bucket.moisture is None else bucket.moisture.count,
        "oxygen_pct": None if bucket.oxygen is None else bucket.oxygen.mean,
        "oxygen_n": 0 if bucket.oxygen is None else bucket.oxygen.count,
        "turned": bucket.turned,
        "readings": bucket.count,
    }


def _mean(a: float | None, an: int, b: float | None, bn: int) -> float | None:
    if a is None or an == 0:
        return b
    if b is None or bn == 0:
        return a
    return (a * an + b * bn) / (an + bn)


def merge(old: dict[str, Any], new: dict[str, Any]) -> dict[str, Any]:
    """Two rollups of disjoint readings in the same bucket as one (exact)."""
    probes = {p: list(v) for p, v in old["probes"].items()}
    for p, (low, mean, high, n) in new["probes"].items():
        if p in probes:
            o_low, o_mean, o_high, o_n = probes[p]
            total = o_n + n
            probes[p] = [
                min(o_low, low),
                round((o_mean * o_n + mean * n) / total, 3),
                max(o_high, high),
                total,
            ]
        else:
            probes[p] = [low, mean, high, n]
    return {
        "probes": probes,
        "moisture_pct": _mean(
            old["moisture_pct"], old["moisture_n"], new["moisture_pct"], new["moisture_n"]
        ),
        "moisture_n": old["moisture_n"] + new["moisture_n"],
        "oxygen_pct": _mean(old["oxygen_pct"], old["oxygen_n"], new["oxygen_pct"], new["oxygen_n"]),
        "oxygen_n": old["oxygen_n"] + new["oxygen_n"],
        "turned": old["turned"] or new["turned"],
        "readings": old["readings"] + new["readings"],
    }


def _of(row: Any) -> dict[str, Any]:
    return {
        "probes": row.probes,
        "moisture_pct": row.moisture_pct,
        # rows from before counts were kept: treat every reading as carrying the sensor
        "moisture_n": row.moisture_n or (row.readings if row.moisture_pct is not None else 0),
        "oxygen_pct": row.oxygen_pct,
        "oxygen_n": row.oxygen_n or (row.readings if row.oxygen_pct is not None else 0),
        "turned": row.turned,
        "readings": row.readings,
    }


def update_rollups(
    session: Session,
    touched: Sequence[Touched],
    replaced: dict[int, set[datetime]] | None = None,
) -> None:
    """Bring the minute and hour rollups up to date with these newly stored readings.

    `replaced` holds, per device, the times that were stored before (from `existing_times`);
    their hours are recomputed, every other bucket is merged with what it held.
    """
    replaced = replaced or {}
    dirty: list[tuple[Biotumbler, Sequence[datetime]]] = []
    clean: list[Touched] = []
    for device, new in touched:
        if not new:
            continue
        again = replaced.get(device.id, set())
        if not again:
            clean.append((device, new))
            continue
        hours = {bucket_start(t, HOUR) for t in again}
        dirty.append((device, [r.t for r in new if bucket_start(r.t, HOUR) in hours]))
        rest = [r for r in new if bucket_start(r.t, HOUR) not in hours]
        if rest:
            clean.append((device, rest))
    if dirty:
        refresh_rollups(session, dirty)
    if clean:
        _merge_into(session, clean)


def _stored_rollups(
    session: Session, spans: Sequence[tuple[int, int, datetime, datetime]]
) -> dict[tuple[int, int, datetime], Any]:
    """The stored rollups of these (device, width, first start, last time) spans, by key."""
    found: dict[tuple[int, int, datetime], Any] = {}
    if spans and session.get_bind().dialect.name == "postgresql":
        wanted = [
            {"d": d, "w": w, "lo": low.isoformat(), "hi": high.isoformat()}
            for d, w, low, high in spans
        ]
        result = session.connection().exec_driver_sql(
            POSTGRES_STORED_ROLLUPS, (json.dumps(wanted),)
        )
        for row in result:
            found[(row.device_id, row.width_s, row.start.astimezone(UTC))] = row
        return found
    columns = (
        Rollup.id, Rollup.device_id, Rollup.width_s, Rollup.start, Rollup.probes,
        Rollup.moisture_pct, Rollup.moisture_n, Rollup.oxygen_pct, Rollup.oxygen_n,
        Rollup.turned, Rollup.readings,
    )  # fmt: skip
    for part in _chunks(spans):
        where = [
            and_(
                Rollup.device_id == d,
                Rollup.width_s == w,
                Rollup.start >= low,
                Rollup.start <= high,
            )
            for d, w, low, high in part
        ]
        for row in session.execute(select(*columns).where(or_(*where))):
            found[(row.device_id, row.width_s, row.start)] = row
    return found


def _merge_into(session: Session, touched: Sequence[Touched]) -> None:
    fresh: dict[tuple[int, int, datetime], dict[str, Any]] = {}
    devices = {d.id: d for d, _ in touched}
    for device, new in touched:
        for width, bucket in _buckets(new):
            fresh[(device.id, width, bucket.start)] = _stat_row(bucket)
    spans = []
    for device, new in touched:
        first, last = min(r.t for r in new), max(r.t for r in new)
        for width in ROLLUP_WIDTHS:
            low = bucket_start(first, timedelta(seconds=width))
            spans.append((device.id, width, low, last))
    stored = {key: row for key, row in _stored_rollups(session, spans).items() if key in fresh}
    changes, additions = [], []
    for key, stats in fresh.items():
        old = stored.get(key)
        if old is not None:
            changes.append({"id": old.id, **merge(_of(old), stats)})
        else:
            device = devices[key[0]]
            additions.append(
                {
                    "community_id": device.community_id,
                    "device_id": device.id,
                    "width_s": key[1],
                    "start": key[2],
                    **stats,
                }
            )
    if session.get_bind().dialect.name == "postgresql":
        _write_postgres(session, changes, additions)
        return
    if changes:
        session.execute(update(Rollup), changes)
    if additions:
        session.execute(insert(Rollup), additions)


# every changed and new rollup of a batch in one statement and one round trip
POSTGRES_ROLLUPS = (
    "UPDATE biotumbler_rollups AS r SET probes = x.p, moisture_pct = x.m, moisture_n = x.mn, "
    "oxygen_pct = x.o, oxygen_n = x.n, turned = x.u, readings = x.r "
    "FROM json_to_recordset(%s::json) AS x(i int, p json, m float8, mn int, o float8, n int, "
    "u boolean, r int) WHERE r.id = x.i"
)
POSTGRES_NEW_ROLLUPS = (
    "INSERT INTO biotumbler_rollups (community_id, device_id, width_s, start, probes, "
    "moisture_pct, moisture_n, oxygen_pct, oxygen_n, turned, readings) "
    "SELECT x.c, x.d, x.w, x.s, x.p, x.m, x.mn, x.o, x.n, x.u, x.r "
    "FROM json_to_recordset(%s::json) AS x(c int, d int, w int, s timestamptz, p json, "
    "m float8, mn int, o float8, n int, u boolean, r int)"
)


def _short(row: dict[str, Any]) -> dict[str, Any]:
    return {
        "p": row["probes"],
        "m": row["moisture_pct"],
        "mn": row["moisture_n"],
        "o": row["oxygen_pct"],
        "n": row["oxygen_n"],
        "u": row["turned"],
        "r": row["readings"],
    }


def _write_postgres(
    session: Session, changes: list[dict[str, Any]], additions: list[dict[str, Any]]
) -> None:
    connection = session.connection()
    if changes:
        rows = [{"i": row["id"], **_short(row)} for row in changes]
        connection.exec_driver_sql(POSTGRES_ROLLUPS, (json.dumps(rows),))
    if additions:
        rows = [
            {
                "c": row["community_id"],
                "d": row["device_id"],
                "w": row["width_s"],
                "s": row["start"].isoformat(),
                **_short(row),
            }
            for row in additions
        ]
        connection.exec_driver_sql(POSTGRES_NEW_ROLLUPS, (json.dumps(rows),))


def _hour_ranges(times: Sequence[datetime]) -> list[tuple[datetime, datetime]]:
    """The touched hours, merged into ranges of consecutive hours."""
    ranges: list[tuple[datetime, datetime]] = []
    for start in sorted({bucket_start(t, HOUR) for t in times}):
        if ranges and ranges[-1][1] == start:
            ranges[-1] = (ranges[-1][0], start + HOUR)
        else:
            ranges.append((start, start + HOUR))
    return ranges


def refresh_rollups(
    session: Session, touched: Sequence[tuple[Biotumbler, Sequence[datetime]]]
) -> None:
    """Recompute from the raw readings the minute and hour rollups holding these times."""
    spans = [(device, low, high) for device, times in touched for low, high in _hour_ranges(times)]
    for part in _chunks(spans):
        _refresh(session, part)


def _refresh(session: Session, spans: Sequence[tuple[Biotumbler, datetime, datetime]]) -> None:
    raw = [
        and_(ReadingRow.device_id == d.id, ReadingRow.t >= low, ReadingRow.t < high)
        for d, low, high in spans
    ]
    query = select(
        ReadingRow.device_id,
        ReadingRow.t,
        ReadingRow.temperature_c,
        ReadingRow.moisture_pct,
        ReadingRow.oxygen_pct,
        ReadingRow.turned,
    ).where(or_(*raw))
    found: dict[int, list[readings.Reading]] = {}
    for device_id, t, temps, moisture, oxygen, turned in session.execute(query):
        found.setdefault(device_id, []).append(
            readings.Reading(t, dict(temps or {}), moisture, oxygen, bool(turned))
        )
    old = [
        and_(Rollup.device_id == d.id, Rollup.start >= low, Rollup.start < high)
        for d, low, high in spans
    ]
    session.execute(delete(Rollup).where(or_(*old)))
    devices = {d.id: d for d, _, _ in spans}
    rows = [
        {
            "community_id": devices[device_id].community_id,
            "device_id": device_id,
            "width_s": width,
            "start": bucket.start,
            **_stat_row(bucket),
        }
        for device_id, mine in found.items()
        for width, bucket in _buckets(mine)
    ]
    if rows:
        session.execute(insert(Rollup), rows)


def rollups(
    session: Session, device: Biotumbler, width_s: int, *, since: datetime | None = None
) -> list[Any]:
    """The device's rollups of one width, in time order (rows with the Rollup's columns).

    Plain rows, not ORM objects: a day of minutes is 1,440 of them on every chart.
    """
    query = select(
        Rollup.start,
        Rollup.width_s,
        Rollup.probes,
        Rollup.moisture_pct,
        Rollup.moisture_n,
        Rollup.oxygen_pct,
        Rollup.oxygen_n,
        Rollup.turned,
        Rollup.readings,
    ).where(Rollup.device_id == device.id, Rollup.width_s == width_s)
    if since is not None:
        query = query.where(Rollup.start >= bucket_start(since, timedelta(seconds=width_s)))
    return list(session.execute(query.order_by(Rollup.start)))


def prune_raw(session: Session, *, keep_days: int = RAW_DAYS, now: datetime | None = None) -> int:
    """Delete raw readings older than `keep_days` (rollups stay); how many went."""
    if keep_days < 1:
        raise Invalid("keep_days: at least 1", field="keep_days")
    cutoff = (now or utcnow()) - timedelta(days=keep_days)
    result = session.execute(delete(ReadingRow).where(ReadingRow.t < cutoff))
    gone = int(getattr(result, "rowcount", 0) or 0)
    if gone:  # what pages cached from the deleted readings is stale now
        session.execute(update(Biotumbler).values(revision=Biotumbler.revision + 1))
    return gone
