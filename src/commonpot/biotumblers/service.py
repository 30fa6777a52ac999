"""Biotumbler use cases: devices and tokens, batches, ingest (batched upserts), assessments."""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import and_, delete, func, insert, or_, select
from sqlalchemy.orm import Session

from commonpot.accounts import security
from commonpot.accounts.service import Viewer
from commonpot.biotumblers import assessment, readings
from commonpot.biotumblers.downsample import Bucket, bucket_start, downsample
from commonpot.biotumblers.models import Batch, Biotumbler, Rollup
from commonpot.biotumblers.models import Reading as ReadingRow
from commonpot.bus import queue_after_commit
from commonpot.communities import service as communities
from commonpot.communities.models import Community, Role
from commonpot.db import utcnow
from commonpot.errors import Conflict, Invalid, NotFound

TOKEN_PREFIX = "cpb_"  # noqa: S105 (a readable prefix, not a secret)
MAX_PROBES = 16
WRITE_CHUNK = 1000
STATES = ("ready", "lost")
ROLLUP_WIDTHS = (60, 3600)  # one minute and one hour
RAW_DAYS = 90
ROLLUP_SPANS = 200


def live_channel(community_id: int) -> str:
    """The bus channel carrying a community's biotumbler readings and alerts."""
    return f"biotumblers:{community_id}"


# --- access ---------------------------------------------------------------------------------


def is_steward(session: Session, community: Community, viewer: Viewer) -> bool:
    """Stewards (and instance admins) register devices and rotate their tokens."""
    if viewer.is_admin:
        return True
    found = communities.membership(session, community, viewer)
    return found is not None and found.role == Role.STEWARD.value


def require_steward(session: Session, community: Community, viewer: Viewer) -> None:
    """Only stewards (or admins) manage devices and batches."""
    if not viewer.is_admin:
        communities.require_role(session, community, viewer, Role.STEWARD)


def readable(session: Session, slug: str, viewer: Viewer) -> Community:
    """The community whose devices the viewer may see (NotFound when hidden)."""
    return communities.readable_community(session, slug, viewer)


def visible_devices(session: Session, community: Community, viewer: Viewer) -> list[Biotumbler]:
    """The one read helper: a public community's devices for anyone, a private one's for members."""
    if not communities.can_read(session, community, viewer):
        raise NotFound(f"No community '{community.slug}' here.")
    query = select(Biotumbler).where(Biotumbler.community_id == community.id)
    return list(session.scalars(query.order_by(Biotumbler.device)))


def get_device(session: Session, community: Community, viewer: Viewer, device: str) -> Biotumbler:
    """One visible device, or NotFound."""
    for found in visible_devices(session, community, viewer):
        if found.device == device:
            return found
    raise NotFound(f"No biotumbler '{device}' here.")


def device_for_token(session: Session, slug: str, device: str, token: str) -> Biotumbler:
    """The device a token belongs to; a wrong token is NotFound, as for an unknown device."""
    found = session.scalar(
        select(Biotumbler)
        .join(Community, Community.id == Biotumbler.community_id)
        .where(
            Community.slug == slug,
            Biotumbler.device == device,
            Biotumbler.token_hash == security.token_hash(token),
        )
    )
    if found is None:
        raise NotFound(f"No biotumbler '{device}' here.")
    return found


def device_by_topic(session: Session, slug: str, device: str) -> Biotumbler | None:
    """The device an MQTT topic names, or None (unknown community or device)."""
    return session.scalar(
        select(Biotumbler)
        .join(Community, Community.id == Biotumbler.community_id)
        .where(Community.slug == slug, Biotumbler.device == device)
    )


# --- devices --------------------------------------------------------------------------------


def _probes(probes: Sequence[dict[str, Any]]) -> list[dict[str, str]]:
    out: list[dict[str, str]] = []
    if len(probes) > MAX_PROBES:
        raise Invalid(f"probes: at most {MAX_PROBES}", field="probes")
    for i, probe in enumerate(probes):
        name = str(probe.get("name", "")).strip()
        if readings.PROBE.fullmatch(name) is None:
            raise Invalid(
                f"probes[{i}].name: must match [a-z0-9_]{{1,32}}", field=f"probes[{i}].name"
            )
        position = str(probe.get("position", "")).strip()
        if len(position) > 120:
            raise Invalid(
                f"probes[{i}].position: at most 120 characters", field=f"probes[{i}].position"
            )
        if any(p["name"] == name for p in out):
            raise Invalid(f"probes[{i}].name: '{name}' appears twice", field=f"probes[{i}].name")
        out.append({"name": name, "position": position})
    return out


