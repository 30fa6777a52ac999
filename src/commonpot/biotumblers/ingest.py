"""Ingest: validated readings stored in batched upserts, rollups merged, episodes followed.

Readings from unknown devices are never stored; they are counted per community and device
id (`UnknownDevice`) so that stewards see a misconfigured drum.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from commonpot.biotumblers import alerts, readings, rollups, verdicts
from commonpot.biotumblers.models import Biotumbler, UnknownDevice
from commonpot.biotumblers.service import STATES, live_channel, lock_devices
from commonpot.bus import queue_after_commit
from commonpot.communities import Community
from commonpot.db import utcnow
from commonpot.errors import Invalid

WRITE_CHUNK = 5000
MAX_UNKNOWN = 100  # distinct unknown ids kept per community; the rest count under OTHER
OTHER = "*"


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
# one statement and one JSON parameter per chunk (of any number of devices): nothing to
# compile or escape per row, one round trip
POSTGRES_UPSERT = (
    "INSERT INTO biotumbler_readings "
    "(community_id, device_id, t, temperature_c, moisture_pct, oxygen_pct, turned) "
    "SELECT x.c, x.d, x.t, x.j, x.m, x.o, x.u FROM json_to_recordset(%s::json) "
    "AS x(c int, d int, t timestamptz, j json, m float8, o float8, u boolean) "
    "ON CONFLICT (device_id, t) DO UPDATE SET temperature_c = excluded.temperature_c, "
    "moisture_pct = excluded.moisture_pct, oxygen_pct = excluded.oxygen_pct, "
    "turned = excluded.turned"
)


def _upsert(
    session: Session, found: Sequence[tuple[Biotumbler, Sequence[readings.Reading]]]
) -> None:
    """INSERT ... ON CONFLICT (device_id, t) DO UPDATE for several devices, in chunks.

    The statement is written for each driver (executemany on SQLite, one JSON array per
    chunk on PostgreSQL): the ORM's per-row parameter processing costs more than the
    database's work here.
    """
    connection = session.connection()
    if connection.dialect.name == "postgresql":
        rows = [
            {
                "c": device.community_id,
                "d": device.id,
                "t": r.t.isoformat(),
                "j": r.temperature_c,
                "m": r.moisture_pct,
                "o": r.oxygen_pct,
                "u": r.turned,
            }
            for device, mine in found
            for r in mine
        ]
        for start in range(0, len(rows), WRITE_CHUNK):
            connection.exec_driver_sql(
                POSTGRES_UPSERT, (json.dumps(rows[start : start + WRITE_CHUNK]),)
            )
        return
    flat = [
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
        for device, mine in found
        for r in mine
    ]
    for start in range(0, len(flat), WRITE_CHUNK):
        connection.exec_driver_sql(SQLITE_UPSERT, flat[start : start + WRITE_CHUNK])


def _advance(session: Session, touched: Sequence[tuple[Biotumbler, datetime]]) -> None:
    """Each written device: `revision` up by one, `last_reading_at` forward; one statement."""
    if not touched:
        return
    connection = session.connection()
    if connection.dialect.name == "postgresql":
        moved = [{"i": device.id, "t": t.isoformat()} for device, t in touched]
        connection.exec_driver_sql(POSTGRES_ADVANCE, (json.dumps(moved),))
    else:
        rows = []
        for device, t in touched:
            text = t.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
            rows.append((text, text, device.id))
        connection.exec_driver_sql(SQLITE_ADVANCE, rows)
    for device, t in touched:  # what the database now holds, without another UPDATE
        set_committed_value(device, "revision", (device.revision or 0) + 1)
        if device.last_reading_at is None or t > device.last_reading_at:
            set_committed_value(device, "last_reading_at", t)


SQLITE_ADVANCE = (
    "UPDATE biotumbler_devices SET revision = revision + 1, last_reading_at = "
    "CASE WHEN last_reading_at IS NULL OR last_reading_at < ? THEN ? ELSE last_reading_at END "
    "WHERE id = ?"
)
POSTGRES_ADVANCE = (
    "UPDATE biotumbler_devices AS d SET revision = d.revision + 1, last_reading_at = "
    "GREATEST(d.last_reading_at, x.t) "
    "FROM json_to_recordset(%s::json) AS x(i int, t timestamptz) WHERE d.id = x.i"
)


# One device's share of a batch: the device, its good readings, its rejected ones.
Arrived = tuple[Biotumbler, Sequence[readings.Reading], Sequence[readings.Rejection]]


def store_many(
    session: Session,
    arrived: Sequence[Arrived],
    *,
    live: bool = True,
    notify: bool = True,
) -> list[IngestResult]:
    """Store several devices' readings in one transaction: upserts, rollups, alert episodes.

    Rollups and episodes take one round of queries for all the devices together.
    """
    items = [(d, readings.latest_per_time(good), bad) for d, good, bad in arrived]
    lock_devices(session, [d.id for d, unique, _ in items if unique])
    touched = [(d, unique) for d, unique, _ in items if unique]
    replaced = rollups.existing_times(session, touched)
    _upsert(session, touched)
    arrivals: list[alerts.Arrival] = []
    newest: list[tuple[Biotumbler, datetime]] = []
    for device, unique, bad in items:
        if unique:
            arrivals.append((device, unique, device.last_reading_at))
            newest.append((device, unique[-1].t))
        if bad:
            device.rejected += len(bad)
            device.last_rejection = bad[-1].reason[:300]
    _advance(session, newest)
    rollups.update_rollups(session, touched, replaced)
    for device, unique in touched:
        if device.sealed_until is not None and unique[0].t < device.sealed_until:
            session.flush()
            verdicts.reseal(session, device, unique[0].t)  # late readings of an ended batch
    session.flush()
    if live:
        for device, unique in touched:
            queue_after_commit(
                session,
                live_channel(device.community_id),
                {
                    "type": "biotumbler.readings",
                    "device": device.device,
                    "readings": [readings.to_json(r) for r in unique[-500:]],
                },
            )
    alerts.follow(session, arrivals, notify=notify, live=live)
    return [IngestResult(accepted=len(good), rejected=list(bad)) for _, good, bad in arrived]


def store(
    session: Session,
    device: Biotumbler,
    good: Sequence[readings.Reading],
    rejected: Sequence[readings.Rejection] = (),
    *,
    live: bool = True,
    notify: bool = True,
) -> IngestResult:
    """Store validated readings (upsert on device and time) and count the rejected ones."""
    return store_many(session, [(device, good, rejected)], live=live, notify=notify)[0]


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


# --- unknown devices -----------------------------------------------------------------------


def count_unknown(session: Session, seen: Counter[tuple[str, str]]) -> int:
    """Count messages for unregistered device ids per (community slug, device); never stored.

    Unknown communities are not counted here (no steward could see them); how many messages
    were counted is returned. Each community keeps at most MAX_UNKNOWN distinct ids, the
    rest add up under `*`.
    """
    if not seen:
        return 0
    slugs = {slug for slug, _ in seen}
    ids = dict(
        session.execute(select(Community.slug, Community.id).where(Community.slug.in_(slugs))).all()
    )
    wanted: Counter[tuple[int, str]] = Counter()
    for (slug, device), n in seen.items():
        if slug in ids:
            name = device if readings.is_device_id(device) else OTHER
            wanted[(ids[slug], name)] += n
    if not wanted:
        return 0
    registered = set(
        session.execute(
            select(Biotumbler.community_id, Biotumbler.device).where(
                Biotumbler.community_id.in_({c for c, _ in wanted}),
                Biotumbler.device.in_({d for _, d in wanted}),
            )
        ).all()
    )
    wanted = Counter({k: n for k, n in wanted.items() if k not in registered})
    communities = {c for c, _ in wanted}
    rows = {
        (row.community_id, row.device): row
        for row in session.scalars(
            select(UnknownDevice).where(UnknownDevice.community_id.in_(communities))
        )
    }
    kept = Counter(c for c, _ in rows)
    now = utcnow()
    for (community_id, device), n in sorted(wanted.items()):
        key = (community_id, device)
        if key not in rows and kept[community_id] >= MAX_UNKNOWN:
            key = (community_id, OTHER)
        row = rows.get(key)
        if row is None:
            row = rows[key] = UnknownDevice(
                community_id=community_id, device=key[1], messages=0, first_seen=now
            )
            session.add(row)
            kept[community_id] += 1
        row.messages += n
        row.last_seen = now
    session.flush()
    return sum(wanted.values())


def unknown_devices(session: Session, community: Community) -> list[UnknownDevice]:
    """The unregistered ids that sent to this community, most recent first (stewards)."""
    query = select(UnknownDevice).where(UnknownDevice.community_id == community.id)
    return list(
        session.scalars(query.order_by(UnknownDevice.last_seen.desc()).limit(MAX_UNKNOWN + 1))
    )


def unknown_total(session: Session, community: Community) -> int:
    """How many messages for unregistered ids this community received."""
    query = select(func.coalesce(func.sum(UnknownDevice.messages), 0)).where(
        UnknownDevice.community_id == community.id
    )
    return int(session.scalar(query) or 0)