def _place(lat: float | None, lon: float | None) -> None:
    if (lat is None) != (lon is None):
        raise Invalid("lat: give both lat and lon, or neither", field="lat")
    if lat is not None and not (math.isfinite(lat) and -90 <= lat <= 90):
        raise Invalid("lat: must be between -90 and 90", field="lat")
    if lon is not None and not (math.isfinite(lon) and -180 <= lon <= 180):
        raise Invalid("lon: must be between -180 and 180", field="lon")


def register_device(
    session: Session,
    community: Community,
    viewer: Viewer,
    *,
    device: str,
    name: str = "",
    lat: float | None = None,
    lon: float | None = None,
    probes: Sequence[dict[str, Any]] = (),
) -> tuple[Biotumbler, str]:
    """A steward registers a biotumbler; the ingest token is returned once, stored hashed."""
    require_steward(session, community, viewer)
    device = device.strip()
    if not readings.is_device_id(device):
        raise Invalid("device: must match [a-z0-9][a-z0-9-]{0,63}", field="device")
    name = name.strip() or device
    if len(name) > 120:
        raise Invalid("name: at most 120 characters", field="name")
    _place(lat, lon)
    clean = _probes(probes)
    taken = session.scalar(
        select(Biotumbler.id).where(
            Biotumbler.community_id == community.id, Biotumbler.device == device
        )
    )
    if taken is not None:
        raise Conflict(f"device: '{device}' is already registered here", field="device")
    token = security.new_token(TOKEN_PREFIX)
    found = Biotumbler(
        community_id=community.id,
        device=device,
        name=name,
        lat=lat,
        lon=lon,
        probes=clean,
        token_hash=security.token_hash(token),
    )
    session.add(found)
    session.flush()
    return found, token


def rotate_token(session: Session, community: Community, viewer: Viewer, device: str) -> str:
    """A new ingest token for the device (the old one stops working at once)."""
    found = get_device(session, community, viewer, device)
    require_steward(session, community, viewer)
    token = security.new_token(TOKEN_PREFIX)
    found.token_hash = security.token_hash(token)
    session.flush()
    return token


def delete_device(session: Session, community: Community, viewer: Viewer, device: str) -> None:
    """A steward removes a device with its batches and readings."""
    found = get_device(session, community, viewer, device)
    require_steward(session, community, viewer)
    session.execute(delete(ReadingRow).where(ReadingRow.device_id == found.id))
    session.execute(delete(Rollup).where(Rollup.device_id == found.id))
    session.execute(delete(Batch).where(Batch.device_id == found.id))
    session.delete(found)
    session.flush()


# --- batches --------------------------------------------------------------------------------


def _kg(value: float, field: str) -> float:
    if not (math.isfinite(value) and 0 <= value <= 100_000):
        raise Invalid(f"{field}: must be from 0 to 100000 kg", field=field)
    return value


def batches(session: Session, device: Biotumbler) -> list[Batch]:
    """A device's batches, newest first."""
    query = select(Batch).where(Batch.device_id == device.id)
    return list(session.scalars(query.order_by(Batch.started_at.desc())))


def current_batch(session: Session, device: Biotumbler) -> Batch | None:
    """The batch in the drum now, if any."""
    query = select(Batch).where(Batch.device_id == device.id, Batch.ended_at.is_(None))
    return session.scalar(query.order_by(Batch.started_at.desc()).limit(1))


def start_batch(
    session: Session,
    community: Community,
    viewer: Viewer,
    device: str,
    *,
    started_at: datetime | None = None,
    kitchen_kg: float = 0.0,
    garden_kg: float = 0.0,
    browns_kg: float = 0.0,
    note: str = "",
) -> Batch:
    """A steward fills the drum: a new batch (one open batch per device)."""
    found = get_device(session, community, viewer, device)
    require_steward(session, community, viewer)
    if current_batch(session, found) is not None:
        raise Conflict("batch: end the current batch (empty the drum) first", field="batch")
    if len(note) > 300:
        raise Invalid("note: at most 300 characters", field="note")
    batch = Batch(
        community_id=community.id,
        device_id=found.id,
        started_at=started_at or utcnow(),
        kitchen_kg=_kg(kitchen_kg, "kitchen_kg"),
        garden_kg=_kg(garden_kg, "garden_kg"),
        browns_kg=_kg(browns_kg, "browns_kg"),
        note=note.strip(),
    )
    session.add(batch)
    session.flush()
    return batch


def end_batch(
    session: Session,
    community: Community,
    viewer: Viewer,
    device: str,
    *,
    ended_at: datetime | None = None,
) -> Batch:
    """A steward empties the drum: the open batch ends."""
    found = get_device(session, community, viewer, device)
    require_steward(session, community, viewer)
    batch = current_batch(session, found)
    if batch is None:
        raise Conflict("batch: no batch is in the drum", field="batch")
    end = ended_at or utcnow()
    if end <= batch.started_at:
        raise Invalid("ended_at: must be after the batch started", field="ended_at")
    batch.ended_at = end
    session.flush()
    return batch


# --- ingest ---------------------------------------------------------------------------------


@dataclass
class IngestResult:
    """What happened to one message: how many readings were stored, which were rejected."""

    accepted: int = 0
    rejected: list[readings.Rejection] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        """The spec's answer: `{"accepted": n, "rejected": [{"index", "reason"}]}`."""
        return {
            "accepted": self.accepted,
            "rejected": [{"index": r.index, "reason": r.reason} for r in self.rejected],
        }


SQLITE_UPSERT = (
    "INSERT INTO biotumbler_readings "
    "(community_id, device_id, t, temperature_c, moisture_pct, oxygen_pct, turned) "
    "VALUES (?, ?, ?, ?, ?, ?, ?) "
    "ON CONFLICT (device_id, t) DO UPDATE SET temperature_c = excluded.temperature_c, "
    "moisture_pct = excluded.moisture_pct, oxygen_pct = excluded.oxygen_pct, "
    "turned = excluded.turned"
)
# one statement and one JSON parameter per chunk: nothing to compile or escape per row
POSTGRES_UPSERT = (
    "INSERT INTO biotumbler_readings "
    "(community_id, device_id, t, temperature_c, moisture_pct, oxygen_pct, turned) "
    "SELECT %s, %s, x.t, x.j, x.m, x.o, x.u FROM json_to_recordset(%s::json) "
    "AS x(t timestamptz, j json, m float8, o float8, u boolean) "
    "ON CONFLICT (device_id, t) DO UPDATE SET temperature_c = excluded.temperature_c, "
    "moisture_pct = excluded.moisture_pct, oxygen_pct = excluded.oxygen_pct, "
    "turned = excluded.turned"
)


def _upsert(session: Session, device: Biotumbler, found: Sequence[readings.Reading]) -> None:
    """INSERT ... ON CONFLICT (device_id, t) DO UPDATE in chunks, on SQLite or PostgreSQL.

    The statement is written for each driver (executemany on SQLite, arrays on PostgreSQL):
    the ORM's per-row parameter processing costs more than the database's work here.
    """
    connection = session.connection()
    postgres = connection.dialect.name == "postgresql"
    for start in range(0, len(found), WRITE_CHUNK):
        chunk = found[start : start + WRITE_CHUNK]
        if postgres:
            batch = [
                {
                    "t": r.t.isoformat(),
                    "j": r.temperature_c,
                    "m": r.moisture_pct,
                    "o": r.oxygen_pct,
                    "u": r.turned,
                }
                for r in chunk
            ]
            connection.exec_driver_sql(
                POSTGRES_UPSERT, (device.community_id, device.id, json.dumps(batch))
            )
        else:
            rows = [
                (
                    device.community_id,
                    device.id,
                    # the text form SQLAlchemy's SQLite DateTime writes (UTC, no offset)
                    r.t.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f"),
                    json.dumps(r.temperature_c),
                    r.moisture_pct,
                    r.oxygen_pct,
                    int(r.turned),
                )
                for r in chunk
            ]
            connection.exec_driver_sql(SQLITE_UPSERT, rows)


def lock_devices(session: Session, ids: Sequence[int]) -> None:
    """Row-lock devices in id order (PostgreSQL) so writers of one device queue, no deadlock.

    Rollups are recomputed by delete-and-insert; two writers of the same hour must not
    interleave. SQLite's BEGIN IMMEDIATE already lets one writer in at a time.
    """
    if ids and session.get_bind().dialect.name == "postgresql":
        query = select(Biotumbler.id).where(Biotumbler.id.in_(sorted(set(ids))))
        session.execute(query.order_by(Biotumbler.id).with_for_update())


def store(
    session: Session,
    device: Biotumbler,
    good: Sequence[readings.Reading],
    rejected: Sequence[readings.Rejection] = (),
    *,
    live: bool = True,
    rollup: bool = True,
) -> IngestResult:
    """Store validated readings (upsert on device and time) and count the rejected ones."""
    unique = readings.latest_per_time(good)
    if unique:
        lock_devices(session, [device.id])
        _upsert(session, device, unique)
        if rollup:
            refresh_rollups(session, [(device, [r.t for r in unique])])
        newest = unique[-1].t
        if device.last_reading_at is None or newest > device.last_reading_at:
            device.last_reading_at = newest
    if rejected:
        device.rejected += len(rejected)
        device.last_rejection = rejected[-1].reason[:300]
    session.flush()
    if live and unique:
        channel = live_channel(device.community_id)
        queue_after_commit(
            session,
            channel,
            {
                "type": "biotumbler.readings",
                "device": device.device,
                "readings": [readings.to_json(r) for r in unique[-500:]],
            },
        )
        for alert in opened_alerts(session, device, unique):
            queue_after_commit(
                session,
                channel,
                {"type": "biotumbler.alert", "device": device.device, **alert.to_json()},
            )
    return IngestResult(accepted=len(good), rejected=list(rejected))


def _hour_ranges(times: Sequence[datetime]) -> list[tuple[datetime, datetime]]:
    """The touched hours, merged into ranges of consecutive hours."""
    hour = timedelta(hours=1)
    ranges: list[tuple[datetime, datetime]] = []
    for start in sorted({bucket_start(t, hour) for t in times}):
        if ranges and ranges[-1][1] == start:
            ranges[-1] = (ranges[-1][0], start + hour)
        else:
            ranges.append((start, start + hour))
    return ranges


def _rollup_row(device: Biotumbler, width: int, bucket: Bucket) -> dict[str, Any]:
    counts = [stat.count for stat in bucket.probes.values()]
    counts += [bucket.moisture.count if bucket.moisture else 0]
    counts += [bucket.oxygen.count if bucket.oxygen else 0]
    return {
        "community_id": device.community_id,
        "device_id": device.id,
        "width_s": width,
        "start": bucket.start,
        "probes": {
            p: [stat.low, round(stat.mean, 3), stat.high, stat.count]
            for p, stat in bucket.probes.items()
        },
        "moisture_pct": None if bucket.moisture is None else bucket.moisture.mean,
        "oxygen_pct": None if bucket.oxygen is None else bucket.oxygen.mean,
        "turned": bucket.turned,
        "readings": max(counts),
    }


def refresh_rollups(
    session: Session, touched: Sequence[tuple[Biotumbler, Sequence[datetime]]]
) -> None:
    """Recompute the minute and hour rollups holding these times (late readings included).

    Three statements whatever the number of devices: read the touched hours' readings,
    delete their rollups, insert the recomputed ones.
    """
    spans = [(device, low, high) for device, times in touched for low, high in _hour_ranges(times)]
    for start in range(0, len(spans), ROLLUP_SPANS):  # keeps each OR below SQLite's limits
        _refresh(session, spans[start : start + ROLLUP_SPANS])


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
        _rollup_row(devices[device_id], width, bucket)
        for device_id, mine in found.items()
        for width in ROLLUP_WIDTHS
        for bucket in downsample(mine, timedelta(seconds=width))
    ]
    if rows:
        session.execute(insert(Rollup), rows)


def rollups(
    session: Session, device: Biotumbler, width_s: int, *, since: datetime | None = None
) -> list[Rollup]:
    """The device's rollups of one width, in time order."""
    query = select(Rollup).where(Rollup.device_id == device.id, Rollup.width_s == width_s)
    if since is not None:
        query = query.where(Rollup.start >= bucket_start(since, timedelta(seconds=width_s)))
    return list(session.scalars(query.order_by(Rollup.start)))


def prune_raw(session: Session, *, keep_days: int = RAW_DAYS, now: datetime | None = None) -> int:
    """Delete raw readings older than `keep_days` (rollups stay); how many went."""
    if keep_days < 1:
        raise Invalid("keep_days: at least 1", field="keep_days")
    cutoff = (now or utcnow()) - timedelta(days=keep_days)
    result = session.execute(delete(ReadingRow).where(ReadingRow.t < cutoff))
    return int(getattr(result, "rowcount", 0) or 0)


def opened_alerts(
    session: Session, device: Biotumbler, new: Sequence[readings.Reading]
) -> list[assessment.Alert]:
    """Alert episodes (overheat, moisture) that the new readings open and that still hold.

    The same engine decides, over the reading stored just before the new ones plus the new
    ones; stalls and silences need the longer history and are judged on the pages.
    """
    before = session.execute(
        select(
            ReadingRow.t,
            ReadingRow.temperature_c,
            ReadingRow.moisture_pct,
            ReadingRow.oxygen_pct,
            ReadingRow.turned,
        )
        .where(ReadingRow.device_id == device.id, ReadingRow.t < new[0].t)
        .order_by(ReadingRow.t.desc())
        .limit(1)
    ).first()
    history = list(new)
    if before is not None:
        t, temps, moisture, oxygen, turned = before
        history.insert(0, readings.Reading(t, dict(temps or {}), moisture, oxygen, bool(turned)))
    verdict = assessment.assess(history)
    return [
        a
        for a in verdict.alerts
        if a.end is None and a.start >= new[0].t and a.kind not in {"stalled", "silent"}
    ]


def ingest(session: Session, device: Biotumbler, payload: Any) -> IngestResult:
    """Validate a message (one reading or an array) and store the good readings."""
    try:
        good, bad = readings.parse_message(payload)
    except readings.BadReading as exc:
        raise Invalid(str(exc), field="body") from None
    return store(session, device, good, bad)


def set_state(session: Session, device: Biotumbler, state: str) -> None:
    """Record the device's MQTT `$state` (`ready` or `lost`)."""
    if state not in STATES:
        raise Invalid("state: must be ready or lost", field="state")
    if device.mqtt_state != state:
        device.mqtt_state = state
        device.mqtt_state_at = utcnow()
        queue_after_commit(
            session,
            live_channel(device.community_id),
            {"type": "biotumbler.state", "device": device.device, "state": state},
        )
    session.flush()


# --- reads ----------------------------------------------------------------------------------


def reading_count(session: Session, device: Biotumbler) -> int:
    """How many readings of the device are stored."""
    query = select(func.count()).select_from(ReadingRow).where(ReadingRow.device_id == device.id)
    return int(session.scalar(query) or 0)


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


def assess_device(
    session: Session,
    device: Biotumbler,
    *,
    batch: Batch | None = None,
    now: datetime | None = None,
    max_gap: timedelta = assessment.DEFAULT_MAX_GAP,
) -> assessment.Assessment:
    """The spec's assessment of a device's readings (or of one batch's)."""
    if batch is None:
        found = stored_readings(session, device)
    else:
        found = stored_readings(session, device, since=batch.started_at, until=batch.ended_at)
        if batch.ended_at is not None:
            now = None
    return assessment.assess(found, max_gap=max_gap, now=now)


def device_summary(session: Session, device: Biotumbler) -> dict[str, Any]:
    """The API's view of a device: its registration, state and the spec's assessment keys."""
    verdict = assess_device(session, device)
    return {
        "device": device.device,
        "name": device.name,
        "lat": device.lat,
        "lon": device.lon,
        "probes": device.probes,
        "mqtt_state": device.mqtt_state,
        "last_reading_at": (
            None if device.last_reading_at is None else readings.format_time(device.last_reading_at)
        ),
        **verdict.to_json(rejected=device.rejected),
    }
